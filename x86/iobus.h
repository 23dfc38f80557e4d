/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel I/O bus (as KVM's kvm_io_bus): guest-physical ranges (MMIO) and port ranges
 * (port I/O) that devices in the kernel answer; an access no device takes goes to userspace
 * (KVM_EXIT_MMIO, KVM_EXIT_IO). The MMIO emulator and the port-I/O exit know no device by
 * name: they call x86_io_read()/x86_io_write().
 *
 * Two kinds of range:
 * - the VM's buses, vm->io_bus[X86_MMIO_BUS] and [X86_PIO_BUS]: arrays of ranges sorted
 *   by address, replaced as a whole under vm->slots_lock and read under vm->srcu, as the
 *   memslots are (a vCPU looks a range up without any lock; unregistering returns once no
 *   vCPU can still be calling the device). Several devices may share one address (KVM's
 *   ioeventfds with different datamatch values): each is asked in turn, the first that does
 *   not answer -EOPNOTSUPP has it. Ranges at different addresses may not overlap.
 * - one range per vCPU, x86_vcpu.local_mmio, asked first: the vCPU's own xAPIC page. Each
 *   vCPU may move its APIC base (IA32_APIC_BASE), and that happens on the vCPU's own thread,
 *   which must never wait for slots_lock (pinning guest RAM can hold it for long); KVM's
 *   vcpu_mmio_write() asks the vCPU's APIC before kvm_io_bus_write() likewise.
 */
#ifndef VMXMON_X86_IOBUS_H
#define VMXMON_X86_IOBUS_H

#include <linux/types.h>

struct vmxmon_vcpu;
struct vmxmon_vm;
struct x86_io_device;

enum x86_io_bus_id {
	X86_MMIO_BUS,
	X86_PIO_BUS,
	X86_NR_IO_BUSES
};

/* A device's answer besides 0 (done) and -EOPNOTSUPP (not this device's access). */
#define X86_IO_EXIT	1	/* done, and kvm_run is filled: exit after the instruction */

struct x86_io_device_ops {
	/*
	 * An access of @len bytes at @addr (a guest-physical address or a port) by @vcpu's
	 * instruction, on its thread, inside an SRCU read section of the VM (may sleep).
	 * 0 when done, X86_IO_EXIT when done and userspace must hear of it (kvm_run filled:
	 * the IOAPIC's EOI), -EOPNOTSUPP when it is not this device's (an ioeventfd whose
	 * datamatch differs): the next device at that address is asked, then userspace.
	 */
	int (*read)(struct vmxmon_vcpu *vcpu, struct x86_io_device *dev, u64 addr,
		    unsigned int len, void *val);
	int (*write)(struct vmxmon_vcpu *vcpu, struct x86_io_device *dev, u64 addr,
		     unsigned int len, const void *val);
};

struct x86_io_device {
	const struct x86_io_device_ops *ops;
};

/*
 * @len bytes from @addr; 0: exactly accesses that start at @addr, of any length (as KVM's
 * ioeventfds of length 0).
 */
struct x86_io_range {
	u64 addr;
	u32 len;
	struct x86_io_device *dev;
};

struct x86_io_bus {
	unsigned int nr;
	struct x86_io_range range[];	/* sorted by addr */
};

#define X86_IO_BUS_MAX_RANGES	1000	/* KVM's NR_IOBUS_DEVS */

/* Does @r take an access of @len bytes at @addr? */
static inline bool x86_io_range_covers(const struct x86_io_range *r, u64 addr, unsigned int len)
{
	if (!r->len)
		return addr == r->addr;
	return addr >= r->addr && len <= r->len && addr - r->addr <= r->len - len;
}

/* x86/io_ranges.c: the sorted arrays (pure: host-tested by selftests/iobus_test.c). */
int x86_io_ranges_first(const struct x86_io_bus *bus, u64 addr);
const struct x86_io_range *x86_io_ranges_next(const struct x86_io_bus *bus, u64 addr,
					      unsigned int len, int *i);
int x86_io_ranges_insert(const struct x86_io_bus *old, struct x86_io_bus *new,
			 const struct x86_io_range *r);
unsigned int x86_io_ranges_remove(const struct x86_io_bus *old, struct x86_io_bus *new,
				  const struct x86_io_device *dev);

/* x86/iobus.c */
int x86_io_bus_register(struct vmxmon_vm *vm, enum x86_io_bus_id bus, u64 addr, u32 len,
			struct x86_io_device *dev);
int x86_io_bus_unregister(struct vmxmon_vm *vm, enum x86_io_bus_id bus,
			  struct x86_io_device *dev);
void x86_io_bus_destroy(struct vmxmon_vm *vm);
int x86_io_read(struct vmxmon_vcpu *vcpu, enum x86_io_bus_id bus, u64 addr, unsigned int len,
		void *val);
int x86_io_write(struct vmxmon_vcpu *vcpu, enum x86_io_bus_id bus, u64 addr, unsigned int len,
		 const void *val);

#endif /* VMXMON_X86_IOBUS_H */
