// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel APIC's timer (SDM Vol. 3A 11.5.4): one-shot and periodic from TMICT through
 * the divide configuration, at 1 GHz before division as KVM's, and TSC-deadline from
 * IA32_TSC_DEADLINE in guest TSC ticks; both on one hrtimer that raises the LVT timer's
 * vector (hard interrupt context) and kicks the vCPU. TMCCT is computed when read, from
 * the hrtimer's expiry. The mode, TMICT and deadline rules follow KVM's lapic.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "kmod/trace.h"
#include "x86/lapic.h"
#include "x86/lapic_internal.h"

/* Timer (SDM 11.5.4): the divide configuration register's divisor. */
static u32 lapic_divisor(struct x86_lapic *a)
{
	u32 tdcr = lapic_get(a, APIC_TDCR), v = (tdcr & 3) | ((tdcr & 8) >> 1);

	return v == 7 ? 1 : 2u << v;		/* 0b111 is divide by 1 */
}

enum hrtimer_restart x86_lapic_timer_fire(struct hrtimer *t)
{
	struct x86_lapic *a = container_of(t, struct x86_lapic, timer);
	u32 lvtt = lapic_get(a, APIC_LVTT);

	trace_vmxmon_timer_fire(a->vcpu->id, lvtt & 0xff, lvtt & LVT_MASKED);
	if (!(lvtt & LVT_MASKED))
		x86_lapic_raise(a, lvtt & 0xff, false);
	if (LVT_TIMER_MODE(lvtt) == LVT_TIMER_PERIODIC && a->period_ns) {
		hrtimer_add_expires_ns(t, a->period_ns);
		return HRTIMER_RESTART;
	}
	a->tsc_deadline = 0;
	return HRTIMER_NORESTART;
}

static void lapic_timer_start_ns(struct x86_lapic *a, u64 ns)
{
	trace_vmxmon_timer_arm(a->vcpu->id, LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)), ns);
	hrtimer_start(&a->timer, ktime_add_ns(ktime_get(), ns), HRTIMER_MODE_ABS_HARD);
}

/* The period of a one-shot or periodic count, with KVM's floor for periodic timers. */
static u64 lapic_count_ns(struct x86_lapic *a, u32 count)
{
	u64 ns = (u64)count * lapic_divisor(a) * LAPIC_BUS_NS;

	if (ns && LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)) == LVT_TIMER_PERIODIC)
		ns = max_t(u64, ns, LAPIC_MIN_PERIOD_NS);
	return ns;
}

/* TMICT written: (re)arm one-shot or periodic. */
void x86_lapic_timer_count(struct x86_lapic *a, u32 count)
{
	if (LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)) == LVT_TIMER_TSCDEADLINE)
		return;				/* TMICT is not used (SDM 11.5.4.1) */
	hrtimer_cancel(&a->timer);
	lapic_set(a, APIC_TMICT, count);
	a->period_ns = lapic_count_ns(a, count);
	if (a->period_ns)
		lapic_timer_start_ns(a, a->period_ns);
}

/*
 * LVTT written (KVM's apic_update_lvtt()). Into or out of TSC-deadline mode the timer
 * stops and TMICT and the deadline clear. Between one-shot and periodic it runs on: the
 * count goes on from where it is, and the mode at expiry decides whether it restarts
 * (SDM 11.5.4 says nothing of a mode change while counting; this is what KVM and the
 * kvm-unit-tests "apic" test expect); a periodic timer gets the floor on its period.
 */
void x86_lapic_timer_set_lvtt(struct x86_lapic *a, u32 lvtt)
{
	u32 old = LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)), mode = LVT_TIMER_MODE(lvtt);

	lapic_set(a, APIC_LVTT, lvtt);
	if (mode == old)
		return;
	if ((old == LVT_TIMER_TSCDEADLINE) != (mode == LVT_TIMER_TSCDEADLINE)) {
		hrtimer_cancel(&a->timer);
		lapic_set(a, APIC_TMICT, 0);
		a->period_ns = 0;
		a->tsc_deadline = 0;
	} else if (mode == LVT_TIMER_PERIODIC && a->period_ns) {
		a->period_ns = max_t(u64, a->period_ns, LAPIC_MIN_PERIOD_NS);
	}
}

