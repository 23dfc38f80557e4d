// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_GUEST_DEBUG: single-step visits each instruction of a known sequence exactly once,
 * including instructions that exit (CPUID handled in the kernel, an OUT and an MMIO store
 * completed by userspace); a software breakpoint (INT3, USE_SW_BP) and hardware breakpoints
 * (DR7: execute, data write) exit with KVM_EXIT_DEBUG where expected, with KVM's
 * kvm_debug_exit_arch contents, and the guest goes on correctly afterwards; bad arguments
 * are -EINVAL.
 *
 * The same program runs on /dev/kvm (kvm_intel) as the oracle, except where tagged
 * vmxmon-only: KVM 6.1 does not stop right after an MMIO store that userspace completes (it
 * stops one instruction later: complete_emulated_mmio(), "FIXME: return into emulator if
 * single-stepping") and accepts unknown KVM_GUESTDBG_* bits and a nonzero pad; under Bochs
 * 2.7 it reports a step after an exiting instruction twice (see below).
 *
 * Bochs has no monitor trap flag, so there vmxmon steps with RFLAGS.TF, as KVM does; the MTF
 * path (vmx/debug.c) runs only on CPUs that offer it.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mmio.h"
#include "util.h"
#include "vm.h"
#include "x86.h"

#define START_PORT	0xe8	/* the OUT before each stepped sequence: stepping starts there */
#define STEP_PORT	0xe9	/* an OUT inside the sequence */
#define DR6_ACTIVE_LOW	0xffff0ff0ull
#define DR6_BS		(1ull << 14)

/* Labels around the guest's instructions, so that the host knows their addresses. */
extern const char st0[], st1[], st2[], st3[], st4[], st5[], st6[], st6_end[];
extern const char sm0[], sm1[], sm1_end[];
extern const char sb0[], hb0[], wp0[], wp0_end[];

static volatile uint32_t watched;

static void GUEST_CODE guest_step_sequence(void)
{
	__asm__ volatile("outb %%al, %[start]\n"
			 LABEL(st0, "nop")
			 LABEL(st1, "mov $1, %%eax")
			 LABEL(st2, "xor %%ecx, %%ecx")
			 LABEL(st3, "cpuid")
			 LABEL(st4, "mov $0x5a, %%al")
			 LABEL(st5, "outb %%al, %[step]")
			 LABEL(st6, "nop")
			 : : [start] "i"(START_PORT), [step] "i"(STEP_PORT)
			 : "rax", "rbx", "rcx", "rdx", "memory");
}

static void GUEST_CODE guest_step_mmio(void)
{
	__asm__ volatile("outb %%al, %[start]\n"
			 LABEL(sm0, "movl %%eax, (%[p])")
			 LABEL(sm1, "nop")
			 : : [start] "i"(START_PORT), [p] "r"(MMIO_GVA), "a"(0x12345678)
			 : "memory");
}

static void GUEST_CODE guest_breakpoints(void)
{
	uint64_t v;

	__asm__ volatile(LABEL(sb0, "mov $0x11, %k0") "add $1, %k0" : "=r"(v));
	GUEST_SYNC(v);
	__asm__ volatile(LABEL(hb0, "mov $0x21, %k0") "add $1, %k0" : "=r"(v));
	GUEST_SYNC(v);
	__asm__ volatile(LABEL(wp0, "movl $7, %0") : "=m"(watched) : : "memory");
	GUEST_SYNC(watched);
}

static int set_guest_debug(struct vcpu *vcpu, uint32_t control, const uint64_t dr[8])
{
	struct kvm_guest_debug dbg = { .control = control };

	if (dr)
		memcpy(dbg.arch.debugreg, dr, sizeof(dbg.arch.debugreg));
	return ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) ? -errno : 0;
}

#define T_SET_GUEST_DEBUG(vcpu, control, dr) ASSERT_EQ(set_guest_debug(vcpu, control, dr), 0)

/* Run and expect KVM_EXIT_DEBUG for @exception at linear address @pc. */
static void expect_debug_at(struct test_ctx *t, struct vcpu *vcpu, uint32_t exception,
			    const void *pc, int line)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run_expect_at(vcpu, KVM_EXIT_DEBUG, __FILE__, line);
	if (run->debug.arch.exception != exception || run->debug.arch.pc != (uint64_t)pc ||
	    vcpu_rip(vcpu) != (uint64_t)pc)
		t_fail(t, __FILE__, line,
		       "debug exit: exception %u at %#llx (RIP %#lx, dr6 %#llx), expected %u at %p",
		       run->debug.arch.exception, (unsigned long long)run->debug.arch.pc,
		       (unsigned long)vcpu_rip(vcpu), (unsigned long long)run->debug.arch.dr6,
		       exception, pc);
}

