/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one interface between the Linux glue (kmod/) and the hardware backend (vmx/): the
 * objects both sides see (VM, memslot, vCPU) and the backend's ops table.
 *
 * kmod/ never executes a VMX instruction: it decides *when* (first VM, CPU hotplug,
 * suspend, reboot, an ioctl, a preemption) and the backend does *how*. Per-CPU hooks run on
 * the CPU concerned with interrupts disabled and must not sleep.
 */
#ifndef VMXMON_BACKEND_H
#define VMXMON_BACKEND_H

#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "include/uapi/vmxmon.h"

struct x86_io_bus;

/* What the backend reports about one CPU, for debugfs. */
struct vmxmon_cpu_stats {
	bool vmx_on;			/* this CPU is in VMX operation for us */
	unsigned long vmxon_count;	/* cumulative since load */
	unsigned long vmxoff_count;
	unsigned int loaded_vmcs;	/* VMCSs currently loaded (active) on this CPU */
	bool shared;			/* VMX root operation is another hypervisor's */
	unsigned long shared_count;	/* times enabled sharing another's VMX */
	unsigned long takeover_count;	/* times that owner left and we VMXONed */
};

/*
 * What the backend intercepts to keep guests from hurting the host, and how often each
 * kind of exit happened (all CPUs, since load), for debugfs ("intercepts").
 */
#define VMXMON_STATS_EXIT_REASONS	80
struct vmxmon_intercept_stats {
	u32 exception_bitmap;		/* exceptions that always exit (bit = vector) */
	bool wbinvd_exiting;		/* WBINVD exits (and is skipped) */
	bool notify_vmexit;		/* the CPU's notify VM exit is on */
	unsigned long host_nmis;	/* NMIs that exited a guest, handed to the host's entry */
	unsigned long host_mces;	/* machine checks in or entering a guest, handed to the host */
	unsigned long exits[VMXMON_STATS_EXIT_REASONS];	/* by basic exit reason */
	unsigned long exceptions[32];	/* exception and NMI exits, by vector */
};

/* Why enabling a CPU failed; filled by ->cpu_enable() so the caller can log one line. */
enum vmxmon_enable_error {
	VMXMON_ENABLE_OK = 0,
	VMXMON_ENABLE_SHARED,		/* OK: another hypervisor's VMX root operation, shared */
	VMXMON_ENABLE_IN_USE,		/* VMXON failed with CR4.VMXE clear: another hypervisor */
	VMXMON_ENABLE_SHARE_LATE,	/* shared, but VMs already run outside share mode */
	VMXMON_ENABLE_FEATURE_CONTROL,	/* IA32_FEATURE_CONTROL does not allow VMXON */
	VMXMON_ENABLE_FIXED_BITS,	/* CR0/CR4 violate IA32_VMX_CR{0,4}_FIXED{0,1} */
	VMXMON_ENABLE_INCOMPATIBLE,	/* this CPU's VMX capabilities differ from the boot CPU's */
	VMXMON_ENABLE_FAULT,		/* VMXON faulted */
};

/*
 * Guest RAM: a range of guest-physical memory backed by the creator's memory at @hva,
 * faulted into the EPT on demand and zapped when the host mm invalidates it (the notifier;
 * kmod/memslot.c). Nothing is pinned. All fields are fixed for the slot's life (a move
 * makes a new slot).
 */
struct vmxmon_memslot {
	u16 id;
	u32 flags;
	u64 gpa;
	u64 npages;
	u64 hva;
	struct vmxmon_vm *vm;
	struct mmu_interval_notifier notifier;	/* over [hva, hva + npages pages) */
};

/* The slots vCPUs see: replaced as a whole, never changed in place (kmod/memslot.c). */
struct vmxmon_memslots {
	unsigned int nr;
	struct vmxmon_memslot *slot[VMXMON_USER_MEMSLOTS];	/* slot[0..nr), any order */
};

