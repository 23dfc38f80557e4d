// SPDX-License-Identifier: GPL-2.0
/*
 * EPT watchpoints, the mechanism (the ABI is in include/uapi/vmxmon.h, the list of watches
 * in kmod/watch.c). One access, start to end:
 *
 *  1. A watched page is mapped without the permissions its watches cover (vmx/ept.c:
 *     ept_leaf_perms()), so the access is an EPT violation before it happens (SDM Vol. 3C
 *     29.3.3.2, a fault-like exit: the instruction has not executed).
 *  2. handle_ept_violation() asks vmx_watch_ept_violation() first. An access whose kind
 *     (exit qualification bits 2:0) the page's protection does not block is an ordinary
 *     demand fault (the leaf was zapped by the MMU notifier, or is read-only because the
 *     host page was not written yet): it is mapped as always, with the watch's permissions
 *     taken away, and retried. One that is blocked is the watch's: if a watch of that kind
 *     holds its address, KVM_RUN returns VMXMON_EXIT_EPT_WATCH (GPA, linear address if the
 *     qualification's bit 7 says it is valid, RIP, kind) and the step begins at the next
 *     KVM_RUN (vcpu->complete_userspace_io); otherwise the step begins at once.
 *  3. The step: the page is opened for this vCPU (kmod/watch.c lists it as stepped; its
 *     leaf gets all permissions; opening needs no TLB flush) and the guest runs exactly
 *     one instruction, with no event injected (vmx_events_before_entry() holds NMIs and
 *     interrupts, and the windows, as KVM_GUESTDBG_BLOCKIRQ does for single-stepping):
 *       - with the monitor trap flag (SDM Vol. 3C 26.5.2, "Monitor Trap Flag"): an MTF
 *         VM exit follows the instruction, or the delivery of an exception it raised;
 *       - without it (Bochs offers no MTF, testbed.md), RFLAGS.TF and the #DB intercept
 *         every VMCS has: the single-step trap after the instruction exits (SDM Vol. 3B
 *         18.3.1.4). The guest's own TF is kept and its #DB delivered;
 *       - if the EPT violation came while the CPU delivered an event (IDT-vectoring info
 *         valid, SDM Vol. 3C 28.2.4: an IDT, GDT or stack access), that event is injected
 *         again at the next entry (vmx_events_before_entry(), as for every such exit) and
 *         the step is its delivery: the VMX-preemption timer is set to 0, so the VM exits
 *         right after the injected event is delivered, before the handler's first
 *         instruction (SDM Vol. 3C 27.7.4 "VMX-Preemption Timer"; kvm_intel uses the same
 *         property for its immediate exits). Without the timer, MTF or TF as above.
 *     The instruction's other accesses to watched pages (the second page of an access or
 *     of an instruction that crosses a page, a stack page of the exception it raises)
 *     fault in turn during the step and are handled the same way: each page is added
 *     to the step, and a hit on it exits to userspace again.
 *  4. The step ends (the MTF exit, the #DB trap, the timer exit, or the instruction
 *     completed in vmxmon's hands: an MMIO or I/O instruction, vmx_watch_insn_done()):
 *     the pages are closed again (->watch_protect(), which flushes every vCPU's TLB) and
 *     the watch stays armed.
 *
 * How this differs from KVM: KVM has no watchpoints on guest-physical memory. Its closest
 * mechanisms are write tracking (kvm_page_track, KVM_PAGE_TRACK_WRITE, used for shadow page
 * tables and GVT-g), which write-protects the page and *emulates* the faulting write with
 * its instruction emulator, calling the trackers before and after; and dirty logging,
 * which write-protects (or uses PML) and on the first write simply makes the page writable
 * again. Emulation would need an emulator for every instruction that may touch the page
 * (and cannot "emulate" a fetch); stepping lets the CPU do the access itself, for any
 * instruction, at the price of the open window in the ABI text (the EPT is one per VM).
 *
 * Known limits of the TF fallback (Bochs), absent with MTF: the stepped instruction sees
 * TF set (PUSHF pushes it); if it faults, the exception is delivered with TF set in the
 * pushed RFLAGS and the step ends at the next exit; the single-step #DB that then follows
 * the handler's IRET is swallowed once (tf_leak).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

/* Pages one instruction may step over, with its event delivery: plenty. */
#define VMX_WATCH_STEP_PAGES	8

static bool vmx_watch_has_timer(void)
{
	return vmcs_config.pin & PIN_BASED_VMX_PREEMPTION_TIMER;
}

/*
 * Give @gpa's page the permissions the watches and steps allow now. That takes ept_lock and
 * waits for every vCPU's TLB flush: in share mode (vmx/share.c) the section ends around it.
 */
static void vmx_watch_protect_page(struct vmxmon_vcpu *vcpu, u64 gpa)
{
	void *tok = vmxmon_sleep_begin();

	vmx_ept_watch_protect(vcpu->vm, gpa & PAGE_MASK, (gpa & PAGE_MASK) + PAGE_SIZE);
	vmxmon_sleep_end(tok);
}

