// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit dispatch: one handler per basic exit reason (SDM Vol. 3D appendix C).
 *
 * The contract, for every handler:
 *   1    the exit is handled: resume the guest;
 *   0    exit to userspace: vcpu->run is filled (exit_reason and its union member);
 *   < 0  -errno: KVM_RUN fails with it.
 * Reasons without a handler get a ratelimited log, a VMCS dump and
 * KVM_EXIT_INTERNAL_ERROR (KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON): never a host crash.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/nospec.h>
#include <asm/traps.h>

#include "kmod/trace.h"
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

int vmx_handle_unexpected(struct vmxmon_vcpu *vcpu)
{
	u64 data[2] = { to_vmx(vcpu)->exit_reason, vcpu->cpu };

	to_vmx(vcpu)->exit_qual = vmcs_readl(EXIT_QUALIFICATION);
	pr_warn_ratelimited("vcpu %u: unhandled VM exit, reason %u, qualification %#lx\n",
			    vcpu->id, to_vmx(vcpu)->exit_reason, to_vmx(vcpu)->exit_qual);
	vmx_vmcs_dump(vcpu);
	return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2, data);
}

/* The host takes the interrupt as soon as IRQs are enabled again: nothing to do. */
static int handle_external_interrupt(struct vmxmon_vcpu *vcpu)
{
	return 1;
}

/* The guest ran preemption_timer_us without an exit: the host had its chance, resume. */
static int handle_preemption_timer(struct vmxmon_vcpu *vcpu)
{
	vmx_watch_timer(vcpu);	/* or it ended a step over an EPT watch (vmx/watch.c) */
	return 1;
}

/*
 * The monitor trap flag: the instruction (or event delivery) after an entry with it set. Two
 * users: a step over an EPT watch ends (vmx/watch.c), and a debugger that single-steps
 * hears of it (vmx/debug.c: KVM_EXIT_DEBUG). Both may have armed the same exit.
 */
static int handle_monitor_trap(struct vmxmon_vcpu *vcpu)
{
	vmx_watch_mtf(vcpu);
	return vmx_guest_debug_mtf(vcpu) ? 0 : 1;
}

/*
 * The guest lowered CR8 (its TPR shadow) below TPR_THRESHOLD: a vector the TPR held back may
 * be deliverable now. Resuming re-evaluates it (vmx_events_before_entry()).
 */
static int handle_tpr_below_threshold(struct vmxmon_vcpu *vcpu)
{
	return 1;
}