/* A virtual machine: one per KVM_CREATE_VM, alive while its fd or any vCPU fd is open. */
struct vmxmon_vm {
	struct mm_struct *mm;		/* creator's mm: ioctls from another process get -EIO */
	struct list_head list;		/* on the global VM list (kmod/vm.c) */
	refcount_t users;		/* the VM fd and each vCPU fd */
	/*
	 * slots_lock serializes memslot changes; no vCPU path takes it. memslots is replaced
	 * under it and read under srcu (a fault-in holds it from the slot lookup to the EPT
	 * update): a slot is freed only after synchronize_srcu() and after every CPU dropped
	 * its translations (->zap_gpa() returns after the TLB flush).
	 */
	struct mutex slots_lock;
	struct vmxmon_memslots __rcu *memslots;
	struct srcu_struct srcu;
	/*
	 * lock protects vcpus[] and nr_vcpus (IPI senders read vcpus[] without it: entries are
	 * published with release stores and stay until the VM dies) and the VM's settings.
	 * Never held across pinning or anything else that can block for long.
	 */
	struct mutex lock;
	struct vmxmon_vcpu *vcpus[VMXMON_MAX_VCPUS];
	unsigned int nr_vcpus;
	/* Split irqchip (KVM_CAP_SPLIT_IRQCHIP): local APICs here, IOAPIC in userspace. */
	bool split_irqchip;
	u32 nr_ioapic_pins;
	/* Level-triggered vectors of IOAPIC routes: their EOI exits to userspace. */
	DECLARE_BITMAP(ioapic_eoi_vectors, 256);
	/* In-kernel devices by MMIO and port range (x86/iobus.c; slots_lock, srcu). */
	struct x86_io_bus __rcu *io_bus[2];
	/* KVM_IOEVENTFD (kmod/ioeventfd.c): devices on io_bus, listed under slots_lock. */
	struct list_head ioeventfds;
	/* KVM_SET_GSI_ROUTING's MSI routes by GSI (kmod/irqfd.c): replaced under lock, RCU. */
	struct vmxmon_msi_routes __rcu *msi_routes;
	/* KVM_IRQFD (kmod/irqfd.c): irqfd_mutex serializes (de)assign; irqfds_lock protects
	 * irqfds, the active ones (taken in the eventfd's wakeup: irq-safe). */
	struct mutex irqfd_mutex;
	spinlock_t irqfds_lock;
	struct list_head irqfds;
	/* EPT watchpoints (kmod/watch.c): NULL until the first VMXMON_ADD_EPT_WATCH. */
	struct vmxmon_watches *watches;
	void *arch;			/* the backend's VM state (EPT) */
};

/*
 * A vCPU's statistics (KVM_GET_STATS_FD, kmod/stats.c): written by the vCPU's thread only,
 * read by anyone without a lock (64-bit stores do not tear; a reader may see one counter
 * a step ahead of another, as KVM's readers may).
 */
#define VMXMON_STAT_USER_EXITS	40	/* kvm_run.exit_reason values counted (KVM_EXIT_*) */
#define VMXMON_STAT_EPT_RESULTS	4	/* VMXMON_EPT_* (kmod/trace.h) */
struct vmxmon_vcpu_stat {
	u64 exits;				/* VM exits */
	u64 exit_reason[VMXMON_STATS_EXIT_REASONS];	/* by basic exit reason */
	u64 user_exit[VMXMON_STAT_USER_EXITS];	/* KVM_RUN returned 0, by kvm_run.exit_reason */
	u64 signal_exits;			/* KVM_RUN returned -EINTR */
	u64 ept_watch_exits;			/* KVM_RUN returned 0 with VMXMON_EXIT_EPT_WATCH */
	u64 injections[8];			/* by VM-entry interruption type (SDM 24.8.3) */
	u64 ept_violation[VMXMON_STAT_EPT_RESULTS];	/* by result */
	u64 hypercalls;				/* VMCALLs (KVM's name) */
	u64 halt_wakeup;			/* sleeps in HLT (or wait-for-SIPI) that ended */
	u64 halt_wait_ns;			/* time asleep there */
	u64 guest_cycles;			/* TSC cycles in guest mode (entry to exit) */
	u64 host_cycles;			/* TSC cycles in KVM_RUN outside guest mode */
	/* (every field above is a u64 counter: the VM's file sums them as an array) */
	u64 max_exits_per_run;			/* peak: exits handled in one KVM_RUN */
	bool blocking;				/* asleep in HLT now */
};

