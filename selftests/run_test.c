// SPDX-License-Identifier: GPL-2.0
/*
 * Running guests: 64-bit C guests and real-mode code, HLT, VMCALL, CPUID, exceptions and
 * triple faults, and the two ways userspace takes a vCPU back (a signal, immediate_exit).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm.h"

#define KVM_ENOSYS_RET ((uint64_t)-1000)	/* -KVM_ENOSYS, as <linux/kvm_para.h> */

/* ---- 64-bit guests and the ucall channel ---- */

static volatile uint64_t shared_value;	/* a global: the guest sees its own copy */

static void GUEST_CODE guest_sync_values(uint64_t a, uint64_t b)
{
	GUEST_SYNC(a + b, a * b, 0x0123456789abcdefull);
	/* the host changed our copy of shared_value meanwhile */
	GUEST_SYNC(shared_value);
	shared_value = ~a;
}

TEST_KVM_IDENTICAL(long_mode_guest_exchanges_values_with_the_host)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_sync_values), 1000, 7);
	struct kvm_sregs s;
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.nargs, 3);
	EXPECT_EQ(uc.args[0], 1007);
	EXPECT_EQ(uc.args[1], 7000);
	EXPECT_EQ(uc.args[2], 0x0123456789abcdefull);

	GUEST_VAR(vcpu->vm, shared_value) = 0xfeedface;
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0xfeedface);
	vcpu_run_done(vcpu);
	EXPECT_EQ(GUEST_VAR(vcpu->vm, shared_value), ~1000ull);
	EXPECT_EQ(shared_value, 0);		/* the host's own copy is untouched */

	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.efer & 0x500, 0x500);	/* still in IA-32e mode: LME and LMA */
	EXPECT_EQ(s.cs.l, 1);
}

/* Real mode: CS base 0, code at a low address (16-bit code assembled into .rodata). */
__asm__(".pushsection .rodata\n"
	".code16\n"
	"rm_out_hlt:\n"
	"	mov $0x1234, %ax\n"
	"	out %ax, $0x80\n"
	"	hlt\n"
	"rm_out_hlt_end:\n"
	"rm_vmcall:\n"
	"	vmcall\n"
	"	hlt\n"
	"rm_vmcall_end:\n"
	".code64\n"
	".popsection\n");
extern const uint8_t rm_out_hlt[], rm_out_hlt_end[], rm_vmcall[], rm_vmcall_end[];

static struct vcpu *real_mode_vcpu(struct test_ctx *t, const uint8_t *code, const uint8_t *end)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);

	vm_load(vcpu->vm, REAL_MODE_CODE_GPA, code, end - code);
	vcpu_enter_real_mode(vcpu, REAL_MODE_CODE_GPA);
	return vcpu;
}

TEST_KVM_IDENTICAL(real_mode_guest_runs_at_a_low_address)
{
	struct vcpu *vcpu = real_mode_vcpu(t, rm_out_hlt, rm_out_hlt_end);
	struct kvm_sregs s;
	uint16_t data;

	vcpu_run_expect(vcpu, KVM_EXIT_IO);
	EXPECT_EQ(vcpu->run->io.direction, KVM_EXIT_IO_OUT);
	EXPECT_EQ(vcpu->run->io.port, 0x80);
	EXPECT_EQ(vcpu->run->io.size, 2);
	memcpy(&data, vcpu_io_data(vcpu), 2);
	EXPECT_EQ(data, 0x1234);
	vcpu_run_expect(vcpu, KVM_EXIT_HLT);
	EXPECT_EQ(vcpu_rip(vcpu), REAL_MODE_CODE_GPA + (rm_out_hlt_end - rm_out_hlt));
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.cs.base, 0);
	EXPECT_EQ(s.cr0 & 1, 0);		/* still real mode */
}

/*
 * A VM entry that fails on guest state (RFLAGS bit 15 is reserved) ends in KVM_EXIT_FAIL_ENTRY
 * with reason 0x80000021 (bit 31 | invalid guest state); once userspace fixes the state the
 * vCPU runs. The failed VMLAUNCH leaves the VMCS unlaunched (SDM Vol. 3C 27.8): entering
 * with VMRESUME instead fails with VM-instruction error 5, for good.
 */
