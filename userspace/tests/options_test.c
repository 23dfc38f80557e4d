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

TEST_HOST(mem_size_accepts_k_m_g_t_suffixes)
{
	expect_mem(t, "256M", 256 * MiB, 0);
	expect_mem(t, "256m", 256 * MiB, 0);
	expect_mem(t, "2G", 2 * GiB, 0);
	expect_mem(t, "3g", 3 * GiB, 0);
	expect_mem(t, "1024G", 1024 * GiB, 0);
	expect_mem(t, "1T", 1024 * GiB, 0);
	expect_mem(t, "1t", 1024 * GiB, 0);
	expect_mem(t, "65536K", 64 * MiB, 0);
	expect_mem(t, "65536k", 64 * MiB, 0);
}

/* As QEMU's -m takes them: 1.5G is 1536M; sizes round up to whole MiB. */
TEST_HOST(mem_size_accepts_fractions_and_rounds_up_to_mib)
{
	expect_mem(t, "1.5G", 1536 * MiB, 0);
	expect_mem(t, "0.5g", 512 * MiB, 0);
	expect_mem(t, "0.25T", 256 * GiB, 0);
	expect_mem(t, "1.0G", GiB, 0);
	expect_mem(t, "512.5", 513 * MiB, 0);		/* a plain number is MiB */
	expect_mem(t, "1.999999999G", 2 * GiB, 0);
	expect_mem(t, "1K", MiB, 0);
	expect_mem(t, "1536K", 2 * MiB, 0);
}

TEST_HOST(mem_size_rejects_malformed_values)
{
	static const char *const bad[] = {
		"", "M", "G", "-1", "+5", " 5", "5 ", "5MB", "5MiB", "5P", "5B", ".5G", "1.G",
		"1.5.5G", "1,5G", "1.0000000001G", "0x10", "12X", "5GG", "abc",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_mem(t, bad[i], 0, -EINVAL);
}

/* Zero parses (the caller calls it too small); more than 1 TiB is out of range. */
TEST_HOST(mem_size_takes_zero_and_rejects_too_large)
{
	static const char *const bad[] = {
		"1025G", "1.1T", "2T", "1048577", "1048577M", "99999999999999999999",
		"18446744073709551616G",
	};

	expect_mem(t, "0", 0, 0);
	expect_mem(t, "0G", 0, 0);
	expect_mem(t, "0.0M", 0, 0);
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
		     "vmxrun: -m 12X: not a memory size (e.g. 512M, 1.5G, 2G)");
	expect_error(t, PARSE(&o, err, "--memory=0"), err,
		     "vmxrun: -m 0: too small: a guest needs at least 16M");
	expect_error(t, PARSE(&o, err, "-m", "0.01G"), err,
		     "vmxrun: -m 0.01G: too small: a guest needs at least 16M");
	expect_error(t, PARSE(&o, err, "-m", "2T"), err, "vmxrun: -m 2T: too large: at most 1T");
	expect_error(t, PARSE(&o, err, "-c", "0"), err, "vmxrun: -c 0: not a vCPU count (1-254)");
	expect_error(t, PARSE(&o, err, "--cpus", "255"), err,
		     "vmxrun: -c 255: not a vCPU count (1-254)");
	expect_error(t, PARSE(&o, err, "--kernel", "k", "-c", "2", "--no-apic"), err,
		     "vmxrun: -c 2: --no-apic runs one vCPU (SMP needs the local APIC: drop --no-apic)");
	expect_error(t, PARSE(&o, err, "-m", "8M"), err,
		     "vmxrun: -m 8M: too small: a guest needs at least 16M");
	expect_error(t, PARSE(&o, err, "--console", "tty"), err,
		     "vmxrun: --console tty: not a console (stdio, file:PATH, socket:PATH or virtio)");
	expect_error(t, PARSE(&o, err, "--console", "file:"), err,
		     "vmxrun: --console file:: not a console (stdio, file:PATH, socket:PATH or virtio)");
	expect_error(t, PARSE(&o, err, "--reboot", "halt"), err,
		     "vmxrun: --reboot halt: not exit or restart");
}

/* --mem-backend: the three kinds, the hugetlbfs page size, -m a multiple of it. */
TEST_HOST(options_mem_backend_kinds_and_hugetlbfs_page_sizes)
{
	struct vmxrun_opts o;
	char err[256] = "";

	ASSERT_EQ(PARSE(&o, err, "--kernel", "k"), OPTS_RUN);
	EXPECT_EQ(o.mem_backend, MEM_ANON);
	ASSERT_EQ(PARSE(&o, err, "--kernel", "k", "--mem-backend", "memfd"), OPTS_RUN);
	EXPECT_EQ(o.mem_backend, MEM_MEMFD);
	ASSERT_EQ(PARSE(&o, err, "--kernel", "k", "--mem-backend=hugetlbfs", "-m", "1G"), OPTS_RUN);
	EXPECT_EQ(o.mem_backend, MEM_HUGETLBFS);
	EXPECT_EQ(o.mem_page, 2 * MiB);
	ASSERT_EQ(PARSE(&o, err, "--kernel", "k", "--mem-backend", "hugetlbfs:1G", "-m", "2G"),
		  OPTS_RUN);
	EXPECT_EQ(o.mem_page, GiB);
	ASSERT_EQ(PARSE(&o, err, "--kernel", "k", "--mem-backend", "hugetlbfs:1G", "--mem-backend",
			"anon", "-m", "1.5G"), OPTS_RUN);
	EXPECT_EQ(o.mem_backend, MEM_ANON);
	expect_error(t, PARSE(&o, err, "--kernel", "k", "--mem-backend", "hugetlbfs:4M"), err,
		     "vmxrun: --mem-backend hugetlbfs:4M: not anon, memfd, hugetlbfs, hugetlbfs:2M or hugetlbfs:1G");
	expect_error(t, PARSE(&o, err, "--kernel", "k", "--mem-backend", "hugetlbfs", "-m", "17M"),
		     err, "vmxrun: -m 17M: not a multiple of the 2 MiB pages of --mem-backend hugetlbfs");
	expect_error(t, PARSE(&o, err, "--kernel", "k", "-m", "1.5G", "--mem-backend", "hugetlbfs:1G"),
		     err, "vmxrun: -m 1.5G: not a multiple of the 1 GiB pages of --mem-backend hugetlbfs:1G");
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
	expect_error(t, PARSE(&o, err, "--c", "2"), err,
		     "vmxrun: ambiguous option '--c' (--cpus, --console, --control?)");
}

