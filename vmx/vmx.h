/* SPDX-License-Identifier: GPL-2.0 */
/* vmx/: internal declarations of the VT-x backend. */
#ifndef VMXMON_VMX_H
#define VMXMON_VMX_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/build_bug.h>
#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <asm/msr-index.h>
#include <asm/fpu/types.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "kmod/backend.h"
#include "x86/x86.h"

/*
 * IA32_VMX_BASIC (SDM Vol. 3D A.1). The kernel's names for these fields changed in 6.12
 * (<asm/msr-index.h> VMX_BASIC_64, VMX_BASIC_MEM_TYPE_* in 6.1; <asm/vmx.h> helpers in 6.12),
 * so the fields are named here from the SDM; bits 54 (VMX_BASIC_INOUT) and 55
 * (VMX_BASIC_TRUE_CTLS) keep the kernel's names, which both versions share.
 */
#define VMX_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMX_BASIC_VMCS_SIZE(b)		((u32)(((b) >> 32) & 0x1fff))	/* bits 44:32 */
#define VMX_BASIC_PHYS_ADDR_32BIT	BIT_ULL(48)	/* VMCS pointers limited to 32 bits */
#define VMX_BASIC_MEMTYPE(b)		(((b) >> 50) & 0xf)		/* bits 53:50 */
#define VMX_BASIC_MEMTYPE_WB		6ULL		/* SDM Vol. 3D A.1: write-back */
/* IA32_VMX_MISC bits 4:0 (SDM Vol. 3D A.6): the preemption timer ticks at TSC >> this. */
#define VMX_MISC_TIMER_RATE(m)		((unsigned int)((m) & 0x1f))

/*
 * A VMCS region or the VMXON region: the first 32 bits hold the revision identifier
 * (bit 31 = shadow-VMCS indicator), then the VMX-abort indicator, then data whose layout
 * is the processor's (SDM Vol. 3C 25.2 "Format of the VMCS region").
 */
struct vmcs_hdr {
	u32 revision_id:31;
	u32 shadow_vmcs:1;
};

struct vmcs {
	struct vmcs_hdr hdr;
	u32 abort;
	char data[];
};
static_assert(sizeof(struct vmcs_hdr) == 4);
static_assert(sizeof(struct vmcs) == 8);

/* The VMX capabilities vmxmon relies on, read once at load (vmx/caps.c). */
struct vmx_caps {
	u64 basic;
	u32 revision_id;
	u32 vmcs_size;
	/* Capability MSRs as (allowed-0 in low half, allowed-1 in high half), TRUE_* if present. */
	u64 pinbased, procbased, procbased2, exit, entry;
	u64 ept_vpid;			/* IA32_VMX_EPT_VPID_CAP */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool has_vpid;
};

extern struct vmx_caps vmx_caps;

int vmx_caps_read(struct vmx_caps *caps);
int vmx_caps_check(struct vmx_caps *caps);
bool vmx_caps_match_this_cpu(const struct vmx_caps *boot);

/*
 * A VMCS and where it is loaded. A VMCS may be current/active on at most one CPU; it sits on
 * that CPU's list (vmx/cpu.c) from VMPTRLD until VMCLEAR, so that taking a CPU offline (or
 * out of VMX operation) can VMCLEAR every VMCS still loaded there first.
 */
struct vmx_loaded_vmcs {
	struct vmcs *vmcs;
	int cpu;			/* -1 when not loaded on any CPU */
	bool launched;
	struct list_head loaded_list;	/* on that CPU's vmx_cpu.loaded_vmcss (its lock) */
};

struct vmx_cpu;

/* Load @lv on this CPU (preemption off, IRQs on). Returns 1 if it was not loaded here
 * before (the caller refreshes per-CPU host state and flushes the TLB), 0, or -EIO when
 * this CPU is not in VMX operation or VMPTRLD failed: @lv is then loaded nowhere. */
int vmx_loaded_vmcs_load(struct vmx_loaded_vmcs *lv);
/* VMCLEAR @lv wherever it is loaded (IPI; IRQs on). */
void vmx_loaded_vmcs_clear(struct vmx_loaded_vmcs *lv);
bool vmx_this_cpu_on(void);
int vmx_cpu_section_check(void);
bool vmx_cpu_scratch_load(u64 *owner);
void vmx_cpu_scratch_put(void);
void vmx_cpu_section_done(void);
void vmx_share_ibpb_due(void);

