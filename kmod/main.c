// SPDX-License-Identifier: GPL-2.0
/*
 * vmxmon: a small VT-x hypervisor behind /dev/vmxmon, speaking a subset of the KVM API.
 * Module load and unload; everything else lives in the files named below.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kmod/vmxmon.h"

#ifndef CONFIG_PREEMPT_NOTIFIERS
#error "vmxmon needs CONFIG_PREEMPT_NOTIFIERS (kernels that build KVM have it)"
#endif

const struct vmxmon_backend_ops *vmxmon_ops = &vmx_backend_ops;

static int __init vmxmon_init(void)
{
	int r;

	r = vmxmon_ops->hardware_setup();	/* logs what is missing */
	if (r)
		return r;
	r = vmxmon_virt_init();
	if (r)
		goto out_unsetup;
	r = vmxmon_irqfd_init();
	if (r)
		goto out_virt;
	vmxmon_vcpu_init();
	vmxmon_debugfs_init();
	/* Last: once the device exists, anyone may create a VM. */
	r = vmxmon_dev_init();
	if (r)
		goto out_debugfs;
	return 0;

out_debugfs:
	vmxmon_debugfs_exit();
	vmxmon_vcpu_exit();
	vmxmon_irqfd_exit();
out_virt:
	vmxmon_virt_exit();
out_unsetup:
	vmxmon_ops->hardware_unsetup();
	return r;
}

static void __exit vmxmon_exit(void)
{
	vmxmon_dev_exit();
	vmxmon_debugfs_exit();
	vmxmon_vcpu_exit();
	vmxmon_irqfd_exit();
	vmxmon_virt_exit();
	vmxmon_ops->hardware_unsetup();
}

module_init(vmxmon_init);
module_exit(vmxmon_exit);

MODULE_DESCRIPTION("vmxmon: a small VT-x hypervisor with a KVM-compatible /dev/vmxmon");
MODULE_LICENSE("GPL");
