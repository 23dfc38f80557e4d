// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC, split-irqchip style (QEMU's hw/intc/ioapic.c with kvm_irqchip_is_split(), but
 * delivering with KVM_SIGNAL_MSI). Edge pins send an MSI on the asserting edge while
 * unmasked (an edge on a masked pin is lost, 82093AA 3.2.4); level pins send one when
 * asserted, unmasked and not already waiting for their EOI (remote IRR), and again after
 * the EOI if the line is still asserted. Everything the guest writes is masked to the
 * register's defined bits; unknown registers read as 0 and ignore writes.
 *
 * Locking: io->lock guards everything here; the bus takes it for MMIO, the entry points take
 * it themselves. Routes are pushed and MSIs sent (KVM ioctls that do not block on a vCPU)
 * with it held. It nests inside a device's lock, never inside the PIC's (vm/vm.h).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "x86_defs.h"

#include "../vm/gsi.h"
#include "../vm/vm.h"
#include "ioapic.h"

#define IOREGSEL		0x00
#define IOWIN			0x10
#define REG_ID			0x00
#define REG_VER			0x01
#define REG_ARB			0x02
#define REG_REDTBL		0x10		/* pin n: 0x10 + 2n (low), 0x11 + 2n (high) */
#define ID_MASK			0x0f000000u
#define REDTBL_LO_RW		0x1afffu	/* vector, DM, dest mode, polarity, trigger, mask */
#define REDTBL_HI_RW		0xff000000u	/* destination */
/* The ACPI SCI (hw/pm.h), as the MADT says, and the PCI INTx lines (pci/intx.c, _PRT). */
#define WIRED_ACTIVE_LOW	(1u << 9 | 0xffu << 16)

struct ioapic {
	struct vm *vm;
	pthread_mutex_t lock;		/* everything below */
	u32 ioregsel;
	u32 id;
	u64 redtbl[IOAPIC_PINS];
	u32 lines;			/* input levels as the devices drive them */
	u32 asserted;			/* lines as the pins see them (after polarity) */
	u32 route_addr[IOAPIC_PINS], route_data[IOAPIC_PINS];	/* what the VM was given */
	bool routes_live;		/* ioapic__sync_routes() ran: keep the VM up to date */
	bool routes_valid;		/* route_* hold what the VM has */
	unsigned int route_updates;
	ioapic_sink sink;
	void *sink_opaque;
};

void ioapic__msi(u64 e, u32 *address, u32 *data)
{
	*address = MSI_ADDR_BASE_LO | MSI_ADDR_DEST_ID(IOAPIC_DEST(e)) |
		   (e & IOAPIC_DEST_LOGICAL ? MSI_ADDR_DEST_MODE_LOGICAL : 0);
	*data = IOAPIC_VECTOR(e) | IOAPIC_DM(e) << 8 |
		(e & IOAPIC_LEVEL ? MSI_DATA_TRIGGER_LEVEL | MSI_DATA_LEVEL_ASSERT : 0);
}

static bool ioapic__pin_asserted(const struct ioapic *io, unsigned int pin)
{
	bool line = (io->lines >> pin) & 1, wired_low = (WIRED_ACTIVE_LOW >> pin) & 1;
	bool low = io->redtbl[pin] & IOAPIC_ACTIVE_LOW;

	return line ^ (low != wired_low);
}

/*
 * One route per pin, masked or not, so that an EOI of a vector in service still exits. The
 * routes live in the VM's shared GSI table (vm/gsi.c; GSI n = pin n) beside MSI-X's.
 */
static void ioapic__update_routes(struct ioapic *io)
{
	bool changed = !io->routes_valid;

	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++) {
		u32 addr, data;

		ioapic__msi(io->redtbl[pin], &addr, &data);
		changed |= addr != io->route_addr[pin] || data != io->route_data[pin];
		io->route_addr[pin] = addr;
		io->route_data[pin] = data;
		gsi__set_msi(io->vm, pin, addr, 0, data);
	}
	if (!changed || !io->routes_live)
		return;
	io->routes_valid = true;
	io->route_updates++;
	if (io->vm->fd < 0)
		return;
	if (gsi__commit(io->vm, false))
		io->routes_valid = false;
}