/* vmx/share.c: VMX root operation shared with another hypervisor. */
extern bool vmx_share_mode;
/* Share mode (vmx/share.c)? Inline: owner mode pays one load on the run path. */
static inline bool vmx_share_on(void)
{
	return READ_ONCE(vmx_share_mode);
}
void vmx_share_set_mode(bool on, bool local);
bool vmx_share_local(void);
int vmx_share_enter(struct vmxmon_vcpu *vcpu);
void vmx_share_exit(struct vmxmon_vcpu *vcpu);
void vmx_share_hold(struct vmxmon_vcpu *vcpu);
void vmx_share_release(struct vmxmon_vcpu *vcpu);
void *vmx_share_sleep_begin(void);
void vmx_share_sleep_end(void *token);

/* Pages owned by the backend: always zeroed, counted for the leak checks. */
struct page *vmx_alloc_page(int node);
void vmx_free_page(struct page *page);

enum vmxmon_enable_error vmx_cpu_enable(void);
void vmx_cpu_disable(void);
void vmx_emergency_disable(void);
void vmx_cpu_stats(int cpu, struct vmxmon_cpu_stats *stats);
int vmx_cpus_alloc(void);
void vmx_cpus_free(void);
long vmx_pages_held(void);

/*
 * CR0/CR4 bits the host owns (guest/host mask): the guest sees its own value (the read
 * shadow) while the CPU runs with NE set and CD/NW clear (VMX fixed bits and cache
 * coherence), and CR4.VMXE set. CR0.PG exits so that vmxmon switches IA-32e mode with it.
 * The guest changes VMX_CR4_GUEST_BITS without exits; other CR4 bits exit and are allowed
 * only as far as the guest's CPUID offers the feature (vmx_vcpu.cr4_allowed).
 */
#define VMX_CR0_HOST_OWNED	(X86_CR0_NE | X86_CR0_CD | X86_CR0_NW | X86_CR0_PG)
#define VMX_CR4_GUEST_BITS	X86_CR4_ALWAYS_VALID	/* those every guest may set */
#define VMX_CR4_HOST_OWNED	(~(unsigned long)VMX_CR4_GUEST_BITS | X86_CR4_MCE)
#define VMX_CR0_VALID		(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
				 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
				 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
/* DR7 after reset and after a VM exit: only the always-1 bit 10 (SDM Vol. 3B 18.2.4). */
#define VMX_DR7_INIT		0x400ul
/* DR7.GD: MOV DR faults with #DB (SDM Vol. 3B 18.2.4); DR6.BD says that was why (18.2.3). */
#define VMX_DR7_GD		BIT(13)
#define VMX_DR6_BD		BIT(13)
/* DR6 after reset: its fixed-1 bits and the active-low RTM bit (kvm: DR6_ACTIVE_LOW). */
#define VMX_DR6_ACTIVE_LOW	0xffff0ff0ul

/*
 * Exceptions that always exit (EXCEPTION_BITMAP), as kvm_intel 6.1 intercepts them
 * (vmx_update_exception_bitmap()): #DB and #AC, whose delivery can raise the same exception
 * again with no instruction boundary in between, so that the CPU loops in microcode where
 * neither interrupts nor the preemption timer reach it (CVE-2015-8104, CVE-2015-5307); both
 * are re-injected (vmx/intercept.c). #MC, which belongs to the host (kmod/compat.h).
 */
#define VMX_EXCEPTION_BITMAP	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC))

/* Controls vmxmon runs every guest with, computed from the capability MSRs at load. */
struct vmcs_config {
	u32 pin, proc, proc2, exit, entry;
	bool tpr_shadow;	/* CPU_BASED_TPR_SHADOW possible, CR8 exiting may be off */
	bool apic_access;	/* with the TPR shadow: the APIC-access page (vmx/apic_access.c) */
	u32 exception_bitmap;	/* EXCEPTION_BITMAP of every VMCS: VMX_EXCEPTION_BITMAP */
};
extern struct vmcs_config vmcs_config;

/* Host state that VM exit does not restore, saved before the first entry after a load. */
struct vmx_host_state {
	bool saved;
	u16 ds_sel, es_sel, fs_sel, gs_sel, ldt_sel;
	unsigned long fs_base;
	unsigned long cr3, cr4;		/* last values written to HOST_CR3/HOST_CR4 */
	unsigned long dr7;
	u64 debugctl;
};

/* IA32_UCODE_REV of a new vCPU: revision 1 in bits 63:32, as KVM. */
#define UCODE_REV_DEFAULT	0x100000000ull

