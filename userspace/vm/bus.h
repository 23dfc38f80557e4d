/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The port-I/O and MMIO buses: devices register address ranges with a callback, as in
 * kvmtool's ioport.c/mmio.c. Overlapping ranges are rejected, so two devices can never
 * silently fight over a port.
 *
 * Locking: the range table has its own rwlock (a leaf: never held while a callback runs), so
 * PCI can move a BAR while other vCPUs dispatch. A callback runs with vm->lock held, unless
 * its range was registered with BUS_OWN_LOCK: such a device (virtio) takes its own lock and
 * is called from a vCPU thread without vm->lock. A range found just before it moved still
 * reaches its device, whose objects live as long as the VM: devices check offsets anyway.
 */
#ifndef VMXRUN_VM_BUS_H
#define VMXRUN_VM_BUS_H

#include <pthread.h>

#include "../util/types.h"

struct vcpu;

/*
 * A device callback: offset is relative to the registered base, data holds len bytes
 * (little endian) to write, or receives them on a read.
 */
typedef void (*io_fn)(struct vcpu *vcpu, u64 offset, void *data, u32 len, bool is_write,
		      void *opaque);

#define BUS_OWN_LOCK	1u	/* the callback locks for itself: call it without vm->lock */

struct bus_range {
	u64 base, len;
	io_fn fn;
	void *opaque;
	const char *name;
	unsigned int flags;
};

struct bus {
	const char *name;		/* "pio" or "mmio", for messages */
	pthread_rwlock_t rw;		/* the table below (zero-initialised is valid) */
	struct bus_range *r;		/* sorted by base, never overlapping */
	unsigned int n, cap;
	u64 unhandled;			/* accesses nobody claimed (reads return all ones) */
};

/* 0, -EEXIST (overlap: *msg says with what), -EINVAL (empty or wrapping range), -ENOMEM. */
int bus__register(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque, const char *name);
/* The same, with BUS_* flags; quiet: no message on overlap (a guest-chosen BAR address). */
int bus__register_flags(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque,
			const char *name, unsigned int flags, bool quiet);
/* Remove the range registered at base for opaque; -ENOENT if there is none. */
int bus__unregister(struct bus *b, u64 base, void *opaque);
/* A copy of the range containing addr into *out; false if none. */
bool bus__find(struct bus *b, u64 addr, struct bus_range *out);
/* Dispatch one access; false (and reads as all ones) when no device claims addr. */
bool bus__access(struct bus *b, struct vcpu *vcpu, u64 addr, void *data, u32 len,
		 bool is_write);
/* Call a range found with bus__find (offset computed from addr). */
void bus__call(const struct bus_range *r, struct vcpu *vcpu, u64 addr, void *data, u32 len,
	       bool is_write);
void bus__free(struct bus *b);

#endif
