// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the harness itself: most of these fail on purpose. harness_check.sh runs this
 * binary in several ways and checks the exact TAP it prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

TEST_HOST(passes)
{
	EXPECT_EQ(1 + 1, 2);
}

TEST_HOST(expect_reports_expected_and_actual)
{
	EXPECT_EQ(1 + 1, 3);
	EXPECT_EQ(-ENOTTY, -EINVAL);
	t_log(t, "reached after failed expects");
}

TEST_HOST(assert_ends_the_test)
{
	ASSERT_GT(1, 2);
	t_log(t, "reached after a failed assert");
}

TEST_HOST(skip_gives_a_reason)
{
	t_skip(t, "no widget here");
}

TEST_HOST(crash_is_not_ok)
{
	raise(SIGSEGV);
}

TEST_DEFINE(timeout_is_not_ok, TAG_HOST, 1)
{
	sleep(5);
}

TEST_HOST(nonzero_exit_is_not_ok)
{
	exit(3);
}

TEST_KVM_IDENTICAL(kvm_identical_runs_on_every_device)
{
	int fd = open(t->dev, O_RDWR);

	EXPECT_GE(fd, 0);
	close(fd);
}

TEST_VMXMON_ONLY(vmxmon_only_runs_on_vmxmon)
{
	EXPECT_TRUE(t->flavour == DEV_VMXMON);
}
