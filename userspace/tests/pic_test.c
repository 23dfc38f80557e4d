// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the i8259A pair. */
#include "harness.h"
#include "host_vm.h"
#include "hw/board.h"
#include "hw/pic.h"

TEST_HOST(pic_delivers_vector_and_holds_isr_until_eoi)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	EXPECT_TRUE(!pic__pending(vm));
	irq__set(vm, 4, true);
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pic__ack(vm), 0x34);
	EXPECT_TRUE(!pic__pending(vm));		/* edge consumed, IRQ4 in service */
	outb_(vm, 0x20, 0x0b);			/* OCW3: read ISR */
	EXPECT_EQ(inb_(vm, 0x20), 1 << 4);
	irq__set(vm, 4, false);
	irq__set(vm, 4, true);			/* a new edge while in service */
	EXPECT_TRUE(!pic__pending(vm));		/* same priority: waits for EOI */
	outb_(vm, 0x20, 0x20);			/* non-specific EOI */
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pic__ack(vm), 0x34);
	host_vm_free(vm);
}

TEST_HOST(pic_priority_mask_and_cascade)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	irq__set(vm, 4, true);
	irq__set(vm, 0, true);
	EXPECT_EQ(pic__ack(vm), 0x30);		/* IRQ0 first */
	outb_(vm, 0x21, 1 << 4);		/* mask IRQ4 */
	outb_(vm, 0x20, 0x20);
	EXPECT_TRUE(!pic__pending(vm));
	EXPECT_EQ(inb_(vm, 0x21), 1 << 4);
	irq__pulse(vm, 9);			/* slave line 1 through master IRQ2 */
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pic__ack(vm), 0x39);
	outb_(vm, 0xa0, 0x0b);
	EXPECT_EQ(inb_(vm, 0xa0), 1 << 1);
	outb_(vm, 0x21, 0);
	EXPECT_TRUE(!pic__pending(vm));		/* IRQ4 is below IRQ2 in service */
	outb_(vm, 0xa0, 0x20);
	outb_(vm, 0x20, 0x20);
	EXPECT_EQ(pic__ack(vm), 0x34);
	host_vm_free(vm);
}

TEST_HOST(pic_level_lines_via_elcr_stay_requested)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	outb_(vm, 0x4d1, 0xff);			/* slave lines level-triggered (mask 0xde) */
	EXPECT_EQ(inb_(vm, 0x4d1), 0xde);
	outb_(vm, 0x4d0, 0x07);			/* IRQ0-2 cannot be level */
	EXPECT_EQ(inb_(vm, 0x4d0), 0x00);
	irq__set(vm, 9, true);
	EXPECT_EQ(pic__ack(vm), 0x39);
	outb_(vm, 0xa0, 0x20);
	outb_(vm, 0x20, 0x20);
	EXPECT_TRUE(pic__pending(vm));		/* still high: requested again */
	EXPECT_EQ(pic__ack(vm), 0x39);
	outb_(vm, 0xa0, 0x20);
	outb_(vm, 0x20, 0x20);
	irq__set(vm, 9, false);			/* dropped before the CPU took it */
	EXPECT_EQ(pic__ack(vm), 0x3f);		/* the cascade's latched edge: spurious IRQ15 */
	EXPECT_TRUE(!pic__pending(vm));
	host_vm_free(vm);
}

TEST_HOST(pic_spurious_poll_and_auto_eoi)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	EXPECT_EQ(pic__ack(vm), 0x37);		/* nothing pending: spurious IRQ7 */
	irq__pulse(vm, 3);
	outb_(vm, 0x20, 0x0c);			/* OCW3 poll */
	EXPECT_EQ(inb_(vm, 0x20), 0x83);
	EXPECT_TRUE(!pic__pending(vm));
	outb_(vm, 0x20, 0x63);			/* specific EOI for IRQ3 */
	/* Re-initialise the master with auto-EOI: nothing stays in service. */
	outb_(vm, 0x20, 0x11);
	outb_(vm, 0x21, 0x30);
	outb_(vm, 0x21, 0x04);
	outb_(vm, 0x21, 0x03);
	outb_(vm, 0x21, 0x00);
	irq__pulse(vm, 5);
	EXPECT_EQ(pic__ack(vm), 0x35);
	outb_(vm, 0x20, 0x0b);
	EXPECT_EQ(inb_(vm, 0x20), 0);
	host_vm_free(vm);
}
