// SPDX-License-Identifier: GPL-2.0
/*
 * The host reclaiming demand-paged guest RAM (issue 16; demand_paging_test.c has the rest),
 * with the guest running and the launcher checking every qword:
 *  - KSM merges guest pages (none pinned) and guest and host writes break them apart again
 *    with nothing lost (where the L1 kernel has KSM);
 *  - squeezed by its cgroup's memory.max, guest RAM goes to swap and comes back exact, with
 *    the writes the guest made through the EPT (where swap and cgroup v2 are on: run_l1.sh
 *    puts a swap device on a loop file around this program).
 * The old module pinned guest RAM: KSM never merged it, and the squeezed cgroup OOM-killed
 * the test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "vm.h"

#define SLOT_GPA	0x40000000ull	/* 1 GiB: above slot 0 */

/* ---- KSM: the host merges guest pages and breaks them apart again ---- */

#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define KSM_PAGES	16
#define KSM_FILL	0x6b736d2d66696c6cull
#define KSM_HOST	0x686f73742d777269ull
#define QWORDS		(GUEST_PAGE_SIZE / 8)

/* What page @p, qword @q, holds after the guest's writes (and the launcher's to page 0). */
static uint64_t GUEST_CODE ksm_expected(uint64_t p, uint64_t q, uint64_t written)
{
	if (written && q == 0)
		return p + 1;
	if (written && p == 0 && q == 1)
		return KSM_HOST;
	return KSM_FILL;
}

static uint64_t GUEST_CODE ksm_mismatches(uint64_t base, uint64_t npages, uint64_t written)
{
	uint64_t bad = 0;

	for (uint64_t p = 0; p < npages; p++)
		for (uint64_t q = 0; q < QWORDS; q++)
			bad += *(volatile uint64_t *)(base + p * GUEST_PAGE_SIZE + q * 8) !=
			       ksm_expected(p, q, written);
	return bad;
}

/*
 * Fill the pages alike (writable EPT leaves); once they are merged, read them (the one
 * KSM page, read-only); once the launcher wrote page 0, write each page's first qword.
 */
static void GUEST_CODE guest_ksm(uint64_t base, uint64_t size)
{
	uint64_t npages = size / GUEST_PAGE_SIZE;

	for (uint64_t p = 0; p < npages; p++)
		for (uint64_t q = 0; q < QWORDS; q++)
			*(volatile uint64_t *)(base + p * GUEST_PAGE_SIZE + q * 8) = KSM_FILL;
	GUEST_SYNC(1);
	GUEST_SYNC(2, ksm_mismatches(base, npages, 0));
	for (uint64_t p = 0; p < npages; p++)
		*(volatile uint64_t *)(base + p * GUEST_PAGE_SIZE) = p + 1;
	GUEST_SYNC(3, ksm_mismatches(base, npages, 1));
}

/* A number from a file of KSM_DIR (or /proc/self), -1 if there is none. */
static long long read_number(const char *path)
{
	char buf[64];

	return read_file(path, buf, sizeof(buf)) ? -1 : atoll(buf);
}

/*
 * The guest fills KSM_PAGES pages alike; ksmd merges them into one (write-protecting each,
 * which must zap the guest's writable EPT leaves: a leaf left behind writes into the page
 * that became the shared KSM page, or into one KSM freed); the guest reads them all, the
 * launcher writes page 0 (COW: the guest's read-only leaf to the KSM page must go), and the
 * guest writes each page (COW in the guest's fault). Guest and launcher agree on every qword.
 * The old module pinned guest RAM: KSM never merged it. Needs KSM in the L1 kernel.
 */