/* The word as typed, not the letter getopt stopped at ("-kernel", not "-k"). */
TEST_HOST(options_unknown_single_dash_words_are_named_whole)
{
	struct vmxrun_opts o;
	char err[256] = "";

	expect_error(t, PARSE(&o, err, "-xyz"), err, "vmxrun: unknown option '-xyz' (see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--info", "-x"), err, "vmxrun: unknown option '-x' (see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "k", "-dev", "/dev/kvm"), err,
		     "vmxrun: unknown option '-dev' (did you mean --dev? see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "-cpus=2", "k"), err,
		     "vmxrun: unknown option '-cpus' (did you mean --cpus? see vmxrun --help)");
	/* The value of an option is not an option word. */
	ASSERT_EQ(PARSE(&o, err, "--append", "-kernel", "--name", "-smp", "k"), OPTS_RUN);
	EXPECT_TRUE(!strcmp(o.append, "-kernel"));
	EXPECT_TRUE(!strcmp(o.name, "-smp"));
}

/* QEMU's common words: one line with the vmxrun spelling, or why it is not needed. */
TEST_HOST(options_qemu_words_get_the_vmxrun_spelling)
{
	static const struct {
		const char *word, *want;
	} cases[] = {
		{ "-kernel", "vmxrun: unknown option '-kernel': vmxrun spells it --kernel PATH" },
		{ "-append", "vmxrun: unknown option '-append': vmxrun spells it --append CMDLINE" },
		{ "-initrd", "vmxrun: unknown option '-initrd': vmxrun spells it --initrd PATH" },
		{ "-smp", "vmxrun: unknown option '-smp': vmxrun spells it -c N (--cpus N)" },
		{ "-drive", "vmxrun: unknown option '-drive': vmxrun spells it --disk PATH[,ro][,cache=none|writeback] (raw images, virtio-blk)" },
		{ "-nographic", "vmxrun: unknown option '-nographic': not needed: the guest's console is this terminal already" },
		{ "-enable-kvm", "vmxrun: unknown option '-enable-kvm': not needed: vmxrun always runs on a hypervisor device (--dev, default /dev/vmxmon)" },
		{ "-cpu", "vmxrun: unknown option '-cpu': not needed: the guest gets the device's supported CPUID" },
		{ "-machine", "vmxrun: unknown option '-machine': not needed: vmxrun has one machine, a PC with ACPI" },
	};
	struct vmxrun_opts o;
	char err[256] = "";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "vmxrun", "-m", "1G", (char *)cases[i].word, "x", NULL };

		expect_error(t, opts__parse(&o, 5, argv, err, sizeof(err)), err, cases[i].want);
	}
	/* -m is the same word in both. */
	ASSERT_EQ(PARSE(&o, err, "-m", "1.5G", "k"), OPTS_RUN);
	EXPECT_EQ(o.mem_bytes, 1536 * MiB);
	EXPECT_TRUE(!strcmp(o.mem_arg, "1.5G"));
}

/* A path without an option is the kernel, as in kvmtool; only one. */
TEST_HOST(options_positional_path_is_the_kernel)
{
	struct vmxrun_opts o;
	char err[256] = "";

	ASSERT_EQ(PARSE(&o, err, "bzImage", "-m", "1G"), OPTS_RUN);
	EXPECT_TRUE(!strcmp(o.kernel, "bzImage"));
	EXPECT_TRUE(o.boot);
	EXPECT_EQ(o.mem_bytes, GiB);
	ASSERT_EQ(PARSE(&o, err, "-m", "1G", "--", "-odd-name"), OPTS_RUN);
	EXPECT_TRUE(!strcmp(o.kernel, "-odd-name"));
	expect_error(t, PARSE(&o, err, "--kernel", "a", "b"), err,
		     "vmxrun: unexpected argument 'b' (the kernel is a; the guest's command line goes in --append; see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "a", "console=ttyS0"), err,
		     "vmxrun: unexpected argument 'console=ttyS0' (the kernel is a; the guest's command line goes in --append; see vmxrun --help)");
	expect_error(t, PARSE(&o, err, "--info", "extra"), err,
		     "vmxrun: --info does not boot a guest: drop the boot options (--kernel, -m, ...)");
}

TEST_HOST(options_version_and_help)
{
	struct vmxrun_opts o;
	char err[256] = "";

	EXPECT_EQ(PARSE(&o, err, "--version"), OPTS_VERSION);
	EXPECT_EQ(PARSE(&o, err, "--kernel", "k", "--version"), OPTS_VERSION);
	EXPECT_EQ(PARSE(&o, err, "--help", "--version"), OPTS_HELP);
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
