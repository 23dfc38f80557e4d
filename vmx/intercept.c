// SPDX-License-Identifier: GPL-2.0
/*
 * The exits that keep a guest from hurting its host CPU, and the host's own events that
 * arrive while a guest runs. As kvm_intel 6.1 (vmx.c: vmx_update_exception_bitmap(),
 * handle_exception_nmi(), handle_exception_nmi_irqoff(), kvm_emulate_wbinvd(),
 * handle_notify()):
 *
 *  - #DB and #AC always exit (VMX_EXCEPTION_BITMAP) and are re-injected. Delivering either
 *    can raise it again before any instruction boundary (a data breakpoint on the #DB
 *    handler's stack, CVE-2015-8104; a misaligned user stack with alignment checking on,
 *    CVE-2015-5307), and then the CPU loops in microcode: no interrupt, NMI or preemption
 *    timer ends it. Intercepted, each round is a VM exit, and a nested delivery (an
 *    exception while the exception is being delivered) ends the run with an internal error.
 *  - #AC with the guest's alignment checking off is the host's split-lock detection
 *    (MSR_TEST_CTRL stays armed in the guest, as under kvm_intel): the host's
 *    handle_guest_split_lock() decides (warn and let this CPU go on, or SIGBUS).
 *  - NMIs and machine checks belong to the host: its handlers run right after the exit,
 *    with IRQs still off (vmx_handle_exit_irqoff(), kmod/compat.h).
 *  - WBINVD exits and does nothing: no device does non-coherent DMA into guest memory.
 *  - The notify VM exit, where the CPU has it, bounds how long the guest can keep the CPU
 *    without an event window (a microcode loop vmxmon does not know of yet).
 *  - An INIT signal stops the vCPU.
 *
 * Every exit is counted per CPU, for debugfs ("intercepts": vmxmon_intercept_stats).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/percpu.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "kmod/compat.h"
#include "vmx/exit_irqoff.h"
#include "vmx/vmx.h"
#include "vmx/vmcs.h"

/* Written with IRQs off by the CPU that ran the guest; summed for debugfs. */
struct vmx_exit_counts {
	unsigned long exits[VMXMON_STATS_EXIT_REASONS];
	unsigned long exceptions[32];
	unsigned long host_nmis, host_mces;
};
static DEFINE_PER_CPU(struct vmx_exit_counts, vmx_exit_counts);

/*
 * IRQs off, right after every VM exit (vmx_vcpu_run()), before anything else may run on
 * this CPU: hand the host its NMI or machine check. Also reads the interruption info of
 * exception/NMI exits for the handlers, and counts the exit.
 */
