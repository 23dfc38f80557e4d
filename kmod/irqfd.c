// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IRQFD and the GSI routes it delivers through: a signal on an eventfd injects the MSI
 * that KVM_SET_GSI_ROUTING gave its GSI, with no exit and no ioctl: a device thread, or the
 * host's vhost, interrupts the guest by writing to the eventfd.
 *
 * Routes: vm->msi_routes, an array indexed by GSI, replaced as a whole under vm->lock and
 * read under RCU. An irqfd looks its GSI's route up when it fires, so a route changed under
 * an irqfd is used from the next signal on; a GSI without a route injects nothing (as KVM).
 *
 * An irqfd (Linux's eventfd wait-queue protocol, as KVM's virt/kvm/eventfd.c uses it):
 * - it holds a reference on the eventfd context and a custom entry on its wait queue;
 *   irqfd_wakeup() runs in the signaller's context with the queue's lock held and
 *   interrupts off: it consumes the count and injects there, as KVM's
 *   kvm_arch_set_irq_inatomic() does for MSIs (delivery to the in-kernel APICs is a
 *   set_bit in IRR, or an atomic NMI count, and a kick: it never sleeps); the injection
 *   work is for the assign, which finds a signal that came before it;
 * - it is active while on vm->irqfds (irqfds_lock, a spinlock taken in that wakeup);
 *   deactivating takes it off and queues its shutdown on vmxmon_irqfd_cleanup_wq;
 * - shutdown (process context) leaves the wait queue (after which no wakeup can run),
 *   waits for a queued injection, drops the eventfd reference and frees it;
 * - it is deactivated by KVM_IRQFD with DEASSIGN (which waits for the shutdown, so no
 *   interrupt comes from it once the ioctl returns), by userspace closing the eventfd (the
 *   last close wakes the queue with EPOLLHUP), and by the VM's destruction, which waits for
 *   every shutdown: injection work never sees a freed VM, and nothing is left behind.
 * irqfd_mutex serializes assign and deassign, so a deassign cannot shut down an irqfd that
 * a concurrent assign has not finished hooking to its wait queue.
 * No KVM_IRQFD_FLAG_RESAMPLE: INTx is the userspace IOAPIC's business under the split
 * irqchip; KVM answers -EINVAL there too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "kmod/vmxmon.h"

struct vmxmon_msi_route {
	u32 address_lo;
	u32 data;
	bool valid;
};

/* GSI -> MSI, published whole (vm->msi_routes). */
struct vmxmon_msi_routes {
	struct rcu_head rcu;
	u32 nr;				/* GSIs 0..nr-1 */
	struct vmxmon_msi_route route[];
};

struct vmxmon_irqfd {
	struct vmxmon_vm *vm;		/* alive until our shutdown ran (the VM waits) */
	struct eventfd_ctx *eventfd;	/* our reference */
	u32 gsi;
	wait_queue_entry_t wait;	/* on the eventfd's wait queue */
	poll_table pt;
	struct work_struct inject;
	struct work_struct shutdown;
	struct list_head list;		/* on vm->irqfds while active (irqfds_lock) */
};

static struct workqueue_struct *vmxmon_irqfd_cleanup_wq;
/* Live irqfds of all VMs (debugfs "eventfds": the lifetime tests watch it drop to 0). */
atomic_t vmxmon_nr_irqfds = ATOMIC_INIT(0);

/*
 * KVM_SET_GSI_ROUTING (kmod/vm.c validated the MSI entries): the new table. A GSI may have
 * one MSI route (KVM: "one to one mapping between GSI and non-irqchip routing"): -EINVAL.
 */
