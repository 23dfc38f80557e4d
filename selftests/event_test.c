// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts and NMIs from userspace: KVM_INTERRUPT with the interrupt window
 * (request_interrupt_window, ready_for_interrupt_injection, if_flag), KVM_NMI and NMI
 * blocking until IRET, KVM_GET/SET_VCPU_EVENTS (an injected exception among them),
 * KVM_GET/SET_MP_STATE, KVM_GET/SET_SREGS.interrupt_bitmap, and kvm_run.cr8 as an input
 * read once. Exceptions the guest raises or the hypervisor injects, with their error codes,
 * delivery onto memory that is not there yet and RF in the pushed frame, are in
 * exception_test.c.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "util.h"
#include "vm.h"
#include "x86.h"

#define IRQ_VECTOR	0x40

static volatile uint64_t irq_count, irq_rip;
static volatile uint64_t nmi_count, nmi_rip, nmi_sync_in_handler;

void GUEST_CODE event_irq_handler(uint64_t rip)
{
	irq_count++;
	irq_rip = rip;
}
GUEST_ISR(irq_stub, event_irq_handler);

void GUEST_CODE event_nmi_handler(uint64_t rip)
{
	uint64_t n = ++nmi_count;

	nmi_rip = rip;
	if (n == 1 && nmi_sync_in_handler) {
		GUEST_SYNC(10, n);		/* the host sends a second NMI here */
		GUEST_SYNC(11, nmi_count);	/* not taken: we are still in the handler */
	}
}
GUEST_ISR(nmi_stub, event_nmi_handler);

/* A long-mode guest with the interrupt and NMI handlers installed. */
static struct vcpu *event_guest(struct test_ctx *t, void (*fn)(void))
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(fn), 0, 0);

	vm_set_idt_gate(vcpu->vm, IRQ_VECTOR, irq_stub, 0);
	vm_set_idt_gate(vcpu->vm, 2, nmi_stub, 0);
	return vcpu;
}

static long set_events(struct vcpu *vcpu, const struct kvm_vcpu_events *e)
{
	return dev_ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, (unsigned long)e);
}

static long interrupt(struct vcpu *vcpu, uint32_t irq)
{
	struct kvm_interrupt i = { .irq = irq };

	return dev_ioctl(vcpu->fd, KVM_INTERRUPT, (unsigned long)&i);
}

/* ---- interrupts and the interrupt window ---- */

extern const char window_open_rip[], if0_sti_rip[];

static void GUEST_CODE guest_irq_window(void)
{
	__asm__ volatile("cli" : : : "memory");
	GUEST_SYNC(1);
	GUEST_SYNC(2);
	/* STI blocks interrupts for one more instruction: the window opens after the NOP. */
	__asm__ volatile("sti\n\tnop\n.global window_open_rip\nwindow_open_rip:\n\tnop"
			 : : : "memory");
	GUEST_SYNC(irq_count, irq_rip);
}

TEST_KVM_IDENTICAL(interrupt_window_opens_after_sti_and_kvm_interrupt_is_delivered)
{
	struct vcpu *vcpu = event_guest(t, guest_irq_window);
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(run->if_flag, 0);
	EXPECT_EQ(run->ready_for_interrupt_injection, 0);
	run->request_interrupt_window = 1;
	vcpu_run_sync(vcpu, &uc);			/* IF=0: no window yet */
	EXPECT_EQ(uc.args[0], 2);
	EXPECT_EQ(run->if_flag, 0);
	EXPECT_EQ(run->ready_for_interrupt_injection, 0);
	vcpu_run_expect(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ(run->if_flag, 1);
	EXPECT_EQ(run->ready_for_interrupt_injection, 1);
	EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)window_open_rip);
	EXPECT_EQ(GUEST_VAR(vcpu->vm, irq_count), 0);

	ASSERT_EQ(interrupt(vcpu, IRQ_VECTOR), 0);
	run->request_interrupt_window = 0;
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);			/* delivered once ... */
	EXPECT_EQ(uc.args[1], (uintptr_t)window_open_rip);	/* ... before the next insn */
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_if0_then_sti(void)
{
	__asm__ volatile("cli" : : : "memory");
	GUEST_SYNC(1);
	GUEST_SYNC(irq_count);
	__asm__ volatile("sti\n\tnop\n.global if0_sti_rip\nif0_sti_rip:\n\tnop" : : : "memory");
	GUEST_SYNC(irq_count, irq_rip);
}

