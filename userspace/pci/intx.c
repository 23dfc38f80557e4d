// SPDX-License-Identifier: GPL-2.0
/*
 * Legacy INTx: slot s's INTA# is wired to interrupt line (s - 1) % 4 (the usual swizzle of
 * slots on one bus), and each line to IOAPIC pin 16 + line (level, active low: the _PRT's APIC
 * table, the MADT leaves them to it) and to PIC IRQ 10 or 11 (the _PRT's PIC table, for
 * guests without an IOAPIC). A line is the OR of the devices on it, each gated by its
 * command register's INTx-disable bit.
 *
 * Locking: the lines are computed and driven under one lock (pci__intx_lock), taken after a
 * device's and before the PIC's or IOAPIC's (vm/vm.h): several devices share a line, so the
 * OR of their levels must be taken and sent as one step, else two devices' updates could
 * reach the PIC/IOAPIC in the wrong order and leave a line at a stale level. A device's
 * level (d->intx) and INTx-disable bit (d->intx_off) are atomics the device writes under
 * its own lock; the last update after any change reads them all.
 */
#include "../hw/board.h"
#include "../hw/ioapic.h"
#include "../hw/pic.h"
#include "../vm/vm.h"
#include "pci.h"

unsigned int pci__intx_line(unsigned int slot)
{
	return (slot + 3) % 4;
}

void pci__intx_update(struct vm *vm)
{
	bool line[4] = { false };

	pthread_mutex_lock(pci__intx_lock(vm));
	for (unsigned int s = 1; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = pci__slot(vm, s);

		if (!d || !__atomic_load_n(&d->intx, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&d->intx_off, __ATOMIC_ACQUIRE))
			continue;
		line[pci__intx_line(s)] = true;
	}
	for (unsigned int l = 0; l < 4; l++)
		ioapic__set_pin(vm, PCI_INTX_GSI(l), line[l]);
	irq__set(vm, PCI_INTX_PIC_IRQ(0), line[0] || line[2]);
	irq__set(vm, PCI_INTX_PIC_IRQ(1), line[1] || line[3]);
	pthread_mutex_unlock(pci__intx_lock(vm));
}

bool pci__intx_store(struct pci_dev *d, bool level)
{
	return __atomic_exchange_n(&d->intx, level, __ATOMIC_ACQ_REL) != level;
}

void pci__intx_cmd(struct pci_dev *d)
{
	__atomic_store_n(&d->intx_off,
			 !!(le_get(d->cfg + PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE),
			 __ATOMIC_RELEASE);
}

void pci__intx_sync(struct pci_dev *d)
{
	pci__intx_update(d->vm);
}
