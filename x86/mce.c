// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's machine-check architecture (SDM Vol. 3B ch. 16): IA32_MCG_CAP/STATUS/CTL and
 * the MCi_CTL/STATUS/ADDR/MISC banks as the guest and KVM_GET/SET_MSRS see them, set up by
 * KVM_X86_SETUP_MCE and filled by KVM_X86_SET_MCE, which also raises the guest's #MC. These
 * are virtual banks that nothing but userspace writes errors into; a real machine check on
 * the host is the host's business (it never lands here).
 *
 * The rules are KVM 6.1's (arch/x86/kvm/x86.c: set_msr_mce(), get_msr_mce(),
 * kvm_vcpu_ioctl_x86_setup_mce(), kvm_vcpu_ioctl_x86_set_mce()), without CMCI and LMCE:
 * KVM_X86_GET_MCE_CAP_SUPPORTED offers MCG_CTL_P and MCG_SER_P only (kvm_intel adds
 * MCG_CMCI_P and MCG_LMCE_P, which need the APIC's CMCI LVT entry and IA32_FEATURE_CONTROL).
 * Without MCG_CMCI_P the MCi_CTL2 registers read 0 for the host, take only 0 from it and
 * are #GP for the guest, as in KVM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/nospec.h>
#include <asm/mce.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "x86/x86.h"

/* IA32_MCG_CAP bits userspace may set besides the bank count and the extended count. */
#define X86_MCG_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)

/* A new vCPU has every bank and no MCG_CTL (KVM: mcg_cap = KVM_MAX_MCE_BANKS). */
void x86_mce_init(struct vmxmon_vcpu *vcpu)
{
	vcpu_x86(vcpu)->mce.mcg_cap = VMXMON_MAX_MCE_BANKS;
}

u64 x86_mce_cap_supported(void)
{
	return X86_MCG_CAP_SUPPORTED;
}

static unsigned int mce_nbanks(const struct x86_mce *m)
{
	return m->mcg_cap & MCG_BANKCNT_MASK;
}

static bool mce_bank_msr(u32 index)
{
	return index >= MSR_IA32_MC0_CTL && index < MSR_IA32_MCx_CTL(VMXMON_MAX_MCE_BANKS);
}

static bool mce_ctl2_msr(u32 index)
{
	return index >= MSR_IA32_MC0_CTL2 && index < MSR_IA32_MCx_CTL2(VMXMON_MAX_MCE_BANKS);
}

/* Is @index a machine-check MSR (whether or not this vCPU has that bank)? */
bool x86_mce_msr(u32 index)
{
	switch (index) {
	case MSR_IA32_P5_MC_ADDR:
	case MSR_IA32_P5_MC_TYPE:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_MCG_CTL:
		return true;
	}
	return mce_bank_msr(index) || mce_ctl2_msr(index);
}

/* The slot of bank MSR @index in m->banks (CTL, STATUS, ADDR, MISC per bank), or -1. */
static int mce_bank_slot(const struct x86_mce *m, u32 index)
{
	unsigned int n = 4 * mce_nbanks(m);

	if (!mce_bank_msr(index) || index - MSR_IA32_MC0_CTL >= n)
		return -1;
	return array_index_nospec(index - MSR_IA32_MC0_CTL, n);
}

/* Only for x86_mce_msr() indices. Returns 0, or 1 when the access must fail. */
int x86_mce_get_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	const struct x86_mce *m = &vcpu_x86(vcpu)->mce;
	int slot;

	switch (index) {
	case MSR_IA32_P5_MC_ADDR:
	case MSR_IA32_P5_MC_TYPE:
		*data = 0;		/* the Pentium's registers: read as 0, as KVM */
		return 0;
	case MSR_IA32_MCG_CAP:
		*data = m->mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = m->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(m->mcg_cap & MCG_CTL_P) && !host)
			return 1;
		*data = m->mcg_ctl;
		return 0;
	}
	if (mce_ctl2_msr(index)) {
		/* MCi_CTL2 exists per bank; without CMCI only the host reads it (as 0). */
		if (index - MSR_IA32_MC0_CTL2 >= mce_nbanks(m) || !host)
			return 1;
		*data = 0;
		return 0;
	}
	slot = mce_bank_slot(m, index);
	if (slot < 0)
		return 1;
	*data = m->banks[slot];
	return 0;
}

/* Only for x86_mce_msr() indices. Returns 0, or 1 when the access must fail. */
int x86_mce_set_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct x86_mce *m = &vcpu_x86(vcpu)->mce;
	int slot;

	switch (index) {
	case MSR_IA32_MCG_STATUS:
		m->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		/* Only with MCG_CTL_P (the host may write 0 regardless); 0 or all ones. */
		if (!(m->mcg_cap & MCG_CTL_P) && (data || !host))
			return 1;
		if (data && data != ~0ull)
			return 1;
		m->mcg_ctl = data;
		return 0;
	case MSR_IA32_P5_MC_ADDR:
	case MSR_IA32_P5_MC_TYPE:
	case MSR_IA32_MCG_CAP:		/* read-only: KVM_X86_SETUP_MCE sets it */
		return 1;
	}
	if (mce_ctl2_msr(index))	/* no CMCI: the host may write 0, the guest nothing */
		return index - MSR_IA32_MC0_CTL2 >= mce_nbanks(m) || data || !host;
	slot = mce_bank_slot(m, index);
	if (slot < 0)
		return 1;
	/*
	 * MCi_CTL: 0 or all ones; other values are architecturally undefined. KVM also lets
	 * bits 10 and 0 be clear with all others set (Linux's K8 GART erratum workaround clears
	 * bit 10 of MC4_CTL; UnixWare clears bit 0 of MC1_CTL): so does vmxmon.
	 */
	if (slot % 4 == 0 && data && (data | BIT_ULL(10) | BIT_ULL(0)) != ~0ull)
		return 1;
	/*
	 * MCi_STATUS: software may only clear it (SDM 16.3.2.2: writing a non-zero value
	 * raises #GP); the host restores saved errors. (AMD's HWCR.McStatusWrEn is not
	 * emulated: vmxmon runs on Intel CPUs only.)
	 */
	if (slot % 4 == 1 && data && !host)
		return 1;
	m->banks[slot] = data;
	return 0;
}