enum vmxmon_vcpu_mode {
	VMXMON_OUTSIDE_GUEST_MODE,
	VMXMON_IN_GUEST_MODE,
};

/* Requests: set by anyone (then kick), handled by the vCPU before its next VM entry. */
#define VMXMON_REQ_TLB_FLUSH	0
#define VMXMON_REQ_SHUTDOWN	1	/* KVM_RUN exits with KVM_EXIT_SHUTDOWN (#MC) */

struct vmxmon_vcpu {
	struct vmxmon_vm *vm;
	unsigned int id;
	struct kvm_run *run;		/* page 0 of the vCPU mmap, zeroed */
	void *pio_data;			/* page 1 (KVM_PIO_PAGE_OFFSET): port-I/O data */
	struct mutex mutex;		/* one ioctl at a time on this vCPU */
	struct preempt_notifier preempt_notifier;
	int cpu;			/* CPU it is loaded on, -1 if none */
	wait_queue_head_t wq;		/* a halted vCPU sleeps here; kicks wake it */
	bool halted;			/* HLT with an in-kernel APIC: sleep until an event */
	/* Set (then kick) when the vCPU may not be able to enter: halted, INIT/SIPI, MP state. */
	bool check_state;
	int mode;			/* enum vmxmon_vcpu_mode; written by the vCPU only */
	unsigned long requests;		/* VMXMON_REQ_* bits */
	unsigned long rcu_qs_jiffies;	/* when entering the guest last reported an RCU QS */
	unsigned long task_work_jiffies; /* when KVM_RUN first saw task work pending */
	bool task_work_seen;		/* ... and has been pending since (kmod/vcpu.c) */
	/*
	 * Set by the backend where it makes an exit whose instruction userspace must complete
	 * (an IN's data, an MMIO read's, the next MMIO fragment); run, and cleared, at the top
	 * of the next KVM_RUN. Returns as ->handle_exit. Cleared when an INIT resets the vCPU.
	 */
	int (*complete_userspace_io)(struct vmxmon_vcpu *vcpu);
	struct vmxmon_vcpu_stat stat;		/* KVM_GET_STATS_FD (kmod/stats.c) */
	void *arch;			/* the backend's vCPU state (VMCS, registers) */
};

struct vmxmon_backend_ops {
	const char *name;

