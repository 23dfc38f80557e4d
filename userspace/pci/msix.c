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
	bool irqfd_live[MSIX_MAX_VECTORS];	/* assigned to the VM (KVM_IRQFD) right now */
	bool route_stale[MSIX_MAX_VECTORS];	/* the entry changed since the route was set */
	msi_sink sink;
	void *sink_opaque;
	irqfd_ctl_fn irqfd_ctl;			/* tests: instead of KVM_IRQFD */
	void *irqfd_ctl_opaque;
};

/*
 * An irqfd may be signalled by someone else than us: vhost-net writes its queues' call fds,
 * which are these eventfds. A masked vector must not reach the guest (PCI 3.0, 6.8.2.9:
 * the function sets the pending bit instead), so while its vector is masked (or MSI-X is
 * off) the irqfd is deassigned from the VM: signals then only count up in the eventfd.
 * Unmasking collects that count into the pending bit, assigns the irqfd again and fires the
 * pending message; a PBA read collects it too. (QEMU gets the same by pointing vhost's call
 * at a masked notifier of its own while the vector is masked; deassigning also covers any
 * other signaller and needs no vhost calls.) A signal that comes between the collect and the
 * assign stays in the eventfd, and KVM_IRQFD's assign injects a signal it finds (as KVM).
 */
static int msix__irqfd_ioctl(struct msix *m, unsigned int v, bool assign)
{
	struct vm *vm = m->d->vm;
	struct kvm_irqfd irqfd = { .fd = (u32)m->irqfd[v], .gsi = (u32)m->gsi[v],
				   .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN };

	if (m->irqfd_ctl)
		return m->irqfd_ctl(m->irqfd_ctl_opaque, irqfd.fd, irqfd.gsi, assign);
	if (vm->fd < 0)
		return -1;
	return ioctl(vm->fd, KVM_IRQFD, &irqfd);
}

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

static void msix__sync_irqfds(struct msix *m);

static void msix__drop_irqfd(struct msix *m, unsigned int v)
{
	struct vm *vm = m->d->vm;

	if (m->irqfd[v] < 0)
		return;
	if (m->irqfd_live[v])
		msix__irqfd_ioctl(m, v, false);
	close(m->irqfd[v]);
	gsi__put(vm, (unsigned int)m->gsi[v]);
	m->irqfd[v] = m->gsi[v] = -1;
	m->irqfd_live[v] = false;
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
	msix__sync_irqfds(m);
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

/* Signals that reached v's deassigned irqfd: into the pending bit (dropped if MSI-X is off). */
static void msix__collect(struct msix *m, unsigned int v)
{
	u64 cnt;

	if (m->irqfd[v] < 0 || m->irqfd_live[v])
		return;
	if (read(m->irqfd[v], &cnt, sizeof(cnt)) == sizeof(cnt) && cnt && msix__enabled(m))
		m->pba |= 1ULL << v;
}

/*
 * v's irqfd assigned exactly while MSI-X is on and v unmasked (see the top of this file).
 * False if assigning failed (errno).
 */
static bool msix__sync_irqfd(struct msix *m, unsigned int v)
{
	bool live = msix__enabled(m) && !msix__masked(m, v);

	if (m->irqfd[v] < 0 || m->irqfd_live[v] == live)
		return true;
	if (live)
		msix__collect(m, v);
	if (msix__irqfd_ioctl(m, v, live) && live)
		return false;
	m->irqfd_live[v] = live;
	return true;
}

static void msix__sync_irqfds(struct msix *m)
{
	for (unsigned int v = 0; v < m->nr; v++)
		if (!msix__sync_irqfd(m, v))
			fprintf(stderr, "vmxrun: KVM_IRQFD (MSI-X vector %u): %s\n", v,
				strerror(errno));
}

/* An irqfd on a GSI route for v; false if that cannot be had (then KVM_SIGNAL_MSI). */
static bool msix__irqfd(struct msix *m, unsigned int v)
{
	struct vm *vm = m->d->vm;
	struct msix_entry *e = &m->table[v];
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
		m->gsi[v] = gsi;
		m->irqfd[v] = fd;
		m->route_stale[v] = false;
		/* Assigned now only if v may fire (vhost may take it while masked). */
		if (!msix__sync_irqfd(m, v)) {
			fprintf(stderr, "vmxrun: %s: KVM_IRQFD: %s (using KVM_SIGNAL_MSI)\n",
				vm->hv->path, strerror(errno));
			close(fd);
			gsi__put(vm, (unsigned int)gsi);
			m->irqfd[v] = m->gsi[v] = -1;
			vm->irqfd = false;
			return false;
		}
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

	if (v >= m->nr || (vm->fd < 0 && !m->irqfd_ctl) || !vm->irqfd || !msix__irqfd(m, v))
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

bool msix__pending(struct msix *m, unsigned int v)
{
	if (v >= m->nr)
		return false;
	msix__collect(m, v);
	return (m->pba >> v) & 1;
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
	msix__sync_irqfds(m);
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
	if (!msix__sync_irqfd(m, v))
		fprintf(stderr, "vmxrun: KVM_IRQFD (MSI-X vector %u): %s\n", v, strerror(errno));
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

		for (unsigned int v = 0; v < m->nr; v++)
			msix__collect(m, v);	/* what an external signaller sent */
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

void msix__set_irqfd_ctl(struct msix *m, irqfd_ctl_fn fn, void *opaque)
{
	m->irqfd_ctl = fn;
	m->irqfd_ctl_opaque = opaque;
}
