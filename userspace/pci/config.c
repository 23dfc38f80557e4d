// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI function's configuration space: the type-0 header, the capability list, BAR
 * registers (sizing: the guest writes all ones and reads back the size mask; only the
 * address bits are writable) and their mapping on the MMIO or port bus while the command
 * register enables decoding. Every write goes through a per-byte write mask, so a guest can
 * only change what the hardware would let it; accesses outside the 256 bytes, wider than 4
 * bytes or crossing a dword are ignored (reads as all ones).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../vm/vm.h"
#include "msix.h"
#include "pci.h"

void pci__dev_init(struct pci_dev *d, struct vm *vm, const char *name, pthread_mutex_t *lock,
		   u16 vendor, u16 device, u32 class_code, u8 revision, u16 subsys_vendor,
		   u16 subsys)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	memset(d->wmask, 0, sizeof(d->wmask));
	d->vm = vm;
	d->name = name;
	d->lock = lock;
	le_put(d->cfg + PCI_VENDOR_ID, 2, vendor);
	le_put(d->cfg + PCI_DEVICE_ID, 2, device);
	d->cfg[PCI_REVISION_ID] = revision;
	le_put(d->cfg + PCI_CLASS_PROG, 3, class_code);
	le_put(d->cfg + PCI_SUBSYSTEM_VENDOR_ID, 2, subsys_vendor);
	le_put(d->cfg + PCI_SUBSYSTEM_ID, 2, subsys);
	d->cfg[PCI_INTERRUPT_PIN] = 1;			/* INTA# */
	le_put(d->wmask + PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;		/* scratch for the OS */
	d->cap_end = 0x40;
}