/* One single-step exit at @pc: #DB with DR6.BS, RFLAGS.TF not shown to userspace. */
static void expect_step_at(struct test_ctx *t, struct vcpu *vcpu, const void *pc, int line)
{
	struct kvm_regs regs;

	expect_debug_at(t, vcpu, 1, pc, line);
	if (vcpu->run->debug.arch.dr6 != (DR6_ACTIVE_LOW | DR6_BS))
		t_fail(t, __FILE__, line, "step at %p: dr6 %#llx, expected %#llx", pc,
		       (unsigned long long)vcpu->run->debug.arch.dr6, DR6_ACTIVE_LOW | DR6_BS);
	vcpu_get_regs(vcpu, &regs);
	if (regs.rflags & X86_EFLAGS_TF)
		t_fail(t, __FILE__, line, "step at %p: KVM_GET_REGS shows the debugger's TF", pc);
}

#define EXPECT_STEP(pc) expect_step_at(t, vcpu, pc, __LINE__)

/* Run to the OUT on START_PORT, then single-step from there. */
static void start_stepping(struct test_ctx *t, struct vcpu *vcpu)
{
	vcpu_run_expect(vcpu, KVM_EXIT_IO);
	ASSERT_EQ(vcpu->run->io.port, START_PORT);
	T_SET_GUEST_DEBUG(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL);
}

TEST_KVM_IDENTICAL(single_step_stops_after_each_instruction)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_step_sequence), 0, 0);

	start_stepping(t, vcpu);
	EXPECT_STEP(st0);		/* the OUT completed by this KVM_RUN */
	EXPECT_STEP(st1);		/* NOP, executed by the guest */
	EXPECT_STEP(st2);
	EXPECT_STEP(st3);
	T_SET_GUEST_DEBUG(vcpu, 0, NULL);
	vcpu_run_expect(vcpu, KVM_EXIT_IO);	/* runs on, unstepped, to the next OUT */
	EXPECT_EQ(vcpu->run->io.port, STEP_PORT);
	vcpu_run_done(vcpu);
}

/*
 * An instruction that exits stops exactly once, right after itself. vmxmon-only in the
 * testbed: Bochs 2.7 leaves the single-step trap of an instruction that exited with TF set
 * pending in the VMCS (the SDM says the field is saved clear, Vol. 3C 28.3.4); vmxmon clears
 * it (vmx/debug.c), kvm_intel does not, so under Bochs KVM reports the RIP after CPUID and
 * after the OUT twice. On hardware both stop once.
 */
TEST_VMXMON_ONLY(single_step_stops_once_right_after_cpuid_and_an_out)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_step_sequence), 0, 0);

	start_stepping(t, vcpu);
	EXPECT_STEP(st0);
	EXPECT_STEP(st1);
	EXPECT_STEP(st2);
	EXPECT_STEP(st3);
	EXPECT_STEP(st4);		/* CPUID, handled in the kernel */
	EXPECT_STEP(st5);
	vcpu_run_expect(vcpu, KVM_EXIT_IO);	/* the OUT inside the sequence */
	EXPECT_EQ(vcpu->run->io.port, STEP_PORT);
	EXPECT_STEP(st6);		/* ... completed by the next KVM_RUN */
	EXPECT_STEP(st6_end);
	T_SET_GUEST_DEBUG(vcpu, 0, NULL);
	vcpu_run_done(vcpu);
}

/*
 * KVM 6.1 steps over the store and the NOP after it before it reports (complete_emulated_mmio
 * does not check for single-step), so this one is vmxmon-only (and the Bochs quirk above).
 */
TEST_VMXMON_ONLY(single_step_stops_right_after_an_mmio_store_completed_by_userspace)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_step_mmio), 0, 0);

	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	start_stepping(t, vcpu);
	EXPECT_STEP(sm0);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA, 4, true);
	EXPECT_EQ(mmio_data(vcpu), 0x12345678);
	EXPECT_STEP(sm1);
	EXPECT_STEP(sm1_end);
	T_SET_GUEST_DEBUG(vcpu, 0, NULL);
	vcpu_run_done(vcpu);
}

