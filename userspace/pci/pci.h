/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI bus behind the host bridge (00:00.0): configuration mechanism #1 at 0xcf8/0xcfc,
 * one function per slot (00:01.0 upwards), type-0 headers with capability lists, BARs sized
 * and placed in the windows the DSDT's _CRS declares (pci__windows()), MSI-X (pci/msix.c)
 * and INTx (pci/intx.c: lines to IOAPIC pins 16-19, or PIC IRQs 10/11 in PIC mode, as the
 * _PRT says).
 *
 * Locking (vm/vm.h): configuration accesses arrive with the conf1 lock held (the bus takes
 * it) and take the device's lock (pci_dev.lock) around the device's state; a BAR is
 * registered with the lock pci__add_bar was given (NULL: its callback locks for itself, as
 * virtio's do). Order: conf1, then a device lock, then the INTx lock (pci/intx.c), then the
 * PIC's or IOAPIC's; the GSI table's (vm/gsi.h) is a leaf under a device's.
 */
#ifndef VMXRUN_PCI_PCI_H
#define VMXRUN_PCI_PCI_H

#include <pthread.h>

#include "../util/types.h"
#include "../vm/bus.h"

#define PCI_MAX_SLOTS		32
#define PCI_CFG_SIZE		256

/* Configuration header offsets and bits (PCI Local Bus 3.0, 6.2). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_MSIX		0x11
#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM64		0x4
#define PCI_BAR_PREFETCH	0x8

/* The 32-bit MMIO window (below the IOAPIC) and the I/O port window for BARs. */
#define PCI_MMIO32_BASE		0xc0000000ULL
#define PCI_MMIO32_END		0xfec00000ULL	/* exclusive */
#define PCI_IO_BASE		0xc000ULL
#define PCI_IO_END		0x10000ULL
#define PCI_MMIO64_SIZE		(16ULL << 30)

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_TYPE_IO, PCI_BAR_TYPE_MEM32, PCI_BAR_TYPE_MEM64 };

struct pci_dev;
struct msix;
struct vm;

struct pci_bar {
	enum pci_bar_type type;
	bool prefetch;
	u64 size;			/* a power of two */
	u64 mapped;			/* where it is on the bus now; 0: nowhere */
	io_fn fn;			/* offsets relative to the BAR */
	void *opaque;
	pthread_mutex_t *lock;		/* the bus holds it around fn; NULL: fn locks itself */
	struct pci_dev *dev;
	unsigned int index;
};

struct pci_dev {
	struct vm *vm;
	const char *name;
	unsigned int slot;		/* 1..31 once registered */
	pthread_mutex_t *lock;		/* the device's lock, taken around its config space */
	u8 cfg[PCI_CFG_SIZE];
	u8 wmask[PCI_CFG_SIZE];		/* bits the guest may write */
	u8 cfg0[PCI_CFG_SIZE];		/* the power-on header (after pci__register) */
	u8 cap_end;			/* next free byte for a capability */
	u8 last_cap;			/* offset of the last capability, 0: none */
	struct pci_bar bar[6];
	struct msix *msix;
	bool intx;			/* the device's INTx output (pci__intx_store; atomic) */
	bool intx_off;			/* its command's INTx-disable bit (pci__intx_cmd; atomic) */
	/* Called (device lock held) after BAR n moved: old and new bus address, 0: none. */
	void (*bar_moved)(struct pci_dev *d, unsigned int n, u64 old, u64 new_addr);
	/* A configuration access the header does not cover (a vendor capability's window). */
	bool (*cfg_hook)(struct pci_dev *d, u32 off, void *data, u32 len, bool is_write);
	void *priv;
};

/* The PCI bus of a VM (the platform device "pci"). */
int pci__init(struct vm *vm);
void pci__reset(struct vm *vm);
void pci__exit(struct vm *vm);

/* A device's header: IDs, class (base << 16 | sub << 8 | prog-if), interrupt pin INTA. */
void pci__dev_init(struct pci_dev *d, struct vm *vm, const char *name, pthread_mutex_t *lock,
		   u16 vendor, u16 device, u32 class_code, u8 revision, u16 subsys_vendor,
		   u16 subsys);
/* Append a capability of len bytes (id and next pointer included); its offset, 0 if full. */
u8 pci__add_cap(struct pci_dev *d, u8 id, u8 len);
/* Declare BAR n (a 64-bit BAR takes n + 1 too); size a power of two. */
void pci__add_bar(struct pci_dev *d, unsigned int n, enum pci_bar_type type, bool prefetch,
		  u64 size, io_fn fn, void *opaque, pthread_mutex_t *lock);
/* Put the device in a free slot, place and map its BARs. 0 or -errno (*msg says why). */
int pci__register(struct vm *vm, struct pci_dev *d, char *msg, size_t msglen);
/* Back to the power-on header (BARs where the firmware put them, decoding on). */
void pci__dev_reset(struct pci_dev *d);
void pci__dev_exit(struct pci_dev *d);

/* Configuration access to slot's function 0 (tests, conf1); no device lock held. */
void pci__cfg_access(struct vm *vm, unsigned int bus, unsigned int slot, unsigned int fn,
		     u32 off, void *data, u32 len, bool is_write);
/* The bus address of BAR n while it is mapped, else 0. */
u64 pci__bar_addr(struct pci_dev *d, unsigned int n);

/* Inside pci/: BAR placement, mapping, one configuration access (true: INTx may change). */
void pci__place_bar(struct pci_dev *d, unsigned int n, u64 addr);
void pci__dev_map(struct pci_dev *d);
void pci__dev_unmap(struct pci_dev *d);
bool pci__dev_cfg(struct pci_dev *d, u32 off, void *data, u32 len, bool is_write);

/* The 64-bit window's [base, base + PCI_MMIO64_SIZE) for this machine (above RAM). */
u64 pci__mmio64_base(u64 ram_size, u64 low_size);

/* Slot's device, or NULL. */
struct pci_dev *pci__slot(struct vm *vm, unsigned int slot);

/*
 * INTx (pci/intx.c). The device keeps d->intx the truth: pci__intx_store() under its lock
 * (true if it changed); then pci__intx_sync() drives the lines (under the INTx lock, from
 * every device's current d->intx, so the last sync always wins with the truth), with the
 * device's lock held or not. pci__intx_update: the same for the whole bus. pci__intx_cmd:
 * publish the command register's INTx-disable bit (device lock held, after it may change).
 */
bool pci__intx_store(struct pci_dev *d, bool level);
void pci__intx_sync(struct pci_dev *d);
void pci__intx_update(struct vm *vm);
void pci__intx_cmd(struct pci_dev *d);
/* The INTx lock (pci/host.c owns it). */
pthread_mutex_t *pci__intx_lock(struct vm *vm);
/* The interrupt line (0-3) slot's INTA# is wired to, the GSI and PIC IRQ it reaches. */
unsigned int pci__intx_line(unsigned int slot);
#define PCI_INTX_GSI(line)	(16 + (line))
#define PCI_INTX_PIC_IRQ(line)	((line) & 1 ? 11 : 10)

#endif
