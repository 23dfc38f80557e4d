// SPDX-License-Identifier: GPL-2.0
/*
 * Several vCPUs with the in-kernel APIC, one host thread each: IPIs (fixed, lowest priority,
 * NMI; physical, logical, broadcast and the shorthands) reach exactly the vCPUs they name,
 * in xAPIC and in x2APIC mode, and wake them from HLT; INIT and SIPI start an application
 * processor at the SIPI vector (CS = vector << 8, IP = 0) through the KVM_MP_STATE_* states;
 * INIT clears the events queued before it; KVM_SET_VCPU_EVENTS sets the SIPI vector; two NMIs
 * sent at once by two vCPUs are both taken.
 */
#include <errno.h>
#include <string.h>

#include "apic.h"
#include "util.h"
#include "x86.h"

#define NCPU		4
#define VEC_TEST	0x50
#define VEC_FLUSH	0x30		/* below VEC_TEST: taken after it when both are pending */
#define WAIT_TSC	3000000000ull	/* 30 s of guest TSC at 100 MHz: only a bound */

/*
 * One IPI the BSP sends, and what must happen: the vCPUs in `mask` take VEC_TEST (or an NMI),
 * or with `one_of` exactly one of them does (lowest priority).
 */
struct ipi_case {
	const char *name;
	uint32_t icr;			/* ICR bits 31:0 */
	uint32_t dest;			/* xAPIC: 8 bits; x2APIC: 32 */
	uint8_t mask;
	enum { K_INT, K_NMI, K_ONE_OF } kind;	/* an interrupt, an NMI, lowest priority */
};

static volatile struct ipi_case cases[16];
static volatile uint64_t ncases, x2mode, ready, done_flag;
static volatile uint64_t got[NCPU], nmis[NCPU], flushes[NCPU];
static volatile uint64_t result[16][NCPU][2];	/* per case and vCPU: interrupts, NMIs */

static uint32_t GUEST_CODE my_id(void)
{
	return x2mode ? (uint32_t)guest_rdmsr(X2APIC_MSR(APIC_ID)) : xapic_read(APIC_ID) >> 24;
}

static void GUEST_CODE eoi(void)
{
	if (x2mode)
		guest_wrmsr(X2APIC_MSR(APIC_EOI), 0);
	else
		xapic_eoi();
}

void GUEST_CODE test_fn(uint64_t rip)
{
	(void)rip;
	__atomic_fetch_add(&got[my_id() % NCPU], 1, __ATOMIC_SEQ_CST);
	eoi();
}
GUEST_ISR(test_stub, test_fn);

void GUEST_CODE flush_fn(uint64_t rip)
{
	(void)rip;
	__atomic_fetch_add(&flushes[my_id() % NCPU], 1, __ATOMIC_SEQ_CST);
	eoi();
}
GUEST_ISR(flush_stub, flush_fn);

void GUEST_CODE smp_nmi_fn(uint64_t rip)
{
	(void)rip;
	__atomic_fetch_add(&nmis[my_id() % NCPU], 1, __ATOMIC_SEQ_CST);
}
GUEST_ISR(smp_nmi_stub, smp_nmi_fn);

static void GUEST_CODE send_ipi(uint32_t icr, uint32_t dest)
{
	if (x2mode)
		guest_wrmsr(X2APIC_MSR(APIC_ICR), (uint64_t)dest << 32 | icr);
	else
		xapic_icr(dest, icr);
}

static void GUEST_CODE apic_setup(uint64_t id)
{
	if (x2mode) {
		x2apic_enable();
	} else {
		xapic_enable();
		xapic_write(APIC_DFR, 0xffffffff);		/* flat logical model */
		xapic_write(APIC_LDR, 1u << (24 + id));
	}
}

