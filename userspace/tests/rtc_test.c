// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the CMOS RTC. */
#include "harness.h"
#include "host_vm.h"
#include "hw/rtc.h"

/* 2026-11-25 20:18:50 UTC, a Wednesday. */
static time_t fixed_time(void)
{
	return 1795637930;
}

static u8 cmos(struct vm *vm, u8 reg)
{
	outb_(vm, 0x70, reg);
	return inb_(vm, 0x71);
}

static void cmos_set(struct vm *vm, u8 reg, u8 v)
{
	outb_(vm, 0x70, reg);
	outb_(vm, 0x71, v);
}

TEST_HOST(rtc_reads_host_time_in_bcd)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	rtc__set_clock(vm, fixed_time);
	EXPECT_EQ(cmos(vm, 0x00), 0x50);
	EXPECT_EQ(cmos(vm, 0x02), 0x18);
	EXPECT_EQ(cmos(vm, 0x04), 0x20);
	EXPECT_EQ(cmos(vm, 0x06), 0x04);		/* Wednesday: day 4 */
	EXPECT_EQ(cmos(vm, 0x07), 0x25);
	EXPECT_EQ(cmos(vm, 0x08), 0x11);
	EXPECT_EQ(cmos(vm, 0x09), 0x26);
	EXPECT_EQ(cmos(vm, 0x32), 0x20);
	EXPECT_EQ(cmos(vm, 0x0a) & 0x80, 0);		/* never "update in progress" */
	EXPECT_EQ(cmos(vm, 0x0b), 0x02);		/* 24-hour, BCD */
	EXPECT_EQ(cmos(vm, 0x0d), 0x80);		/* valid RAM and time */
	outb_(vm, 0x70, 0x80 | 0x04);			/* the NMI-mask bit is ignored */
	EXPECT_EQ(inb_(vm, 0x71), 0x20);
	host_vm_free(vm);
}

TEST_HOST(rtc_binary_and_12_hour_modes)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	rtc__set_clock(vm, fixed_time);
	cmos_set(vm, 0x0b, 0x04);			/* binary, 12-hour */
	EXPECT_EQ(cmos(vm, 0x00), 50);
	EXPECT_EQ(cmos(vm, 0x04), 0x80 | 8);		/* 8 PM */
	EXPECT_EQ(cmos(vm, 0x09), 26);
	host_vm_free(vm);
}

TEST_HOST(rtc_guest_sets_the_clock_as_an_offset)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	rtc__set_clock(vm, fixed_time);
	cmos_set(vm, 0x0b, 0x82);			/* SET: freeze updates */
	cmos_set(vm, 0x04, 0x07);			/* 07:18:50 the same day */
	cmos_set(vm, 0x0b, 0x02);
	EXPECT_EQ(cmos(vm, 0x04), 0x07);
	EXPECT_EQ(cmos(vm, 0x02), 0x18);
	EXPECT_EQ(cmos(vm, 0x07), 0x25);
	cmos_set(vm, 0x20, 0x5a);			/* plain CMOS RAM keeps its value */
	EXPECT_EQ(cmos(vm, 0x20), 0x5a);
	host_vm_free(vm);
}
