/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small kselftest-style TAP harness (same spirit as the kernel's kselftest_harness.h, our
 * own code). Tests register with one of the macros below; harness.c provides main(), which
 * parses the common options, probes the device and runs every selected test in a forked child
 * (a crash, an ASSERT or a timeout ends that test only).
 *
 * Every test carries a tag:
 *   TEST_KVM_IDENTICAL  the device must answer exactly as KVM does: runs on /dev/vmxmon and,
 *                       with --dev /dev/kvm, on KVM itself
 *   TEST_VMXMON_ONLY    vmxmon behaviour KVM does not share (or vmxmon's debugfs): on /dev/kvm
 *                       it is reported as "# SKIP vmxmon-only"
 *   TEST_HOST           a unit test that needs no device (host `make check`)
 * The TAP name says which device ran it: "ok 3 - vmxmon: api_version_is_12",
 * "ok 3 - kvm: api_version_is_12", "ok 1 - host: status_parse_...". --list prints the tags.
 *
 * Exit status: 0 all passed (skips allowed), 1 something failed, 4 (KSFT_SKIP) nothing could
 * run: the device is missing (ENOENT on open) or the CPU has no VT-x.
 */
#ifndef VMXMON_SELFTESTS_HARNESS_H
#define VMXMON_SELFTESTS_HARNESS_H

#include <stdbool.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

enum test_tag { TAG_KVM_IDENTICAL, TAG_VMXMON_ONLY, TAG_HOST };

/* Which driver is behind --dev (decided from its device number, see harness.c). */
enum dev_flavour { DEV_VMXMON, DEV_KVM };

struct test_result;

struct test_ctx {
	const char *dev;		/* --dev, default /dev/vmxmon */
	const char *kvm_dev;		/* --kvm-dev, default /dev/kvm (coexistence tests) */
	enum dev_flavour flavour;
	struct test_result *res;	/* shared with the parent; harness-private */
};

struct test_case {
	const char *name;
	enum test_tag tag;
	unsigned int timeout_s;
	void (*fn)(struct test_ctx *t);
	struct test_case *next;
};

void harness_register(struct test_case *tc);

#define TEST_DEFINE(name_, tag_, timeout_)						\
	static void name_(struct test_ctx *t __attribute__((unused)));			\
	static struct test_case tc_##name_ = {						\
		.name = #name_, .tag = (tag_), .timeout_s = (timeout_), .fn = name_,	\
	};										\
	__attribute__((constructor)) static void register_##name_(void)		\
	{										\
		harness_register(&tc_##name_);						\
	}										\
	static void name_(struct test_ctx *t __attribute__((unused)))

#define TEST_TIMEOUT_DEFAULT 120	/* seconds of L1 wall time; Bochs is slow */

#define TEST_KVM_IDENTICAL(name) TEST_DEFINE(name, TAG_KVM_IDENTICAL, TEST_TIMEOUT_DEFAULT)
#define TEST_VMXMON_ONLY(name)   TEST_DEFINE(name, TAG_VMXMON_ONLY, TEST_TIMEOUT_DEFAULT)
#define TEST_HOST(name)          TEST_DEFINE(name, TAG_HOST, 10)

/* ---- reporting, from inside a test ---- */

/* A "# " diagnostic line in the TAP stream. */
void t_log(struct test_ctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A "# " line only with VMXMON_TRACE=1: per-step progress for chasing a hang or a crash. */
void t_trace(struct test_ctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Mark the test failed with a diagnostic; the test goes on. */
void t_fail(struct test_ctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* End the test now (after a failed ASSERT). */
void t_abort(struct test_ctx *t) __attribute__((noreturn));
/* End the test now as skipped, with a reason. */
void t_skip(struct test_ctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
bool t_failed(const struct test_ctx *t);

bool __t_cmp(struct test_ctx *t, const char *file, int line, bool ok, const char *actual_expr,
	     const char *op, const char *expected_expr, long long actual, long long expected);

/*
 * EXPECT_*(actual, expected): on failure print
 *   # vm_test.c:42: r == -EINVAL
 *   #   expected: -22 (-EINVAL)
 *   #   actual:   -25 (-ENOTTY)
 * and go on; ASSERT_* end the test. Values are compared as long long.
 */
#define __T_CMP(actual, op, expected, fatal, actual_str, expected_str)			\
	do {										\
		long long __a = (long long)(actual), __e = (long long)(expected);	\
		if (!__t_cmp(t, __FILE__, __LINE__, __a op __e, actual_str, #op,	\
			     expected_str, __a, __e) && (fatal))			\
			t_abort(t);							\
	} while (0)

/* The operands are stringified here, before macros such as ENOTTY expand. */
#define EXPECT_EQ(a, e) __T_CMP(a, ==, e, false, #a, #e)
#define EXPECT_NE(a, e) __T_CMP(a, !=, e, false, #a, #e)
#define EXPECT_GE(a, e) __T_CMP(a, >=, e, false, #a, #e)
#define EXPECT_LE(a, e) __T_CMP(a, <=, e, false, #a, #e)
#define EXPECT_GT(a, e) __T_CMP(a, >, e, false, #a, #e)
#define ASSERT_EQ(a, e) __T_CMP(a, ==, e, true, #a, #e)
#define ASSERT_NE(a, e) __T_CMP(a, !=, e, true, #a, #e)
#define ASSERT_GE(a, e) __T_CMP(a, >=, e, true, #a, #e)
#define ASSERT_GT(a, e) __T_CMP(a, >, e, true, #a, #e)

#define EXPECT_TRUE(cond)								\
	do {										\
		if (!(cond))								\
			t_fail(t, __FILE__, __LINE__, "expected true: %s", #cond);	\
	} while (0)

#define ASSERT_TRUE(cond)								\
	do {										\
		if (!(cond)) {								\
			t_fail(t, __FILE__, __LINE__, "expected true: %s", #cond);	\
			t_abort(t);							\
		}									\
	} while (0)

/* "EINVAL" for -EINVAL or EINVAL; NULL when the number has no name here. */
const char *errno_name(long long err);

#endif