/* Step 3 above: open @gpa's page for this vCPU, and arm the step unless it is armed. */
static int vmx_watch_step_begin(struct vmxmon_vcpu *vcpu, u64 gpa)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_watch_step *st = &vmx->watch;

	if (vmxmon_watch_step_add(vcpu->vm, vcpu, gpa)) {
		u64 data[2] = { EXIT_REASON_EPT_VIOLATION, gpa };

		pr_warn_ratelimited("vcpu %u: too many pages stepped over watches\n", vcpu->id);
		return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2,
					  data);
	}
	vmx_watch_protect_page(vcpu, gpa);
	if (st->mode != VMX_STEP_NONE)
		return 1;
	if ((vmx->ev.reinject_info & VECTORING_INFO_VALID_MASK) && vmx_watch_has_timer()) {
		st->mode = VMX_STEP_EVENT;
		st->timer = vmcs_read32(VMX_PREEMPTION_TIMER_VALUE);
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, 0);
	} else if (vmx_has_mtf()) {
		st->mode = VMX_STEP_MTF;
		vmx_update_mtf(vmx);
	} else {
		unsigned long rflags = vmcs_readl(GUEST_RFLAGS);
		u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

		st->mode = VMX_STEP_TF;
		st->guest_tf = rflags & X86_EFLAGS_TF;
		vmcs_writel(GUEST_RFLAGS, rflags | X86_EFLAGS_TF);
		/*
		 * VM entry with TF set in an STI or MOV-SS shadow requires a pending single-step
		 * #DB (SDM Vol. 3C 27.3.1.5). Behind MOV SS it is held until the next
		 * instruction completes: what the step wants. An STI shadow only holds off
		 * interrupts, and none is injected during the step: drop it instead (the
		 * stepped instruction is the one it covered).
		 */
		if (intr & GUEST_INTR_STATE_MOV_SS)
			vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
				    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
		else if (intr & GUEST_INTR_STATE_STI)
			vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr & ~GUEST_INTR_STATE_STI);
	}
	return 1;
}

/* Step 4: disarm, and close the pages this vCPU stepped over. */
static void vmx_watch_step_end(struct vmxmon_vcpu *vcpu, bool restore_tf)
{
	struct vmx_watch_step *st = &to_vmx(vcpu)->watch;
	u64 pages[VMX_WATCH_STEP_PAGES];
	unsigned int i, n;
	u8 mode = st->mode;

	st->mode = VMX_STEP_NONE;
	switch (mode) {
	case VMX_STEP_MTF:
		vmx_update_mtf(to_vmx(vcpu));	/* a debugger's step may keep it */
		break;
	case VMX_STEP_TF:
		if (restore_tf && !st->guest_tf)
			vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) & ~X86_EFLAGS_TF);
		vmx_drop_stale_pending_bs(to_vmx(vcpu));	/* a Bochs quirk (vmx/guest.c) */
		break;
	case VMX_STEP_EVENT:
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, st->timer);
		break;
	}
	do {
		n = vmxmon_watch_step_clear(vcpu->vm, vcpu, pages, ARRAY_SIZE(pages));
		for (i = 0; i < n; i++)
			vmx_watch_protect_page(vcpu, pages[i]);
	} while (n == ARRAY_SIZE(pages));
}

/* The next KVM_RUN after VMXMON_EXIT_EPT_WATCH: let the access happen. */
static int vmx_watch_complete(struct vmxmon_vcpu *vcpu)
{
	return vmx_watch_step_begin(vcpu, to_vmx(vcpu)->watch.hit_gpa);
}

/*
 * Step 2: an EPT violation at @gpa. False if no watch is involved (the caller faults the
 * page in); else true with *@r the exit handler's result.
 */
bool vmx_watch_ept_violation(struct vmxmon_vcpu *vcpu, u64 gpa, unsigned long qual, int *r)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 access = qual & VMXMON_EPT_WATCH_ACCESS;
	struct vmxmon_ept_watch_exit *x;
	struct vmxmon_ept_watch w;

	if (!vmx_ept_watch_blocks(vcpu->vm, gpa, access))
		return false;
	if (!vmxmon_watch_lookup(vcpu->vm, gpa, access, &w)) {
		*r = vmx_watch_step_begin(vcpu, gpa);	/* the page, not the range: silently */
		return true;
	}
	x = vmxmon_run_ept_watch(vcpu->run);
	memset(x, 0, sizeof(*x));
	x->gpa = gpa;
	x->rip = vmcs_readl(GUEST_RIP);
	x->access = access;
	/* SDM Vol. 3C 28.2.1, table "Exit Qualification for EPT Violations", bits 7 and 8. */
	if (qual & EPT_VIOLATION_GVA_IS_VALID) {
		x->flags |= VMXMON_EPT_WATCH_EXIT_GLA;
		x->gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
		if (!(qual & EPT_VIOLATION_GVA_TRANSLATED))
			x->flags |= VMXMON_EPT_WATCH_EXIT_PAGING;
	}
	if (vmx->ev.reinject_info & VECTORING_INFO_VALID_MASK)
		x->flags |= VMXMON_EPT_WATCH_EXIT_EVENT;
	x->watch_gpa = w.gpa;
	x->watch_len = w.len;
	x->watch_flags = w.flags;
	vcpu->run->exit_reason = VMXMON_EXIT_EPT_WATCH;
	vmx->watch.hit_gpa = gpa;
	vcpu->complete_userspace_io = vmx_watch_complete;
	*r = 0;
	return true;
}