TEST_KVM_IDENTICAL(ksm_merged_guest_pages_stay_exact_under_guest_and_host_writes)
{
	uint64_t size = KSM_PAGES * GUEST_PAGE_SIZE;
	uint64_t *hva = t_private_ram(t, size);
	long long run0 = read_number(KSM_DIR "run"), scan0 = read_number(KSM_DIR "pages_to_scan");
	long long sleep0 = read_number(KSM_DIR "sleep_millisecs"), merged = -1;
	struct vcpu *vcpu;
	struct ucall uc;
	char num[32];

	if (run0 < 0 || read_number("/proc/self/ksm_merging_pages") < 0)
		t_skip(t, "the L1 kernel has no KSM (no %srun or /proc/self/ksm_merging_pages)", KSM_DIR);
	ASSERT_EQ(madvise(hva, size, MADV_MERGEABLE), 0);
	vcpu = t_guest_over_slot(t, GUEST_FN(guest_ksm), SLOT_GPA, size, hva, GUEST_PAGE_SIZE);
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 1);
	ASSERT_EQ(write_file(KSM_DIR "pages_to_scan", "1000"), 0);
	ASSERT_EQ(write_file(KSM_DIR "sleep_millisecs", "10"), 0);
	ASSERT_EQ(write_file(KSM_DIR "run", "1"), 0);
	for (int i = 0; i < 600 && merged < KSM_PAGES; i++) {	/* 60 s (the harness allows 120) */
		usleep(100 * 1000);
		merged = read_number("/proc/self/ksm_merging_pages");
	}
	snprintf(num, sizeof(num), "%lld", run0);
	write_file(KSM_DIR "run", num);
	snprintf(num, sizeof(num), "%lld", scan0);
	write_file(KSM_DIR "pages_to_scan", num);
	snprintf(num, sizeof(num), "%lld", sleep0);
	write_file(KSM_DIR "sleep_millisecs", num);
	t_log(t, "ksmd merged %lld of %d guest pages", merged, KSM_PAGES);
	ASSERT_EQ(merged, KSM_PAGES);	/* the old module: 0 (pinned) */
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 2);
	EXPECT_EQ(uc.args[1], 0);			/* the merged pages read as filled */
	hva[1] = KSM_HOST;				/* page 0 leaves the KSM page */
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[1], 0);			/* the guest sees both writes */
	for (uint64_t p = 0; p < KSM_PAGES; p++)
		for (uint64_t q = 0; q < QWORDS; q++)
			if (hva[p * QWORDS + q] != ksm_expected(p, q, 1)) {
				t_fail(t, __FILE__, __LINE__, "page %llu qword %llu: the launcher reads %#llx, not %#llx",
				       (unsigned long long)p, (unsigned long long)q,
				       (unsigned long long)hva[p * QWORDS + q],
				       (unsigned long long)ksm_expected(p, q, 1));
				return;
			}
}

/* ---- swap ---- */

#define SWAP_RAM	(16ull << 20)
#define SWAP_MAX	"6M"		/* the cgroup's memory.max while squeezed */
#define CG_ROOT		"/sys/fs/cgroup"
#define SWAP_FILL(p, q)	(0x5a00000000000000ull | (p) << 16 | (q))

/* Fill every qword; then check them all and turn each page's first qword; then stop. */
static void GUEST_CODE guest_swap(uint64_t base, uint64_t size)
{
	uint64_t npages = size / GUEST_PAGE_SIZE, bad = 0;

	for (uint64_t p = 0; p < npages; p++)
		for (uint64_t q = 0; q < QWORDS; q++)
			*(volatile uint64_t *)(base + p * GUEST_PAGE_SIZE + q * 8) = SWAP_FILL(p, q);
	GUEST_SYNC(1);
	for (uint64_t p = 0; p < npages; p++) {
		for (uint64_t q = 0; q < QWORDS; q++)
			bad += *(volatile uint64_t *)(base + p * GUEST_PAGE_SIZE + q * 8) !=
			       SWAP_FILL(p, q);
		*(volatile uint64_t *)(base + p * GUEST_PAGE_SIZE) = ~SWAP_FILL(p, 0);
	}
	GUEST_SYNC(2, bad);
}

