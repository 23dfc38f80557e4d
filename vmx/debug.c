// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_GUEST_DEBUG: a debugger in userspace (vmxrun --gdb) steps the guest, catches its
 * INT3s and owns the debug registers, and hears of each event as KVM_EXIT_DEBUG with the
 * contents of KVM's struct kvm_debug_exit_arch (exception, pc = linear RIP, dr6, dr7).
 * As kvm_intel 6.1 (x86.c kvm_arch_vcpu_ioctl_set_guest_debug(), kvm_vcpu_do_singlestep();
 * vmx.c handle_exception_nmi()), except where the comments say otherwise:
 *
 *  - Single-step uses the monitor trap flag where the CPU has it (SDM Vol. 3C 26.5.2): a VM
 *    exit after each instruction the guest completes, after an event's delivery, and
 *    nothing the guest can see. KVM sets RFLAGS.TF instead and hides it from
 *    KVM_GET_REGS, but the guest sees it (PUSHF, an interrupt frame) and loses its own TF
 *    meanwhile. Without MTF (Bochs: no CPU model that boots has it) vmxmon does what KVM
 *    does, TF plus the #DB intercept. Either way an instruction that exits and completes
 *    in the hypervisor's hands (CPUID, port I/O, MMIO, an emulated access) raises no step
 *    trap or MTF exit by itself: vmx_advance_rip() notes it, and the vCPU stops right
 *    after it, before entering the guest again (vmx_guest_debug_step_exit()). KVM does
 *    the same, but not after an MMIO write that userspace completes (its
 *    complete_emulated_mmio() "FIXME: return into emulator if single-stepping"): there
 *    it stops one instruction later.
 *  - USE_SW_BP: #BP exits (EXCEPTION_BITMAP) and is reported with pc on the INT3.
 *  - USE_HW_BP: debugreg[0..3] and [7] are the guest's DR0-3/DR7 while it runs; the
 *    guest's own values stay in vmx->dr[] and debug.guest_dr7, read and written by its
 *    MOV DR as before, and come back when the debugger lets go. Every #DB exits anyway
 *    (VMX_EXCEPTION_BITMAP); with SINGLESTEP or USE_HW_BP it goes to userspace, dr6 as the
 *    exit qualification plus DR6's active-low bits, as KVM.
 *  - BLOCKIRQ: no maskable interrupt is injected while debugging (NMIs are), as KVM.
 *  - Control bits outside KVM's KVM_GUESTDBG_VALID_MASK and a nonzero pad are -EINVAL
 *    (vmxmon's ABI rule; KVM 6.1 ignores both), and so is a DR7 with bits 63:32 set,
 *    which VM entry would refuse (SDM Vol. 3C 27.3.1.1).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define VMX_GUESTDBG_VALID	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | \
				 KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP | \
				 KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP | \
				 KVM_GUESTDBG_BLOCKIRQ)
#define VMX_DR6_BS		DR_STEP
#define VMX_DR7_RESERVED_0	(BIT(11) | BIT(12) | BIT(14) | BIT(15))

static bool vmx_debug_tf_step(const struct vmx_vcpu *vmx)
{
	return (vmx->debug.control & KVM_GUESTDBG_SINGLESTEP) && !vmx_has_mtf();
}

/* DR7 as the guest's MOV DR sees it (the debugger's is in the VMCS under USE_HW_BP). */
unsigned long vmx_guest_dr7(struct vmx_vcpu *vmx)
{
	if (vmx->debug.control & KVM_GUESTDBG_USE_HW_BP)
		return vmx->debug.guest_dr7;
	return vmcs_readl(GUEST_DR7);
}

/* The DR0-3 values loaded for the guest's run: the debugger's under USE_HW_BP. */
const unsigned long *vmx_effective_dr(struct vmx_vcpu *vmx)
{
	return (vmx->debug.control & KVM_GUESTDBG_USE_HW_BP) ? vmx->debug.dr : vmx->dr;
}

