/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which VM exits carry an event that belongs to the host and must reach the host's own
 * handler right after the exit, with IRQs still off (vmx_handle_exit_irqoff()):
 *
 *  - an NMI ("NMI exiting" is on: every NMI that arrives in VMX non-root operation exits
 *    with interruption type NMI, SDM Vol. 3C 26.2 and 28.2.2);
 *  - a machine check: a #MC exception exit (vector 18 is in the exception bitmap, so an
 *    MCE in non-root operation never reaches the guest's IDT), and exit reason 41, "VM-entry
 *    failure due to machine-check event" (SDM Vol. 3C 27.8; a failed-entry reason, bit 31
 *    set), which KVM 6.1 hands to kvm_machine_check() before anything else (vmx_vcpu_run()).
 *
 * Pure: no VMCS access, no kernel state, so the routing is unit-tested on the host
 * (selftests/vmx_unit_test.c, which cannot raise a real MCE any more than Bochs can).
 * The caller's includes provide u32, the EXIT_REASON_* numbers (<asm/vmx.h>, uapi) and the
 * interruption-information masks (<asm/vmx.h>, SDM Vol. 3C 25.9.2).
 */
#ifndef VMXMON_EXIT_IRQOFF_H
#define VMXMON_EXIT_IRQOFF_H

enum vmx_irqoff_event {
	VMX_IRQOFF_NONE,	/* nothing for the host's handlers */
	VMX_IRQOFF_NMI,		/* the host's NMI entry */
	VMX_IRQOFF_MCE,		/* the host's machine-check handler */
};

#define VMX_IRQOFF_INFO_MASK	(INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK | \
				 INTR_INFO_VECTOR_MASK)
#define VMX_IRQOFF_NMI_INFO	(INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR | 2)		/* NMI */
#define VMX_IRQOFF_MC_INFO	(INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | 18)	/* #MC */

/* @exit_reason: the VM-exit reason field, all 32 bits; @intr_info: VM-exit interruption info. */
static inline enum vmx_irqoff_event vmx_exit_irqoff_event(u32 exit_reason, u32 intr_info)
{
	/* Reason 41 comes with bit 31 (failed entry) set: test the basic reason alone. */
	if ((exit_reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY)
		return VMX_IRQOFF_MCE;
	/* Other failed entries carry no event; the interruption field is not written. */
	if ((exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY) ||
	    (exit_reason & 0xffff) != EXIT_REASON_EXCEPTION_NMI)
		return VMX_IRQOFF_NONE;
	if ((intr_info & VMX_IRQOFF_INFO_MASK) == VMX_IRQOFF_NMI_INFO)
		return VMX_IRQOFF_NMI;
	if ((intr_info & VMX_IRQOFF_INFO_MASK) == VMX_IRQOFF_MC_INFO)
		return VMX_IRQOFF_MCE;
	return VMX_IRQOFF_NONE;
}

#endif /* VMXMON_EXIT_IRQOFF_H */