u8 pci__add_cap(struct pci_dev *d, u8 id, u8 len)
{
	u8 off = d->cap_end;

	if (len < 2 || off + len > PCI_CFG_SIZE)
		return 0;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (d->last_cap)
		d->cfg[d->last_cap + 1] = off;
	else
		d->cfg[PCI_CAPABILITY_LIST] = off;
	le_put(d->cfg + PCI_STATUS, 2, le_get(d->cfg + PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
	d->last_cap = off;
	d->cap_end = (u8)ALIGN_UP(off + len, 4);
	return off;
}

void pci__add_bar(struct pci_dev *d, unsigned int n, enum pci_bar_type type, bool prefetch,
		  u64 size, io_fn fn, void *opaque, pthread_mutex_t *lock)
{
	struct pci_bar *b = &d->bar[n];
	u32 off = PCI_BAR0 + 4 * n, low;

	if (n >= 6 || (type == PCI_BAR_TYPE_MEM64 && n == 5) || size & (size - 1))
		return;
	*b = (struct pci_bar){ .type = type, .prefetch = prefetch, .size = size, .fn = fn,
			       .opaque = opaque, .lock = lock, .dev = d, .index = n };
	if (type == PCI_BAR_TYPE_IO) {
		low = PCI_BAR_IO;
		le_put(d->wmask + off, 4, ~(u32)(size - 1) & ~3u);
	} else {
		low = (type == PCI_BAR_TYPE_MEM64 ? PCI_BAR_MEM64 : 0) |
		      (prefetch ? PCI_BAR_PREFETCH : 0);
		le_put(d->wmask + off, 4, ~(u32)(size - 1) & ~0xfu);
		if (type == PCI_BAR_TYPE_MEM64)
			le_put(d->wmask + off + 4, 4, (u32)(~(size - 1) >> 32));
	}
	le_put(d->cfg + off, 4, low);
}

/* Where BAR n points now (0 if its type's decoding is off). */
static u64 pci__bar_target(const struct pci_dev *d, unsigned int n)
{
	const struct pci_bar *b = &d->bar[n];
	u16 cmd = (u16)le_get(d->cfg + PCI_COMMAND, 2);
	u64 a = le_get(d->cfg + PCI_BAR0 + 4 * n, 4);

	switch (b->type) {
	case PCI_BAR_TYPE_IO:
		a &= ~3ULL;
		return (cmd & PCI_COMMAND_IO) && a + b->size <= PCI_IO_END ? a : 0;
	case PCI_BAR_TYPE_MEM64:
		a |= le_get(d->cfg + PCI_BAR0 + 4 * n + 4, 4) << 32;
		/* fallthrough */
	case PCI_BAR_TYPE_MEM32:
		a &= ~0xfULL;
		return (cmd & PCI_COMMAND_MEMORY) && a + b->size > a ? a : 0;
	default:
		return 0;
	}
}

static void pci__bar_io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
			void *opaque)
{
	struct pci_bar *b = opaque;

	if (off + len > b->size) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	b->fn(vcpu, off, data, len, is_write, b->opaque);
}

/* Put every BAR where its register says (device lock held). */
static void pci__map_bars(struct pci_dev *d)
{
	for (unsigned int n = 0; n < 6; n++) {
		struct pci_bar *b = &d->bar[n];
		struct bus *bus = b->type == PCI_BAR_TYPE_IO ? &d->vm->pio : &d->vm->mmio;
		u64 want = pci__bar_target(d, n), old = b->mapped;

		if (b->type == PCI_BAR_NONE || want == old)
			continue;
		if (old)
			bus__unregister(bus, old, b);
		b->mapped = 0;
		/* A guest-chosen address over another device stays unmapped (as unclaimed). */
		if (want && !bus__register_full(bus, want, b->size, pci__bar_io, b, b->lock,
						d->name, true))
			b->mapped = want;
		if (d->bar_moved && b->mapped != old)
			d->bar_moved(d, n, old, b->mapped);
	}
}

u64 pci__bar_addr(struct pci_dev *d, unsigned int n)
{
	return n < 6 ? d->bar[n].mapped : 0;
}

/* Registration: BAR n at addr, decoding on, as firmware leaves it. */
void pci__place_bar(struct pci_dev *d, unsigned int n, u64 addr)
{
	u32 off = PCI_BAR0 + 4 * n;

	le_put(d->cfg + off, 4, (le_get(d->cfg + off, 4) & 0xf) | (u32)addr);
	if (d->bar[n].type == PCI_BAR_TYPE_MEM64)
		le_put(d->cfg + off + 4, 4, addr >> 32);
}

void pci__dev_map(struct pci_dev *d)
{
	pthread_mutex_lock(d->lock);
	pci__map_bars(d);
	pthread_mutex_unlock(d->lock);
}

void pci__dev_unmap(struct pci_dev *d)
{
	for (unsigned int n = 0; n < 6; n++) {
		struct pci_bar *b = &d->bar[n];

		if (!b->mapped)
			continue;
		bus__unregister(b->type == PCI_BAR_TYPE_IO ? &d->vm->pio : &d->vm->mmio,
				b->mapped, b);
		if (d->bar_moved)
			d->bar_moved(d, n, b->mapped, 0);
		b->mapped = 0;
	}
}

static bool overlaps(u32 off, u32 len, u32 start, u32 size)
{
	return off < start + size && start < off + len;
}

/* One configuration access to d (device lock taken here). Returns true if INTx may change. */
bool pci__dev_cfg(struct pci_dev *d, u32 off, void *data, u32 len, bool is_write)
{
	u8 *p = data;
	bool intx = false;

	if (!len || len > 4 || (off & 3) + len > 4 || off + len > PCI_CFG_SIZE) {
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	pthread_mutex_lock(d->lock);
	if (d->cfg_hook && d->cfg_hook(d, off, data, len, is_write)) {
		intx = true;			/* it may have read a device's ISR */
		goto out;
	}
	if (!is_write) {
		memcpy(data, d->cfg + off, len);
		if (overlaps(off, len, PCI_STATUS, 1) && __atomic_load_n(&d->intx, __ATOMIC_ACQUIRE))
			p[PCI_STATUS - off] |= PCI_STATUS_INTERRUPT;
		goto out;
	}
	for (u32 i = 0; i < len; i++)
		d->cfg[off + i] = (d->cfg[off + i] & ~d->wmask[off + i]) | (p[i] & d->wmask[off + i]);
	if (overlaps(off, len, PCI_COMMAND, 2) || overlaps(off, len, PCI_BAR0, 24))
		pci__map_bars(d);
	intx = overlaps(off, len, PCI_COMMAND, 2);
	if (intx)
		pci__intx_cmd(d);
	if (d->msix && overlaps(off, len, msix__cap(d->msix), 4))
		intx |= msix__cfg_written(d->msix);
out:
	pthread_mutex_unlock(d->lock);
	return intx;
}
