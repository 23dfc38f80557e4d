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
#include "x86/walk.h"

/*
 * IA32_VMX_BASIC (SDM Vol. 3D A.1); <asm/msr-index.h> names bit 48 (VMX_BASIC_64: physical
 * addresses limited to 32 bits), the memory type field and bit 55 (VMX_BASIC_TRUE_CTLS).
 */
#define VMX_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMX_BASIC_VMCS_SIZE(b)		((u32)(((b) >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff))
#define VMX_BASIC_MEMTYPE(b)		(((b) & VMX_BASIC_MEM_TYPE_MASK) >> VMX_BASIC_MEM_TYPE_SHIFT)

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

/* Pages owned by the backend: always zeroed, counted for the leak checks. */
struct page *vmx_alloc_page(int node);
void vmx_free_page(struct page *page);

enum vmxmon_enable_error vmx_cpu_enable(void);
void vmx_cpu_disable(void);
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
#define VMX_CR4_GUEST_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
				 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
				 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)
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
 * are re-injected (vmx/intercept.c). #MC, which belongs to the host (vmx/compat.h).
 */
#define VMX_EXCEPTION_BITMAP	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC))

/* Guest GPRs in ModRM/REX register-number order (SDM Vol. 2A 2.1.5); RSP lives in the VMCS. */
enum vmx_reg {
	VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP, VCPU_RSI, VCPU_RDI,
	VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11, VCPU_R12, VCPU_R13, VCPU_R14, VCPU_R15,
	VCPU_NR_REGS
};

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

/* A port-I/O exit handed to userspace, completed by the next KVM_RUN. */
struct vmx_pio {
	bool pending;
	bool in;
	bool string;
	bool rep;
	bool df;			/* EFLAGS.DF: string addresses decrement */
	u8 size;			/* 1, 2 or 4 */
	u8 addr_size;			/* string: 2, 4 or 8 bytes of RSI/RDI/RCX */
	u8 seg;				/* string: enum vmx_seg of the memory operand */
	u32 count;			/* elements in this exit */
	unsigned long linear;		/* string: linear address of the first element */
	unsigned long linear_rip;	/* IN/OUT: where the instruction is (vmx_linear_rip) */
};

/* IA32_UCODE_REV of a new vCPU: revision 1 in bits 63:32, as KVM. */
#define UCODE_REV_DEFAULT	0x100000000ull

/* MSRs swapped with the host's while the vCPU is loaded (vmx/msr.c), in this order. */
#define VMX_NR_SWAPPED_MSRS	6
#define VMX_MSR_KERNEL_GS_BASE	4
#define VMX_MSR_TSC_AUX		5

/* Segment registers in prefix/VMCS order (SDM Vol. 2A 2.1.1, Vol. 3D table B-1). */
enum vmx_seg {
	VMX_SEG_ES, VMX_SEG_CS, VMX_SEG_SS, VMX_SEG_DS, VMX_SEG_FS, VMX_SEG_GS,
	VMX_SEG_NONE,			/* no override prefix: the instruction's default */
};

/* What an instruction that touched MMIO does (vmx/emulate.c, vmx/emulate_mem.c). */
enum vmx_mmio_op {
	MMIO_NONE, MMIO_LOAD, MMIO_STORE_REG, MMIO_STORE_IMM, MMIO_LOAD_ZX, MMIO_LOAD_SX,
	MMIO_MOVS, MMIO_STOS, MMIO_LODS,		/* string: elements via RSI/RDI */
	MMIO_VEC_LOAD, MMIO_VEC_STORE,			/* SSE: XMM <-> memory */
};

#define VMX_MAX_INSN_LEN	15

