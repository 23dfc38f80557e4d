// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../vm/gsi.h"
#include "../vm/vm.h"
#include "msix.h"
#include "pci.h"

#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_ENTRY_MASKED	1u

struct msix_entry {
	u32 addr_lo, addr_hi, data, ctrl;
};

struct msix {
	struct pci_dev *d;
	unsigned int nr;
	u8 cap;
	struct msix_entry table[MSIX_MAX_VECTORS];
	u64 pba;				/* one bit per vector */
	int gsi[MSIX_MAX_VECTORS];		/* irqfd route, -1: none */
	int irqfd[MSIX_MAX_VECTORS];		/* -1: none */
	bool route_stale[MSIX_MAX_VECTORS];	/* the entry changed since the route was set */
	msi_sink sink;
	void *sink_opaque;
};

struct msix *msix__new(struct pci_dev *d, unsigned int nr, unsigned int bar)
{
	struct msix *m;
	u8 cap;

	if (!nr || nr > MSIX_MAX_VECTORS)
		return NULL;
	cap = pci__add_cap(d, PCI_CAP_ID_MSIX, 12);
	m = cap ? calloc(1, sizeof(*m)) : NULL;
	if (!m)
		return NULL;
	m->d = d;
	m->nr = nr;
	m->cap = cap;
	le_put(d->cfg + cap + 2, 2, nr - 1);			/* table size - 1 */
	le_put(d->cfg + cap + 4, 4, 0 | bar);			/* table at offset 0 */
	le_put(d->cfg + cap + 8, 4, MSIX_PBA_OFFSET | bar);
	le_put(d->wmask + cap + 2, 2, MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	for (unsigned int i = 0; i < MSIX_MAX_VECTORS; i++)
		m->gsi[i] = m->irqfd[i] = -1;
	d->msix = m;
	msix__reset(m);
	return m;
}

static void msix__drop_irqfd(struct msix *m, unsigned int v)
{
	struct vm *vm = m->d->vm;
	struct kvm_irqfd irqfd = { .fd = (u32)m->irqfd[v], .gsi = (u32)m->gsi[v],
				   .flags = KVM_IRQFD_FLAG_DEASSIGN };

	if (m->irqfd[v] < 0)
		return;
	if (vm->fd >= 0)
		ioctl(vm->fd, KVM_IRQFD, &irqfd);
	close(m->irqfd[v]);
	gsi__put(vm, (unsigned int)m->gsi[v]);
	m->irqfd[v] = m->gsi[v] = -1;
}

void msix__free(struct msix *m)
{
	if (!m)
		return;
	for (unsigned int v = 0; v < m->nr; v++)
		msix__drop_irqfd(m, v);
	free(m);
}

void msix__reset(struct msix *m)
{
	for (unsigned int v = 0; v < m->nr; v++) {
		m->table[v] = (struct msix_entry){ .ctrl = MSIX_ENTRY_MASKED };
		m->route_stale[v] = true;
	}
	m->pba = 0;
	le_put(m->d->cfg + m->cap + 2, 2, m->nr - 1);
}

u8 msix__cap(const struct msix *m)
{
	return m->cap;
}

unsigned int msix__nr(const struct msix *m)
{
	return m->nr;
}

static u16 msix__ctrl(const struct msix *m)
{
	return (u16)le_get(m->d->cfg + m->cap + 2, 2);
}

bool msix__enabled(const struct msix *m)
{
	return msix__ctrl(m) & MSIX_CTRL_ENABLE;
}

static bool msix__masked(const struct msix *m, unsigned int v)
{
	return (msix__ctrl(m) & MSIX_CTRL_MASKALL) || (m->table[v].ctrl & MSIX_ENTRY_MASKED);
}

/* An irqfd on a GSI route for v; false if that cannot be had (then KVM_SIGNAL_MSI). */
static bool msix__irqfd(struct msix *m, unsigned int v)
{
	struct vm *vm = m->d->vm;
	struct msix_entry *e = &m->table[v];
	struct kvm_irqfd irqfd = { 0 };
	int gsi, fd;

	if (m->irqfd[v] < 0) {
		gsi = gsi__get(vm);
		if (gsi < 0)
			return false;
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fd < 0) {
			gsi__put(vm, (unsigned int)gsi);
			return false;
		}
		gsi__set_msi(vm, (unsigned int)gsi, e->addr_lo, e->addr_hi, e->data);
		gsi__commit(vm, false);
		irqfd.fd = (u32)fd;
		irqfd.gsi = (u32)gsi;
		if (ioctl(vm->fd, KVM_IRQFD, &irqfd)) {
			fprintf(stderr, "vmxrun: %s: KVM_IRQFD: %s (using KVM_SIGNAL_MSI)\n",
				vm->hv->path, strerror(errno));
			close(fd);
			gsi__put(vm, (unsigned int)gsi);
			vm->irqfd = false;
			return false;
		}
		m->gsi[v] = gsi;
		m->irqfd[v] = fd;
		m->route_stale[v] = false;
	}
	if (m->route_stale[v]) {
		gsi__set_msi(vm, (unsigned int)m->gsi[v], e->addr_lo, e->addr_hi, e->data);
		gsi__commit(vm, false);
		m->route_stale[v] = false;
	}
	return true;
}