static bool lapic_tsc_deadline_mode(struct x86_lapic *a)
{
	return (a->base & MSR_IA32_APICBASE_ENABLE) &&
	       LVT_TIMER_MODE(lapic_get(a, APIC_LVTT)) == LVT_TIMER_TSCDEADLINE;
}

static void lapic_arm_tsc_deadline(struct x86_lapic *a)
{
	u64 now = rdtsc() + a->tsc_offset, deadline = a->tsc_deadline;

	/* TSC ticks to ns; mul_u64_u32_div() does not overflow for far deadlines. */
	lapic_timer_start_ns(a, deadline > now ? mul_u64_u32_div(deadline - now, 1000000, tsc_khz)
					       : 0);
}

/*
 * IA32_TSC_DEADLINE (guest TSC; @tsc_offset is the vCPU's): fire when the guest's TSC
 * reaches it; 0 disarms. As in KVM, a write outside TSC-deadline mode (or with the APIC
 * disabled in IA32_APIC_BASE) is dropped and a read there returns 0.
 */
void x86_lapic_set_tsc_deadline(struct x86_lapic *a, u64 deadline, u64 tsc_offset)
{
	if (!lapic_tsc_deadline_mode(a))
		return;
	hrtimer_cancel(&a->timer);
	a->tsc_deadline = deadline;
	a->tsc_offset = tsc_offset;
	if (deadline)
		lapic_arm_tsc_deadline(a);
}

u64 x86_lapic_get_tsc_deadline(struct x86_lapic *a)
{
	return lapic_tsc_deadline_mode(a) ? a->tsc_deadline : 0;
}

/*
 * TMCCT: what is left of the current period (KVM's apic_get_tmcct()); 0 once a one-shot
 * count ran out, with TMICT 0, and in TSC-deadline mode.
 */
u32 x86_lapic_current_count(struct x86_lapic *a)
{
	u64 period = a->period_ns, rem;
	s64 left;

	if (!period || !hrtimer_active(&a->timer))
		return 0;
	left = ktime_to_ns(ktime_sub(hrtimer_get_expires(&a->timer), ktime_get()));
	if (left <= 0)
		return 0;
	div64_u64_rem(left, period, &rem);
	return div_u64(rem, lapic_divisor(a) * LAPIC_BUS_NS);
}

/*
 * KVM_SET_LAPIC has replaced the registers (timer stopped; @old_mode is the timer mode
 * before, @tmcct the state's current count): start the timer they describe, as KVM's
 * kvm_apic_set_state(). A one-shot or periodic count goes on from @tmcct (a periodic one
 * from a full period when that is 0 or too large); an expired one-shot stays expired
 * (KVM fires it once more: its timer interrupt may still be on its way to the IRR, where
 * vmxmon's is already). An armed TSC deadline stays armed, and fires, unless the state
 * enters or leaves TSC-deadline mode, which clears it as an LVTT write does: the deadline
 * MSR is not in the state, VMMs restore it separately, before or after.
 */
void x86_lapic_timer_restore(struct x86_lapic *a, u32 old_mode, u32 tmcct)
{
	u32 mode = LVT_TIMER_MODE(lapic_get(a, APIC_LVTT));
	u64 first;

	a->period_ns = 0;
	if ((old_mode == LVT_TIMER_TSCDEADLINE) != (mode == LVT_TIMER_TSCDEADLINE)) {
		lapic_set(a, APIC_TMICT, 0);
		a->tsc_deadline = 0;
	}
	if (mode == LVT_TIMER_TSCDEADLINE) {
		if (a->tsc_deadline && (a->base & MSR_IA32_APICBASE_ENABLE))
			lapic_arm_tsc_deadline(a);
		return;
	}
	a->period_ns = lapic_count_ns(a, lapic_get(a, APIC_TMICT));
	if (!a->period_ns)
		return;
	first = (u64)tmcct * lapic_divisor(a) * LAPIC_BUS_NS;
	if (!first && mode != LVT_TIMER_PERIODIC)
		return;
	if (!first || first > a->period_ns)
		first = a->period_ns;
	lapic_timer_start_ns(a, first);
}
