// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's run state with the in-kernel APIC (KVM_MP_STATE_*): HLT sleeps in the kernel
 * until an interrupt can wake it, application processors wait for INIT and SIPI, and
 * KVM_GET/SET_MP_STATE reach it from userspace. (The APIC itself is x86/lapic.c.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/apicdef.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

/* Would a halted or waiting vCPU have something to do? Any context; no VMCS. */
bool vmx_vcpu_should_wake(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct x86_vcpu *x = &vmx->x86;

	if (READ_ONCE(x->init_pending) || READ_ONCE(x->sipi_pending))
		return true;
	if (x->mp_state != KVM_MP_STATE_RUNNABLE)
		return false;
	if (!READ_ONCE(vcpu->halted))
		return true;
	/* HLT ends with an NMI, or an interrupt the guest takes (IF was 1). */
	return READ_ONCE(vmx->ev.nmi_pending) || atomic_read(&vmx->ev.nmi_queued) ||
	       (x->halt_if && ((READ_ONCE(vmx->ev.irq_pending) &&
				  (vmx->ev.irq_injected || x86_lapic_accepts_extint(x->lapic))) ||
				 x86_lapic_deliverable(x->lapic) >= 0));
}

/* Apply a pending INIT, then a pending SIPI (VMCS loaded). */
static void vmx_vcpu_accept_events(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	if (unlikely(READ_ONCE(x->init_pending))) {
		WRITE_ONCE(x->init_pending, false);
		vmx_vcpu_reset(vcpu);
		vmx_events_init_signal(vcpu);
		x86_lapic_reset(x->lapic, vcpu->id, vcpu->id == 0, true);
		vcpu->halted = false;
		x->mp_state = vcpu->id == 0 ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_INIT_RECEIVED;
	}
	if (unlikely(READ_ONCE(x->sipi_pending))) {
		WRITE_ONCE(x->sipi_pending, false);
		smp_rmb();
		if (x->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
			/* Start at vector:0000 in real mode (SDM 8.4.4.1). */
			vmcs_write16(GUEST_CS_SELECTOR, x->sipi_vector << 8);
			vmcs_writel(GUEST_CS_BASE, x->sipi_vector << 12);
			vmcs_writel(GUEST_RIP, 0);
			x->mp_state = KVM_MP_STATE_RUNNABLE;
		}
	}
}

/* Before entry (VMCS loaded): apply INIT and SIPI, then say whether the guest may run. */
bool vmx_vcpu_can_enter(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	/* Cleared before looking: an INIT or SIPI sent meanwhile sets it again. */
	WRITE_ONCE(vcpu->check_state, false);
	smp_mb();

	vmx_vcpu_accept_events(vcpu);
	if (x->mp_state != KVM_MP_STATE_RUNNABLE || (vcpu->halted && !vmx_vcpu_should_wake(vcpu))) {
		WRITE_ONCE(vcpu->check_state, true);
		return false;
	}
	vcpu->halted = false;
	return true;
}

/* HLT with an in-kernel APIC: the vCPU thread sleeps until an event (kmod/vcpu.c). */
int vmx_handle_hlt_in_kernel(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	vmx_skip_instruction(vcpu);
	/* Single-stepped: the #DB is delivered at once, and it ends the halt (as KVM). */
	if (unlikely(to_vmx(vcpu)->ev.handler_injected))
		return 1;
	x->halt_if = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;
	WRITE_ONCE(vcpu->halted, true);
	WRITE_ONCE(vcpu->check_state, true);
	return 1;
}

/* VMCS loaded: INIT and SIPI already sent take effect first, as in KVM. */
int vmx_get_mp_state(struct vmxmon_vcpu *vcpu, struct kvm_mp_state *mp)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	if (x->lapic)
		vmx_vcpu_accept_events(vcpu);

	mp->mp_state = !x->lapic ? KVM_MP_STATE_RUNNABLE :
		       x->mp_state == KVM_MP_STATE_RUNNABLE && vcpu->halted ?
		       KVM_MP_STATE_HALTED : x->mp_state;
	return 0;
}

int vmx_set_mp_state(struct vmxmon_vcpu *vcpu, const struct kvm_mp_state *mp)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	if (!x->lapic)	/* no in-kernel APIC: always runnable, as KVM */
		return mp->mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
	switch (mp->mp_state) {
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		x->mp_state = mp->mp_state;
		vcpu->halted = false;
		break;
	case KVM_MP_STATE_HALTED:
		x->mp_state = KVM_MP_STATE_RUNNABLE;
		x->halt_if = true;
		vcpu->halted = true;
		break;
	default:
		return -EINVAL;
	}
	WRITE_ONCE(vcpu->check_state, true);
	vmxmon_vcpu_kick(vcpu);
	return 0;
}
