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

#include "kmod/trace.h"
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

#define INTR_SHADOW	(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

/* After an exit during event delivery (ev.reinject_info holds the IDT-vectoring info). */
void vmx_events_after_exit(struct vmx_vcpu *vmx)
{
	struct vmx_events *ev = &vmx->ev;
	u32 info = ev->reinject_info;

	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		ev->reinject_error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_NMI_INTR:
		/*
		 * The NMI's delivery had begun, so (virtual-)NMI blocking is in effect in the
		 * saved state (SDM Vol. 3C, "Architectural State Before a VM Exit"), and VM
		 * entry refuses to inject an NMI while it is ("Checks on Guest Non-Register
		 * State"; Bochs skips that check). The NMI is not in service yet: clear it, as
		 * KVM's __vmx_complete_interrupts() does. Delivering it sets it again.
		 */
		vmcs_clear_bits32(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
		break;
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

/* Is an NMI being re-injected (its delivery was interrupted by the last exit)? */
static bool vmx_reinjecting_nmi(const struct vmx_events *ev)
{
	return ev->reinject_info &&
	       (ev->reinject_info & VECTORING_INFO_TYPE_MASK) == INTR_TYPE_NMI_INTR;
}

/*
 * Count the NMIs other threads queued (vCPU thread, VMCS loaded). While an NMI is in service
 * (blocked until IRET) or on its way in, any number of further NMIs leaves one pending, not
 * two: the CPU latches a single NMI (SDM Vol. 3A 6.7.1); otherwise two can wait, one to be
 * delivered and one latched behind it. As KVM's process_nmi(): senders only add to
 * nmi_queued atomically, and only the vCPU's own thread moves them into nmi_pending, so two
 * NMIs sent at once from two threads are never counted as one.
 */
static void vmx_process_nmis(struct vmx_events *ev)
{
	unsigned int n = ev->nmi_pending;

	/* This runs on interrupt-heavy entries too: no locked op or VMREAD unless needed. */
	if (atomic_read(&ev->nmi_queued))
		n += atomic_xchg(&ev->nmi_queued, 0);
	if (n > 1 && ((vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_NMI) ||
		      vmx_reinjecting_nmi(ev)))
		n = 1;
	WRITE_ONCE(ev->nmi_pending, min(n, 2u));
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
	       x86_lapic_accepts_extint(vcpu_x86(vcpu)->lapic);
}

/* IRQs off, just before VM entry. */
void vmx_events_before_entry(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_events *ev = &vmx->ev;
	u32 windows = 0;
	/* KVM_GUESTDBG_BLOCKIRQ: no maskable interrupt, and no window for one (vmx/debug.c). */
	bool irq_ok = !vmx_guest_debug_blocks_irq(vmx);

	vmx_process_nmis(ev);
	if (ev->handler_injected) {
		/* An exception takes this entry; anything else waits for a window. */
	} else if (ev->reinject_info) {
		u32 info = ev->reinject_info & (INTR_INFO_VALID_MASK | INTR_INFO_DELIVER_CODE_MASK |
						INTR_INFO_INTR_TYPE_MASK | INTR_INFO_VECTOR_MASK);

		/* Real mode has no error codes: VM entry would fail (SDM 27.2.1.3). */
		if (!(vmcs_readl(GUEST_CR0) & X86_CR0_PE))
			info &= ~INTR_INFO_DELIVER_CODE_MASK;
		if (info & INTR_INFO_DELIVER_CODE_MASK)
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, ev->reinject_error);
		/*
		 * KVM_SET_VCPU_EVENTS may restore an NMI as injected and masked at once: the
		 * same rule as in vmx_events_after_exit().
		 */
		if (vmx_reinjecting_nmi(ev))
			vmcs_clear_bits32(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, ev->reinject_len);
		ev->reinject_info = 0;
	} else if (vmx->watch.mode) {
		/* Stepping over an EPT watch (vmx/watch.c): nothing new until it is done. */
	} else if (ev->nmi_pending && vmx_nmi_allowed()) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     NMI_VECTOR | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
		ev->nmi_pending--;
	} else if (irq_ok && ev->irq_pending && vmx_irq_allowed() &&	/* ExtINT (PIC) */
		   (ev->irq_injected || x86_lapic_accepts_extint(vmx->x86.lapic))) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     ev->irq_vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
		ev->irq_pending = false;
		ev->irq_injected = false;
	} else if (irq_ok && vmx->x86.lapic && x86_lapic_deliverable(vmx->x86.lapic) >= 0 &&
		   vmx_irq_allowed()) {
		int vec = x86_lapic_deliverable(vmx->x86.lapic);

		x86_lapic_accept(vmx->x86.lapic, vec);
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     vec | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
	}
	if (vmx->x86.lapic && vmcs_config.tpr_shadow) {
		u8 th = x86_lapic_tpr_threshold(vmx->x86.lapic);

		if (th != vmx->tpr_threshold) {
			vmcs_write32(TPR_THRESHOLD, th);
			vmx->tpr_threshold = th;
		}
	}
	if (ev->nmi_pending && (vmcs_config.pin & PIN_BASED_VIRTUAL_NMIS))
		windows |= CPU_BASED_NMI_WINDOW_EXITING;
	if (irq_ok &&
	    ((ev->irq_pending && (ev->irq_injected || x86_lapic_accepts_extint(vmx->x86.lapic))) ||
	     vmx_wants_extint_window(vcpu) ||
	     (vmx->x86.lapic && x86_lapic_deliverable(vmx->x86.lapic) >= 0)))
		windows |= CPU_BASED_INTR_WINDOW_EXITING;
	if (vmx->watch.mode)	/* a window exit would come before the stepped instruction */
		windows = 0;
	vmx_set_windows(ev, windows);
	if (!ev->handler_injected) {	/* vmx_inject_exception() counted that one */
		u32 info = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);

		if (info & INTR_INFO_VALID_MASK)
			vmx_account_injection(vcpu, info, info & INTR_INFO_DELIVER_CODE_MASK ?
					      vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE) : 0);
	}
}