int ioapic__sync_routes(struct vm *vm)
{
	struct ioapic *io = vm->ioapic;
	bool ok;

	if (!io)
		return 0;
	pthread_mutex_lock(&io->lock);
	io->routes_live = true;
	io->routes_valid = false;
	if (vm->gsi)
		gsi__go_live(vm);
	ioapic__update_routes(io);
	ok = io->routes_valid;
	pthread_mutex_unlock(&io->lock);
	return ok ? 0 : -EIO;
}

/* Send pin's interrupt message; a level pin then waits for its EOI (remote IRR). */
static void ioapic__deliver(struct ioapic *io, unsigned int pin)
{
	u64 e = io->redtbl[pin];
	struct kvm_msi msi = { 0 };
	u32 dm = IOAPIC_DM(e);

	if (dm != 0 && dm != 1 && dm != 4 && dm != 5)
		return;		/* SMI, ExtINT (the PIC goes through LINT0) and reserved modes */
	if ((e & IOAPIC_LEVEL) && dm <= 1)
		io->redtbl[pin] |= IOAPIC_REMOTE_IRR;
	ioapic__msi(e, &msi.address_lo, &msi.data);
	if (io->sink) {
		io->sink(io->vm, msi.address_lo, msi.data, io->sink_opaque);
		return;
	}
	if (io->vm->fd >= 0 && ioctl(io->vm->fd, KVM_SIGNAL_MSI, &msi) < 0)
		fprintf(stderr, "vmxrun: %s: KVM_SIGNAL_MSI: %s\n", io->vm->hv->path,
			strerror(errno));
}

/* A level pin fires while asserted, unmasked and not in service. */
static void ioapic__service_level(struct ioapic *io, unsigned int pin)
{
	u64 e = io->redtbl[pin];

	if ((e & IOAPIC_LEVEL) && !(e & (IOAPIC_MASKED | IOAPIC_REMOTE_IRR)) &&
	    (io->asserted >> pin) & 1)
		ioapic__deliver(io, pin);
}

static void ioapic__update_pin(struct ioapic *io, unsigned int pin)
{
	bool was = (io->asserted >> pin) & 1, now = ioapic__pin_asserted(io, pin);
	u64 e = io->redtbl[pin];

	io->asserted = now ? io->asserted | 1u << pin : io->asserted & ~(1u << pin);
	if (e & IOAPIC_LEVEL)
		ioapic__service_level(io, pin);
	else if (now && !was && !(e & IOAPIC_MASKED))
		ioapic__deliver(io, pin);
}

void ioapic__set_pin(struct vm *vm, unsigned int pin, bool level)
{
	struct ioapic *io = vm->ioapic;

	if (!io || pin >= IOAPIC_PINS)
		return;
	pthread_mutex_lock(&io->lock);
	io->lines = level ? io->lines | 1u << pin : io->lines & ~(1u << pin);
	ioapic__update_pin(io, pin);
	pthread_mutex_unlock(&io->lock);
}

void ioapic__eoi(struct vm *vm, u8 vector)
{
	struct ioapic *io = vm->ioapic;

	if (!io)
		return;
	pthread_mutex_lock(&io->lock);
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++) {
		u64 e = io->redtbl[pin];

		if (IOAPIC_VECTOR(e) != vector || !(e & IOAPIC_LEVEL) ||
		    !(e & IOAPIC_REMOTE_IRR))
			continue;
		io->redtbl[pin] &= ~IOAPIC_REMOTE_IRR;
		ioapic__service_level(io, pin);
	}
	pthread_mutex_unlock(&io->lock);
}

static u32 ioapic__read_reg(struct ioapic *io)
{
	u32 sel = io->ioregsel, pin = (sel - REG_REDTBL) >> 1;

	switch (sel) {
	case REG_ID:
	case REG_ARB:
		return io->id;
	case REG_VER:
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	}
	if (sel < REG_REDTBL || pin >= IOAPIC_PINS)
		return 0;
	return (u32)(io->redtbl[pin] >> (sel & 1 ? 32 : 0));
}

