// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the 16550A UART and the console's escape filter. */
#include <string.h>

#include "harness.h"
#include "host_vm.h"
#include "hw/pic.h"
#include "hw/serial.h"
#include "vm/console.h"

#define COM1 0x3f8

struct capture {
	char buf[64];
	size_t n;
};

static void capture(void *opaque, u8 c)
{
	struct capture *cap = opaque;

	if (cap->n < sizeof(cap->buf))
		cap->buf[cap->n++] = (char)c;
}

TEST_HOST(serial_transmits_and_raises_thri_on_irq4)
{
	struct vm *vm = host_vm_new(16 * MiB);
	struct capture cap = { .n = 0 };

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	serial__set_output(vm, capture, &cap);
	outb_(vm, COM1 + 4, 0x0b);			/* DTR, RTS, OUT2 */
	EXPECT_EQ(inb_(vm, COM1 + 2), 0x01);		/* no interrupt */
	outb_(vm, COM1 + 1, 0x02);			/* IER: THRI */
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(pic__ack(vm), 0x34);
	outb_(vm, 0x20, 0x20);
	EXPECT_EQ(inb_(vm, COM1 + 2), 0x02);		/* THRI, acknowledged by the read */
	EXPECT_EQ(inb_(vm, COM1 + 2), 0x01);
	outb_(vm, COM1, 'h');
	outb_(vm, COM1, 'i');
	EXPECT_EQ(cap.n, 2);
	EXPECT_TRUE(!memcmp(cap.buf, "hi", 2));
	EXPECT_TRUE(pic__pending(vm));			/* THR empty again: a new edge */
	EXPECT_EQ(inb_(vm, COM1 + 5) & 0x60, 0x60);	/* THRE, TEMT */
	host_vm_free(vm);
}

TEST_HOST(serial_receives_with_rdi_and_out2_gates_the_irq)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	host_vm_pic_init(vm);
	outb_(vm, COM1 + 1, 0x01);			/* IER: RDI, OUT2 still off */
	EXPECT_EQ(serial__rx(vm, (const u8 *)"ok", 2), 2);
	EXPECT_TRUE(!pic__pending(vm));
	EXPECT_EQ(inb_(vm, COM1 + 2), 0x04);		/* RDI pending inside the UART */
	outb_(vm, COM1 + 4, 0x08);			/* OUT2 */
	EXPECT_TRUE(pic__pending(vm));
	EXPECT_EQ(inb_(vm, COM1 + 5) & 1, 1);		/* DR */
	EXPECT_EQ(inb_(vm, COM1), 'o');
	EXPECT_EQ(inb_(vm, COM1), 'k');
	EXPECT_EQ(inb_(vm, COM1 + 5) & 1, 0);
	EXPECT_EQ(inb_(vm, COM1 + 2), 0x01);
	host_vm_free(vm);
}

TEST_HOST(serial_probe_registers_as_linux_8250_checks_them)
{
	struct vm *vm = host_vm_new(16 * MiB);

	ASSERT_TRUE(vm);
	outb_(vm, COM1 + 7, 0xa5);
	EXPECT_EQ(inb_(vm, COM1 + 7), 0xa5);		/* scratch */
	outb_(vm, COM1 + 4, 0x1a);			/* loopback, RTS, OUT2 */
	EXPECT_EQ(inb_(vm, COM1 + 6) & 0xf0, 0x90);	/* CTS, DCD */
	outb_(vm, COM1, 'x');				/* loopback: comes back in */
	EXPECT_EQ(inb_(vm, COM1), 'x');
	outb_(vm, COM1 + 2, 0x01);			/* FIFO on */
	EXPECT_EQ(inb_(vm, COM1 + 2) & 0xc0, 0xc0);
	outb_(vm, COM1 + 3, 0x83);			/* DLAB */
	outb_(vm, COM1, 0x01);
	outb_(vm, COM1 + 1, 0x00);
	EXPECT_EQ(inb_(vm, COM1), 0x01);		/* divisor 1: 115200 baud */
	outb_(vm, COM1 + 3, 0x03);
	EXPECT_EQ(inb_(vm, COM1 + 3), 0x03);
	host_vm_free(vm);
}

TEST_HOST(console_escape_ctrl_a_x_quits_and_ctrl_a_twice_sends_one)
{
	u8 out[16];
	bool esc = false, quit = false;
	size_t n;

	n = console__filter(&esc, (const u8 *)"ab\x01\x01" "c", 5, out, &quit);
	EXPECT_EQ(n, 4);
	EXPECT_TRUE(!memcmp(out, "ab\x01" "c", 4));
	EXPECT_TRUE(!quit);
	n = console__filter(&esc, (const u8 *)"z\x01", 2, out, &quit);	/* split sequence */
	EXPECT_EQ(n, 1);
	EXPECT_TRUE(esc);
	n = console__filter(&esc, (const u8 *)"xyz", 3, out, &quit);
	EXPECT_EQ(n, 0);
	EXPECT_TRUE(quit);
}