static void GUEST_CODE guest_ap(uint64_t id)
{
	apic_setup(id);
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	while (!GUEST_READ_ONCE(done_flag)) {
		guest_cli();
		if (!done_flag)
			guest_sti_hlt();		/* an IPI wakes it */
		guest_sti();
	}
}

static void GUEST_CODE wait_for(volatile uint64_t *v, uint64_t n)
{
	uint64_t t0 = guest_rdtsc();

	while (__atomic_load_n(v, __ATOMIC_SEQ_CST) < n) {
		GUEST_ASSERT(guest_rdtsc() - t0 < WAIT_TSC);
		guest_pause();
	}
}

static void GUEST_CODE guest_bsp(void)
{
	apic_setup(0);
	wait_for(&ready, NCPU - 1);
	for (uint64_t i = 0; i < ncases; i++) {
		uint64_t g0[NCPU], n0[NCPU];

		for (int c = 0; c < NCPU; c++) {
			g0[c] = got[c];
			n0[c] = nmis[c];
		}
		send_ipi(cases[i].icr, cases[i].dest);
		/* A lower vector to each: when it is taken, the test IPI has been too. */
		for (int c = 0; c < NCPU; c++) {
			uint64_t f = flushes[c];

			send_ipi(VEC_FLUSH, c);
			wait_for(&flushes[c], f + 1);
		}
		for (int c = 0; c < NCPU; c++) {
			result[i][c][0] = got[c] - g0[c];
			result[i][c][1] = nmis[c] - n0[c];
		}
	}
	done_flag = 1;
	send_ipi(APIC_DEST_ALLBUT | VEC_FLUSH, 0);
}

/* One host thread per vCPU, each guest run to its end (or the timeout), then checked. */
static void run_vcpu_threads(struct test_ctx *t, struct vcpu_thread *vt, struct vcpu **vcpu,
			     unsigned int n, unsigned int timeout_ms)
{
	for (unsigned int i = 0; i < n; i++)
		vcpu_thread_start(&vt[i], vcpu[i]);
	for (unsigned int i = 0; i < n; i++)
		if (!vcpu_thread_join(&vt[i], timeout_ms))
			break;
	for (unsigned int i = 0; i < n; i++) {
		vcpu_thread_stop(&vt[i]);
		t_vcpu_thread_expect_done(t, &vt[i]);
	}
}

static void ipi_matrix(struct test_ctx *t, bool x2, const struct ipi_case *c, unsigned int n)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu_thread vt[NCPU];
	struct vcpu *vcpu[NCPU];

	vm_set_idt_gate(vm, VEC_TEST, test_stub, 0);
	vm_set_idt_gate(vm, VEC_FLUSH, flush_stub, 0);
	vm_set_idt_gate(vm, 2, smp_nmi_stub, 0);
	for (unsigned int i = 0; i < n; i++) {
		GUEST_VAR(vm, cases[i].icr) = c[i].icr;
		GUEST_VAR(vm, cases[i].dest) = c[i].dest;
	}
	GUEST_VAR(vm, ncases) = n;
	GUEST_VAR(vm, x2mode) = x2;
	for (unsigned int i = 0; i < NCPU; i++) {
		vcpu[i] = t_vcpu_add(vm, i);
		if (i) {
			ASSERT_EQ(vcpu_set_mp_state(vcpu[i], KVM_MP_STATE_RUNNABLE), 0);
			vcpu_enter_long_mode(vcpu[i], GUEST_FN(guest_ap), i, 0);
		} else {
			vcpu_enter_long_mode(vcpu[i], GUEST_FN(guest_bsp), 0, 0);
		}
	}
	run_vcpu_threads(t, vt, vcpu, NCPU, 240 * 1000);
	if (t_failed(t))
		return;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int hits = 0;

		for (unsigned int cpu = 0; cpu < NCPU; cpu++) {
			uint64_t ints = GUEST_VAR(vm, result[i][cpu][0]);
			uint64_t nmi = GUEST_VAR(vm, result[i][cpu][1]);
			bool named = c[i].mask >> cpu & 1, is_nmi = c[i].kind == K_NMI;
			uint64_t want = named && c[i].kind != K_ONE_OF;

			hits += named && ints;
			if (c[i].kind == K_ONE_OF)
				want = named ? ints : 0;	/* how many: checked below */
			if ((is_nmi ? nmi : ints) != want || (is_nmi ? ints : nmi))
				t_log(t, "%s: vCPU %u took %llu interrupts, %llu NMIs", c[i].name,
				      cpu, (unsigned long long)ints, (unsigned long long)nmi);
			EXPECT_EQ(is_nmi ? nmi : ints, want);
			EXPECT_EQ(is_nmi ? ints : nmi, 0);
		}
		if (c[i].kind == K_ONE_OF) {
			if (hits != 1)
				t_log(t, "%s: %u vCPUs took it", c[i].name, hits);
			EXPECT_EQ(hits, 1);
		}
	}
}

