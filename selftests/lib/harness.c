// SPDX-License-Identifier: GPL-2.0
/*
 * TAP harness: option parsing, device probe, one forked child per test. See harness.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "util.h"

#define MAX_RUN 32

/* What a test child reports to the parent (MAP_SHARED). */
struct test_result {
	bool failed;
	bool skipped;
	char skip_reason[256];
};

struct harness {
	struct test_case *head, **tail;
	const char *run[MAX_RUN];
	int nr_run;
	int only_tag;			/* -1: every tag */
	bool list, cpu_check;
};

static struct harness harness = { .tail = &harness.head, .only_tag = -1, .cpu_check = true };

static const char *const tag_names[] = {
	[TAG_KVM_IDENTICAL] = "kvm-identical",
	[TAG_VMXMON_ONLY] = "vmxmon-only",
	[TAG_HOST] = "host",
};

void harness_register(struct test_case *tc)
{
	*harness.tail = tc;
	harness.tail = &tc->next;
}

const char *errno_name(long long err)
{
	if (err < 0)
		err = -err;
	if (err == 0 || err > 4095)
		return NULL;
	return strerrorname_np((int)err);
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];
	char *line, *save = NULL;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Every line of a diagnostic must start with "# " to stay valid TAP. */
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		printf("# %s%s\n", prefix, line);
		prefix = "";
	}
	fflush(stdout);
}

void t_log(struct test_ctx *t, const char *fmt, ...)
{
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void t_trace(struct test_ctx *t, const char *fmt, ...)
{
	static int on = -1;
	va_list ap;

	(void)t;
	if (on < 0)
		on = getenv("VMXMON_TRACE") && !strcmp(getenv("VMXMON_TRACE"), "1");
	if (!on)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void t_fail(struct test_ctx *t, const char *file, int line, const char *fmt, ...)
{
	char prefix[128];
	va_list ap;

	t->res->failed = true;
	snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
}

void t_abort(struct test_ctx *t)
{
	t->res->failed = true;
	fflush(stdout);
	_exit(KSFT_FAIL);
}

void t_skip(struct test_ctx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->res->skip_reason, sizeof(t->res->skip_reason), fmt, ap);
	va_end(ap);
	t->res->skipped = true;
	fflush(stdout);
	_exit(KSFT_SKIP);
}

bool t_failed(const struct test_ctx *t)
{
	return t->res->failed;
}

static void format_value(char *buf, size_t len, long long v)
{
	const char *name = v < 0 ? errno_name(v) : NULL;

	if (name)
		snprintf(buf, len, "%lld (-%s)", v, name);
	else if (v > 9 || v < -9)
		snprintf(buf, len, "%lld (%#llx)", v, v);
	else
		snprintf(buf, len, "%lld", v);
}

bool __t_cmp(struct test_ctx *t, const char *file, int line, bool ok, const char *actual_expr,
	     const char *op, const char *expected_expr, long long actual, long long expected)
{
	char a[64], e[64];

	if (ok)
		return true;
	format_value(a, sizeof(a), actual);
	format_value(e, sizeof(e), expected);
	t_fail(t, file, line, "%s %s %s\n  expected: %s%s\n  actual:   %s", actual_expr, op,
	       expected_expr, strcmp(op, "==") ? op : "", e, a);
	return false;
}

/* ---- running ---- */

static bool selected(const struct test_case *tc)
{
	if (harness.only_tag >= 0 && (int)tc->tag != harness.only_tag)
		return false;
	if (!harness.nr_run)
		return true;
	for (int i = 0; i < harness.nr_run; i++)
		if (!strcmp(harness.run[i], tc->name))
			return true;
	return false;
}

enum outcome { PASS, FAIL, SKIP };

static enum outcome run_one(const struct test_case *tc, struct test_ctx *t, char *why, size_t len)
{
	struct test_result *res = t->res;
	int status;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return FAIL;
	}
	if (pid == 0) {
		alarm(tc->timeout_s);
		tc->fn(t);
		fflush(stdout);
		_exit(res->failed ? KSFT_FAIL : KSFT_PASS);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return FAIL;
		}
	}
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGALRM)
			snprintf(why, len, "timed out after %u s", tc->timeout_s);
		else
			snprintf(why, len, "killed by signal %d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
		return FAIL;
	}
	if (res->failed)	/* a failure before a skip still counts */
		return FAIL;
	if (res->skipped) {
		snprintf(why, len, "%s", res->skip_reason);
		return SKIP;
	}
	if (WEXITSTATUS(status) != KSFT_PASS) {
		snprintf(why, len, "exited with status %d", WEXITSTATUS(status));
		return FAIL;
	}
	return PASS;
}

static const char *flavour_prefix(enum test_tag tag, enum dev_flavour flavour)
{
	if (tag == TAG_HOST)
		return "host";
	return flavour == DEV_KVM ? "kvm" : "vmxmon";
}

static int run_all(struct test_ctx *t)
{
	unsigned int counts[3] = { 0 };
	const struct test_case *tc;
	int planned = 0, n = 0;

	for (tc = harness.head; tc; tc = tc->next)
		planned += selected(tc);
	printf("TAP version 13\n1..%d\n", planned);
	for (tc = harness.head; tc; tc = tc->next) {
		const char *prefix = flavour_prefix(tc->tag, t->flavour);
		enum outcome o;
		char why[512] = "";

		if (!selected(tc))
			continue;
		n++;
		if (tc->tag == TAG_VMXMON_ONLY && t->flavour == DEV_KVM) {
			o = SKIP;
			snprintf(why, sizeof(why), "vmxmon-only test");
		} else {
			o = run_one(tc, t, why, sizeof(why));
		}
		counts[o]++;
		if (o == SKIP)
			printf("ok %d - %s: %s # SKIP %s\n", n, prefix, tc->name, why);
		else if (o == PASS)
			printf("ok %d - %s: %s\n", n, prefix, tc->name);
		else if (why[0])
			printf("# %s\nnot ok %d - %s: %s\n", why, n, prefix, tc->name);
		else
			printf("not ok %d - %s: %s\n", n, prefix, tc->name);
		fflush(stdout);
	}
	printf("# Totals: pass:%u fail:%u skip:%u\n", counts[PASS], counts[FAIL], counts[SKIP]);
	if (counts[FAIL])
		return KSFT_FAIL;
	return counts[PASS] || !counts[SKIP] ? KSFT_PASS : KSFT_SKIP;
}

