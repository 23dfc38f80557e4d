// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O bus's range arrays (see iobus.h): sorted by address, several ranges at one
 * address allowed, none overlapping a range at another address. Pure: no allocation and
 * no locking (x86/iobus.c does both), so that the host unit test builds it as it is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/stddef.h>

#include "x86/iobus.h"

/* The bytes a range claims, for overlap checks: a length-0 range claims its address. */
static u64 extent_end(const struct x86_io_range *r)
{
	return r->addr + (r->len ? r->len : 1);
}

/*
 * The first range of the group with the highest address <= @addr (only that group can
 * take an access at @addr: ranges at other addresses do not overlap it), or -1.
 */
int x86_io_ranges_first(const struct x86_io_bus *bus, u64 addr)
{
	int lo = 0, hi = (int)bus->nr - 1, found = -1;

	while (lo <= hi) {		/* the last range with range.addr <= addr */
		int mid = lo + (hi - lo) / 2;

		if (bus->range[mid].addr <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	while (found > 0 && bus->range[found - 1].addr == bus->range[found].addr)
		found--;
	return found;
}

/*
 * The ranges that take an access of @len bytes at @addr, in registration order: call with
 * *@i = -1 first, then again for the next one; NULL when none is left.
 */
const struct x86_io_range *x86_io_ranges_next(const struct x86_io_bus *bus, u64 addr,
					      unsigned int len, int *i)
{
	bool first = *i < 0;

	*i = first ? x86_io_ranges_first(bus, addr) : *i + 1;
	if (*i < 0)
		return NULL;
	for (; *i < (int)bus->nr; ++*i, first = false) {
		const struct x86_io_range *r = &bus->range[*i];

		if (!first && r->addr != r[-1].addr)
			break;			/* past the group at that address */
		if (x86_io_range_covers(r, addr, len))
			return r;
	}
	return NULL;
}

/*
 * Copy @old into @new (room for old->nr + 1) with @r added after the ranges already at its
 * address. -EEXIST if it overlaps a range at another address, -ENOSPC when full.
 */
int x86_io_ranges_insert(const struct x86_io_bus *old, struct x86_io_bus *new,
			 const struct x86_io_range *r)
{
	unsigned int i, at = old->nr;

	if (old->nr >= X86_IO_BUS_MAX_RANGES)
		return -ENOSPC;
	if (r->len && r->addr + r->len < r->addr)
		return -EINVAL;			/* wraps around */
	for (i = 0; i < old->nr; i++) {
		const struct x86_io_range *o = &old->range[i];

		if (o->addr != r->addr && o->addr < extent_end(r) && r->addr < extent_end(o))
			return -EEXIST;
		if (at == old->nr && o->addr > r->addr)
			at = i;
	}
	new->nr = old->nr + 1;
	for (i = 0; i < at; i++)
		new->range[i] = old->range[i];
	new->range[at] = *r;
	for (i = at; i < old->nr; i++)
		new->range[i + 1] = old->range[i];
	return 0;
}

/* Copy @old into @new without @dev's ranges; returns how many went. */
unsigned int x86_io_ranges_remove(const struct x86_io_bus *old, struct x86_io_bus *new,
				  const struct x86_io_device *dev)
{
	unsigned int i;

	new->nr = 0;
	for (i = 0; i < old->nr; i++)
		if (old->range[i].dev != dev)
			new->range[new->nr++] = old->range[i];
	return old->nr - new->nr;
}