/* KVM_X86_SETUP_MCE: the bank count and capabilities the guest sees in IA32_MCG_CAP. */
int x86_setup_mce(struct vmxmon_vcpu *vcpu, u64 mcg_cap)
{
	struct x86_mce *m = &vcpu_x86(vcpu)->mce;
	unsigned int n = mcg_cap & MCG_BANKCNT_MASK, i;

	if (!n || n > VMXMON_MAX_MCE_BANKS ||
	    mcg_cap & ~(X86_MCG_CAP_SUPPORTED | MCG_BANKCNT_MASK | MCG_EXT_CNT_MASK))
		return -EINVAL;
	m->mcg_cap = mcg_cap;
	/* Reporting on: IA32_MCG_CTL (if present) and every MCi_CTL all ones (SDM 16.3.1). */
	if (mcg_cap & MCG_CTL_P)
		m->mcg_ctl = ~0ull;
	for (i = 0; i < n; i++)
		m->banks[4 * i] = ~0ull;
	return 0;
}

/*
 * A "uncorrected no action" error (SDM 16.6.3: UCNA): valid and uncorrected, but neither
 * signaled nor with the processor context corrupt, and no machine check in progress. It
 * only fills the bank (a CMCI would announce it: not emulated).
 */
static bool mce_is_ucna(const struct kvm_x86_mce *e)
{
	return !e->mcg_status && (e->status & MCI_STATUS_VAL) && (e->status & MCI_STATUS_UC) &&
	       !(e->status & (MCI_STATUS_PCC | MCI_STATUS_S | MCI_STATUS_AR));
}

/* Report an error in bank @b: OVER if the bank already held a valid one. */
static void mce_bank_log(u64 *b, const struct kvm_x86_mce *e)
{
	b[1] = e->status | (b[1] & MCI_STATUS_VAL ? MCI_STATUS_OVER : 0);
	b[2] = e->addr;
	b[3] = e->misc;
}

/*
 * KVM_X86_SET_MCE (VMCS loaded): log @e in its bank; an uncorrected error the guest has
 * enabled raises #MC on the next entry, as a CPU would (SDM 16.10). A second #MC while the
 * guest's handler runs (MCG_STATUS.MCIP), or one with CR4.MCE clear, shuts the processor
 * down (SDM 16.3.1.2): the next KVM_RUN exits with KVM_EXIT_SHUTDOWN (VMXMON_REQ_SHUTDOWN),
 * as KVM's triple fault.
 */
int x86_set_mce(struct vmxmon_vcpu *vcpu, const struct kvm_x86_mce *e)
{
	struct x86_mce *m = &vcpu_x86(vcpu)->mce;
	unsigned int n = mce_nbanks(m);
	u64 *b;

	/* KVM ignores the padding; vmxmon's ABI rule is -EINVAL for non-zero padding. */
	if (memchr_inv(e->pad1, 0, sizeof(e->pad1)) || memchr_inv(e->pad2, 0, sizeof(e->pad2)))
		return -EINVAL;
	if (e->bank >= n || !(e->status & MCI_STATUS_VAL))
		return -EINVAL;
	b = &m->banks[array_index_nospec(4 * e->bank, 4 * n)];

	if (mce_is_ucna(e)) {
		b[1] = e->status;
		b[2] = e->addr;
		b[3] = e->misc;
		m->mcg_status = e->mcg_status;
		return 0;
	}
	if (e->status & MCI_STATUS_UC) {
		/* Reporting of uncorrected errors off (IA32_MCG_CTL or MCi_CTL): dropped. */
		if ((m->mcg_cap & MCG_CTL_P) && m->mcg_ctl != ~0ull)
			return 0;
		if (b[0] != ~0ull)
			return 0;
		if ((m->mcg_status & MCG_STATUS_MCIP) || !(x86_call(get_cr4)(vcpu) & X86_CR4_MCE)) {
			set_bit(VMXMON_REQ_SHUTDOWN, &vcpu->requests);
			return 0;
		}
		mce_bank_log(b, e);
		m->mcg_status = e->mcg_status;
		x86_call(inject_exception)(vcpu, X86_TRAP_MC, false, 0);
		return 0;
	}
	/* Corrected: never overwrites an uncorrected error still in the bank. */
	if ((b[1] & (MCI_STATUS_VAL | MCI_STATUS_UC)) == (MCI_STATUS_VAL | MCI_STATUS_UC))
		b[1] |= MCI_STATUS_OVER;
	else
		mce_bank_log(b, e);
	return 0;
}