/* RFLAGS for KVM_GET_REGS: without the TF that TF-stepping put there (as kvm_get_rflags()). */
unsigned long vmx_guest_debug_get_rflags(struct vmx_vcpu *vmx, unsigned long rflags)
{
	if (unlikely(vmx_debug_tf_step(vmx)))
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

unsigned long vmx_guest_debug_set_rflags(struct vmx_vcpu *vmx, unsigned long rflags)
{
	if (unlikely(vmx_debug_tf_step(vmx)))
		rflags |= X86_EFLAGS_TF;
	return rflags;
}

bool vmx_guest_debug_blocks_irq(struct vmx_vcpu *vmx)
{
	return unlikely(vmx->debug.control & KVM_GUESTDBG_BLOCKIRQ);
}

/* Fill kvm_run for a debug exit at the current RIP: 0, the exit handlers' "to userspace". */
int vmx_debug_exit(struct vmxmon_vcpu *vcpu, u32 exception, unsigned long dr6)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = exception;
	run->debug.arch.pc = vmx_linear_rip();
	if (exception == X86_TRAP_DB) {
		run->debug.arch.dr6 = dr6 | VMX_DR6_ACTIVE_LOW;
		run->debug.arch.dr7 = vmcs_readl(GUEST_DR7);
	}
	return 0;
}

/*
 * An instruction completed in the hypervisor's hands (vmx_advance_rip()): true when the
 * debugger steps, and then the vCPU stops before its next entry.
 */
bool vmx_guest_debug_note_step(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (likely(!(vmx->debug.control & KVM_GUESTDBG_SINGLESTEP)))
		return false;
	vmx->debug.step_done = true;
	return true;
}

/*
 * Before the guest runs again (after an exit handler, after userspace completed an exit):
 * 0 with KVM_EXIT_DEBUG when a stepped instruction completed outside the guest, else 1.
 */
int vmx_guest_debug_step_exit(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (likely(!vmx->debug.step_done))
		return 1;
	vmx->debug.step_done = false;
	if (!(vmx->debug.control & KVM_GUESTDBG_SINGLESTEP))
		return 1;
	return vmx_debug_exit(vcpu, X86_TRAP_DB, VMX_DR6_BS);
}

/*
 * The MTF exit handler's part: true when it produced KVM_EXIT_DEBUG (the guest completed
 * one instruction, or delivered an event, while the debugger steps). Other users of MTF
 * (EPT watchpoints) check first whether the exit was theirs.
 */
bool vmx_guest_debug_mtf(struct vmxmon_vcpu *vcpu)
{
	if (!(to_vmx(vcpu)->debug.control & KVM_GUESTDBG_SINGLESTEP))
		return false;
	vmx_debug_exit(vcpu, X86_TRAP_DB, VMX_DR6_BS);
	return true;
}

/* Does the debugger single-step with the monitor trap flag (vmx_update_mtf())? */
bool vmx_guest_debug_uses_mtf(struct vmx_vcpu *vmx)
{
	return (vmx->debug.control & KVM_GUESTDBG_SINGLESTEP) && vmx_has_mtf();
}

/* Deliver the guest's INT3 (@len bytes) at the next entry: a soft exception (SDM 27.6.1.1). */
void vmx_inject_bp(struct vmxmon_vcpu *vcpu, u32 len)
{
	vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, len);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
		     X86_TRAP_BP | INTR_TYPE_SOFT_EXCEPTION | INTR_INFO_VALID_MASK);
	to_vmx(vcpu)->ev.handler_injected = true;
}

/*
 * A #DB or #BP exit (vmx_handle_exception_nmi()): 0 with KVM_EXIT_DEBUG when the debugger
 * takes it, 1 when it is the guest's own (the caller delivers it).
 */
