/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The board's interrupt wiring: every ISA IRQ line goes to both interrupt controllers, the
 * i8259 pair (hw/pic.c) and, if there is one, the I/O APIC (hw/ioapic.c), on the pin the
 * MADT's interrupt source overrides describe: IRQ0 (the PIT) on pin 2, IRQ n on pin n.
 * Devices raise and lower their lines here and know neither controller.
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
