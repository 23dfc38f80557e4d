// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object and its fd. A VM holds VMX operation on every CPU (kmod/virt.c) and, through
 * its fds' file_operations, a reference on the module, so vmxmon cannot be unloaded while a
 * VM exists. The VM fd and each vCPU fd hold a reference on the VM; the last one to close
 * (including at the exit of a killed process) frees everything: vCPUs (VMCLEAR first),
 * pinned guest RAM, EPT, and finally its hold on VMX operation (which kmod/virt.c keeps for
 * vmx_idle_ms after the last VM).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "kmod/vmxmon.h"
#include "x86/iobus.h"

static DEFINE_MUTEX(vmxmon_vm_list_lock);	/* protects vmxmon_vm_list, vmxmon_nr_vms */
static LIST_HEAD(vmxmon_vm_list);
static unsigned int vmxmon_nr_vms;

unsigned int vmxmon_vm_count(void)
{
	return READ_ONCE(vmxmon_nr_vms);
}

void vmxmon_vm_get(struct vmxmon_vm *vm)
{
	refcount_inc(&vm->users);
}

static void vmxmon_vm_destroy(struct vmxmon_vm *vm)
{
	unsigned int i;

	mutex_lock(&vmxmon_vm_list_lock);
	list_del(&vm->list);
	vmxmon_nr_vms--;
	mutex_unlock(&vmxmon_vm_list_lock);

	/*
	 * Destruction order. No vCPU runs (no fd is left), but two things can still reach
	 * the vCPUs from outside, so both are stopped while vcpus[] is intact:
	 *  1. irqfds: deactivated, and the cleanup workqueue flushed, so no eventfd wakeup or
	 *     queued shutdown injects into a vCPU's APIC after this (irqfd.c: we hold no VM
	 *     reference for them), and the MSI routes are freed.
	 *  2. memslots: until a slot's notifier is removed, the host mm may invalidate it at
	 *     any time (it does not wait for us) and raise requests on vcpus[].
	 * Then the vCPUs; then the ioeventfds and the in-kernel I/O bus they sit on (only a
	 * running vCPU's exit reaches them); then the arch state and the mm.
	 */
	vmxmon_irqfd_vm_destroy(vm);
	vmxmon_memslots_free(vm);
	for (i = 0; i < vm->nr_vcpus; i++) {
		vmxmon_vcpu_free(vm->vcpus[i]);
		vm->vcpus[i] = NULL;
	}
	vm->nr_vcpus = 0;
	vmxmon_ioeventfds_free(vm);
	x86_io_bus_destroy(vm);
	if (vm->arch)
		vmxmon_ops->vm_destroy(vm);
	vmxmon_watches_free(vm);
	vmxmon_virt_put();
	mmdrop(vm->mm);
	kfree(vm);
}

static void vmxmon_ack_kick(void *unused)
{
	/* Running means this CPU took the IPI: a vCPU in guest mode there has left it. */
}

/*
 * The request before the mode check pairs with the run loop, which sets IN_GUEST_MODE,
 * then smp_mb(), then looks at its requests: either the vCPU sees @req before it enters,
 * or we see it in guest mode (on vcpu->cpu, which cannot change before it leaves guest
 * mode) and wait for the IPI that makes it exit (external-interrupt exiting; the IPI
 * function runs only once the exit has re-enabled interrupts).
 */
void vmxmon_vm_request_all(struct vmxmon_vm *vm, unsigned int req, bool wait)
{
	cpumask_var_t cpus;
	/* No sleeping allocation: MMU notifier calls from the OOM reaper may not sleep. */
	bool mask = wait && zalloc_cpumask_var(&cpus, GFP_NOWAIT | __GFP_NOWARN);
	unsigned int i;
	int me;

	me = get_cpu();
	/* vcpus[] fills in order and shrinks only when the VM dies: no lock needed. */
	for (i = 0; i < VMXMON_MAX_VCPUS; i++) {
		struct vmxmon_vcpu *vcpu = smp_load_acquire(&vm->vcpus[i]);
		int cpu;

		if (!vcpu)
			break;
		set_bit(req, &vcpu->requests);
		if (!wait) {
			vmxmon_vcpu_kick(vcpu);
			continue;
		}
		smp_mb__after_atomic();
		if (READ_ONCE(vcpu->mode) != VMXMON_IN_GUEST_MODE)
			continue;	/* it will see the request before it enters */
		cpu = READ_ONCE(vcpu->cpu);
		if (cpu < 0 || cpu == me)
			continue;
		if (mask)
			__cpumask_set_cpu(cpu, cpus);
		else			/* no memory for the mask: one CPU at a time */
			smp_call_function_single(cpu, vmxmon_ack_kick, NULL, 1);
	}
	if (mask)
		smp_call_function_many(cpus, vmxmon_ack_kick, NULL, true);
	put_cpu();
	if (mask)
		free_cpumask_var(cpus);
}

