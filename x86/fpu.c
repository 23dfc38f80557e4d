// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's x87/SSE/AVX state: XCR0 (XSETBV, KVM_SET_XCRS, KVM_SET_CPUID2) and, for
 * userspace, KVM_GET/SET_FPU (the legacy FXSAVE image), KVM_GET/SET_XSAVE (the
 * standard-format XSAVE area) and KVM_GET/SET_XCRS. The state itself lives in the FPU
 * core's guest fpstate (x86_vcpu.guest_fpu), which holds it in memory whenever no KVM_RUN
 * is in progress; these ioctls never run during one (vcpu->mutex).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>

#include "x86/x86.h"

/*
 * The MXCSR bits this CPU implements, from FXSAVE at boot (arch/x86/kernel/fpu/init.c):
 * exported for KVM, declared in no public header.
 */
extern unsigned int mxcsr_feature_mask;

/* XCR0 rules (SDM Vol. 1 13.3): x87 always, AVX needs SSE, only what CPUID offers. 0 or 1. */
int x86_set_xcr0(struct vmxmon_vcpu *vcpu, u64 xcr0)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	if (!(xcr0 & XFEATURE_MASK_FP) || (xcr0 & ~x->xcr0_allowed) ||
	    ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE)))
		return 1;
	x->xcr0 = xcr0;
	return 0;
}

static struct fxregs_state *guest_fxsave(struct vmxmon_vcpu *vcpu)
{
	return &vcpu_x86(vcpu)->guest_fpu.fpstate->regs.fxsave;
}

void x86_get_fpu(struct vmxmon_vcpu *vcpu, struct kvm_fpu *fpu)
{
	const struct fxregs_state *fx = guest_fxsave(vcpu);

	memset(fpu, 0, sizeof(*fpu));
	memcpy(fpu->fpr, fx->st_space, sizeof(fpu->fpr));
	fpu->fcw = fx->cwd;
	fpu->fsw = fx->swd;
	fpu->ftwx = fx->twd;
	fpu->last_opcode = fx->fop;
	fpu->last_ip = fx->rip;
	fpu->last_dp = fx->rdp;
	memcpy(fpu->xmm, fx->xmm_space, sizeof(fpu->xmm));
	fpu->mxcsr = fx->mxcsr;
}

int x86_set_fpu(struct vmxmon_vcpu *vcpu, const struct kvm_fpu *fpu)
{
	struct fxregs_state *fx = guest_fxsave(vcpu);

	/*
	 * Reserved MXCSR bits would make the next FXRSTOR/XRSTOR fault (#GP, SDM Vol. 1
	 * 11.6.6). Check against the CPU's mask, never the fpstate's MXCSR_MASK field:
	 * KVM_SET_XSAVE copies that from userspace. (KVM 6.1 ignores kvm_fpu.mxcsr here;
	 * vmxmon sets it, checked as the FPU core checks KVM_SET_XSAVE's.)
	 */
	if (fpu->mxcsr & ~mxcsr_feature_mask)
		return -EINVAL;
	memcpy(fx->st_space, fpu->fpr, sizeof(fpu->fpr));
	fx->cwd = fpu->fcw;
	fx->swd = fpu->fsw;
	fx->twd = fpu->ftwx;
	fx->fop = fpu->last_opcode;
	fx->rip = fpu->last_ip;
	fx->rdp = fpu->last_dp;
	memcpy(fx->xmm_space, fpu->xmm, sizeof(fpu->xmm));
	fx->mxcsr = fpu->mxcsr;
	/* The legacy region is now in use: mark it in the XSAVE header if there is one. */
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		vcpu_x86(vcpu)->guest_fpu.fpstate->regs.xsave.header.xfeatures |=
			XFEATURE_MASK_FPSSE;
	return 0;
}

void x86_get_xsave(struct vmxmon_vcpu *vcpu, struct kvm_xsave *xsave)
{
	fpu_copy_guest_fpstate_to_uabi(&vcpu_x86(vcpu)->guest_fpu, xsave->region,
				       sizeof(xsave->region), x86_host_xcr0, 0);
}

int x86_set_xsave(struct vmxmon_vcpu *vcpu, const struct kvm_xsave *xsave)
{
	u32 pkru = 0;

	/* Validates the header: features beyond the host's, reserved bits (-EINVAL). */
	return fpu_copy_uabi_to_guest_fpstate(&vcpu_x86(vcpu)->guest_fpu, xsave->region,
					      x86_host_xcr0, &pkru);
}

void x86_get_xcrs(struct vmxmon_vcpu *vcpu, struct kvm_xcrs *xcrs)
{
	memset(xcrs, 0, sizeof(*xcrs));
	if (!x86_host_xsave)		/* no XCR0 at all, as KVM */
		return;
	xcrs->nr_xcrs = 1;
	xcrs->xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	xcrs->xcrs[0].value = vcpu_x86(vcpu)->xcr0;
}

int x86_set_xcrs(struct vmxmon_vcpu *vcpu, const struct kvm_xcrs *xcrs)
{
	u32 i;

	if (!x86_host_xsave || xcrs->flags || xcrs->nr_xcrs > KVM_MAX_XCRS)
		return -EINVAL;
	for (i = 0; i < xcrs->nr_xcrs; i++) {
		if (xcrs->xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK ||
		    x86_set_xcr0(vcpu, xcrs->xcrs[i].value))
			return -EINVAL;
	}
	return 0;
}