int vmx_guest_debug_exception(struct vmxmon_vcpu *vcpu, u8 vector)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vector == X86_TRAP_BP) {
		if (!(vmx->debug.control & KVM_GUESTDBG_USE_SW_BP))
			return 1;
		/* For KVM_GUESTDBG_INJECT_BP: the guest's INT3 is re-delivered with it. */
		vmx->debug.bp_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
		return vmx_debug_exit(vcpu, X86_TRAP_BP, 0);
	}
	if (!(vmx->debug.control & (KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)))
		return 1;
	return vmx_debug_exit(vcpu, X86_TRAP_DB, vmcs_readl(EXIT_QUALIFICATION));
}

/*
 * IRQs off, before each VM entry while debugging. TF-stepping keeps TF set (the guest may
 * have cleared it with POPF) and, as KVM's vmx_vcpu_run(), drops an STI/MOV-SS shadow: with
 * TF set there, VM entry would insist on a pending single-step #DB (SDM Vol. 3C 27.3.1.5).
 * MTF needs neither.
 */
void vmx_guest_debug_before_entry(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 intr;

	if (!vmx_debug_tf_step(vmx))
		return;
	vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) | X86_EFLAGS_TF);
	vmx_drop_stale_pending_bs(vmx);	/* a Bochs 2.7 quirk (vmx/guest.c) */
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

static void vmx_debug_update_controls(struct vmx_vcpu *vmx)
{
	u32 bitmap = vmcs_config.exception_bitmap;

	vmx_update_mtf(vmx);
	if (vmx->debug.control & KVM_GUESTDBG_USE_SW_BP)
		bitmap |= BIT(X86_TRAP_BP);
	vmcs_write32(EXCEPTION_BITMAP, bitmap);
}

/* KVM_SET_GUEST_DEBUG (VMCS loaded). */
int vmx_set_guest_debug(struct vmxmon_vcpu *vcpu, const struct kvm_guest_debug *dbg)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest_debug *d = &vmx->debug;
	u32 control = dbg->control;
	unsigned long rflags, guest_dr7;
	int i;

	if ((control & ~VMX_GUESTDBG_VALID) || dbg->pad ||
	    ((control & KVM_GUESTDBG_ENABLE) && (control & KVM_GUESTDBG_USE_HW_BP) &&
	     (dbg->arch.debugreg[7] >> 32)))
		return -EINVAL;
	if (control & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		/* An exception already waits for the entry (KVM: kvm_is_exception_pending()). */
		if (vmx->ev.handler_injected ||
		    ((vmx->ev.reinject_info & VECTORING_INFO_VALID_MASK) &&
		     (vmx->ev.reinject_info & VECTORING_INFO_TYPE_MASK) != INTR_TYPE_EXT_INTR &&
		     (vmx->ev.reinject_info & VECTORING_INFO_TYPE_MASK) != INTR_TYPE_NMI_INTR))
			return -EBUSY;
		/* As KVM: #BP as a soft exception, the length of the last INT3 that exited. */
		if (control & KVM_GUESTDBG_INJECT_DB)
			vmx_inject_exception(vcpu, X86_TRAP_DB, false, 0);
		else
			vmx_inject_bp(vcpu, d->bp_len ? d->bp_len : 1);
	}

	rflags = vmx_guest_debug_get_rflags(vmx, vmcs_readl(GUEST_RFLAGS));
	guest_dr7 = vmx_guest_dr7(vmx);
	d->control = (control & KVM_GUESTDBG_ENABLE) ? control : 0;
	d->step_done = false;
	if (d->control & KVM_GUESTDBG_USE_HW_BP) {
		for (i = 0; i < 4; i++)
			d->dr[i] = dbg->arch.debugreg[i];
		d->guest_dr7 = guest_dr7;
		vmcs_writel(GUEST_DR7, (dbg->arch.debugreg[7] & ~VMX_DR7_RESERVED_0) |
			    VMX_DR7_INIT);
		vmx->dr7_armed = dbg->arch.debugreg[7] & 0xff;
	} else {
		vmx_set_dr7(vmx, guest_dr7);
	}
	vmcs_writel(GUEST_RFLAGS, vmx_guest_debug_set_rflags(vmx, rflags));
	vmx_debug_update_controls(vmx);
	return 0;
}
