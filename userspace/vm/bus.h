/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The port-I/O and MMIO buses: devices register address ranges with a callback, as in
 * kvmtool's ioport.c/mmio.c. Overlapping ranges are rejected, so two devices can never
 * silently fight over a port.
 *
 * Locking (vm/vm.h has the whole model): a device registers its ranges with its own mutex
 * (bus__register_locked) and the bus holds that mutex around every call, so a callback never
 * runs for two vCPUs at once; a range registered without one (bus__register: a callback that
 * locks for itself, as virtio's BARs do) is called with no lock held. The range table has its
 * own rwlock (a leaf: never held while a callback runs), so PCI can move a BAR while other
 * vCPUs dispatch. A range found just before it moved still reaches its device, whose objects
 * live as long as the VM: devices check offsets anyway.
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

struct bus_range {
	u64 base, len;
	io_fn fn;
	void *opaque;
	const char *name;
	pthread_mutex_t *lock;		/* held around fn; NULL: fn locks for itself */
};

struct bus {
	const char *name;		/* "pio" or "mmio", for messages */
	pthread_rwlock_t rw;		/* the table below (zero-initialised is valid) */
	struct bus_range *r;		/* sorted by base, never overlapping */
	unsigned int n, cap;
	u64 unhandled;			/* accesses nobody claimed (reads return all ones; atomic) */
};

/* 0, -EEXIST (overlap: *msg says with what), -EINVAL (empty or wrapping range), -ENOMEM. */
int bus__register(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque, const char *name);
/* The same for a device with a mutex of its own: every call of fn holds *lock. */
int bus__register_locked(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque,
			 pthread_mutex_t *lock, const char *name);
/* Either (lock may be NULL); quiet: no message on overlap (a guest-chosen BAR address). */
int bus__register_full(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque,
		       pthread_mutex_t *lock, const char *name, bool quiet);
/* Remove the range registered at base for opaque; -ENOENT if there is none. */
int bus__unregister(struct bus *b, u64 base, void *opaque);
/* A copy of the range containing addr into *out; false if none. */
bool bus__find(struct bus *b, u64 addr, struct bus_range *out);
/* Dispatch one access (the range's lock held); false (reads as all ones) if nobody claims addr. */
bool bus__access(struct bus *b, struct vcpu *vcpu, u64 addr, void *data, u32 len,
		 bool is_write);
void bus__free(struct bus *b);

#endif
