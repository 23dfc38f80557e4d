// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: PCI configuration space (header, capability list, malformed accesses),
 * BAR sizing and moving, MSI-X masking and pending bits, INTx to the IOAPIC. The device is a
 * virtio-rng on 00:01.0 (bare PCI functions for the shared INTx line).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "hw/ioapic.h"
#include "hw/virtio/devices.h"
#include "pci/msix.h"
#include "virtio_util.h"

static u32 cfg_r(struct vm *vm, u32 off, u32 len)
{
	u8 d[4] = { 0 };

	pci__cfg_access(vm, 0, 1, 0, off, d, len, false);
	return (u32)le_get(d, len);
}

static void cfg_w(struct vm *vm, u32 off, u32 len, u32 val)
{
	u8 d[4];

	le_put(d, len, val);
	pci__cfg_access(vm, 0, 1, 0, off, d, len, true);
}

static struct virtio_dev *rng_vm(struct vm **vmp)
{
	char msg[256];
	struct vm *vm = host_vm_new(16 * MiB);
	struct virtio_dev *vd;

	*vmp = vm;
	if (!vm)
		return NULL;
	vd = rng__new(vm, msg, sizeof(msg));
	if (vd)
		vm->virtio[vm->nr_virtio++] = vd;
	return vd;
}

static void record(struct vm *vm, u32 lo, u32 hi, u32 data, void *opaque)
{
	struct msi_log *l = opaque;

	(void)vm, (void)lo, (void)hi;
	if (l->n < 32)
		l->data[l->n] = data;
	l->n++;
}