#define FIXED(v) (APIC_DM_FIXED | (v))

TEST_DEFINE(xapic_ipis_reach_exactly_their_destinations, TAG_KVM_IDENTICAL, 300)
{
	const struct ipi_case c[] = {
		{ "physical 2", FIXED(VEC_TEST), 2, 1 << 2, K_INT },
		{ "physical 0 (self)", FIXED(VEC_TEST), 0, 1 << 0, K_INT },
		{ "physical 7 (nobody)", FIXED(VEC_TEST), 7, 0, K_INT },
		{ "physical broadcast", FIXED(VEC_TEST), 0xff, 0xf, K_INT },
		{ "shorthand self", APIC_DEST_SELF | VEC_TEST, 3, 1 << 0, K_INT },
		{ "all including self", APIC_DEST_ALLINC | VEC_TEST, 0, 0xf, K_INT },
		{ "all excluding self", APIC_DEST_ALLBUT | VEC_TEST, 0, 0xe, K_INT },
		{ "logical 0x0a", APIC_DEST_LOGICAL | VEC_TEST, 0x0a, 0xa, K_INT },
		{ "logical broadcast", APIC_DEST_LOGICAL | VEC_TEST, 0xff, 0xf, K_INT },
		{ "NMI to 1", APIC_DM_NMI, 1, 1 << 1, K_NMI },
		{ "NMI all excluding self", APIC_DEST_ALLBUT | APIC_DM_NMI, 0, 0xe, K_NMI },
		{ "lowest priority 0x0c", APIC_DEST_LOGICAL | APIC_DM_LOWEST | VEC_TEST, 0x0c, 0xc,
		  K_ONE_OF },
	};

	ipi_matrix(t, false, c, sizeof(c) / sizeof(c[0]));
}

TEST_DEFINE(x2apic_ipis_reach_exactly_their_destinations, TAG_KVM_IDENTICAL, 300)
{
	const struct ipi_case c[] = {
		{ "physical 3", FIXED(VEC_TEST), 3, 1 << 3, K_INT },
		{ "physical 0xff (an id, not broadcast)", FIXED(VEC_TEST), 0xff, 0, K_INT },
		{ "physical broadcast", FIXED(VEC_TEST), 0xffffffff, 0xf, K_INT },
		{ "shorthand self", APIC_DEST_SELF | VEC_TEST, 3, 1 << 0, K_INT },
		{ "all excluding self", APIC_DEST_ALLBUT | VEC_TEST, 0, 0xe, K_INT },
		{ "logical cluster 0, 0x6", APIC_DEST_LOGICAL | VEC_TEST, 0x6, 0x6, K_INT },
		{ "logical cluster 1, 0x6", APIC_DEST_LOGICAL | VEC_TEST, 0x10006, 0, K_INT },
		{ "NMI to 2", APIC_DM_NMI, 2, 1 << 2, K_NMI },
	};

	ipi_matrix(t, true, c, sizeof(c) / sizeof(c[0]));
}