	/* Module load: check the hardware (-EOPNOTSUPP with one clear log line) and allocate. */
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);

	/* Enter/leave VMX operation on the calling CPU (IRQs off). */
	enum vmxmon_enable_error (*cpu_enable)(void);
	void (*cpu_disable)(void);
	/*
	 * The crash path's (kmod/virt.c: the kernel's emergency-virtualization callback): NMI
	 * or IRQs-off context on each CPU, no locks; leaves VMX operation here whoever entered it.
	 */
	void (*emergency_disable)(void);

	void (*cpu_stats)(int cpu, struct vmxmon_cpu_stats *stats);
	/*
	 * Share mode (vmx/share.c): set while no vCPU exists, after enabling every CPU, to
	 * whether any CPU was found in another hypervisor's VMX operation; @local: VMX only
	 * inside sections where nobody else has it (before enabling: every CPU is shared).
	 */
	void (*set_share_mode)(bool on, bool local);
	/*
	 * Around a sleep inside a backend operation (the memory services below): give the CPU
	 * back as the other hypervisor needs it; sleep_end() takes it again.
	 */
	void *(*sleep_begin)(void);
	void (*sleep_end)(void *token);
	/* Pages the backend currently holds (VMXON regions, VMCSs, EPT tables...). */
	long (*pages_held)(void);
	/* Guest RAM pages (4 KiB leaves) mapped in some VM's EPT now, all VMs. */
	long (*guest_pages_mapped)(void);
	/* The 2 MiB and 1 GiB EPT leaves among them (debugfs; tests see huge pages used). */
	long (*guest_2m_leaves)(void);
	long (*guest_1g_leaves)(void);
	/* Adds its counts to a zeroed @st. */
	void (*intercept_stats)(struct vmxmon_intercept_stats *st);
	/* The name of basic exit reason @reason ("CPUID"), NULL if it has none (stats). */
	const char *(*exit_reason_name)(unsigned int reason);

	/* VM: second-level address translation over the memslots. */
	int (*vm_init)(struct vmxmon_vm *vm);
	void (*vm_destroy)(struct vmxmon_vm *vm);
	/*
	 * Map guest-physical page @gpa to host @pfn (a page of @slot), writable or not, unless
	 * @slot's notifier saw an invalidation since @seq (mmu_interval_read_retry(), checked
	 * under the lock the invalidation holds in ->zap_gpa()): 0, -EAGAIN (invalidated:
	 * fault again), -EEXIST (another page is mapped there: the APIC-access page), -ENOMEM.
	 * @level 2 (3): the whole 2 MiB (1 GiB) page around @gpa may be mapped with one leaf
	 * (the host maps it contiguously, @pfn being @gpa's page: vmxmon_map_level()); the
	 * backend may still map smaller leaves. Sleeps; takes no reference on the page.
	 */
	int (*map_gpa)(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 gpa,
		       unsigned long pfn, bool writable, unsigned long seq, int level);
	/*
	 * Unmap guest-physical [start, end) and return once no CPU can use a translation of it
	 * any more; pages mapped writable are marked dirty. With @slot, under the same lock,
	 * record @cur_seq as its notifier's sequence (mmu_interval_set_seq()). Without
	 * @blockable it must not sleep and returns false if it would have to.
	 */
	bool (*zap_gpa)(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 start, u64 end,
			unsigned long cur_seq, bool blockable);
	/*
	 * The watches over guest-physical [start, end) changed (kmod/watch.c): give the leaves
	 * mapped there the permissions vmxmon_watch_page_access() allows now, and return once
	 * no CPU can use a translation with more. Sleeps.
	 */
	void (*watch_protect)(struct vmxmon_vm *vm, u64 start, u64 end);

	/* vCPU */
	int (*vcpu_create)(struct vmxmon_vcpu *vcpu);
	void (*vcpu_free)(struct vmxmon_vcpu *vcpu);
	void (*vcpu_load)(struct vmxmon_vcpu *vcpu, int cpu);	/* preemption off */
	void (*vcpu_put)(struct vmxmon_vcpu *vcpu);		/* preemption off */
	/*
	 * After vcpu_load()/before vcpu_put() around an ioctl's state access (not KVM_RUN):
	 * in share mode IRQs and preemption stay off in between.
	 */
	void (*vcpu_hold)(struct vmxmon_vcpu *vcpu);
	void (*vcpu_release)(struct vmxmon_vcpu *vcpu);
	/*
	 * Around the KVM_RUN loop (preemption on): switch to the guest's FPU state and take
	 * kvm_run's inputs (0, or -EINVAL for a bad one), then give kvm_run's outputs and
	 * switch back.
	 */
	int (*vcpu_run_begin)(struct vmxmon_vcpu *vcpu);
	void (*vcpu_run_end)(struct vmxmon_vcpu *vcpu);
	/* One VM entry and exit. IRQs off; returns 0, or -errno if entry was impossible. */
	int (*vcpu_run)(struct vmxmon_vcpu *vcpu);
	/* Then, IRQs on: 1 resume the guest, 0 exit to userspace (run filled), <0 error. */
	int (*handle_exit)(struct vmxmon_vcpu *vcpu);

	/* CPUID (KVM_SET_CPUID2 hands @entries, kmalloc'ed, over to the backend on success). */
	int (*get_supported_cpuid)(struct kvm_cpuid_entry2 *entries, int max);
	int (*set_cpuid)(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int nent);
	int (*get_cpuid)(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int max);
	/* MSRs: 0, or 1 when the MSR or value is not accepted. */
	int (*msr_index_list)(u32 *indices, u32 max);
	int (*get_msr)(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool host);
	int (*set_msr)(struct vmxmon_vcpu *vcpu, u32 index, u64 data, bool host);
	/* FPU state (no KVM_RUN in progress). */
	void (*get_fpu)(struct vmxmon_vcpu *vcpu, struct kvm_fpu *fpu);
	int (*set_fpu)(struct vmxmon_vcpu *vcpu, const struct kvm_fpu *fpu);
	void (*get_xsave)(struct vmxmon_vcpu *vcpu, struct kvm_xsave *xsave);
	int (*set_xsave)(struct vmxmon_vcpu *vcpu, const struct kvm_xsave *xsave);
	void (*get_debugregs)(struct vmxmon_vcpu *vcpu, struct kvm_debugregs *d);
	int (*set_debugregs)(struct vmxmon_vcpu *vcpu, const struct kvm_debugregs *d);
	void (*get_xcrs)(struct vmxmon_vcpu *vcpu, struct kvm_xcrs *xcrs);
	int (*set_xcrs)(struct vmxmon_vcpu *vcpu, const struct kvm_xcrs *xcrs);
	/*
	 * The guest's machine-check banks: the IA32_MCG_CAP bits KVM_X86_SETUP_MCE accepts;
	 * KVM_X86_SETUP_MCE; KVM_X86_SET_MCE (VMCS loaded: it may inject #MC). 0 or -errno.
	 */
	u64 (*mce_cap_supported)(void);
	int (*setup_mce)(struct vmxmon_vcpu *vcpu, u64 mcg_cap);
	int (*set_mce)(struct vmxmon_vcpu *vcpu, const struct kvm_x86_mce *mce);

	/* Halted or waiting for INIT/SIPI: may it enter? (VMCS loaded; may reset it.) */
	bool (*vcpu_can_enter)(struct vmxmon_vcpu *vcpu);
	/* Condition to sleep on until then (any context, no VMCS). */
	bool (*vcpu_should_wake)(struct vmxmon_vcpu *vcpu);
	/*
	 * Split irqchip: per-vCPU APIC, MSIs, KVM_GET/SET_LAPIC, KVM_GET/SET_MP_STATE.
	 * signal_msi may be called in any context (an irqfd's eventfd wakeup: a spinlock
	 * held, interrupts off): it must not sleep.
	 */
	int (*signal_msi)(struct vmxmon_vm *vm, const struct kvm_msi *msi);
	int (*get_lapic)(struct vmxmon_vcpu *vcpu, struct kvm_lapic_state *s);
	int (*set_lapic)(struct vmxmon_vcpu *vcpu, const struct kvm_lapic_state *s);
	int (*get_mp_state)(struct vmxmon_vcpu *vcpu, struct kvm_mp_state *mp);
	int (*set_mp_state)(struct vmxmon_vcpu *vcpu, const struct kvm_mp_state *mp);

	/* Events (KVM_INTERRUPT, KVM_NMI, KVM_GET/SET_VCPU_EVENTS). */
	int (*queue_interrupt)(struct vmxmon_vcpu *vcpu, u32 irq);
	void (*queue_nmi)(struct vmxmon_vcpu *vcpu);
	void (*get_vcpu_events)(struct vmxmon_vcpu *vcpu, struct kvm_vcpu_events *ev);
	int (*set_vcpu_events)(struct vmxmon_vcpu *vcpu, const struct kvm_vcpu_events *ev);

	void (*get_regs)(struct vmxmon_vcpu *vcpu, struct kvm_regs *regs);
	void (*set_regs)(struct vmxmon_vcpu *vcpu, const struct kvm_regs *regs);
	void (*get_sregs)(struct vmxmon_vcpu *vcpu, struct kvm_sregs *sregs);
	int (*set_sregs)(struct vmxmon_vcpu *vcpu, const struct kvm_sregs *sregs);

	/* KVM_SET_GUEST_DEBUG (VMCS loaded): 0 or -errno. */
	int (*set_guest_debug)(struct vmxmon_vcpu *vcpu, const struct kvm_guest_debug *dbg);
	/*
	 * KVM_RUN, after finishing what userspace completed, before entering: 0 with
	 * KVM_EXIT_DEBUG when the debugger steps and an instruction completed outside the
	 * guest (an exit to userspace, its completion), else 1.
	 */
	int (*debug_step_exit)(struct vmxmon_vcpu *vcpu);
};