/* /proc/vmstat pswpout: pages written to swap so far. */
static long long swapped_out(struct test_ctx *t)
{
	static char buf[32768];
	const char *p;

	ASSERT_EQ(read_file("/proc/vmstat", buf, sizeof(buf)), 0);
	p = strstr(buf, "\npswpout ");
	ASSERT_TRUE(p != NULL);
	return atoll(p + strlen("\npswpout "));
}

/* Squeeze the cgroup to SWAP_MAX and back; the pages swapped out meanwhile. */
static long long squeeze(struct test_ctx *t, const char *cg)
{
	char path[128];
	long long before = swapped_out(t);

	snprintf(path, sizeof(path), "%s/memory.max", cg);
	ASSERT_EQ(write_file(path, SWAP_MAX), 0);
	ASSERT_EQ(write_file(path, "max"), 0);
	return swapped_out(t) - before;
}

/*
 * The launcher in a cgroup (v2) whose memory.max is squeezed below the guest's RAM, with
 * swap on (run_l1.sh puts a swap device on a loop file for this program): the guest's pages
 * go to swap, which must zap their EPT leaves first; the guest reads every qword back exact
 * (swapped in through its EPT faults) and writes one per page; squeezed again, those pages
 * go to swap once more, and the launcher reads the guest's writes back. A page swapped in
 * for a read can stay in the swap cache, clean, and be dropped at the next reclaim without
 * a write: the guest's writes through the EPT survive only if the host knows the page is
 * dirty (a write fault through the host mm, or the zap marking it, as KVM's does). Needs
 * swap and the cgroup memory controller; skips without them.
 */
TEST_KVM_IDENTICAL(swapped_out_guest_ram_comes_back_exact_with_the_guests_writes)
{
	uint64_t *hva;
	struct vcpu *vcpu;
	struct ucall uc;
	char cg[96], path[128], pid[32], swaps[512];
	long long out1, out2;

	if (read_file("/proc/swaps", swaps, sizeof(swaps)) || !strchr(swaps, '\n') ||
	    !strchr(strchr(swaps, '\n') + 1, '/'))
		t_skip(t, "no swap device on (/proc/swaps)");
	if (access(CG_ROOT "/cgroup.subtree_control", F_OK))
		t_skip(t, "no cgroup v2 hierarchy at %s", CG_ROOT);
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	snprintf(cg, sizeof(cg), CG_ROOT "/vmxmon-swap-%d", getpid());
	ASSERT_EQ(mkdir(cg, 0755), 0);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(write_file(path, pid), 0);		/* what is allocated from now on */

	hva = t_private_ram(t, SWAP_RAM);
	vcpu = t_guest_over_slot(t, GUEST_FN(guest_swap), SLOT_GPA, SWAP_RAM, hva,
				 GUEST_PAGE_SIZE);
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 1);
	out1 = squeeze(t, cg);
	vcpu_run_sync(vcpu, &uc);
	ASSERT_EQ(uc.args[0], 2);
	EXPECT_EQ(uc.args[1], 0);			/* every qword came back from swap */
	out2 = squeeze(t, cg);
	t_log(t, "pages swapped out: %lld, then %lld after the guest's writes (%llu guest pages)",
	      out1, out2, (unsigned long long)(SWAP_RAM / GUEST_PAGE_SIZE));
	EXPECT_GE(out1, (long long)(SWAP_RAM / GUEST_PAGE_SIZE / 2));
	EXPECT_GE(out2, (long long)(SWAP_RAM / GUEST_PAGE_SIZE / 2));
	for (uint64_t p = 0; p < SWAP_RAM / GUEST_PAGE_SIZE; p++)
		for (uint64_t q = 0; q < QWORDS; q++) {
			uint64_t want = q ? SWAP_FILL(p, q) : ~SWAP_FILL(p, 0);

			if (hva[p * QWORDS + q] != want) {
				t_fail(t, __FILE__, __LINE__, "page %llu qword %llu: the launcher reads %#llx, not %#llx",
				       (unsigned long long)p, (unsigned long long)q,
				       (unsigned long long)hva[p * QWORDS + q],
				       (unsigned long long)want);
				return;
			}
		}
}