/* ---- two NMIs at once: neither is lost ---- */

#define NMI_ROUNDS	3000
#define NMI_GRACE_TSC	10000000ull	/* after the flush vector: only a bound */
static volatile uint64_t nmi_round, nmi_lost;

/*
 * vCPU 1: each round, an NMI to vCPU 0 while vCPU 0 sends itself one, then VEC_FLUSH. A delay
 * that changes from round to round sweeps the two sends across each other: Bochs, the
 * testbed, interleaves its CPUs deterministically, so a fixed delay would hit the same
 * instant every round.
 */
static void GUEST_CODE guest_nmi_sender(uint64_t id)
{
	apic_setup(id);
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	for (uint64_t r = 1; r <= NMI_ROUNDS; r++) {
		wait_for(&nmi_round, r);
		for (uint64_t i = (r * 37) % 4096; i; i--)
			__asm__ volatile("" : "+r"(i));
		send_ipi(APIC_DM_NMI, 0);
		send_ipi(APIC_DM_FIXED | VEC_FLUSH, 0);
	}
}

/* vCPU 0: its own NMI and vCPU 1's, sent at about the same time; both must be taken. */
static void GUEST_CODE guest_nmi_target(void)
{
	apic_setup(0);
	wait_for(&ready, 1);
	for (uint64_t r = 1; r <= NMI_ROUNDS; r++) {
		uint64_t n0 = nmis[0], f0 = flushes[0], t0;

		__atomic_store_n(&nmi_round, r, __ATOMIC_SEQ_CST);
		send_ipi(APIC_DM_NMI, 0);
		wait_for(&flushes[0], f0 + 1);	/* sent after vCPU 1's NMI */
		t0 = guest_rdtsc();
		while (GUEST_READ_ONCE(nmis[0]) < n0 + 2 && guest_rdtsc() - t0 < NMI_GRACE_TSC)
			guest_pause();
		if (nmis[0] != n0 + 2)
			nmi_lost++;
	}
}

/*
 * Two NMIs that reach a vCPU together, from two threads (its own self-NMI and another vCPU's
 * IPI), are both taken: one is delivered and one stays latched, or both queue while none is
 * in service yet (SDM Vol. 3A 6.7.1; KVM counts them atomically in nmi_queued and caps them in
 * process_nmi()). A plain read-modify-write of the pending count from both threads lost one
 * now and then (kvm-unit-tests' apic "multiple nmi" found it with 2 vCPUs).
 */
TEST_DEFINE(nmis_sent_at_once_by_two_vcpus_are_both_taken, TAG_KVM_IDENTICAL, 600)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *vcpu[2] = { t_vcpu_add(vm, 0), t_vcpu_add(vm, 1) };
	struct vcpu_thread vt[2];

	vm_set_idt_gate(vm, VEC_FLUSH, flush_stub, 0);
	vm_set_idt_gate(vm, 2, smp_nmi_stub, 0);
	ASSERT_EQ(vcpu_set_mp_state(vcpu[1], KVM_MP_STATE_RUNNABLE), 0);
	vcpu_enter_long_mode(vcpu[0], GUEST_FN(guest_nmi_target), 0, 0);
	vcpu_enter_long_mode(vcpu[1], GUEST_FN(guest_nmi_sender), 1, 0);
	run_vcpu_threads(t, vt, vcpu, 2, 500 * 1000);
	t_log(t, "%d rounds: %llu NMIs taken by vCPU 0, %llu rounds lost one", NMI_ROUNDS,
	      (unsigned long long)GUEST_VAR(vm, nmis[0]),
	      (unsigned long long)GUEST_VAR(vm, nmi_lost));
	EXPECT_EQ(GUEST_VAR(vm, nmi_lost), 0);
	EXPECT_EQ(GUEST_VAR(vm, nmis[0]), 2 * NMI_ROUNDS);
}