void vmxmon_vm_put(struct vmxmon_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		vmxmon_vm_destroy(vm);
}

static int vmxmon_vm_release(struct inode *inode, struct file *filp)
{
	vmxmon_vm_put(filp->private_data);
	return 0;
}

static long vmxmon_vm_set_memory_region(struct vmxmon_vm *vm, void __user *uarg)
{
	struct kvm_userspace_memory_region mem;
	int r;

	r = vmxmon_copy_in(&mem, uarg);
	if (r)
		return r;
	/* Killable: another thread's pin of a stalled mapping may hold it for long. */
	if (mutex_lock_killable(&vm->slots_lock))
		return -EINTR;
	r = vmxmon_set_memory_region(vm, &mem);
	mutex_unlock(&vm->slots_lock);
	return r;
}

/*
 * KVM_SET_TSS_ADDR and KVM_SET_IDENTITY_MAP_ADDR place helper pages for CPUs without
 * unrestricted guest; vmxmon needs none, but validates them as KVM does so that the same
 * launcher gets the same answers.
 */
static long vmxmon_vm_set_tss_addr(unsigned long addr)
{
	return addr > (unsigned int)(-3 * PAGE_SIZE) ? -EINVAL : 0;
}

static long vmxmon_vm_set_identity_map_addr(struct vmxmon_vm *vm, void __user *uarg)
{
	u64 addr;
	int r = 0;

	if (copy_from_user(&addr, uarg, sizeof(addr)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	if (vm->nr_vcpus)
		r = -EINVAL;	/* only before the first vCPU, as KVM */
	mutex_unlock(&vm->lock);
	return r;
}

#define VMXMON_MAX_IRQ_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES */
/* KVM's MAX_NR_RESERVED_IOAPIC_PINS */
#define VMXMON_MAX_IOAPIC_PINS	VMXMON_MAX_IRQ_ROUTES

/* KVM_ENABLE_CAP on the VM: only KVM_CAP_SPLIT_IRQCHIP, before any vCPU exists. */
static long vmxmon_vm_enable_cap(struct vmxmon_vm *vm, void __user *uarg)
{
	struct kvm_enable_cap cap;
	long r;

	if (vmxmon_copy_in(&cap, uarg))
		return -EFAULT;
	if (cap.flags || memchr_inv(cap.pad, 0, sizeof(cap.pad)) ||
	    cap.cap != KVM_CAP_SPLIT_IRQCHIP || cap.args[0] > VMXMON_MAX_IOAPIC_PINS ||
	    cap.args[1] || cap.args[2] || cap.args[3])
		return -EINVAL;
	mutex_lock(&vm->lock);
	r = -EEXIST;			/* KVM's answer in both cases */
	if (vm->nr_vcpus || vm->split_irqchip)
		goto out;
	vm->split_irqchip = true;
	vm->nr_ioapic_pins = cap.args[0];
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_SET_GSI_ROUTING with a split irqchip: MSI routes only (the IOAPIC is in userspace),
 * at most one per GSI, GSIs below KVM_MAX_IRQ_ROUTES (as KVM). The table is what irqfds
 * deliver through (kmod/irqfd.c); vmxmon also remembers which vectors the IOAPIC's
 * level-triggered pins use, whose EOI must exit to userspace.
 */
static long vmxmon_vm_set_gsi_routing(struct vmxmon_vm *vm, struct kvm_irq_routing __user *u)
{
	struct kvm_irq_routing_entry *e;
	struct kvm_irq_routing hdr;
	DECLARE_BITMAP(eoi, 256);
	u32 i;
	int r;

	if (copy_from_user(&hdr, u, sizeof(hdr)))
		return -EFAULT;
	if (!vm->split_irqchip)
		return -EINVAL;
	if (hdr.nr > VMXMON_MAX_IRQ_ROUTES || hdr.flags)
		return -EINVAL;
	e = memdup_user(u->entries, hdr.nr * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	bitmap_zero(eoi, 256);
	for (i = 0; i < hdr.nr; i++) {
		if (e[i].type != KVM_IRQ_ROUTING_MSI || e[i].flags || e[i].u.msi.address_hi ||
		    e[i].gsi >= VMXMON_MAX_IRQ_ROUTES) {
			kfree(e);
			return -EINVAL;
		}
		/* Level-triggered MSI data (bit 15) of an IOAPIC pin: its EOI goes to userspace. */
		if (e[i].gsi < vm->nr_ioapic_pins && (e[i].u.msi.data & BIT(15)))
			__set_bit(e[i].u.msi.data & 0xff, eoi);
	}
	r = vmxmon_msi_routes_set(vm, e, hdr.nr);
	kfree(e);
	if (r)
		return r;
	mutex_lock(&vm->lock);
	bitmap_copy(vm->ioapic_eoi_vectors, eoi, 256);
	mutex_unlock(&vm->lock);
	return 0;
}

static long vmxmon_vm_signal_msi(struct vmxmon_vm *vm, void __user *uarg)
{
	struct kvm_msi msi;

	if (vmxmon_copy_in(&msi, uarg))
		return -EFAULT;
	if (!vm->split_irqchip)
		return -EINVAL;
	return vmxmon_ops->signal_msi(vm, &msi);
}

static long vmxmon_vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct vmxmon_vm *vm = filp->private_data;
	void __user *uarg = (void __user *)arg;

	/* A VM belongs to the process that created it (an fd passed elsewhere is inert). */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_SET_USER_MEMORY_REGION:
		return vmxmon_vm_set_memory_region(vm, uarg);
	case KVM_CREATE_VCPU:
		return vmxmon_vcpu_create(vm, arg);
	case KVM_SET_TSS_ADDR:
		return vmxmon_vm_set_tss_addr(arg);
	case KVM_SET_IDENTITY_MAP_ADDR:
		return vmxmon_vm_set_identity_map_addr(vm, uarg);
	case KVM_ENABLE_CAP:
		return vmxmon_vm_enable_cap(vm, uarg);
	case KVM_SET_GSI_ROUTING:
		return vmxmon_vm_set_gsi_routing(vm, uarg);
	case KVM_SIGNAL_MSI:
		return vmxmon_vm_signal_msi(vm, uarg);
	case KVM_IRQFD:
		return vmxmon_vm_irqfd(vm, uarg);
	case KVM_IOEVENTFD:
		return vmxmon_vm_ioeventfd(vm, uarg);
	case KVM_GET_STATS_FD:
		return vmxmon_vm_stats_fd(vm);
	case KVM_CHECK_EXTENSION:	/* KVM_CAP_CHECK_EXTENSION_VM: as on the system fd */
		return vmxmon_check_extension(arg);
	case VMXMON_ADD_EPT_WATCH:
	case VMXMON_DEL_EPT_WATCH:
		return vmxmon_vm_ept_watch(vm, ioctl, uarg);
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
	mutex_init(&vm->lock);
	refcount_set(&vm->users, 1);
	INIT_LIST_HEAD(&vm->ioeventfds);
	vmxmon_irqfd_vm_init(vm);
	r = vmxmon_memslots_init(vm);
	if (r) {
		kfree(vm);
		return r;
	}
	r = vmxmon_virt_get();
	if (r) {
		vmxmon_memslots_free(vm);
		kfree(vm);
		return r;
	}
	mmgrab(current->mm);
	vm->mm = current->mm;
	mutex_lock(&vmxmon_vm_list_lock);
	list_add(&vm->list, &vmxmon_vm_list);
	vmxmon_nr_vms++;
	mutex_unlock(&vmxmon_vm_list_lock);

	/* From here vmxmon_vm_destroy() undoes everything. */
	r = vmxmon_ops->vm_init(vm);
	if (r)
		goto out_destroy;
	r = anon_inode_getfd("vmxmon-vm", &vmxmon_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto out_destroy;
	return r;

out_destroy:
	vmxmon_vm_destroy(vm);
	return r;
}
