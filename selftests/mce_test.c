// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's machine-check architecture (issue 20, item 1): KVM_CAP_MCE,
 * KVM_X86_GET_MCE_CAP_SUPPORTED, KVM_X86_SETUP_MCE, IA32_MCG_CAP/STATUS/CTL and the MCi_CTL/
 * STATUS/ADDR/MISC(/CTL2) banks as the guest and KVM_GET/SET_MSRS see them (KVM 6.1's
 * set_msr_mce()/get_msr_mce() rules), and KVM_X86_SET_MCE: a corrected error fills the bank,
 * an uncorrected one raises #MC in the guest, a second one while MCIP is set shuts it down.
 * Every test is KVM-identical: vmxmon offers MCG_CTL_P and MCG_SER_P, which kvm_intel
 * offers too (it adds CMCI and LMCE, which these tests do not ask for).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"
#include "vm.h"
#include "x86.h"

#define NONCANONICAL		0xaaaaaaaaaaaaaaaaull	/* kvm-unit-tests' value */

#define NBANKS			4
#define MCG_CAP_TEST		(MCG_CTL_P | MCG_SER_P | NBANKS)

static long setup_mce(struct vcpu *vcpu, uint64_t cap)
{
	return dev_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, (unsigned long)&cap);
}

static long set_mce(struct vcpu *vcpu, const struct kvm_x86_mce *m)
{
	return dev_ioctl(vcpu->fd, KVM_X86_SET_MCE, (unsigned long)m);
}

static void GUEST_CODE guest_nothing(void)
{
}

TEST_KVM_IDENTICAL(mce_capability_and_supported_mcg_cap)
{
	int fd = t_open_dev(t);
	uint64_t cap = 0;

	EXPECT_EQ(dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MCE), 32);	/* banks */
	ASSERT_EQ(dev_ioctl(fd, KVM_X86_GET_MCE_CAP_SUPPORTED, (unsigned long)&cap), 0);
	EXPECT_EQ(cap & (MCG_CTL_P | MCG_SER_P), MCG_CTL_P | MCG_SER_P);
	EXPECT_EQ(cap & 0xff, 0);			/* capabilities only, no bank count */
	close(fd);
}

TEST_KVM_IDENTICAL(setup_mce_validates_mcg_cap_and_enables_reporting)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_nothing), 0, 0);
	uint64_t v;

	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CAP, &v), 1);
	EXPECT_EQ(v, 32);			/* a new vCPU: 32 banks, no MCG_CTL_P */
	EXPECT_EQ(setup_mce(vcpu, MCG_CTL_P), -EINVAL);		/* no banks */
	EXPECT_EQ(setup_mce(vcpu, 33), -EINVAL);		/* more than KVM_CAP_MCE */
	EXPECT_EQ(setup_mce(vcpu, (1ull << 40) | 1), -EINVAL);	/* reserved bit */
	ASSERT_EQ(setup_mce(vcpu, MCG_CAP_TEST), 0);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CAP, &v), 1);
	EXPECT_EQ(v, MCG_CAP_TEST);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CTL, &v), 1);
	EXPECT_EQ(v, ~0ull);			/* reporting on everywhere (SDM 16.3.1) */
	for (int i = 0; i < NBANKS; i++) {
		ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_CTL(i), &v), 1);
		EXPECT_EQ(v, ~0ull);
		ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_STATUS(i), &v), 1);
		EXPECT_EQ(v, 0);
	}
	EXPECT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_CTL(NBANKS), &v), 0);	/* no such bank now */
	EXPECT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MCG_CAP, 2), 0);		/* read-only */
}

