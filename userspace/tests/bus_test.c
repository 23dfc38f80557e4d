// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the port/MMIO buses. */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "vm/bus.h"

static u64 last_off;
static u32 last_len;

static void dev_fn(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write, void *opaque)
{
	(void)vcpu, (void)is_write;
	last_off = off;
	last_len = len;
	if (!is_write)
		memset(data, *(u8 *)opaque, len);
}

TEST_HOST(bus_rejects_overlapping_ranges)
{
	struct bus b = { .name = "pio" };
	u8 a = 0xa, c = 0xc;

	ASSERT_EQ(bus__register(&b, 0x3f8, 8, dev_fn, &a, "serial"), 0);
	EXPECT_EQ(bus__register(&b, 0x3f8, 1, dev_fn, &c, "dup"), -EEXIST);
	EXPECT_EQ(bus__register(&b, 0x3f0, 9, dev_fn, &c, "tail-overlap"), -EEXIST);
	EXPECT_EQ(bus__register(&b, 0x3ff, 2, dev_fn, &c, "head-overlap"), -EEXIST);
	EXPECT_EQ(bus__register(&b, 0x3f0, 0x20, dev_fn, &c, "covers"), -EEXIST);
	EXPECT_EQ(bus__register(&b, 0x400, 0, dev_fn, &c, "empty"), -EINVAL);
	EXPECT_EQ(bus__register(&b, ~0ULL, 2, dev_fn, &c, "wraps"), -EINVAL);
	/* Adjacent ranges on both sides are fine. */
	EXPECT_EQ(bus__register(&b, 0x3f0, 8, dev_fn, &c, "below"), 0);
	EXPECT_EQ(bus__register(&b, 0x400, 1, dev_fn, &c, "above"), 0);
	EXPECT_EQ(b.n, 3);
	bus__free(&b);
}

TEST_HOST(bus_unregister_frees_the_range_for_another)
{
	struct bus b = { .name = "mmio" };
	u8 a = 0xa, c = 0xc, data[4] = { 0 };

	ASSERT_EQ(bus__register(&b, 0x1000, 0x100, dev_fn, &a, "bar"), 0);
	EXPECT_EQ(bus__unregister(&b, 0x1000, &c), -ENOENT);	/* not its owner */
	EXPECT_EQ(bus__register_full(&b, 0x1080, 0x100, dev_fn, &c, NULL, "moved", true), -EEXIST);
	EXPECT_EQ(bus__unregister(&b, 0x1000, &a), 0);
	EXPECT_TRUE(!bus__access(&b, NULL, 0x1000, data, 4, false));
	EXPECT_EQ(bus__register_full(&b, 0x1080, 0x100, dev_fn, &c, NULL, "moved", true), 0);
	EXPECT_TRUE(bus__access(&b, NULL, 0x1090, data, 1, false));
	EXPECT_EQ(last_off, 0x10);
	EXPECT_EQ(data[0], 0xc);
	bus__free(&b);
}

TEST_HOST(bus_dispatches_with_offset_and_reads_unclaimed_as_ones)
{
	struct bus b = { .name = "pio" };
	u8 a = 0xa, c = 0xc, data[4] = { 0 };

	for (u64 base = 0x100; base < 0x200; base += 0x10)
		ASSERT_EQ(bus__register(&b, base, 8, dev_fn, base == 0x150 ? &c : &a, "dev"), 0);
	EXPECT_TRUE(bus__access(&b, NULL, 0x153, data, 2, false));
	EXPECT_EQ(last_off, 3);
	EXPECT_EQ(last_len, 2);
	EXPECT_EQ(data[0], 0xc);
	struct bus_range r;

	EXPECT_TRUE(bus__find(&b, 0x157, &r));
	EXPECT_EQ(r.base, 0x150);
	EXPECT_TRUE(!bus__find(&b, 0x158, &r));
	EXPECT_TRUE(!bus__access(&b, NULL, 0x158, data, 4, false));
	EXPECT_EQ(le_get(data, 4), 0xffffffff);
	EXPECT_TRUE(!bus__access(&b, NULL, 0x99, data, 1, true));
	EXPECT_EQ(b.unhandled, 2);
	bus__free(&b);
}
