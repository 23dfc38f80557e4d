// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART (National Semiconductor PC16550D datasheet): divisor latch, FIFO enable as
 * reported in IIR, scratch register, loopback with the modem lines wired back as Linux's
 * 8250 autoconfig expects, and the interrupt sources in priority order. The IRQ line is
 * gated by MCR.OUT2, as on a PC.
 */
#include <stdlib.h>

#include "../vm/console.h"
#include "../vm/vm.h"
#include "board.h"
#include "serial.h"

enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IER_MSI		0x08
#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RCVR	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

#define RX_SIZE		4096

struct serial {
	struct vm *vm;
	u8 ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	bool thr_ipending;	/* THR empty interrupt pending until IIR read or THR write */
	u8 rx[RX_SIZE];
	size_t rx_head, rx_len;
	void (*out)(void *, u8);
	void *out_opaque;
};

static u8 serial__iir(const struct serial *s)
{
	if ((s->ier & IER_RLSI) && (s->lsr & (LSR_OE | LSR_BI)))
		return IIR_RLSI;
	if ((s->ier & IER_RDI) && s->rx_len)
		return IIR_RDI;
	if ((s->ier & IER_THRI) && s->thr_ipending)
		return IIR_THRI;
	if ((s->ier & IER_MSI) && (s->msr & 0x0f))
		return IIR_MSI;
	return IIR_NO_INT;
}

static void serial__update_irq(struct serial *s)
{
	irq__set(s->vm, SERIAL_IRQ, (s->mcr & MCR_OUT2) && serial__iir(s) != IIR_NO_INT);
}

/* Modem status: the loopback wiring, or a terminal that is always there. */
static void serial__update_msr(struct serial *s)
{
	u8 m = s->mcr, old = s->msr, v;

	if (m & MCR_LOOP)
		v = (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
		    (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
	else
		v = MSR_DCD | MSR_DSR | MSR_CTS;
	/* Delta bits: CTS, DSR, trailing edge of RI, DCD. */
	s->msr = v | (old & 0x0f) | ((old ^ v) & 0x10 ? 1 : 0) | ((old ^ v) & 0x20 ? 2 : 0) |
		 ((old & ~v) & 0x40 ? 4 : 0) | ((old ^ v) & 0x80 ? 8 : 0);
}

static void serial__rx_push(struct serial *s, u8 c)
{
	if (s->rx_len == RX_SIZE) {
		s->lsr |= LSR_OE;
		return;
	}
	s->rx[(s->rx_head + s->rx_len++) % RX_SIZE] = c;
}

static void serial__tx(struct serial *s, u8 c)
{
	if (s->mcr & MCR_LOOP)
		serial__rx_push(s, c);
	else if (s->out)
		s->out(s->out_opaque, c);
	s->thr_ipending = false;
	serial__update_irq(s);		/* the line drops, then rises again: a new edge */
	s->thr_ipending = true;		/* sent at once: THR is empty again */
}

static void serial__write(struct serial *s, u64 reg, u8 v)
{
	switch (reg) {
	case RBR_THR:
		if (s->lcr & LCR_DLAB)
			s->dll = v;
		else
			serial__tx(s, v);
		break;
	case IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		if ((v ^ s->ier) & IER_THRI)
			s->thr_ipending = v & IER_THRI;	/* THR is always empty */
		s->ier = v & 0x0f;
		break;
	case IIR_FCR:
		if ((v & FCR_CLEAR_RCVR) || ((v ^ s->fcr) & FCR_ENABLE))
			s->rx_len = 0;
		s->fcr = v & 0xc9;
		break;
	case LCR:
		s->lcr = v;
		break;
	case MCR:
		s->mcr = v & 0x1f;
		serial__update_msr(s);
		break;
	case SCR:
		s->scr = v;
		break;
	}
}

static u8 serial__read(struct serial *s, u64 reg)
{
	u8 v;

	switch (reg) {
	case RBR_THR:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (!s->rx_len)
			return 0;
		v = s->rx[s->rx_head];
		s->rx_head = (s->rx_head + 1) % RX_SIZE;
		s->rx_len--;
		return v;
	case IER:
		return s->lcr & LCR_DLAB ? s->dlm : s->ier;
	case IIR_FCR:
		v = serial__iir(s);
		if (v == IIR_THRI)
			s->thr_ipending = false;	/* reading IIR acknowledges THRE */
		return v | (s->fcr & FCR_ENABLE ? IIR_FIFO : 0);
	case LCR:
		return s->lcr;
	case MCR:
		return s->mcr;
	case LSR:
		v = s->lsr | LSR_THRE | LSR_TEMT | (s->rx_len ? LSR_DR : 0);
		s->lsr &= ~(LSR_OE | LSR_BI);		/* error bits clear on read */
		return v;
	case MSR:
		v = s->msr;
		s->msr &= 0xf0;				/* deltas clear on read */
		return v;
	default:
		return s->scr;
	}
}

static void serial__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		       void *opaque)
{
	struct serial *s = opaque;

	(void)vcpu, (void)len;
	if (is_write)
		serial__write(s, off, *(u8 *)data);
	else
		*(u8 *)data = serial__read(s, off);
	serial__update_irq(s);
}

size_t serial__rx_room(struct vm *vm)
{
	return RX_SIZE - vm->serial->rx_len;
}

size_t serial__rx(struct vm *vm, const u8 *buf, size_t len)
{
	struct serial *s = vm->serial;
	size_t n = MIN(len, serial__rx_room(vm));

	for (size_t i = 0; i < n; i++)
		serial__rx_push(s, buf[i]);
	serial__update_irq(s);
	return n;
}

void serial__set_output(struct vm *vm, void (*out)(void *, u8), void *opaque)
{
	vm->serial->out = out;
	vm->serial->out_opaque = opaque;
}

void serial__reset(struct vm *vm)
{
	struct serial *s = vm->serial;

	s->ier = s->fcr = s->lcr = s->mcr = s->scr = s->lsr = 0;
	s->dll = 12;					/* 9600 baud */
	s->dlm = 0;
	s->thr_ipending = false;
	s->rx_head = s->rx_len = 0;
	s->msr = 0;
	serial__update_msr(s);
	s->msr &= 0xf0;
}

static void serial__to_console(void *opaque, u8 c)
{
	console__write(opaque, &c, 1);
}

int serial__init(struct vm *vm)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	vm->serial = s;
	s->vm = vm;
	if (vm->con)
		serial__set_output(vm, serial__to_console, vm->con);
	serial__reset(vm);
	return bus__register(&vm->pio, SERIAL_BASE, 8, serial__io, s, "serial");
}

void serial__exit(struct vm *vm)
{
	free(vm->serial);
	vm->serial = NULL;
}
