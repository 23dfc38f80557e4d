// SPDX-License-Identifier: GPL-2.0
/* /dev/vmxmon: the system fd of the KVM API subset (include/uapi/vmxmon.h). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <asm/cpufeature.h>

#include "include/uapi/vmxmon.h"
#include "include/uapi/vmxmon_caps.h"
#include "kmod/vmxmon.h"

/*
 * KVM_CHECK_EXTENSION, on the system fd and on VM fds (KVM_CAP_CHECK_EXTENSION_VM): the
 * answers, with the reason for each, are the table in include/uapi/vmxmon_caps.h.
 */
long vmxmon_check_extension(long ext)
{
	long answer;

	switch (ext) {
#define CAP(cap, value, reason)	case cap: answer = value; break;
	VMXMON_CAPS(CAP)
#undef CAP
	default:
		return 0;	/* not a capability of <linux/kvm.h> 6.1 */
	}
	if (answer == VMXMON_CAP_HOST_XSAVE)	/* as KVM: XCR0 only with XSAVE in the host */
		return boot_cpu_has(X86_FEATURE_XSAVE) && boot_cpu_has(X86_FEATURE_OSXSAVE);
	if (answer == VMXMON_CAP_ONLINE_CPUS)	/* KVM_CAP_NR_VCPUS: the recommended count */
		return min_t(long, num_online_cpus(), VMXMON_MAX_VCPUS);
	return answer;
}

static long vmxmon_dev_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return VMXMON_KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return vmxmon_check_extension(arg);
	case KVM_CREATE_VM:
		return vmxmon_vm_create(arg);
	case KVM_GET_SUPPORTED_CPUID:
		return vmxmon_get_supported_cpuid((void __user *)arg);
	case KVM_GET_MSR_INDEX_LIST:
		return vmxmon_get_msr_index_list((void __user *)arg);
	case KVM_X86_GET_MCE_CAP_SUPPORTED: {
		u64 cap = vmxmon_ops->mce_cap_supported();

		return vmxmon_copy_out((void __user *)arg, &cap);
	}
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return 2 * PAGE_SIZE;	/* struct kvm_run, then the port-I/O data page */
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmxmon_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmxmon_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vmxmon_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmxmon",
	.fops	= &vmxmon_dev_fops,
	.mode	= 0660,		/* scripts/60-vmxmon.rules gives it group kvm */
};

int vmxmon_dev_init(void)
{
	return misc_register(&vmxmon_dev);
}

void vmxmon_dev_exit(void)
{
	misc_deregister(&vmxmon_dev);
}