/* A decoded instruction; kept while userspace completes its MMIO accesses. */
struct vmx_insn {
	u8 bytes[VMX_MAX_INSN_LEN];
	u8 avail;		/* bytes fetched */
	bool truncated;		/* decoding needed a byte past avail */
	u8 len;			/* decoded length */
	u8 op;			/* enum vmx_mmio_op */
	u8 size;		/* access (string: element) size in bytes, at most 16 */
	u8 dst_size;		/* register size for MOVZX/MOVSX */
	u8 reg;			/* enum vmx_reg, or the XMM/MMX register of a vector move */
	bool high_byte;		/* AH, CH, DH, BH */
	bool aligned;		/* vector: #GP(0) unless the operand is 16-byte aligned */
	bool mmx;		/* vector: an MMX register, not an XMM one */
	u8 addr_size;		/* 2, 4 or 8 */
	u8 rep;			/* string: 0, or the F2/F3 prefix */
	u8 seg;			/* enum vmx_seg: override prefix, then the operand's */
	u64 imm;
	unsigned long ea;	/* vector: effective address of the memory operand */
};

/* Are bytes [0, @n) of the instruction fetched? If not, decoding ran short of them. */
static inline bool vmx_insn_has(struct vmx_insn *in, int n)
{
	if (n <= in->avail)
		return true;
	in->truncated = true;
	return false;
}

/*
 * The part of an access that userspace performs: a run of MMIO bytes within one page, handed
 * out 8 bytes per KVM_EXIT_MMIO as KVM does (kvm_run.mmio.data holds 8).
 */
struct vmx_mmio_frag {
	u64 gpa;
	u8 off;			/* of its data in vmx_mmio.data */
	u8 len;
	u8 done;		/* bytes already exchanged with userspace */
};

/* An MMIO access handed to userspace, completed by the next KVM_RUN (vmx/emulate*.c). */
struct vmx_mmio {
	bool pending;
	bool is_write;
	u8 nfrag, cur;
	struct vmx_mmio_frag frag[2];	/* an access of <= 16 bytes touches at most two pages */
	u8 data[16];			/* the whole access, RAM parts included */
	struct vmx_insn insn;
};

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

