/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O APIC (Intel 82093AA datasheet; version 0x11, as QEMU's and KVM's): 24 pins at MMIO
 * 0xfec00000 (IOREGSEL at +0x00, IOWIN at +0x10), under KVM's split irqchip. Each pin's
 * redirection entry becomes an MSI: the launcher keeps one KVM_SET_GSI_ROUTING MSI route per
 * pin (so the kernel knows which vectors are level-triggered and exits with
 * KVM_EXIT_IOAPIC_EOI when the guest EOIs them) and delivers with KVM_SIGNAL_MSI.
 *
 * The board (vm/vm.c, hw/board.c irq__set): ISA IRQ n drives pin n, except IRQ0 (the PIT) on
 * pin 2, as on real boards and in the MADT's interrupt source override. Lines are active
 * high except the ACPI SCI (pin 9), which is wired active low, as the MADT says; a pin whose
 * polarity the guest programs against its wiring sees the line inverted, as on hardware.
 *
 * The IOAPIC has its own lock (hw/ioapic.c): call these with no lock held or with a device's
 * lock held (order: vm/vm.h), never with the PIC's or vm->lock held.
 */
#ifndef VMXRUN_HW_IOAPIC_H
#define VMXRUN_HW_IOAPIC_H

#include "../util/types.h"

#define IOAPIC_BASE		0xfec00000ULL
#define IOAPIC_SIZE		0x1000ULL
#define IOAPIC_PINS		24
#define IOAPIC_VERSION		0x11		/* 82093AA: no EOI register */
#define IOAPIC_ID		0		/* as QEMU; the MADT says the same */

/* Redirection entry bits (82093AA 3.2.4). */
#define IOAPIC_VECTOR(e)	((u32)(e) & 0xff)
#define IOAPIC_DM(e)		(((u32)(e) >> 8) & 7)	/* fixed, lowest, SMI, -, NMI, INIT, -, ExtINT */
#define IOAPIC_DEST_LOGICAL	(1ULL << 11)
#define IOAPIC_DELIVS		(1ULL << 12)		/* read only: always idle here */
#define IOAPIC_ACTIVE_LOW	(1ULL << 13)
#define IOAPIC_REMOTE_IRR	(1ULL << 14)		/* read only */
#define IOAPIC_LEVEL		(1ULL << 15)
#define IOAPIC_MASKED		(1ULL << 16)
#define IOAPIC_DEST(e)		((u32)((e) >> 56))

struct vm;

int ioapic__init(struct vm *vm);
void ioapic__reset(struct vm *vm);
void ioapic__exit(struct vm *vm);

/* Input pin (0-23) driven to level (true: the device asserts it). */
void ioapic__set_pin(struct vm *vm, unsigned int pin, bool level);
/* KVM_EXIT_IOAPIC_EOI: the guest EOId vector; level pins using it may fire again. */
void ioapic__eoi(struct vm *vm, u8 vector);
/* Push the MSI routes to the VM (after KVM_CAP_SPLIT_IRQCHIP); 0 or -errno. */
int ioapic__sync_routes(struct vm *vm);

/* The MSI a redirection entry describes (address_lo, data). */
void ioapic__msi(u64 entry, u32 *address, u32 *data);

/* Host unit tests: MSIs go to fn instead of KVM_SIGNAL_MSI (fn runs with the IOAPIC's lock). */
typedef void (*ioapic_sink)(struct vm *vm, u32 address, u32 data, void *opaque);
void ioapic__set_sink(struct vm *vm, ioapic_sink fn, void *opaque);
/* How many KVM_SET_GSI_ROUTING tables the IOAPIC has built (tests). */
unsigned int ioapic__route_updates(struct vm *vm);

#endif