void vmx_handle_exit_irqoff(struct vmx_vcpu *vmx)
{
	struct vmx_exit_counts *c = this_cpu_ptr(&vmx_exit_counts);
	u32 basic = vmx->exit_reason & 0xffff;

	vmx->exit_intr_info = 0;
	if (basic == EXIT_REASON_EXCEPTION_NMI &&
	    !(vmx->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
		vmx->exit_intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
		c->exceptions[vmx->exit_intr_info & 31]++;
	}
	if (basic < ARRAY_SIZE(c->exits))
		c->exits[basic]++;

	switch (vmx_exit_irqoff_event(vmx->exit_reason, vmx->exit_intr_info)) {
	case VMX_IRQOFF_NMI:
		c->host_nmis++;
		vmx_host_nmi_irqoff();
		break;
	case VMX_IRQOFF_MCE:
		c->host_mces++;
		vmx_host_machine_check();
		break;
	case VMX_IRQOFF_NONE:
		break;
	}
}

/*
 * A #DB for the guest, @payload in the format of the #DB exit qualification and of the
 * pending-debug-exceptions field (SDM Vol. 3C 28.2.1, table "Exit Qualification for Debug
 * Exceptions"): B0-B3, BD, BS, and RTM set when the #DB came from an RTM region.
 *
 * A #DB that causes a VM exit does not write DR6 (SDM Vol. 3C 28.1, "Architectural State
 * before a VM Exit"), and the guest's DR6 is only ever read through MOV-DR exits: it lives
 * in vmx->dr6, which gets here what the CPU would have written. B0-B3 are replaced, BD and
 * BS are set and stay, RTM is active low; bit 12 (enabled breakpoint in the qualification)
 * is reserved in DR6. Delivering a #DB clears DR7.GD (SDM Vol. 3B 18.2.4), which event
 * injection does not do by itself. As kvm_intel (kvm_deliver_exception_payload(),
 * inject_pending_event(), vmx_inject_exception()).
 */
void vmx_inject_db(struct vmxmon_vcpu *vcpu, unsigned long payload)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long dr7 = vmx_guest_dr7(vmx);

	vmx->dr6 &= ~(unsigned long)DR_TRAP_BITS;
	vmx->dr6 |= VMX_DR6_ACTIVE_LOW;
	vmx->dr6 |= payload;
	vmx->dr6 ^= payload & VMX_DR6_ACTIVE_LOW;
	vmx->dr6 &= ~BIT(12);
	vmx->dr6 = (u32)vmx->dr6;
	if (dr7 & VMX_DR7_GD)
		vmx_set_dr7(vmx, dr7 & ~VMX_DR7_GD);
	/*
	 * With RFLAGS.TF set in an STI or MOV-SS shadow, VM entry insists that a single-step
	 * #DB be pending (SDM Vol. 3C 27.3.1.5); it does not look at the event injected
	 * instead, so say so in the pending debug exceptions (kvm_intel does the same).
	 */
	if ((vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	    (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	     (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
	vmx_inject_exception(vcpu, X86_TRAP_DB, false, 0);
}

/* Would the CPU raise #AC for a misaligned access of the guest? (SDM Vol. 3A 6.15, #AC) */
static bool vmx_guest_alignment_checks(void)
{
	return vmx_guest_cpl() == 3 && (vmx_get_cr0() & X86_CR0_AM) &&
	       (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_AC);
}

static int vmx_handle_ac(struct vmxmon_vcpu *vcpu, u32 error)
{
	struct kvm_run *run = vcpu->run;

	/*
	 * The guest's own alignment check; or the host has no split-lock detection, and every
	 * #AC is the guest's.
	 */
	if (!boot_cpu_has(X86_FEATURE_SPLIT_LOCK_DETECT) || vmx_guest_alignment_checks()) {
		vmx_inject_exception(vcpu, X86_TRAP_AC, true, error);
		return 1;
	}
	/*
	 * A locked access split across cache lines, caught by the host's split-lock detection.
	 * The host's policy decides: warn (ratelimited) and let this CPU run without the
	 * detection for a while, or SIGBUS the task. Then, as kvm_intel, resume or hand the
	 * exception to userspace.
	 */
	if (handle_guest_split_lock(vmcs_readl(GUEST_RIP)))
		return 1;
	run->exit_reason = KVM_EXIT_EXCEPTION;
	run->ex.exception = X86_TRAP_AC;
	run->ex.error_code = error;
	return 0;
}

/*
 * Exception or NMI exit. NMIs and machine checks went to the host in
 * vmx_handle_exit_irqoff(); the guest resumes (a guest's own, virtual machine checks are
 * not this). #DB and #AC go back to the guest. Nothing else is intercepted.
 */
int vmx_handle_exception_nmi(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->exit_intr_info, error = 0;

	if (vmx_exit_irqoff_event(vmx->exit_reason, info) != VMX_IRQOFF_NONE)
		return 1;
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		error = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
	/*
	 * The exception hit while an event was being delivered: in the loops above, the same
	 * exception during its own delivery. As kvm_intel, stop here with
	 * KVM_INTERNAL_ERROR_SIMUL_EX (data: the event, the exception, its error code, the
	 * CPU) instead of working out which event the CPU would deliver next.
	 */
	if (vmx->ev.reinject_info & VECTORING_INFO_VALID_MASK) {
		u64 data[4] = { vmx->ev.reinject_info, info, error, vcpu->cpu };

		return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_SIMUL_EX, 4, data);
	}

	switch (info & INTR_INFO_VECTOR_MASK) {
	case X86_TRAP_BP:	/* intercepted only for KVM_GUESTDBG_USE_SW_BP */
		if (!vmx_guest_debug_exception(vcpu, X86_TRAP_BP))
			return 0;
		vmx_inject_bp(vcpu, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
		return 1;
	case X86_TRAP_DB:
		/* A step over an EPT watch ends at its trap even when the debugger takes it. */
		if (vmx_watch_db_before_debugger(vcpu))
			return 1;
		/* The debugger's step or breakpoint (KVM_SET_GUEST_DEBUG, vmx/debug.c)? */
		if (!vmx_guest_debug_exception(vcpu, X86_TRAP_DB))
			return 0;
		/*
		 * ICEBP (INT1), a privileged software exception, exits on the instruction itself
		 * (an instruction intercept tied to the #DB bit): skip it, then deliver the
		 * trap-like #DB that follows it. Skipping ends an STI/MOV-SS shadow, as
		 * executing it would.
		 */
		if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION) {
			vmx_skip_instruction_no_step(vcpu);
		} else {
			/* The single-step trap of a step over an EPT watch (vmx/watch.c). */
			unsigned long payload = vmcs_readl(EXIT_QUALIFICATION);

			if (vmx_watch_db(vcpu, &payload))
				return 1;
			vmx_inject_db(vcpu, payload);
			return 1;
		}
		vmx_inject_db(vcpu, vmcs_readl(EXIT_QUALIFICATION));
		return 1;
	case X86_TRAP_AC:
		return vmx_handle_ac(vcpu, error);
	}
	return vmx_handle_unexpected(vcpu);
}

/*
 * WBINVD writes back and invalidates every cache of the package, uninterruptibly, for up
 * to milliseconds: a guest looping on it hurts every other tenant and the host's latency.
 * No device does non-coherent DMA into guest memory, so the guest never needs it: skip it,
 * as kvm_intel without non-coherent DMA (kvm_emulate_wbinvd()). WBNOINVD exits the same way.
 * (Both #GP at CPL > 0 before any exit.)
 */
int vmx_handle_wbinvd(struct vmxmon_vcpu *vcpu)
{
	vmx_skip_instruction(vcpu);
	return 1;
}

/*
 * The guest kept the CPU for the notify window without an event window (SDM Vol. 3C 26.2,
 * "notify VM exit"): something like the loops above that vmxmon does not intercept yet. The
 * exit itself gave the host its CPU back; resume, unless the CPU says the guest's context
 * is lost. As kvm_intel with the notify VM exit enabled and no userspace exit requested.
 */
int vmx_handle_notify(struct vmxmon_vcpu *vcpu)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);

	/* The exit came on an IRET that unblocked virtual NMIs: block them again. */
	if ((qual & INTR_INFO_UNBLOCK_NMI) && (vmcs_config.pin & PIN_BASED_VIRTUAL_NMIS))
		vmcs_set_bits32(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	if (qual & NOTIFY_VM_CONTEXT_INVALID) {
		pr_warn_ratelimited("vcpu %u: notify VM exit with the VM context invalid\n",
				    vcpu->id);
		vcpu->run->exit_reason = KVM_EXIT_NOTIFY;
		vcpu->run->notify.flags = KVM_NOTIFY_CONTEXT_INVALID;
		return 0;
	}
	return 1;
}

/*
 * An INIT signal arrived while the guest ran: INITs cause VM exits in VMX non-root operation
 * (SDM Vol. 3C 26.2) and are blocked in VMX root operation (24.8). It was meant for this
 * physical CPU, not for the guest (the guest's INITs are the in-kernel APIC's IPIs), and
 * Linux sends INIT to an online CPU only when things are badly wrong: a crash kernel
 * bringing CPUs up after the NMI that should have stopped this one did not.
 * It cannot be handed on: Linux has no INIT handler, and VMX root operation blocks it.
 * What is left is to stop the vCPU: never resume the guest on it (vmxmon did, so that CPU
 * kept running guest code whatever the sender wanted), and leave VMX non-root operation
 * for userspace with KVM_EXIT_INTERNAL_ERROR (KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
 * the reason, the CPU), exactly what kvm_intel 6.1 does, which has no INIT handler outside
 * nested guests. The VMM decides what follows; the CPU is back in the kernel's hands.
 */
int vmx_handle_init_signal(struct vmxmon_vcpu *vcpu)
{
	u64 data[2] = { to_vmx(vcpu)->exit_reason, vcpu->cpu };

	pr_warn_ratelimited("vcpu %u: INIT signal on CPU %d while the guest ran: vCPU stopped\n",
			    vcpu->id, vcpu->cpu);
	return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2, data);
}

/* debugfs "intercepts" (kmod/debugfs.c). */
void vmx_intercept_stats(struct vmxmon_intercept_stats *st)
{
	int cpu, i;

	st->exception_bitmap = vmcs_config.exception_bitmap;
	st->wbinvd_exiting = vmcs_config.proc2 & SECONDARY_EXEC_WBINVD_EXITING;
	st->notify_vmexit = vmcs_config.proc2 & SECONDARY_EXEC_NOTIFY_VM_EXITING;
	for_each_possible_cpu(cpu) {
		const struct vmx_exit_counts *c = per_cpu_ptr(&vmx_exit_counts, cpu);

		for (i = 0; i < ARRAY_SIZE(st->exits); i++)
			st->exits[i] += READ_ONCE(c->exits[i]);
		for (i = 0; i < ARRAY_SIZE(st->exceptions); i++)
			st->exceptions[i] += READ_ONCE(c->exceptions[i]);
		st->host_nmis += READ_ONCE(c->host_nmis);
		st->host_mces += READ_ONCE(c->host_mces);
	}
}