extern const struct vmxmon_backend_ops vmx_backend_ops;

/* Services kmod/ offers the backend. */
/* Make @vcpu notice new work: wake it if halted, IPI its CPU if it runs the guest. */
void vmxmon_vcpu_kick(struct vmxmon_vcpu *vcpu);
/*
 * Raise request @req on every vCPU of @vm (never sleeps; may spin waiting for IPIs: not
 * with interrupts off). Without @wait, kick each as above.
 * With @wait, IPI only the CPUs where a vCPU of @vm is in guest mode and return once each
 * has taken the IPI, that is, has left guest mode: from then on no vCPU of @vm enters the
 * guest without handling @req first (KVM's kvm_make_all_cpus_request() with
 * KVM_REQUEST_WAIT). CPUs that run no vCPU of @vm are not interrupted.
 */
void vmxmon_vm_request_all(struct vmxmon_vm *vm, unsigned int req, bool wait);
/*
 * The page backing @gpa with a reference (NULL outside RAM, or if @write and the slot is
 * read-only, or if the creator's memory there cannot be faulted in). The calling task must
 * be in the VM's mm (a vCPU thread); may sleep. Lock-free against memslot changes (SRCU).
 */
struct page *vmxmon_gpa_to_page(struct vmxmon_vm *vm, u64 gpa, bool write);
/*
 * Copy @len bytes at @gpa (within one page) from or to guest RAM through the creator's
 * mapping, faulting as needed (the calling task must be in the VM's mm; may sleep): 0, or
 * -EFAULT outside RAM, for a write to a read-only slot, or if the memory is not there.
 */
