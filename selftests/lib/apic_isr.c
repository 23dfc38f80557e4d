// SPDX-License-Identifier: GPL-2.0
/*
 * The recording interrupt handlers of lapic_test and lapic_irq_test (apic_isr.h): one
 * isr_record() behind a stub per vector, the 0x50 handler that also reads its ISR word and
 * the PPR, an NMI counter, and lapic_guest() with all of them installed.
 */
#include "apic_isr.h"

volatile uint64_t isr_log[ISR_NLOG], isr_n;
volatile uint32_t isr_isr50, isr_ppr;
volatile uint64_t isr_sync, isr_no_eoi, nmi_n, x2;

void GUEST_CODE isr_record(uint64_t vec)
{
	uint64_t n = isr_n;

	if (n < ISR_NLOG)
		isr_log[n] = vec;
	isr_n = n + 1;
	if (isr_sync)
		GUEST_SYNC(0x1000 | vec, n + 1);	/* in the handler: vector in service */
	if (isr_no_eoi == vec)
		return;
	if (x2)
		guest_wrmsr(X2APIC_MSR(APIC_EOI), 0);
	else
		xapic_eoi();
}

/* One stub per vector: the handler records which one ran. */
VEC_ISR(41);
VEC_ISR(55);
VEC_ISR(60);
VEC_ISR(61);
VEC_ISR(70);
VEC_ISR(71);
VEC_ISR(80);
VEC_ISR(90);
VEC_ISR(a0);

void GUEST_CODE isr_fn_50(uint64_t rip)
{
	(void)rip;
	isr_isr50 = xapic_read(APIC_ISR + 0x20);	/* vectors 0x40-0x5f */
	isr_ppr = xapic_read(APIC_PROCPRI);
	isr_record(0x50);
}
GUEST_ISR(isr_50, isr_fn_50);

void GUEST_CODE nmi_fn(uint64_t rip)
{
	(void)rip;
	nmi_n++;
}
GUEST_ISR(nmi_stub, nmi_fn);

struct vcpu *lapic_guest(struct test_ctx *t, unsigned int id, void (*fn)(void))
{
	static const struct apic_gate gates[] = {
		{ 0x41, isr_41 }, { 0x50, isr_50 }, { 0x55, isr_55 }, { 0x60, isr_60 },
		{ 0x61, isr_61 }, { 0x70, isr_70 }, { 0x71, isr_71 }, { 0x80, isr_80 },
		{ 0x90, isr_90 }, { 0xa0, isr_a0 }, { 2, nmi_stub },
	};

	return t_apic_guest(t, id, fn, gates, sizeof(gates) / sizeof(gates[0]));
}
