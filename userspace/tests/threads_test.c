// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the device models driven from several threads at once, as vmxrun drives
 * them (vm/vm.h, "Locks"): "vCPU" threads doing port I/O and MMIO through the buses, an
 * "event loop" thread feeding the UART, firing the PIT's timer, pressing the power button
 * and answering control commands, and a "BSP" that waits for the PIC under vm->lock as a
 * halted vCPU does. Each test checks what a lost update would break (every byte sent and
 * received exactly once, no wake-up lost); `make check-tsan` runs them under ThreadSanitizer,
 * which also reports any data race or lock-order inversion among the device locks.
 */
#include <linux/serial_reg.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/control.h"
#include "harness.h"
#include "host_vm.h"
#include "hw/board.h"
#include "hw/ioapic.h"
#include "hw/pic.h"
#include "hw/pit.h"
#include "hw/pm.h"
#include "hw/serial.h"
#include "vm/vcpu.h"

#define COM1		0x3f8
#define NR_VCPU_THREADS	3
#define RUN_NS		(400 * 1000 * 1000ULL)	/* each stress phase, wall clock */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* A vCPU 0 for the PIC to kick (no thread, no fd: the kick only sets immediate_exit). */
static void fake_bsp(struct vm *vm)
{
	vm->vcpu = calloc(1, sizeof(*vm->vcpu));
	vm->vcpu->vm = vm;
	vm->vcpu->fd = -1;
	vm->vcpu->run = calloc(1, sizeof(*vm->vcpu->run));
	vm->nr_vcpus = 1;
}

static void fake_bsp_free(struct vm *vm)
{
	vm->nr_vcpus = 0;
	free(vm->vcpu->run);
	free(vm->vcpu);
	vm->vcpu = NULL;
}

static void mmio_w(struct vm *vm, u64 gpa, u32 val)
{
	u8 data[4];

	le_put(data, 4, val);
	bus__access(&vm->mmio, NULL, gpa, data, 4, true);
}

static u32 mmio_r(struct vm *vm, u64 gpa)
{
	u8 data[4] = { 0 };

	bus__access(&vm->mmio, NULL, gpa, data, 4, false);
	return (u32)le_get(data, 4);
}

struct stress {
	struct vm *vm;
	bool stop;			/* atomic */
	u64 tx_out;			/* bytes the UART sent out (its lock held) */
	u64 tx_sent[NR_VCPU_THREADS];	/* bytes each vCPU thread wrote to THR */
	u64 rx_in;			/* bytes serial__rx took (loop thread) */
	u64 rx_got[NR_VCPU_THREADS];	/* bytes each vCPU thread read from RBR */
	u64 acks;			/* interrupts the BSP took from the PIC */
	u64 msis;			/* MSIs the IOAPIC sent (its lock held) */
	unsigned int id;		/* next vCPU thread's index (atomic) */
};

static void count_out(void *opaque, u8 c)
{
	struct stress *s = opaque;

	(void)c;
	s->tx_out++;
}

static void count_msi(struct vm *vm, u32 addr, u32 data, void *opaque)
{
	struct stress *s = opaque;

	(void)vm, (void)addr, (void)data;
	s->msis++;
}

static bool stopping(struct stress *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
}