int vmxmon_msi_routes_set(struct vmxmon_vm *vm, const struct kvm_irq_routing_entry *e, u32 n)
{
	struct vmxmon_msi_routes *new = NULL, *old;
	u32 i, nr = 0;

	for (i = 0; i < n; i++)
		nr = max(nr, e[i].gsi + 1);
	if (nr) {
		new = kvzalloc(struct_size(new, route, nr), GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		new->nr = nr;
		for (i = 0; i < n; i++) {
			struct vmxmon_msi_route *r = &new->route[e[i].gsi];

			if (r->valid) {
				kvfree(new);
				return -EINVAL;
			}
			*r = (struct vmxmon_msi_route){
				.address_lo = e[i].u.msi.address_lo, .data = e[i].u.msi.data,
				.valid = true,
			};
		}
	}
	mutex_lock(&vm->lock);
	old = rcu_dereference_protected(vm->msi_routes, lockdep_is_held(&vm->lock));
	rcu_assign_pointer(vm->msi_routes, new);
	mutex_unlock(&vm->lock);
	if (old)
		kvfree_rcu(old, rcu);	/* an irqfd's injection may be reading it */
	return 0;
}

/* Any context: the routes are read under RCU, the APICs' delivery does not sleep. */
static void irqfd_inject_now(struct vmxmon_irqfd *irqfd)
{
	struct vmxmon_vm *vm = irqfd->vm;
	const struct vmxmon_msi_routes *routes;
	struct kvm_msi msi = {};
	bool valid = false;

	rcu_read_lock();
	routes = rcu_dereference(vm->msi_routes);
	if (routes && irqfd->gsi < routes->nr && routes->route[irqfd->gsi].valid) {
		msi.address_lo = routes->route[irqfd->gsi].address_lo;
		msi.data = routes->route[irqfd->gsi].data;
		valid = true;
	}
	rcu_read_unlock();
	if (valid)
		vmxmon_ops->signal_msi(vm, &msi);	/* no vCPU or APIC yet: dropped */
}

static void irqfd_inject(struct work_struct *work)
{
	irqfd_inject_now(container_of(work, struct vmxmon_irqfd, inject));
}

/* Take @irqfd off the VM's list and have it shut down (irqfds_lock held). */
static void irqfd_deactivate(struct vmxmon_irqfd *irqfd)
{
	lockdep_assert_held(&irqfd->vm->irqfds_lock);
	list_del_init(&irqfd->list);
	queue_work(vmxmon_irqfd_cleanup_wq, &irqfd->shutdown);
}

static void irqfd_shutdown(struct work_struct *work)
{
	struct vmxmon_irqfd *irqfd = container_of(work, struct vmxmon_irqfd, shutdown);
	u64 cnt;

	/* Under the queue's lock: once off it, no irqfd_wakeup() runs or will run. */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	flush_work(&irqfd->inject);
	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
	atomic_dec(&vmxmon_nr_irqfds);
}

/* The eventfd's wait queue woke us: its lock held, interrupts off; may not sleep. */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct vmxmon_irqfd *irqfd = container_of(wait, struct vmxmon_irqfd, wait);
	__poll_t flags = key_to_poll(key);
	struct vmxmon_vm *vm = irqfd->vm;
	int ret = 0;

	if (flags & EPOLLIN) {
		u64 cnt;

		/* Consume the count: one interrupt however many signals came since (KVM). */
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		/*
		 * The VM is alive: its destruction waits for our shutdown, which must take
		 * the queue's lock that we hold to leave the queue.
		 */
		irqfd_inject_now(irqfd);
		ret = 1;
	}
	if (flags & EPOLLHUP) {
		unsigned long iflags;

		/*
		 * The eventfd's last close. If the VM deactivated it already, its shutdown is
		 * queued and waits for this queue's lock, which we hold: nothing to do.
		 */
		spin_lock_irqsave(&vm->irqfds_lock, iflags);
		if (!list_empty(&irqfd->list))
			irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&vm->irqfds_lock, iflags);
	}
	return ret;
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct vmxmon_irqfd *irqfd = container_of(pt, struct vmxmon_irqfd, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

static int irqfd_assign(struct vmxmon_vm *vm, const struct kvm_irqfd *a)
{
	struct vmxmon_irqfd *irqfd, *o;
	struct file *file;
	__poll_t events;
	int r;

	if (!vm->split_irqchip)
		return -EINVAL;		/* no in-kernel irqchip: as KVM */
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->gsi = a->gsi;
	INIT_LIST_HEAD(&irqfd->list);
	INIT_WORK(&irqfd->inject, irqfd_inject);
	INIT_WORK(&irqfd->shutdown, irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, irqfd_queue_proc);

	r = -EBADF;
	file = fget(a->fd);
	if (!file)
		goto out_free;
	irqfd->eventfd = eventfd_ctx_fileget(file);
	if (IS_ERR(irqfd->eventfd)) {
		r = PTR_ERR(irqfd->eventfd);	/* -EINVAL: not an eventfd */
		goto out_fput;
	}

	mutex_lock(&vm->irqfd_mutex);
	spin_lock_irq(&vm->irqfds_lock);
	list_for_each_entry(o, &vm->irqfds, list) {
		if (o->eventfd == irqfd->eventfd) {
			spin_unlock_irq(&vm->irqfds_lock);
			mutex_unlock(&vm->irqfd_mutex);
			r = -EBUSY;	/* one GSI per eventfd, as KVM */
			goto out_put;
		}
	}
	list_add_tail(&irqfd->list, &vm->irqfds);
	atomic_inc(&vmxmon_nr_irqfds);
	spin_unlock_irq(&vm->irqfds_lock);

	/*
	 * Hook onto the wait queue; a signal that came before is injected now. We hold the
	 * file, so its last close (EPOLLHUP) cannot come before we are hooked.
	 */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		schedule_work(&irqfd->inject);
	mutex_unlock(&vm->irqfd_mutex);
	fput(file);
	return 0;

out_put:
	eventfd_ctx_put(irqfd->eventfd);
out_fput:
	fput(file);
out_free:
	kfree(irqfd);
	return r;
}

/* Always 0 for an eventfd, as KVM, whether it was assigned to @a->gsi or not. */
static int irqfd_deassign(struct vmxmon_vm *vm, const struct kvm_irqfd *a)
{
	struct eventfd_ctx *eventfd = eventfd_ctx_fdget(a->fd);
	struct vmxmon_irqfd *irqfd, *n;

	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	mutex_lock(&vm->irqfd_mutex);
	spin_lock_irq(&vm->irqfds_lock);
	list_for_each_entry_safe(irqfd, n, &vm->irqfds, list)
		if (irqfd->eventfd == eventfd && irqfd->gsi == a->gsi)
			irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irqfds_lock);
	/* Once we return, no interrupt comes from it. */
	flush_workqueue(vmxmon_irqfd_cleanup_wq);
	mutex_unlock(&vm->irqfd_mutex);
	eventfd_ctx_put(eventfd);
	return 0;
}