/* MSRs swapped with the host's while the vCPU is loaded (vmx/msr.c), in this order. */
#define VMX_NR_SWAPPED_MSRS	6
#define VMX_MSR_KERNEL_GS_BASE	4
#define VMX_MSR_TSC_AUX		5

/* Events waiting for VM entry (vmx/event.c). */
struct vmx_events {
	bool irq_pending;		/* KVM_INTERRUPT, not yet injected */
	bool irq_injected;		/* ... or one whose delivery began (KVM's interrupt.injected,
					 * restored by KVM_SET_VCPU_EVENTS/SREGS): LINT0 is not asked */
	u8 irq_vector;
	u8 nmi_pending;			/* at most 2; 1 while an NMI is in service (vCPU thread) */
	atomic_t nmi_queued;		/* NMIs sent from any thread, not yet counted above */
	bool handler_injected;		/* an exit handler wrote VM_ENTRY_INTR_INFO */
	u32 reinject_info;		/* IDT-vectoring information of the last exit */
	u32 reinject_error;
	u32 reinject_len;
	u32 window_ctls;		/* interrupt/NMI-window exiting bits now set */
};

/*
 * The perf MSRs switched atomically with VM entry/exit (vmx/perf.c): one page, the VM-entry
 * MSR-load list (guest values) in its first half, the VM-exit one (host values) in the second.
 */
#define VMX_PERF_MAX_MSRS	8	/* as KVM's MAX_NR_LOADSTORE_MSRS */
struct vmx_msr_entry;
struct vmx_perf_switch {
	struct vmx_msr_entry *guest, *host;
	u32 nr;				/* entries in each, as in the VMCS counts */
};

/* A step over a watched page (vmx/watch.c): how it ends. */
enum vmx_watch_step_mode {
	VMX_STEP_NONE,
	VMX_STEP_MTF,		/* the monitor trap flag: an MTF exit after the instruction */
	VMX_STEP_TF,		/* no MTF: RFLAGS.TF and the #DB intercept */
	VMX_STEP_EVENT,		/* an event's delivery: the preemption timer at 0 */
};

struct vmx_watch_step {
	u8 mode;			/* enum vmx_watch_step_mode */
	bool guest_tf;			/* VMX_STEP_TF: the guest's own RFLAGS.TF */
	bool tf_leak;			/* a fault pushed our TF: one #DB to swallow (watch.c) */
	u32 timer;			/* VMX_STEP_EVENT: the preemption timer value to restore */
	u64 hit_gpa;			/* the access userspace saw: stepped at the next KVM_RUN */
};

/* KVM_SET_GUEST_DEBUG (vmx/debug.c). */
struct vmx_guest_debug {
	u32 control;			/* KVM_GUESTDBG_* in force; 0 when not enabled */
	bool step_done;			/* stepped instruction completed outside the guest */
	u32 bp_len;			/* length of the last INT3 that exited (INJECT_BP) */
	unsigned long dr[4];		/* USE_HW_BP: the debugger's DR0-3 ... */
	unsigned long guest_dr7;	/* ... and the guest's DR7 while the debugger's is loaded */
};

/* A vCPU's share-mode state (vmx/share.c). */
struct vmx_share {
	struct vmxmon_vcpu *vcpu;
	u64 owner_vmcs;			/* the owner's current-VMCS pointer (VMPTRST), or -1ull */
	int host_cpu;			/* CPU whose per-CPU host fields our VMCS holds, or -1 */
	bool held;			/* a section is open: IRQs off, ours (or scratch) current */
	bool scratch;			/* ... with the scratch VMCS: ours could not be loaded */
	bool hold;			/* vmx_share_hold() turned IRQs and preemption off */
	bool entered;			/* the guest ran in this section */
	bool handled;			/* vmx_vcpu_run() handled the exit in its section ... */
	int exit_r;			/* ... with this result for ->handle_exit() */
	bool broken;			/* a section failed: KVM_RUN returns -EIO */
	bool fresh;			/* never VMCLEARed yet: the first section does it */
};

