// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: vmxrun's command line and value parsers. */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "options.h"
#include "util/parse.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* parse_mem_size(s) returns want_err and, on success, want bytes. */
static void expect_mem(struct test_ctx *t, const char *s, unsigned long long want, int want_err)
{
	unsigned long long bytes = 0xdead;
	int err = parse_mem_size(s, &bytes);

	if (err != want_err || (!err && bytes != want))
		t_fail(t, __FILE__, __LINE__, "\"%s\": expected %d / %llu bytes, got %d / %llu", s,
		       want_err, want, err, bytes);
}

TEST_HOST(mem_size_plain_number_is_mib)
{
	expect_mem(t, "512", 512 * MiB, 0);
	expect_mem(t, "1", MiB, 0);
	expect_mem(t, "1048576", 1024 * GiB, 0);	/* the largest, in MiB */
}

TEST_HOST(mem_size_accepts_m_and_g_suffixes)
{
	expect_mem(t, "256M", 256 * MiB, 0);
	expect_mem(t, "256m", 256 * MiB, 0);
	expect_mem(t, "2G", 2 * GiB, 0);
	expect_mem(t, "3g", 3 * GiB, 0);
	expect_mem(t, "1024G", 1024 * GiB, 0);
}

TEST_HOST(mem_size_rejects_malformed_values)
{
	static const char *const bad[] = {
		"", "M", "G", "-1", "+5", " 5", "5 ", "5K", "5T", "5MB", "5MiB", "1.5G",
		"0x10", "12X", "5GG", "abc",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_mem(t, bad[i], 0, -EINVAL);
}

TEST_HOST(mem_size_rejects_zero_and_too_large)
{
	static const char *const bad[] = {
		"0", "0M", "0G", "1025G", "1048577", "1048577M", "99999999999999999999",
		"18446744073709551616G",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_mem(t, bad[i], 0, -ERANGE);
}

TEST_HOST(uint_range_checks_bounds_and_syntax)
{
	unsigned int v = 7;

	EXPECT_EQ(parse_uint_range("1", 1, 255, &v), 0);
	EXPECT_EQ(v, 1);
	EXPECT_EQ(parse_uint_range("255", 1, 255, &v), 0);
	EXPECT_EQ(v, 255);
	EXPECT_EQ(parse_uint_range("0", 1, 255, &v), -ERANGE);
	EXPECT_EQ(parse_uint_range("256", 1, 255, &v), -ERANGE);
	EXPECT_EQ(parse_uint_range("4294967296", 1, 255, &v), -ERANGE);
	EXPECT_EQ(parse_uint_range("", 1, 255, &v), -EINVAL);
	EXPECT_EQ(parse_uint_range("-1", 1, 255, &v), -EINVAL);
	EXPECT_EQ(parse_uint_range("2x", 1, 255, &v), -EINVAL);
	EXPECT_EQ(v, 255);	/* untouched by the failures */
}

/* Parse a NULL-terminated argument list (argv[0] included). */
#define PARSE(o, err, ...)								\
	({										\
		char *argv_[] = { "vmxrun", __VA_ARGS__, NULL };			\
		opts__parse(o, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_,	\
			    err, sizeof(err));						\
	})

TEST_HOST(options_defaults_with_info)
{
	struct vmxrun_opts o;
	char err[256] = "";

	ASSERT_EQ(PARSE(&o, err, "--info"), OPTS_RUN);
	EXPECT_TRUE(o.info);
	EXPECT_TRUE(!strcmp(o.dev, "/dev/vmxmon"));
	EXPECT_EQ(o.mem_bytes, 256 * MiB);
	EXPECT_EQ(o.cpus, 1);
	EXPECT_TRUE(!o.boot);
}

TEST_HOST(options_parse_every_boot_option)
{
	struct vmxrun_opts o;
	char err[256] = "";

	ASSERT_EQ(PARSE(&o, err, "--dev", "/dev/kvm", "--kernel", "bzImage", "--initrd", "rd.gz",
			"--append", "console=ttyS0", "-m", "1G", "-c", "4", "--console",
			"file:/tmp/log", "--name", "vm1", "--control", "/tmp/s", "--reboot",
			"restart"), OPTS_RUN);
	EXPECT_TRUE(!strcmp(o.dev, "/dev/kvm"));
	EXPECT_TRUE(!strcmp(o.kernel, "bzImage"));
	EXPECT_TRUE(!strcmp(o.initrd, "rd.gz"));
	EXPECT_TRUE(!strcmp(o.append, "console=ttyS0"));
	EXPECT_EQ(o.mem_bytes, GiB);
	EXPECT_EQ(o.cpus, 4);
	EXPECT_TRUE(!o.no_apic);
	EXPECT_TRUE(!strcmp(o.console, "file:/tmp/log"));
	EXPECT_TRUE(!strcmp(o.name, "vm1"));
	EXPECT_TRUE(!strcmp(o.control, "/tmp/s"));
	EXPECT_TRUE(o.reboot_restart);
	EXPECT_TRUE(o.boot);
	ASSERT_EQ(PARSE(&o, err, "--kernel=k", "--memory=512", "--cpus=1", "--reboot=exit",
			"--no-apic"), OPTS_RUN);
	EXPECT_TRUE(o.no_apic);
	EXPECT_EQ(o.mem_bytes, 512 * MiB);
	EXPECT_TRUE(!o.reboot_restart);
	EXPECT_TRUE(!strcmp(o.console, "stdio"));
	EXPECT_TRUE(o.boot);
}

/* The parse must fail with exactly this message. */
static void expect_error(struct test_ctx *t, enum opts_result r, const char *err, const char *want)
{
	EXPECT_EQ(r, OPTS_ERROR);
	if (strcmp(err, want))
		t_fail(t, __FILE__, __LINE__, "message\n  expected: %s\n  actual:   %s", want, err);
}

TEST_HOST(options_reject_bad_values_with_a_message)
{
	struct vmxrun_opts o;
	char err[256] = "";

	expect_error(t, PARSE(&o, err, "-m", "12X"), err,
		     "vmxrun: -m 12X: not a memory size (e.g. 512M or 2G, at most 1024G)");
	expect_error(t, PARSE(&o, err, "--memory=0"), err,
		     "vmxrun: -m 0: not a memory size (e.g. 512M or 2G, at most 1024G)");
	expect_error(t, PARSE(&o, err, "-c", "0"), err, "vmxrun: -c 0: not a vCPU count (1-254)");
	expect_error(t, PARSE(&o, err, "--cpus", "255"), err,
		     "vmxrun: -c 255: not a vCPU count (1-254)");
	expect_error(t, PARSE(&o, err, "--kernel", "k", "-c", "2", "--no-apic"), err,
		     "vmxrun: -c 2: --no-apic runs one vCPU (SMP needs the local APIC: drop --no-apic)");
	expect_error(t, PARSE(&o, err, "-m", "8M"), err,
		     "vmxrun: -m 8M: too small: a guest needs at least 16M");
	expect_error(t, PARSE(&o, err, "--console", "tty"), err,
		     "vmxrun: --console tty: not a console (stdio or file:PATH)");
	expect_error(t, PARSE(&o, err, "--console", "file:"), err,
		     "vmxrun: --console file:: not a console (stdio or file:PATH)");
	expect_error(t, PARSE(&o, err, "--reboot", "halt"), err,
		     "vmxrun: --reboot halt: not exit or restart");
}

TEST_HOST(options_reject_unknown_and_incomplete_options)
{
	struct vmxrun_opts o;
	char err[256] = "";

	expect_error(t, PARSE(&o, err, "--bogus"), err,
		     "vmxrun: unknown option '--bogus' (see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--bogus=1", "--info"), err,
		     "vmxrun: unknown option '--bogus' (see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--info", "-x"), err,
		     "vmxrun: unknown option '-x' (see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--dev"), err,
		     "vmxrun: option '--dev' needs a value (see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--info", "-m"), err,
		     "vmxrun: option '-m' needs a value (see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--info", "extra"), err,
		     "vmxrun: unexpected argument 'extra' (see vmxrun --help)");
}

TEST_HOST(options_need_something_to_do_and_info_excludes_boot)
{
	struct vmxrun_opts o;
	char err[256] = "";
	char *argv[] = { "vmxrun", NULL };

	expect_error(t, opts__parse(&o, 1, argv, err, sizeof(err)), err,
		     "vmxrun: nothing to do (try --kernel PATH or --info; see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--info", "-m", "1G"), err,
		     "vmxrun: --info does not boot a guest: drop the boot options (--kernel, -m, ...)");
	expect_error(t, PARSE(&o, err, "-m", "1G"), err,
		     "vmxrun: no --kernel to boot (see vmxrun --help)");
	EXPECT_EQ(PARSE(&o, err, "--info", "--help"), OPTS_HELP);
	EXPECT_EQ(PARSE(&o, err, "-h"), OPTS_HELP);
}
