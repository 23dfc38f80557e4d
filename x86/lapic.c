// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC of the split-irqchip model (SDM Vol. 3A chapter 11): xAPIC
 * registers through MMIO (the vCPU's own range on the I/O bus) and x2APIC through MSRs
 * 0x800-0x8ff (x86/lapic_io.c),
 * interrupt acceptance by priority (IRR -> ISR, PPR), EOI, inter-processor interrupts
 * (fixed, lowest priority as fixed, NMI, INIT, SIPI; physical and logical destinations;
 * shorthands) and MSIs from userspace; the timer is in x86/apic_timer.c. PIC, IOAPIC and
 * PIT stay in userspace.
 *
 * Concurrency: IRR and TMR bits are set by anyone (other vCPUs' IPIs, the timer, MSIs) with
 * atomic bit operations, followed by a kick; every other register belongs to the vCPU's
 * own thread (exits and ioctls under vcpu->mutex).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr.h>

#include "kmod/trace.h"
#include "x86/lapic.h"
#include "x86/lapic_internal.h"

/* IRR/ISR/TMR: 256 bits in eight 32-bit registers 16 bytes apart. */
static unsigned long *vec_word(struct x86_lapic *a, u32 base, u8 vec)
{
	return (unsigned long *)lapic_reg(a, base + ((vec >> 5) << 4));
}

static void vec_set(struct x86_lapic *a, u32 base, u8 vec)
{
	set_bit(vec & 31, vec_word(a, base, vec));
}

static void vec_clear(struct x86_lapic *a, u32 base, u8 vec)
{
	clear_bit(vec & 31, vec_word(a, base, vec));
}

static bool vec_test(struct x86_lapic *a, u32 base, u8 vec)
{
	return test_bit(vec & 31, vec_word(a, base, vec));
}

/* Highest vector set in IRR/ISR/TMR, or -1. */
static int vec_highest(struct x86_lapic *a, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = lapic_get(a, base + (i << 4));

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

static bool lapic_enabled(struct x86_lapic *a)
{
	return (a->base & MSR_IA32_APICBASE_ENABLE) && (lapic_get(a, APIC_SPIV) & SVR_ENABLED);
}

static bool lapic_x2apic(struct x86_lapic *a)
{
	return a->base & X2APIC_ENABLE;
}

static u32 lapic_id(struct x86_lapic *a)
{
	return lapic_x2apic(a) ? lapic_get(a, APIC_ID) : lapic_get(a, APIC_ID) >> 24;
}

static u32 lapic_version(struct x86_lapic *a)
{
	return LAPIC_VERSION | ((LAPIC_LVT_COUNT - 1) << 16) |
	       (a->x2apic_cpuid ? LVR_DIRECTED_EOI : 0);
}

static u32 lapic_ppr(struct x86_lapic *a)
{
	u32 tpr = lapic_get(a, APIC_TASKPRI) & 0xff;
	int isr = vec_highest(a, APIC_ISR);

	return (isr < 0 || (tpr & 0xf0) >= (isr & 0xf0)) ? tpr : isr & 0xf0;
}

bool x86_lapic_irr_any(struct x86_lapic *a)
{
	int i;

	for (i = 0; i < 8; i++)
		if (lapic_get(a, APIC_IRR + (i << 4)))
			return true;
	return false;
}

/* The vector the APIC would present to the CPU now, or -1. */
int x86_lapic_deliverable(struct x86_lapic *a)
{
	int irr;

	if (!a || !lapic_enabled(a))
		return -1;
	irr = vec_highest(a, APIC_IRR);
	if (irr < 0 || (irr & 0xf0) <= (lapic_ppr(a) & 0xf0))
		return -1;
	return irr;
}

/* The CPU takes @vec: IRR -> ISR (SDM 11.8.4). */
void x86_lapic_accept(struct x86_lapic *a, int vec)
{
	vec_clear(a, APIC_IRR, vec);
	vec_set(a, APIC_ISR, vec);
}

/* Set @vec pending and make the vCPU notice. Any context. */
void x86_lapic_raise(struct x86_lapic *a, u8 vec, bool level)
{
	if (vec < 16) {				/* illegal vector: "receive illegal vector" */
		lapic_set(a, APIC_ESR, lapic_get(a, APIC_ESR) | BIT(6));
		return;
	}
	if (level)
		vec_set(a, APIC_TMR, vec);
	else
		vec_clear(a, APIC_TMR, vec);
	vec_set(a, APIC_IRR, vec);
	vmxmon_vcpu_kick(a->vcpu);
}

/*
 * Deliver one interrupt message to this APIC (IPI, MSI, timer). Returns whether the APIC
 * accepted it: a software-disabled APIC drops fixed interrupts (KVM_SIGNAL_MSI counts these).
 */
static bool lapic_deliver(struct x86_lapic *a, u32 mode, u8 vec, bool level)
{
	struct x86_vcpu *x = vcpu_x86(a->vcpu);

	switch (mode) {
	case DM_FIXED:
	case DM_LOWEST:
		if (!lapic_enabled(a))
			return false;
		x86_lapic_raise(a, vec, level);
		break;
	case DM_NMI:
		x86_call(queue_nmi)(a->vcpu);
		vmxmon_vcpu_kick(a->vcpu);
		break;
	case DM_INIT:
		WRITE_ONCE(x->init_pending, true);
		smp_wmb();
		WRITE_ONCE(a->vcpu->check_state, true);
		vmxmon_vcpu_kick(a->vcpu);
		break;
	case DM_SIPI:
		WRITE_ONCE(x->sipi_vector, vec);
		smp_wmb();
		WRITE_ONCE(x->sipi_pending, true);
		smp_wmb();
		WRITE_ONCE(a->vcpu->check_state, true);
		vmxmon_vcpu_kick(a->vcpu);
		break;
	}
	return true;
}

/* Does destination @dest (physical or logical) name APIC @a? (SDM 11.6.2) */
static bool lapic_match(struct x86_lapic *a, u32 dest, bool logical)
{
	u32 ldr = lapic_get(a, APIC_LDR);

	if (lapic_x2apic(a)) {
		if (!logical)
			return dest == 0xffffffff || dest == lapic_id(a);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (!logical)
		return dest == 0xff || dest == lapic_id(a);
	if (dest == 0xff)
		return true;
	ldr >>= 24;
	if ((lapic_get(a, APIC_DFR) >> 28) == 0xf)	/* flat model */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster model */
}

/* Send to every APIC of the VM that @dest/@shorthand select; returns how many accepted. */
static int lapic_send(struct vmxmon_vcpu *from, u32 shorthand, u32 dest, bool logical,
		      u32 mode, u8 vec, bool level)
{
	struct vmxmon_vm *vm = from ? from->vm : NULL;
	int i, n = 0;

	for (i = 0; i < VMXMON_MAX_VCPUS; i++) {
		struct vmxmon_vcpu *v = vm ? READ_ONCE(vm->vcpus[i]) : NULL;
		struct x86_lapic *a;

		if (!v)
			break;
		a = vcpu_x86(v)->lapic;
		if (!a)
			continue;
		if ((shorthand == 1 && v != from) || (shorthand == 3 && v == from) ||
		    (shorthand == 0 && !lapic_match(a, dest, logical)))
			continue;
		n += lapic_deliver(a, mode, vec, level);
		if (mode == DM_LOWEST)
			break;			/* one recipient: the first that matches */
	}
	return n;
}

/*
 * KVM_SIGNAL_MSI (and later IOAPIC routes): the message's address and data (SDM 11.11).
 * Returns how many APICs accepted it (a software-disabled one does not), as KVM.
 */
int x86_lapic_msi(struct vmxmon_vcpu *any, u32 address_lo, u32 data)
{
	u32 dest = (address_lo >> 12) & 0xff;

	if ((address_lo & 0xfff00000) != APIC_DEFAULT_PHYS_BASE)	/* SDM Vol. 3A 11.11.1 */
		return -EINVAL;
	return lapic_send(any, 0, dest, address_lo & BIT(2), (data >> 8) & 7, data & 0xff,
			  data & BIT(15));
}

static void lapic_icr_write(struct x86_lapic *a, u32 lo, u32 hi)
{
	u32 mode = (lo >> 8) & 7, dest = lapic_x2apic(a) ? hi : hi >> 24;
	int n;

	lapic_set(a, APIC_ICR, lo & ~BIT(12));	/* delivery status: idle */
	lapic_set(a, APIC_ICR2, hi);
	if (mode == DM_INIT && !(lo & ICR_LEVEL_ASSERT))
		return;				/* INIT level de-assert: nothing to do */
	if (mode == DM_SMI || mode == 3 || mode == DM_EXTINT)
		return;				/* not supported: no SMM; reserved */
	n = lapic_send(a->vcpu, ICR_SHORTHAND(lo), dest, lo & ICR_DEST_LOGICAL, mode, lo & 0xff,
		       lo & ICR_TRIGGER_LEVEL);
	trace_vmxmon_ipi(a->vcpu->id, lo, dest, n);
}

/*
 * EOI (SDM 11.8.5): retire the highest in-service vector. A level-triggered one that the
 * userspace IOAPIC routes ends in KVM_EXIT_IOAPIC_EOI (returns 0); otherwise returns 1.
 */
static int lapic_eoi(struct x86_lapic *a)
{
	int vec = vec_highest(a, APIC_ISR);

	if (vec < 0)
		return 1;
	vec_clear(a, APIC_ISR, vec);
	if (vec_test(a, APIC_TMR, vec) && test_bit(vec, a->vcpu->vm->ioapic_eoi_vectors)) {
		struct kvm_run *run = a->vcpu->run;

		run->exit_reason = KVM_EXIT_IOAPIC_EOI;
		run->eoi.vector = vec;
		return 0;
	}
	return 1;
}

/* Register read, xAPIC offsets. Returns -1 for a reserved register (caller: #GP/ignore). */
int x86_lapic_read(struct x86_lapic *a, u32 off, u64 *val)
{
	/* x2APIC mode has no DFR, ICR2 or ARBPRI (SDM 11.12.1.2, table 11-6). */
	if (lapic_x2apic(a) && (off == APIC_DFR || off == APIC_ICR2 || off == APIC_ARBPRI))
		return -1;
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_TASKPRI: case APIC_LDR: case APIC_DFR:
	case APIC_SPIV: case APIC_ESR: case APIC_ICR: case APIC_ICR2: case APIC_LVTT:
	case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0: case APIC_LVT1: case APIC_LVTERR:
	case APIC_LVTCMCI: case APIC_TMICT: case APIC_TDCR:
	case APIC_ISR ... APIC_ISR + 0x70: case APIC_TMR ... APIC_TMR + 0x70:
	case APIC_IRR ... APIC_IRR + 0x70:
		if (off & 0xf)
			return -1;
		*val = lapic_get(a, off);
		if (off == APIC_ICR && lapic_x2apic(a))
			*val |= (u64)lapic_get(a, APIC_ICR2) << 32;
		return 0;
	case APIC_PROCPRI:
		*val = lapic_ppr(a);
		return 0;
	case APIC_ARBPRI:
		*val = 0;
		return 0;
	case APIC_TMCCT:
		*val = x86_lapic_current_count(a);
		return 0;
	default:
		return -1;
	}
}

/* Register write. Returns 1 (done), 0 (exit to userspace: IOAPIC EOI) or -1 (reserved). */
int x86_lapic_write(struct x86_lapic *a, u32 off, u64 val)
{
	u32 v = val;

	switch (off) {
	case APIC_ID:				/* read-only in x2APIC mode */
		if (lapic_x2apic(a))
			return -1;
		lapic_set(a, APIC_ID, v & 0xff000000);
		return 1;
	case APIC_TASKPRI:
		lapic_set(a, APIC_TASKPRI, v & 0xff);
		return 1;
	case APIC_EOI:
		return lapic_eoi(a);
	case APIC_LDR:
		if (lapic_x2apic(a))
			return -1;
		lapic_set(a, APIC_LDR, v & 0xff000000);
		return 1;
	case APIC_DFR:
		if (lapic_x2apic(a))
			return -1;
		lapic_set(a, APIC_DFR, v | 0x0fffffff);
		return 1;
	case APIC_SPIV:
		lapic_set(a, APIC_SPIV, v & (a->x2apic_cpuid ? 0x13ff : 0x3ff));
		if (!(v & SVR_ENABLED)) {	/* software disable masks every LVT */
			u32 lvt;

			for (lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10)
				lapic_set(a, lvt, lapic_get(a, lvt) | LVT_MASKED);
		}
		return 1;
	case APIC_ESR:
		lapic_set(a, APIC_ESR, 0);
		return 1;
	case APIC_ICR:
		lapic_icr_write(a, v, lapic_x2apic(a) ? val >> 32 : lapic_get(a, APIC_ICR2));
		return 1;
	case APIC_ICR2:
		if (lapic_x2apic(a))
			return -1;
		lapic_set(a, APIC_ICR2, v & 0xff000000);
		return 1;
	case APIC_LVTT:
		if (!(lapic_get(a, APIC_SPIV) & SVR_ENABLED))
			v |= LVT_MASKED;
		x86_lapic_timer_set_lvtt(a, v & 0x700ff);
		return 1;
	case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0: case APIC_LVT1: case APIC_LVTERR:
	case APIC_LVTCMCI:
		if (!(lapic_get(a, APIC_SPIV) & SVR_ENABLED))
			v |= LVT_MASKED;
		lapic_set(a, off, v & (off == APIC_LVT0 || off == APIC_LVT1 ? 0x1a7ff : 0x107ff));
		return 1;
	case APIC_TMICT:
		x86_lapic_timer_count(a, v);
		return 1;
	case APIC_TDCR:
		lapic_set(a, APIC_TDCR, v & 0xb);
		return 1;
	case APIC_SELF_IPI:		/* x2APIC only */
		if (!lapic_x2apic(a))
			return -1;
		x86_lapic_raise(a, v & 0xff, false);
		return 1;
	default:
		return -1;
	}
}

/* Power-on / INIT state (SDM 11.4.7.1), given the vCPU id as APIC id. */
void x86_lapic_reset(struct x86_lapic *a, u32 id, bool bsp, bool init)
{
	u32 lvt, old_id = lapic_get(a, APIC_ID), old_ldr = lapic_get(a, APIC_LDR);

	hrtimer_cancel(&a->timer);
	memset(a->regs, 0, KVM_APIC_REG_SIZE);
	a->period_ns = 0;
	a->tsc_deadline = 0;
	if (init) {
		/* INIT keeps IA32_APIC_BASE (x2APIC mode too) and the ID, as KVM does. */
		lapic_set(a, APIC_ID, old_id);
		if (lapic_x2apic(a))
			lapic_set(a, APIC_LDR, old_ldr);
	} else {
		a->base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (bsp ? MSR_IA32_APICBASE_BSP : 0);
		lapic_set(a, APIC_ID, id << 24);
	}
	lapic_set(a, APIC_LVR, lapic_version(a));
	lapic_set(a, APIC_DFR, 0xffffffff);
	lapic_set(a, APIC_SPIV, 0xff);
	for (lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10)
		lapic_set(a, lvt, LVT_MASKED);
	lapic_set(a, APIC_LVTCMCI, LVT_MASKED);
	/*
	 * The BSP's LINT0 comes out of reset as unmasked ExtINT, so that the PIC reaches a
	 * guest that never programs its APIC (KVM's default LINT0_REENABLED quirk).
	 */
	if (bsp)
		lapic_set(a, APIC_LVT0, DM_EXTINT << 8);
}

/*
 * IA32_APIC_BASE writes (SDM 11.12.5): returns 1 for reserved bits or an illegal transition
 * (#GP). Userspace (@host) may also go from disabled straight to x2APIC, as with KVM.
 */
int x86_lapic_set_base(struct x86_lapic *a, u64 val, u32 id, bool host)
{
	bool was_x2 = lapic_x2apic(a), x2 = val & X2APIC_ENABLE;
	bool was_on = a->base & MSR_IA32_APICBASE_ENABLE;
	u64 reserved = ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0) | 0x2ff |
		       (a->x2apic_cpuid ? 0 : X2APIC_ENABLE);

	if ((val & reserved) || (x2 && !(val & MSR_IA32_APICBASE_ENABLE)))
		return 1;
	if (!host && was_x2 && !x2 && (val & MSR_IA32_APICBASE_ENABLE))
		return 1;			/* x2APIC -> xAPIC must go through disabled */
	if (!host && !was_on && x2)
		return 1;			/* disabled -> x2APIC must go through xAPIC */
	a->base = val;
	x86_lapic_mmio_update(a);
	if (!was_on && (val & MSR_IA32_APICBASE_ENABLE))	/* as KVM: the ID comes back */
		lapic_set(a, APIC_ID, id << 24);
	if (x2 && !was_x2) {			/* x2APIC ids and logical ids (SDM 11.12.10.2) */
		lapic_set(a, APIC_ID, id);
		lapic_set(a, APIC_LDR, ((id >> 4) << 16) | BIT(id & 0xf));
	}
	if (!(val & MSR_IA32_APICBASE_ENABLE))
		hrtimer_cancel(&a->timer);
	return 0;
}

/* Is the xAPIC page a hole now (x2APIC mode, or disabled in IA32_APIC_BASE)? */
bool x86_lapic_mmio_hole(struct x86_lapic *a)
{
	return lapic_x2apic(a) || !(a->base & MSR_IA32_APICBASE_ENABLE);
}

/* Enabled, xAPIC mode, base 0xfee00000: where the APIC-access page is (apic_access.c). */
bool x86_lapic_xapic_at_default_base(struct x86_lapic *a)
{
	return (a->base & ~(u64)MSR_IA32_APICBASE_BSP) ==
	       (APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE);
}

/*
 * TPR_THRESHOLD for a TPR shadow (SDM 29.1.2): the class of the highest pending vector when
 * only the TPR holds it back, so that the guest lowering CR8 below it exits and the vector
 * gets delivered; else 0. Never above VTPR[7:4], as VM entry requires.
 */
u8 x86_lapic_tpr_threshold(struct x86_lapic *a)
{
	int irr = vec_highest(a, APIC_IRR);
	u32 tpr = (lapic_get(a, APIC_TASKPRI) >> 4) & 0xf;

	return irr < 0 || (u32)irr >> 4 > tpr ? 0 : irr >> 4;
}

/* The guest's CPUID has x2APIC: LVR then offers directed EOI (as KVM's split irqchip). */
void x86_lapic_set_cpuid(struct x86_lapic *a, bool x2apic)
{
	a->x2apic_cpuid = x2apic;
	lapic_set(a, APIC_LVR, lapic_version(a));
}

/* ExtINT from the userspace PIC is accepted through LINT0 (SDM 11.5.1). */
bool x86_lapic_accepts_extint(struct x86_lapic *a)
{
	u32 lvt0;

	if (!a || !(a->base & MSR_IA32_APICBASE_ENABLE))
		return true;
	lvt0 = lapic_get(a, APIC_LVT0);
	return !(lvt0 & LVT_MASKED) && LVT_DELIVERY(lvt0) == DM_EXTINT;
}

/*
 * KVM_GET/SET_LAPIC. Without KVM_CAP_X2APIC_API (which vmxmon does not offer) an x2APIC's
 * ID travels in xAPIC format, bits 31:24, as KVM's kvm_apic_state_fixup() does it.
 */
void x86_lapic_get_state(struct x86_lapic *a, struct kvm_lapic_state *s)
{
	memcpy(s->regs, a->regs, KVM_APIC_REG_SIZE);
	*(u32 *)(s->regs + APIC_TMCCT) = x86_lapic_current_count(a);
	*(u32 *)(s->regs + APIC_PROCPRI) = lapic_ppr(a);
	if (lapic_x2apic(a))
		*(u32 *)(s->regs + APIC_ID) <<= 24;
}

void x86_lapic_set_state(struct x86_lapic *a, const struct kvm_lapic_state *s)
{
	u32 old_mode = LVT_TIMER_MODE(lapic_get(a, APIC_LVTT));

	hrtimer_cancel(&a->timer);
	memcpy(a->regs, s->regs, KVM_APIC_REG_SIZE);
	if (lapic_x2apic(a)) {			/* the ID and the LDR derived from it */
		u32 id = lapic_get(a, APIC_ID) >> 24;

		lapic_set(a, APIC_ID, id);
		lapic_set(a, APIC_LDR, ((id >> 4) << 16) | BIT(id & 0xf));
	}
	lapic_set(a, APIC_LVR, lapic_version(a));
	lapic_set(a, APIC_TMCCT, 0);
	x86_lapic_timer_restore(a, old_mode, *(const u32 *)(s->regs + APIC_TMCCT));
}

/*
 * With the split irqchip: the vCPU's APIC, on @regs_page (zeroed, from the backend, which
 * frees it after x86_lapic_free() hands it back).
 */
int x86_lapic_create(struct vmxmon_vcpu *vcpu, void *regs_page)
{
	struct x86_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->regs = regs_page;
	a->vcpu = vcpu;
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	a->timer.function = x86_lapic_timer_fire;
	x86_lapic_reset(a, vcpu->id, vcpu->id == 0, false);
	vcpu_x86(vcpu)->lapic = a;
	x86_lapic_mmio_init(a);
	return 0;
}

/* Returns the register page, for the backend to free (NULL without an APIC). */
void *x86_lapic_free(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	struct x86_lapic *a = x->lapic;
	void *regs;

	if (!a)
		return NULL;
	hrtimer_cancel(&a->timer);
	x->local_mmio.dev = NULL;
	x->lapic = NULL;
	regs = a->regs;
	kfree(a);
	return regs;
}
