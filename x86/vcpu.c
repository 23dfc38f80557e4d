// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's x86 state outside the backend's control structure (struct x86_vcpu): its
 * creation, the kvm_run fields every KVM_RUN takes in and gives back, and the internal
 * errors exits report.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <asm/fpu/api.h>
#include <asm/processor-flags.h>

#include "x86/lapic.h"
#include "x86/x86.h"

#define X86_DEFINE_OP(func) \
	DEFINE_STATIC_CALL_NULL(x86_##func, *(((struct x86_vcpu_ops *)0)->func));
X86_VCPU_OPS(X86_DEFINE_OP)
#undef X86_DEFINE_OP

void x86_set_backend(const struct x86_vcpu_ops *ops)
{
#define X86_UPDATE_OP(func) static_call_update(x86_##func, ops->func);
	X86_VCPU_OPS(X86_UPDATE_OP)
#undef X86_UPDATE_OP
}

int x86_vcpu_init(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	if (!fpu_alloc_guest_fpstate(&x->guest_fpu))
		return -ENOMEM;
	x->mp_state = KVM_MP_STATE_RUNNABLE;
	x86_mce_init(vcpu);
	return 0;
}

void x86_vcpu_free(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	fpu_free_guest_fpstate(&x->guest_fpu);
	kfree(x->cpuid);
	x->cpuid = NULL;
}

/*
 * KVM_RUN's inputs in kvm_run (as KVM's kvm_arch_vcpu_ioctl_run()): without an in-kernel
 * APIC, kvm_run.cr8 is the userspace APIC's TPR. The page is shared with userspace: read it
 * once, check and use that value. 0, or -EINVAL.
 */
int x86_run_prologue(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	u64 cr8;

	if (x->lapic)
		return 0;
	cr8 = READ_ONCE(vcpu->run->cr8);
	if (cr8 & ~0xfull)
		return -EINVAL;
	x->cr8 = cr8;
	return 0;
}

/*
 * What userspace reads in kvm_run after every KVM_RUN (KVM's post_kvm_run_save()): the
 * guest's RFLAGS.IF, CR8 and APIC base, and whether KVM_INTERRUPT would be taken now.
 */
void x86_run_epilogue(struct vmxmon_vcpu *vcpu, unsigned long rflags, bool ready)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(rflags & X86_EFLAGS_IF);
	run->cr8 = x86_get_cr8(x);
	run->apic_base = x86_get_apic_base(x);
	run->ready_for_interrupt_injection = ready;
	run->flags = 0;
}

/* KVM_EXIT_INTERNAL_ERROR with @suberror and up to 16 words of data; returns 0 (exit). */
int x86_internal_error(struct vmxmon_vcpu *vcpu, u32 suberror, int ndata, const u64 *data)
{
	struct kvm_run *run = vcpu->run;
	int i;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = min_t(int, ndata, ARRAY_SIZE(run->internal.data));
	for (i = 0; i < run->internal.ndata; i++)
		run->internal.data[i] = data[i];
	return 0;
}