TEST_KVM_IDENTICAL(failed_entry_then_fixed_state_enters_the_guest)
{
	struct vcpu *vcpu = real_mode_vcpu(t, rm_out_hlt, rm_out_hlt_end);
	struct kvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	regs.rflags |= 1ull << 15;
	vcpu_set_regs(vcpu, &regs);
	vcpu_run_expect(vcpu, KVM_EXIT_FAIL_ENTRY);
	EXPECT_EQ(vcpu->run->fail_entry.hardware_entry_failure_reason, 0x80000021);
	regs.rflags &= ~(1ull << 15);
	vcpu_set_regs(vcpu, &regs);
	vcpu_run_expect(vcpu, KVM_EXIT_IO);
	EXPECT_EQ(vcpu->run->io.port, 0x80);
	vcpu_run_expect(vcpu, KVM_EXIT_HLT);
}

/* ---- HLT, VMCALL ---- */

static void GUEST_CODE guest_hlt_and_report_rip(void)
{
	uint64_t after;

	__asm__ volatile("lea 1f(%%rip), %0\n\thlt\n1:" : "=r"(after) : : "memory");
	GUEST_SYNC(after);
}

TEST_KVM_IDENTICAL(hlt_exits_with_rip_after_the_hlt)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_hlt_and_report_rip), 0, 0);
	struct ucall uc;
	uint64_t rip;

	vcpu_run_expect(vcpu, KVM_EXIT_HLT);
	rip = vcpu_rip(vcpu);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(rip, uc.args[0]);
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_vmcalls(void)
{
	/* numbers KVM does not implement: 0, a large one, and 5 (KICK_CPU) above 32 bits */
	GUEST_SYNC(guest_vmcall(0), guest_vmcall(0x12345), guest_vmcall(0xdead000000000005ull));
}

/* Unknown hypercalls return -KVM_ENOSYS in RAX, as KVM does (design.md "Hypercalls"). */
TEST_KVM_IDENTICAL(vmcall_returns_minus_kvm_enosys_in_64bit_mode)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_vmcalls), 0, 0);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], KVM_ENOSYS_RET);
	EXPECT_EQ(uc.args[1], KVM_ENOSYS_RET);
	EXPECT_EQ(uc.args[2], KVM_ENOSYS_RET);
	vcpu_run_done(vcpu);
}

/* Outside 64-bit mode the result is truncated to 32 bits and zero-extended. */
TEST_KVM_IDENTICAL(real_mode_vmcall_returns_32bit_minus_kvm_enosys)
{
	struct vcpu *vcpu = real_mode_vcpu(t, rm_vmcall, rm_vmcall_end);
	struct kvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	regs.rax = 0xdeadbeef00012345ull;
	vcpu_set_regs(vcpu, &regs);
	vcpu_run_expect(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &regs);
	EXPECT_EQ(regs.rax, (uint32_t)KVM_ENOSYS_RET);
	EXPECT_EQ(regs.rip, REAL_MODE_CODE_GPA + (rm_vmcall_end - rm_vmcall));
}

/* ---- CPUID ---- */

struct cpuid_probe {
	uint32_t fn, idx;
	uint32_t r[4];			/* EAX, EBX, ECX, EDX as the guest saw them */
};

#define MAX_PROBES 128
static struct cpuid_probe cpuid_probes[MAX_PROBES];

static void GUEST_CODE guest_cpuid_probes(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		guest_cpuid(cpuid_probes[i].fn, cpuid_probes[i].idx, cpuid_probes[i].r);
}

/* Bits KVM (and vmxmon) derive from the vCPU's state rather than from the table. */
static uint32_t cpuid_dynamic_bits(uint32_t fn, uint32_t idx, int reg)
{
	if (fn == 1 && reg == 2)
		return CPUID_1_ECX_OSXSAVE;	/* follows CR4.OSXSAVE */
	if (fn == 1 && reg == 3)
		return CPUID_1_EDX_APIC;	/* follows APIC_BASE.EN */
	if (fn == 7 && idx == 0 && reg == 2)
		return 1u << 4;			/* OSPKE follows CR4.PKE */
	if (fn == 0xd && idx <= 1 && reg == 1)
		return ~0u;			/* XSAVE area size follows XCR0 */
	return 0;
}

