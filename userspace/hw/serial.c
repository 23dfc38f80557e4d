// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART (National Semiconductor PC16550D datasheet): divisor latch, FIFO enable as
 * reported in IIR, scratch register, loopback with the modem lines wired back as Linux's
 * 8250 autoconfig expects, and the interrupt sources in priority order. The IRQ line is
 * gated by MCR.OUT2, as on a PC.
 *
 * Locking: s->lock guards the UART; the bus takes it for port I/O, the entry points take it
 * themselves. The IRQ line (hw/board.h) and the output callback (the console's own lock, a
 * leaf) are driven with it held.
 */
#include <linux/serial_reg.h>
#include <pthread.h>
#include <stdlib.h>

#include "../vm/console.h"
#include "../vm/vm.h"
#include "board.h"
#include "serial.h"

/* <linux/serial_reg.h> names the registers and bits; it lacks IIR's FIFO-enabled bits. */
#define UART_IIR_FIFO_ENABLED	0xc0

#define RX_SIZE		4096

struct serial {
	struct vm *vm;
	pthread_mutex_t lock;	/* everything below */
	u8 ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	bool thr_ipending;	/* THR empty interrupt pending until IIR read or THR write */
	u8 rx[RX_SIZE];
	size_t rx_head, rx_len;
	void (*out)(void *, u8);
	void *out_opaque;
};

static u8 serial__iir(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr & (UART_LSR_OE | UART_LSR_BI)))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_len)
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void serial__update_irq(struct serial *s)
{
	irq__set(s->vm, SERIAL_IRQ, (s->mcr & UART_MCR_OUT2) && serial__iir(s) != UART_IIR_NO_INT);
}

/* Modem status: the loopback wiring, or a terminal that is always there. */
static void serial__update_msr(struct serial *s)
{
	u8 m = s->mcr, old = s->msr, v;

	if (m & UART_MCR_LOOP)
		v = (m & UART_MCR_RTS ? UART_MSR_CTS : 0) | (m & UART_MCR_DTR ? UART_MSR_DSR : 0) |
		    (m & UART_MCR_OUT1 ? UART_MSR_RI : 0) | (m & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
	else
		v = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	/* Delta bits: CTS, DSR, trailing edge of RI, DCD. */
	s->msr = v | (old & UART_MSR_ANY_DELTA) |
		 ((old ^ v) & UART_MSR_CTS ? UART_MSR_DCTS : 0) |
		 ((old ^ v) & UART_MSR_DSR ? UART_MSR_DDSR : 0) |
		 ((old & ~v) & UART_MSR_RI ? UART_MSR_TERI : 0) |
		 ((old ^ v) & UART_MSR_DCD ? UART_MSR_DDCD : 0);
}

static void serial__rx_push(struct serial *s, u8 c)
{
	if (s->rx_len == RX_SIZE) {
		s->lsr |= UART_LSR_OE;
		return;
	}
	s->rx[(s->rx_head + s->rx_len++) % RX_SIZE] = c;
}

static void serial__tx(struct serial *s, u8 c)
{
	if (s->mcr & UART_MCR_LOOP)
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
	case UART_TX:			/* UART_DLL with DLAB */
		if (s->lcr & UART_LCR_DLAB)
			s->dll = v;
		else
			serial__tx(s, v);
		break;
	case UART_IER:			/* UART_DLM with DLAB */
		if (s->lcr & UART_LCR_DLAB) {
			s->dlm = v;
			break;
		}
		if ((v ^ s->ier) & UART_IER_THRI)
			s->thr_ipending = v & UART_IER_THRI;	/* THR is always empty */
		s->ier = v & 0x0f;
		break;
	case UART_FCR:
		if ((v & UART_FCR_CLEAR_RCVR) || ((v ^ s->fcr) & UART_FCR_ENABLE_FIFO))
			s->rx_len = 0;
		s->fcr = v & 0xc9;
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		serial__update_msr(s);
		break;
	case UART_SCR:
		s->scr = v;
		break;
	}
}

static u8 serial__read(struct serial *s, u64 reg)
{
	u8 v;

	switch (reg) {
	case UART_RX:
		if (s->lcr & UART_LCR_DLAB)
			return s->dll;
		if (!s->rx_len)
			return 0;
		v = s->rx[s->rx_head];
		s->rx_head = (s->rx_head + 1) % RX_SIZE;
		s->rx_len--;
		return v;
	case UART_IER:
		return s->lcr & UART_LCR_DLAB ? s->dlm : s->ier;
	case UART_IIR:
		v = serial__iir(s);
		if (v == UART_IIR_THRI)
			s->thr_ipending = false;	/* reading IIR acknowledges THRE */
		return v | (s->fcr & UART_FCR_ENABLE_FIFO ? UART_IIR_FIFO_ENABLED : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		v = s->lsr | UART_LSR_THRE | UART_LSR_TEMT | (s->rx_len ? UART_LSR_DR : 0);
		s->lsr &= ~(UART_LSR_OE | UART_LSR_BI);	/* error bits clear on read */
		return v;
	case UART_MSR:
		v = s->msr;
		s->msr &= ~UART_MSR_ANY_DELTA;		/* deltas clear on read */
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
	size_t n;

	pthread_mutex_lock(&vm->serial->lock);
	n = RX_SIZE - vm->serial->rx_len;
	pthread_mutex_unlock(&vm->serial->lock);
	return n;
}

size_t serial__rx(struct vm *vm, const u8 *buf, size_t len)
{
	struct serial *s = vm->serial;
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = MIN(len, RX_SIZE - s->rx_len);
	for (size_t i = 0; i < n; i++)
		serial__rx_push(s, buf[i]);
	serial__update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

void serial__set_output(struct vm *vm, void (*out)(void *, u8), void *opaque)
{
	pthread_mutex_lock(&vm->serial->lock);
	vm->serial->out = out;
	vm->serial->out_opaque = opaque;
	pthread_mutex_unlock(&vm->serial->lock);
}

void serial__reset(struct vm *vm)
{
	struct serial *s = vm->serial;

	pthread_mutex_lock(&s->lock);
	s->ier = s->fcr = s->lcr = s->mcr = s->scr = s->lsr = 0;
	s->dll = 12;					/* 9600 baud */
	s->dlm = 0;
	s->thr_ipending = false;
	s->rx_head = s->rx_len = 0;
	s->msr = 0;
	serial__update_msr(s);
	s->msr &= 0xf0;
	pthread_mutex_unlock(&s->lock);
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
	pthread_mutex_init(&s->lock, NULL);
	if (vm->con)
		serial__set_output(vm, serial__to_console, vm->con);
	serial__reset(vm);
	return bus__register_locked(&vm->pio, SERIAL_BASE, 8, serial__io, s, &s->lock, "serial");
}

void serial__exit(struct vm *vm)
{
	if (vm->serial)
		pthread_mutex_destroy(&vm->serial->lock);
	free(vm->serial);
	vm->serial = NULL;
}