/* Guest state kept across exits, outside the VMCS; x86/'s part first (x86/x86.h). */
struct vmx_vcpu {
	struct x86_vcpu x86;			/* GPRs (vmx/vmenter.S loads and saves them) */
	u64 swapped[VMX_NR_SWAPPED_MSRS];	/* STAR LSTAR CSTAR SFMASK KERNEL_GS_BASE TSC_AUX */
	u64 host_kernel_gs_base, host_tsc_aux;
	u64 host_syscall[4];			/* share mode: STAR..SFMASK as found at load */
	u64 misc_enable;
	u64 ucode_rev;				/* IA32_UCODE_REV: set by the host only */
	u64 mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
	struct vmx_perf_switch perf;
	unsigned long dr[4], dr6;		/* DR7 is in the VMCS */
	bool dr7_armed;				/* DR7 enables a breakpoint */
	u8 tpr_threshold;			/* TPR_THRESHOLD now in the VMCS (TPR shadow) */
	bool apic_access;			/* "virtualize APIC accesses" on (apic_access.c) */
	struct vmx_loaded_vmcs vmcs;
	struct vmx_share share;
	u16 vpid;
	bool flush_on_entry;			/* TLB flush before the next entry */
	struct vmx_host_state host;
	struct vmx_events ev;
	struct vmx_guest_debug debug;
	/* The last exit, read once after it. */
	u32 exit_reason;
	unsigned long exit_qual;
	u32 exit_intr_info;
	u32 entry_failed;			/* VMLAUNCH/VMRESUME VMfail: VM-instruction error */
	struct vmx_watch_step watch;		/* EPT watchpoints (vmx/watch.c) */
	/* Unique, never reused: an IBPB when another vCPU's guest ran on this CPU last. */
	u64 ibpb_tag;
};

static_assert(offsetof(struct vmx_vcpu, x86) == 0);

static inline struct vmx_vcpu *to_vmx(struct vmxmon_vcpu *vcpu)
{
	return vcpu->arch;
}

/* The VM's EPT (vmx/ept.c) and APIC-access page (vmx/apic_access.c). */
struct vmx_vm {
	struct mutex ept_lock;		/* serializes changes of the tables (vmx/ept.c) */
	struct page *ept_root;
	struct page *cache[3];		/* tables to add under ept_lock (no allocation there) */
	unsigned int ncache;
	u64 eptp;
	u64 tsc_offset;			/* guest TSC = host TSC + this, for every vCPU */
	struct page *apic_access_page;	/* split irqchip with vmcs_config.apic_access */
	unsigned int apic_access_off;	/* vCPUs running without it (vm->lock) */
};

static inline struct vmx_vm *to_vmx_vm(struct vmxmon_vm *vm)
{
	return vm->arch;
}

/* vmx/vmenter.S: enter the guest with @regs; 0 after a VM exit, 1 VMfail, 2 fault. */
int __vmx_vcpu_enter(unsigned long *regs, bool launched);

/* vmx/vcpu.c */
int vmx_vcpu_create(struct vmxmon_vcpu *vcpu);
void vmx_vcpu_free(struct vmxmon_vcpu *vcpu);
void vmx_vcpu_load(struct vmxmon_vcpu *vcpu, int cpu);
void vmx_vcpu_put(struct vmxmon_vcpu *vcpu);
int vmx_vcpu_run(struct vmxmon_vcpu *vcpu);
int vmx_vcpu_run_begin(struct vmxmon_vcpu *vcpu);
void vmx_vcpu_run_end(struct vmxmon_vcpu *vcpu);

/* vmx/vmcs.c */
int vmx_setup_vmcs_config(void);
void vmx_vmcs_init(struct vmxmon_vcpu *vcpu);
void vmx_vmcs_set_host_percpu(int cpu);
void vmx_vmcs_dump(struct vmxmon_vcpu *vcpu);
int vmx_msr_bitmap_alloc(void);
bool vmcs_config_allows_rdtscp(void);
void vmx_set_rdtscp(bool on);
void vmx_msr_bitmap_free(void);

/* vmx/state.c */
void vmx_vcpu_reset(struct vmxmon_vcpu *vcpu);
void vmx_get_regs(struct vmxmon_vcpu *vcpu, struct kvm_regs *regs);
void vmx_set_regs(struct vmxmon_vcpu *vcpu, const struct kvm_regs *regs);
void vmx_get_sregs(struct vmxmon_vcpu *vcpu, struct kvm_sregs *sregs);
int vmx_set_sregs(struct vmxmon_vcpu *vcpu, const struct kvm_sregs *sregs);
void vmx_set_cr0(unsigned long cr0);
void vmx_set_cr4(unsigned long cr4);
void vmx_set_efer(u64 efer);
bool vmx_pae_paging(unsigned long cr0, unsigned long cr4, u64 efer);
int vmx_load_pdptrs(struct vmxmon_vcpu *vcpu);

