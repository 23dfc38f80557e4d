// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: i8042, PCI host bridge, debug-exit port, ACPI PM block. */
#include <time.h>

#include "harness.h"
#include "host_vm.h"
#include "hw/pic.h"
#include "hw/pm.h"

TEST_HOST(i8042_self_test_ctr_and_keyboard_answers)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	EXPECT_EQ(inb_(vm, 0x64) & 1, 0);		/* output buffer empty */
	outb_(vm, 0x64, 0xaa);
	EXPECT_EQ(inb_(vm, 0x64) & 1, 1);
	EXPECT_EQ(inb_(vm, 0x60), 0x55);
	outb_(vm, 0x64, 0x60);				/* write CTR */
	outb_(vm, 0x60, 0x44);
	outb_(vm, 0x64, 0x20);
	EXPECT_EQ(inb_(vm, 0x60), 0x44);
	outb_(vm, 0x64, 0xa9);				/* AUX test: not there */
	EXPECT_EQ(inb_(vm, 0x60), 0x01);
	outb_(vm, 0x60, 0xff);				/* keyboard reset */
	EXPECT_EQ(inb_(vm, 0x60), 0xfa);
	EXPECT_EQ(inb_(vm, 0x60), 0xaa);
	outb_(vm, 0x60, 0xf2);				/* identify */
	EXPECT_EQ(inb_(vm, 0x60), 0xfa);
	EXPECT_EQ(inb_(vm, 0x60), 0xab);
	EXPECT_EQ(inb_(vm, 0x60), 0x83);
	EXPECT_EQ(vm->request, REQ_NONE);
	host_vm_free(vm);
}

TEST_HOST(i8042_keyboard_irq1_follows_the_output_buffer)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	outb_(vm, 0x60, 0xee);				/* echo, with CTR.KBDINT on */
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pic__ack(vm), 0x31);
	EXPECT_EQ(inb_(vm, 0x60), 0xee);
	host_vm_free(vm);
}

TEST_HOST(i8042_pulse_reset_line_resets_the_machine)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	outb_(vm, 0x64, 0xfe);
	EXPECT_EQ(vm->request, REQ_RESET);
	host_vm_free(vm);
}

TEST_HOST(pci_conf1_has_a_host_bridge_and_nothing_else)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	outp(vm, 0xcf8, 4, 0x80000000);
	EXPECT_EQ(inp(vm, 0xcf8, 4), 0x80000000);
	EXPECT_EQ(inp(vm, 0xcfc, 4), 0x29c08086);	/* 00:00.0 vendor/device */
	outp(vm, 0xcf8, 4, 0x80000008);
	EXPECT_EQ(inp(vm, 0xcfc, 4) >> 8, 0x060000);	/* class: host bridge */
	EXPECT_EQ(inp(vm, 0xcfe, 1), 0x00);		/* byte access inside the dword */
	EXPECT_EQ(inp(vm, 0xcff, 1), 0x06);
	outp(vm, 0xcf8, 4, 0x80000800);			/* 00:01.0: absent */
	EXPECT_EQ(inp(vm, 0xcfc, 4), 0xffffffff);
	outp(vm, 0xcf8, 4, 0x00000000);			/* enable bit off */
	EXPECT_EQ(inp(vm, 0xcfc, 2), 0xffff);
	outb_(vm, 0xcfb, 0x01);				/* Linux's type-1 probe: no effect */
	EXPECT_EQ(inp(vm, 0xcf8, 4), 0);
	host_vm_free(vm);
}

TEST_HOST(debug_exit_port_status_is_value_shifted_with_bit0)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	outb_(vm, 0xf4, 0x10);
	EXPECT_EQ(vm->request, REQ_EXIT);
	EXPECT_EQ(vm->exit_status, 0x21);
	host_vm_free(vm);
	vm = host_vm_new(16 * MiB);
	ASSERT_TRUE(vm);
	outp(vm, 0xf4, 4, 0);
	EXPECT_EQ(vm->exit_status, 1);
	host_vm_free(vm);
}

TEST_HOST(acpi_s5_sleep_powers_off)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	EXPECT_EQ(inp(vm, PM1A_CNT_BLK, 2) & 1, 1);	/* SCI_EN: always in ACPI mode */
	outp(vm, PM1A_CNT_BLK, 2, 3 << 10 | 1 << 13);	/* S3: not supported, ignored */
	EXPECT_EQ(vm->request, REQ_NONE);
	outp(vm, PM1A_CNT_BLK, 2, PM_SLP_TYP_S5 << 10 | 1 << 13);
	EXPECT_EQ(vm->request, REQ_POWEROFF);
	EXPECT_EQ(vm->exit_status, 0);
	host_vm_free(vm);
}

TEST_HOST(acpi_power_button_raises_sci_until_cleared)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	outb_(vm, 0x4d1, 1 << 1);			/* IRQ9 level, as Linux sets the SCI */
	pm__power_button(vm);
	EXPECT_EQ(inp(vm, PM1A_EVT_BLK, 2), 0x100);	/* PWRBTN_STS */
	EXPECT_TRUE(!pic__pending(vm));			/* not enabled yet */
	outp(vm, PM1A_EVT_BLK + 2, 2, 0x100);		/* PWRBTN_EN */
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pic__ack(vm), 0x39);
	outp(vm, PM1A_EVT_BLK, 2, 0x100);		/* write 1 to clear */
	EXPECT_EQ(inp(vm, PM1A_EVT_BLK, 2), 0);
	outb_(vm, 0xa0, 0x20);
	outb_(vm, 0x20, 0x20);
	EXPECT_TRUE(!pic__pending(vm));
	EXPECT_EQ(inp(vm, PM1A_EVT_BLK + 2, 2), 0x100);
	host_vm_free(vm);
}

TEST_HOST(acpi_pm_timer_counts_at_3_58_mhz)
{
	struct vm *vm = host_vm_new(16 * MiB);
	struct timespec d = { 0, 20 * 1000 * 1000 };
	u32 a, b;

	ASSERT_TRUE(vm);
	a = inp(vm, PM_TMR_BLK, 4);
	nanosleep(&d, NULL);
	b = inp(vm, PM_TMR_BLK, 4);
	EXPECT_GE(b - a, 3579545 / 50);			/* at least 20 ms worth */
	EXPECT_LE(b - a, 3579545);			/* and not a second */
	host_vm_free(vm);
}