/* ---- INIT, SIPI and the MP states ---- */

#define SIPI_VECTOR	0x08		/* the AP starts at 0x0800:0000 = GPA 0x8000 */

static void GUEST_CODE guest_init_sipi(void)
{
	xapic_enable();
	xapic_icr(1, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
	xapic_icr(1, APIC_DM_INIT | APIC_INT_LEVELTRIG);		/* de-assert: no effect */
	GUEST_SYNC(1);
	xapic_icr(1, APIC_DM_STARTUP | SIPI_VECTOR);
	GUEST_SYNC(2);
	xapic_icr(1, APIC_DM_STARTUP | 0x09);			/* a second SIPI: ignored */
	GUEST_SYNC(3);
}

TEST_KVM_IDENTICAL(init_and_sipi_start_an_ap_at_the_sipi_vector)
{
	/* mov $0x1234, %ax; out %ax, $0x80; hlt (real mode) */
	static const uint8_t ap_code[] = { 0xb8, 0x34, 0x12, 0xe7, 0x80, 0xf4 };
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *bsp = t_vcpu_add(vm, 0), *ap = t_vcpu_add(vm, 1);
	struct kvm_sregs s;
	struct ucall uc;

	vm_load(vm, SIPI_VECTOR << 12, ap_code, sizeof(ap_code));
	vcpu_enter_long_mode(bsp, GUEST_FN(guest_init_sipi), 0, 0);
	EXPECT_EQ(vcpu_get_mp_state(bsp), KVM_MP_STATE_RUNNABLE);
	EXPECT_EQ(vcpu_get_mp_state(ap), KVM_MP_STATE_UNINITIALIZED);

	vcpu_run_sync(bsp, &uc);
	EXPECT_EQ(vcpu_get_mp_state(ap), KVM_MP_STATE_INIT_RECEIVED);
	vcpu_get_sregs(ap, &s);				/* INIT: the reset state */
	EXPECT_EQ(s.cs.selector, 0xf000);
	EXPECT_EQ(s.cs.base, 0xffff0000);
	EXPECT_EQ(vcpu_rip(ap), 0xfff0);

	vcpu_run_sync(bsp, &uc);
	EXPECT_EQ(vcpu_get_mp_state(ap), KVM_MP_STATE_RUNNABLE);
	vcpu_get_sregs(ap, &s);
	EXPECT_EQ(s.cs.selector, SIPI_VECTOR << 8);
	EXPECT_EQ(s.cs.base, SIPI_VECTOR << 12);
	EXPECT_EQ(vcpu_rip(ap), 0);
	vcpu_run_sync(bsp, &uc);			/* the second SIPI changes nothing */
	vcpu_get_sregs(ap, &s);
	EXPECT_EQ(s.cs.selector, SIPI_VECTOR << 8);

	vcpu_run_expect(ap, KVM_EXIT_IO);
	EXPECT_EQ(ap->run->io.port, 0x80);
	EXPECT_EQ(ap->run->io.size, 2);
	EXPECT_EQ(*(uint16_t *)vcpu_io_data(ap), 0x1234);	/* from CS base 0x8000 */
	vcpu_run_done(bsp);
}

/*
 * A second INIT puts a running AP back into INIT_RECEIVED. It keeps IA32_APIC_BASE, x2APIC
 * mode included, and its ID (SDM 10.4.7.3; KVM the same).
 */
static void GUEST_CODE guest_init_again(void)
{
	xapic_enable();
	xapic_icr(1, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
	GUEST_SYNC(1);
}

TEST_KVM_IDENTICAL(init_sends_a_running_ap_back_to_wait_for_sipi)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *bsp = t_vcpu_add(vm, 0), *ap = t_vcpu_add(vm, 1);
	struct ucall uc;

	const uint64_t x2 = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE;
	struct kvm_lapic_state s;
	uint64_t base = 0;

	ASSERT_EQ(vcpu_set_mp_state(ap, KVM_MP_STATE_RUNNABLE), 0);
	EXPECT_EQ(vcpu_get_mp_state(ap), KVM_MP_STATE_RUNNABLE);
	ASSERT_EQ(vcpu_set_msr(ap, MSR_IA32_APICBASE, x2), 1);
	vcpu_enter_long_mode(bsp, GUEST_FN(guest_init_again), 0, 0);
	vcpu_run_sync(bsp, &uc);
	EXPECT_EQ(vcpu_get_mp_state(ap), KVM_MP_STATE_INIT_RECEIVED);
	EXPECT_EQ(vcpu_get_msr(ap, MSR_IA32_APICBASE, &base), 1);
	EXPECT_EQ(base, x2);
	ASSERT_EQ(dev_ioctl(ap->fd, KVM_GET_LAPIC, (unsigned long)&s), 0);
	EXPECT_EQ(*(uint32_t *)(s.regs + APIC_ID), 1u << 24);
	EXPECT_EQ(*(uint32_t *)(s.regs + APIC_LDR), 1u << 1);
	EXPECT_EQ(vcpu_set_mp_state(ap, 99), -EINVAL);
	vcpu_run_done(bsp);
}

/* ---- INIT resets the event queues; the SIPI vector of KVM_SET_VCPU_EVENTS ---- */

static void GUEST_CODE guest_init_then_sipi(uint64_t vector)
{
	xapic_enable();
	xapic_icr(1, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
	xapic_icr(1, APIC_DM_STARTUP | vector);
	GUEST_SYNC(1);
}

/* mov $0x1234, %ax; out %ax, $0x80; hlt (real mode) */
static const uint8_t ap_out_code[] = { 0xb8, 0x34, 0x12, 0xe7, 0x80, 0xf4 };

/* The AP runs from its SIPI vector to its OUT of 0x1234. */
static void expect_ap_out(struct test_ctx *t, struct vcpu *ap, uint8_t vector)
{
	struct kvm_sregs s;

	EXPECT_EQ(vcpu_get_mp_state(ap), KVM_MP_STATE_RUNNABLE);
	vcpu_get_sregs(ap, &s);
	EXPECT_EQ(s.cs.selector, vector << 8);
	vcpu_run_expect(ap, KVM_EXIT_IO);
	EXPECT_EQ(ap->run->io.port, 0x80);
	EXPECT_EQ(*(uint16_t *)vcpu_io_data(ap), 0x1234);
	EXPECT_EQ(vcpu_rip(ap), 3);			/* on the OUT, from offset 0 */
}

/*
 * INIT clears what was queued for the vCPU, as KVM's kvm_vcpu_reset(init_event=true): an
 * injected exception (its error code would fail VM entry in real mode), NMIs, an injected
 * interrupt. The AP then starts clean at the SIPI vector.
 */
TEST_KVM_IDENTICAL(init_clears_queued_events_before_the_ap_starts)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *bsp = t_vcpu_add(vm, 0), *ap = t_vcpu_add(vm, 1);
	struct kvm_vcpu_events e = {
		.exception = { .injected = 1, .nr = 13, .has_error_code = 1, .error_code = 0x10 },
		.interrupt = { .injected = 1, .nr = 0x30 },
		.nmi = { .pending = 1 },
		.flags = KVM_VCPUEVENT_VALID_NMI_PENDING,
	};
	struct ucall uc;

	vm_load(vm, SIPI_VECTOR << 12, ap_out_code, sizeof(ap_out_code));
	ASSERT_EQ(dev_ioctl(ap->fd, KVM_SET_VCPU_EVENTS, (unsigned long)&e), 0);
	vcpu_enter_long_mode(bsp, GUEST_FN(guest_init_then_sipi), SIPI_VECTOR, 0);
	vcpu_run_sync(bsp, &uc);
	EXPECT_EQ(vcpu_get_mp_state(ap), KVM_MP_STATE_RUNNABLE);	/* INIT, SIPI taken */
	ASSERT_EQ(dev_ioctl(ap->fd, KVM_GET_VCPU_EVENTS, (unsigned long)&e), 0);
	EXPECT_EQ(e.exception.injected, 0);
	EXPECT_EQ(e.interrupt.injected, 0);
	EXPECT_EQ(e.nmi.injected, 0);
	EXPECT_EQ(e.nmi.pending, 0);
	expect_ap_out(t, ap, SIPI_VECTOR);
	vcpu_run_done(bsp);
}

/*
 * KVM_VCPUEVENT_VALID_SIPI_VECTOR sets the vector a SIPI not yet taken starts the AP at (a
 * restore between the SIPI and the AP's next run); KVM_GET_VCPU_EVENTS never reports it.
 */
TEST_KVM_IDENTICAL(sipi_vector_of_set_vcpu_events_is_where_a_pending_sipi_starts_the_ap)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *bsp = t_vcpu_add(vm, 0), *ap = t_vcpu_add(vm, 1);
	struct kvm_vcpu_events e;
	struct ucall uc;

	vm_load(vm, 0x0a << 12, ap_out_code, sizeof(ap_out_code));
	vcpu_enter_long_mode(bsp, GUEST_FN(guest_init_then_sipi), SIPI_VECTOR, 0);
	vcpu_run_sync(bsp, &uc);			/* INIT and SIPI 0x08 sent, not taken */
	ASSERT_EQ(dev_ioctl(ap->fd, KVM_GET_VCPU_EVENTS, (unsigned long)&e), 0);
	EXPECT_EQ(e.flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR, 0);
	EXPECT_EQ(e.sipi_vector, 0);
	e.flags |= KVM_VCPUEVENT_VALID_SIPI_VECTOR;
	e.sipi_vector = 0x0a;
	ASSERT_EQ(dev_ioctl(ap->fd, KVM_SET_VCPU_EVENTS, (unsigned long)&e), 0);
	expect_ap_out(t, ap, 0x0a);
	vcpu_run_done(bsp);
}