/* vmx/guest.c: the guest state x86/ sees (its accessors, x86/x86.h), over the VMCS. */
extern const struct x86_vcpu_ops vmx_x86_ops;
int vmx_guest_cpl(void);
void vmx_drop_stale_pending_bs(struct vmx_vcpu *vmx);
bool vmx_has_mtf(void);
void vmx_update_mtf(struct vmx_vcpu *vmx);
bool vmx_guest_64bit(void);
unsigned long vmx_linear_rip(void);
unsigned long vmx_get_cr0(void);
unsigned long vmx_get_cr4(void);
void vmx_advance_rip(struct vmxmon_vcpu *vcpu, unsigned int len);
void vmx_skip_instruction(struct vmxmon_vcpu *vcpu);
void vmx_skip_instruction_no_step(struct vmxmon_vcpu *vcpu);
void vmx_inject_exception(struct vmxmon_vcpu *vcpu, u8 vector, bool has_error, u32 error_code);

/* vmx/ept.c */
int vmx_vm_init(struct vmxmon_vm *vm);
void vmx_vm_destroy(struct vmxmon_vm *vm);
int vmx_map_gpa(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 gpa, unsigned long pfn,
		bool writable, unsigned long seq, int level);
bool vmx_zap_gpa(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 start, u64 end,
		 unsigned long cur_seq, bool blockable);
long vmx_guest_pages_mapped(void);
long vmx_guest_2m_leaves(void);
long vmx_guest_1g_leaves(void);
void vmx_ept_flush_this_cpu(struct vmxmon_vm *vm);
void vmx_ept_watch_protect(struct vmxmon_vm *vm, u64 start, u64 end);
bool vmx_ept_watch_blocks(struct vmxmon_vm *vm, u64 gpa, u32 access);

/* vmx/watch.c: EPT watchpoints */
bool vmx_watch_ept_violation(struct vmxmon_vcpu *vcpu, u64 gpa, unsigned long qual, int *r);
void vmx_watch_on_exit(struct vmxmon_vcpu *vcpu);
int vmx_watch_mtf(struct vmxmon_vcpu *vcpu);
bool vmx_watch_db(struct vmxmon_vcpu *vcpu, unsigned long *payload);
bool vmx_watch_db_before_debugger(struct vmxmon_vcpu *vcpu);
void vmx_watch_timer(struct vmxmon_vcpu *vcpu);
void vmx_watch_insn_done(struct vmxmon_vcpu *vcpu);
void vmx_ept_map_apic_access(struct vmxmon_vm *vm, u64 gpa, struct page *page);
void vmx_ept_unmap_apic_access(struct vmxmon_vm *vm, u64 gpa, struct page *page);

/* vmx/apic_access.c */
int vmx_apic_access_vcpu_init(struct vmxmon_vcpu *vcpu);
void vmx_apic_access_vmcs_init(struct vmxmon_vcpu *vcpu);
void vmx_apic_access_update(struct vmxmon_vcpu *vcpu);

/* vmx/msr.c */
int vmx_msr_index_list_get(u32 *indices, u32 max);
void vmx_msrs_setup(void);
void vmx_msrs_load(struct vmx_vcpu *vmx);
void vmx_msrs_put(struct vmx_vcpu *vmx);
int vmx_get_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool host);
int vmx_set_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 data, bool host);
int vmx_handle_rdmsr(struct vmxmon_vcpu *vcpu);
int vmx_handle_wrmsr(struct vmxmon_vcpu *vcpu);
void vmx_msr_bitmap_init(unsigned long *bitmap);

/* vmx/perf.c */
int vmx_perf_switch_init(struct vmx_vcpu *vmx);
void vmx_perf_switch_vmcs_init(struct vmx_vcpu *vmx);
void vmx_perf_switch_free(struct vmx_vcpu *vmx);
void vmx_perf_switch_before_entry(struct vmx_vcpu *vmx);

/* vmx/cr.c */
bool vmx_efer_write_ok(struct vmxmon_vcpu *vcpu, u64 efer);
int vmx_handle_cr(struct vmxmon_vcpu *vcpu);
int vmx_handle_dr(struct vmxmon_vcpu *vcpu);
int vmx_handle_xsetbv(struct vmxmon_vcpu *vcpu);
void vmx_set_dr7(struct vmx_vcpu *vmx, unsigned long dr7);
bool vmx_guest_debugregs_load(struct vmx_vcpu *vmx);
void vmx_guest_debugregs_save(struct vmx_vcpu *vmx);
void vmx_get_debugregs(struct vmxmon_vcpu *vcpu, struct kvm_debugregs *d);
int vmx_set_debugregs(struct vmxmon_vcpu *vcpu, const struct kvm_debugregs *d);

