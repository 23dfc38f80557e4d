// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IOEVENTFD: a guest write to a port or an MMIO address (optionally only of one value)
 * completes in the kernel and signals an eventfd; the vCPU does not exit to userspace.
 * This is how a virtio driver's queue notification ("kick") reaches the device thread or
 * vhost without a round trip through the launcher.
 *
 * Each ioeventfd is a device on the VM's in-kernel I/O bus (x86/iobus.c) at its address.
 * Several may share an address (different datamatch values or lengths): the bus asks each
 * in turn, and one that does not match answers -EOPNOTSUPP, so the access goes on to the
 * next one and finally to userspace. Semantics as KVM's (virt/kvm/eventfd.c, v6.1):
 * - length 1, 2, 4 or 8 matches only writes of exactly that length at exactly that address;
 *   length 0 matches a write of any length at that address (KVM_CAP_IOEVENTFD_ANY_LENGTH;
 *   KVM's "fast MMIO" without datamatch), and cannot have a datamatch;
 * - with KVM_IOEVENTFD_FLAG_DATAMATCH only a write of that value (zero-extended) matches;
 * - two ioeventfds on one bus at one address collide (-EEXIST) when their lengths are equal
 *   or either is 0, and their datamatch values are equal or either has none;
 * - deassign finds the one with the same eventfd, bus, address, length and datamatch
 *   (-ENOENT if none); the ioeventfd holds its own reference on the eventfd, so userspace
 *   closing the eventfd changes nothing until then; the VM's death frees every one.
 * One difference: vmxmon's bus rejects ranges that overlap at different addresses
 * (-EEXIST), where KVM takes the first range that contains the access.
 *
 * Locking: vm->slots_lock serializes registration (the bus is replaced under it) and
 * protects vm->ioeventfds; vCPUs read the bus under vm->srcu, and unregistering returns
 * only once no vCPU can be in an ioeventfd's write op, after which it is freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <linux/version.h>

#include "kmod/vmxmon.h"
#include "x86/iobus.h"

struct vmxmon_ioeventfd {
	struct x86_io_device dev;	/* on the bus; ops = ioeventfd_ops */
	struct list_head list;		/* on vm->ioeventfds (slots_lock) */
	struct eventfd_ctx *eventfd;	/* our reference */
	enum x86_io_bus_id bus;
	u64 addr;
	u32 len;			/* 0: any length */
	bool wildcard;			/* no datamatch */
	u64 datamatch;
};

/* Live ioeventfds of all VMs (debugfs "eventfds"). */
atomic_t vmxmon_nr_ioeventfds = ATOMIC_INIT(0);

#define VMXMON_IOEVENTFD_FLAGS	(KVM_IOEVENTFD_FLAG_DATAMATCH | KVM_IOEVENTFD_FLAG_PIO | \
				 KVM_IOEVENTFD_FLAG_DEASSIGN)

/* The eventfd API lost its count argument in Linux 6.8. */
static inline void vmxmon_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

static struct vmxmon_ioeventfd *to_ioeventfd(struct x86_io_device *dev)
{
	return container_of(dev, struct vmxmon_ioeventfd, dev);
}

static bool ioeventfd_matches(const struct vmxmon_ioeventfd *p, u64 addr, unsigned int len,
			      const void *val)
{
	u64 v = 0;

	if (addr != p->addr)
		return false;
	if (!p->len)
		return true;		/* any length, no datamatch */
	if (len != p->len)
		return false;
	if (p->wildcard)
		return true;
	memcpy(&v, val, len);		/* x86: little-endian, zero-extended */
	return v == p->datamatch;
}

/* The vCPU's write: completes here when it matches; else the next device or userspace. */
static int ioeventfd_write(struct vmxmon_vcpu *vcpu, struct x86_io_device *dev, u64 addr,
			   unsigned int len, const void *val)
{
	struct vmxmon_ioeventfd *p = to_ioeventfd(dev);

	if (!ioeventfd_matches(p, addr, len, val))
		return -EOPNOTSUPP;
	vmxmon_eventfd_signal(p->eventfd);
	return 0;
}

/* Reads are not ours: they go on to the next device or userspace, as in KVM. */
static int ioeventfd_read(struct vmxmon_vcpu *vcpu, struct x86_io_device *dev, u64 addr,
			  unsigned int len, void *val)
{
	return -EOPNOTSUPP;
}

static const struct x86_io_device_ops ioeventfd_ops = {
	.read	= ioeventfd_read,
	.write	= ioeventfd_write,
};

