// SPDX-License-Identifier: GPL-2.0
/*
 * Event injection (SDM Vol. 3C 27.6): interrupts from userspace (KVM_INTERRUPT, the
 * launcher's PIC), NMIs (KVM_NMI), exceptions raised by exit handlers, and the re-injection
 * of an event whose delivery a VM exit interrupted (IDT-vectoring information, 28.2.4).
 *
 * Priority at each entry: an exception an exit handler injected, then the interrupted
 * event, then an NMI, then an interrupt. An NMI or interrupt the guest cannot take now
 * (blocked by RFLAGS.IF, STI/MOV SS shadows or NMI blocking) stays pending and turns on
 * NMI/interrupt-window exiting, so it is never lost and never fails VM entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/irq_vectors.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define INTR_SHADOW	(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

/* After an exit during event delivery (ev.reinject_info holds the IDT-vectoring info). */
void vmx_events_after_exit(struct vmx_vcpu *vmx)
{
	struct vmx_events *ev = &vmx->ev;
	u32 info = ev->reinject_info;

	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		ev->reinject_error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_SOFT_INTR:
	case INTR_TYPE_SOFT_EXCEPTION:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
		ev->reinject_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
		break;
	}
}

static bool vmx_irq_allowed(void)
{
	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & INTR_SHADOW);
}

static bool vmx_nmi_allowed(void)
{
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & (INTR_SHADOW | GUEST_INTR_STATE_NMI));
}

static void vmx_set_windows(struct vmx_events *ev, u32 want)
{
	if (ev->window_ctls == want)
		return;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     (vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) &
		      ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING)) | want);
	ev->window_ctls = want;
}

/*
 * Userspace asked for an exit when it can inject (request_interrupt_window). With the
 * in-kernel APIC that can only happen while LINT0 takes ExtINT: as KVM, no window (and no
 * exit storm) while the guest has LINT0 masked.
 */
static bool vmx_wants_extint_window(struct vmxmon_vcpu *vcpu)
{
	return vcpu->run->request_interrupt_window &&
	       vmx_lapic_accepts_extint(to_vmx(vcpu)->lapic);
}

/* IRQs off, just before VM entry. */
void vmx_events_before_entry(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_events *ev = &vmx->ev;
	u32 windows = 0;

	if (ev->handler_injected) {
		/* An exception takes this entry; anything else waits for a window. */
	} else if (ev->reinject_info) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, ev->reinject_info &
			     (INTR_INFO_VALID_MASK | INTR_INFO_DELIVER_CODE_MASK |
			      INTR_INFO_INTR_TYPE_MASK | INTR_INFO_VECTOR_MASK));
		if (ev->reinject_info & VECTORING_INFO_DELIVER_CODE_MASK)
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, ev->reinject_error);
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, ev->reinject_len);
		ev->reinject_info = 0;
	} else if (ev->nmi_pending && vmx_nmi_allowed()) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     NMI_VECTOR | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
		ev->nmi_pending--;
	} else if (ev->irq_pending && vmx_irq_allowed() &&	/* ExtINT (userspace PIC) */
		   vmx_lapic_accepts_extint(vmx->lapic)) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     ev->irq_vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
		ev->irq_pending = false;
	} else if (vmx->lapic && vmx_lapic_deliverable(vmx->lapic) >= 0 && vmx_irq_allowed()) {
		int vec = vmx_lapic_deliverable(vmx->lapic);

		vmx_lapic_accept(vmx->lapic, vec);
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     vec | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
	}
	if (vmx->lapic && vmcs_config.tpr_shadow) {
		u8 th = vmx_lapic_tpr_threshold(vmx->lapic);

		if (th != vmx->tpr_threshold) {
			vmcs_write32(TPR_THRESHOLD, th);
			vmx->tpr_threshold = th;
		}
	}
	if (ev->nmi_pending && (vmcs_config.pin & PIN_BASED_VIRTUAL_NMIS))
		windows |= CPU_BASED_NMI_WINDOW_EXITING;
	if ((ev->irq_pending && vmx_lapic_accepts_extint(vmx->lapic)) ||
	    vmx_wants_extint_window(vcpu) ||
	    (vmx->lapic && vmx_lapic_deliverable(vmx->lapic) >= 0))
		windows |= CPU_BASED_INTR_WINDOW_EXITING;
	vmx_set_windows(ev, windows);
}

/* Could userspace inject an interrupt now (kvm_run.ready_for_interrupt_injection)? */
bool vmx_ready_for_interrupt(struct vmxmon_vcpu *vcpu)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;

	return !ev->irq_pending && !ev->reinject_info &&
	       vmx_lapic_accepts_extint(to_vmx(vcpu)->lapic) && vmx_irq_allowed();
}

int vmx_handle_interrupt_window(struct vmxmon_vcpu *vcpu)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;

	vmx_set_windows(ev, ev->window_ctls & ~CPU_BASED_INTR_WINDOW_EXITING);
	if (vmx_wants_extint_window(vcpu) && !ev->irq_pending) {
		vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}
	return 1;
}

int vmx_handle_nmi_window(struct vmxmon_vcpu *vcpu)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;

	vmx_set_windows(ev, ev->window_ctls & ~CPU_BASED_NMI_WINDOW_EXITING);
	return 1;
}

/*
 * KVM_INTERRUPT without an in-kernel irqchip: one vector at a time. KVM replaces a vector
 * still pending; vmxmon refuses with -ENXIO instead of dropping it silently.
 */