/* vmx/exit.c */
int vmx_handle_exit(struct vmxmon_vcpu *vcpu);
int vmx_handle_exit_op(struct vmxmon_vcpu *vcpu);
int vmx_handle_unexpected(struct vmxmon_vcpu *vcpu);

/* vmx/intercept.c */
void vmx_handle_exit_irqoff(struct vmx_vcpu *vmx);
int vmx_handle_exception_nmi(struct vmxmon_vcpu *vcpu);
void vmx_inject_db(struct vmxmon_vcpu *vcpu, unsigned long payload);
int vmx_handle_wbinvd(struct vmxmon_vcpu *vcpu);
int vmx_handle_notify(struct vmxmon_vcpu *vcpu);
int vmx_handle_init_signal(struct vmxmon_vcpu *vcpu);
void vmx_intercept_stats(struct vmxmon_intercept_stats *st);
const char *vmx_exit_reason_name(unsigned int reason);
void vmx_account_ept_violation(struct vmxmon_vcpu *vcpu, u64 gpa, unsigned long qual, int r);
void vmx_account_injection(struct vmxmon_vcpu *vcpu, u32 info, u32 error_code);

/* vmx/debug.c */
int vmx_set_guest_debug(struct vmxmon_vcpu *vcpu, const struct kvm_guest_debug *dbg);
unsigned long vmx_guest_dr7(struct vmx_vcpu *vmx);
const unsigned long *vmx_effective_dr(struct vmx_vcpu *vmx);
unsigned long vmx_guest_debug_get_rflags(struct vmx_vcpu *vmx, unsigned long rflags);
unsigned long vmx_guest_debug_set_rflags(struct vmx_vcpu *vmx, unsigned long rflags);
bool vmx_guest_debug_blocks_irq(struct vmx_vcpu *vmx);
int vmx_debug_exit(struct vmxmon_vcpu *vcpu, u32 exception, unsigned long dr6);
bool vmx_guest_debug_note_step(struct vmxmon_vcpu *vcpu);
int vmx_guest_debug_step_exit(struct vmxmon_vcpu *vcpu);
bool vmx_guest_debug_mtf(struct vmxmon_vcpu *vcpu);
bool vmx_guest_debug_uses_mtf(struct vmx_vcpu *vmx);
int vmx_guest_debug_exception(struct vmxmon_vcpu *vcpu, u8 vector);
void vmx_inject_bp(struct vmxmon_vcpu *vcpu, u32 len);
void vmx_guest_debug_before_entry(struct vmxmon_vcpu *vcpu);

/* vmx/io.c */
int vmx_handle_io(struct vmxmon_vcpu *vcpu);

/* vmx/event.c */
void vmx_events_after_exit(struct vmx_vcpu *vmx);
void vmx_events_before_entry(struct vmxmon_vcpu *vcpu);
int vmx_handle_interrupt_window(struct vmxmon_vcpu *vcpu);
int vmx_handle_nmi_window(struct vmxmon_vcpu *vcpu);
bool vmx_ready_for_interrupt(struct vmxmon_vcpu *vcpu);
int vmx_queue_interrupt(struct vmxmon_vcpu *vcpu, u32 irq);
void vmx_queue_nmi(struct vmxmon_vcpu *vcpu);
void vmx_get_vcpu_events(struct vmxmon_vcpu *vcpu, struct kvm_vcpu_events *ev);
int vmx_set_vcpu_events(struct vmxmon_vcpu *vcpu, const struct kvm_vcpu_events *ev);
void vmx_events_init_signal(struct vmxmon_vcpu *vcpu);
int vmx_events_injected_irq(struct vmxmon_vcpu *vcpu);
void vmx_events_set_injected_irq(struct vmxmon_vcpu *vcpu, u8 vector);

/* vmx/mp_state.c */
bool vmx_vcpu_should_wake(struct vmxmon_vcpu *vcpu);
bool vmx_vcpu_can_enter(struct vmxmon_vcpu *vcpu);
int vmx_handle_hlt_in_kernel(struct vmxmon_vcpu *vcpu);
int vmx_get_mp_state(struct vmxmon_vcpu *vcpu, struct kvm_mp_state *mp);
int vmx_set_mp_state(struct vmxmon_vcpu *vcpu, const struct kvm_mp_state *mp);

#endif /* VMXMON_VMX_H */
