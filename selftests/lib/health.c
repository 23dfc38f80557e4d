// SPDX-License-Identifier: GPL-2.0
/* The host's health before and after a reliability test (see health.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "util.h"

long long pinned_pages(void)
{
	static char buf[16384];
	long long acq = -1, rel = -1;
	int err = read_file("/proc/vmstat", buf, sizeof(buf));

	if (err)
		return err;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		sscanf(line, "nr_foll_pin_acquired %lld", &acq);
		sscanf(line, "nr_foll_pin_released %lld", &rel);
	}
	return acq < 0 || rel < 0 ? -ENOENT : acq - rel;
}

void t_health_begin(struct test_ctx *t, struct health *h)
{
	t_kmsg_mark(t, &h->log);
	t_status(t, &h->st);
	t_mem_sample(t, &h->mem);
	h->pins = pinned_pages();
}

/* Kernel-log lines that mean trouble, beyond kmsg_count_trouble()'s list. */
static const char *const more_trouble[] = {
	"refcount_t", "list_del corruption", "list_add corruption", "possible circular locking",
	"inconsistent lock state", "sleeping function called from invalid context",
	"unreferenced object", "soft lockup", "hung_task", "stack-protector", "rcu_preempt detected stall",
	"Bad page", "BUG ", "vmxmon: EPT misconfiguration",
};

#define AVAIL_TOLERANCE_KB	4096	/* 100 leaked 4 MiB guests would be 400 MiB */
#define SUNRECLAIM_TOLERANCE_KB	512	/* a 64-byte object per call over 10^5 calls: 6 MiB */

void t_health_end(struct test_ctx *t, struct health *h, const char *what)
{
	static char log[1 << 17];
	struct vmxmon_status st;
	struct mem_sample m;
	const char *first;
	long long pins, avail_drop, slab_growth;
	int bad;

	t_kmsg_since(t, &h->log, log, sizeof(log));
	bad = kmsg_count_trouble(log, &first);
	for (size_t i = 0; i < ARRAY_SIZE(more_trouble); i++) {
		const char *f;

		if (count_lines_containing(log, more_trouble[i], &f)) {
			bad++;
			if (!first || f < first)
				first = f;
		}
	}
	if (bad)
		t_fail(t, __FILE__, __LINE__, "%s: the kernel log has %d suspicious line(s), first: %.*s",
		       what, bad, (int)strcspn(first, "\n"), first);
	kmsg_mark_close(&h->log);

	t_mem_sample(t, &m);
	t_status(t, &st);
	pins = pinned_pages();
	avail_drop = (h->mem.avail_kb + h->mem.pcp_kb) - (m.avail_kb + m.pcp_kb);
	slab_growth = m.sunreclaim_kb - h->mem.sunreclaim_kb;
	t_log(t, "%s: vmxmon pages %llu -> %llu, pinned pages %lld -> %lld, available memory %+lld KiB (tolerance -%d), SUnreclaim %+lld KiB (tolerance +%d)",
	      what, h->st.pages, st.pages, h->pins, pins, -avail_drop, AVAIL_TOLERANCE_KB,
	      slab_growth, SUNRECLAIM_TOLERANCE_KB);
	EXPECT_EQ(st.vms, h->st.vms);
	EXPECT_EQ(st.pages, h->st.pages);
	EXPECT_EQ(pins, h->pins);
	EXPECT_LE(avail_drop, AVAIL_TOLERANCE_KB);
	EXPECT_LE(slab_growth, SUNRECLAIM_TOLERANCE_KB);
}