static bool ioeventfd_collides(const struct vmxmon_ioeventfd *a,
			       const struct vmxmon_ioeventfd *b)
{
	return a->bus == b->bus && a->addr == b->addr &&
	       (!a->len || !b->len || a->len == b->len) &&
	       (a->wildcard || b->wildcard || a->datamatch == b->datamatch);
}

static void ioeventfd_free(struct vmxmon_ioeventfd *p)
{
	eventfd_ctx_put(p->eventfd);
	kfree(p);
	atomic_dec(&vmxmon_nr_ioeventfds);
}

static int ioeventfd_assign(struct vmxmon_vm *vm, const struct vmxmon_ioeventfd *tmpl, int fd)
{
	struct vmxmon_ioeventfd *p, *o;
	int r;

	p = kmemdup(tmpl, sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->dev.ops = &ioeventfd_ops;
	atomic_inc(&vmxmon_nr_ioeventfds);	/* ioeventfd_free() undoes it */
	p->eventfd = eventfd_ctx_fdget(fd);
	if (IS_ERR(p->eventfd)) {
		r = PTR_ERR(p->eventfd);
		kfree(p);
		atomic_dec(&vmxmon_nr_ioeventfds);
		return r;
	}
	mutex_lock(&vm->slots_lock);
	r = -EEXIST;
	list_for_each_entry(o, &vm->ioeventfds, list)
		if (ioeventfd_collides(o, p))
			goto out_unlock;
	r = x86_io_bus_register(vm, p->bus, p->addr, p->len, &p->dev);
	if (r)
		goto out_unlock;
	list_add_tail(&p->list, &vm->ioeventfds);
	mutex_unlock(&vm->slots_lock);
	return 0;

out_unlock:
	mutex_unlock(&vm->slots_lock);
	ioeventfd_free(p);
	return r;
}

static int ioeventfd_deassign(struct vmxmon_vm *vm, const struct vmxmon_ioeventfd *tmpl, int fd)
{
	struct eventfd_ctx *eventfd = eventfd_ctx_fdget(fd);
	struct vmxmon_ioeventfd *p;
	int r = -ENOENT;

	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	mutex_lock(&vm->slots_lock);
	list_for_each_entry(p, &vm->ioeventfds, list) {
		if (p->eventfd != eventfd || p->bus != tmpl->bus || p->addr != tmpl->addr ||
		    p->len != tmpl->len || p->wildcard != tmpl->wildcard ||
		    (!p->wildcard && p->datamatch != tmpl->datamatch))
			continue;
		/* Returns once no vCPU can be in ioeventfd_write() on it. */
		r = x86_io_bus_unregister(vm, p->bus, &p->dev);
		if (r)
			break;
		list_del(&p->list);
		ioeventfd_free(p);
		break;
	}
	mutex_unlock(&vm->slots_lock);
	eventfd_ctx_put(eventfd);
	return r;
}

/* KVM_IOEVENTFD. */
long vmxmon_vm_ioeventfd(struct vmxmon_vm *vm, void __user *uarg)
{
	struct kvm_ioeventfd a;
	struct vmxmon_ioeventfd t = {};

	if (vmxmon_copy_in(&a, uarg))
		return -EFAULT;
	/* KVM does not look at pad; vmxmon refuses what it does not know, as everywhere. */
	if (a.flags & ~VMXMON_IOEVENTFD_FLAGS || memchr_inv(a.pad, 0, sizeof(a.pad)))
		return -EINVAL;
	switch (a.len) {
	case 0: case 1: case 2: case 4: case 8:
		break;
	default:
		return -EINVAL;
	}
	if (a.addr + a.len < a.addr)
		return -EINVAL;			/* wraps around */
	if (!a.len && (a.flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;			/* nothing to compare with */
	t.bus = a.flags & KVM_IOEVENTFD_FLAG_PIO ? X86_PIO_BUS : X86_MMIO_BUS;
	t.addr = a.addr;
	t.len = a.len;
	t.wildcard = !(a.flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	t.datamatch = t.wildcard ? 0 : a.datamatch;
	if (a.flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return ioeventfd_deassign(vm, &t, a.fd);
	return ioeventfd_assign(vm, &t, a.fd);
}

/* The VM is going away (no vCPU runs): free every ioeventfd and its eventfd reference. */
void vmxmon_ioeventfds_free(struct vmxmon_vm *vm)
{
	struct vmxmon_ioeventfd *p, *n;

	list_for_each_entry_safe(p, n, &vm->ioeventfds, list) {
		list_del(&p->list);
		ioeventfd_free(p);
	}
}
