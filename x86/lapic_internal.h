/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the in-kernel APIC (x86/lapic.c, x86/apic_timer.c, x86/lapic_io.c): register
 * layout and the names the SDM gives the fields these files use. Not for the rest of
 * vmxmon: that goes through x86/lapic.h.
 */
#ifndef VMXMON_X86_LAPIC_INTERNAL_H
#define VMXMON_X86_LAPIC_INTERNAL_H

#include <linux/hrtimer.h>
#include <linux/types.h>

#include "x86/lapic.h"

#define LAPIC_VERSION		0x14		/* integrated APIC */
#define LAPIC_LVT_COUNT		6		/* timer thermal perf LINT0 LINT1 error */
#define LAPIC_BUS_NS		1		/* timer ticks at 1 GHz before division, as KVM */
/* A guest must not be able to flood the host with timer interrupts: KVM's floor too. */
#define LAPIC_MIN_PERIOD_NS	200000
#define LVT_MASKED		BIT(16)
#define LVT_TIMER_MODE(v)	(((v) >> 17) & 3)
#define LVT_TIMER_PERIODIC	1
#define LVT_TIMER_TSCDEADLINE	2
#define LVT_DELIVERY(v)		(((v) >> 8) & 7)
#define DM_FIXED		0
#define DM_LOWEST		1
#define DM_SMI			2
#define DM_NMI			4
#define DM_INIT			5
#define DM_SIPI			6
#define DM_EXTINT		7
#define ICR_LEVEL_ASSERT	BIT(14)
#define ICR_TRIGGER_LEVEL	BIT(15)
#define ICR_DEST_LOGICAL	BIT(11)
#define ICR_SHORTHAND(v)	(((v) >> 18) & 3)
#define SVR_ENABLED		BIT(8)
#define SVR_DIRECTED_EOI	BIT(12)
#define LVR_DIRECTED_EOI	BIT(24)

static inline u32 *lapic_reg(struct x86_lapic *a, u32 off)
{
	return (u32 *)(a->regs + off);
}

static inline u32 lapic_get(struct x86_lapic *a, u32 off)
{
	return READ_ONCE(*lapic_reg(a, off));
}

static inline void lapic_set(struct x86_lapic *a, u32 off, u32 val)
{
	WRITE_ONCE(*lapic_reg(a, off), val);
}

/* x86/lapic.c */
void x86_lapic_raise(struct x86_lapic *a, u8 vec, bool level);

/* x86/apic_timer.c */
enum hrtimer_restart x86_lapic_timer_fire(struct hrtimer *t);
void x86_lapic_timer_count(struct x86_lapic *a, u32 count);
void x86_lapic_timer_set_lvtt(struct x86_lapic *a, u32 lvtt);
u32 x86_lapic_current_count(struct x86_lapic *a);
void x86_lapic_timer_restore(struct x86_lapic *a, u32 old_mode, u32 tmcct);

#endif
