// SPDX-License-Identifier: GPL-2.0
#include "board.h"
#include "ioapic.h"
#include "pic.h"

void irq__set(struct vm *vm, unsigned int irq, bool level)
{
	if (irq >= 16)
		return;
	pic__set_irq(vm, irq, level);
	/* The IOAPIC sees the same lines; the PIT's IRQ0 is wired to its pin 2. */
	ioapic__set_pin(vm, irq ? irq : 2, level);
}

void irq__pulse(struct vm *vm, unsigned int irq)
{
	irq__set(vm, irq, true);
	irq__set(vm, irq, false);
}
