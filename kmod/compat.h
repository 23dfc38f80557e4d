/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the kernels vmxmon supports, Debian 12's 6.1 and 6.12,
 * one small named helper each (design.md: version differences live in one header). The rest
 * of the module calls the helper and never tests a kernel version itself. Included by C and
 * by vmx/vmenter.S.
 *
 * How each difference is told apart, most robust first:
 *  - a macro the new header defines (kvm_run's HINT_UNSAFE_IN_KVM);
 *  - a probe of the kernel's headers by Kbuild (VMXMON_HAVE_*, see Kbuild), for what moved
 *    inside a stable series (Debian's 6.12.115 took the syscore change of 6.19) or has no
 *    macro to test (the NMI entry's name);
 *  - LINUX_VERSION_CODE, for changes that came with one mainline release and stayed.
 *
 *  what                              6.1                         6.12
 *  host NMI entry (from vmlinux)     asm_exc_nmi_noist           asm_exc_nmi_kvm_vmx
 *  kvm_run's "don't enter" byte      immediate_exit              immediate_exit__unsafe
 *  RCU quiescent state in the guest  rcu_virt_note_context_switch(cpu)   (void) since 6.2
 *  suspend/resume callbacks          register_syscore_ops()      register_syscore() with a
 *                                                                data pointer (6.12.115+)
 *  smp_send_reschedule()             a function                  a macro that traces through
 *                                                                <trace/events/ipi.h> (6.4+)
 * IA32_VMX_BASIC/IA32_VMX_MISC field macros were renamed in 6.12 (<asm/vmx.h>); vmx/vmx.h
 * names those SDM fields itself, so no helper is needed here for them.
 *
 * Linux 6.1 and 6.12, the NMI and #MC hand-off:
 *  - NMI: the NMI entry without the IST stack switch, exported from vmlinux for kvm_intel
 *    (CONFIG_KVM_INTEL); called with a synthetic interrupt frame (vmx/vmenter.S
 *    __vmx_do_nmi_irqoff), as kvm_intel's vmx_do_interrupt_nmi_irqoff() (6.1) and
 *    vmx_do_nmi_irqoff() (6.12) do. Kernels built with FRED (CONFIG_X86_FRED; Debian's 6.12
 *    is not) hand NMIs to fred_entry_from_kvm() when the CPU runs FRED: not done yet.
 *  - machine check: do_machine_check(), exported from vmlinux, on both.
 */
#ifndef VMXMON_KMOD_COMPAT_H
#define VMXMON_KMOD_COMPAT_H

#include <linux/version.h>

#if !IS_ENABLED(CONFIG_KVM_INTEL)
#error "vmxmon hands host NMIs to the kernel's KVM NMI entry, which only kernels with CONFIG_KVM_INTEL build and export"
#endif
#if IS_ENABLED(CONFIG_X86_FRED)
#error "vmxmon: kernels with CONFIG_X86_FRED are not supported yet (host NMIs would need fred_entry_from_kvm())"
#endif

#ifdef __ASSEMBLY__

/* The host NMI entry __vmx_do_nmi_irqoff calls. */
#ifdef VMXMON_HAVE_NMI_KVM_VMX
#define VMX_HOST_NMI_ENTRY	asm_exc_nmi_kvm_vmx
#else
#define VMX_HOST_NMI_ENTRY	asm_exc_nmi_noist
#endif

#else /* !__ASSEMBLY__ */

#include <linux/compiler.h>
#include <linux/kvm.h>
#include <linux/rcupdate.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>
#include <asm/mce.h>
#include <asm/processor-flags.h>
#include <asm/ptrace.h>
/* 6.4+: smp_send_reschedule() is a macro that calls trace_ipi_send_cpu(). */
#include <trace/events/ipi.h>

/*
 * kvm_run.immediate_exit, which userspace may set at any time: read it once. Since 6.10
 * the kernel's uapi header calls the field immediate_exit__unsafe inside the kernel
 * (HINT_UNSAFE_IN_KVM) so that KVM reads it only through one helper; this is ours.
 */
static __always_inline bool vmxmon_run_immediate_exit(struct kvm_run *run)
{
#ifdef HINT_UNSAFE_IN_KVM
	return READ_ONCE(run->HINT_UNSAFE_IN_KVM(immediate_exit));
#else
	return READ_ONCE(run->immediate_exit);
#endif
}

/* IRQs off, about to enter the guest: tell RCU this CPU is in a quiescent state. */
static __always_inline void vmxmon_rcu_guest_enter_qs(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	rcu_virt_note_context_switch();
#else
	rcu_virt_note_context_switch(smp_processor_id());
#endif
}

/*
 * System suspend/resume callbacks (one CPU left, IRQs off). VMXMON_SYSCORE(name, suspend,
 * resume) defines `name` from two functions int suspend(void) and void resume(void), for
 * vmxmon_syscore_register(&name) / vmxmon_syscore_unregister(&name).
 */
#ifdef VMXMON_HAVE_SYSCORE_DATA
#define VMXMON_SYSCORE(name, suspend_fn, resume_fn)				\
	static int name##_suspend(void *data) { return suspend_fn(); }		\
	static void name##_resume(void *data) { resume_fn(); }			\
	static const struct syscore_ops name##_ops = {				\
		.suspend = name##_suspend,					\
		.resume = name##_resume,					\
	};									\
	static struct syscore name = { .ops = &name##_ops }
#define vmxmon_syscore_register(s)	register_syscore(s)
#define vmxmon_syscore_unregister(s)	unregister_syscore(s)
#else
#define VMXMON_SYSCORE(name, suspend_fn, resume_fn)				\
	static struct syscore_ops name = {					\
		.suspend = suspend_fn,						\
		.resume = resume_fn,						\
	}
#define vmxmon_syscore_register(s)	register_syscore_ops(s)
#define vmxmon_syscore_unregister(s)	unregister_syscore_ops(s)
#endif

/* vmx/vmenter.S: call VMX_HOST_NMI_ENTRY with an interrupt frame that returns here. */
void __vmx_do_nmi_irqoff(void);

/*
 * IRQs off, right after a VM exit caused by an NMI: run the host's NMI handler as if the
 * NMI had arrived here, and end it with the IRET a delivered NMI would end with, as
 * kvm_intel does (6.1: handle_exception_nmi_irqoff(); 6.12: vmx_handle_nmi()). A self-IPI
 * cannot replace this: the x2APIC SELF IPI register sends fixed interrupts only, and the
 * xAPIC "self" shorthand with NMI delivery mode is not a valid ICR combination (SDM Vol. 3A,
 * "Valid Combinations for the Pentium 4 and Intel Xeon Processors' Local xAPIC Interrupt
 * Command Register").
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
#endif /* VMXMON_KMOD_COMPAT_H */