TEST_KVM_IDENTICAL(host_may_restore_bank_status_and_reads_mci_ctl2)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_nothing), 0, 0);
	uint64_t v;

	/* Without MCG_CTL_P the host may still write 0 to MCG_CTL, nothing else. */
	EXPECT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MCG_CTL, 0), 1);
	EXPECT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MCG_CTL, ~0ull), 0);
	ASSERT_EQ(setup_mce(vcpu, MCG_CAP_TEST), 0);
	/* Saved errors come back (migration): the host may write MCi_STATUS. */
	EXPECT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MCx_STATUS(1), MCI_STATUS_VAL | 0x1234), 1);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_STATUS(1), &v), 1);
	EXPECT_EQ(v, MCI_STATUS_VAL | 0x1234);
	EXPECT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MCG_STATUS, MCG_STATUS_RIPV), 1);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_STATUS, &v), 1);
	EXPECT_EQ(v, MCG_STATUS_RIPV);
	/* No CMCI asked for: MCi_CTL2 reads 0 and takes 0 from the host, nothing else. */
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MC0_CTL2 + 1, &v), 1);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MC0_CTL2 + 1, 0), 1);
	EXPECT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MC0_CTL2 + 1, 1), 0);
	EXPECT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MC0_CTL2 + NBANKS, &v), 0);	/* no such bank */
}

/* The guest's view: kvm-unit-tests' msr test, in our own words. */
static void GUEST_CODE guest_bank_rules(void)
{
	uint64_t v;

	GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_IA32_MCG_CAP, &v), GUEST_NO_EXCEPTION);
	GUEST_ASSERT_EQ(v, MCG_CAP_TEST);
	GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCG_CAP, 1), 13);		/* read-only */
	GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_IA32_P5_MC_ADDR, &v), GUEST_NO_EXCEPTION);
	GUEST_ASSERT_EQ(v, 0);
	/* MCG_CTL (MCG_CTL_P): 0 or all ones. */
	GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCG_CTL, 0), GUEST_NO_EXCEPTION);
	GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCG_CTL, ~0ull), GUEST_NO_EXCEPTION);
	GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCG_CTL, 1), 13);
	GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCG_STATUS, 0), GUEST_NO_EXCEPTION);
	for (int i = 0; i < NBANKS; i++) {
		/* MCi_CTL: 0 or all ones (bits 10 and 0 may be clear, as KVM allows). */
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_CTL(i), 0), GUEST_NO_EXCEPTION);
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_CTL(i), ~0ull & ~(1ull << 10)),
				GUEST_NO_EXCEPTION);
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_CTL(i), ~0ull), GUEST_NO_EXCEPTION);
		GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_IA32_MCx_CTL(i), &v), GUEST_NO_EXCEPTION);
		GUEST_ASSERT_EQ(v, ~0ull);
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_CTL(i), NONCANONICAL), 13);
		/* MCi_STATUS: software may only clear it. */
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_STATUS(i), 0), GUEST_NO_EXCEPTION);
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_STATUS(i), 1), 13);
		/* MCi_ADDR, MCi_MISC: any value. */
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_ADDR(i), NONCANONICAL),
				GUEST_NO_EXCEPTION);
		GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_IA32_MCx_ADDR(i), &v), GUEST_NO_EXCEPTION);
		GUEST_ASSERT_EQ(v, NONCANONICAL);
		GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_MISC(i), ~0ull), GUEST_NO_EXCEPTION);
		/* MCi_CTL2 needs MCG_CMCI_P. */
		GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_IA32_MC0_CTL2 + i, &v), 13);
	}
	/* Banks past MCG_CAP's count do not exist. */
	GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_IA32_MCx_CTL(NBANKS), &v), 13);
	GUEST_ASSERT_EQ(guest_wrmsr_safe(MSR_IA32_MCx_STATUS(NBANKS), 0), 13);
	GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_IA32_MCx_MISC(31), &v), 13);
}

TEST_KVM_IDENTICAL(guest_mce_msrs_follow_the_bank_rules)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_bank_rules), 0, 0);

	ASSERT_EQ(setup_mce(vcpu, MCG_CAP_TEST), 0);
	vcpu_run_done(vcpu);
}

/* ---- KVM_X86_SET_MCE ---- */

uint64_t mce_seen[5];		/* RIP, MCG_STATUS, MC1_STATUS, MC1_ADDR, MC1_MISC */
uint64_t mce_count;

