// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC of the split irqchip, one vCPU, taking interrupts from outside:
 * ExtINT from KVM_INTERRUPT through LINT0, KVM_SIGNAL_MSI (edge, NMI, to a software-disabled
 * APIC), level-triggered MSI routes ending in KVM_EXIT_IOAPIC_EOI; then CPUID.1:EDX.APIC
 * following IA32_APIC_BASE.EN, and NMIs sent while one is in service. The APIC's own
 * registers, x2APIC and KVM_GET/SET_LAPIC are in lapic_test.c; the recording interrupt
 * handlers both use are lib/apic_isr.c.
 */
#include <errno.h>

#include "apic_isr.h"
#include "util.h"

/* ---- ExtINT, MSIs, the IOAPIC's EOI ---- */

static long interrupt(struct vcpu *vcpu, uint32_t irq)
{
	struct kvm_interrupt i = { .irq = irq };

	return dev_ioctl(vcpu->fd, KVM_INTERRUPT, (unsigned long)&i);
}

/*
 * LINT0 decides whether the PIC's ExtINT gets in: masked, userspace is told not to inject
 * (KVM then keeps an injected one pending until its next event evaluation, so the test does
 * not inject while masked).
 */
static void GUEST_CODE guest_extint(void)
{
	xapic_enable();
	xapic_write(APIC_LVT0, APIC_LVT_MASKED | APIC_DM_EXTINT);
	GUEST_SYNC(1);
	xapic_write(APIC_LVT0, APIC_DM_EXTINT);
	GUEST_SYNC(2);					/* the host injects 0x41 */
	GUEST_SYNC(isr_n, isr_log[0], xapic_read(APIC_ISR + 0x20));
}

TEST_KVM_IDENTICAL(kvm_interrupt_is_extint_through_lint0_and_eexist_while_pending)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_extint);
	struct ucall uc;

	GUEST_VAR(vcpu->vm, isr_no_eoi) = 0x41;		/* ExtINT: not in service, no EOI */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(vcpu->run->ready_for_interrupt_injection, 0);	/* LINT0 masked */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 2);
	EXPECT_EQ(vcpu->run->ready_for_interrupt_injection, 1);
	ASSERT_EQ(interrupt(vcpu, 0x41), 0);
	EXPECT_EQ(interrupt(vcpu, 0x42), -EEXIST);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], 0x41);
	EXPECT_EQ(uc.args[2], 0);			/* ExtINT does not touch the ISR */
	EXPECT_EQ(vcpu->run->ready_for_interrupt_injection, 1);
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_msi(void)
{
	xapic_enable();
	GUEST_SYNC(1);					/* edge 0x71, NMI */
	GUEST_SYNC(isr_n, isr_log[0], nmi_n);
	isr_sync = 1;
	GUEST_SYNC(2);					/* level 0x70, twice */
	isr_sync = 0;
	GUEST_SYNC(isr_n, isr_log[1], isr_log[2]);
}

static void set_routes(struct test_ctx *t, struct vm *vm, uint32_t gsi, uint32_t data)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} rt = {
		.r.nr = 1,
		.e[0] = { .gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
			  .u.msi = { .address_lo = APIC_DEFAULT_PHYS_BASE, .data = data } },
	};

	ASSERT_EQ(dev_ioctl(vm->fd, KVM_SET_GSI_ROUTING, (unsigned long)&rt), 0);
}

TEST_KVM_IDENTICAL(msi_edge_nmi_and_level_routed_eoi_exits_to_userspace)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_msi);
	const uint32_t level = APIC_INT_LEVELTRIG | APIC_INT_ASSERT | 0x70;
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	set_routes(t, vcpu->vm, 5, level);		/* IOAPIC pin 5: level, vector 0x70 */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(vm_signal_msi(vcpu->vm, 0, 0x71), 1);
	EXPECT_EQ(vm_signal_msi(vcpu->vm, 0, APIC_DM_NMI), 1);
	vcpu_run_sync(vcpu, &uc);			/* edge: EOI stays in the kernel */
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], 0x71);
	EXPECT_EQ(uc.args[2], 1);

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(vm_signal_msi(vcpu->vm, 0, level), 1);
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 0x1070);			/* in the handler, 0x70 in service */
	EXPECT_EQ(vm_signal_msi(vcpu->vm, 0, level), 1);	/* again: into IRR */
	vcpu_run_expect(vcpu, KVM_EXIT_IOAPIC_EOI);
	EXPECT_EQ(run->eoi.vector, 0x70);
	vcpu_run_sync(vcpu, &uc);			/* the second one, after the EOI */
	ASSERT_EQ(uc.args[0], 0x1070);
	EXPECT_EQ(uc.args[1], 3);
	vcpu_run_expect(vcpu, KVM_EXIT_IOAPIC_EOI);
	EXPECT_EQ(run->eoi.vector, 0x70);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[1], 0x70);
	EXPECT_EQ(uc.args[2], 0x70);
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_msi_disabled_apic(void)
{
	GUEST_SYNC(1);					/* SVR not enabled yet */
	GUEST_SYNC(isr_n);
}

