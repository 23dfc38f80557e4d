/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86/: what any x86 backend shares (it would not change for AMD SVM): the guest's
 * registers kept outside the hardware's control structure, the in-kernel local APIC and its
 * timer, the MMIO emulator and its instruction decoder, string port I/O, the guest page
 * walk, the in-kernel I/O bus, CPUID tables, FPU/XSAVE state and machine-check banks.
 *
 * x86/ never touches the VMCS. What it needs of the guest's state the backend keeps (RIP,
 * RSP, RFLAGS, control registers, segments, event injection) it reads through the small
 * set of accessors below, which the backend (vmx/) provides once at load.
 *
 * The backend's vCPU state (vmxmon_vcpu.arch) begins with struct x86_vcpu.
 */
#ifndef VMXMON_X86_H
#define VMXMON_X86_H

#include <linux/kvm.h>
#include <linux/static_call.h>
#include <linux/types.h>
#include <asm/page.h>
#include <asm/fpu/types.h>
#include <asm/processor-flags.h>

#include "kmod/backend.h"
#include "x86/decode.h"
#include "x86/iobus.h"
#include "x86/regs.h"
#include "x86/walk.h"

/*
 * CR4 bits every guest may set, whatever its CPUID says (the others follow CPUID: OSXSAVE,
 * FSGSBASE, SMEP, SMAP; x86/cpuid.c).
 */
#define X86_CR4_ALWAYS_VALID	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
				 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
				 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

/* A fault to inject for a guest access that failed a check (x86/guest_mem.c). */
struct x86_fault {
	u8 vector;			/* #PF, #GP, #SS, #AC: all with an error code */
	u32 error_code;
	unsigned long cr2;		/* #PF: the linear address */
};

/* x86/guest_mem.c results besides 0 and -errno: a check failed, struct x86_fault says how. */
#define X86_FAULT		X86_WALK_FAULT

/*
 * The guest state one emulation works from, read once at its start (->get_state): the
 * values cannot change under it, the vCPU is not running.
 */
struct x86_state {
	unsigned long rip, rflags;
	unsigned long cr0, cr4;		/* as the guest sees them */
	u64 efer;
	u8 cpl;
	bool long64;			/* IA-32e mode and CS.L: 64-bit code */
	enum x86_mode mode;		/* real, virtual-8086, protected, 64-bit */
	struct x86_segment cs;
};

/* An MMIO fragment: a run of MMIO bytes within one page, 8 bytes per KVM_EXIT_MMIO. */
struct x86_mmio_frag {
	u64 gpa;
	u8 off;				/* of its data in x86_mmio.data */
	u8 len;
	u8 done;			/* bytes already exchanged with userspace */
};

/* The instruction that touched MMIO, while userspace completes its accesses. */
struct x86_mmio {
	bool is_write;
	u8 nfrag, cur;
	struct x86_mmio_frag frag[2];	/* <= 16 bytes touch at most two pages */
	u8 data[16];			/* the whole access, RAM parts included */
	struct x86_insn insn;
	u8 bytes[X86_MAX_INSN_LEN];	/* as fetched */
	u8 avail;			/* bytes fetched */
};

/* A port-I/O instruction as the backend saw it exit (its exit information, decoded). */
struct x86_pio_exit {
	u16 port;
	u8 size;			/* 1, 2 or 4 */
	bool in, string, rep;
	u8 addr_size;			/* string: 2, 4 or 8 bytes of rSI/rDI/rCX */
	u8 seg;				/* string: enum x86_seg of OUTS's source */
	u8 insn_len;			/* to move RIP past it */
	u64 info[2];			/* the backend's raw exit data, for an internal error */
};

/* A port-I/O access handed to userspace, completed by the next KVM_RUN (x86/pio.c). */
struct x86_pio {
	struct x86_pio_exit exit;
	bool df;			/* EFLAGS.DF: string addresses decrement */
	u32 count;			/* elements in this exit */
	unsigned long linear_rip;	/* IN/OUT: where the instruction is */
};

/* The guest's machine-check banks (x86/mce.c). */
struct x86_mce {
	u64 mcg_cap, mcg_status, mcg_ctl;		/* IA32_MCG_CAP/STATUS/CTL */
	u64 banks[4 * VMXMON_MAX_MCE_BANKS];		/* MCi_CTL, _STATUS, _ADDR, _MISC */
};

struct x86_lapic;

