// SPDX-License-Identifier: GPL-2.0
/* Running guests that may do anything (see hostile.h). */
#include <errno.h>
#include <string.h>

#include "hostile.h"
#include "kick.h"
#include "util.h"

/* The exits a guest may cause and a run may continue after. */
static bool exit_continues(struct test_ctx *t, struct vcpu *g, struct rng *r)
{
	struct kvm_run *run = g->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		/* The kernel's promise: the data fits in the mapping (count <= PAGE_SIZE / size). */
		EXPECT_TRUE(run->io.size == 1 || run->io.size == 2 || run->io.size == 4);
		EXPECT_LE((uint64_t)run->io.data_offset + (uint64_t)run->io.size * run->io.count,
			  (uint64_t)g->vm->run_size);
		if (run->io.direction == KVM_EXIT_IO_IN &&
		    run->io.data_offset + (uint64_t)run->io.size * run->io.count <= (uint64_t)g->vm->run_size)
			rng_fill(r, (uint8_t *)run + run->io.data_offset, run->io.size * run->io.count);
		return true;
	case KVM_EXIT_MMIO:
		EXPECT_TRUE(run->mmio.len == 1 || run->mmio.len == 2 || run->mmio.len == 4 ||
			    run->mmio.len == 8);
		if (!run->mmio.is_write)
			rng_fill(r, run->mmio.data, sizeof(run->mmio.data));
		return true;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	default:
		return false;
	}
}

void run_to_end(struct test_ctx *t, struct vcpu *g, struct rng *r, struct run_tally *tl,
		const char *what, long i)
{
	int spins = 0;

	tl->cases++;
	for (int n = 0; n < RUNS_PER_CASE; n++) {
		int rc;

		kick_timer_arm(KICK_MS);
		rc = __vcpu_run(g);
		kick_timer_disarm();
		tl->runs++;
		if (rc == -EINTR) {
			tl->spins++;
			if (++spins == SPINS_PER_CASE)
				return;
			continue;
		}
		if (rc) {
			t_fail(t, __FILE__, __LINE__, "%s case %ld: KVM_RUN failed: %s", what, i,
			       errno_name(rc) ?: strerror(-rc));
			return;
		}
		if (exit_continues(t, g, r))
			continue;
		switch (g->run->exit_reason) {
		case KVM_EXIT_HLT:
		case KVM_EXIT_SHUTDOWN:
		case KVM_EXIT_FAIL_ENTRY:
		case KVM_EXIT_INTERNAL_ERROR:
			tl->exits[g->run->exit_reason]++;
			return;
		default:
			t_fail(t, __FILE__, __LINE__, "%s case %ld: undefined exit reason %u", what,
			       i, g->run->exit_reason);
			return;
		}
	}
	tl->budget++;
}

void tally_log(struct test_ctx *t, const char *what, const struct run_tally *tl)
{
	t_log(t, "%s: %ld guests, %ld KVM_RUNs; ends: HLT %ld, SHUTDOWN %ld, FAIL_ENTRY %ld, INTERNAL_ERROR %ld, spinning %ld, still running after %d runs %ld; state refused by KVM_SET_*: %ld",
	      what, tl->cases, tl->runs, tl->exits[KVM_EXIT_HLT], tl->exits[KVM_EXIT_SHUTDOWN],
	      tl->exits[KVM_EXIT_FAIL_ENTRY], tl->exits[KVM_EXIT_INTERNAL_ERROR],
	      tl->cases - tl->budget - tl->exits[KVM_EXIT_HLT] - tl->exits[KVM_EXIT_SHUTDOWN] -
	      tl->exits[KVM_EXIT_FAIL_ENTRY] - tl->exits[KVM_EXIT_INTERNAL_ERROR],
	      RUNS_PER_CASE, tl->budget, tl->rejected);
}