TEST_KVM_IDENTICAL(msi_to_a_software_disabled_apic_is_not_delivered)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_msi_disabled_apic);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(vm_signal_msi(vcpu->vm, 0, 0x71), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);
	vcpu_run_done(vcpu);
}

/* ---- CPUID.1:EDX.APIC and pending NMIs ---- */

static uint64_t GUEST_CODE cpuid_apic_bit(void)
{
	uint32_t r[4];

	guest_cpuid(1, 0, r);
	return (r[3] >> 9) & 1;
}

static void GUEST_CODE guest_cpuid_apic_bit(void)
{
	uint64_t base = guest_rdmsr(MSR_IA32_APICBASE), on, off;

	on = cpuid_apic_bit();
	guest_wrmsr(MSR_IA32_APICBASE, base & ~MSR_IA32_APICBASE_ENABLE);
	off = cpuid_apic_bit();
	guest_wrmsr(MSR_IA32_APICBASE, base);
	GUEST_SYNC(on, off, cpuid_apic_bit());
}

/*
 * With IA32_APIC_BASE.EN clear the processor is one without an APIC, CPUID.1:EDX.APIC
 * included (SDM 11.4.3); KVM updates the bit at run time (kvm_update_cpuid_runtime()).
 * kvm-unit-tests "apic": "apic_disable: CPUID.1H:EDX.APIC[bit 9] is clear".
 */
TEST_KVM_IDENTICAL(cpuid_apic_bit_follows_apic_base_enable)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_cpuid_apic_bit);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], 0);
	EXPECT_EQ(uc.args[2], 1);
	vcpu_run_done(vcpu);
}

#define PENDING_NMI_ROUNDS	20
#define PENDING_NMI_WAIT	20000000ull	/* TSC ticks: a bound, 0.2 s at 100 MHz */

static volatile uint64_t pn_received;

/* The first NMI of a round sends ten more to itself from its handler, NMIs blocked. */
void GUEST_CODE pending_nmi_fn(uint64_t rip)
{
	(void)rip;
	if (++pn_received == 1)
		for (int i = 0; i < 10; i++)
			xapic_icr(0, APIC_DM_NMI);
}
GUEST_ISR(pending_nmi_stub, pending_nmi_fn);

static void GUEST_CODE guest_pending_nmis(void)
{
	uint64_t round, t0;

	xapic_enable();
	for (round = 0; round < PENDING_NMI_ROUNDS; round++) {
		pn_received = 0;
		xapic_icr(0, APIC_DM_NMI);
		t0 = guest_rdtsc();
		while (pn_received < 2 && guest_rdtsc() - t0 < PENDING_NMI_WAIT)
			guest_pause();
		t0 = guest_rdtsc();			/* any third one arrives by now */
		while (guest_rdtsc() - t0 < PENDING_NMI_WAIT / 100)
			guest_pause();
		if (pn_received != 2)
			break;
	}
	GUEST_SYNC(round, pn_received);
}

/*
 * While an NMI is in service a CPU holds at most one more (SDM 6.7.1): ten NMIs sent from
 * the handler make one more delivery after its IRET, two in all (KVM's process_nmi()).
 * kvm-unit-tests "apic": "pending nmi".
 */
TEST_KVM_IDENTICAL(nmis_sent_while_an_nmi_is_in_service_leave_one_pending)
{
	static const struct apic_gate gates[] = { { 2, pending_nmi_stub } };
	struct vcpu *vcpu = t_apic_guest(t, 0, guest_pending_nmis, gates, 1);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], PENDING_NMI_ROUNDS);
	EXPECT_EQ(uc.args[1], 2);
	vcpu_run_done(vcpu);
}
