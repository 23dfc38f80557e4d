/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of kvm_run.exit_reason, for everything in userspace that prints or counts
 * exits: the launcher (its log, and query-vmxrun-stats in lower case), the selftests'
 * diagnostics ("KVM_EXIT_IO"), the reliability tests' tallies and the exit benchmark.
 * One list, so that they never drift apart: the x86 reasons of <linux/kvm.h> (6.1), without
 * the other architectures' (S390_*, PAPR, RISCV_*, ...), which an x86 VMM never sees.
 */
#ifndef VMXMON_KVM_EXIT_NAMES_H
#define VMXMON_KVM_EXIT_NAMES_H

#include <linux/kvm.h>

#define KVM_EXIT_REASONS(X)							\
	X(UNKNOWN) X(EXCEPTION) X(IO) X(HYPERCALL) X(DEBUG) X(HLT) X(MMIO)		\
	X(IRQ_WINDOW_OPEN) X(SHUTDOWN) X(FAIL_ENTRY) X(INTR) X(SET_TPR) X(TPR_ACCESS)	\
	X(NMI) X(INTERNAL_ERROR) X(SYSTEM_EVENT) X(IOAPIC_EOI) X(X86_RDMSR) X(X86_WRMSR)

/* "IO" for KVM_EXIT_IO (the name without "KVM_EXIT_"); NULL for a reason not listed above. */
static inline const char *kvm_exit_name(unsigned int reason)
{
#define KVM_EXIT_NAME_ENTRY(name) [KVM_EXIT_##name] = #name,
	static const char *const names[] = { KVM_EXIT_REASONS(KVM_EXIT_NAME_ENTRY) };
#undef KVM_EXIT_NAME_ENTRY

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : NULL;
}

#endif