void GUEST_CODE guest_mc_handler(uint64_t rip)
{
	mce_seen[0] = rip;
	guest_rdmsr_safe(MSR_IA32_MCG_STATUS, &mce_seen[1]);
	guest_rdmsr_safe(MSR_IA32_MCx_STATUS(1), &mce_seen[2]);
	guest_rdmsr_safe(MSR_IA32_MCx_ADDR(1), &mce_seen[3]);
	guest_rdmsr_safe(MSR_IA32_MCx_MISC(1), &mce_seen[4]);
	mce_count++;
}
GUEST_ISR(mc_stub, guest_mc_handler);

/* Report, then wait for #MC: each sync is a point where the host can call KVM_X86_SET_MCE. */
static void GUEST_CODE guest_wait_for_mc(void)
{
	GUEST_SYNC(0);
	GUEST_SYNC(GUEST_READ_ONCE(mce_count));
	GUEST_SYNC(GUEST_READ_ONCE(mce_count));
}

static struct vcpu *mc_guest(struct test_ctx *t, bool cr4_mce)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_wait_for_mc), 0, 0);
	struct kvm_sregs sregs;
	struct ucall uc;

	vm_set_idt_gate(vcpu->vm, X86_TRAP_MC, mc_stub, 0);
	vcpu_get_sregs(vcpu, &sregs);
	sregs.cr4 = cr4_mce ? sregs.cr4 | X86_CR4_MCE : sregs.cr4 & ~X86_CR4_MCE;
	vcpu_set_sregs(vcpu, &sregs);
	if (setup_mce(vcpu, MCG_CAP_TEST)) {
		t_fail(t, __FILE__, __LINE__, "KVM_X86_SETUP_MCE failed");
		t_abort(t);
	}
	vcpu_run_sync(vcpu, &uc);		/* the guest waits at its first sync */
	return vcpu;
}

static const struct kvm_x86_mce uc_error = {
	.status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S | 0x0135,
	.addr = 0x12345000, .misc = 0x86, .mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV,
	.bank = 1,
};

TEST_KVM_IDENTICAL(set_mce_uncorrected_fills_the_bank_and_raises_mc)
{
	struct vcpu *vcpu = mc_guest(t, true);
	uint64_t *seen = GUEST_VAR(vcpu->vm, mce_seen);
	struct ucall uc;

	ASSERT_EQ(set_mce(vcpu, &uc_error), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);		/* the handler ran once, before the guest went on */
	EXPECT_EQ(seen[1], uc_error.mcg_status);
	EXPECT_EQ(seen[2], uc_error.status);
	EXPECT_EQ(seen[3], uc_error.addr);
	EXPECT_EQ(seen[4], uc_error.misc);
}

TEST_KVM_IDENTICAL(set_mce_while_mcip_is_set_shuts_the_guest_down)
{
	struct vcpu *vcpu = mc_guest(t, true);
	struct ucall uc;
	uint64_t v;

	ASSERT_EQ(set_mce(vcpu, &uc_error), 0);
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 1);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_STATUS, &v), 1);
	EXPECT_EQ(v & MCG_STATUS_MCIP, MCG_STATUS_MCIP);	/* the handler did not clear it */
	ASSERT_EQ(set_mce(vcpu, &uc_error), 0);		/* a second #MC: shutdown (SDM 16.3.1.2) */
	vcpu_run_expect(vcpu, KVM_EXIT_SHUTDOWN);
}

TEST_KVM_IDENTICAL(set_mce_uncorrected_with_cr4_mce_clear_shuts_the_guest_down)
{
	struct vcpu *vcpu = mc_guest(t, false);

	ASSERT_EQ(set_mce(vcpu, &uc_error), 0);
	vcpu_run_expect(vcpu, KVM_EXIT_SHUTDOWN);
}