int vmx_queue_interrupt(struct vmxmon_vcpu *vcpu, u32 irq)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;

	if (irq >= 256)
		return -EINVAL;
	if (ev->irq_pending)	/* split irqchip: ExtINT through LINT0, -EEXIST as KVM */
		return to_vmx(vcpu)->lapic ? -EEXIST : -ENXIO;
	ev->irq_vector = irq;
	ev->irq_pending = true;
	return 0;
}

void vmx_queue_nmi(struct vmxmon_vcpu *vcpu)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;
	u8 n = READ_ONCE(ev->nmi_pending);

	/* Other vCPUs' NMI IPIs race with the vCPU's own decrement: a lost one is benign. */
	if (n < 2)
		WRITE_ONCE(ev->nmi_pending, n + 1);
}

/* What userspace reads in kvm_run after every KVM_RUN (VMCS loaded). */
void vmx_post_run(struct vmxmon_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF);
	run->cr8 = vmx_get_cr8(to_vmx(vcpu));
	run->apic_base = to_vmx(vcpu)->lapic ? vmx_lapic_get_base(to_vmx(vcpu)->lapic) :
					       to_vmx(vcpu)->apic_base;
	run->ready_for_interrupt_injection = vmx_ready_for_interrupt(vcpu);
	run->flags = 0;
}

void vmx_get_vcpu_events(struct vmxmon_vcpu *vcpu, struct kvm_vcpu_events *e)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO), type;

	memset(e, 0, sizeof(*e));
	type = ev->reinject_info & VECTORING_INFO_TYPE_MASK;
	if (ev->reinject_info && (type == INTR_TYPE_HARD_EXCEPTION ||
				  type == INTR_TYPE_SOFT_EXCEPTION)) {
		e->exception.injected = 1;
		e->exception.nr = ev->reinject_info & VECTORING_INFO_VECTOR_MASK;
		e->exception.has_error_code =
			!!(ev->reinject_info & VECTORING_INFO_DELIVER_CODE_MASK);
		e->exception.error_code = ev->reinject_error;
	}
	if (ev->reinject_info && (type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_SOFT_INTR)) {
		e->interrupt.injected = 1;
		e->interrupt.nr = ev->reinject_info & VECTORING_INFO_VECTOR_MASK;
		e->interrupt.soft = type == INTR_TYPE_SOFT_INTR;
	} else if (ev->irq_pending) {
		e->interrupt.injected = 1;
		e->interrupt.nr = ev->irq_vector;
	}
	e->interrupt.shadow = (intr & GUEST_INTR_STATE_STI ? KVM_X86_SHADOW_INT_STI : 0) |
			      (intr & GUEST_INTR_STATE_MOV_SS ? KVM_X86_SHADOW_INT_MOV_SS : 0);
	e->nmi.injected = ev->reinject_info && type == INTR_TYPE_NMI_INTR;
	e->nmi.pending = ev->nmi_pending;
	e->nmi.masked = !!(intr & GUEST_INTR_STATE_NMI);
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
}

int vmx_set_vcpu_events(struct vmxmon_vcpu *vcpu, const struct kvm_vcpu_events *e)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;
	u32 intr, info = 0;

	if (e->flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
			 KVM_VCPUEVENT_VALID_SIPI_VECTOR))
		return -EINVAL;
	if (e->exception.injected && (e->exception.nr > 31 || e->exception.nr == NMI_VECTOR))
		return -EINVAL;
	if (e->exception.pending || e->smi.smm || e->smi.pending)
		return -EINVAL;		/* no exception payloads, no SMM */

	if (e->exception.injected) {
		info = e->exception.nr | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;
		if (e->exception.has_error_code) {
			info |= INTR_INFO_DELIVER_CODE_MASK;
			ev->reinject_error = e->exception.error_code;
		}
	} else if (e->nmi.injected) {
		info = NMI_VECTOR | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK;
	}
	ev->reinject_info = info;
	ev->reinject_len = 0;
	ev->irq_pending = e->interrupt.injected && !e->interrupt.soft;
	ev->irq_vector = e->interrupt.nr;
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		ev->nmi_pending = min_t(u8, e->nmi.pending, 2);

	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & ~GUEST_INTR_STATE_NMI;
	if (e->nmi.masked)
		intr |= GUEST_INTR_STATE_NMI;
	if (e->flags & KVM_VCPUEVENT_VALID_SHADOW) {
		intr &= ~INTR_SHADOW;
		if (e->interrupt.shadow & KVM_X86_SHADOW_INT_STI)
			intr |= GUEST_INTR_STATE_STI;
		if (e->interrupt.shadow & KVM_X86_SHADOW_INT_MOV_SS)
			intr |= GUEST_INTR_STATE_MOV_SS;
	}
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr);
	return 0;
}

/* First thing in KVM_RUN: finish the exit userspace just handled. */
int vmx_complete_userspace_exit(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r;

	/* Without an in-kernel APIC, kvm_run.cr8 is an input: the userspace APIC's TPR. */
	if (!vmx->lapic) {
		if (vcpu->run->cr8 & ~0xfull)
			return -EINVAL;
		vmx->cr8 = vcpu->run->cr8;
	}
	r = vmx_complete_pio(vcpu);
	if (r > 0)
		r = vmx_complete_mmio(vcpu);
	/* A machine check that shut the vCPU down (KVM_X86_SET_MCE): as a triple fault. */
	return r > 0 && vmx_mce_shutdown(vcpu) ? 0 : r;
}
