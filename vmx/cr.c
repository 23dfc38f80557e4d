// SPDX-License-Identifier: GPL-2.0
/*
 * Control, debug and extended control registers: the exits for MOV to CR0/CR4/CR8, MOV
 * to/from DR0-7 and XSETBV, with the checks the architecture makes (#GP, #UD) and the
 * side effects it has (IA-32e mode activation, TLB flushes). CR3 loads and stores do not
 * exit (EPT), nor do reads of CR0/CR4 (read shadows).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/types.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <linux/kvm.h>
#include <linux/string.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "kmod/trace.h"
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

/* Exit qualification for control-register accesses (SDM Vol. 3C table 28-3). */
#define CR_QUAL_NR(q)		((q) & 0xf)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)	/* 0 MOV to, 1 MOV from, 2 CLTS, 3 LMSW */
#define CR_QUAL_GPR(q)		(((q) >> 8) & 0xf)
#define CR_QUAL_LMSW(q)		(((q) >> 16) & 0xffff)
/* ... and for debug-register accesses (table 28-4). */
#define DR_QUAL_NR(q)		((q) & 7)
#define DR_QUAL_FROM(q)		((q) & BIT(4))
#define DR_QUAL_GPR(q)		(((q) >> 8) & 0xf)

#define DR6_FIXED_1		0xfffe0ff0ul
#define DR7_RESERVED_1		BIT(10)

/* MOV from CR8/DRn: outside 64-bit mode the destination is 32 bits (SDM Vol. 2B MOV). */
static void write_gpr(struct vmxmon_vcpu *vcpu, int n, unsigned long val)
{
	x86_write_gpr(vcpu, n, vmx_guest_64bit() ? val : (u32)val);
}

static int inject_gp(struct vmxmon_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
	return 1;
}

/* WRMSR to EFER from the guest: LME may not change while paging is on (SDM 2.2.1). */
bool vmx_efer_write_ok(struct vmxmon_vcpu *vcpu, u64 efer)
{
	u64 old = vmcs_read64(GUEST_IA32_EFER);

	if ((vmx_get_cr0() & X86_CR0_PG) && ((efer ^ old) & EFER_LME))
		return false;
	return true;
}

/* DR7 lives in the VMCS; remember whether it arms a breakpoint (L0-3/G0-3). */
void vmx_set_dr7(struct vmx_vcpu *vmx, unsigned long dr7)
{
	/* The debugger's DR7 is loaded (KVM_GUESTDBG_USE_HW_BP): keep the guest's aside. */
	if (unlikely(vmx->debug.control & KVM_GUESTDBG_USE_HW_BP)) {
		vmx->debug.guest_dr7 = dr7;
		return;
	}
	vmcs_writel(GUEST_DR7, dr7);
	vmx->dr7_armed = dr7 & 0xff;
}

/* MOV to CR0/CR4 reloads the PDPTE registers when it changes these in PAE paging (4.4.1). */
#define CR0_PDPTR_BITS	(X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)
#define CR4_PDPTR_BITS	(X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE | X86_CR4_SMEP)

static int set_cr0(struct vmxmon_vcpu *vcpu, unsigned long val)
{
	unsigned long old = vmx_get_cr0();
	u64 efer = vmcs_read64(GUEST_IA32_EFER);

	/*
	 * Reserved bits: setting one of 63:32 is #GP(0) (only 64-bit code can try); those of
	 * 31:0 are ignored (SDM Vol. 3A 2.5) and read as 0 afterwards, as in KVM's
	 * kvm_set_cr0(). Kept, they would fail VM entry (the CR0 fixed-1 MSR).
	 */
	if (vmx_guest_64bit() && (val >> 32))
		return inject_gp(vcpu);
	val = (val & VMX_CR0_VALID) | X86_CR0_ET;	/* ET is hard-wired to 1 */
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return inject_gp(vcpu);
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return inject_gp(vcpu);
	/* Into (or within) PAE paging: the PDPTEs must be valid or the write is #GP(0). */
	if (!(efer & EFER_LME) && (val & X86_CR0_PG) && (vmx_get_cr4() & X86_CR4_PAE) &&
	    ((val ^ old) & CR0_PDPTR_BITS) && vmx_load_pdptrs(vcpu))
		return inject_gp(vcpu);
	if ((val ^ old) & X86_CR0_PG) {
		if ((val & X86_CR0_PG) && (efer & EFER_LME)) {
			/* Activating IA-32e mode needs PAE (SDM Vol. 3A 10.8.5). */
			if (!(vmx_get_cr4() & X86_CR4_PAE))
				return inject_gp(vcpu);
			vmx_set_efer(efer | EFER_LMA);
		} else if (!(val & X86_CR0_PG) && (efer & EFER_LMA)) {
			if (vmx_guest_64bit())	/* leaving paging from 64-bit code */
				return inject_gp(vcpu);
			vmx_set_efer(efer & ~EFER_LMA);
		}
	}
	vmx_set_cr0(val);
	if ((val ^ old) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_CD))
		to_vmx(vcpu)->flush_on_entry = true;
	return 0;
}

