/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel local APIC of the split-irqchip model (x86/lapic.c, x86/apic_timer.c,
 * x86/lapic_io.c): what the rest of vmxmon sees of it.
 */
#ifndef VMXMON_X86_LAPIC_H
#define VMXMON_X86_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/kvm.h>
#include <linux/types.h>
#include <asm/apicdef.h>

#include "x86/iobus.h"
#include "x86/x86.h"

struct x86_lapic {
	struct vmxmon_vcpu *vcpu;
	/*
	 * The xAPIC register page layout, in a page of its own that the backend allocates:
	 * with VT-x's TPR shadow it is also the virtual-APIC page, whose TPR (VTPR) the guest's
	 * MOV to/from CR8 use directly.
	 */
	u8 *regs;
	u64 base;				/* IA32_APIC_BASE */
	struct hrtimer timer;
	u64 period_ns;				/* one-shot/periodic: TMICT x divisor */
	u64 tsc_deadline;			/* IA32_TSC_DEADLINE (guest TSC), 0: disarmed */
	u64 tsc_offset;				/* the vCPU's TSC offset when it was armed */
	bool x2apic_cpuid;			/* the guest's CPUID has x2APIC */
	struct x86_io_device mmio;		/* the xAPIC page: the vCPU's own MMIO range */
};

/* x86/lapic.c */
int x86_lapic_create(struct vmxmon_vcpu *vcpu, void *regs_page);
void *x86_lapic_free(struct vmxmon_vcpu *vcpu);
void x86_lapic_reset(struct x86_lapic *a, u32 id, bool bsp, bool init);
bool x86_lapic_irr_any(struct x86_lapic *a);
int x86_lapic_deliverable(struct x86_lapic *a);
void x86_lapic_accept(struct x86_lapic *a, int vec);
int x86_lapic_msi(struct vmxmon_vcpu *any, u32 address_lo, u32 data);
int x86_lapic_read(struct x86_lapic *a, u32 off, u64 *val);
int x86_lapic_write(struct x86_lapic *a, u32 off, u64 val);
int x86_lapic_set_base(struct x86_lapic *a, u64 val, u32 id, bool host);
bool x86_lapic_xapic_at_default_base(struct x86_lapic *a);
bool x86_lapic_mmio_hole(struct x86_lapic *a);
bool x86_lapic_accepts_extint(struct x86_lapic *a);
void x86_lapic_set_cpuid(struct x86_lapic *a, bool x2apic);
u8 x86_lapic_tpr_threshold(struct x86_lapic *a);
void x86_lapic_get_state(struct x86_lapic *a, struct kvm_lapic_state *s);
void x86_lapic_set_state(struct x86_lapic *a, const struct kvm_lapic_state *s);

static inline u64 x86_lapic_get_base(struct x86_lapic *a)
{
	return a->base;
}

/* The virtual-APIC page (TPR shadow): the register page itself. */
static inline phys_addr_t x86_lapic_page(struct x86_lapic *a)
{
	return virt_to_phys(a->regs);
}

/* CR8 is TPR[7:4] (SDM Vol. 3A 10.8.6.1). */
static inline u64 x86_lapic_get_cr8(struct x86_lapic *a)
{
	return (READ_ONCE(*(u32 *)(a->regs + APIC_TASKPRI)) >> 4) & 0xf;
}

static inline void x86_lapic_set_cr8(struct x86_lapic *a, u64 cr8)
{
	WRITE_ONCE(*(u32 *)(a->regs + APIC_TASKPRI), (cr8 & 0xf) << 4);
}

/* x86/apic_timer.c */
void x86_lapic_set_tsc_deadline(struct x86_lapic *a, u64 deadline, u64 tsc_offset);
u64 x86_lapic_get_tsc_deadline(struct x86_lapic *a);

/* x86/lapic_io.c: how the guest and userspace reach it. */
int x86_lapic_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool write, bool host);
int x86_set_apic_base_host(struct vmxmon_vcpu *vcpu, u64 val);
int x86_get_lapic(struct vmxmon_vcpu *vcpu, struct kvm_lapic_state *s);
int x86_set_lapic(struct vmxmon_vcpu *vcpu, const struct kvm_lapic_state *s);
int x86_signal_msi(struct vmxmon_vm *vm, const struct kvm_msi *msi);
void x86_lapic_mmio_init(struct x86_lapic *a);
void x86_lapic_mmio_update(struct x86_lapic *a);

/* CR8: the in-kernel APIC's TPR[7:4], else a register of its own (the userspace APIC's). */
static inline u64 x86_get_cr8(struct x86_vcpu *x)
{
	return x->lapic ? x86_lapic_get_cr8(x->lapic) : x->cr8;
}

static inline void x86_set_cr8(struct x86_vcpu *x, u64 cr8)
{
	if (x->lapic)
		x86_lapic_set_cr8(x->lapic, cr8);
	else
		x->cr8 = cr8;
}

/* IA32_APIC_BASE: the in-kernel APIC's, else a register of its own. */
static inline u64 x86_get_apic_base(struct x86_vcpu *x)
{
	return x->lapic ? x86_lapic_get_base(x->lapic) : x->apic_base;
}

#endif /* VMXMON_X86_LAPIC_H */