TEST_KVM_IDENTICAL(set_mce_corrected_fills_the_bank_without_mc_and_marks_overflow)
{
	struct vcpu *vcpu = mc_guest(t, true);
	struct kvm_x86_mce ce = { .status = MCI_STATUS_VAL | MCI_STATUS_EN | 0x0010,
				  .addr = 0x5000, .misc = 0x1, .bank = 1 };
	struct ucall uc;
	uint64_t v;

	ASSERT_EQ(set_mce(vcpu, &ce), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);		/* no #MC for a corrected error */
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_STATUS(1), &v), 1);
	EXPECT_EQ(v, ce.status);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_ADDR(1), &v), 1);
	EXPECT_EQ(v, ce.addr);
	ce.addr = 0x6000;
	ASSERT_EQ(set_mce(vcpu, &ce), 0);	/* the bank still holds the first one */
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_STATUS(1), &v), 1);
	EXPECT_EQ(v, ce.status | MCI_STATUS_OVER);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_ADDR(1), &v), 1);
	EXPECT_EQ(v, 0x6000);
}

TEST_KVM_IDENTICAL(set_mce_with_reporting_disabled_drops_the_error)
{
	struct vcpu *vcpu = mc_guest(t, true);
	struct ucall uc;
	uint64_t v;

	ASSERT_EQ(vcpu_set_msr(vcpu, MSR_IA32_MCx_CTL(1), 0), 1);	/* bank 1 reporting off */
	ASSERT_EQ(set_mce(vcpu, &uc_error), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCx_STATUS(1), &v), 1);
	EXPECT_EQ(v, 0);
}

TEST_KVM_IDENTICAL(set_mce_rejects_a_missing_bank_and_an_invalid_status)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_nothing), 0, 0);
	struct kvm_x86_mce m = uc_error;

	ASSERT_EQ(setup_mce(vcpu, MCG_CAP_TEST), 0);
	m.bank = NBANKS;
	EXPECT_EQ(set_mce(vcpu, &m), -EINVAL);
	m.bank = 0;
	m.status &= ~MCI_STATUS_VAL;
	EXPECT_EQ(set_mce(vcpu, &m), -EINVAL);
}

/* KVM ignores the padding; vmxmon's ABI rule makes non-zero padding -EINVAL. */
TEST_VMXMON_ONLY(set_mce_rejects_nonzero_padding)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_nothing), 0, 0);
	struct kvm_x86_mce m = uc_error;

	ASSERT_EQ(setup_mce(vcpu, MCG_CAP_TEST), 0);
	m.pad1[3] = 1;
	EXPECT_EQ(set_mce(vcpu, &m), -EINVAL);
	m.pad1[3] = 0;
	m.pad2[2] = 1;
	EXPECT_EQ(set_mce(vcpu, &m), -EINVAL);
}

TEST_KVM_IDENTICAL(msr_index_list_has_mcg_status_and_mcg_ctl)
{
	int fd = t_open_dev(t);
	struct {
		struct kvm_msr_list hdr;
		uint32_t idx[1024];
	} l = { .hdr.nmsrs = 1024 };
	bool status = false, ctl = false;

	ASSERT_EQ(dev_ioctl(fd, KVM_GET_MSR_INDEX_LIST, (unsigned long)&l), 0);
	for (uint32_t i = 0; i < l.hdr.nmsrs; i++) {
		status |= l.idx[i] == MSR_IA32_MCG_STATUS;
		ctl |= l.idx[i] == MSR_IA32_MCG_CTL;
	}
	EXPECT_TRUE(status);
	EXPECT_TRUE(ctl);
	close(fd);
}

TEST_KVM_IDENTICAL(supported_cpuid_has_mce_and_mca_as_the_host)
{
	struct vm *vm = t_vm_new(t);
	const struct kvm_cpuid_entry2 *e = cpuid_entry(vm_supported_cpuid(vm), 1, 0);
	uint32_t edx = e ? e->edx : 0;
	bool mce = false, mca = false;

	ASSERT_EQ(cpu_has_flag("mce", &mce), 0);
	ASSERT_EQ(cpu_has_flag("mca", &mca), 0);
	EXPECT_EQ(!!(edx & CPUID_1_EDX_MCE), mce);
	EXPECT_EQ(!!(edx & CPUID_1_EDX_MCA), mca);
}