static int set_cr4(struct vmxmon_vcpu *vcpu, unsigned long val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long old = vmx_get_cr4();

	if (val & ~vmx->x86.cr4_allowed)
		return inject_gp(vcpu);
	/* PAE may not be cleared in IA-32e mode. */
	if ((vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && !(val & X86_CR4_PAE))
		return inject_gp(vcpu);
	/*
	 * In PAE paging, a write that changes PAE, PGE, PSE or SMEP reloads the PDPTEs (#GP(0)
	 * if they are not valid). PAE, PGE and PSE alone do not exit: the CPU loads them then.
	 */
	if (!(vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && (vmx_get_cr0() & X86_CR0_PG) &&
	    (val & X86_CR4_PAE) && ((val ^ old) & CR4_PDPTR_BITS) && vmx_load_pdptrs(vcpu))
		return inject_gp(vcpu);
	vmx_set_cr4(val);
	if ((val ^ old) & (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | X86_CR4_SMEP |
			   X86_CR4_SMAP | X86_CR4_PCIDE))
		vmx->flush_on_entry = true;
	return 0;
}

int vmx_handle_cr(struct vmxmon_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	int nr = CR_QUAL_NR(q), reg = CR_QUAL_GPR(q);
	int fault = 0;

	/* The source of a MOV to CR (an LMSW's is in the qualification, SDM table 28-3). */
	if (trace_vmxmon_cr_enabled())
		trace_vmxmon_cr(vcpu->id, nr, CR_QUAL_TYPE(q), CR_QUAL_TYPE(q) == 0 ?
				x86_read_gpr(vcpu, reg) : CR_QUAL_LMSW(q));
	switch (CR_QUAL_TYPE(q)) {
	case 0:					/* MOV to CR */
		if (nr == 0)
			fault = set_cr0(vcpu, x86_read_gpr(vcpu, reg));
		else if (nr == 4)
			fault = set_cr4(vcpu, x86_read_gpr(vcpu, reg));
		else if (nr == 8) {
			unsigned long v = x86_read_gpr(vcpu, reg);

			if (v & ~0xful)
				return inject_gp(vcpu);
			x86_set_cr8(vcpu_x86(vcpu), v);
		} else {
			goto unexpected;
		}
		break;
	case 1:					/* MOV from CR: only CR8 exits */
		if (nr != 8)
			goto unexpected;
		write_gpr(vcpu, reg, x86_get_cr8(vcpu_x86(vcpu)));
		break;
	case 3:					/* LMSW: PE, MP, EM, TS; cannot clear PE */
		fault = set_cr0(vcpu, (vmx_get_cr0() & ~0xeul) | (CR_QUAL_LMSW(q) & 0xf) |
				(vmx_get_cr0() & X86_CR0_PE));
		break;
	default:				/* CLTS: TS is the guest's, never exits */
		goto unexpected;
	}
	if (!fault)
		vmx_skip_instruction(vcpu);
	return 1;

unexpected:
	{
		u64 data[2] = { to_vmx(vcpu)->exit_reason, q };

		return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2, data);
	}
}

/*
 * MOV DR exits (vmxmon keeps MOV-DR exiting on: debug registers change rarely). The guest's
 * DR0-3 are loaded into the CPU around VM entry whenever its DR7 enables a breakpoint
 * (vmx_guest_debugregs_load()/_save()), so its breakpoints fire; the host's come back after
 * the exit. Its DR6 is never in the CPU: every #DB exits (VMX_EXCEPTION_BITMAP) without
 * writing DR6, and vmx_inject_db() puts into vmx->dr6 what the CPU would have written, as
 * kvm_intel does. DR7.GD: a MOV DR would fault with #DB (DR6.BD) before executing, but the
 * MOV-DR exit comes first (SDM Vol. 3C 26.1.1: fault-like VM exits have priority over
 * exceptions other than the ones listed there, and this #DB is not listed), so the #DB is
 * raised here, as kvm_intel's handle_dr() does; its delivery clears GD.
 */
int vmx_handle_dr(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION), val;
	int nr = DR_QUAL_NR(q), reg = DR_QUAL_GPR(q);

	if (vmx_guest_cpl())
		return inject_gp(vcpu);
	if ((nr == 4 || nr == 5) && (vmx_get_cr4() & X86_CR4_DE)) {
		vmx_inject_exception(vcpu, X86_TRAP_UD, false, 0);
		return 1;
	}
	if (vmcs_readl(GUEST_DR7) & VMX_DR7_GD) {
		/* The debugger's own GD (USE_HW_BP) is the debugger's event, as in KVM. */
		if (vmx->debug.control & KVM_GUESTDBG_USE_HW_BP)
			return vmx_debug_exit(vcpu, X86_TRAP_DB, VMX_DR6_BD);
		vmx_inject_db(vcpu, VMX_DR6_BD);
		return 1;
	}
	if (nr == 4 || nr == 5)
		nr += 2;			/* aliases of DR6/DR7 */
	if (DR_QUAL_FROM(q)) {
		val = nr < 4 ? vmx->dr[nr] : nr == 6 ? vmx->dr6 | DR6_FIXED_1 :
		      vmx_guest_dr7(vmx);
		write_gpr(vcpu, reg, val);
	} else {
		val = x86_read_gpr(vcpu, reg);
		if (nr < 4) {
			vmx->dr[nr] = val;
		} else {
			if (val >> 32)
				return inject_gp(vcpu);
			if (nr == 6)
				vmx->dr6 = val | DR6_FIXED_1;
			else
				vmx_set_dr7(vmx, (val & ~BIT(11) & ~BIT(12) &
						  ~(BIT(14) | BIT(15))) | DR7_RESERVED_1);
		}
	}
	vmx_skip_instruction(vcpu);
	return 1;
}

