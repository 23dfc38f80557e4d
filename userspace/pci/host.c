// SPDX-License-Identifier: GPL-2.0
/*
 * The host bridge and bus 0: configuration mechanism #1 (CONFIG_ADDRESS at 0xcf8 as a dword,
 * CONFIG_DATA at 0xcfc-0xcff), the bridge itself at 00:00.0 (an Intel host bridge ID, so
 * Linux's type-1 probe passes) and the devices in slots 1-31. BARs are placed as firmware
 * would: I/O from 0xc000, 32-bit memory from 0xc0000000, 64-bit memory in the window above
 * RAM; the DSDT's _CRS declares the same windows (acpi/acpi.c patches the 64-bit one).
 *
 * Locking (vm/vm.h): p->lock guards CONFIG_ADDRESS; the bus takes it around the conf1 ports,
 * so a configuration access holds it, then the device's lock, then the INTx lock. p->intx_lock
 * (pci/intx.c) guards the INTx lines. The slot table is written while the machine is built
 * and torn down, with no vCPU running.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"
#include "msix.h"
#include "pci.h"

#define CONFIG_ENABLE	0x80000000u

struct pci {
	struct vm *vm;
	pthread_mutex_t lock;		/* addr */
	pthread_mutex_t intx_lock;	/* the INTx lines (pci/intx.c) */
	u32 addr;			/* CONFIG_ADDRESS */
	u8 host[64];			/* the host bridge's header */
	struct pci_dev *slot[PCI_MAX_SLOTS];
	u64 next_io, next32, next64;
};

u64 pci__mmio64_base(u64 ram_size, u64 low_size)
{
	return ALIGN_UP(HIGH_MEM_START + (ram_size - low_size), 1ULL << 30);
}

static void pci__host_header(u8 *h)
{
	memset(h, 0, 64);
	le_put(h + PCI_VENDOR_ID, 2, 0x8086);
	le_put(h + PCI_DEVICE_ID, 2, 0x29c0);	/* a host bridge ID Linux knows */
	h[0x0b] = 0x06;				/* class: bridge */
	h[0x0a] = 0x00;				/* subclass: host */
	h[PCI_HEADER_TYPE] = 0x00;		/* header type 0, single function */
}