/* An event the next VM entry delivers: statistics and the trace. */
void vmx_account_injection(struct vmxmon_vcpu *vcpu, u32 info, u32 error_code)
{
	vcpu->stat.injections[(info & INTR_INFO_INTR_TYPE_MASK) >> 8]++;
	trace_vmxmon_inject(vcpu->id, info, error_code);
}

/* Could userspace inject an interrupt now (kvm_run.ready_for_interrupt_injection)? */
bool vmx_ready_for_interrupt(struct vmxmon_vcpu *vcpu)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;

	return !ev->irq_pending && !ev->reinject_info &&
	       !vmx_guest_debug_blocks_irq(to_vmx(vcpu)) &&
	       x86_lapic_accepts_extint(vcpu_x86(vcpu)->lapic) && vmx_irq_allowed();
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
		return vcpu_x86(vcpu)->lapic ? -EEXIST : -ENXIO;
	ev->irq_vector = irq;
	ev->irq_pending = true;
	return 0;
}

void vmx_queue_nmi(struct vmxmon_vcpu *vcpu)
{
	/* Any thread. More than two never count (vmx_process_nmis()): stop there. */
	atomic_add_unless(&to_vmx(vcpu)->ev.nmi_queued, 1, 2);
}

/*
 * The exception or interrupt the next entry will deliver again, if any: one an exit
 * handler injected (not yet entered: the run loop left for a signal), or the interrupted
 * event of the last exit.
 */
static u32 vmx_queued_event(const struct vmx_events *ev, u32 *error)
{
	if (ev->handler_injected) {
		*error = vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE);
		return vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	}
	*error = ev->reinject_error;
	return ev->reinject_info;
}

/*
 * As KVM's kvm_vcpu_ioctl_x86_get_vcpu_events() for what vmxmon has (no SMM, no exception
 * payloads). Soft exceptions (INT3, INTO) and software interrupts (INT n) are not reported
 * as injected: the API has no instruction length for them, and RIP is still on the
 * instruction, which raises them again when the guest resumes. ICEBP (INT1) likewise: KVM
 * drops it on the exit, the guest executes it again. sipi_vector is never reported.
 */
void vmx_get_vcpu_events(struct vmxmon_vcpu *vcpu, struct kvm_vcpu_events *e)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO), error;
	u32 info = vmx_queued_event(ev, &error);
	u8 vector = info & VECTORING_INFO_VECTOR_MASK;

	memset(e, 0, sizeof(*e));
	vmx_process_nmis(ev);
	if (info & VECTORING_INFO_VALID_MASK) {
		switch (info & VECTORING_INFO_TYPE_MASK) {
		case INTR_TYPE_HARD_EXCEPTION:
			e->exception.injected = 1;
			fallthrough;
		case INTR_TYPE_SOFT_EXCEPTION:
			e->exception.nr = vector;
			e->exception.has_error_code = !!(info & VECTORING_INFO_DELIVER_CODE_MASK);
			e->exception.error_code = error;
			break;
		case INTR_TYPE_EXT_INTR:
			e->interrupt.injected = 1;
			fallthrough;
		case INTR_TYPE_SOFT_INTR:
			e->interrupt.nr = vector;
			break;
		case INTR_TYPE_NMI_INTR:
			e->nmi.injected = 1;
			break;
		}
	}
	if (!e->interrupt.injected && ev->irq_pending) {
		e->interrupt.injected = 1;
		e->interrupt.nr = ev->irq_vector;
	}
	e->interrupt.shadow = (intr & GUEST_INTR_STATE_STI ? KVM_X86_SHADOW_INT_STI : 0) |
			      (intr & GUEST_INTR_STATE_MOV_SS ? KVM_X86_SHADOW_INT_MOV_SS : 0);
	e->nmi.pending = READ_ONCE(ev->nmi_pending) != 0;
	e->nmi.masked = !!(intr & GUEST_INTR_STATE_NMI);
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
}

