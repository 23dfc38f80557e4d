// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "options.h"
#include "util/err.h"
#include "util/parse.h"

enum { OPT_DEV = 256, OPT_INFO, OPT_KERNEL, OPT_INITRD, OPT_APPEND };

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "memory", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void opts__usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG_NAME " [options]\n"
		"Runs virtual machines on vmxmon, or on any device that speaks the KVM API.\n"
		"\n"
		"  --dev PATH          hypervisor device (default: " DEFAULT_DEV "; /dev/kvm works too)\n"
		"  --info              print the device's API version and capabilities, create a VM\n"
		"                      and show vmxmon's per-CPU VT-x state while it exists and\n"
		"                      after (default: off)\n"
		"  --kernel PATH       guest kernel to boot (default: none)\n"
		"  --initrd PATH       guest initial ramdisk (default: none)\n"
		"  --append CMDLINE    guest kernel command line (default: empty)\n"
		"  -m, --memory SIZE   guest RAM, suffix M or G; a plain number is MiB (default: %dM)\n"
		"  -c, --cpus N        vCPUs, 1-%d (default: 1)\n"
		"  -h, --help          print this help and exit\n"
		"\n"
		"Booting a guest (--kernel, --initrd, --append, -m, -c) is not supported yet: it\n"
		"needs KVM_CAP_USER_MEMORY from vmxmon (see README \"Status\").\n",
		DEFAULT_MEM_MIB, MAX_CPUS);
}

/*
 * The option getopt just rejected, as the user typed it: "--foo" (without "=value") or "-x".
 * glibc leaves optopt 0 for an unknown long option; a long option missing its value is the
 * last argument.
 */
static void typed(char *buf, size_t len, char **argv, bool unknown)
{
	const char *a = argv[optind - 1];

	if (unknown ? optopt == 0 : (a[0] == '-' && a[1] == '-'))
		snprintf(buf, len, "%.*s", (int)strcspn(a, "="), a);
	else
		snprintf(buf, len, "-%c", optopt);
}

static enum opts_result bad_value(char *err, size_t errlen, const char *opt, const char *val,
				  const char *why)
{
	snprintf(err, errlen, PROG_NAME ": %s %s: %s", opt, val, why);
	return OPTS_ERROR;
}

enum opts_result opts__parse(struct vmxrun_opts *o, int argc, char **argv, char *err,
			     size_t errlen)
{
	char opt[64];
	int c;

	*o = (struct vmxrun_opts){
		.dev = DEFAULT_DEV,
		.mem_bytes = (unsigned long long)DEFAULT_MEM_MIB << 20,
		.cpus = 1,
	};
	optind = 0;	/* glibc: full reset, so tests can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:c:h", long_opts, NULL)) != -1) {
		if (c == OPT_KERNEL || c == OPT_INITRD || c == OPT_APPEND || c == 'm' || c == 'c')
			o->boot = true;
		switch (c) {
		case OPT_DEV:
			o->dev = optarg;
			break;
		case OPT_INFO:
			o->info = true;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case 'm':
			if (parse_mem_size(optarg, &o->mem_bytes))
				return bad_value(err, errlen, "-m", optarg,
						 "not a memory size (e.g. 512M or 2G, at most 1024G)");
			break;
		case 'c':
			if (parse_uint_range(optarg, 1, MAX_CPUS, &o->cpus))
				return bad_value(err, errlen, "-c", optarg,
						 "not a vCPU count (1-255)");
			break;
		case 'h':
			return OPTS_HELP;
		case ':':
			typed(opt, sizeof(opt), argv, false);
			snprintf(err, errlen, PROG_NAME ": option '%s' needs a value (see " PROG_NAME " --help)",
				 opt);
			return OPTS_ERROR;
		default:
			typed(opt, sizeof(opt), argv, true);
			snprintf(err, errlen, PROG_NAME ": unknown option '%s' (see " PROG_NAME " --help)",
				 opt);
			return OPTS_ERROR;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, PROG_NAME ": unexpected argument '%s' (see " PROG_NAME " --help)",
			 argv[optind]);
		return OPTS_ERROR;
	}
	if (o->info && o->boot) {
		snprintf(err, errlen, PROG_NAME ": --info does not boot a guest: drop --kernel, --initrd, --append, -m and -c");
		return OPTS_ERROR;
	}
	if (!o->info && !o->boot) {
		snprintf(err, errlen, PROG_NAME ": nothing to do (try --info; see " PROG_NAME " --help)");
		return OPTS_ERROR;
	}
	return OPTS_RUN;
}