TEST_KVM_IDENTICAL(software_breakpoint_exits_on_the_int3_and_resumes_after_restore)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_breakpoints), 0, 0);
	uint8_t *code = t_vm_gva2hva(vcpu->vm, sb0, 1), orig = *code;
	struct ucall uc;

	T_SET_GUEST_DEBUG(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	*code = 0xcc;					/* INT3 over the MOV */
	expect_debug_at(t, vcpu, 3, sb0, __LINE__);	/* pc on the INT3 itself */
	*code = orig;
	vcpu_run_sync(vcpu, &uc);			/* the MOV and the ADD ran once */
	EXPECT_EQ(uc.args[0], 0x12);
	T_SET_GUEST_DEBUG(vcpu, 0, NULL);
	vcpu_run_sync(vcpu, &uc);
	vcpu_run_sync(vcpu, &uc);
	vcpu_run_done(vcpu);
}

TEST_KVM_IDENTICAL(hardware_breakpoints_exit_with_dr6_on_execute_and_data_write)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_breakpoints), 0, 0);
	uint64_t dr[8] = { 0 };
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0x12);
	/* DR0: execute at hb0 (L0, R/W0 = 00, LEN0 = 00). */
	dr[0] = (uint64_t)hb0;
	dr[7] = 0x1;
	T_SET_GUEST_DEBUG(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
	expect_debug_at(t, vcpu, 1, hb0, __LINE__);	/* a fault: before the instruction */
	EXPECT_EQ(vcpu->run->debug.arch.dr6, DR6_ACTIVE_LOW | 0x1);
	EXPECT_EQ(vcpu->run->debug.arch.dr7 & 0xff, 0x1);
	/* DR1: 4-byte data write to watched (L1, R/W1 = 01, LEN1 = 11). */
	dr[0] = 0;
	dr[1] = (uint64_t)&watched;
	dr[7] = (1ull << 2) | (1ull << 20) | (3ull << 22);
	T_SET_GUEST_DEBUG(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
	vcpu_run_sync(vcpu, &uc);			/* the execute breakpoint is gone */
	EXPECT_EQ(uc.args[0], 0x22);
	expect_debug_at(t, vcpu, 1, wp0_end, __LINE__);	/* a trap: after the store */
	EXPECT_EQ(vcpu->run->debug.arch.dr6, DR6_ACTIVE_LOW | 0x2);
	EXPECT_EQ(vcpu->run->debug.arch.dr7 & 0xff, 0x4);
	T_SET_GUEST_DEBUG(vcpu, 0, NULL);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 7);
	vcpu_run_done(vcpu);
}

/* The guest's own debug registers are its own again once the debugger lets go. */
TEST_KVM_IDENTICAL(guest_debug_registers_survive_the_debuggers_breakpoints)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_breakpoints), 0, 0);
	struct kvm_debugregs d = { 0 }, got;
	uint64_t dr[8] = { 0 };

	d.db[0] = 0x1000;
	d.db[3] = 0x4000;
	d.dr7 = 0x400 | (1ull << 6);	/* G3: armed, on an address the guest never runs */
	ASSERT_EQ(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d), 0);
	dr[0] = (uint64_t)hb0;
	dr[7] = 0x1;
	T_SET_GUEST_DEBUG(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr);
	T_SET_GUEST_DEBUG(vcpu, 0, NULL);
	ASSERT_EQ(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &got), 0);
	EXPECT_EQ(got.db[0], 0x1000);
	EXPECT_EQ(got.db[3], 0x4000);
	EXPECT_EQ(got.dr7, 0x400 | (1ull << 6));
}

/* KVM 6.1 ignores unknown control bits and the pad; vmxmon's ABI rule says -EINVAL. */
TEST_VMXMON_ONLY(set_guest_debug_rejects_unknown_flags_pad_and_high_dr7)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_breakpoints), 0, 0);
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE };
	uint64_t dr[8] = { 0 };

	EXPECT_EQ(set_guest_debug(vcpu, KVM_GUESTDBG_ENABLE | 0x4, NULL), -EINVAL);
	EXPECT_EQ(set_guest_debug(vcpu, KVM_GUESTDBG_ENABLE | 0x00200000, NULL), -EINVAL);
	dbg.pad = 1;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) ? -errno : 0, -EINVAL);
	dr[7] = 1ull << 32;
	EXPECT_EQ(set_guest_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr),
		  -EINVAL);
	EXPECT_EQ(set_guest_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
				  KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_BLOCKIRQ, NULL), 0);
	EXPECT_EQ(set_guest_debug(vcpu, 0, NULL), 0);
}