void pci__cfg_access(struct vm *vm, unsigned int bus, unsigned int slot, unsigned int fn,
		     u32 off, void *data, u32 len, bool is_write)
{
	struct pci *p = vm->pci;
	struct pci_dev *d = slot < PCI_MAX_SLOTS ? p->slot[slot] : NULL;

	if (bus || fn || (slot && !d)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (!slot) {				/* the host bridge: read only */
		if (is_write)
			return;
		if (off + len <= sizeof(p->host))
			memcpy(data, p->host + off, len);
		else if (off + len <= PCI_CFG_SIZE)
			memset(data, 0, len);
		else
			memset(data, 0xff, len);
		return;
	}
	if (pci__dev_cfg(d, off, data, len, is_write))
		pci__intx_update(vm);
}

static void pci__conf1(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		       void *opaque)
{
	struct pci *p = opaque;
	u32 a = p->addr;

	(void)vcpu;
	if (off >= 4) {
		if (!(a & CONFIG_ENABLE)) {
			if (!is_write)
				memset(data, 0xff, len);
			return;
		}
		pci__cfg_access(p->vm, (a >> 16) & 0xff, (a >> 11) & 0x1f, (a >> 8) & 7,
				(a & 0xfc) + (u32)(off - 4), data, len, is_write);
		return;
	}
	/* Only a dword access at 0xcf8 is CONFIG_ADDRESS; 0xcf9/0xcfb bytes are other registers. */
	if (off == 0 && len == 4) {
		if (is_write)
			p->addr = (u32)le_get(data, 4) & 0x80fffffc;
		else
			le_put(data, 4, p->addr);
	} else if (!is_write) {
		le_put(data, len, (u64)p->addr >> (8 * off));
	}
}

/* The next address of size (aligned to it) from *next below end, or 0. */
static u64 pci__alloc(u64 *next, u64 end, u64 size)
{
	u64 a = ALIGN_UP(*next, size);

	if (a + size > end || a + size < a)
		return 0;
	*next = a + size;
	return a;
}

int pci__register(struct vm *vm, struct pci_dev *d, char *msg, size_t msglen)
{
	struct pci *p = vm->pci;
	u64 end64 = pci__mmio64_base(vm->ram_size, vm->low_size) + PCI_MMIO64_SIZE;
	unsigned int slot;

	for (slot = 1; slot < PCI_MAX_SLOTS && p->slot[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS) {
		snprintf(msg, msglen, "vmxrun: %s: no free PCI slot (at most %d devices)", d->name,
			 PCI_MAX_SLOTS - 1);
		return -ENOSPC;
	}
	for (unsigned int n = 0; n < 6; n++) {
		struct pci_bar *b = &d->bar[n];
		u64 a = 0;

		if (b->type == PCI_BAR_TYPE_IO)
			a = pci__alloc(&p->next_io, PCI_IO_END, b->size);
		else if (b->type == PCI_BAR_TYPE_MEM32)
			a = pci__alloc(&p->next32, PCI_MMIO32_END, b->size);
		else if (b->type == PCI_BAR_TYPE_MEM64)
			a = pci__alloc(&p->next64, end64, b->size);
		else
			continue;
		if (!a) {
			snprintf(msg, msglen, "vmxrun: %s: no room for BAR %u (%llu KiB) in the PCI windows",
				 d->name, n, (unsigned long long)(b->size >> 10));
			return -ENOSPC;
		}
		pci__place_bar(d, n, a);
	}
	le_put(d->cfg + PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	d->cfg[PCI_INTERRUPT_LINE] = (u8)PCI_INTX_PIC_IRQ(pci__intx_line(slot));
	pci__intx_cmd(d);
	memcpy(d->cfg0, d->cfg, sizeof(d->cfg0));
	d->slot = slot;
	p->slot[slot] = d;
	pci__dev_map(d);
	return 0;
}

void pci__dev_reset(struct pci_dev *d)
{
	pthread_mutex_lock(d->lock);
	memcpy(d->cfg, d->cfg0, sizeof(d->cfg));
	pci__intx_cmd(d);
	if (d->msix)
		msix__reset(d->msix);
	pci__intx_store(d, false);
	pthread_mutex_unlock(d->lock);
	pci__dev_map(d);
}

void pci__dev_exit(struct pci_dev *d)
{
	struct pci *p = d->vm->pci;

	if (!d->lock)
		return;				/* never set up */
	if (d->slot && p && p->slot[d->slot] == d)
		p->slot[d->slot] = NULL;
	pthread_mutex_lock(d->lock);
	pci__dev_unmap(d);
	pthread_mutex_unlock(d->lock);
	msix__free(d->msix);
	d->msix = NULL;
}

struct pci_dev *pci__slot(struct vm *vm, unsigned int slot)
{
	return vm->pci && slot < PCI_MAX_SLOTS ? vm->pci->slot[slot] : NULL;
}

void pci__reset(struct vm *vm)
{
	pthread_mutex_lock(&vm->pci->lock);
	vm->pci->addr = 0;
	pthread_mutex_unlock(&vm->pci->lock);
	pci__intx_update(vm);
}

pthread_mutex_t *pci__intx_lock(struct vm *vm)
{
	return &vm->pci->intx_lock;
}

int pci__init(struct vm *vm)
{
	struct pci *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	vm->pci = p;
	p->vm = vm;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->intx_lock, NULL);
	p->next_io = PCI_IO_BASE;
	p->next32 = PCI_MMIO32_BASE;
	p->next64 = pci__mmio64_base(vm->ram_size, vm->low_size);
	pci__host_header(p->host);
	return bus__register_locked(&vm->pio, 0xcf8, 8, pci__conf1, p, &p->lock, "pci-conf1");
}

void pci__exit(struct vm *vm)
{
	if (vm->pci) {
		pthread_mutex_destroy(&vm->pci->lock);
		pthread_mutex_destroy(&vm->pci->intx_lock);
	}
	free(vm->pci);
	vm->pci = NULL;
}
