// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object and its fd. A VM holds VMX operation on every CPU (kmod/hw.c) and, through
 * its fd's file_operations, a reference on the module, so vmxmon cannot be unloaded while a
 * VM exists. Closing the last reference to the fd (including at the exit of a killed
 * process) frees everything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "kmod/vmxmon.h"

static DEFINE_MUTEX(vmxmon_vm_lock);	/* protects vmxmon_vm_list */
static LIST_HEAD(vmxmon_vm_list);	/* every live VM */
static unsigned int vmxmon_nr_vms;	/* length of vmxmon_vm_list */

unsigned int vmxmon_vm_count(void)
{
	return READ_ONCE(vmxmon_nr_vms);
}

static void vmxmon_vm_destroy(struct vmxmon_vm *vm)
{
	mutex_lock(&vmxmon_vm_lock);
	list_del(&vm->list);
	vmxmon_nr_vms--;
	mutex_unlock(&vmxmon_vm_lock);
	vmxmon_hw_put();
	mmdrop(vm->mm);
	kfree(vm);
}

static int vmxmon_vm_release(struct inode *inode, struct file *filp)
{
	vmxmon_vm_destroy(filp->private_data);
	return 0;
}

static long vmxmon_vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct vmxmon_vm *vm = filp->private_data;

	/* A VM belongs to the process that created it (an fd passed elsewhere is inert). */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmxmon_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= vmxmon_vm_release,
	.unlocked_ioctl	= vmxmon_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* KVM_CREATE_VM: returns the new VM's fd. */
int vmxmon_vm_create(unsigned long type)
{
	struct vmxmon_vm *vm;
	int r;

	if (type != 0)		/* x86 KVM: only the default machine type */
		return -EINVAL;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	r = vmxmon_hw_get();
	if (r)
		goto out_free;
	mmgrab(current->mm);
	vm->mm = current->mm;

	mutex_lock(&vmxmon_vm_lock);
	list_add(&vm->list, &vmxmon_vm_list);
	vmxmon_nr_vms++;
	mutex_unlock(&vmxmon_vm_lock);

	/* From here the fd owns the VM: release() undoes everything above. */
	r = anon_inode_getfd("vmxmon-vm", &vmxmon_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		vmxmon_vm_destroy(vm);
	return r;

out_free:
	kfree(vm);
	return r;
}