/*
 * vmxmon keeps an interrupt queued while the guest's IF is 0 and injects it when the window
 * opens. KVM without an irqchip injects it at the next entry whatever IF is, which fails VM
 * entry: userspace must wait for ready_for_interrupt_injection there. KVM also lets a second
 * KVM_INTERRUPT replace a pending one; vmxmon answers -ENXIO (include/uapi/vmxmon.h).
 */
TEST_VMXMON_ONLY(interrupt_queued_while_if_is_0_waits_for_sti_and_a_second_is_enxio)
{
	struct vcpu *vcpu = event_guest(t, guest_if0_then_sti);
	struct kvm_vcpu_events e;
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(interrupt(vcpu, IRQ_VECTOR), 0);
	EXPECT_EQ(interrupt(vcpu, IRQ_VECTOR + 1), -ENXIO);
	e = get_events(t, vcpu);
	EXPECT_EQ(e.interrupt.injected, 1);
	EXPECT_EQ(e.interrupt.nr, IRQ_VECTOR);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);			/* IF=0: still queued */
	EXPECT_EQ(vcpu->run->ready_for_interrupt_injection, 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], (uintptr_t)if0_sti_rip);
	EXPECT_EQ(get_events(t, vcpu).interrupt.injected, 0);
	vcpu_run_done(vcpu);
}

TEST_KVM_IDENTICAL(kvm_interrupt_of_vector_256_is_einval)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);

	EXPECT_EQ(interrupt(vcpu, 256), -EINVAL);
	EXPECT_EQ(interrupt(vcpu, ~0u), -EINVAL);
}

/* ---- NMIs ---- */

static void GUEST_CODE guest_nmi(void)
{
	GUEST_SYNC(1);
	GUEST_SYNC(2, nmi_count);
}

TEST_KVM_IDENTICAL(nmi_reaches_its_handler_and_a_second_waits_for_iret)
{
	struct vcpu *vcpu = event_guest(t, guest_nmi);
	struct kvm_vcpu_events e;
	struct ucall uc;

	GUEST_VAR(vcpu->vm, nmi_sync_in_handler) = 1;
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_NMI, 0), 0);
	vcpu_run_sync(vcpu, &uc);			/* in the handler */
	ASSERT_EQ(uc.args[0], 10);
	EXPECT_EQ(uc.args[1], 1);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_NMI, 0), 0);
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 11);
	EXPECT_EQ(uc.args[1], 1);			/* blocked until IRET */
	e = get_events(t, vcpu);
	EXPECT_EQ(e.nmi.pending, 1);
	EXPECT_EQ(e.nmi.masked, 1);
	vcpu_run_sync(vcpu, &uc);			/* IRET, then the second NMI */
	ASSERT_EQ(uc.args[0], 2);
	EXPECT_EQ(uc.args[1], 2);
	e = get_events(t, vcpu);
	EXPECT_EQ(e.nmi.pending, 0);
	EXPECT_EQ(e.nmi.masked, 0);
	vcpu_run_done(vcpu);
}

extern const char iret_done_rip[];

static void GUEST_CODE guest_iret_unmasks_nmis(void)
{
	GUEST_SYNC(nmi_count);
	/* An IRET to the next instruction: it ends NMI blocking (SDM Vol. 3A 6.7.1). */
	__asm__ volatile("mov %%rsp, %%rax\n\t"
			 "push %[ss]\n\tpush %%rax\n\tpushfq\n\tpush %[cs]\n\t"
			 "lea iret_done_rip(%%rip), %%rax\n\tpush %%rax\n\tiretq\n"
			 ".global iret_done_rip\niret_done_rip:"
			 : : [ss] "i"(GDT_DATA), [cs] "i"(GDT_CODE64) : "rax", "memory");
	GUEST_SYNC(nmi_count, nmi_rip);
}

TEST_KVM_IDENTICAL(nmi_set_pending_and_masked_by_set_vcpu_events_waits_for_iret)
{
	struct vcpu *vcpu = event_guest(t, guest_iret_unmasks_nmis);
	struct kvm_vcpu_events e = {
		.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW,
		.nmi = { .pending = 1, .masked = 1 },
	};
	struct ucall uc;

	ASSERT_EQ(set_events(vcpu, &e), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], (uintptr_t)iret_done_rip);
	vcpu_run_done(vcpu);
}

/* ---- KVM_GET/SET_VCPU_EVENTS, KVM_GET/SET_MP_STATE ---- */

static void GUEST_CODE guest_hlt_once(void)
{
	guest_hlt();
}

