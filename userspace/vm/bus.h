/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The port-I/O and MMIO buses: devices register address ranges with a callback, as in
 * kvmtool's ioport.c/mmio.c. Overlapping ranges are rejected, so two devices can never
 * silently fight over a port.
 *
 * Locking (vm/vm.h has the whole model): a device registers its ranges with its own mutex
 * (bus__register_locked) and the bus holds that mutex around every call, so a callback never
 * runs for two vCPUs at once; no other lock is held. The range table itself is written only
 * while the machine is built, before any vCPU thread runs.
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
	struct bus_range *r;		/* sorted by base, never overlapping */
	unsigned int n, cap;
	u64 unhandled;			/* accesses nobody claimed (reads return all ones; atomic) */
};

/* 0, -EEXIST (overlap: *msg says with what), -EINVAL (empty or wrapping range), -ENOMEM. */
int bus__register(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque, const char *name);
/* The same for a device with a mutex of its own: every call of fn holds *lock. */
int bus__register_locked(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque,
			 pthread_mutex_t *lock, const char *name);
/* The range containing addr, or NULL. */
const struct bus_range *bus__find(const struct bus *b, u64 addr);
/* Dispatch one access (the range's lock held); false (reads as all ones) if nobody claims addr. */
bool bus__access(struct bus *b, struct vcpu *vcpu, u64 addr, void *data, u32 len,
		 bool is_write);
void bus__free(struct bus *b);

#endif