/* A vCPU's x86 state outside the hardware's control structure. */
struct x86_vcpu {
	unsigned long regs[VCPU_NR_REGS];	/* but RSP (->get_rsp); entry loads these */
	unsigned long cr2;
	u64 cr8, apic_base;			/* without the in-kernel APIC (else its own) */
	u64 xcr0;
	/* What the guest's CPUID allows (x86/cpuid.c). */
	unsigned long cr4_allowed;
	u64 xcr0_allowed;
	struct kvm_cpuid_entry2 *cpuid;		/* KVM_SET_CPUID2 (NULL: vmxmon's default) */
	int cpuid_nent;
	bool ran;				/* KVM_RUN entered the guest at least once */
	struct x86_lapic *lapic;		/* with KVM_CAP_SPLIT_IRQCHIP, else NULL */
	struct x86_io_range local_mmio;		/* the vCPU's own device (x86/iobus.h) */
	/* Run state with the in-kernel APIC (vmx/mp_state.c). */
	u32 mp_state;				/* KVM_MP_STATE_* */
	bool halt_if;				/* RFLAGS.IF when the guest halted */
	bool init_pending, sipi_pending;	/* INIT/SIPI IPIs not yet processed */
	u8 sipi_vector;
	struct x86_mmio mmio;
	struct x86_pio pio;
	struct x86_mce mce;
	struct fpu_guest guest_fpu;
};

static inline struct x86_vcpu *vcpu_x86(struct vmxmon_vcpu *vcpu)
{
	return vcpu->arch;
}

/*
 * The backend's accessors: guest state in its control structure (the VMCS). Called on the
 * vCPU's thread with its state loaded; none may sleep.
 */
struct x86_vcpu_ops {
	/* RIP, RFLAGS, CR0/CR4 as the guest sees them, EFER, CPL and CS, at once. */
	void (*get_state)(struct vmxmon_vcpu *vcpu, struct x86_state *st);
	/* A segment register's hidden part (enum x86_seg). */
	void (*get_segment)(struct vmxmon_vcpu *vcpu, int seg, struct x86_segment *s);
	/* CR3, and with PAE paging the four PDPTE registers. */
	void (*get_paging)(struct vmxmon_vcpu *vcpu, struct x86_paging *pg);
	unsigned long (*get_rsp)(struct vmxmon_vcpu *vcpu);
	void (*set_rsp)(struct vmxmon_vcpu *vcpu, unsigned long rsp);
	unsigned long (*get_rflags)(struct vmxmon_vcpu *vcpu);
	unsigned long (*get_cr4)(struct vmxmon_vcpu *vcpu);
	/* CS:RIP as a linear address. */
	unsigned long (*linear_rip)(struct vmxmon_vcpu *vcpu);
	/* The instruction at RIP completed: move past its @len bytes, end STI/MOV SS blocking. */
	void (*advance_rip)(struct vmxmon_vcpu *vcpu, unsigned int len);
	/* Deliver a hardware exception at the next entry. */
	void (*inject_exception)(struct vmxmon_vcpu *vcpu, u8 vector, bool has_error,
				 u32 error_code);
	/* Queue an NMI (the in-kernel APIC's NMI IPIs and LINT1). Any context. */
	void (*queue_nmi)(struct vmxmon_vcpu *vcpu);
	/* The guest's TSC minus the host's. */
	u64 (*get_tsc_offset)(struct vmxmon_vcpu *vcpu);
	/* IA32_APIC_BASE of the in-kernel APIC changed (may sleep: vcpu->mutex held). */
	void (*apic_base_changed)(struct vmxmon_vcpu *vcpu);
	/* The guest's CPUID changed (x86 recomputed what it allows). */
	void (*cpuid_changed)(struct vmxmon_vcpu *vcpu);
};

/*
 * Each accessor is a static call (KVM's static_call(kvm_x86_*) pattern): the one backend is
 * set once at load (x86_set_backend()), after which the calls are patched into direct calls,
 * with no indirect branch (a retpoline under CONFIG_RETPOLINE) on the exit paths.
 */
#define X86_VCPU_OPS(OP)							\
	OP(get_state) OP(get_segment) OP(get_paging) OP(get_rsp) OP(set_rsp)		\
	OP(get_rflags) OP(get_cr4) OP(linear_rip) OP(advance_rip) OP(inject_exception)	\
	OP(queue_nmi) OP(get_tsc_offset) OP(apic_base_changed) OP(cpuid_changed)
