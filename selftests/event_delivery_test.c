// SPDX-License-Identifier: GPL-2.0
/*
 * Events whose delivery a VM exit interrupted: an NMI, a software exception (INT3) and a
 * software interrupt (INT n) that were on their way into the guest when the exit came are
 * delivered again, once, when it resumes; KVM_GET/SET_VCPU_EVENTS report and restore them
 * as KVM does (SDM Vol. 3C "Information for VM Exits During Event Delivery").
 *
 * The exit: the handler runs on an IST stack at guest-physical memory outside every
 * memslot. vmxmon reports that as KVM_INTERNAL_ERROR_DELIVERY_EV and keeps the event until
 * userspace adds the memory; KVM 6.1 instead emulates the instruction at RIP as if it had
 * touched MMIO, so these tests are vmxmon-only (exception_test has the same exit for a #PF).
 * What KVM_GET_VCPU_EVENTS reports follows KVM's rules all the same.
 */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "vm.h"

#define IST_GVA		0x70000000ull
#define IST_GPA		0x80000000ull	/* outside slot 0 */
#define SOFT_VEC	0x41

/* Entry to the IDT-vectoring information (SDM table 25-17): valid, type, vector. */
#define INFO(type, vec)	(0x80000000u | (type) << 8 | (vec))
#define TYPE_NMI	2
#define TYPE_SOFT_INTR	4
#define TYPE_SOFT_EXC	6

static volatile uint64_t hits, hit_rip;

void GUEST_CODE delivery_handler(uint64_t rip)
{
	hits++;
	hit_rip = rip;
}
GUEST_ISR(delivery_stub, delivery_handler);

/* A guest whose handler for vector vec runs on IST1, which is not RAM until added. */
static struct vcpu *delivery_guest(struct test_ctx *t, void (*fn)(void), unsigned int vec)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(fn), 0, 0);

	vm_map(vcpu->vm, IST_GVA, IST_GPA);
	vm_set_tss_ist(vcpu->vm, 1, IST_GVA + GUEST_PAGE_SIZE);
	vm_set_idt_gate(vcpu->vm, vec, delivery_stub, 1);
	return vcpu;
}

/* Run into the delivery exit: KVM_INTERNAL_ERROR_DELIVERY_EV with the event's info. */
static void expect_delivery_exit(struct test_ctx *t, struct vcpu *vcpu, uint32_t info)
{
	const struct kvm_run *run = vcpu->run;

	vcpu_run_expect(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(run->internal.suberror, KVM_INTERNAL_ERROR_DELIVERY_EV);
	ASSERT_GE(run->internal.ndata, 2);
	EXPECT_EQ(run->internal.data[0], info);
	EXPECT_EQ(run->internal.data[1] & ~(GUEST_PAGE_SIZE - 1), IST_GPA);
}

static struct kvm_vcpu_events get_events(struct test_ctx *t, struct vcpu *vcpu)
{
	struct kvm_vcpu_events e;

	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, (unsigned long)&e), 0);
	return e;
}

static void set_events(struct test_ctx *t, struct vcpu *vcpu, const struct kvm_vcpu_events *e)
{
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, (unsigned long)e), 0);
}

static void add_ist_memory(struct test_ctx *t, struct vcpu *vcpu)
{
	void *ist = t_guest_ram(t, GUEST_PAGE_SIZE);

	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, IST_GPA, GUEST_PAGE_SIZE, ist), 0);
}

/* ---- NMI ---- */

static void GUEST_CODE guest_nmi_twice(void)
{
	GUEST_SYNC(1);				/* the host sends an NMI here */
	GUEST_SYNC(2, hits);			/* and a second one here */
	GUEST_SYNC(3, hits);
}

/*
 * An NMI whose delivery exits has begun and so left (virtual-)NMI blocking set in the saved
 * state, which VM entry refuses when it injects that NMI again (SDM "Checks on Guest
 * Non-Register State"; Bochs does not check it, real CPUs do): KVM clears it when it takes
 * the NMI back (__vmx_complete_interrupts()), and reports it as nmi.injected, not masked.
 * Restored as such, the NMI is delivered once, and its IRET lets the next one in.
 */