static const char cpuid_brand[48] = "vmxmon selftest: CPUID is what userspace set";

TEST_KVM_IDENTICAL(guest_cpuid_answers_what_set_cpuid2_set)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	const struct kvm_cpuid2 *sup = vm_supported_cpuid(vcpu->vm);
	size_t size = sizeof(*sup) + sup->nent * sizeof(sup->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	struct cpuid_probe *probes;
	uint32_t n, brand = 0;

	ASSERT_TRUE(c != NULL);
	memcpy(c, sup, size);
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function >= 0x80000002 && e->function <= 0x80000004) {
			memcpy(&e->eax, cpuid_brand + (e->function - 0x80000002) * 16, 16);
			brand++;
		}
	}
	EXPECT_EQ(brand, 3);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_CPUID2, (unsigned long)c), 0);

	n = c->nent < MAX_PROBES ? c->nent : MAX_PROBES;
	vcpu_enter_long_mode(vcpu, GUEST_FN(guest_cpuid_probes), n, 0);
	probes = GUEST_VAR(vcpu->vm, cpuid_probes);
	for (uint32_t i = 0; i < n; i++) {
		probes[i].fn = c->entries[i].function;
		probes[i].idx = c->entries[i].index;
	}
	vcpu_run_done(vcpu);

	for (uint32_t i = 0; i < n; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		const uint32_t want[4] = { e->eax, e->ebx, e->ecx, e->edx };

		for (int reg = 0; reg < 4; reg++) {
			uint32_t mask = ~cpuid_dynamic_bits(e->function, e->index, reg);

			if ((probes[i].r[reg] & mask) != (want[reg] & mask))
				t_fail(t, __FILE__, __LINE__,
				       "CPUID %#x.%u %s: set %#x, guest saw %#x", e->function,
				       e->index, (const char *[]){ "eax", "ebx", "ecx", "edx" }[reg],
				       want[reg], probes[i].r[reg]);
		}
		if (e->function == 1)		/* CR4.OSXSAVE is clear in our guests */
			EXPECT_EQ(probes[i].r[2] & CPUID_1_ECX_OSXSAVE, 0);
	}
	free(c);
}

static void GUEST_CODE guest_cpuid_signature(void)
{
	uint32_t r[4];

	guest_cpuid(KVM_CPUID_SIGNATURE, 0, r);
	GUEST_SYNC(r[0], r[1], r[2], r[3]);
}

/* Linux guests look for KVM here (design.md "Hypercalls"). */
TEST_KVM_IDENTICAL(cpuid_0x40000000_carries_the_kvm_signature)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_cpuid_signature), 0, 0);
	struct ucall uc;
	uint32_t sig[3];

	vcpu_run_sync(vcpu, &uc);
	for (int i = 0; i < 3; i++)
		sig[i] = (uint32_t)uc.args[i + 1];
	EXPECT_EQ(memcmp(sig, "KVMKVMKVM\0\0\0", 12), 0);
	EXPECT_GE(uc.args[0], KVM_CPUID_FEATURES);	/* the highest hypervisor leaf */
	vcpu_run_done(vcpu);
}

/* ---- exceptions ---- */

extern const char guest_ud2_insn[];

static void GUEST_CODE guest_ud2(void)
{
	__asm__ volatile(".global guest_ud2_insn\nguest_ud2_insn: ud2");
}

/* The guest's own IDT handles its #UD: the hypervisor must deliver it, not exit. */
TEST_KVM_IDENTICAL(ud2_is_delivered_through_the_guest_idt)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_ud2), 0, 0);
	struct ucall uc;

	ASSERT_EQ(__vcpu_run(vcpu), 0);
	ASSERT_EQ(vcpu_get_ucall(vcpu, &uc), UCALL_ABORT);
	EXPECT_EQ(uc.abort_kind, ABORT_EXCEPTION);
	EXPECT_EQ(uc.args[0], 6);		/* #UD */
	EXPECT_EQ(uc.args[2], (uintptr_t)guest_ud2_insn);
}