/*
 * KVM_SET_VCPU_EVENTS replaces the queued events. An injected exception is delivered before
 * the instruction at RIP; #BP and #OF from here go in as hardware exceptions (KVM injects
 * them as software exceptions with the length of the last one that exited, which needs
 * the gate's DPL to allow it and fails VM entry on CPUs without zero-length injection).
 * A software interrupt (interrupt.soft) is dropped, as after KVM_GET_VCPU_EVENTS the guest
 * executes its INT n again. The SIPI vector applies to a SIPI not yet taken, as in KVM.
 */
int vmx_set_vcpu_events(struct vmxmon_vcpu *vcpu, const struct kvm_vcpu_events *e)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_events *ev = &vmx->ev;
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
	/* An exception an exit handler queued is replaced too. */
	if (ev->handler_injected) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
		ev->handler_injected = false;
	}
	ev->reinject_info = info;
	ev->reinject_len = 0;
	if (e->interrupt.injected && !e->interrupt.soft)
		vmx_events_set_injected_irq(vcpu, e->interrupt.nr);
	else
		ev->irq_pending = ev->irq_injected = false;
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING) {
		atomic_set(&ev->nmi_queued, 0);
		WRITE_ONCE(ev->nmi_pending, min_t(u8, e->nmi.pending, 2));
	}
	if ((e->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR) && vmx->x86.lapic)
		WRITE_ONCE(vmx->x86.sipi_vector, e->sipi_vector);

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

/*
 * KVM_GET_SREGS.interrupt_bitmap: the external interrupt KVM_GET_VCPU_EVENTS reports as
 * injected, or -1 (KVM's __get_sregs()).
 */
int vmx_events_injected_irq(struct vmxmon_vcpu *vcpu)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;
	u32 error, info = vmx_queued_event(ev, &error);

	if ((info & VECTORING_INFO_VALID_MASK) &&
	    (info & VECTORING_INFO_TYPE_MASK) == INTR_TYPE_EXT_INTR)
		return info & VECTORING_INFO_VECTOR_MASK;
	return ev->irq_pending ? ev->irq_vector : -1;
}

/*
 * KVM_SET_SREGS with a bit in interrupt_bitmap, KVM_SET_VCPU_EVENTS with interrupt.injected:
 * @vector is the injected interrupt now, to be delivered as soon as the guest's IF allows.
 * The ExtINT KVM_INTERRUPT queued, which KVM_GET_* report as injected too, comes back
 * unchanged (it still waits for LINT0 as well).
 */
void vmx_events_set_injected_irq(struct vmxmon_vcpu *vcpu, u8 vector)
{
	struct vmx_events *ev = &to_vmx(vcpu)->ev;
	u32 type = ev->reinject_info & VECTORING_INFO_TYPE_MASK;

	if (ev->reinject_info && (type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_SOFT_INTR))
		ev->reinject_info = 0;
	if (ev->irq_pending && ev->irq_vector == vector)
		return;
	ev->irq_vector = vector;
	ev->irq_pending = true;
	ev->irq_injected = true;
}

/*
 * An INIT reset the vCPU (SDM Vol. 3A 11.4.7.3): no event queued before it survives, as in
 * KVM's kvm_vcpu_reset(init_event=true): not the exception an exit handler injected, the
 * interrupted event, pending NMIs or an interrupt whose delivery began (re-injected into
 * the reset state they could fail VM entry: an error code in real mode); nor the I/O or
 * MMIO access userspace was completing, whose instruction is gone. An ExtINT the guest has
 * not taken yet stays pending, as KVM's pending_external_vector does: it is the PIC's.
 * VMCS loaded.
 */
void vmx_events_init_signal(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_events *ev = &vmx->ev;

	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	ev->handler_injected = false;
	ev->reinject_info = 0;
	atomic_set(&ev->nmi_queued, 0);
	WRITE_ONCE(ev->nmi_pending, 0);
	if (ev->irq_injected) {
		ev->irq_pending = false;
		ev->irq_injected = false;
	}
	vcpu->complete_userspace_io = NULL;
}
