/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Asserting wrappers around the KVM binary-statistics reader (userspace/stats/kvm_stats.c,
 * the one `vmxctl stat` uses) for the tests that read a VM's or vCPU's stats fd.
 * A program that includes this links $(OBJ)/kvm_stats.o (selftests/Makefile).
 */
#ifndef SELFTESTS_T_STATS_H
#define SELFTESTS_T_STATS_H

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "kvm_stats.h"

static inline int t_stats_fd(struct test_ctx *t, int fd)
{
	int sfd = ioctl(fd, KVM_GET_STATS_FD, 0);

	if (sfd < 0)
		t_fail(t, __FILE__, __LINE__, "KVM_GET_STATS_FD: %s", strerror(errno));
	if (sfd < 0)
		t_abort(t);
	return sfd;
}

static inline void t_stats_open(struct test_ctx *t, struct kvm_stats *s, int sfd)
{
	int r = kvm_stats_open(s, sfd);

	if (r)
		t_fail(t, __FILE__, __LINE__, "stats fd %d: %s (%s)", sfd, strerror(-r),
		       kvm_stats_error());
	if (r)
		t_abort(t);
}

/* The value of @name now (the test fails if the file has no such statistic). */
static inline uint64_t stat_now(struct test_ctx *t, struct kvm_stats *s, const char *name)
{
	int i = kvm_stats_find(s, name);

	if (i < 0) {
		t_fail(t, __FILE__, __LINE__, "%s: no statistic \"%s\"", s->id, name);
		t_abort(t);
	}
	ASSERT_EQ(kvm_stats_read(s), 0);
	return kvm_stats_value(s, i);
}

#endif /* SELFTESTS_T_STATS_H */