static int handle_triple_fault(struct vmxmon_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int handle_cpuid(struct vmxmon_vcpu *vcpu)
{
	unsigned long *regs = vcpu_x86(vcpu)->regs;
	u32 eax, ebx, ecx, edx;

	x86_cpuid(vcpu, regs[VCPU_RAX], regs[VCPU_RCX], &eax, &ebx, &ecx, &edx);
	regs[VCPU_RAX] = eax;
	regs[VCPU_RBX] = ebx;
	regs[VCPU_RCX] = ecx;
	regs[VCPU_RDX] = edx;
	vmx_skip_instruction(vcpu);
	return 1;
}

static int handle_hlt(struct vmxmon_vcpu *vcpu)
{
	if (vcpu_x86(vcpu)->lapic)	/* interrupts come from the kernel: sleep here */
		return vmx_handle_hlt_in_kernel(vcpu);
	vmx_skip_instruction(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

/* INVD would drop dirty cache lines of the host: do nothing, as KVM does. */
static int handle_invd(struct vmxmon_vcpu *vcpu)
{
	vmx_skip_instruction(vcpu);
	return 1;
}

/* No PMU is exposed: RDPMC of any counter is #GP(0). */
static int handle_rdpmc(struct vmxmon_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
	return 1;
}

/* No hypercalls yet: -KVM_ENOSYS for every number, -KVM_EPERM outside ring 0, as KVM. */
static int handle_vmcall(struct vmxmon_vcpu *vcpu)
{
	unsigned long ret = vmx_guest_cpl() ? -KVM_EPERM : -KVM_ENOSYS;

	if (!vmx_guest_64bit())
		ret = (u32)ret;
	vcpu->stat.hypercalls++;
	trace_vmxmon_hypercall(vcpu->id, vcpu_x86(vcpu)->regs[VCPU_RAX],
			       vcpu_x86(vcpu)->regs[VCPU_RBX], ret);
	vcpu_x86(vcpu)->regs[VCPU_RAX] = ret;
	vmx_skip_instruction(vcpu);
	return 1;
}

/* VMX instructions, GETSEC and MONITOR/MWAIT: not offered to guests (#UD). */
static int handle_ud(struct vmxmon_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return 1;
}

static int handle_io(struct vmxmon_vcpu *vcpu)
{
	return vmx_handle_io(vcpu);
}

/* Emulate the instruction that accessed MMIO at @gpa, unless an event was being delivered. */
static int emulate_access(struct vmxmon_vcpu *vcpu, u64 gpa, bool write)
{
	if (to_vmx(vcpu)->ev.reinject_info) {
		/* The guest's IDT or stack is not RAM: no device can answer that. */
		u64 data[2] = { to_vmx(vcpu)->ev.reinject_info, gpa };

		return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_DELIVERY_EV, 2, data);
	}
	return x86_emulate_mmio(vcpu, gpa, write);
}

/*
 * An EPT violation: guest RAM not mapped yet (or mapped read-only and now written; or
 * zapped by the host mm) is faulted in and the access retried (kmod/memslot.c); an access
 * outside guest RAM, or a write to a read-only slot, is MMIO.
 */
static int handle_ept_violation(struct vmxmon_vcpu *vcpu)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	bool write = qual & EPT_VIOLATION_ACC_WRITE;
	void *tok;
	int r;

	/*
	 * An IRET that unblocked NMIs faulted: the access is retried, so NMIs are blocked
	 * again, as the IRET has not completed (SDM Vol. 3C 28.2.3, "Information About NMI
	 * Unblocking Due to IRET"; KVM's handle_ept_violation() does the same). Not when the
	 * exit came during event delivery: the bit is then undefined.
	 */
	if ((qual & INTR_INFO_UNBLOCK_NMI) && (vmcs_config.pin & PIN_BASED_VIRTUAL_NMIS) &&
	    !(to_vmx(vcpu)->ev.reinject_info & VECTORING_INFO_VALID_MASK))
		vmcs_set_bits32(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	/* A page with an EPT watch, protected against this access (vmx/watch.c)? */
	if (vmx_watch_ept_violation(vcpu, gpa, qual, &r))
		return r;
	tok = vmxmon_sleep_begin();
	r = vmxmon_gpa_fault(vcpu->vm, gpa, write);	/* may sleep: the VMCS follows us */
	vmxmon_sleep_end(tok);
	if (!r)
		r = emulate_access(vcpu, gpa, write);
	else if (r > 0)
		r = 2;		/* mapped (for the account below; still "resume") */
	vmx_account_ept_violation(vcpu, gpa, qual, r);
	return min(r, 1);
}

/*
 * The APIC-access page (vmx/apic_access.c): an access the CPU did not virtualize (all but
 * the TPR), before it happened (fault-like, SDM Vol. 3C 29.4.1). Linear reads and writes
 * go through the MMIO emulator to the APIC, at its base + the offset in bits 11:0.
 * Fetches, accesses while delivering an event and guest-physical ones (a guest page walk
 * through the APIC page) are not emulated, as KVM's emulator cannot do them either.
 */
static int handle_apic_access(struct vmxmon_vcpu *vcpu)
{
	struct x86_lapic *a = vcpu_x86(vcpu)->lapic;
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned long type = qual & APIC_ACCESS_TYPE;
	u64 data[3] = { 0, EXIT_REASON_APIC_ACCESS, qual };	/* flags: no instruction bytes */

	if (a && (type == TYPE_LINEAR_APIC_INST_READ || type == TYPE_LINEAR_APIC_INST_WRITE))
		return emulate_access(vcpu, (x86_lapic_get_base(a) & PAGE_MASK) +
					    (qual & APIC_ACCESS_OFFSET),
				      type == TYPE_LINEAR_APIC_INST_WRITE);
	pr_warn_ratelimited("vcpu %u: APIC-access exit of access type %lu at offset %#lx: not emulated\n",
			    vcpu->id, type >> 12, qual & APIC_ACCESS_OFFSET);
	return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, 3, data);
}

static int handle_ept_misconfig(struct vmxmon_vcpu *vcpu)
{
	u64 data[2] = { to_vmx(vcpu)->exit_reason, vmcs_read64(GUEST_PHYSICAL_ADDRESS) };

	/* vmxmon wrote a bad EPT entry: a bug worth a (ratelimited) report. */
	pr_err_ratelimited("vcpu %u: EPT misconfiguration at GPA %#llx\n", vcpu->id, data[1]);
	return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2, data);
}

