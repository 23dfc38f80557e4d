// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "options.h"
#include "util/err.h"
#include "util/parse.h"

enum {
	OPT_DEV = 256, OPT_INFO, OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_CONSOLE, OPT_NAME,
	OPT_CONTROL, OPT_REBOOT, OPT_NO_APIC,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "memory", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "no-apic", no_argument, NULL, OPT_NO_APIC },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "reboot", required_argument, NULL, OPT_REBOOT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void opts__usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG_NAME " [options] --kernel PATH\n"
		"Runs a virtual machine on vmxmon, or on any device that speaks the KVM API.\n"
		"\n"
		"  --dev PATH          hypervisor device (default: " DEFAULT_DEV "; /dev/kvm works too)\n"
		"  --kernel PATH       guest kernel: a Linux bzImage or a multiboot kernel (default: none)\n"
		"  --initrd PATH       initial ramdisk; for multiboot, its module (default: none)\n"
		"  --append CMDLINE    guest kernel command line; for Linux, tsc_early_khz= is added\n"
		"                      unless given (default: empty)\n"
		"  -m, --memory SIZE   guest RAM, suffix M or G; a plain number is MiB (default: %dM)\n"
		"  -c, --cpus N        vCPUs, 1-%d (default: 1)\n"
		"  --no-apic           PIC only: no local APIC, IOAPIC or MADT; one vCPU\n"
		"                      (default: off: in-kernel local APICs, IOAPIC, MADT)\n"
		"  --console SPEC      stdio (raw terminal, Ctrl-A x quits) or file:PATH (output\n"
		"                      only) (default: stdio)\n"
		"  --name NAME         the VM's name, shown by query-status (default: vmxrun)\n"
		"  --control PATH      control socket: JSON commands and events, see README\n"
		"                      (default: none)\n"
		"  --reboot ACTION     on a guest reboot: exit (status 0) or restart (default: exit)\n"
		"  --info              print the device's API version and capabilities, create a VM\n"
		"                      and show vmxmon's per-CPU VT-x state while it exists and\n"
		"                      after (default: off)\n"
		"  -h, --help          print this help and exit\n"
		"\n"
		"Exit status: 0 when the guest powers off (or reboots, with --reboot=exit), (V << 1) | 1\n"
		"when it writes V to the debug-exit port 0xf4, 1 on errors, 2 on bad options.\n",
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

/* One option's value into *o; OPTS_RUN, or OPTS_ERROR with err. */
static enum opts_result opts__one(struct vmxrun_opts *o, int c, char *err, size_t errlen)
{
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
	case OPT_NAME:
		o->name = optarg;
		break;
	case OPT_CONTROL:
		o->control = optarg;
		break;
	case OPT_CONSOLE:
		if (strcmp(optarg, "stdio") && (strncmp(optarg, "file:", 5) || !optarg[5]))
			return bad_value(err, errlen, "--console", optarg,
					 "not a console (stdio or file:PATH)");
		o->console = optarg;
		break;
	case OPT_REBOOT:
		if (strcmp(optarg, "exit") && strcmp(optarg, "restart"))
			return bad_value(err, errlen, "--reboot", optarg, "not exit or restart");
		o->reboot_restart = !strcmp(optarg, "restart");
		break;
	case 'm':
		if (parse_mem_size(optarg, &o->mem_bytes))
			return bad_value(err, errlen, "-m", optarg,
					 "not a memory size (e.g. 512M or 2G, at most 1024G)");
		if (o->mem_bytes < (unsigned long long)MIN_MEM_MIB << 20)
			return bad_value(err, errlen, "-m", optarg,
					 "too small: a guest needs at least 16M");
		break;
	case 'c':
		if (parse_uint_range(optarg, 1, MAX_CPUS, &o->cpus))
			return bad_value(err, errlen, "-c", optarg, "not a vCPU count (1-" MAX_CPUS_STR ")");
		break;
	case OPT_NO_APIC:
		o->no_apic = true;
		break;
	}
	return OPTS_RUN;
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
		.console = "stdio",
		.name = "vmxrun",
	};
	optind = 0;	/* glibc: full reset, so tests can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:c:h", long_opts, NULL)) != -1) {
		if (c == 'h')
			return OPTS_HELP;
		if (c == ':' || c == '?') {
			typed(opt, sizeof(opt), argv, c == '?');
			snprintf(err, errlen, c == ':' ?
				 PROG_NAME ": option '%s' needs a value (see " PROG_NAME " --help)" :
				 PROG_NAME ": unknown option '%s' (see " PROG_NAME " --help)", opt);
			return OPTS_ERROR;
		}
		if (c != OPT_DEV && c != OPT_INFO)
			o->boot = true;
		if (opts__one(o, c, err, errlen) != OPTS_RUN)
			return OPTS_ERROR;
	}
	if (optind < argc) {
		snprintf(err, errlen, PROG_NAME ": unexpected argument '%s' (see " PROG_NAME " --help)",
			 argv[optind]);
		return OPTS_ERROR;
	}
	if (o->info && o->boot) {
		snprintf(err, errlen, PROG_NAME ": --info does not boot a guest: drop the boot options (--kernel, -m, ...)");
		return OPTS_ERROR;
	}
	if (!o->info && !o->boot) {
		snprintf(err, errlen, PROG_NAME ": nothing to do (try --kernel PATH or --info; see " PROG_NAME " --help)");
		return OPTS_ERROR;
	}
	if (o->no_apic && o->cpus > 1) {
		snprintf(err, errlen, PROG_NAME ": -c %u: --no-apic runs one vCPU (SMP needs the local APIC: drop --no-apic)",
			 o->cpus);
		return OPTS_ERROR;
	}
	if (o->boot && !o->kernel) {
		snprintf(err, errlen, PROG_NAME ": no --kernel to boot (see " PROG_NAME " --help)");
		return OPTS_ERROR;
	}
	return OPTS_RUN;
}
