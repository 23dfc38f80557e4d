// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

/* Index of the first range whose end is above addr (binary search). */
static unsigned int bus__lower(const struct bus *b, u64 addr)
{
	unsigned int lo = 0, hi = b->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (b->r[mid].base + b->r[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int bus__insert(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque,
		       pthread_mutex_t *lock, const char *name, bool quiet)
{
	unsigned int i;

	if (!len || base + len < base)
		return -EINVAL;
	i = bus__lower(b, base);
	if (i < b->n && b->r[i].base < base + len) {
		if (!quiet)
			fprintf(stderr, "vmxrun: %s: %s at %#llx-%#llx overlaps %s at %#llx-%#llx\n",
				b->name, name, (unsigned long long)base,
				(unsigned long long)(base + len - 1), b->r[i].name,
				(unsigned long long)b->r[i].base,
				(unsigned long long)(b->r[i].base + b->r[i].len - 1));
		return -EEXIST;
	}
	if (b->n == b->cap) {
		unsigned int cap = b->cap ? 2 * b->cap : 16;
		struct bus_range *r = realloc(b->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		b->r = r;
		b->cap = cap;
	}
	memmove(&b->r[i + 1], &b->r[i], (b->n - i) * sizeof(*b->r));
	b->r[i] = (struct bus_range){ base, len, fn, opaque, name, lock };
	b->n++;
	return 0;
}

int bus__register_full(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque,
		       pthread_mutex_t *lock, const char *name, bool quiet)
{
	int r;

	pthread_rwlock_wrlock(&b->rw);
	r = bus__insert(b, base, len, fn, opaque, lock, name, quiet);
	pthread_rwlock_unlock(&b->rw);
	return r;
}

int bus__register_locked(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque,
			 pthread_mutex_t *lock, const char *name)
{
	return bus__register_full(b, base, len, fn, opaque, lock, name, false);
}

int bus__register(struct bus *b, u64 base, u64 len, io_fn fn, void *opaque, const char *name)
{
	return bus__register_full(b, base, len, fn, opaque, NULL, name, false);
}

int bus__unregister(struct bus *b, u64 base, void *opaque)
{
	int r = -ENOENT;
	unsigned int i;

	pthread_rwlock_wrlock(&b->rw);
	i = bus__lower(b, base);
	if (i < b->n && b->r[i].base == base && b->r[i].opaque == opaque) {
		memmove(&b->r[i], &b->r[i + 1], (b->n - i - 1) * sizeof(*b->r));
		b->n--;
		r = 0;
	}
	pthread_rwlock_unlock(&b->rw);
	return r;
}

bool bus__find(struct bus *b, u64 addr, struct bus_range *out)
{
	unsigned int i;
	bool found;

	pthread_rwlock_rdlock(&b->rw);
	i = bus__lower(b, addr);
	found = i < b->n && b->r[i].base <= addr;
	if (found)
		*out = b->r[i];
	pthread_rwlock_unlock(&b->rw);
	return found;
}

bool bus__access(struct bus *b, struct vcpu *vcpu, u64 addr, void *data, u32 len,
		 bool is_write)
{
	struct bus_range r;

	if (!bus__find(b, addr, &r)) {
		__atomic_fetch_add(&b->unhandled, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	/* The table's rwlock is dropped: the device's lock is taken with no bus lock held. */
	if (r.lock)
		pthread_mutex_lock(r.lock);
	r.fn(vcpu, addr - r.base, data, len, is_write, r.opaque);
	if (r.lock)
		pthread_mutex_unlock(r.lock);
	return true;
}

void bus__free(struct bus *b)
{
	free(b->r);
	b->r = NULL;
	b->n = b->cap = 0;
	pthread_rwlock_destroy(&b->rw);
}