int vmxmon_gpa_copy(struct vmxmon_vm *vm, u64 gpa, void *buf, unsigned int len, bool write);
/*
 * An EPT violation at @gpa: fault the page in through the creator's mm and map it (may
 * sleep; the vCPU's thread, preemption on). 1: mapped, or raced with an invalidation:
 * enter again; 0: not RAM (or a write to a read-only slot): MMIO; -errno: KVM_RUN fails
 * (-EFAULT: nothing mapped at the slot's host address).
 */
int vmxmon_gpa_fault(struct vmxmon_vm *vm, u64 gpa, bool write);
/*
 * Around anything that may sleep inside a backend operation with the VMCS in use (the
 * three services above, a mutex): in share mode the CPU is given back to the other
 * hypervisor and IRQs and preemption come on until vmxmon_sleep_end(). Pairs; no-ops
 * otherwise. The vCPU may continue on another CPU.
 */
void *vmxmon_sleep_begin(void);
void vmxmon_sleep_end(void *token);

/*
 * EPT watchpoints (kmod/watch.c; the access bits are the uapi VMXMON_EPT_WATCH_*, which are
 * the EPT R/W/X bits). Any context but hard IRQ; never sleep (a spinlock inside).
 *  - vmxmon_watch_page_access(): the accesses watched somewhere on @gpa's page, 0 while a
 *    vCPU steps over it (the leaf may allow everything then);
 *  - vmxmon_watch_overlaps(): does any watch overlap [gpa, gpa + len)? (A large EPT leaf
 *    must not map over one: watches are enforced per 4 KiB leaf.)
 *  - vmxmon_watch_lookup(): the watch of an @access kind that holds byte @gpa, in @hit;
 *  - vmxmon_watch_step_add()/_clear(): pages @vcpu steps over now (-ENOSPC when the VM
 *    has too many); _clear() forgets up to @max of @vcpu's and returns them in @gpas
 *    (call again while it returns @max).
 */
u32 vmxmon_watch_page_access(struct vmxmon_vm *vm, u64 gpa);
bool vmxmon_watch_overlaps(struct vmxmon_vm *vm, u64 gpa, u64 len);
bool vmxmon_watch_lookup(struct vmxmon_vm *vm, u64 gpa, u32 access, struct vmxmon_ept_watch *hit);
int vmxmon_watch_step_add(struct vmxmon_vm *vm, const struct vmxmon_vcpu *vcpu, u64 gpa);
unsigned int vmxmon_watch_step_clear(struct vmxmon_vm *vm, const struct vmxmon_vcpu *vcpu,
				     u64 *gpas, unsigned int max);

#endif /* VMXMON_BACKEND_H */