/* What a vCPU does in a busy guest: every platform device, in a loop. */
static void *vcpu_thread(void *arg)
{
	struct stress *s = arg;
	struct vm *vm = s->vm;
	unsigned int id = __atomic_fetch_add(&s->id, 1, __ATOMIC_RELAXED);
	u64 i;

	for (i = 0; !stopping(s); i++) {
		outb_(vm, COM1 + UART_TX, (u8)('a' + id));
		s->tx_sent[id]++;
		(void)inb_(vm, COM1 + UART_IIR);		/* acknowledges THRI */
		if (inb_(vm, COM1 + UART_LSR) & UART_LSR_DR && inb_(vm, COM1 + UART_RX))
			s->rx_got[id]++;			/* bytes fed are never 0 */
		outb_(vm, 0x43, 0x00);				/* latch channel 0 */
		(void)inb_(vm, 0x40);
		(void)inb_(vm, 0x40);
		(void)inb_(vm, 0x61);
		outb_(vm, 0x70, (u8)(i % 10));			/* RTC time registers */
		(void)inb_(vm, 0x71);
		outb_(vm, 0x70, 0x40 + id);			/* CMOS RAM */
		outb_(vm, 0x71, (u8)i);
		(void)inp(vm, PM_TMR_BLK, 4);
		outp(vm, 0xcf8, 4, 0x80000000);
		(void)inp(vm, 0xcfc, 4);
		outb_(vm, 0x64, 0x20);				/* i8042: read CTR */
		(void)inb_(vm, 0x60);
		mmio_w(vm, IOAPIC_BASE, 0x10 + 2 * 4);		/* the UART's redirection entry */
		(void)mmio_r(vm, IOAPIC_BASE + 0x10);
		(void)inb_(vm, 0x20);				/* PIC IRR */
		if (i % 512 == 0)
			outb_(vm, 0x64, 0xfe);			/* pulse reset: vm__request */
	}
	return NULL;
}

/* The event loop's share: console input, the PIT's timerfd, the control socket. */
static void *loop_thread(void *arg)
{
	static const char *const cmds[] = {
		"{\"execute\": \"query-status\"}", "{\"execute\": \"stop\"}",
		"{\"execute\": \"cont\"}", "{\"execute\": \"system_powerdown\"}",
		"{\"execute\": \"query-vmxrun-stats\"}",
	};
	struct stress *s = arg;
	struct vm *vm = s->vm;
	u8 in[7] = "input\n";

	for (unsigned int i = 0; !stopping(s); i++) {
		s->rx_in += serial__rx(vm, in, 6);
		pit__expire(vm);
		if (i % 64 == 0)
			free(qmp__handle_line(vm, cmds[(i / 64) % 5]));
		if (i % 16 == 0)
			ioapic__eoi(vm, 0x24);
	}
	return NULL;
}

/* A halted BSP: wait under vm->lock for the PIC's output, take the interrupt, EOI it. */
static void *bsp_thread(void *arg)
{
	struct stress *s = arg;
	struct vm *vm = s->vm;

	while (!stopping(s)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&vm->lock);
		if (!pic__pending(vm))
			pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
		pthread_mutex_unlock(&vm->lock);
		if (!pic__pending(vm))
			continue;
		pic__ack(vm);
		s->acks++;
		outb_(vm, 0xa0, 0x20);
		outb_(vm, 0x20, 0x20);
	}
	return NULL;
}

