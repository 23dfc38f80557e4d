// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the in-kernel I/O bus's range arrays (x86/io_ranges.c, the module's own
 * source built with lib/kshim/): what x86/iobus.c does under vm->slots_lock (insert, remove)
 * and on every emulated access (which devices are asked, in which order). Nothing registers
 * on the VM's buses yet, so this is where their rules are checked, with the device the bus
 * was shaped for: KVM's ioeventfd, several at one address that differ by datamatch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "x86/iobus.h"

/*
 * A fake device. As an ioeventfd (KVM's ioeventfd_in_range()): only writes at its address,
 * of its length unless that is 0, with its datamatch value if it has one; else anything
 * the bus hands it.
 */
struct fake_dev {
	struct x86_io_device dev;
	bool ioeventfd, match;
	u64 addr, datamatch;
	u32 len;
	int hits;
};

static struct x86_io_bus *bus_new(unsigned int room)
{
	struct x86_io_bus *b = calloc(1, sizeof(*b) + room * sizeof(struct x86_io_range));

	if (!b)
		abort();
	return b;
}

/* Register as x86_io_bus_register() does: a new array with the range in. */
static int reg(struct x86_io_bus **bus, u64 addr, u32 len, struct fake_dev *d)
{
	struct x86_io_range r = { .addr = addr, .len = len, .dev = &d->dev };
	struct x86_io_bus *new = bus_new((*bus)->nr + 1);

	d->addr = addr;
	d->len = len;
	int ret = x86_io_ranges_insert(*bus, new, &r);

	if (ret) {
		free(new);
		return ret;
	}
	free(*bus);
	*bus = new;
	return 0;
}

static unsigned int unreg(struct x86_io_bus **bus, struct fake_dev *d)
{
	struct x86_io_bus *new = bus_new((*bus)->nr);
	unsigned int n = x86_io_ranges_remove(*bus, new, &d->dev);

	free(*bus);
	*bus = new;
	return n;
}

/* A write as x86/iobus.c dispatches it: the first device that does not say -EOPNOTSUPP. */
static struct fake_dev *write_to(struct x86_io_bus *bus, u64 addr, unsigned int len, u64 val)
{
	const struct x86_io_range *r;
	int i = -1;

	while ((r = x86_io_ranges_next(bus, addr, len, &i))) {
		struct fake_dev *d = (struct fake_dev *)r->dev;

		if (d->ioeventfd && (addr != d->addr || (d->len && len != d->len) ||
				     (d->match && val != d->datamatch)))
			continue;	/* its op answers -EOPNOTSUPP */
		d->hits++;
		return d;
	}
	return NULL;
}

static bool sorted(const struct x86_io_bus *bus)
{
	unsigned int i;

	for (i = 1; i < bus->nr; i++)
		if (bus->range[i - 1].addr > bus->range[i].addr)
			return false;
	return true;
}

TEST_HOST(io_bus_takes_ranges_in_order_and_refuses_overlaps)
{
	struct x86_io_bus *bus = bus_new(0);
	struct fake_dev a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	EXPECT_EQ(reg(&bus, 0x3000, 0x100, &a), 0);
	EXPECT_EQ(reg(&bus, 0x1000, 0x1000, &b), 0);	/* ends where a's neighbour starts */
	EXPECT_EQ(reg(&bus, 0x2000, 8, &c), 0);
	EXPECT_EQ(bus->nr, 3);
	EXPECT_TRUE(sorted(bus));
	/* Overlapping a range at another address: refused, the bus unchanged. */
	EXPECT_EQ(reg(&bus, 0x1ffc, 8, &d), -EEXIST);
	EXPECT_EQ(reg(&bus, 0x2004, 4, &d), -EEXIST);
	EXPECT_EQ(reg(&bus, 0x0, 0x1001, &d), -EEXIST);
	EXPECT_EQ(reg(&bus, 0x30ff, 0, &d), -EEXIST);	/* length 0 claims its address */
	EXPECT_EQ(reg(&bus, ~0ull - 4, 8, &d), -EINVAL);	/* wraps */
	EXPECT_EQ(bus->nr, 3);
	/* At the same address: allowed (several ioeventfds), after the ones already there. */
	EXPECT_EQ(reg(&bus, 0x2000, 4, &d), 0);
	EXPECT_EQ(bus->nr, 4);
	EXPECT_TRUE(sorted(bus));
	EXPECT_TRUE(bus->range[1].dev == &c.dev && bus->range[2].dev == &d.dev);
	free(bus);
}

