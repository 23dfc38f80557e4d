// SPDX-License-Identifier: GPL-2.0
/* The VT-x backend as kmod/ sees it: one ops table (kmod/backend.h). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/preempt.h>

#include "vmx/vmx.h"

static int vmx_hardware_setup(void)
{
	int r;

	/* The boot CPU's capabilities are the reference; every CPU is compared at VMXON. */
	preempt_disable();
	r = vmx_caps_check(&vmx_caps);
	preempt_enable();
	if (r)
		return r;
	r = vmx_cpus_alloc();
	if (r)
		return r;
	pr_info("VT-x: VMCS revision %#x, EPT, unrestricted guest%s\n",
		vmx_caps.revision_id, vmx_caps.has_vpid ? ", VPID" : "");
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	vmx_cpus_free();
}

const struct vmxmon_backend_ops vmx_backend_ops = {
	.name			= "vmx",
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.cpu_stats		= vmx_cpu_stats,
	.pages_held		= vmx_pages_held,
};
