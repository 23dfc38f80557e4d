// SPDX-License-Identifier: GPL-2.0
/* /dev/vmxmon: the system fd of the KVM API subset (include/uapi/vmxmon.h). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "include/uapi/vmxmon.h"
#include "kmod/vmxmon.h"

/*
 * KVM_CHECK_EXTENSION: the truth about what works. A capability is listed here only once
 * it is implemented and tested; everything else is 0, as KVM answers for what it lacks.
 */
static long vmxmon_check_extension(long ext)
{
	switch (ext) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_INTR_SHADOW:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_SPLIT_IRQCHIP:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_TSC_DEADLINE_TIMER:
		return 1;
	case KVM_CAP_IRQ_ROUTING:
		return 4096;		/* KVM_MAX_IRQ_ROUTES */
	case KVM_CAP_NR_MEMSLOTS:
		return VMXMON_USER_MEMSLOTS;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
		return VMXMON_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		return VMXMON_MAX_VCPU_ID;
	default:
		return 0;
	}
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