TEST_KVM_IDENTICAL(vcpu_events_round_trip_nmi_state_and_interrupt_shadow)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_hlt_once), 0, 0);
	const uint8_t shadows[] = { KVM_X86_SHADOW_INT_MOV_SS, KVM_X86_SHADOW_INT_STI, 0 };
	struct kvm_vcpu_events e = get_events(t, vcpu), got;

	EXPECT_EQ(e.flags & (KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW),
		  KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW);
	EXPECT_EQ(e.nmi.pending | e.nmi.masked | e.nmi.injected | e.interrupt.shadow, 0);
	for (size_t i = 0; i < ARRAY_SIZE(shadows); i++) {
		memset(&e, 0, sizeof(e));
		e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
		e.nmi.pending = shadows[i] != 0;
		e.nmi.masked = shadows[i] != 0;
		e.interrupt.shadow = shadows[i];
		ASSERT_EQ(set_events(vcpu, &e), 0);
		got = get_events(t, vcpu);
		EXPECT_EQ(got.nmi.pending, e.nmi.pending);
		EXPECT_EQ(got.nmi.masked, e.nmi.masked);
		EXPECT_EQ(got.interrupt.shadow, shadows[i]);
		EXPECT_EQ(got.exception.injected | got.interrupt.injected | got.nmi.injected, 0);
	}
	e.flags = 1u << 31;
	EXPECT_EQ(set_events(vcpu, &e), -EINVAL);
	e.flags = 0;
	e.exception.injected = 1;
	e.exception.nr = 32;
	EXPECT_EQ(set_events(vcpu, &e), -EINVAL);
	e.exception.nr = 2;				/* NMI is not an exception */
	EXPECT_EQ(set_events(vcpu, &e), -EINVAL);
	vcpu_run_expect(vcpu, KVM_EXIT_HLT);		/* the state is still enterable */
}

TEST_KVM_IDENTICAL(set_vcpu_events_injected_exception_reaches_the_guest_with_its_code)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_hlt_once), 0, 0);
	struct kvm_vcpu_events e = {
		.exception = { .injected = 1, .nr = 13, .has_error_code = 1, .error_code = 0x1234 },
	}, got;
	uint64_t rip = vcpu_rip(vcpu);
	struct ucall uc;

	ASSERT_EQ(set_events(vcpu, &e), 0);
	got = get_events(t, vcpu);
	EXPECT_EQ(got.exception.injected, 1);
	EXPECT_EQ(got.exception.nr, 13);
	EXPECT_EQ(got.exception.has_error_code, 1);
	EXPECT_EQ(got.exception.error_code, 0x1234);
	ASSERT_EQ(__vcpu_run(vcpu), 0);
	ASSERT_EQ(vcpu_get_ucall(vcpu, &uc), UCALL_ABORT);	/* the #GP handler reports it */
	EXPECT_EQ(uc.abort_kind, ABORT_EXCEPTION);
	EXPECT_EQ(uc.args[0], 13);
	EXPECT_EQ(uc.args[1], 0x1234);
	EXPECT_EQ(uc.args[2], rip);			/* before the first instruction */
}

TEST_KVM_IDENTICAL(mp_state_is_runnable_and_others_are_einval_without_irqchip)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_hlt_once), 0, 0);
	struct kvm_mp_state mp;

	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_MP_STATE, (unsigned long)&mp), 0);
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_MP_STATE, (unsigned long)&mp), 0);
	for (uint32_t s = KVM_MP_STATE_UNINITIALIZED; s <= KVM_MP_STATE_AP_RESET_HOLD + 1; s++) {
		struct kvm_mp_state bad = { .mp_state = s };

		if (s != KVM_MP_STATE_RUNNABLE &&
		    dev_ioctl(vcpu->fd, KVM_SET_MP_STATE, (unsigned long)&bad) != -EINVAL)
			t_fail(t, __FILE__, __LINE__, "mp_state %u accepted without an irqchip", s);
	}
	vcpu_run_expect(vcpu, KVM_EXIT_HLT);		/* HLT went to userspace ... */
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_MP_STATE, (unsigned long)&mp), 0);
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);	/* ... so the vCPU is not HALTED */
}

/* ---- KVM_GET/SET_SREGS.interrupt_bitmap and KVM_GET/SET_VCPU_EVENTS ---- */

static void GUEST_CODE guest_irq_once(void)
{
	GUEST_SYNC(irq_count);
	GUEST_SYNC(irq_count, irq_rip);
}

/*
 * KVM_GET_SREGS reports the injected interrupt in interrupt_bitmap, KVM_SET_SREGS makes the
 * lowest vector set there the injected one (KVM's __get_sregs()/__set_sregs()); a VMM that
 * saves with KVM_GET_VCPU_EVENTS and restores through both (QEMU) gets it back once.
 */