static void GUEST_CODE guest_triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	/* #UD cannot be delivered (IDT limit 0): #GP, then #DF, then shutdown */
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty));
}

TEST_KVM_IDENTICAL(triple_fault_exits_with_shutdown)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_triple_fault), 0, 0);

	vcpu_run_expect(vcpu, KVM_EXIT_SHUTDOWN);
}

/* ---- taking the vCPU back: signals and immediate_exit ---- */

#define SPIN_LIMIT 400000000ull		/* ~10 s of Bochs: the signal never came */

#define SPIN_STARTED 1000		/* iterations before the guest says it runs */

static volatile uint64_t spin_stop, spin_started;

static void GUEST_CODE guest_spin(void)
{
	uint64_t n = 0;

	while (!GUEST_READ_ONCE(spin_stop)) {
		if (++n == SPIN_STARTED)
			spin_started = 1;
		if (n == SPIN_LIMIT)
			GUEST_ASSERT(!"no signal interrupted KVM_RUN");
	}
	GUEST_SYNC(n);
}

struct kicker {
	pthread_t target;
	volatile uint64_t *started;	/* the guest's spin_started */
	atomic_bool stop;
};

/*
 * Once the guest spins, signal the vCPU thread every 20 ms until told to stop. (Waiting for
 * the guest: on a slow host, a debug kernel, the first entry can take longer than 20 ms, and
 * a signal before it ends KVM_RUN before the guest ran at all.)
 */
static void *kicker_thread(void *arg)
{
	struct kicker *k = arg;
	const struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };

	while (!*k->started && !atomic_load(&k->stop))
		nanosleep(&ts, NULL);
	while (!atomic_load(&k->stop)) {
		nanosleep(&ts, NULL);
		pthread_kill(k->target, SIGUSR1);
	}
	return NULL;
}

static volatile sig_atomic_t signals_seen;

static void on_sigusr1(int sig)
{
	(void)sig;
	signals_seen++;
}

TEST_KVM_IDENTICAL(signal_interrupts_kvm_run_with_eintr)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_spin), 0, 0);
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */
	struct kicker k = {
		.target = pthread_self(), .started = &GUEST_VAR(vcpu->vm, spin_started),
	};
	pthread_t thread;
	struct ucall uc;
	int r;

	ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	ASSERT_EQ(pthread_create(&thread, NULL, kicker_thread, &k), 0);
	r = __vcpu_run(vcpu);
	atomic_store(&k.stop, true);
	pthread_join(thread, NULL);
	ASSERT_EQ(r, -EINTR);
	EXPECT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
	EXPECT_GT(signals_seen, 0);

	/* the guest resumes where it was and sees the host's write */
	GUEST_VAR(vcpu->vm, spin_stop) = 1;
	vcpu_run_sync(vcpu, &uc);
	EXPECT_GE(uc.args[0], SPIN_STARTED);	/* it went on from where it was */
	vcpu_run_done(vcpu);
}

static volatile uint64_t entered;

static void GUEST_CODE guest_enter(void)
{
	entered = 1;
	GUEST_SYNC(1);
}

TEST_KVM_IDENTICAL(immediate_exit_returns_eintr_without_entering)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_enter), 0, 0);
	uint32_t reason = vcpu->run->exit_reason;
	uint64_t rip = vcpu_rip(vcpu);

	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(__vcpu_run(vcpu), -EINTR);
	EXPECT_EQ(__vcpu_run(vcpu), -EINTR);	/* as often as asked */
	EXPECT_EQ(vcpu_rip(vcpu), rip);
	EXPECT_EQ(GUEST_VAR(vcpu->vm, entered), 0);
	EXPECT_EQ(vcpu->run->exit_reason, reason);	/* KVM leaves it alone */

	vcpu->run->immediate_exit = 0;
	vcpu_run_sync(vcpu, NULL);
	EXPECT_EQ(GUEST_VAR(vcpu->vm, entered), 1);
	vcpu_run_done(vcpu);
}