TEST_HOST(io_bus_finds_the_device_covering_an_access)
{
	struct x86_io_bus *bus = bus_new(0);
	struct fake_dev lo = { 0 }, mid = { 0 }, hi = { 0 };

	ASSERT_EQ(reg(&bus, 0x100, 0x10, &lo), 0);
	ASSERT_EQ(reg(&bus, 0x200, 4, &mid), 0);
	ASSERT_EQ(reg(&bus, 0xfee00000, 0x1000, &hi), 0);
	EXPECT_TRUE(write_to(bus, 0x100, 1, 0) == &lo);
	EXPECT_TRUE(write_to(bus, 0x10c, 4, 0) == &lo);
	EXPECT_TRUE(write_to(bus, 0x10d, 4, 0) == NULL);	/* runs past its end */
	EXPECT_TRUE(write_to(bus, 0xff, 2, 0) == NULL);		/* starts before it */
	EXPECT_TRUE(write_to(bus, 0x200, 4, 0) == &mid);
	EXPECT_TRUE(write_to(bus, 0x200, 8, 0) == NULL);
	EXPECT_TRUE(write_to(bus, 0x150, 4, 0) == NULL);	/* between ranges */
	EXPECT_TRUE(write_to(bus, 0xfee00ff0, 16, 0) == &hi);
	EXPECT_TRUE(write_to(bus, 0xfee01000, 4, 0) == NULL);
	EXPECT_TRUE(write_to(bus, 0x0, 4, 0) == NULL);		/* below every range */
	EXPECT_TRUE(write_to(bus, ~0ull - 3, 4, 0) == NULL);
	free(bus);
}

TEST_HOST(io_bus_lets_ioeventfds_at_one_address_differ_by_datamatch)
{
	struct x86_io_bus *bus = bus_new(0);
	struct fake_dev q0 = { .ioeventfd = true, .match = true, .datamatch = 0 };
	struct fake_dev q1 = { .ioeventfd = true, .match = true, .datamatch = 1 };
	struct fake_dev any = { .ioeventfd = true };
	struct fake_dev wild = { .ioeventfd = true, .match = true, .datamatch = 7 };

	/* A virtio-pci notify register: one ioeventfd per queue, then a catch-all. */
	ASSERT_EQ(reg(&bus, 0x3000, 2, &q0), 0);
	ASSERT_EQ(reg(&bus, 0x3000, 2, &q1), 0);
	ASSERT_EQ(reg(&bus, 0x3000, 2, &any), 0);
	ASSERT_EQ(reg(&bus, 0x3000, 0, &wild), 0);	/* length 0: any length at 0x3000 */
	EXPECT_TRUE(write_to(bus, 0x3000, 2, 1) == &q1);
	EXPECT_TRUE(write_to(bus, 0x3000, 2, 0) == &q0);
	EXPECT_TRUE(write_to(bus, 0x3000, 2, 5) == &any);
	EXPECT_TRUE(write_to(bus, 0x3000, 4, 7) == &wild);	/* too long for the others */
	EXPECT_TRUE(write_to(bus, 0x3000, 4, 6) == NULL);	/* userspace */
	EXPECT_TRUE(write_to(bus, 0x3001, 1, 1) == NULL);	/* inside the range, not at it */
	/* Unregistering one leaves the others, in order. */
	EXPECT_EQ(unreg(&bus, &q0), 1);
	EXPECT_TRUE(write_to(bus, 0x3000, 2, 0) == &any);
	EXPECT_EQ(unreg(&bus, &q0), 0);
	EXPECT_EQ(unreg(&bus, &any), 1);
	EXPECT_TRUE(write_to(bus, 0x3000, 2, 0) == NULL);
	EXPECT_EQ(bus->nr, 2);
	free(bus);
}

TEST_HOST(io_bus_holds_at_most_the_kvm_limit_of_ranges)
{
	struct x86_io_bus *bus = bus_new(0);
	struct fake_dev d = { 0 };
	unsigned int i;

	for (i = 0; i < X86_IO_BUS_MAX_RANGES; i++)
		ASSERT_EQ(reg(&bus, 0x10000 - 4 * i, 4, &d), 0);	/* descending: each goes first */
	EXPECT_TRUE(sorted(bus));
	EXPECT_EQ(reg(&bus, 0x20000, 4, &d), -ENOSPC);
	EXPECT_TRUE(write_to(bus, 0x10000 - 4 * 500, 4, 0) == &d);
	EXPECT_EQ(unreg(&bus, &d), X86_IO_BUS_MAX_RANGES);
	EXPECT_EQ(bus->nr, 0);
	EXPECT_TRUE(write_to(bus, 0x10000, 4, 0) == NULL);
	free(bus);
}
