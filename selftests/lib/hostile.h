/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a guest that may do anything (random state, random code: hostile_guest,
 * guest_probe_test) to a defined end, on a bare guest (kvm_util.h), and tallying how the
 * cases ended. Kicks (lib/kick.h) end the runs of guests that spin.
 */
#ifndef VMXMON_SELFTESTS_HOSTILE_H
#define VMXMON_SELFTESTS_HOSTILE_H

#include <linux/kvm.h>

#include "harness.h"
#include "kvm_util.h"
#include "rng.h"

#define RUNS_PER_CASE	48	/* KVM_RUN calls before a case is cut off */
#define KICK_MS		3	/* a spinning guest is kicked out after this */
#define SPINS_PER_CASE	2

/* How the cases of a randomized test ended. */
struct run_tally {
	long cases, runs, spins, budget, rejected;
	long exits[KVM_EXIT_IOAPIC_EOI + 1];
};

/*
 * Run one case to a defined end, at most RUNS_PER_CASE KVM_RUNs: HLT, SHUTDOWN,
 * FAIL_ENTRY or INTERNAL_ERROR end it; IO and MMIO exits (checked: sizes, the data within
 * the mapping) get random data and go on; -EINTR from the kick timer (kick_signal_install()
 * first) counts as spinning. Another KVM_RUN error or exit reason fails the test.
 */
void run_to_end(struct test_ctx *t, struct vcpu *g, struct rng *r, struct run_tally *tl,
		const char *what, long i);
void tally_log(struct test_ctx *t, const char *what, const struct run_tally *tl);

#endif