#define MMIO_GVA	0x70000000ull
#define MMIO_GPA	0x80000000ull	/* outside slot 0 */

static void GUEST_CODE guest_mmio_read(void)
{
	GUEST_SYNC(*(volatile uint32_t *)MMIO_GVA);
}

/*
 * An MMIO read userspace is completing when an INIT resets the vCPU: its instruction is
 * gone, the data goes nowhere and the AP starts at the SIPI vector. vmxmon-only: KVM 6.1
 * finishes the emulated instruction on the reset state (it writes the register and sets RIP
 * from the old instruction).
 */
TEST_VMXMON_ONLY(init_drops_an_mmio_read_userspace_was_completing)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *bsp = t_vcpu_add(vm, 0), *ap = t_vcpu_add(vm, 1);
	struct ucall uc;

	vm_load(vm, SIPI_VECTOR << 12, ap_out_code, sizeof(ap_out_code));
	vm_map(vm, MMIO_GVA, MMIO_GPA);
	ASSERT_EQ(vcpu_set_mp_state(ap, KVM_MP_STATE_RUNNABLE), 0);
	vcpu_enter_long_mode(ap, GUEST_FN(guest_mmio_read), 0, 0);
	vcpu_run_expect_mmio(ap, MMIO_GPA, 4, false);
	vcpu_enter_long_mode(bsp, GUEST_FN(guest_init_then_sipi), SIPI_VECTOR, 0);
	vcpu_run_sync(bsp, &uc);
	memset(ap->run->mmio.data, 0x5a, sizeof(ap->run->mmio.data));
	expect_ap_out(t, ap, SIPI_VECTOR);
	vcpu_run_done(bsp);
}