/* ---- device probe ---- */

static void __attribute__((noreturn)) skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("TAP version 13\n1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(KSFT_SKIP);
}

/* KVM if the node's device number is the one /sys/class/misc/kvm/dev names. */
static enum dev_flavour probe_flavour(int fd, const char *path)
{
	unsigned int maj, min;
	struct stat st;
	char buf[32];
	const char *base = strrchr(path, '/');

	if (read_file("/sys/class/misc/kvm/dev", buf, sizeof(buf)) ||
	    sscanf(buf, "%u:%u", &maj, &min) != 2 || fstat(fd, &st))
		return !strcmp(base ? base + 1 : path, "kvm") ? DEV_KVM : DEV_VMXMON;
	return st.st_rdev == makedev(maj, min) ? DEV_KVM : DEV_VMXMON;
}

static bool needs_device(void)
{
	for (const struct test_case *tc = harness.head; tc; tc = tc->next)
		if (selected(tc) && tc->tag != TAG_HOST)
			return true;
	return false;
}

static void probe_device(struct test_ctx *t)
{
	bool vmx = false;
	int fd, err;

	fd = open(t->dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENXIO || err == ENODEV)
			skip_all("%s: %s (module not loaded?)", t->dev, strerror(err));
		printf("TAP version 13\nBail out! cannot open %s: %s\n", t->dev, strerror(err));
		exit(KSFT_FAIL);
	}
	t->flavour = probe_flavour(fd, t->dev);
	close(fd);
	if (!harness.cpu_check)
		return;
	err = cpu_has_flag("vmx", &vmx);
	if (err)
		skip_all("cannot read /proc/cpuinfo: %s", strerror(-err));
	if (!vmx)
		skip_all("this CPU has no VT-x (no vmx flag in /proc/cpuinfo; --no-cpu-check overrides)");
}

static void usage(const char *prog, FILE *f)
{
	fprintf(f,
		"usage: %s [options]\n"
		"  --dev PATH       device to test (default: /dev/vmxmon; /dev/kvm runs the\n"
		"                   kvm-identical tests against KVM)\n"
		"  --kvm-dev PATH   KVM device for the coexistence tests (default: /dev/kvm)\n"
		"  --tag TAG        run only tests tagged TAG: kvm-identical, vmxmon-only, host\n"
		"                   (default: all)\n"
		"  --run NAME       run only test NAME (repeatable; default: all)\n"
		"  --list           list the tests with their tags and exit\n"
		"  --no-cpu-check   run even if /proc/cpuinfo has no vmx flag (default: skip)\n"
		"  --help           this text\n", prog);
}

static int parse_tag(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(tag_names); i++)
		if (!strcmp(s, tag_names[i]))
			return (int)i;
	return -1;
}

static void parse_args(int argc, char **argv, struct test_ctx *t)
{
	enum { OPT_DEV = 256, OPT_KVM_DEV, OPT_TAG, OPT_RUN, OPT_LIST, OPT_NO_CPU_CHECK, OPT_HELP };
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, OPT_DEV },
		{ "kvm-dev", required_argument, NULL, OPT_KVM_DEV },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "no-cpu-check", no_argument, NULL, OPT_NO_CPU_CHECK },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DEV:
			t->dev = optarg;
			break;
		case OPT_KVM_DEV:
			t->kvm_dev = optarg;
			break;
		case OPT_TAG:
			harness.only_tag = parse_tag(optarg);
			if (harness.only_tag < 0) {
				fprintf(stderr, "%s: unknown tag '%s'\n", argv[0], optarg);
				exit(2);
			}
			break;
		case OPT_RUN:
			if (harness.nr_run == MAX_RUN) {
				fprintf(stderr, "%s: at most %d --run\n", argv[0], MAX_RUN);
				exit(2);
			}
			harness.run[harness.nr_run++] = optarg;
			break;
		case OPT_LIST:
			harness.list = true;
			break;
		case OPT_NO_CPU_CHECK:
			harness.cpu_check = false;
			break;
		case OPT_HELP:
			usage(argv[0], stdout);
			exit(0);
		default:
			usage(argv[0], stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct test_ctx t = { .dev = "/dev/vmxmon", .kvm_dev = "/dev/kvm", .flavour = DEV_VMXMON };

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &t);
	for (int i = 0; i < harness.nr_run; i++) {
		const struct test_case *tc = harness.head;

		while (tc && strcmp(tc->name, harness.run[i]))
			tc = tc->next;
		if (!tc) {
			fprintf(stderr, "%s: no test named '%s' (see --list)\n", argv[0], harness.run[i]);
			exit(2);
		}
	}
	if (harness.list) {
		for (const struct test_case *tc = harness.head; tc; tc = tc->next)
			if (selected(tc))
				printf("%-14s %s\n", tag_names[tc->tag], tc->name);
		return 0;
	}
	if (needs_device())
		probe_device(&t);
	t.res = mmap(NULL, sizeof(*t.res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (t.res == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return KSFT_FAIL;
	}
	return run_all(&t);
}
