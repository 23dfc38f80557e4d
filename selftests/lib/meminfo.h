/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel memory accounting for leak tests. A sample is taken after mem_settle(): RCU callbacks
 * had time to run, page cache and empty slabs are dropped and per-CPU vmstat deltas are folded
 * in. Free pages parked on the per-CPU page lists are not in MemFree/MemAvailable (up to a few
 * MiB on a small machine), so a sample adds them back from /proc/zoneinfo.
 */
#ifndef VMXMON_SELFTESTS_MEMINFO_H
#define VMXMON_SELFTESTS_MEMINFO_H

#include "harness.h"

struct mem_sample {
	long long avail_kb;		/* MemAvailable */
	long long pcp_kb;		/* free pages on per-CPU lists (zoneinfo "count:") */
	long long sunreclaim_kb;	/* SUnreclaim: unreclaimable slab */
};

/* A "Field:   123 kB" value of /proc/meminfo text; -ENOENT when absent. */
int meminfo_field(const char *text, const char *field, long long *kb);
/* Sum of the per-CPU page list counts in /proc/zoneinfo text. */
long long zoneinfo_pcp_pages(const char *text);

/* 0, or -errno when the knobs are not writable (not root). */
int mem_settle(void);
int mem_sample(struct mem_sample *m);
/* mem_settle() then mem_sample() for a test: skips it without root, fails it on errors. */
void t_mem_sample(struct test_ctx *t, struct mem_sample *m);

#endif
