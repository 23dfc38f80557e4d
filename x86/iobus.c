// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel I/O bus (see iobus.h): registering a device's range, and the dispatch every
 * emulated MMIO access and every port-I/O exit goes through before it would reach
 * userspace.
 *
 * Locking, as the memslots' (kmod/memslot.c) and KVM's kvm_io_bus: a bus is an array
 * replaced as a whole under vm->slots_lock and read under vm->srcu; a VM that never
 * registered anything on a bus has none (NULL), which the dispatch sees without entering
 * the read section.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "x86/iobus.h"
#include "x86/x86.h"

static_assert(ARRAY_SIZE(((struct vmxmon_vm *)NULL)->io_bus) == X86_NR_IO_BUSES);

static struct x86_io_bus *bus_locked(struct vmxmon_vm *vm, enum x86_io_bus_id id)
{
	return rcu_dereference_protected(vm->io_bus[id], lockdep_is_held(&vm->slots_lock));
}

static struct x86_io_bus *bus_alloc(unsigned int nr)
{
	return kmalloc(struct_size((struct x86_io_bus *)NULL, range, nr), GFP_KERNEL_ACCOUNT);
}

/* Make @new (NULL when empty) what vCPUs see; on return none looks at the old one. */
static void bus_publish(struct vmxmon_vm *vm, enum x86_io_bus_id id, struct x86_io_bus *new)
{
	struct x86_io_bus *old = bus_locked(vm, id);

	if (new && !new->nr) {
		kfree(new);
		new = NULL;
	}
	rcu_assign_pointer(vm->io_bus[id], new);
	synchronize_srcu_expedited(&vm->srcu);
	kfree(old);
}

/*
 * Let @dev answer accesses to @len bytes from @addr on bus @id (vm->slots_lock held). 0,
 * -EEXIST when the range overlaps one at another address, -ENOSPC, -ENOMEM.
 */
int x86_io_bus_register(struct vmxmon_vm *vm, enum x86_io_bus_id id, u64 addr, u32 len,
			struct x86_io_device *dev)
{
	static const struct x86_io_bus none = { .nr = 0 };
	const struct x86_io_bus *old;
	struct x86_io_range r = { .addr = addr, .len = len, .dev = dev };
	struct x86_io_bus *new;
	int ret;

	lockdep_assert_held(&vm->slots_lock);
	old = bus_locked(vm, id) ?: &none;
	new = bus_alloc(old->nr + 1);
	if (!new)
		return -ENOMEM;
	ret = x86_io_ranges_insert(old, new, &r);
	if (ret) {
		kfree(new);
		return ret;
	}
	bus_publish(vm, id, new);
	return 0;
}

/*
 * Take every range of @dev off bus @id (vm->slots_lock held). On return no vCPU is still in
 * one of its ops, and the caller may free it. -ENOENT if it had none, -ENOMEM.
 */
int x86_io_bus_unregister(struct vmxmon_vm *vm, enum x86_io_bus_id id,
			  struct x86_io_device *dev)
{
	struct x86_io_bus *old, *new;

	lockdep_assert_held(&vm->slots_lock);
	old = bus_locked(vm, id);
	if (!old)
		return -ENOENT;
	new = bus_alloc(old->nr);
	if (!new)
		return -ENOMEM;
	if (!x86_io_ranges_remove(old, new, dev)) {
		kfree(new);
		return -ENOENT;
	}
	bus_publish(vm, id, new);
	return 0;
}

/* The VM is going away: no vCPU runs, and the devices were unregistered by their owners. */
void x86_io_bus_destroy(struct vmxmon_vm *vm)
{
	int id;

	for (id = 0; id < X86_NR_IO_BUSES; id++) {
		kfree(rcu_dereference_protected(vm->io_bus[id], true));
		RCU_INIT_POINTER(vm->io_bus[id], NULL);
	}
}

/*
 * One access: the vCPU's own range, then the VM's bus. -EOPNOTSUPP: for userspace. Inlined
 * into both callers: the xAPIC EOI write comes through here on every interrupt.
 */
static __always_inline int io_access(struct vmxmon_vcpu *vcpu, enum x86_io_bus_id id, u64 addr,
		     unsigned int len, void *val, bool write)
{
	const struct x86_io_range *local = &vcpu_x86(vcpu)->local_mmio;
	struct vmxmon_vm *vm = vcpu->vm;
	const struct x86_io_bus *bus;
	const struct x86_io_range *r;
	int ret = -EOPNOTSUPP, i = -1, srcu;

	if (id == X86_MMIO_BUS && local->dev && x86_io_range_covers(local, addr, len)) {
		ret = write ? local->dev->ops->write(vcpu, local->dev, addr, len, val) :
			      local->dev->ops->read(vcpu, local->dev, addr, len, val);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	if (!rcu_access_pointer(vm->io_bus[id]))	/* no device there */
		return ret;
	srcu = srcu_read_lock(&vm->srcu);
	bus = srcu_dereference(vm->io_bus[id], &vm->srcu);
	while (bus && (r = x86_io_ranges_next(bus, addr, len, &i))) {
		ret = write ? r->dev->ops->write(vcpu, r->dev, addr, len, val) :
			      r->dev->ops->read(vcpu, r->dev, addr, len, val);
		if (ret != -EOPNOTSUPP)
			break;
	}
	srcu_read_unlock(&vm->srcu, srcu);
	return ret;
}

/* Read @len bytes at @addr into @val from a device in the kernel: 0, or -EOPNOTSUPP. */
int x86_io_read(struct vmxmon_vcpu *vcpu, enum x86_io_bus_id id, u64 addr, unsigned int len,
		void *val)
{
	return io_access(vcpu, id, addr, len, val, false);
}

/* Write @len bytes at @addr to a device in the kernel: 0, X86_IO_EXIT, or -EOPNOTSUPP. */
int x86_io_write(struct vmxmon_vcpu *vcpu, enum x86_io_bus_id id, u64 addr, unsigned int len,
		 const void *val)
{
	return io_access(vcpu, id, addr, len, (void *)val, true);
}
