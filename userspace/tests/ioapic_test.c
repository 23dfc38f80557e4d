// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the I/O APIC (registers, MSIs it sends, remote IRR and EOI, routes). */
#include <string.h>

#include "harness.h"
#include "host_vm.h"
#include "hw/ioapic.h"
#include "hw/board.h"

struct msis {
	unsigned int n;
	u32 addr[16], data[16];
};

static void record(struct vm *vm, u32 addr, u32 data, void *opaque)
{
	struct msis *m = opaque;

	(void)vm;
	if (m->n < 16) {
		m->addr[m->n] = addr;
		m->data[m->n] = data;
	}
	m->n++;
}

static struct vm *ioapic_vm(struct msis *m)
{
	struct vm *vm = host_vm_new(16 * MiB);

	if (vm) {
		memset(m, 0, sizeof(*m));
		ioapic__set_sink(vm, record, m);
	}
	return vm;
}

static void mmio_w(struct vm *vm, u64 off, u32 len, u64 val)
{
	u8 data[8];

	le_put(data, len, val);
	bus__access(&vm->mmio, NULL, IOAPIC_BASE + off, data, len, true);
}

static u64 mmio_r(struct vm *vm, u64 off, u32 len)
{
	u8 data[8] = { 0 };

	bus__access(&vm->mmio, NULL, IOAPIC_BASE + off, data, len, false);
	return le_get(data, len);
}

static u32 reg_r(struct vm *vm, u32 sel)
{
	mmio_w(vm, 0, 4, sel);
	return (u32)mmio_r(vm, 0x10, 4);
}

static void reg_w(struct vm *vm, u32 sel, u32 val)
{
	mmio_w(vm, 0, 4, sel);
	mmio_w(vm, 0x10, 4, val);
}

/* Program pin's redirection entry (high word first, as Linux does). */
static void entry_w(struct vm *vm, unsigned int pin, u64 e)
{
	reg_w(vm, 0x11 + 2 * pin, (u32)(e >> 32));
	reg_w(vm, 0x10 + 2 * pin, (u32)e);
}

static u64 entry_r(struct vm *vm, unsigned int pin)
{
	return reg_r(vm, 0x10 + 2 * pin) | (u64)reg_r(vm, 0x11 + 2 * pin) << 32;
}

TEST_HOST(ioapic_id_version_arbitration_and_reset_state)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);

	ASSERT_TRUE(vm);
	EXPECT_EQ(reg_r(vm, 0x01), 0x00170011);		/* 24 pins, version 0x11 */
	EXPECT_EQ(reg_r(vm, 0x00), 0);
	reg_w(vm, 0x00, 0xffffffff);
	EXPECT_EQ(reg_r(vm, 0x00), 0x0f000000);		/* 4-bit ID */
	EXPECT_EQ(reg_r(vm, 0x02), 0x0f000000);		/* arbitration ID follows */
	reg_w(vm, 0x01, 0);
	EXPECT_EQ(reg_r(vm, 0x01), 0x00170011);		/* read only */
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++)
		EXPECT_EQ(entry_r(vm, pin), IOAPIC_MASKED);
	EXPECT_EQ(reg_r(vm, 0x40), 0);			/* past pin 23 */
	mmio_w(vm, 0, 4, 0x1234);
	EXPECT_EQ(mmio_r(vm, 0, 4), 0x34);			/* IOREGSEL: 8 bits */
	ioapic__reset(vm);
	EXPECT_EQ(reg_r(vm, 0x00), 0);
	EXPECT_EQ(m.n, 0);
	host_vm_free(vm);
}

TEST_HOST(ioapic_edge_pin_sends_one_msi_per_rising_edge_while_unmasked)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);

	ASSERT_TRUE(vm);
	entry_w(vm, 4, 0x0100000000000024ULL);		/* vector 0x24, fixed, physical dest 1 */
	irq__set(vm, 4, true);
	ASSERT_EQ(m.n, 1);
	EXPECT_EQ(m.addr[0], 0xfee01000);
	EXPECT_EQ(m.data[0], 0x24);
	irq__set(vm, 4, true);				/* no new edge */
	EXPECT_EQ(m.n, 1);
	irq__set(vm, 4, false);
	EXPECT_EQ(m.n, 1);
	entry_w(vm, 4, 0x0100000000000024ULL | IOAPIC_MASKED);
	irq__pulse(vm, 4);				/* lost while masked */
	entry_w(vm, 4, 0x0100000000000024ULL);
	EXPECT_EQ(m.n, 1);
	irq__pulse(vm, 4);
	EXPECT_EQ(m.n, 2);
	EXPECT_EQ(entry_r(vm, 4) & (IOAPIC_REMOTE_IRR | IOAPIC_DELIVS), 0);
	host_vm_free(vm);
}