TEST_KVM_IDENTICAL(interrupt_bitmap_of_sregs_and_vcpu_events_round_trip_one_interrupt)
{
	struct vcpu *vcpu = event_guest(t, (void (*)(void))guest_irq_once);
	struct kvm_vcpu_events e;
	struct kvm_sregs s;
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);

	/* KVM_INTERRUPT (no irqchip): both report it. */
	ASSERT_EQ(interrupt(vcpu, IRQ_VECTOR), 0);
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.interrupt_bitmap[IRQ_VECTOR / 64], 1ull << (IRQ_VECTOR % 64));
	e = get_events(t, vcpu);
	EXPECT_EQ(e.interrupt.injected, 1);
	EXPECT_EQ(e.interrupt.nr, IRQ_VECTOR);

	/* Restored as QEMU does it: SREGS with the bitmap from the events, then the events. */
	memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
	s.interrupt_bitmap[IRQ_VECTOR / 64] = 1ull << (IRQ_VECTOR % 64);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&s), 0);
	ASSERT_EQ(set_events(vcpu, &e), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);			/* delivered once */
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.interrupt_bitmap[0] | s.interrupt_bitmap[1] | s.interrupt_bitmap[2] |
		  s.interrupt_bitmap[3], 0);
	EXPECT_EQ(get_events(t, vcpu).interrupt.injected, 0);
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_irq_twice(void)
{
	GUEST_SYNC(irq_count);
	GUEST_SYNC(irq_count);
}

/* Two bits: the lowest vector becomes the injected interrupt (find_first_bit in KVM). */
TEST_KVM_IDENTICAL(set_sregs_injects_the_lowest_vector_of_interrupt_bitmap)
{
	struct vcpu *vcpu = event_guest(t, (void (*)(void))guest_irq_twice);
	struct kvm_vcpu_events e;
	struct kvm_sregs s;
	struct ucall uc;

	vm_set_idt_gate(vcpu->vm, 0xa0, irq_stub, 0);
	vcpu_run_sync(vcpu, &uc);
	vcpu_get_sregs(vcpu, &s);
	s.interrupt_bitmap[0xa0 / 64] |= 1ull << (0xa0 % 64);
	s.interrupt_bitmap[IRQ_VECTOR / 64] |= 1ull << (IRQ_VECTOR % 64);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&s), 0);
	e = get_events(t, vcpu);
	EXPECT_EQ(e.interrupt.injected, 1);
	EXPECT_EQ(e.interrupt.nr, IRQ_VECTOR);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(GUEST_VAR(vcpu->vm, irq_count), 1);
	vcpu_run_done(vcpu);
}

/* ---- kvm_run.cr8 is read once ---- */

static volatile int cr8_flipper_stop;

static void *cr8_flipper(void *arg)
{
	volatile uint64_t *cr8 = arg;

	while (!cr8_flipper_stop) {
		*cr8 = 0x5;
		*cr8 = 0x100;		/* invalid: KVM_RUN must see one or the other, whole */
	}
	return NULL;
}

static void GUEST_CODE guest_cr8_loop(void)
{
	for (;;)
		GUEST_SYNC(0);
}

/*
 * Without an in-kernel APIC, kvm_run.cr8 is an input that userspace may change at any time
 * (it is shared memory). KVM_RUN checks and uses one value: -EINVAL for 0x100, CR8 5
 * otherwise, never the 0x100 it did not check. (The old code read it twice; gcc happened to
 * emit one load, so no run could show the difference: vmx/event.c now reads it with
 * READ_ONCE. This checks the contract on both devices.)
 */
TEST_KVM_IDENTICAL(kvm_run_cr8_changing_under_kvm_run_is_checked_and_used_as_one_value)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_cr8_loop), 0, 0);
	unsigned int einval = 0, ran = 0;
	struct kvm_sregs s;
	pthread_t th;

	cr8_flipper_stop = 0;
	ASSERT_EQ(pthread_create(&th, NULL, cr8_flipper, &vcpu->run->cr8), 0);
	for (int i = 0; i < 2000; i++) {
		int r = __vcpu_run(vcpu);

		if (r == -EINVAL) {
			einval++;
			continue;
		}
		if (r) {
			t_fail(t, __FILE__, __LINE__, "KVM_RUN: %d", r);
			break;
		}
		ran++;
		vcpu_get_sregs(vcpu, &s);
		if (s.cr8 > 15) {
			t_fail(t, __FILE__, __LINE__, "CR8 %#llx after KVM_RUN", s.cr8);
			break;
		}
	}
	cr8_flipper_stop = 1;
	pthread_join(th, NULL);
	t_log(t, "%u runs, %u -EINVAL", ran, einval);
	EXPECT_GT(ran, 0);
}
