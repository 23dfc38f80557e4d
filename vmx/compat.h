/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host kernel's entry points the VT-x backend hands host events to, one small named
 * helper each, because they change between the kernels vmxmon supports (design.md: version
 * differences live in small named helpers). Included by C and by vmx/vmenter.S.
 *
 * Linux 6.1 (Debian 12):
 *  - NMI: asm_exc_nmi_noist, the NMI entry without the IST stack switch, exported from
 *    vmlinux for kvm_intel (CONFIG_KVM_INTEL); called with a synthetic interrupt frame
 *    (vmx/vmenter.S __vmx_do_nmi_irqoff), as kvm_intel's vmx_do_interrupt_nmi_irqoff().
 *  - machine check: do_machine_check(), exported from vmlinux.
 * Linux 6.12: the NMI entry is asm_exc_nmi_kvm_vmx, and with FRED enabled
 * (X86_FEATURE_FRED) fred_entry_from_kvm(EVENT_TYPE_NMI, NMI_VECTOR) instead of any stub;
 * do_machine_check() is unchanged. The port changes VMX_HOST_NMI_ENTRY and
 * vmx_host_nmi_irqoff() only.
 */
#ifndef VMXMON_VMX_COMPAT_H
#define VMXMON_VMX_COMPAT_H

#if !IS_ENABLED(CONFIG_KVM_INTEL)
#error "vmxmon hands host NMIs to asm_exc_nmi_noist, which only kernels with CONFIG_KVM_INTEL build and export"
#endif

#ifdef __ASSEMBLY__

/* The host NMI entry __vmx_do_nmi_irqoff calls (6.1). */
#define VMX_HOST_NMI_ENTRY	asm_exc_nmi_noist

#else /* !__ASSEMBLY__ */

#include <linux/compiler.h>
#include <asm/mce.h>
#include <asm/processor-flags.h>
#include <asm/ptrace.h>

/* vmx/vmenter.S: call VMX_HOST_NMI_ENTRY with an interrupt frame that returns here. */
void __vmx_do_nmi_irqoff(void);

/*
 * IRQs off, right after a VM exit caused by an NMI: run the host's NMI handler as if the
 * NMI had arrived here, and end it with the IRET a delivered NMI would end with, as
 * kvm_intel 6.1 does (handle_exception_nmi_irqoff()). A self-IPI cannot replace this: the
 * x2APIC SELF IPI register sends fixed interrupts only, and the xAPIC "self" shorthand
 * with NMI delivery mode is not a valid ICR combination (SDM Vol. 3A, "Valid Combinations
 * for the Pentium 4 and Intel Xeon Processors' Local xAPIC Interrupt Command Register").
 */
static __always_inline void vmx_host_nmi_irqoff(void)
{
	__vmx_do_nmi_irqoff();
}

/*
 * IRQs off, right after a #MC exit or a VM-entry failure due to a machine check: the host's
 * machine-check handler, with a frame that says "user mode, IRQs on" (the MCE hit a guest,
 * which the handler may treat like a user task: kill it, not panic), as kvm_intel's
 * kvm_machine_check().
 */
static inline void vmx_host_machine_check(void)
{
#if IS_ENABLED(CONFIG_X86_MCE)
	struct pt_regs regs = {
		.cs = 3,		/* fake ring 3, whatever the guest ran at */
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

#endif /* __ASSEMBLY__ */
#endif /* VMXMON_VMX_COMPAT_H */
