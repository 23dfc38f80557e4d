/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The board's interrupt wiring: every ISA IRQ line goes to both interrupt controllers, the
 * i8259 pair (hw/pic.c) and, if there is one, the I/O APIC (hw/ioapic.c), on the pin the
 * MADT's interrupt source overrides describe: IRQ0 (the PIT) on pin 2, IRQ n on pin n.
 * Devices raise and lower their lines here and know neither controller.
 *
 * Locking: a line has one driver, which sets it with its own lock held, so both controllers
 * see its levels in the same order. irq__set takes the PIC's lock, then the IOAPIC's, one at
 * a time (never both); call it with a device's lock or none, never with vm->lock (vm/vm.h).
 */
#ifndef VMXRUN_HW_BOARD_H
#define VMXRUN_HW_BOARD_H

#include "../util/types.h"

struct vm;

/* Set ISA interrupt line irq (0-15) to level; other numbers are ignored. */
void irq__set(struct vm *vm, unsigned int irq, bool level);
/* An edge on an edge-triggered line: raise, then lower. */
void irq__pulse(struct vm *vm, unsigned int irq);

#endif
