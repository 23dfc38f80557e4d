/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recording interrupt handlers lapic_test and lapic_irq_test share (apic_isr.c, linked
 * into those two only; apic_access_test has an isr_record() and globals of its own).
 *
 * isr_record() logs the first ISR_NLOG vectors in isr_log[] and counts all in isr_n; while
 * isr_sync is set it sends GUEST_SYNC(0x1000 | vector, count) from the handler; it skips the
 * EOI for vector isr_no_eoi and writes it by MSR once x2 is set. The 0x50 handler also keeps
 * its ISR word (vectors 0x40-0x5f) in isr_isr50 and the PPR in isr_ppr; the NMI handler
 * counts in nmi_n. The host sets and reads them with GUEST_VAR().
 */
#ifndef VMXMON_SELFTESTS_APIC_ISR_H
#define VMXMON_SELFTESTS_APIC_ISR_H

#include "apic.h"

#define ISR_NLOG 16

extern volatile uint64_t isr_log[ISR_NLOG], isr_n;
extern volatile uint32_t isr_isr50, isr_ppr;
extern volatile uint64_t isr_sync, isr_no_eoi, nmi_n, x2;

/*
 * t_apic_guest() with the recording handlers installed: vectors 0x41, 0x50, 0x55, 0x60,
 * 0x61, 0x70, 0x71, 0x80, 0x90, 0xa0 and the NMI.
 */
struct vcpu *lapic_guest(struct test_ctx *t, unsigned int id, void (*fn)(void));

#endif