static int handle_entry_failure(struct vmxmon_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	vcpu->run->fail_entry.hardware_entry_failure_reason = to_vmx(vcpu)->exit_reason;
	vcpu->run->fail_entry.cpu = vcpu->cpu;
	return 0;
}

static int (*const vmx_exit_handlers[])(struct vmxmon_vcpu *vcpu) = {
	[EXIT_REASON_EXCEPTION_NMI]		= vmx_handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT]		= handle_triple_fault,
	/* SIPIs exit only in the wait-for-SIPI activity state, which no guest is put in. */
	[EXIT_REASON_INIT_SIGNAL]		= vmx_handle_init_signal,
	[EXIT_REASON_CPUID]			= handle_cpuid,
	[EXIT_REASON_HLT]			= handle_hlt,
	[EXIT_REASON_INVD]			= handle_invd,
	[EXIT_REASON_WBINVD]			= vmx_handle_wbinvd,
	[EXIT_REASON_RDPMC]			= handle_rdpmc,
	[EXIT_REASON_VMCALL]			= handle_vmcall,
	[EXIT_REASON_VMCLEAR]			= handle_ud,
	[EXIT_REASON_VMLAUNCH]			= handle_ud,
	[EXIT_REASON_VMPTRLD]			= handle_ud,
	[EXIT_REASON_VMPTRST]			= handle_ud,
	[EXIT_REASON_VMREAD]			= handle_ud,
	[EXIT_REASON_VMRESUME]			= handle_ud,
	[EXIT_REASON_VMWRITE]			= handle_ud,
	[EXIT_REASON_VMOFF]			= handle_ud,
	[EXIT_REASON_VMON]			= handle_ud,
	[EXIT_REASON_INVEPT]			= handle_ud,
	[EXIT_REASON_INVVPID]			= handle_ud,
	[EXIT_REASON_VMFUNC]			= handle_ud,
	[11 /* GETSEC */]			= handle_ud,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= handle_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= handle_ud,
	[EXIT_REASON_XSETBV]			= vmx_handle_xsetbv,
	[EXIT_REASON_INTERRUPT_WINDOW]		= vmx_handle_interrupt_window,
	[EXIT_REASON_PREEMPTION_TIMER]		= handle_preemption_timer,
	[EXIT_REASON_MONITOR_TRAP_FLAG]		= handle_monitor_trap,
	[EXIT_REASON_TPR_BELOW_THRESHOLD]	= handle_tpr_below_threshold,
	[EXIT_REASON_NMI_WINDOW]		= vmx_handle_nmi_window,
	[EXIT_REASON_CR_ACCESS]			= vmx_handle_cr,
	[EXIT_REASON_DR_ACCESS]			= vmx_handle_dr,
	[EXIT_REASON_MSR_READ]			= vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= vmx_handle_wrmsr,
	[EXIT_REASON_IO_INSTRUCTION]		= handle_io,
	[EXIT_REASON_INVALID_STATE]		= handle_entry_failure,
	[EXIT_REASON_MSR_LOAD_FAIL]		= handle_entry_failure,
	/* The host's handler had the machine check right after the exit; as kvm_intel, the
	 * entry is still reported as failed. */
	[EXIT_REASON_MCE_DURING_VMENTRY]	= handle_entry_failure,
	[EXIT_REASON_APIC_ACCESS]		= handle_apic_access,
	[EXIT_REASON_EPT_VIOLATION]		= handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= handle_ept_misconfig,
	[EXIT_REASON_NOTIFY]			= vmx_handle_notify,
};

/* Statistics and the trace of an EPT violation (@r: 2 mapped, else the exit contract's). */
void vmx_account_ept_violation(struct vmxmon_vcpu *vcpu, u64 gpa, unsigned long qual, int r)
{
	u8 result = VMXMON_EPT_ERROR;

	if (r == 2)
		result = VMXMON_EPT_MAPPED;
	else if (r == 1)
		result = VMXMON_EPT_MMIO_KERNEL;
	else if (r == 0 && vcpu->run->exit_reason == KVM_EXIT_MMIO)
		result = VMXMON_EPT_MMIO_USER;
	vcpu->stat.ept_violation[result]++;
	trace_vmxmon_ept_violation(vcpu->id, gpa, qual, result);
}

