/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel local APIC of the split-irqchip model, for the tests that use it
 * (lapic_test, lapic_irq_test, apic_timer_test, smp_test) and the benchmark: guest-side
 * register access (xAPIC MMIO page, x2APIC MSRs, RDTSC) and host-side helpers (a VM with
 * KVM_CAP_SPLIT_IRQCHIP, one host thread per vCPU, the TSC rate, a thread's CPU time).
 */
#ifndef VMXMON_SELFTESTS_APIC_H
#define VMXMON_SELFTESTS_APIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest.h"
#include "vm.h"
#include "x86_defs.h"	/* the APIC's registers, IA32_APIC_BASE, x2APIC MSRs */

/* ---- guest side: inline, so that it stays inside the GUEST_CODE function ---- */

#define GUEST_INLINE static inline __attribute__((always_inline))

GUEST_INLINE uint32_t xapic_read(uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PHYS_BASE + off);
}

GUEST_INLINE void xapic_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PHYS_BASE + off) = val;
}

GUEST_INLINE uint64_t guest_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

GUEST_INLINE void guest_wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
}

GUEST_INLINE uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

GUEST_INLINE void guest_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

GUEST_INLINE void guest_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/* STI's one-instruction shadow covers HLT: an interrupt cannot slip in between. */
GUEST_INLINE void guest_sti_hlt(void)
{
	__asm__ volatile("sti\n\thlt" : : : "memory");
}

GUEST_INLINE void guest_pause(void)
{
	__asm__ volatile("pause" : : : "memory");
}

GUEST_INLINE void xapic_enable(void)
{
	xapic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff);
}

GUEST_INLINE void xapic_eoi(void)
{
	xapic_write(APIC_EOI, 0);
}

/* Send an IPI: ICR2 (destination) first, ICR low starts it. */
GUEST_INLINE void xapic_icr(uint32_t dest, uint32_t lo)
{
	xapic_write(APIC_ICR2, dest << 24);
	xapic_write(APIC_ICR, lo);
}

GUEST_INLINE void x2apic_enable(void)
{
	guest_wrmsr(MSR_IA32_APICBASE, guest_rdmsr(MSR_IA32_APICBASE) | X2APIC_ENABLE);
	guest_wrmsr(X2APIC_MSR(APIC_SPIV), APIC_SPIV_APIC_ENABLED | 0xff);
}

/*
 * VEC_ISR(41): an interrupt handler isr_41 (for vm_set_idt_gate()) that calls the test's own
 * isr_record(0x41), one per vector a test uses (or apic_isr.h's, shared by two tests).
 */
void isr_record(uint64_t vec);
#define VEC_ISR(v)								\
	void GUEST_CODE isr_fn_##v(uint64_t rip) { (void)rip; isr_record(0x##v); }	\
	GUEST_ISR(isr_##v, isr_fn_##v);

/* Is vector v set in one of the 256-bit registers (ISR/TMR/IRR) of a register page? */
static inline bool apic_regs_vec(const void *regs, uint32_t base, uint8_t v)
{
	return (*(const uint32_t *)((const uint8_t *)regs + base + (v >> 5) * 16) >> (v & 31)) & 1;
}

/* ---- host side (apic.c) ---- */

/*
 * A VM with KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP, 24 IOAPIC pins), its 64-bit address space
 * built and the xAPIC page mapped (identity) at APIC_DEFAULT_PHYS_BASE. Then add vCPUs.
 */
struct vm *t_vm_new_split(struct test_ctx *t);

/*
 * A new t_vm_new_split() VM with one vCPU, APIC ID id (made runnable if it is not the BSP,
 * which would wait for INIT and SIPI), in 64-bit mode at fn, with n interrupt gates.
 */
struct apic_gate {
	uint8_t vector;
	const char *stub;		/* a GUEST_ISR() stub */
};
struct vcpu *t_apic_guest(struct test_ctx *t, unsigned int id, void (*fn)(void),
			  const struct apic_gate *gates, size_t n);
/* vm_enable_split_irqchip(), vcpu_get/set_mp_state(): kvm_util.h. */

/* KVM_SIGNAL_MSI to physical APIC dest with data (vector, delivery mode, trigger): result. */
long vm_signal_msi(struct vm *vm, uint32_t dest, uint32_t data);

/*
 * A host thread that runs one vCPU until its guest returns (UCALL_DONE), aborts, or makes
 * any other exit; -EINTR and -EAGAIN (KVM's answer for a vCPU woken from waiting for SIPI)
 * just run it again. Ucalls (SYNC) are counted and resumed. vcpu_thread_stop() interrupts
 * it with a signal and waits.
 */
struct vcpu_thread {
	struct vcpu *vcpu;
	pthread_t thread;
	pid_t tid;
	volatile bool stop, finished;
	bool done;			/* the guest sent DONE */
	uint64_t syncs;
	char why[512];			/* otherwise: the exit that ended it */
};

void vcpu_thread_start(struct vcpu_thread *vt, struct vcpu *vcpu);
/* Wait up to timeout_ms for the thread to end by itself; true if it did. */
bool vcpu_thread_join(struct vcpu_thread *vt, unsigned int timeout_ms);
void vcpu_thread_stop(struct vcpu_thread *vt);
/* The test fails unless the guest ended with DONE. */
void t_vcpu_thread_expect_done(struct test_ctx *t, struct vcpu_thread *vt);

/* Host TSC rate (= the guest's: no scaling), in kHz, measured against CLOCK_MONOTONIC_RAW. */
uint64_t host_tsc_khz(void);
uint64_t host_now_ns(void);				/* CLOCK_MONOTONIC_RAW */
/* utime + stime of a thread of this process, in clock ticks (/proc/self/task/TID/stat). */
long thread_cpu_ticks(pid_t tid);

#endif
