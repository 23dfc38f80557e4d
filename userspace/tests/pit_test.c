// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the i8254 PIT, on a clock the test moves. */
#include "harness.h"
#include "host_vm.h"
#include "hw/pic.h"
#include "hw/pit.h"

static u64 fake_now(void *opaque)
{
	return *(u64 *)opaque;
}

static struct vm *pit_vm(u64 *clock)
{
	struct vm *vm = host_vm_new(16 * MiB);

	if (vm) {
		*clock = 1000000000ULL;
		pit__set_clock(vm, fake_now, clock);
		host_vm_pic_init(vm);
	}
	return vm;
}

static u16 read_count(struct vm *vm, u16 port)
{
	u8 lo = inb_(vm, port);

	return lo | inb_(vm, port) << 8;
}

TEST_HOST(pit_rate_generator_raises_irq0_every_period)
{
	u64 clock, t0;
	struct vm *vm = pit_vm(&clock);

	ASSERT_TRUE(vm);
	outb_(vm, 0x43, 0x34);			/* ch0, lo/hi, mode 2 */
	outb_(vm, 0x40, 1193 & 0xff);		/* 1193 ticks: 1 ms */
	EXPECT_EQ(pit__next_irq(vm), 0);	/* not armed before the high byte */
	outb_(vm, 0x40, 1193 >> 8);
	t0 = clock;
	EXPECT_GE(pit__next_irq(vm), t0 + 999000);
	EXPECT_LE(pit__next_irq(vm), t0 + 1001000);
	clock = pit__next_irq(vm);
	pit__expire(vm);
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pic__ack(vm), 0x30);
	outb_(vm, 0x20, 0x20);
	EXPECT_GE(pit__next_irq(vm), t0 + 1999000);	/* periodic: the next one is armed */
	/* Far behind (a slow host): one tick now, the next on the period grid (11 periods). */
	clock = t0 + 10500000;
	pit__expire(vm);
	EXPECT_EQ(pic__ack(vm), 0x30);
	EXPECT_EQ(pit__next_irq(vm), t0 + (11 * 1193 * 1000000000ULL + PIT_HZ - 1) / PIT_HZ);
	host_vm_free(vm);
}

TEST_HOST(pit_oneshot_fires_once)
{
	u64 clock;
	struct vm *vm = pit_vm(&clock);

	ASSERT_TRUE(vm);
	outb_(vm, 0x43, 0x38);			/* ch0, lo/hi, mode 4 (Linux's oneshot) */
	outb_(vm, 0x40, 100);
	outb_(vm, 0x40, 0);
	clock = pit__next_irq(vm);
	EXPECT_GT(clock, 0);
	pit__expire(vm);
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pit__next_irq(vm), 0);
	host_vm_free(vm);
}

TEST_HOST(pit_counter_reads_latch_and_readback_status)
{
	u64 clock;
	struct vm *vm = pit_vm(&clock);

	ASSERT_TRUE(vm);
	outb_(vm, 0x43, 0xb0);			/* ch2, lo/hi, mode 0 */
	outb_(vm, 0x42, 0x00);
	outb_(vm, 0x42, 0x10);			/* 4096 */
	EXPECT_EQ(read_count(vm, 0x42), 4096);
	clock += 1000000;			/* 1 ms: 1193 ticks */
	EXPECT_EQ(read_count(vm, 0x42), 4096 - 1193);
	outb_(vm, 0x43, 0x80);			/* latch ch2 */
	clock += 1000000;
	EXPECT_EQ(read_count(vm, 0x42), 4096 - 1193);	/* the latched value */
	EXPECT_EQ(read_count(vm, 0x42), 4096 - 2386);	/* live again */
	EXPECT_EQ(inb_(vm, 0x61) & 0x20, 0);		/* out low until terminal count */
	clock += 2000000;
	EXPECT_EQ(inb_(vm, 0x61) & 0x20, 0x20);
	outb_(vm, 0x43, 0xe8);			/* read-back: status of ch2 */
	EXPECT_EQ(inb_(vm, 0x42), 0x80 | 0x30 | 0x00);	/* out, lo/hi, mode 0, binary */
	host_vm_free(vm);
}

TEST_HOST(pit_port61_gate_restarts_channel2_and_toggles_refresh)
{
	u64 clock;
	struct vm *vm = pit_vm(&clock);
	u8 a, b;

	ASSERT_TRUE(vm);
	outb_(vm, 0x43, 0xb4);			/* ch2, mode 2 */
	outb_(vm, 0x42, 0xff);
	outb_(vm, 0x42, 0xff);
	clock += 10000000;
	EXPECT_LE(read_count(vm, 0x42), 0xffff - 11000);
	outb_(vm, 0x61, 0x01);			/* gate rises: reload */
	EXPECT_EQ(read_count(vm, 0x42), 0xffff);
	a = inb_(vm, 0x61);
	b = inb_(vm, 0x61);
	EXPECT_EQ((a ^ b) & 0x10, 0x10);
	EXPECT_EQ(a & 1, 1);
	host_vm_free(vm);
}