TEST_HOST(pci_virtio_function_has_header_and_capability_list)
{
	struct vm *vm;
	struct virtio_dev *vd = rng_vm(&vm);
	unsigned int types = 0, msix = 0, n = 0;

	ASSERT_TRUE(vd);
	/* Through the conf1 ports, as the guest sees it. */
	outp(vm, 0xcf8, 4, 0x80000800);
	EXPECT_EQ(inp(vm, 0xcfc, 4), 0x10441af4);	/* 1af4:1044, virtio-rng modern */
	EXPECT_EQ(cfg_r(vm, PCI_REVISION_ID, 1), 1);
	EXPECT_EQ(cfg_r(vm, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	EXPECT_EQ(cfg_r(vm, PCI_INTERRUPT_PIN, 1), 1);
	for (u32 c = cfg_r(vm, PCI_CAPABILITY_LIST, 1); c && n < 16; c = cfg_r(vm, c + 1, 1), n++) {
		EXPECT_GE(c, 0x40);
		if (cfg_r(vm, c, 1) == PCI_CAP_ID_MSIX)
			msix = cfg_r(vm, c + 2, 2) + 1;
		else if (cfg_r(vm, c, 1) == PCI_CAP_ID_VNDR)
			types |= 1u << cfg_r(vm, c + 3, 1);
	}
	EXPECT_EQ(msix, 2);				/* one queue + config */
	EXPECT_EQ(types, 1u << 1 | 1u << 2 | 1u << 3 | 1u << 5);	/* no device config: rng */
	outp(vm, 0xcf8, 4, 0x80001000);			/* 00:02.0: nothing */
	EXPECT_EQ(inp(vm, 0xcfc, 4), 0xffffffff);
	host_vm_free(vm);
}

TEST_HOST(pci_malformed_config_accesses_are_ignored)
{
	struct vm *vm;
	struct virtio_dev *vd = rng_vm(&vm);
	u8 d[8];

	ASSERT_TRUE(vd);
	cfg_w(vm, PCI_VENDOR_ID, 4, 0x12345678);	/* read only */
	EXPECT_EQ(cfg_r(vm, PCI_VENDOR_ID, 4), 0x10441af4);
	EXPECT_EQ(cfg_r(vm, 0xfe, 4), 0xffffffff);	/* crosses the end */
	EXPECT_EQ(cfg_r(vm, 0x11, 4), 0xffffffff);	/* crosses a dword */
	pci__cfg_access(vm, 0, 1, 0, 0x10, d, 8, false);	/* wider than a dword */
	EXPECT_EQ(le_get(d, 4), 0xffffffff);
	cfg_w(vm, 0x13, 4, 0);				/* dropped, no crash */
	pci__cfg_access(vm, 0, 1, 3, 0, d, 4, false);	/* function 3: absent */
	EXPECT_EQ(le_get(d, 4), 0xffffffff);
	pci__cfg_access(vm, 1, 1, 0, 0, d, 4, false);	/* bus 1: absent */
	EXPECT_EQ(le_get(d, 4), 0xffffffff);
	outp(vm, 0xcf8, 4, 0x80000800);
	outp(vm, 0xcff, 4, 0xffffffff);			/* port access crossing the data dword */
	EXPECT_EQ(cfg_r(vm, PCI_VENDOR_ID, 4), 0x10441af4);
	host_vm_free(vm);
}

TEST_HOST(pci_bar_sizing_and_moving)
{
	struct vm *vm;
	struct virtio_dev *vd = rng_vm(&vm);
	u64 old, moved = 0xd0000000ULL;
	u32 lo, hi;

	ASSERT_TRUE(vd);
	old = bar4(vd);
	EXPECT_GE(old, pci__mmio64_base(vm->ram_size, vm->low_size));	/* 64-bit window */
	EXPECT_EQ(vr(vm, old + 0x12, 2), 1);		/* num_queues through the BAR */
	lo = cfg_r(vm, PCI_BAR0 + 16, 4);
	hi = cfg_r(vm, PCI_BAR0 + 20, 4);
	EXPECT_EQ(lo & 0xf, PCI_BAR_MEM64 | PCI_BAR_PREFETCH);
	cfg_w(vm, PCI_COMMAND, 2, 0);			/* decoding off, as Linux sizes */
	EXPECT_EQ(pci__bar_addr(&vd->pci, 4), 0);
	EXPECT_EQ(vr(vm, old + 0x12, 2), 0xffff);	/* gone from the bus */
	cfg_w(vm, PCI_BAR0 + 16, 4, 0xffffffff);
	cfg_w(vm, PCI_BAR0 + 20, 4, 0xffffffff);
	EXPECT_EQ(cfg_r(vm, PCI_BAR0 + 16, 4), 0xffffc00c);	/* 16 KiB */
	EXPECT_EQ(cfg_r(vm, PCI_BAR0 + 20, 4), 0xffffffff);
	cfg_w(vm, PCI_BAR0 + 4, 4, 0xffffffff);		/* BAR1: MSI-X, 4 KiB, 32-bit */
	EXPECT_EQ(cfg_r(vm, PCI_BAR0 + 4, 4), 0xfffff000);
	cfg_w(vm, PCI_BAR0 + 0, 4, 0xffffffff);		/* BAR0: none */
	EXPECT_EQ(cfg_r(vm, PCI_BAR0, 4), 0);
	cfg_w(vm, PCI_BAR0 + 16, 4, (u32)moved);
	cfg_w(vm, PCI_BAR0 + 20, 4, 0);
	cfg_w(vm, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(pci__bar_addr(&vd->pci, 4), moved);
	EXPECT_EQ(vr(vm, moved + 0x12, 2), 1);
	EXPECT_EQ(vr(vm, old + 0x12, 2), 0xffff);
	/* Over the IOAPIC: refused, stays unmapped; the IOAPIC still answers. */
	cfg_w(vm, PCI_BAR0 + 16, 4, (u32)IOAPIC_BASE);
	EXPECT_EQ(pci__bar_addr(&vd->pci, 4), 0);
	EXPECT_EQ(vr(vm, IOAPIC_BASE + 0x10, 4) != 0xffffffff, 1);
	/* A reset puts it back where the firmware had it. */
	virtio_devices__reset(vm);
	EXPECT_EQ(pci__bar_addr(&vd->pci, 4), old);
	EXPECT_EQ(cfg_r(vm, PCI_BAR0 + 16, 4), lo);
	EXPECT_EQ(cfg_r(vm, PCI_BAR0 + 20, 4), hi);
	host_vm_free(vm);
}

/* MSI-X on, vector 0 for the queue, entry 0 -> data 0x41 (masked until unmask). */
static u64 msix_setup(struct test_ctx *t, struct vm *vm, struct virtio_dev *vd,
		      struct msi_log *l, bool fmask)
{
	u8 cap = msix__cap(vd->pci.msix);
	u64 tbl = pci__bar_addr(&vd->pci, 1);

	memset(l, 0, sizeof(*l));
	msix__set_sink(vd->pci.msix, record, l);
	cfg_w(vm, cap + 2, 2, 0x8000 | (fmask ? 0x4000 : 0));
	vw(vm, tbl + 0, 4, 0xfee00000);
	vw(vm, tbl + 4, 4, 0);
	vw(vm, tbl + 8, 4, 0x41);
	driver_init(vd, 1ULL << VIRTIO_F_VERSION_1);
	vw(vm, bar4(vd) + 0x1a, 2, 0);			/* queue 0 -> vector 0 */
	EXPECT_EQ(vr(vm, bar4(vd) + 0x1a, 2), 0);
	vw(vm, bar4(vd) + 0x1a, 2, 9);			/* beyond the table: NO_VECTOR */
	EXPECT_EQ(vr(vm, bar4(vd) + 0x1a, 2), MSIX_NO_VECTOR);
	vw(vm, bar4(vd) + 0x1a, 2, 0);
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
	virtio__kick_now(vd, 0);
	return tbl;
}

TEST_HOST(pci_msix_vector_mask_holds_the_message_pending)
{
	struct vm *vm;
	struct virtio_dev *vd = rng_vm(&vm);
	struct msi_log l;
	u64 tbl;

	ASSERT_TRUE(vd);
	tbl = msix_setup(t, vm, vd, &l, false);
	EXPECT_EQ(used(vm)->idx, 1);
	EXPECT_EQ(l.n, 0);				/* entry still masked (reset state) */
	EXPECT_TRUE(msix__pending(vd->pci.msix, 0));
	EXPECT_EQ(vr(vm, tbl + MSIX_PBA_OFFSET, 8) & 1, 1);
	vw(vm, tbl + 12, 4, 0);				/* unmask: the pending one goes */
	EXPECT_EQ(l.n, 1);
	EXPECT_EQ(l.data[0], 0x41);
	EXPECT_TRUE(!msix__pending(vd->pci.msix, 0));
	EXPECT_EQ(vr(vm, bar4(vd) + 0x1000, 1), 0);	/* no ISR/INTx with MSI-X */
	vw(vm, tbl + 3, 4, 0);				/* misaligned: ignored */
	vw(vm, tbl + 16 * 5, 4, 0);			/* beyond the table: ignored */
	EXPECT_EQ(vr(vm, tbl + 16 * 5, 4), 0xffffffff);
	host_vm_free(vm);
}

TEST_HOST(pci_msix_function_mask_holds_every_vector)
{
	struct vm *vm;
	struct virtio_dev *vd = rng_vm(&vm);
	u8 cap;
	struct msi_log l;
	u64 tbl;

	ASSERT_TRUE(vd);
	cap = msix__cap(vd->pci.msix);
	tbl = msix_setup(t, vm, vd, &l, true);
	vw(vm, tbl + 12, 4, 0);				/* entry unmasked, function masked */
	EXPECT_EQ(l.n, 0);
	EXPECT_TRUE(msix__pending(vd->pci.msix, 0));
	cfg_w(vm, cap + 2, 2, 0x8000);			/* function unmasked */
	EXPECT_EQ(l.n, 1);
	EXPECT_TRUE(!msix__pending(vd->pci.msix, 0));
	host_vm_free(vm);
}

/* KVM_IRQFD as the launcher issues it: which eventfd is assigned to the VM right now. */
struct irqfd_log {
	int assigned_fd;		/* -1: none */
	unsigned int assigns, deassigns;
};

static int irqfd_rec(void *opaque, u32 fd, u32 gsi, bool assign)
{
	struct irqfd_log *l = opaque;

	(void)gsi;
	if (assign) {
		l->assigned_fd = (int)fd;
		l->assigns++;
	} else {
		if (l->assigned_fd == (int)fd)
			l->assigned_fd = -1;
		l->deassigns++;
	}
	return 0;
}

static void signal_fd(int fd)
{
	u64 one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/*
 * vhost-net signals the vector's irqfd itself (its call fd), past the launcher: while the
 * vector or the function is masked, that irqfd must not be assigned to the VM (a signal
 * then is a pending bit), and unmasking must deliver what came meanwhile, exactly once.
 */
TEST_HOST(pci_msix_masked_vector_holds_an_external_irqfd_signal_pending)
{
	struct vm *vm;
	struct virtio_dev *vd = rng_vm(&vm);
	struct irqfd_log il = { .assigned_fd = -1 };
	struct msi_log l;
	struct msix *m;
	u64 tbl, cnt;
	u8 cap;
	int fd;

	ASSERT_TRUE(vd);
	m = vd->pci.msix;
	cap = msix__cap(m);
	tbl = msix_setup(t, vm, vd, &l, false);
	vm->irqfd = true;
	msix__set_irqfd_ctl(m, irqfd_rec, &il);
	vw(vm, tbl + 12, 4, 0);				/* unmask: the device's own message */
	EXPECT_EQ(l.n, 1);
	fd = msix__vector_irqfd(m, 0);			/* what vhost gets as its call fd */
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(il.assigned_fd, fd);			/* unmasked: the VM injects its signals */

	vw(vm, tbl + 12, 4, 1);				/* vector masked */
	EXPECT_EQ(il.assigned_fd, -1);
	signal_fd(fd);					/* vhost signals the masked vector */
	EXPECT_EQ(l.n, 1);
	EXPECT_EQ(vr(vm, tbl + MSIX_PBA_OFFSET, 8) & 1, 1);	/* the guest sees it pending */
	vw(vm, tbl + 12, 4, 0);				/* unmask: delivered once */
	EXPECT_EQ(l.n, 2);
	EXPECT_EQ(l.data[1], 0x41);
	EXPECT_EQ(il.assigned_fd, fd);
	EXPECT_TRUE(!msix__pending(m, 0));
	EXPECT_TRUE(read(fd, &cnt, sizeof(cnt)) < 0);	/* nothing left for a second injection */

	vw(vm, tbl + 12, 4, 1);				/* masked and unmasked, no signal: */
	vw(vm, tbl + 12, 4, 0);
	EXPECT_EQ(l.n, 2);				/* nothing delivered */
	EXPECT_EQ(il.assigned_fd, fd);

	cfg_w(vm, cap + 2, 2, 0x8000 | 0x4000);		/* the function mask holds it too */
	EXPECT_EQ(il.assigned_fd, -1);
	signal_fd(fd);
	signal_fd(fd);					/* two signals: one message */
	EXPECT_TRUE(msix__pending(m, 0));
	cfg_w(vm, cap + 2, 2, 0x8000);
	EXPECT_EQ(l.n, 3);
	EXPECT_EQ(il.assigned_fd, fd);
	EXPECT_TRUE(!msix__pending(m, 0));
	EXPECT_EQ(il.assigns, il.deassigns + 1);
	host_vm_free(vm);
	EXPECT_EQ(il.assigned_fd, -1);			/* teardown deassigns */
}

static void ioapic_rec(struct vm *vm, u32 addr, u32 data, void *opaque)
{
	struct msi_log *l = opaque;

	(void)vm, (void)addr;
	if (l->n < 32)
		l->data[l->n] = data;
	l->n++;
}

TEST_HOST(pci_intx_reaches_ioapic_pin_16_until_the_isr_is_read)
{
	struct vm *vm;
	struct virtio_dev *vd = rng_vm(&vm);
	struct msi_log l = { 0 };
	u32 gsi;

	ASSERT_TRUE(vd);
	gsi = PCI_INTX_GSI(pci__intx_line(vd->pci.slot));
	EXPECT_EQ(gsi, 16);
	ioapic__set_sink(vm, ioapic_rec, &l);
	/* Pin 16: vector 0x51, level, active low (the _PRT's), unmasked. */
	vw(vm, IOAPIC_BASE, 4, 0x10 + 2 * gsi);
	vw(vm, IOAPIC_BASE + 0x10, 4, 0x51 | IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW);
	EXPECT_EQ(l.n, 0);				/* line idle */
	driver_init(vd, 1ULL << VIRTIO_F_VERSION_1);
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
	virtio__kick_now(vd, 0);
	EXPECT_EQ(l.n, 1);
	EXPECT_EQ(l.data[0] & 0xff, 0x51);
	EXPECT_EQ(cfg_r(vm, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	EXPECT_EQ(vr(vm, bar4(vd) + 0x1000, 1), 1);	/* ISR: queue; reading clears */
	EXPECT_EQ(cfg_r(vm, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	ioapic__eoi(vm, 0x51);
	EXPECT_EQ(l.n, 1);				/* deasserted: no second message */
	host_vm_free(vm);
}

struct intx_toggler {
	struct pci_dev *d;
	pthread_mutex_t lock;
	unsigned int rounds;		/* odd: ends asserted */
};

static void *intx_toggle(void *arg)
{
	struct intx_toggler *t = arg;

	for (unsigned int i = 1; i <= t->rounds; i++) {
		bool changed;

		pthread_mutex_lock(&t->lock);
		changed = pci__intx_store(t->d, i & 1);
		pthread_mutex_unlock(&t->lock);
		if (changed)
			pci__intx_sync(t->d);
	}
	return NULL;
}

/*
 * Slots 1 and 5 share INTA line 0 (IOAPIC pin 16): two devices toggling it from two threads
 * must leave the pin at the OR of their last levels (the INTx lock computes and drives the
 * OR as one step), and under check-tsan with no race or lock-order inversion.
 */
TEST_HOST(pci_shared_intx_line_ends_at_the_or_of_its_devices_levels)
{
	struct vm *vm = host_vm_new(16 * MiB);
	struct intx_toggler tg[2] = { { .rounds = 2000 }, { .rounds = 2001 } };
	struct pci_dev dev[5];
	struct msi_log l = { 0 };
	pthread_t th[2];
	char msg[128];
	unsigned int n;

	ASSERT_TRUE(vm);
	pthread_mutex_init(&tg[0].lock, NULL);
	pthread_mutex_init(&tg[1].lock, NULL);
	for (unsigned int i = 0; i < 5; i++) {
		memset(&dev[i], 0, sizeof(dev[i]));
		pci__dev_init(&dev[i], vm, "intx", &tg[i == 4].lock, 0x1234, 0x11, 0xff0000, 0,
			      0x1234, 0);
		ASSERT_EQ(pci__register(vm, &dev[i], msg, sizeof(msg)), 0);
	}
	ASSERT_EQ(dev[4].slot, 5);
	EXPECT_EQ(pci__intx_line(dev[0].slot), pci__intx_line(dev[4].slot));
	tg[0].d = &dev[0];
	tg[1].d = &dev[4];
	ioapic__set_sink(vm, ioapic_rec, &l);
	vw(vm, IOAPIC_BASE, 4, 0x10 + 2 * 16);
	vw(vm, IOAPIC_BASE + 0x10, 4, 0x52 | IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW);
	for (unsigned int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, intx_toggle, &tg[i]), 0);
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/* Device 1 low, device 5 high: the line is high, so an EOI delivers again. */
	n = l.n;
	ioapic__eoi(vm, 0x52);
	EXPECT_EQ(l.n, n + 1);
	/* Device 5 low too: the line drops; the next EOI delivers nothing. */
	if (pci__intx_store(&dev[4], false))
		pci__intx_sync(&dev[4]);
	ioapic__eoi(vm, 0x52);
	EXPECT_EQ(l.n, n + 1);
	for (unsigned int i = 0; i < 5; i++)
		pci__dev_exit(&dev[i]);
	host_vm_free(vm);
	pthread_mutex_destroy(&tg[0].lock);
	pthread_mutex_destroy(&tg[1].lock);
}
