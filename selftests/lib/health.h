/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's health around a reliability test: a baseline (kernel log mark, memory sample,
 * vmxmon's debugfs pages, pinned-page counters) and the check that everything came back
 * after the test.
 */
#ifndef VMXMON_SELFTESTS_HEALTH_H
#define VMXMON_SELFTESTS_HEALTH_H

#include "harness.h"
#include "kmsg.h"
#include "meminfo.h"
#include "status.h"

struct health {
	struct kmsg_mark log;
	struct mem_sample mem;
	struct vmxmon_status st;
	long long pins;			/* nr_foll_pin_acquired - nr_foll_pin_released */
};

/* Pinned pages now (/proc/vmstat), or -errno. */
long long pinned_pages(void);
/* Baseline; call with no VM of this test alive. */
void t_health_begin(struct test_ctx *t, struct health *h);
/*
 * After the test, with its VMs closed: the kernel log has nothing that looks like a kernel
 * bug (lib/kmsg.h plus refcount, list corruption, lockdep, sleeping-in-atomic, kmemleak);
 * vmxmon holds no VM and exactly its baseline pages; pinned pages are back exactly;
 * MemAvailable and SUnreclaim are back within a tolerance. Prints the deltas.
 */
void t_health_end(struct test_ctx *t, struct health *h, const char *what);

#endif
