// SPDX-License-Identifier: GPL-2.0
/* Locking: p->lock guards CONFIG_ADDRESS; the bus takes it for port I/O, reset takes it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"
#include "pci.h"

#define CONFIG_ENABLE	0x80000000u

struct pci {
	struct vm *vm;
	pthread_mutex_t lock;	/* addr */
	u32 addr;		/* CONFIG_ADDRESS */
	u8 host[64];		/* the host bridge's configuration header */
};

/* 00:00.0: an Intel host bridge (class 06.00), so Linux's type-1 sanity check passes. */
static void pci__host_header(u8 *h)
{
	memset(h, 0, 64);
	le_put(h + 0x00, 2, 0x8086);		/* vendor */
	le_put(h + 0x02, 2, 0x29c0);		/* device: a host bridge ID Linux knows */
	le_put(h + 0x06, 2, 0x0000);		/* status */
	h[0x0b] = 0x06;				/* class: bridge */
	h[0x0a] = 0x00;				/* subclass: host */
	h[0x0e] = 0x00;				/* header type 0, single function */
}

static void pci__config(struct pci *p, u64 off, void *data, u32 len, bool is_write)
{
	u32 a = p->addr, reg = (a & 0xfc) + (u32)off;
	bool host = (a & CONFIG_ENABLE) && !(a & 0x00fff800);	/* bus 0, dev 0, fn 0 */

	if (is_write)
		return;				/* nothing writable: no BARs, no command bits */
	if (!host || reg + len > 0x100) {
		memset(data, 0xff, len);
		return;
	}
	if (reg + len <= sizeof(p->host))
		memcpy(data, p->host + reg, len);
	else
		memset(data, 0, len);
}

static void pci__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		    void *opaque)
{
	struct pci *p = opaque;

	(void)vcpu;
	if (off >= 4) {
		pci__config(p, off - 4, data, len, is_write);
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

void pci__reset(struct vm *vm)
{
	pthread_mutex_lock(&vm->pci->lock);
	vm->pci->addr = 0;
	pthread_mutex_unlock(&vm->pci->lock);
}

int pci__init(struct vm *vm)
{
	struct pci *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	vm->pci = p;
	p->vm = vm;
	pthread_mutex_init(&p->lock, NULL);
	pci__host_header(p->host);
	return bus__register_locked(&vm->pio, 0xcf8, 8, pci__io, p, &p->lock, "pci-conf1");
}

void pci__exit(struct vm *vm)
{
	if (vm->pci)
		pthread_mutex_destroy(&vm->pci->lock);
	free(vm->pci);
	vm->pci = NULL;
}