static const struct {
	u32 reason;
	const char *name;
} vmx_exit_names[] = { VMX_EXIT_REASONS };

const char *vmx_exit_reason_name(unsigned int reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmx_exit_names); i++)
		if (vmx_exit_names[i].reason == reason)
			return vmx_exit_names[i].name;
	return NULL;
}

/* The exit's tracepoint, whose arguments cost VMREADs: called only when it is enabled. */
static noinline void vmx_trace_exit(struct vmxmon_vcpu *vcpu, u32 reason)
{
	trace_vmxmon_exit(vcpu->id, reason, vmcs_readl(GUEST_RIP),
			  vmcs_readl(EXIT_QUALIFICATION), to_vmx(vcpu)->exit_intr_info);
}

/*
 * With retpolines an indirect call costs a return-stack refill and a speculation trap on
 * every exit: the frequent exits get direct calls, as KVM's __vmx_handle_exit() does under
 * CONFIG_RETPOLINE (its list, with vmxmon's own frequent ones: I/O, EPT violations, CPUID,
 * APIC access). The feature test is an alternative patched at boot: nothing when the host
 * needs no retpolines.
 */
static __always_inline int vmx_dispatch_exit(struct vmxmon_vcpu *vcpu, u16 basic)
{
	if (cpu_feature_enabled(X86_FEATURE_RETPOLINE)) {
		switch (basic) {
		case EXIT_REASON_EXTERNAL_INTERRUPT:	return handle_external_interrupt(vcpu);
		case EXIT_REASON_PREEMPTION_TIMER:	return handle_preemption_timer(vcpu);
		case EXIT_REASON_IO_INSTRUCTION:	return handle_io(vcpu);
		case EXIT_REASON_EPT_VIOLATION:		return handle_ept_violation(vcpu);
		case EXIT_REASON_CPUID:			return handle_cpuid(vcpu);
		case EXIT_REASON_HLT:			return handle_hlt(vcpu);
		case EXIT_REASON_MSR_WRITE:		return vmx_handle_wrmsr(vcpu);
		case EXIT_REASON_APIC_ACCESS:		return handle_apic_access(vcpu);
		}
	}
	return vmx_exit_handlers[basic](vcpu);
}

static __always_inline int __vmx_handle_exit(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 reason = vmx->exit_reason;
	u16 basic;
	int r;

	if (unlikely(vmx->entry_failed)) {
		/* VMLAUNCH/VMRESUME itself failed: report the VM-instruction error. */
		vcpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason = vmx->entry_failed;
		vcpu->run->fail_entry.cpu = vcpu->cpu;
		return 0;
	}
	if (trace_vmxmon_exit_enabled())
		vmx_trace_exit(vcpu, reason);
	if (unlikely(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		return handle_entry_failure(vcpu);

	if (unlikely(vmx->watch.mode == VMX_STEP_TF))
		vmx_watch_on_exit(vcpu);
	basic = reason & 0xffff;
	if (basic < VMXMON_STATS_EXIT_REASONS)
		vcpu->stat.exit_reason[basic]++;
	if (basic >= ARRAY_SIZE(vmx_exit_handlers))
		return vmx_handle_unexpected(vcpu);
	basic = array_index_nospec(basic, ARRAY_SIZE(vmx_exit_handlers));
	if (!vmx_exit_handlers[basic])
		return vmx_handle_unexpected(vcpu);
	r = vmx_dispatch_exit(vcpu, basic);
	/* A debugger steps and the instruction completed here (vmx/debug.c). */
	if (r == 1 && unlikely(vmx->debug.step_done))
		return vmx_guest_debug_step_exit(vcpu);
	/* Userspace asked to hear when it may inject (it has an interrupt for the guest). */
	if (r == 1 && unlikely(vcpu->run->request_interrupt_window) &&
	    vmx_ready_for_interrupt(vcpu)) {
		vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}
	return r;
}

/* Share mode's, inside its section (vmx/vcpu.c: vmx_vcpu_run_share_end()). */
int vmx_handle_exit(struct vmxmon_vcpu *vcpu)
{
	return __vmx_handle_exit(vcpu);
}

/* ->handle_exit(): in share mode vmx_vcpu_run() already handled the exit in its section. */
int vmx_handle_exit_op(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (unlikely(vmx->share.handled)) {
		vmx->share.handled = false;
		return vmx->share.exit_r;
	}
	return __vmx_handle_exit(vcpu);
}