/* The in-kernel local APIC (vmx/lapic.c). */
struct vmx_lapic {
	struct vmxmon_vcpu *vcpu;
	/*
	 * The xAPIC register page layout, in a page of its own: with a TPR shadow it is also
	 * the virtual-APIC page, whose TPR (VTPR) the guest's MOV to/from CR8 use directly.
	 */
	u8 *regs;
	u64 base;				/* IA32_APIC_BASE */
	struct hrtimer timer;
	u64 period_ns;				/* one-shot/periodic: TMICT x divisor */
	u64 tsc_deadline;			/* IA32_TSC_DEADLINE (guest TSC), 0: disarmed */
	u64 tsc_offset;				/* the vCPU's TSC_OFFSET when it was armed */
	bool x2apic_cpuid;			/* the guest's CPUID has x2APIC */
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

/* The guest's machine-check banks (vmx/mce.c). */
struct vmx_mce {
	u64 mcg_cap, mcg_status, mcg_ctl;		/* IA32_MCG_CAP/STATUS/CTL */
	u64 banks[4 * VMXMON_MAX_MCE_BANKS];		/* MCi_CTL, _STATUS, _ADDR, _MISC */
	bool shutdown;			/* KVM_X86_SET_MCE: shut down at the next KVM_RUN */
};

/* Guest state kept across exits, outside the VMCS. */
struct vmx_vcpu {
	unsigned long regs[VCPU_NR_REGS];	/* vmx/vmenter.S loads and saves these */
	unsigned long cr2;
	u64 cr8, apic_base;
	u64 swapped[VMX_NR_SWAPPED_MSRS];	/* STAR LSTAR CSTAR SFMASK KERNEL_GS_BASE TSC_AUX */
	u64 host_kernel_gs_base, host_tsc_aux;
	u64 misc_enable;
	u64 ucode_rev;				/* IA32_UCODE_REV: set by the host only */
	u64 mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
	struct vmx_mce mce;
	struct vmx_perf_switch perf;
	unsigned long dr[4], dr6;		/* DR7 is in the VMCS */
	bool dr7_armed;				/* DR7 enables a breakpoint */
	u64 xcr0;
	/* What the guest's CPUID allows (vmx/cpuid.c). */
	unsigned long cr4_allowed;
	u64 xcr0_allowed;
	struct kvm_cpuid_entry2 *cpuid;		/* KVM_SET_CPUID2 (NULL: vmxmon's default) */
	int cpuid_nent;
	bool ran;				/* KVM_RUN entered the guest at least once */
	struct vmx_lapic *lapic;		/* with KVM_CAP_SPLIT_IRQCHIP, else NULL */
	u32 mp_state;				/* KVM_MP_STATE_* (in-kernel APIC only) */
	bool halt_if;				/* RFLAGS.IF when the guest halted */
	bool init_pending, sipi_pending;	/* INIT/SIPI IPIs not yet processed */
	u8 tpr_threshold;			/* TPR_THRESHOLD now in the VMCS (TPR shadow) */
	bool apic_access;			/* "virtualize APIC accesses" on (apic_access.c) */
	u8 sipi_vector;
	struct vmx_loaded_vmcs vmcs;
	u16 vpid;
	bool flush_on_entry;			/* TLB flush before the next entry */
	struct vmx_host_state host;
	struct vmx_pio pio;
	struct vmx_mmio mmio;
	struct vmx_events ev;
	/* The last exit, read once after it. */
	u32 exit_reason;
	unsigned long exit_qual;
	u32 exit_intr_info;
	u32 entry_failed;			/* VMLAUNCH/VMRESUME VMfail: VM-instruction error */
	struct fpu_guest guest_fpu;
	/* Unique, never reused: an IBPB when another vCPU's guest ran on this CPU last. */
	u64 ibpb_tag;
};

static inline struct vmx_vcpu *to_vmx(struct vmxmon_vcpu *vcpu)
{
	return vcpu->arch;
}

/* The VM's EPT (vmx/ept.c) and APIC-access page (vmx/apic_access.c). */
struct vmx_vm {
	struct mutex ept_lock;		/* serializes changes of the tables (vmx/ept.c) */
	struct page *ept_root;
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
void vmx_vcpu_run_begin(struct vmxmon_vcpu *vcpu);
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
int vmx_guest_cpl(void);
bool vmx_guest_64bit(void);
unsigned long vmx_linear_rip(void);
void vmx_skip_instruction(struct vmxmon_vcpu *vcpu);
void vmx_skip_instruction_no_step(struct vmxmon_vcpu *vcpu);
void vmx_set_cr0(unsigned long cr0);
void vmx_set_cr4(unsigned long cr4);
void vmx_set_efer(u64 efer);
unsigned long vmx_get_cr0(void);
unsigned long vmx_get_cr4(void);
void vmx_inject_exception(struct vmxmon_vcpu *vcpu, u8 vector, bool has_error, u32 error_code);

/* vmx/ept.c */
int vmx_vm_init(struct vmxmon_vm *vm);
void vmx_vm_destroy(struct vmxmon_vm *vm);
int vmx_map_slot(struct vmxmon_vm *vm, const struct vmxmon_memslot *slot);
void vmx_unmap_slot(struct vmxmon_vm *vm, const struct vmxmon_memslot *slot);
void vmx_ept_flush_this_cpu(struct vmxmon_vm *vm);
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

/* vmx/mce.c */
void vmx_mce_init(struct vmx_vcpu *vmx);
u64 vmx_mce_cap_supported(void);
bool vmx_mce_msr(u32 index);
int vmx_mce_get_msr(struct vmx_vcpu *vmx, u32 index, u64 *data, bool host);
int vmx_mce_set_msr(struct vmx_vcpu *vmx, u32 index, u64 data, bool host);
int vmx_setup_mce(struct vmxmon_vcpu *vcpu, u64 mcg_cap);
int vmx_set_mce(struct vmxmon_vcpu *vcpu, const struct kvm_x86_mce *mce);
bool vmx_mce_shutdown(struct vmxmon_vcpu *vcpu);

/* vmx/cr.c */
bool vmx_efer_write_ok(struct vmxmon_vcpu *vcpu, u64 efer);
int vmx_handle_cr(struct vmxmon_vcpu *vcpu);
int vmx_handle_dr(struct vmxmon_vcpu *vcpu);
int vmx_handle_xsetbv(struct vmxmon_vcpu *vcpu);
int vmx_set_xcr0(struct vmxmon_vcpu *vcpu, u64 xcr0);
void vmx_set_dr7(struct vmx_vcpu *vmx, unsigned long dr7);
bool vmx_guest_debugregs_load(struct vmx_vcpu *vmx);
void vmx_guest_debugregs_save(struct vmx_vcpu *vmx);
void vmx_get_debugregs(struct vmxmon_vcpu *vcpu, struct kvm_debugregs *d);
int vmx_set_debugregs(struct vmxmon_vcpu *vcpu, const struct kvm_debugregs *d);

/* vmx/exit.c */
int vmx_handle_exit(struct vmxmon_vcpu *vcpu);
int vmx_handle_unexpected(struct vmxmon_vcpu *vcpu);

/* vmx/intercept.c */
void vmx_handle_exit_irqoff(struct vmx_vcpu *vmx);
int vmx_handle_exception_nmi(struct vmxmon_vcpu *vcpu);
void vmx_inject_db(struct vmxmon_vcpu *vcpu, unsigned long payload);
int vmx_handle_wbinvd(struct vmxmon_vcpu *vcpu);
int vmx_handle_notify(struct vmxmon_vcpu *vcpu);
int vmx_handle_init_signal(struct vmxmon_vcpu *vcpu);
void vmx_intercept_stats(struct vmxmon_intercept_stats *st);
int vmx_internal_error(struct vmxmon_vcpu *vcpu, u32 suberror, int ndata, const u64 *data);

/* vmx/io.c */
int vmx_handle_io(struct vmxmon_vcpu *vcpu);
int vmx_complete_pio(struct vmxmon_vcpu *vcpu);

/* vmx/emulate.c */
int vmx_emulate_mmio(struct vmxmon_vcpu *vcpu, u64 gpa, bool write);
int vmx_complete_mmio(struct vmxmon_vcpu *vcpu);
void vmx_mmio_exit(struct vmxmon_vcpu *vcpu);
void vmx_advance_rip(int len);
int vmx_emulation_failed(struct vmxmon_vcpu *vcpu, const struct vmx_insn *in, u64 gpa);

/* vmx/emulate_mem.c: string and SSE accesses */
int vmx_decode_vector(struct vmxmon_vcpu *vcpu, struct vmx_insn *in, int pos, u8 rex,
		      u8 simd_prefix);
int vmx_emulate_mem(struct vmxmon_vcpu *vcpu, bool resume);

/* vmx/event.c */
void vmx_events_after_exit(struct vmx_vcpu *vmx);
void vmx_events_before_entry(struct vmxmon_vcpu *vcpu);
int vmx_handle_interrupt_window(struct vmxmon_vcpu *vcpu);
int vmx_handle_nmi_window(struct vmxmon_vcpu *vcpu);
bool vmx_ready_for_interrupt(struct vmxmon_vcpu *vcpu);
int vmx_queue_interrupt(struct vmxmon_vcpu *vcpu, u32 irq);
void vmx_queue_nmi(struct vmxmon_vcpu *vcpu);
void vmx_post_run(struct vmxmon_vcpu *vcpu);
void vmx_get_vcpu_events(struct vmxmon_vcpu *vcpu, struct kvm_vcpu_events *ev);
int vmx_set_vcpu_events(struct vmxmon_vcpu *vcpu, const struct kvm_vcpu_events *ev);
int vmx_complete_userspace_exit(struct vmxmon_vcpu *vcpu);
void vmx_events_init_signal(struct vmxmon_vcpu *vcpu);
int vmx_events_injected_irq(struct vmxmon_vcpu *vcpu);
void vmx_events_set_injected_irq(struct vmxmon_vcpu *vcpu, u8 vector);

/* vmx/lapic.c */
int vmx_lapic_create(struct vmxmon_vcpu *vcpu);
void vmx_lapic_free(struct vmxmon_vcpu *vcpu);
void vmx_lapic_reset(struct vmx_lapic *a, u32 id, bool bsp, bool init);
bool vmx_lapic_irr_any(struct vmx_lapic *a);
int vmx_lapic_deliverable(struct vmx_lapic *a);
void vmx_lapic_accept(struct vmx_lapic *a, int vec);
int vmx_lapic_msi(struct vmxmon_vcpu *any, u32 address_lo, u32 data);
int vmx_lapic_read(struct vmx_lapic *a, u32 off, u64 *val);
int vmx_lapic_write(struct vmx_lapic *a, u32 off, u64 val);
int vmx_lapic_set_base(struct vmx_lapic *a, u64 val, u32 id, bool host);
bool vmx_lapic_xapic_at_default_base(struct vmx_lapic *a);
u64 vmx_lapic_get_cr8(struct vmx_lapic *a);
void vmx_lapic_set_cr8(struct vmx_lapic *a, u64 cr8);
void vmx_lapic_set_cpuid(struct vmx_lapic *a, bool x2apic);
phys_addr_t vmx_lapic_page(struct vmx_lapic *a);
u8 vmx_lapic_tpr_threshold(struct vmx_lapic *a);

/* CR8: the in-kernel APIC's TPR[7:4], else a register of its own (the userspace APIC's). */
static inline u64 vmx_get_cr8(struct vmx_vcpu *vmx)
{
	return vmx->lapic ? vmx_lapic_get_cr8(vmx->lapic) : vmx->cr8;
}

static inline void vmx_set_cr8(struct vmx_vcpu *vmx, u64 cr8)
{
	if (vmx->lapic)
		vmx_lapic_set_cr8(vmx->lapic, cr8);
	else
		vmx->cr8 = cr8;
}
u64 vmx_lapic_get_base(struct vmx_lapic *a);

/* IA32_APIC_BASE: the in-kernel APIC's, else a register of its own. */
static inline u64 vmx_get_apic_base(struct vmx_vcpu *vmx)
{
	return vmx->lapic ? vmx_lapic_get_base(vmx->lapic) : vmx->apic_base;
}
void vmx_lapic_set_tsc_deadline(struct vmx_lapic *a, u64 deadline, u64 tsc_offset);
u64 vmx_lapic_get_tsc_deadline(struct vmx_lapic *a);
bool vmx_lapic_mmio_owns(struct vmx_lapic *a, u64 gpa);
bool vmx_lapic_mmio_hole(struct vmx_lapic *a);
bool vmx_lapic_accepts_extint(struct vmx_lapic *a);
void vmx_lapic_get_state(struct vmx_lapic *a, struct kvm_lapic_state *s);
void vmx_lapic_set_state(struct vmx_lapic *a, const struct kvm_lapic_state *s);

/* vmx/apic_vcpu.c */
bool vmx_vcpu_should_wake(struct vmxmon_vcpu *vcpu);
bool vmx_vcpu_can_enter(struct vmxmon_vcpu *vcpu);
int vmx_handle_hlt_in_kernel(struct vmxmon_vcpu *vcpu);
void vmx_lapic_mmio(struct vmxmon_vcpu *vcpu, u64 gpa, bool write, u64 *val, int size,
		    int *ret);
int vmx_lapic_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool write, bool host);
int vmx_set_apic_base_host(struct vmxmon_vcpu *vcpu, u64 val);
int vmx_get_lapic(struct vmxmon_vcpu *vcpu, struct kvm_lapic_state *s);
int vmx_set_lapic(struct vmxmon_vcpu *vcpu, const struct kvm_lapic_state *s);
int vmx_get_mp_state(struct vmxmon_vcpu *vcpu, struct kvm_mp_state *mp);
int vmx_set_mp_state(struct vmxmon_vcpu *vcpu, const struct kvm_mp_state *mp);
int vmx_signal_msi(struct vmxmon_vm *vm, const struct kvm_msi *msi);

/*
 * vmx/walk.c: guest memory as the guest's instructions see it. Accesses are reads unless
 * VMX_ACC_WRITE or VMX_ACC_FETCH, made at the guest's CPL; a check that fails returns
 * VMX_FAULT with the exception in struct vmx_fault, for vmx_inject_fault().
 */
#define VMX_ACC_WRITE	X86_PFEC_WRITE
#define VMX_ACC_FETCH	X86_PFEC_FETCH
#define VMX_ACC_PROBE	X86_ACC_PROBE		/* check only: no accessed/dirty flags */
#define VMX_FAULT	X86_WALK_FAULT

struct vmx_fault {
	u8 vector;			/* #PF, #GP, #SS, #AC: all with an error code */
	u32 error_code;
	unsigned long cr2;		/* #PF: the linear address */
};

int vmx_linearize(struct vmxmon_vcpu *vcpu, u8 seg, unsigned long ea, unsigned int size,
		  u32 access, unsigned long *la, struct vmx_fault *f);
int vmx_translate(struct vmxmon_vcpu *vcpu, unsigned long la, u32 access, u64 *gpa,
		  struct vmx_fault *f);
int vmx_check_alignment(unsigned long la, unsigned int size, struct vmx_fault *f);
int vmx_linear_access(struct vmxmon_vcpu *vcpu, unsigned long la, void *buf,
		      unsigned int len, u32 access, struct vmx_fault *f);
void vmx_inject_fault(struct vmxmon_vcpu *vcpu, const struct vmx_fault *f);
int vmx_gpa_ram_access(struct vmxmon_vm *vm, u64 gpa, void *buf, unsigned int len, bool write);
bool vmx_pae_paging(unsigned long cr0, unsigned long cr4, u64 efer);
int vmx_load_pdptrs(struct vmxmon_vcpu *vcpu);

/* vmx/fpu.c */
void vmx_get_fpu(struct vmxmon_vcpu *vcpu, struct kvm_fpu *fpu);
int vmx_set_fpu(struct vmxmon_vcpu *vcpu, const struct kvm_fpu *fpu);
void vmx_get_xsave(struct vmxmon_vcpu *vcpu, struct kvm_xsave *xsave);
int vmx_set_xsave(struct vmxmon_vcpu *vcpu, const struct kvm_xsave *xsave);
void vmx_get_xcrs(struct vmxmon_vcpu *vcpu, struct kvm_xcrs *xcrs);
int vmx_set_xcrs(struct vmxmon_vcpu *vcpu, const struct kvm_xcrs *xcrs);

/* vmx/cpuid.c */
void vmx_cpuid_setup(void);
extern u64 vmx_host_xcr0;
extern bool vmx_host_xsave;		/* the host uses XSAVE: XCR0 exists and is switched */
static inline u64 vmx_cpuid_host_xcr0(void)
{
	return vmx_host_xcr0;
}
void vmx_cpuid_apply(struct vmxmon_vcpu *vcpu);
int vmx_get_supported_cpuid(struct kvm_cpuid_entry2 *entries, int max);
int vmx_set_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int nent);
int vmx_get_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int max);
void vmx_cpuid(struct vmxmon_vcpu *vcpu, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
	       u32 *ecx, u32 *edx);

#endif /* VMXMON_VMX_H */