static void ioapic__write_reg(struct ioapic *io, u32 val)
{
	u32 sel = io->ioregsel, pin = (sel - REG_REDTBL) >> 1;
	u64 e;

	if (sel == REG_ID) {
		io->id = val & ID_MASK;
		return;
	}
	if (sel < REG_REDTBL || pin >= IOAPIC_PINS)
		return;				/* version, arbitration: read only */
	e = io->redtbl[pin];
	if (sel & 1)
		e = (e & 0xffffffffULL) | (u64)(val & REDTBL_HI_RW) << 32;
	else
		e = (e & ~(u64)REDTBL_LO_RW) | (val & REDTBL_LO_RW);
	if (!(e & IOAPIC_LEVEL))
		e &= ~IOAPIC_REMOTE_IRR;	/* how OSes clear a stuck remote IRR on 0x11 */
	io->redtbl[pin] = e;
	ioapic__update_routes(io);
	/* A polarity change is no edge; an unmasked level pin that is asserted fires. */
	io->asserted = ioapic__pin_asserted(io, pin) ? io->asserted | 1u << pin
						      : io->asserted & ~(1u << pin);
	ioapic__service_level(io, pin);
}

/* IOREGSEL and IOWIN are 32-bit registers; narrower accesses reach the bytes they cover. */
static void ioapic__mmio(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
			 void *opaque)
{
	struct ioapic *io = opaque;
	u64 reg = off & ~3ULL;
	u32 shift = (off & 3) * 8, cur, mask;

	(void)vcpu;
	if (len == 0 || len > 4 || (off & 3) + len > 4 || (reg != IOREGSEL && reg != IOWIN)) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	cur = reg == IOREGSEL ? io->ioregsel : ioapic__read_reg(io);
	if (!is_write) {
		le_put(data, len, cur >> shift);
		return;
	}
	mask = (len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1) << shift;
	cur = (cur & ~mask) | (((u32)le_get(data, len) << shift) & mask);
	if (reg == IOREGSEL)
		io->ioregsel = cur & 0xff;
	else
		ioapic__write_reg(io, cur);
}

void ioapic__reset(struct vm *vm)
{
	struct ioapic *io = vm->ioapic;

	if (!io)
		return;
	pthread_mutex_lock(&io->lock);
	io->ioregsel = 0;
	io->id = IOAPIC_ID << 24;
	io->lines = 0;
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++)
		io->redtbl[pin] = IOAPIC_MASKED;
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++)
		io->asserted = ioapic__pin_asserted(io, pin) ? io->asserted | 1u << pin
							      : io->asserted & ~(1u << pin);
	ioapic__update_routes(io);
	pthread_mutex_unlock(&io->lock);
}

int ioapic__init(struct vm *vm)
{
	if (vm->no_apic)
		return 0;			/* PIC-only machine: no IOAPIC */
	vm->ioapic = calloc(1, sizeof(*vm->ioapic));
	if (!vm->ioapic)
		return -1;
	vm->ioapic->vm = vm;
	pthread_mutex_init(&vm->ioapic->lock, NULL);
	ioapic__reset(vm);
	return bus__register_locked(&vm->mmio, IOAPIC_BASE, IOAPIC_SIZE, ioapic__mmio, vm->ioapic,
				    &vm->ioapic->lock, "ioapic");
}

void ioapic__exit(struct vm *vm)
{
	if (vm->ioapic)
		pthread_mutex_destroy(&vm->ioapic->lock);
	free(vm->ioapic);
	vm->ioapic = NULL;
}

void ioapic__set_sink(struct vm *vm, ioapic_sink fn, void *opaque)
{
	if (!vm->ioapic)
		return;
	pthread_mutex_lock(&vm->ioapic->lock);
	vm->ioapic->sink = fn;
	vm->ioapic->sink_opaque = opaque;
	pthread_mutex_unlock(&vm->ioapic->lock);
}

unsigned int ioapic__route_updates(struct vm *vm)
{
	unsigned int n;

	if (!vm->ioapic)
		return 0;
	pthread_mutex_lock(&vm->ioapic->lock);
	n = vm->ioapic->route_updates;
	pthread_mutex_unlock(&vm->ioapic->lock);
	return n;
}
