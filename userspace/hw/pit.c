// SPDX-License-Identifier: GPL-2.0
/*
 * i8254 PIT (Intel 82C54 datasheet). Counts are derived from the clock instead of being
 * ticked: count = reload - elapsed ticks, so reads cost nothing while the guest is not
 * looking. Channel 0's rising output edges are scheduled on a timerfd.
 *
 * Locking: p->lock guards the PIT; the bus takes it for port I/O, the entry points (the event
 * loop's timer among them) take it themselves. IRQ0 is pulsed with it held (hw/board.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../vm/loop.h"
#include "../vm/vm.h"
#include "board.h"
#include "pit.h"

enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD0, RW_WORD1 };

struct pit_channel {
	u32 count;		/* reload value, 1-0x10000 */
	u64 load_ns;		/* when counting started */
	u16 latched_count;
	u8 count_latched;	/* RW_* state of a latched count, 0 if none */
	u8 status, status_latched;
	u8 read_state, write_state, write_latch;
	u8 rw_mode, mode, bcd;
	bool gate;
};

struct pit {
	struct vm *vm;
	pthread_mutex_t lock;	/* everything below */
	struct pit_channel ch[3];
	bool speaker;		/* port 0x61 bit 1 */
	bool refresh;		/* port 0x61 bit 4 toggles on each read */
	u64 next_irq;		/* channel 0's next rising edge, 0 if none */
	int tfd;		/* timerfd, -1 in unit tests */
	u64 (*now)(void *);
	void *now_opaque;
};

static u64 clock_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static u64 pit__now(struct pit *p)
{
	return p->now(p->now_opaque);
}

static u64 ticks_since(const struct pit_channel *c, u64 now)
{
	return now <= c->load_ns ? 0 :
	       (u64)((unsigned __int128)(now - c->load_ns) * PIT_HZ / 1000000000ULL);
}

static u64 ticks_to_ns(u64 ticks)
{
	return (u64)(((unsigned __int128)ticks * 1000000000ULL + PIT_HZ - 1) / PIT_HZ);
}

static u16 pit__count(const struct pit_channel *c, u64 now)
{
	u64 d = ticks_since(c, now);

	switch (c->mode) {
	case 2:
		return c->count - d % c->count;
	case 3:
		return c->count - (2 * d) % c->count;
	default:				/* 0, 1, 4, 5 count down once and wrap */
		return (c->count - d) & 0xffff;
	}
}

static bool pit__out(const struct pit_channel *c, u64 now)
{
	u64 d = ticks_since(c, now);

	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return d < c->count;
	case 2:
		return d % c->count != c->count - 1;	/* low for the last tick of a period */
	case 3:
		return d % c->count < (c->count + 1) / 2;
	default:				/* 4, 5: low for one tick at terminal count */
		return d != c->count;
	}
}

/* Channel 0's next IRQ0 edge after now, 0 if none: one-shot in modes 0/4, periodic in 2/3. */
static u64 pit__next_edge(const struct pit_channel *c, u64 now)
{
	u64 d = ticks_since(c, now), n;

	switch (c->mode) {
	case 0: case 4:
		return d < c->count ? c->load_ns + ticks_to_ns(c->count) : 0;
	case 2: case 3:
		n = (d / c->count + 1) * c->count;
		return c->load_ns + ticks_to_ns(n);
	default:
		return 0;
	}
}

