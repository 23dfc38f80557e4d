// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gsi.h"
#include "vm.h"

struct gsi_route {
	bool used;
	u32 addr_lo, addr_hi, data;
};

struct gsi {
	pthread_mutex_t lock;		/* everything below */
	struct gsi_route r[GSI_MAX];
	unsigned int nr;		/* highest used GSI + 1 */
	bool dirty, live;
	unsigned int commits;
	struct kvm_irq_routing *buf;	/* room for GSI_MAX entries */
};

int gsi__init(struct vm *vm)
{
	struct gsi *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->buf = calloc(1, sizeof(*g->buf) + GSI_MAX * sizeof(g->buf->entries[0]));
	if (!g->buf) {
		free(g);
		return -ENOMEM;
	}
	pthread_mutex_init(&g->lock, NULL);
	for (unsigned int i = 0; i < GSI_IOAPIC_PINS; i++)
		g->r[i].used = true;
	g->nr = GSI_IOAPIC_PINS;
	g->dirty = true;
	vm->gsi = g;
	return 0;
}

void gsi__exit(struct vm *vm)
{
	if (!vm->gsi)
		return;
	pthread_mutex_destroy(&vm->gsi->lock);
	free(vm->gsi->buf);
	free(vm->gsi);
	vm->gsi = NULL;
}

void gsi__set_msi(struct vm *vm, unsigned int gsi, u32 addr_lo, u32 addr_hi, u32 data)
{
	struct gsi *g = vm->gsi;
	struct gsi_route *r;

	if (!g || gsi >= GSI_MAX)
		return;
	pthread_mutex_lock(&g->lock);
	r = &g->r[gsi];
	if (r->addr_lo != addr_lo || r->addr_hi != addr_hi || r->data != data) {
		r->addr_lo = addr_lo;
		r->addr_hi = addr_hi;
		r->data = data;
		g->dirty = true;
	}
	pthread_mutex_unlock(&g->lock);
}

int gsi__get(struct vm *vm)
{
	struct gsi *g = vm->gsi;
	int gsi = -ENOSPC;

	pthread_mutex_lock(&g->lock);
	for (unsigned int i = GSI_IOAPIC_PINS; i < GSI_MAX; i++) {
		if (!g->r[i].used) {
			g->r[i] = (struct gsi_route){ .used = true };
			g->nr = MAX(g->nr, i + 1);
			g->dirty = true;
			gsi = (int)i;
			break;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return gsi;
}

void gsi__put(struct vm *vm, unsigned int gsi)
{
	struct gsi *g = vm->gsi;

	if (gsi < GSI_IOAPIC_PINS || gsi >= GSI_MAX)
		return;
	pthread_mutex_lock(&g->lock);
	g->r[gsi].used = false;
	while (g->nr > GSI_IOAPIC_PINS && !g->r[g->nr - 1].used)
		g->nr--;
	g->dirty = true;
	pthread_mutex_unlock(&g->lock);
}

void gsi__go_live(struct vm *vm)
{
	pthread_mutex_lock(&vm->gsi->lock);
	vm->gsi->live = true;
	vm->gsi->dirty = true;
	pthread_mutex_unlock(&vm->gsi->lock);
}

int gsi__commit(struct vm *vm, bool force)
{
	struct gsi *g = vm->gsi;
	unsigned int n = 0;
	int r = 0;

	if (!g)
		return 0;
	pthread_mutex_lock(&g->lock);
	if (!g->live || (!g->dirty && !force))
		goto out;
	memset(g->buf, 0, sizeof(*g->buf));
	for (unsigned int i = 0; i < g->nr; i++) {
		if (!g->r[i].used)
			continue;
		g->buf->entries[n++] = (struct kvm_irq_routing_entry){
			.gsi = i, .type = KVM_IRQ_ROUTING_MSI,
			.u.msi = { .address_lo = g->r[i].addr_lo, .address_hi = g->r[i].addr_hi,
				   .data = g->r[i].data },
		};
	}
	g->buf->nr = n;
	g->commits++;
	g->dirty = false;
	if (vm->fd >= 0 && ioctl(vm->fd, KVM_SET_GSI_ROUTING, g->buf)) {
		r = -errno;
		g->dirty = true;
		fprintf(stderr, "vmxrun: %s: KVM_SET_GSI_ROUTING: %s\n", vm->hv->path,
			strerror(errno));
	}
out:
	pthread_mutex_unlock(&g->lock);
	return r;
}

unsigned int gsi__commits(struct vm *vm)
{
	return vm->gsi ? vm->gsi->commits : 0;
}