int msix__vector_irqfd(struct msix *m, unsigned int v)
{
	struct vm *vm = m->d->vm;

	if (v >= m->nr || vm->fd < 0 || !vm->irqfd || !msix__irqfd(m, v))
		return -1;
	return m->irqfd[v];
}

static void msix__fire(struct msix *m, unsigned int v)
{
	struct vm *vm = m->d->vm;
	struct msix_entry *e = &m->table[v];
	struct kvm_msi msi = { .address_lo = e->addr_lo, .address_hi = e->addr_hi,
			       .data = e->data };
	u64 one = 1;

	if (m->sink) {
		m->sink(vm, e->addr_lo, e->addr_hi, e->data, m->sink_opaque);
		return;
	}
	if (vm->fd < 0)
		return;
	if (vm->irqfd && msix__irqfd(m, v)) {
		if (write(m->irqfd[v], &one, sizeof(one)) == sizeof(one))
			return;
	}
	if (ioctl(vm->fd, KVM_SIGNAL_MSI, &msi) < 0)
		fprintf(stderr, "vmxrun: %s: KVM_SIGNAL_MSI: %s\n", vm->hv->path,
			strerror(errno));
}

bool msix__notify(struct msix *m, unsigned int v)
{
	if (!msix__enabled(m) || v >= m->nr)
		return false;
	if (msix__masked(m, v))
		m->pba |= 1ULL << v;
	else
		msix__fire(m, v);
	return true;
}

bool msix__pending(const struct msix *m, unsigned int v)
{
	return v < m->nr && (m->pba >> v) & 1;
}

/* Fire what became unmasked while pending. */
static void msix__flush_pending(struct msix *m)
{
	if (!msix__enabled(m))
		return;
	for (unsigned int v = 0; v < m->nr; v++) {
		if ((m->pba >> v) & 1 && !msix__masked(m, v)) {
			m->pba &= ~(1ULL << v);
			msix__fire(m, v);
		}
	}
}

bool msix__cfg_written(struct msix *m)
{
	msix__flush_pending(m);
	return true;
}

static void msix__table_rw(struct msix *m, u64 off, u8 *p, u32 len, bool is_write)
{
	unsigned int v = (unsigned int)(off / 16);
	u32 *words = (u32 *)&m->table[v];
	u32 w = (u32)(off % 16) / 4;

	/* Dword or aligned qword accesses, as the spec allows; anything else is dropped. */
	if ((len != 4 && len != 8) || off % len || v >= m->nr) {
		if (!is_write)
			memset(p, v >= m->nr ? 0xff : 0, len);
		return;
	}
	for (u32 i = 0; i < len / 4; i++, w++) {
		if (!is_write) {
			le_put(p + 4 * i, 4, words[w]);
			continue;
		}
		if (w == 3) {
			words[3] = (u32)le_get(p + 4 * i, 4) & MSIX_ENTRY_MASKED;
		} else if (words[w] != (u32)le_get(p + 4 * i, 4)) {
			words[w] = (u32)le_get(p + 4 * i, 4);
			m->route_stale[v] = true;
		}
	}
	if (!is_write)
		return;
	/* An irqfd fires on its own (vhost): its route follows the entry at once. */
	if (m->irqfd[v] >= 0 && m->route_stale[v])
		msix__irqfd(m, v);
	msix__flush_pending(m);
}

void msix__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write, void *opaque)
{
	struct msix *m = opaque;

	(void)vcpu;
	pthread_mutex_lock(m->d->lock);
	if (off < MSIX_PBA_OFFSET) {
		msix__table_rw(m, off, data, len, is_write);
	} else if (!is_write) {
		u64 pba_off = off - MSIX_PBA_OFFSET;

		if (pba_off + len <= 8)
			le_put(data, len, m->pba >> (8 * pba_off));
		else
			memset(data, 0, len);
	}
	pthread_mutex_unlock(m->d->lock);
}

void msix__set_sink(struct msix *m, msi_sink fn, void *opaque)
{
	m->sink = fn;
	m->sink_opaque = opaque;
}
