// SPDX-License-Identifier: GPL-2.0
/*
 * i8259A pair. The state machine follows the Intel 8259A datasheet (ICW1-4, OCW1-3, poll
 * mode, rotation, special mask, auto-EOI) and the PC wiring: slave on master IRQ2, ELCR
 * (0x4d0/0x4d1) selecting level-triggered lines, as the ACPI SCI needs.
 *
 * Locking: p->lock guards the pair; the bus takes it for port I/O, the entry points below
 * take it themselves. The INTR output is also kept in p->output, written under the lock and
 * read without it (pic__pending), so the BSP can wait for it under vm->lock alone: the lock
 * order is device -> PIC -> vm->lock (vm/vm.h), and a rising output kicks the BSP after it is
 * stored, under vm->lock, so no wake-up is lost.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vcpu.h"
#include "../vm/vm.h"
#include "pic.h"

struct i8259 {
	u8 last_irr;		/* line levels, for edge detection */
	u8 irr, imr, isr;
	u8 priority_add;	/* rotation: the lowest-priority line is priority_add - 1 */
	u8 irq_base;
	u8 init_state;		/* 0 ready, 1-3: expecting ICW2-ICW4 */
	u8 elcr, elcr_mask;
	bool read_isr, poll, special_mask, auto_eoi, rotate_on_auto_eoi, sfnm, init4, single;
};

struct pic {
	struct vm *vm;
	pthread_mutex_t lock;	/* the fields below */
	struct i8259 chip[2];	/* master, slave */
	bool output;		/* last INTR level (atomic: read without the lock) */
};

/* Priority (0 highest) of the best line in mask, 8 if none. */
static int i8259__priority(const struct i8259 *s, u8 mask)
{
	int p = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((p + s->priority_add) & 7))))
		p++;
	return p;
}

/* The line this chip would request, or -1. */
static int i8259__irq(const struct i8259 *s, bool master)
{
	int p = i8259__priority(s, s->irr & ~s->imr), cur;
	u8 in_service = s->isr;

	if (p == 8)
		return -1;
	if (s->special_mask)
		in_service &= ~s->imr;
	if (s->sfnm && master)
		in_service &= ~(1 << 2);	/* the slave may nest its own priorities */
	cur = i8259__priority(s, in_service);
	return p < cur ? (p + s->priority_add) & 7 : -1;
}

static void i8259__set_line(struct i8259 *s, int irq, bool level)
{
	u8 mask = 1 << irq;

	if (s->elcr & mask) {
		s->irr = level ? s->irr | mask : s->irr & ~mask;
	} else if (level && !(s->last_irr & mask)) {
		s->irr |= mask;
	}
	s->last_irr = level ? s->last_irr | mask : s->last_irr & ~mask;
}

static void i8259__intack(struct i8259 *s, int irq)
{
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
	} else {
		s->isr |= 1 << irq;
	}
	if (!(s->elcr & (1 << irq)))
		s->irr &= ~(1 << irq);	/* an edge is consumed; a level stays requested */
}

/* Propagate the slave to master IRQ2 and kick the BSP (it takes ExtINT) if the output rose. */
static void pic__update(struct vm *vm)
{
	struct pic *p = vm->pic;
	bool out;

	bool rose;

	i8259__set_line(&p->chip[0], 2, i8259__irq(&p->chip[1], false) >= 0);
	out = i8259__irq(&p->chip[0], true) >= 0;
	rose = out && !p->output;
	__atomic_store_n(&p->output, out, __ATOMIC_RELEASE);	/* before the kick: see above */
	if (rose && vm->nr_vcpus)
		vcpu__kick(&vm->vcpu[0]);
}

bool pic__pending(struct vm *vm)
{
	return __atomic_load_n(&vm->pic->output, __ATOMIC_ACQUIRE);
}

u8 pic__ack(struct vm *vm)
{
	struct i8259 *m = &vm->pic->chip[0], *s = &vm->pic->chip[1];
	int irq, irq2;
	u8 vec;

	pthread_mutex_lock(&vm->pic->lock);
	irq = i8259__irq(m, true);
	if (irq < 0) {
		vec = m->irq_base + 7;			/* spurious */
	} else if (irq == 2) {
		irq2 = i8259__irq(s, false);
		if (irq2 >= 0)
			i8259__intack(s, irq2);
		else
			irq2 = 7;			/* spurious on the slave */
		i8259__intack(m, irq);
		vec = s->irq_base + irq2;
	} else {
		i8259__intack(m, irq);
		vec = m->irq_base + irq;
	}
	pic__update(vm);
	pthread_mutex_unlock(&vm->pic->lock);
	return vec;
}

void pic__set_irq(struct vm *vm, unsigned int irq, bool level)
{
	pthread_mutex_lock(&vm->pic->lock);
	i8259__set_line(&vm->pic->chip[irq >> 3], irq & 7, level);
	pic__update(vm);
	pthread_mutex_unlock(&vm->pic->lock);
}