/* KVM_IRQFD. */
long vmxmon_vm_irqfd(struct vmxmon_vm *vm, void __user *uarg)
{
	struct kvm_irqfd a;

	if (vmxmon_copy_in(&a, uarg))
		return -EFAULT;
	/* RESAMPLE is a flag KVM knows: -EINVAL under a split irqchip there too. */
	if (a.flags & ~KVM_IRQFD_FLAG_DEASSIGN || memchr_inv(a.pad, 0, sizeof(a.pad)))
		return -EINVAL;
	if (a.flags & KVM_IRQFD_FLAG_DEASSIGN)
		return irqfd_deassign(vm, &a);
	return irqfd_assign(vm, &a);
}

void vmxmon_irqfd_vm_init(struct vmxmon_vm *vm)
{
	mutex_init(&vm->irqfd_mutex);
	spin_lock_init(&vm->irqfds_lock);
	INIT_LIST_HEAD(&vm->irqfds);
}

/* The VM is going away: shut every irqfd down and wait; then drop the routes. */
void vmxmon_irqfd_vm_destroy(struct vmxmon_vm *vm)
{
	struct vmxmon_irqfd *irqfd, *n;

	spin_lock_irq(&vm->irqfds_lock);
	list_for_each_entry_safe(irqfd, n, &vm->irqfds, list)
		irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irqfds_lock);
	/* Also waits for shutdowns an EPOLLHUP queued: we take no reference on the VM. */
	flush_workqueue(vmxmon_irqfd_cleanup_wq);
	kvfree(rcu_dereference_protected(vm->msi_routes, true));
	RCU_INIT_POINTER(vm->msi_routes, NULL);
}

int vmxmon_irqfd_init(void)
{
	vmxmon_irqfd_cleanup_wq = alloc_workqueue("vmxmon-irqfd-cleanup", 0, 0);
	return vmxmon_irqfd_cleanup_wq ? 0 : -ENOMEM;
}

void vmxmon_irqfd_exit(void)
{
	destroy_workqueue(vmxmon_irqfd_cleanup_wq);
}