TEST_HOST(ioapic_pit_irq0_arrives_on_pin_2)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);

	ASSERT_TRUE(vm);
	entry_w(vm, 0, 0x30);				/* pin 0 is not the PIT's */
	irq__pulse(vm, 0);
	EXPECT_EQ(m.n, 0);
	entry_w(vm, 2, 0x30);
	irq__pulse(vm, 0);
	ASSERT_EQ(m.n, 1);
	EXPECT_EQ(m.data[0], 0x30);
	EXPECT_EQ(m.addr[0], 0xfee00000);
	host_vm_free(vm);
}

TEST_HOST(ioapic_level_pin_waits_for_eoi_and_fires_again_while_asserted)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);
	const u64 sci = 0x39 | IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW;	/* as the MADT says */

	ASSERT_TRUE(vm);
	entry_w(vm, 9, sci);
	EXPECT_EQ(m.n, 0);				/* SCI idle */
	irq__set(vm, 9, true);
	ASSERT_EQ(m.n, 1);
	EXPECT_EQ(m.data[0], 0x39 | 1u << 15 | 1u << 14);	/* level, assert */
	EXPECT_TRUE(entry_r(vm, 9) & IOAPIC_REMOTE_IRR);
	irq__set(vm, 9, true);
	EXPECT_EQ(m.n, 1);				/* in service: waits */
	ioapic__eoi(vm, 0x38);				/* another vector: nothing */
	EXPECT_EQ(m.n, 1);
	ioapic__eoi(vm, 0x39);
	EXPECT_EQ(m.n, 2);				/* still asserted: again */
	EXPECT_TRUE(entry_r(vm, 9) & IOAPIC_REMOTE_IRR);
	irq__set(vm, 9, false);
	ioapic__eoi(vm, 0x39);
	EXPECT_EQ(m.n, 2);
	EXPECT_EQ(entry_r(vm, 9) & IOAPIC_REMOTE_IRR, 0);
	host_vm_free(vm);
}

TEST_HOST(ioapic_masked_level_pin_fires_on_unmask_and_edge_write_clears_remote_irr)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);

	ASSERT_TRUE(vm);
	entry_w(vm, 1, 0x31 | IOAPIC_LEVEL | IOAPIC_MASKED);
	irq__set(vm, 1, true);
	EXPECT_EQ(m.n, 0);
	entry_w(vm, 1, 0x31 | IOAPIC_LEVEL);
	EXPECT_EQ(m.n, 1);
	EXPECT_TRUE(entry_r(vm, 1) & IOAPIC_REMOTE_IRR);
	/* Linux's way to clear a stuck remote IRR on a version 0x11 IOAPIC: edge, then level. */
	entry_w(vm, 1, 0x31 | IOAPIC_MASKED);
	EXPECT_EQ(entry_r(vm, 1) & IOAPIC_REMOTE_IRR, 0);
	entry_w(vm, 1, 0x31 | IOAPIC_LEVEL);
	EXPECT_EQ(m.n, 2);				/* line still high */
	host_vm_free(vm);
}

TEST_HOST(ioapic_polarity_against_the_wiring_inverts_the_line)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);

	ASSERT_TRUE(vm);
	/* ISA IRQ 4 is wired active high: programmed active low, an idle line is asserted. */
	entry_w(vm, 4, 0x34 | IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW);
	EXPECT_EQ(m.n, 1);
	irq__set(vm, 4, true);				/* the device asserts: pin deasserted */
	ioapic__eoi(vm, 0x34);
	EXPECT_EQ(m.n, 1);
	/* The SCI is wired active low: programmed active high, the same happens. */
	entry_w(vm, 9, 0x39 | IOAPIC_LEVEL);
	EXPECT_EQ(m.n, 2);
	host_vm_free(vm);
}