TEST_HOST(devices_stay_consistent_when_driven_from_many_threads)
{
	struct vm *vm = host_vm_new(16 * MiB);
	pthread_t vcpus[NR_VCPU_THREADS], loop, bsp;
	struct stress *s = calloc(1, sizeof(*s));
	u64 sent = 0, got = 0, t0;

	ASSERT_TRUE(vm && s);
	s->vm = vm;
	fake_bsp(vm);
	host_vm_pic_init(vm);
	serial__set_output(vm, count_out, s);
	ioapic__set_sink(vm, count_msi, s);
	mmio_w(vm, IOAPIC_BASE, 0x10 + 2 * 4);			/* pin 4: vector 0x24, unmasked */
	mmio_w(vm, IOAPIC_BASE + 0x10, 0x24);
	mmio_w(vm, IOAPIC_BASE, 0x10 + 2 * 2);			/* pin 2 (IRQ0): 0x20 */
	mmio_w(vm, IOAPIC_BASE + 0x10, 0x20);
	outb_(vm, COM1 + UART_MCR, UART_MCR_OUT2);
	outb_(vm, COM1 + UART_IER, UART_IER_RDI | UART_IER_THRI);
	outb_(vm, 0x43, 0x34);					/* PIT channel 0, mode 2 */
	outb_(vm, 0x40, 0xa9);					/* 1193: 1 ms */
	outb_(vm, 0x40, 0x04);
	for (int i = 0; i < NR_VCPU_THREADS; i++)
		ASSERT_EQ(pthread_create(&vcpus[i], NULL, vcpu_thread, s), 0);
	ASSERT_EQ(pthread_create(&loop, NULL, loop_thread, s), 0);
	ASSERT_EQ(pthread_create(&bsp, NULL, bsp_thread, s), 0);
	t0 = now_ns();
	while (now_ns() - t0 < RUN_NS) {
		struct timespec d = { 0, 10 * 1000 * 1000 };

		nanosleep(&d, NULL);
	}
	__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
	for (int i = 0; i < NR_VCPU_THREADS; i++)
		pthread_join(vcpus[i], NULL);
	pthread_join(loop, NULL);
	pthread_join(bsp, NULL);

	/* Drain what the loop fed and nobody read yet. */
	while (inb_(vm, COM1 + UART_LSR) & UART_LSR_DR)
		got += inb_(vm, COM1 + UART_RX) != 0;
	for (int i = 0; i < NR_VCPU_THREADS; i++) {
		sent += s->tx_sent[i];
		got += s->rx_got[i];
	}
	t_log(t, "%llu bytes out, %llu in, %llu interrupts taken, %llu MSIs",
	      (unsigned long long)sent, (unsigned long long)got, (unsigned long long)s->acks,
	      (unsigned long long)s->msis);
	EXPECT_GT(sent, 0);
	EXPECT_EQ(s->tx_out, sent);				/* every byte out once */
	EXPECT_GT(s->rx_in, 0);
	EXPECT_EQ(got, s->rx_in);				/* every byte in once */
	EXPECT_GT(s->acks, 0);
	EXPECT_GT(s->msis, 0);
	EXPECT_EQ(vm->request, REQ_RESET);			/* the i8042's, first */
	fake_bsp_free(vm);
	host_vm_free(vm);
	free(s);
}

struct ping {
	struct vm *vm;
	unsigned int acked;		/* atomic */
	unsigned int rounds;
};

/* The BSP of a PIC-only guest in HLT: no timeout, so a lost wake-up hangs (and fails). */
static void *halted_bsp(void *arg)
{
	struct ping *p = arg;
	struct vm *vm = p->vm;

	for (unsigned int i = 0; i < p->rounds; i++) {
		pthread_mutex_lock(&vm->lock);
		while (!pic__pending(vm))
			pthread_cond_wait(&vm->cond, &vm->lock);
		pthread_mutex_unlock(&vm->lock);
		if (pic__ack(vm) != 0x33)
			break;
		outb_(vm, 0x20, 0x20);				/* EOI */
		__atomic_store_n(&p->acked, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

TEST_HOST(pic_output_wakes_a_bsp_waiting_under_vm_lock)
{
	struct vm *vm = host_vm_new(16 * MiB);
	struct ping p = { .vm = vm, .rounds = 2000 };
	pthread_t bsp;

	ASSERT_TRUE(vm);
	fake_bsp(vm);
	host_vm_pic_init(vm);
	ASSERT_EQ(pthread_create(&bsp, NULL, halted_bsp, &p), 0);
	for (unsigned int i = 0; i < p.rounds; i++) {
		irq__pulse(vm, 3);				/* the line's only driver */
		while (__atomic_load_n(&p.acked, __ATOMIC_ACQUIRE) != i + 1)
			sched_yield();
	}
	pthread_join(bsp, NULL);
	EXPECT_EQ(p.acked, p.rounds);
	EXPECT_TRUE(!pic__pending(vm));
	fake_bsp_free(vm);
	host_vm_free(vm);
}