/*
 * Every exit while a TF step is armed (vmx_handle_exit()): an instruction that cleared TF
 * itself (POPF, IRET) or raised an exception (delivery clears TF; the pushed RFLAGS keeps
 * it) ends the step without the #DB trap. The first is complete; for the second, the
 * handler's IRET brings our TF back and the #DB after the next instruction is ours.
 */
void vmx_watch_on_exit(struct vmxmon_vcpu *vcpu)
{
	struct vmx_watch_step *st = &to_vmx(vcpu)->watch;

	if (st->mode != VMX_STEP_TF)
		return;
	if (!(vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF)) {
		st->tf_leak = !st->guest_tf;
		vmx_watch_step_end(vcpu, false);
	} else if ((to_vmx(vcpu)->exit_reason & 0xffff) == EXIT_REASON_EPT_VIOLATION) {
		vmx_drop_stale_pending_bs(to_vmx(vcpu));	/* the instruction runs again */
	}
}

/* The MTF exit (handle_monitor_trap()): ours if a watch step armed it. 1: resume. */
int vmx_watch_mtf(struct vmxmon_vcpu *vcpu)
{
	if (to_vmx(vcpu)->watch.mode == VMX_STEP_MTF)
		vmx_watch_step_end(vcpu, true);
	return 1;
}

/*
 * A #DB exit with *@payload (exit qualification: B0-B3, BD, BS). The single-step trap of a
 * TF step is ours: end the step, and leave the guest what is left (BS too if the guest had
 * TF set itself; breakpoints that matched). True if nothing is left to deliver.
 */
bool vmx_watch_db(struct vmxmon_vcpu *vcpu, unsigned long *payload)
{
	struct vmx_watch_step *st = &to_vmx(vcpu)->watch;
	bool keep_bs;

	if (!(*payload & DR_STEP))
		return false;
	if (st->mode == VMX_STEP_TF) {
		keep_bs = st->guest_tf;
		vmx_watch_step_end(vcpu, true);
	} else if (st->tf_leak) {
		st->tf_leak = false;
		keep_bs = false;
		vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) & ~X86_EFLAGS_TF);
	} else {
		return false;
	}
	if (!keep_bs)
		*payload &= ~(unsigned long)DR_STEP;
	return !(*payload & (DR_TRAP_BITS | DR_STEP));
}

/*
 * A #DB exit while the debugger takes every #DB (KVM_GUESTDBG_SINGLESTEP or USE_HW_BP,
 * vmx/debug.c), asked before it: the single-step trap of a TF step ends the step here too,
 * else the pages stay open (their watches blind for this vCPU) until some later exit
 * notices, and a debugger that only has breakpoints would be handed our trap. True if the
 * trap was only ours (the debugger does not step, the guest had no TF, no breakpoint
 * matched): resume. With MTF the two meet in handle_monitor_trap() instead.
 */
bool vmx_watch_db_before_debugger(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long qual;
	bool guest_tf;

	if (vmx->watch.mode != VMX_STEP_TF ||
	    !(vmx->debug.control & (KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)))
		return false;
	qual = vmcs_readl(EXIT_QUALIFICATION);
	if (!(qual & DR_STEP))
		return false;
	guest_tf = vmx->watch.guest_tf;
	vmx_watch_step_end(vcpu, true);
	return !(vmx->debug.control & KVM_GUESTDBG_SINGLESTEP) && !guest_tf &&
	       !(qual & DR_TRAP_BITS);
}

/* The preemption-timer exit: an event step ends when the event has been delivered. */
void vmx_watch_timer(struct vmxmon_vcpu *vcpu)
{
	if (to_vmx(vcpu)->watch.mode == VMX_STEP_EVENT)
		vmx_watch_step_end(vcpu, true);
}

/* The stepped instruction completed in vmxmon's hands (vmx/guest.c: advance_rip_step()). */
void vmx_watch_insn_done(struct vmxmon_vcpu *vcpu)
{
	u8 mode = to_vmx(vcpu)->watch.mode;

	if (mode == VMX_STEP_MTF || mode == VMX_STEP_TF)
		vmx_watch_step_end(vcpu, true);
}