static void i8259__icw1(struct i8259 *s, u8 val)
{
	u8 elcr = s->elcr, mask = s->elcr_mask;

	*s = (struct i8259){ .elcr = elcr, .elcr_mask = mask, .irr = s->irr & elcr };
	s->init_state = 1;
	s->init4 = val & 1;
	s->single = val & 2;
}

/* OCW2: end of interrupt and rotation commands. */
static void i8259__ocw2(struct i8259 *s, u8 val)
{
	int cmd = val >> 5, irq, p;

	switch (cmd) {
	case 0: case 4:			/* (clear / set) rotate in auto-EOI mode */
		s->rotate_on_auto_eoi = cmd >> 2;
		break;
	case 1: case 5:			/* non-specific EOI (and rotate) */
		p = i8259__priority(s, s->isr);
		if (p == 8)
			break;
		irq = (p + s->priority_add) & 7;
		s->isr &= ~(1 << irq);
		if (cmd == 5)
			s->priority_add = (irq + 1) & 7;
		break;
	case 3:				/* specific EOI */
		s->isr &= ~(1 << (val & 7));
		break;
	case 6:				/* set priority */
		s->priority_add = (val + 1) & 7;
		break;
	case 7:				/* specific EOI and rotate */
		s->isr &= ~(1 << (val & 7));
		s->priority_add = ((val & 7) + 1) & 7;
		break;
	}
}

static void i8259__write(struct i8259 *s, u64 port, u8 val)
{
	if (port == 0) {
		if (val & 0x10) {
			i8259__icw1(s, val);
		} else if (val & 0x08) {			/* OCW3 */
			if (val & 0x04)
				s->poll = true;
			if (val & 0x02)
				s->read_isr = val & 1;
			if (val & 0x40)
				s->special_mask = (val >> 5) & 1;
		} else {
			i8259__ocw2(s, val);
		}
		return;
	}
	switch (s->init_state) {
	case 0:
		s->imr = val;					/* OCW1 */
		break;
	case 1:
		s->irq_base = val & 0xf8;			/* ICW2 */
		s->init_state = s->single ? (s->init4 ? 3 : 0) : 2;
		break;
	case 2:
		s->init_state = s->init4 ? 3 : 0;		/* ICW3: cascade wiring is fixed */
		break;
	case 3:
		s->sfnm = (val >> 4) & 1;			/* ICW4 */
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		break;
	}
}

static u8 i8259__read(struct i8259 *s, u64 port, bool master)
{
	int irq;

	if (s->poll) {
		s->poll = false;
		irq = i8259__irq(s, master);
		if (irq < 0)
			return 0;
		i8259__intack(s, irq);
		return 0x80 | irq;
	}
	if (port == 0)
		return s->read_isr ? s->isr : s->irr;
	return s->imr;
}

static void pic__access(struct pic *p, int chip, u64 off, u8 *data, bool is_write)
{
	if (is_write)
		i8259__write(&p->chip[chip], off, *data);
	else
		*data = i8259__read(&p->chip[chip], off, chip == 0);
	pic__update(p->vm);
}

static void pic__io_master(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
			   void *opaque)
{
	(void)vcpu, (void)len;
	pic__access(opaque, 0, off, data, is_write);
}

static void pic__io_slave(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
			  void *opaque)
{
	(void)vcpu, (void)len;
	pic__access(opaque, 1, off, data, is_write);
}

static void elcr__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		     void *opaque)
{
	struct pic *p = opaque;
	struct i8259 *s = &p->chip[off & 1];

	(void)vcpu, (void)len;
	if (is_write)
		s->elcr = *(u8 *)data & s->elcr_mask;
	else
		*(u8 *)data = s->elcr;
}

void pic__reset(struct vm *vm)
{
	struct pic *p = vm->pic;

	pthread_mutex_lock(&p->lock);
	memset(p->chip, 0, sizeof(p->chip));
	__atomic_store_n(&p->output, false, __ATOMIC_RELEASE);
	p->chip[0].elcr_mask = 0xf8;	/* IRQ0-2 are edge-only on a PC */
	p->chip[1].elcr_mask = 0xde;	/* IRQ8 and IRQ13 too */
	pthread_mutex_unlock(&p->lock);
}

int pic__init(struct vm *vm)
{
	int r;

	vm->pic = calloc(1, sizeof(*vm->pic));
	if (!vm->pic)
		return -1;
	vm->pic->vm = vm;
	pthread_mutex_init(&vm->pic->lock, NULL);
	pic__reset(vm);
	r = bus__register_locked(&vm->pio, 0x20, 2, pic__io_master, vm->pic, &vm->pic->lock,
				 "pic-master");
	if (!r)
		r = bus__register_locked(&vm->pio, 0xa0, 2, pic__io_slave, vm->pic, &vm->pic->lock,
					 "pic-slave");
	if (!r)
		r = bus__register_locked(&vm->pio, 0x4d0, 2, elcr__io, vm->pic, &vm->pic->lock,
					 "pic-elcr");
	return r;
}

void pic__exit(struct vm *vm)
{
	if (vm->pic)
		pthread_mutex_destroy(&vm->pic->lock);
	free(vm->pic);
	vm->pic = NULL;
}