static void pit__arm(struct pit *p, u64 when)
{
	struct itimerspec its = { 0 };

	p->next_irq = when;
	if (p->tfd < 0)
		return;
	if (when) {
		its.it_value.tv_sec = when / 1000000000ULL;
		its.it_value.tv_nsec = when % 1000000000ULL;
	}
	timerfd_settime(p->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

u64 pit__next_irq(struct vm *vm)
{
	u64 t;

	pthread_mutex_lock(&vm->pit->lock);
	t = vm->pit->next_irq;
	pthread_mutex_unlock(&vm->pit->lock);
	return t;
}

void pit__expire(struct vm *vm)
{
	struct pit *p = vm->pit;
	u64 now;

	pthread_mutex_lock(&p->lock);
	now = pit__now(p);
	if (p->next_irq && now >= p->next_irq) {
		irq__pulse(vm, 0);
		/* Behind by several periods (a slow host): deliver one tick, skip the rest. */
		pit__arm(p, pit__next_edge(&p->ch[0], now));
	}
	pthread_mutex_unlock(&p->lock);
}

static void pit__load(struct pit *p, int n, u32 val)
{
	struct pit_channel *c = &p->ch[n];
	u64 now = pit__now(p);

	c->count = val ? val : 0x10000;
	c->load_ns = now;
	if (n == 0)
		pit__arm(p, pit__next_edge(c, now));
}

static void pit__latch(struct pit_channel *c, u64 now)
{
	if (c->count_latched)
		return;
	c->latched_count = pit__count(c, now);
	c->count_latched = c->rw_mode;
}

static void pit__command(struct pit *p, u8 val)
{
	u64 now = pit__now(p);
	struct pit_channel *c;
	int n = val >> 6;

	if (n == 3) {					/* read-back */
		for (int i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			c = &p->ch[i];
			if (!(val & 0x20))
				pit__latch(c, now);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = pit__out(c, now) << 7 | c->rw_mode << 4 |
					    c->mode << 1 | c->bcd;
				c->status_latched = 1;
			}
		}
		return;
	}
	c = &p->ch[n];
	if (!((val >> 4) & 3)) {
		pit__latch(c, now);
		return;
	}
	c->rw_mode = (val >> 4) & 3;
	c->read_state = c->write_state = c->rw_mode;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;				/* 6, 7 are aliases of 2, 3 */
	c->bcd = val & 1;
	if (n == 0)
		pit__arm(p, 0);				/* stopped until a count is written */
}

static void pit__write_count(struct pit *p, int n, u8 val)
{
	struct pit_channel *c = &p->ch[n];

	switch (c->write_state) {
	case RW_LSB:
		pit__load(p, n, val);
		break;
	case RW_MSB:
		pit__load(p, n, (u32)val << 8);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		break;
	case RW_WORD1:
		pit__load(p, n, c->write_latch | (u32)val << 8);
		c->write_state = RW_WORD0;
		break;
	}
}

static u8 pit__read_count(struct pit *p, int n)
{
	struct pit_channel *c = &p->ch[n];
	u16 count;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched) {
		u8 r = c->count_latched == RW_MSB ? c->latched_count >> 8 : c->latched_count;

		c->count_latched = c->count_latched == RW_WORD0 ? RW_MSB : 0;
		return r;
	}
	count = pit__count(c, pit__now(p));
	switch (c->read_state) {
	case RW_MSB:
		return count >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return count;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return count >> 8;
	default:
		return count;
	}
}

static void pit__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		    void *opaque)
{
	struct pit *p = opaque;
	u8 *v = data;

	(void)vcpu, (void)len;
	if (off == 3) {
		if (is_write)
			pit__command(p, *v);
		else
			*v = 0xff;			/* the command port is write-only */
	} else if (is_write) {
		pit__write_count(p, off, *v);
	} else {
		*v = pit__read_count(p, off);
	}
}

/* Port 0x61 (system control port B): channel 2 gate (bit 0), speaker (bit 1), out (bit 5). */
static void pit__io_61(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		       void *opaque)
{
	struct pit *p = opaque;
	struct pit_channel *c = &p->ch[2];
	u8 *v = data;
	u64 now = pit__now(p);

	(void)vcpu, (void)off, (void)len;
	if (is_write) {
		bool gate = *v & 1;

		/* A rising gate restarts modes 1, 2, 3 and 5; modes 0 and 4 only pause. */
		if (gate && !c->gate && c->mode != 0 && c->mode != 4)
			c->load_ns = now;
		c->gate = gate;
		p->speaker = *v & 2;
		return;
	}
	p->refresh = !p->refresh;
	*v = c->gate | p->speaker << 1 | p->refresh << 4 | pit__out(c, now) << 5;
}

void pit__set_clock(struct vm *vm, u64 (*now)(void *), void *opaque)
{
	pthread_mutex_lock(&vm->pit->lock);
	vm->pit->now = now;
	vm->pit->now_opaque = opaque;
	pthread_mutex_unlock(&vm->pit->lock);
}

void pit__reset(struct vm *vm)
{
	struct pit *p = vm->pit;

	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < 3; i++)
		p->ch[i] = (struct pit_channel){ .count = 0x10000, .mode = 3, .gate = i != 2 };
	p->speaker = p->refresh = false;
	pit__arm(p, 0);
	pthread_mutex_unlock(&p->lock);
}

static void pit__timer(struct vm *vm, int fd, void *opaque)
{
	u64 expirations;

	(void)opaque;
	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;
	pit__expire(vm);
}

int pit__init(struct vm *vm)
{
	struct pit *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -1;
	vm->pit = p;
	p->vm = vm;
	pthread_mutex_init(&p->lock, NULL);
	p->now = clock_ns;
	p->tfd = -1;
	if (vm->loop) {
		p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (p->tfd < 0 || loop__add(vm->loop, p->tfd, pit__timer, p))
			return -1;
	}
	pit__reset(vm);
	r = bus__register_locked(&vm->pio, 0x40, 4, pit__io, p, &p->lock, "pit");
	return r ? r : bus__register_locked(&vm->pio, 0x61, 1, pit__io_61, p, &p->lock, "port61");
}

void pit__exit(struct vm *vm)
{
	struct pit *p = vm->pit;

	if (!p)
		return;
	if (p->tfd >= 0) {
		loop__del(vm->loop, p->tfd);
		close(p->tfd);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
	vm->pit = NULL;
}
