// SPDX-License-Identifier: GPL-2.0
/*
 * The VT-x backend as kmod/ sees it: one ops table (kmod/backend.h), whose x86 parts are
 * x86/'s own functions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/preempt.h>

#include "vmx/vmx.h"
#include "x86/lapic.h"

static int vmx_hardware_setup(void)
{
	int r;

	/* The boot CPU's capabilities are the reference; every CPU is compared at VMXON. */
	preempt_disable();
	r = vmx_caps_check(&vmx_caps);
	preempt_enable();
	if (r)
		return r;
	r = vmx_setup_vmcs_config();
	if (r)
		return r;
	vmx_msrs_setup();
	x86_set_backend(&vmx_x86_ops);
	x86_cpuid_setup(vmcs_config_allows_rdtscp());
	r = vmx_cpus_alloc();
	if (r)
		return r;
	r = vmx_msr_bitmap_alloc();
	if (r) {
		vmx_cpus_free();
		return r;
	}
	pr_info("VT-x: VMCS revision %#x, EPT, unrestricted guest%s\n",
		vmx_caps.revision_id, vmx_caps.has_vpid ? ", VPID" : "");
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	vmx_msr_bitmap_free();
	vmx_cpus_free();
}

static bool vmx_vcpu_can_enter_op(struct vmxmon_vcpu *vcpu)
{
	bool r;

	vmx_share_hold(vcpu);
	r = vmx_vcpu_can_enter(vcpu);
	vmx_share_release(vcpu);
	return r;
}

/*
 * KVM_RUN's start, after userspace completed an exit (kmod/vcpu.c), outside any section:
 * a stepped instruction that completed there becomes KVM_EXIT_DEBUG, which reads the
 * guest's RIP, CS base and DR7 from the VMCS. In share mode only inside a section
 * (vmx/share.c): there the VMCS current outside one is the other hypervisor's, or none.
 * Nothing to read (no section to pay) unless a step completed.
 */
static int vmx_guest_debug_step_exit_op(struct vmxmon_vcpu *vcpu)
{
	int r;

	if (likely(!to_vmx(vcpu)->debug.step_done))
		return 1;
	vmx_share_hold(vcpu);
	r = vmx_guest_debug_step_exit(vcpu);
	vmx_share_release(vcpu);
	return r;
}

const struct vmxmon_backend_ops vmx_backend_ops = {
	.name			= "vmx",
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.emergency_disable	= vmx_emergency_disable,
	.cpu_stats		= vmx_cpu_stats,
	.set_share_mode		= vmx_share_set_mode,
	.sleep_begin		= vmx_share_sleep_begin,
	.sleep_end		= vmx_share_sleep_end,
	.pages_held		= vmx_pages_held,
	.guest_pages_mapped	= vmx_guest_pages_mapped,
	.guest_2m_leaves	= vmx_guest_2m_leaves,
	.guest_1g_leaves	= vmx_guest_1g_leaves,
	.intercept_stats	= vmx_intercept_stats,
	.exit_reason_name	= vmx_exit_reason_name,
	.vm_init		= vmx_vm_init,
	.vm_destroy		= vmx_vm_destroy,
	.map_gpa		= vmx_map_gpa,
	.zap_gpa		= vmx_zap_gpa,
	.watch_protect		= vmx_ept_watch_protect,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
	.vcpu_load		= vmx_vcpu_load,
	.vcpu_put		= vmx_vcpu_put,
	.vcpu_hold		= vmx_share_hold,
	.vcpu_release		= vmx_share_release,
	.vcpu_run_begin		= vmx_vcpu_run_begin,
	.vcpu_run_end		= vmx_vcpu_run_end,
	.vcpu_run		= vmx_vcpu_run,
	.handle_exit		= vmx_handle_exit_op,
	.get_supported_cpuid	= x86_get_supported_cpuid,
	.set_cpuid		= x86_set_cpuid,
	.get_cpuid		= x86_get_cpuid,
	.msr_index_list		= vmx_msr_index_list_get,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.get_fpu		= x86_get_fpu,
	.set_fpu		= x86_set_fpu,
	.get_xsave		= x86_get_xsave,
	.set_xsave		= x86_set_xsave,
	.get_debugregs		= vmx_get_debugregs,
	.set_debugregs		= vmx_set_debugregs,
	.get_xcrs		= x86_get_xcrs,
	.set_xcrs		= x86_set_xcrs,
	.mce_cap_supported	= x86_mce_cap_supported,
	.setup_mce		= x86_setup_mce,
	.set_mce		= x86_set_mce,
	.vcpu_can_enter		= vmx_vcpu_can_enter_op,
	.vcpu_should_wake	= vmx_vcpu_should_wake,
	.signal_msi		= x86_signal_msi,
	.get_lapic		= x86_get_lapic,
	.set_lapic		= x86_set_lapic,
	.get_mp_state		= vmx_get_mp_state,
	.set_mp_state		= vmx_set_mp_state,
	.queue_interrupt	= vmx_queue_interrupt,
	.queue_nmi		= vmx_queue_nmi,
	.get_vcpu_events	= vmx_get_vcpu_events,
	.set_vcpu_events	= vmx_set_vcpu_events,
	.get_regs		= vmx_get_regs,
	.set_regs		= vmx_set_regs,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.set_guest_debug	= vmx_set_guest_debug,
	.debug_step_exit	= vmx_guest_debug_step_exit_op,
};
