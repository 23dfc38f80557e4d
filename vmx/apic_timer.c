// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel APIC's timer (SDM Vol. 3A 11.5.4): one-shot and periodic from TMICT through
 * the divide configuration, at 1 GHz before division as KVM's, and TSC-deadline from
 * IA32_TSC_DEADLINE in guest TSC ticks; both on one hrtimer that raises the LVT timer's
 * vector (hard interrupt context) and kicks the vCPU. TMCCT is computed when read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "vmx/vmx.h"
#include "vmx/lapic.h"

/* Timer (SDM 11.5.4): the divide configuration register's divisor. */
static u32 lapic_divisor(struct vmx_lapic *a)
{
	u32 tdcr = lapic_get(a, APIC_TDCR), v = (tdcr & 3) | ((tdcr & 8) >> 1);

	return v == 7 ? 1 : 2u << v;		/* 0b111 is divide by 1 */
}

enum hrtimer_restart vmx_lapic_timer_fire(struct hrtimer *t)
{
	struct vmx_lapic *a = container_of(t, struct vmx_lapic, timer);
	u32 lvtt = lapic_get(a, APIC_LVTT);

	if (!(lvtt & LVT_MASKED))
		vmx_lapic_raise(a, lvtt & 0xff, false);
	if (LVT_TIMER_MODE(lvtt) == LVT_TIMER_PERIODIC && a->period_ns) {
		hrtimer_add_expires_ns(t, a->period_ns);
		return HRTIMER_RESTART;
	}
	a->tsc_deadline = 0;
	return HRTIMER_NORESTART;
}

static void lapic_timer_start_ns(struct vmx_lapic *a, u64 ns)
{
	hrtimer_start(&a->timer, ktime_add_ns(ktime_get(), ns), HRTIMER_MODE_ABS_HARD);
}

/* TMICT written: (re)arm one-shot or periodic. */
void vmx_lapic_timer_count(struct vmx_lapic *a, u32 count)
{
	if (LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)) == LVT_TIMER_TSCDEADLINE)
		return;				/* TMICT is not used (SDM 11.5.4.1) */
	hrtimer_cancel(&a->timer);
	lapic_set(a, APIC_TMICT, count);
	a->period_ns = 0;
	if (!count || LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)) == LVT_TIMER_TSCDEADLINE)
		return;
	a->period_ns = (u64)count * lapic_divisor(a) * LAPIC_BUS_NS;
	if (LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)) == LVT_TIMER_PERIODIC)
		a->period_ns = max_t(u64, a->period_ns, LAPIC_MIN_PERIOD_NS);
	a->timer_start = ktime_get();
	lapic_timer_start_ns(a, a->period_ns);
}

/* IA32_TSC_DEADLINE (guest TSC): fire when the guest's TSC reaches it; 0 disarms. */
void vmx_lapic_set_tsc_deadline(struct vmx_lapic *a, u64 deadline, u64 tsc_offset)
{
	u64 now = rdtsc() + tsc_offset;

	hrtimer_cancel(&a->timer);
	a->tsc_deadline = deadline;
	if (!deadline || LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)) != LVT_TIMER_TSCDEADLINE)
		return;
	/* TSC ticks to ns; mul_u64_u32_div() does not overflow for far deadlines. */
	lapic_timer_start_ns(a, deadline > now ? mul_u64_u32_div(deadline - now, 1000000, tsc_khz)
					       : 0);
}

u64 vmx_lapic_get_tsc_deadline(struct vmx_lapic *a)
{
	return a->tsc_deadline;
}

u32 vmx_lapic_current_count(struct vmx_lapic *a)
{
	s64 elapsed, left;

	if (!a->period_ns || !hrtimer_active(&a->timer))
		return 0;
	elapsed = ktime_to_ns(ktime_sub(ktime_get(), a->timer_start));
	left = a->period_ns - (elapsed % a->period_ns);
	return div_u64(left, lapic_divisor(a) * LAPIC_BUS_NS);
}