int vmx_handle_xsetbv(struct vmxmon_vcpu *vcpu)
{
	unsigned long *regs = vcpu_x86(vcpu)->regs;
	u64 val = (u32)regs[VCPU_RAX] | ((u64)(u32)regs[VCPU_RDX] << 32);

	if (vmx_guest_cpl() || (u32)regs[VCPU_RCX] != XCR_XFEATURE_ENABLED_MASK ||
	    x86_set_xcr0(vcpu, val))
		return inject_gp(vcpu);
	vmx_skip_instruction(vcpu);
	return 1;
}

/*
 * IRQs off, before VM entry. Returns whether the guest's registers were loaded. The host's
 * DR7 goes to 0 first: until VM entry loads the guest's DR7 from the VMCS, a breakpoint the
 * host armed would otherwise match the guest's addresses in host code (kvm_intel clears it
 * the same way, vcpu_enter_guest()). The caller saved the host's DR7 and restores it.
 */
bool vmx_guest_debugregs_load(struct vmx_vcpu *vmx)
{
	const unsigned long *dr;

	if (likely(!vmx->dr7_armed))
		return false;
	dr = vmx_effective_dr(vmx);	/* the guest's, or the debugger's (USE_HW_BP) */
	set_debugreg(0, 7);
	set_debugreg(dr[0], 0);
	set_debugreg(dr[1], 1);
	set_debugreg(dr[2], 2);
	set_debugreg(dr[3], 3);
	return true;
}

/* IRQs off, after the exit: give the host its breakpoints back (DR0-3; DR7 is the caller's). */
void vmx_guest_debugregs_save(struct vmx_vcpu *vmx)
{
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/* KVM_GET/SET_DEBUGREGS */
void vmx_get_debugregs(struct vmxmon_vcpu *vcpu, struct kvm_debugregs *d)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	memset(d, 0, sizeof(*d));
	memcpy(d->db, vmx->dr, sizeof(d->db));
	d->dr6 = vmx->dr6 | DR6_FIXED_1;
	d->dr7 = vmx_guest_dr7(vmx);
}

int vmx_set_debugregs(struct vmxmon_vcpu *vcpu, const struct kvm_debugregs *d)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (d->flags || memchr_inv(d->reserved, 0, sizeof(d->reserved)) ||
	    (d->dr6 >> 32) || (d->dr7 >> 32))
		return -EINVAL;
	memcpy(vmx->dr, d->db, sizeof(vmx->dr));
	vmx->dr6 = d->dr6 | DR6_FIXED_1;
	vmx_set_dr7(vmx, d->dr7 | DR7_RESERVED_1);
	return 0;
}
