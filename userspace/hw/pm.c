// SPDX-License-Identifier: GPL-2.0
/*
 * Locking: pm->lock guards the block; the bus takes it for port I/O, the entry points take it
 * themselves. The SCI is driven and power-off requested (vm__request) with it held.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "../vm/vm.h"
#include "board.h"
#include "pm.h"

#define STS_TMR		0x0001
#define STS_PWRBTN	0x0100
#define STS_WAK		0x8000
#define CNT_SCI_EN	0x0001
#define CNT_SLP_TYP(v)	(((v) >> 10) & 7)
#define CNT_SLP_EN	0x2000

struct pm {
	struct vm *vm;
	pthread_mutex_t lock;	/* everything below */
	u16 sts, en, cnt;
	u64 base_ns;		/* the PM timer counts from here */
};

static u64 pm__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static void pm__update_sci(struct pm *pm)
{
	irq__set(pm->vm, PM_SCI_IRQ, pm->sts & pm->en & (STS_TMR | STS_PWRBTN));
}

void pm__power_button(struct vm *vm)
{
	pthread_mutex_lock(&vm->pm->lock);
	vm->pm->sts |= STS_PWRBTN;
	pm__update_sci(vm->pm);
	pthread_mutex_unlock(&vm->pm->lock);
}

/* PM1_STS at 0, PM1_EN at 2; status bits are write-one-to-clear. */
static void pm__evt_io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		       void *opaque)
{
	struct pm *pm = opaque;
	u32 v = (u32)pm->sts | (u32)pm->en << 16;
	u32 shift = 8 * (u32)off, mask = (u32)((1ULL << (8 * len)) - 1) << shift;

	(void)vcpu;
	if (!is_write) {
		le_put(data, len, v >> shift);
		return;
	}
	v = (u32)le_get(data, len) << shift;
	pm->sts &= ~(u16)(v & mask);
	pm->en = (pm->en & ~(u16)(mask >> 16)) | (u16)((v & mask) >> 16);
	pm__update_sci(pm);
}

static void pm__cnt_io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		       void *opaque)
{
	struct pm *pm = opaque;
	u16 v;

	(void)vcpu;
	if (!is_write) {
		le_put(data, len, (u64)(pm->cnt | CNT_SCI_EN) >> (8 * off));
		return;
	}
	v = off ? (u16)(pm->cnt & 0xff) | (u16)(le_get(data, 1) << 8) : (u16)le_get(data, len);
	if ((v & CNT_SLP_EN) && CNT_SLP_TYP(v) == PM_SLP_TYP_S5)
		vm__request(pm->vm, REQ_POWEROFF, 0, "guest-shutdown");
	pm->cnt = v & ~CNT_SLP_EN;			/* SLP_EN is write-only */
}

static void pm__tmr_io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		       void *opaque)
{
	struct pm *pm = opaque;
	u64 ticks = (u64)((unsigned __int128)(pm__now_ns() - pm->base_ns) * PM_TMR_HZ /
			  1000000000ULL);

	(void)vcpu;
	if (!is_write)
		le_put(data, len, (ticks & 0xffffffff) >> (8 * off));
}

void pm__reset(struct vm *vm)
{
	struct pm *pm = vm->pm;

	pthread_mutex_lock(&pm->lock);
	pm->sts = pm->en = pm->cnt = 0;
	pm->base_ns = pm__now_ns();
	pm__update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

int pm__init(struct vm *vm)
{
	struct pm *pm = calloc(1, sizeof(*pm));
	int r;

	if (!pm)
		return -1;
	vm->pm = pm;
	pm->vm = vm;
	pthread_mutex_init(&pm->lock, NULL);
	pm__reset(vm);
	r = bus__register_locked(&vm->pio, PM1A_EVT_BLK, 4, pm__evt_io, pm, &pm->lock,
				 "acpi-pm1a-evt");
	if (!r)
		r = bus__register_locked(&vm->pio, PM1A_CNT_BLK, 2, pm__cnt_io, pm, &pm->lock,
					 "acpi-pm1a-cnt");
	return r ? r : bus__register_locked(&vm->pio, PM_TMR_BLK, 4, pm__tmr_io, pm, &pm->lock,
					    "acpi-pm-tmr");
}

void pm__exit(struct vm *vm)
{
	if (vm->pm)
		pthread_mutex_destroy(&vm->pm->lock);
	free(vm->pm);
	vm->pm = NULL;
}