TEST_VMXMON_ONLY(nmi_whose_delivery_exits_is_injected_unmasked_and_delivered_once)
{
	struct vcpu *vcpu = delivery_guest(t, guest_nmi_twice, 2);
	struct kvm_vcpu_events e;
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_NMI, 0), 0);
	expect_delivery_exit(t, vcpu, INFO(TYPE_NMI, 2));
	e = get_events(t, vcpu);
	EXPECT_EQ(e.nmi.injected, 1);
	EXPECT_EQ(e.nmi.masked, 0);
	EXPECT_EQ(e.nmi.pending, 0);

	set_events(t, vcpu, &e);			/* a save/restore on the way */
	expect_delivery_exit(t, vcpu, INFO(TYPE_NMI, 2));
	e = get_events(t, vcpu);
	EXPECT_EQ(e.nmi.injected, 1);
	EXPECT_EQ(e.nmi.masked, 0);

	add_ist_memory(t, vcpu);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 2);
	EXPECT_EQ(uc.args[1], 1);			/* delivered once */
	e = get_events(t, vcpu);
	EXPECT_EQ(e.nmi.injected | e.nmi.masked | e.nmi.pending, 0);	/* its IRET unmasked */

	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_NMI, 0), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[1], 2);
	vcpu_run_done(vcpu);
}

/* ---- INT3 and INT n ---- */

extern const char int3_rip[], int3_next[], intn_rip[], intn_next[];

static void GUEST_CODE guest_int3(void)
{
	__asm__ volatile(".global int3_rip\nint3_rip: int3\n.global int3_next\nint3_next:"
			 : : : "memory");
	GUEST_SYNC(hits, hit_rip);
}

static void GUEST_CODE guest_intn(void)
{
	__asm__ volatile(".global intn_rip\nintn_rip: int $0x41\n.global intn_next\nintn_next:"
			 : : : "memory");
	GUEST_SYNC(hits, hit_rip);
}

/*
 * The exit leaves RIP on the INT3 (SDM: VM exits during delivery of a software exception
 * save the instruction's RIP) and re-injection pushes RIP + its length, as the instruction
 * would: one #BP, returning after the INT3.
 */
TEST_VMXMON_ONLY(int3_whose_delivery_exits_is_delivered_once_after_the_resume)
{
	struct vcpu *vcpu = delivery_guest(t, guest_int3, 3);
	struct ucall uc;

	expect_delivery_exit(t, vcpu, INFO(TYPE_SOFT_EXC, 3));
	EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)int3_rip);
	add_ist_memory(t, vcpu);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], (uintptr_t)int3_next);
	vcpu_run_done(vcpu);
}

/*
 * KVM_GET_VCPU_EVENTS has no instruction length for software exceptions, so KVM does not
 * report a re-injected INT3 as injected (only its number): restored that way, the guest
 * executes the INT3 again and takes one #BP. vmxmon reported it injected and re-injected
 * it as a hardware exception, whose frame points at the INT3: a second #BP after IRET.
 */
TEST_VMXMON_ONLY(int3_whose_delivery_exits_survives_get_set_vcpu_events_as_one_breakpoint)
{
	struct vcpu *vcpu = delivery_guest(t, guest_int3, 3);
	struct kvm_vcpu_events e;
	struct ucall uc;

	expect_delivery_exit(t, vcpu, INFO(TYPE_SOFT_EXC, 3));
	e = get_events(t, vcpu);
	EXPECT_EQ(e.exception.injected, 0);
	EXPECT_EQ(e.exception.nr, 3);
	EXPECT_EQ(e.interrupt.injected, 0);
	set_events(t, vcpu, &e);
	add_ist_memory(t, vcpu);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);			/* one #BP ... */
	EXPECT_EQ(uc.args[1], (uintptr_t)int3_next);	/* ... after the INT3 */
	vcpu_run_done(vcpu);
}

/* INT n alike: KVM reports interrupt.injected 0 (and soft 0) with its vector in nr. */
TEST_VMXMON_ONLY(int_n_whose_delivery_exits_survives_get_set_vcpu_events_as_one_interrupt)
{
	struct vcpu *vcpu = delivery_guest(t, guest_intn, SOFT_VEC);
	struct kvm_vcpu_events e;
	struct kvm_sregs s;
	struct ucall uc;

	expect_delivery_exit(t, vcpu, INFO(TYPE_SOFT_INTR, SOFT_VEC));
	EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)intn_rip);
	e = get_events(t, vcpu);
	EXPECT_EQ(e.interrupt.injected, 0);
	EXPECT_EQ(e.interrupt.soft, 0);
	EXPECT_EQ(e.interrupt.nr, SOFT_VEC);
	EXPECT_EQ(e.exception.injected, 0);
	vcpu_get_sregs(vcpu, &s);			/* not in interrupt_bitmap either */
	EXPECT_EQ(s.interrupt_bitmap[SOFT_VEC / 64], 0);
	vcpu_set_sregs(vcpu, &s);
	set_events(t, vcpu, &e);
	add_ist_memory(t, vcpu);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], (uintptr_t)intn_next);
	vcpu_run_done(vcpu);
}