#define X86_DECLARE_OP(func) \
	DECLARE_STATIC_CALL(x86_##func, *(((struct x86_vcpu_ops *)0)->func));
X86_VCPU_OPS(X86_DECLARE_OP)
#undef X86_DECLARE_OP

#define x86_call(func)	static_call(x86_##func)

/* x86/vcpu.c: at load, before any vCPU exists; every accessor must be set. */
void x86_set_backend(const struct x86_vcpu_ops *ops);

/* A GPR as instructions see it (RSP lives with the backend). */
static inline unsigned long x86_read_gpr(struct vmxmon_vcpu *vcpu, int reg)
{
	return reg == VCPU_RSP ? x86_call(get_rsp)(vcpu) : vcpu_x86(vcpu)->regs[reg];
}

static inline void x86_write_gpr(struct vmxmon_vcpu *vcpu, int reg, unsigned long val)
{
	if (reg == VCPU_RSP)
		x86_call(set_rsp)(vcpu, val);
	else
		vcpu_x86(vcpu)->regs[reg] = val;
}

/* x86/vcpu.c */
int x86_vcpu_init(struct vmxmon_vcpu *vcpu);
void x86_vcpu_free(struct vmxmon_vcpu *vcpu);
int x86_run_prologue(struct vmxmon_vcpu *vcpu);
void x86_run_epilogue(struct vmxmon_vcpu *vcpu, unsigned long rflags, bool ready);
int x86_internal_error(struct vmxmon_vcpu *vcpu, u32 suberror, int ndata, const u64 *data);

/* x86/guest_mem.c: guest memory as the guest's instructions see it. */
struct x86_ctxt {
	struct vmxmon_vcpu *vcpu;
	struct x86_state st;
};

void x86_ctxt_init(struct x86_ctxt *c, struct vmxmon_vcpu *vcpu);
int x86_gpa_access(struct vmxmon_vm *vm, u64 gpa, void *buf, unsigned int len, bool write);
int x86_guest_linearize(struct x86_ctxt *c, u8 seg, unsigned long ea, unsigned int size,
			u32 access, unsigned long *la, struct x86_fault *f);
int x86_guest_translate(struct x86_ctxt *c, unsigned long la, u32 access, u64 *gpa,
			struct x86_fault *f);
int x86_guest_check_alignment(struct x86_ctxt *c, unsigned long la, unsigned int size,
			      struct x86_fault *f);
int x86_guest_linear_access(struct x86_ctxt *c, unsigned long la, void *buf, unsigned int len,
			    u32 access, struct x86_fault *f);
void x86_inject_fault(struct vmxmon_vcpu *vcpu, const struct x86_fault *f);

/* The next linear address after @la + @n, wrapping at 4 GiB outside 64-bit mode. */
static inline unsigned long x86_linear_add(const struct x86_ctxt *c, unsigned long la,
					   unsigned long n)
{
	return c->st.long64 ? la + n : (u32)(la + n);
}

/* x86/emulate.c (and emulate_string.c, emulate_sse.c): the MMIO emulator. */
int x86_emulate_mmio(struct vmxmon_vcpu *vcpu, u64 gpa, bool write);

/* x86/pio.c */
int x86_handle_pio(struct vmxmon_vcpu *vcpu, const struct x86_pio_exit *e);

/* x86/cpuid.c */
void x86_cpuid_setup(bool rdtscp);
extern u64 x86_host_xcr0;
extern bool x86_host_xsave;		/* the host uses XSAVE: XCR0 exists and is switched */
void x86_cpuid_apply(struct vmxmon_vcpu *vcpu);
bool x86_cpuid_has_rdtscp(struct vmxmon_vcpu *vcpu);
int x86_get_supported_cpuid(struct kvm_cpuid_entry2 *entries, int max);
int x86_set_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int nent);
int x86_get_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int max);
void x86_cpuid(struct vmxmon_vcpu *vcpu, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
	       u32 *ecx, u32 *edx);
bool x86_cpuid_x2apic(struct vmxmon_vcpu *vcpu);

/* x86/fpu.c */
int x86_set_xcr0(struct vmxmon_vcpu *vcpu, u64 xcr0);
void x86_get_fpu(struct vmxmon_vcpu *vcpu, struct kvm_fpu *fpu);
int x86_set_fpu(struct vmxmon_vcpu *vcpu, const struct kvm_fpu *fpu);
void x86_get_xsave(struct vmxmon_vcpu *vcpu, struct kvm_xsave *xsave);
int x86_set_xsave(struct vmxmon_vcpu *vcpu, const struct kvm_xsave *xsave);
void x86_get_xcrs(struct vmxmon_vcpu *vcpu, struct kvm_xcrs *xcrs);
int x86_set_xcrs(struct vmxmon_vcpu *vcpu, const struct kvm_xcrs *xcrs);

/* x86/mce.c */
void x86_mce_init(struct vmxmon_vcpu *vcpu);
u64 x86_mce_cap_supported(void);
bool x86_mce_msr(u32 index);
int x86_mce_get_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool host);
int x86_mce_set_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 data, bool host);
int x86_setup_mce(struct vmxmon_vcpu *vcpu, u64 mcg_cap);
int x86_set_mce(struct vmxmon_vcpu *vcpu, const struct kvm_x86_mce *mce);

#endif /* VMXMON_X86_H */