TEST_HOST(ioapic_msi_format_for_logical_lowest_priority_and_nmi)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);
	u32 addr, data;

	ASSERT_TRUE(vm);
	ioapic__msi(0x0300000000000941ULL | IOAPIC_DEST_LOGICAL, &addr, &data);
	EXPECT_EQ(addr, 0xfee03004);			/* logical destination 3 */
	EXPECT_EQ(data, 0x141);				/* lowest priority, vector 0x41 */
	entry_w(vm, 5, 0x400);				/* NMI */
	irq__pulse(vm, 5);
	ASSERT_EQ(m.n, 1);
	EXPECT_EQ(m.data[0], 0x400);
	entry_w(vm, 6, 0x700 | 0x36);			/* ExtINT: the PIC's path, never an MSI */
	irq__pulse(vm, 6);
	entry_w(vm, 7, 0x200 | 0x37);			/* SMI: not supported */
	irq__pulse(vm, 7);
	EXPECT_EQ(m.n, 1);
	host_vm_free(vm);
}

TEST_HOST(ioapic_routes_rebuilt_only_when_an_entry_changes)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);
	unsigned int n;

	ASSERT_TRUE(vm);
	EXPECT_EQ(ioapic__route_updates(vm), 0);	/* none before the VM has an irqchip */
	ASSERT_EQ(ioapic__sync_routes(vm), 0);
	n = ioapic__route_updates(vm);
	EXPECT_EQ(n, 1);
	entry_w(vm, 3, 0x33 | IOAPIC_MASKED);
	EXPECT_EQ(ioapic__route_updates(vm), n + 1);
	entry_w(vm, 3, 0x33 | IOAPIC_MASKED);		/* same again */
	entry_w(vm, 3, 0x33);				/* the mask is no part of the route */
	irq__pulse(vm, 3);
	ioapic__eoi(vm, 0x33);
	EXPECT_EQ(ioapic__route_updates(vm), n + 1);
	entry_w(vm, 3, 0x33 | IOAPIC_LEVEL);		/* trigger mode is */
	EXPECT_EQ(ioapic__route_updates(vm), n + 2);
	host_vm_free(vm);
}

TEST_HOST(ioapic_junk_accesses_keep_defined_bits_only)
{
	struct msis m;
	struct vm *vm = ioapic_vm(&m);

	ASSERT_TRUE(vm);
	reg_w(vm, 0x10 + 2 * 8, 0xffffffff);		/* every bit of pin 8's low word */
	EXPECT_EQ(reg_r(vm, 0x10 + 2 * 8), 0x1afff);	/* delivery status, remote IRR: RO */
	reg_w(vm, 0x11 + 2 * 8, 0xffffffff);
	EXPECT_EQ(reg_r(vm, 0x11 + 2 * 8), 0xff000000);
	/* Byte writes reach the bytes they cover: the vector, then unmask. */
	entry_w(vm, 10, IOAPIC_MASKED);
	mmio_w(vm, 0, 1, 0x10 + 2 * 10);
	mmio_w(vm, 0x10, 1, 0x3a);
	mmio_w(vm, 0x12, 1, 0x00);
	EXPECT_EQ(reg_r(vm, 0x10 + 2 * 10), 0x3a);
	EXPECT_EQ(mmio_r(vm, 0x11, 1), 0);
	/* Wider than a register, across one, or outside them: ignored, reads 0. */
	mmio_w(vm, 0x10, 8, ~0ULL);
	mmio_w(vm, 0x12, 4, ~0ULL);
	mmio_w(vm, 0x20, 4, ~0ULL);
	mmio_w(vm, 0xffc, 4, ~0ULL);
	EXPECT_EQ(mmio_r(vm, 0x10, 8), 0);
	EXPECT_EQ(mmio_r(vm, 0x20, 4), 0);
	EXPECT_EQ(reg_r(vm, 0x10 + 2 * 10), 0x3a);
	for (u32 sel = 0; sel < 0x100; sel++)		/* every select, read and written */
		reg_w(vm, sel, reg_r(vm, sel));
	EXPECT_EQ(reg_r(vm, 0x01), 0x00170011);
	ioapic__set_pin(vm, 24, true);			/* no such pin */
	ioapic__set_pin(vm, ~0u, true);
	ioapic__eoi(vm, 0);
	EXPECT_EQ(m.n, 0);
	host_vm_free(vm);
}
