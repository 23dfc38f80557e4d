// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <string.h>

#include "hw/virtio/devices.h"
#include "options.h"
#include "gdb/gdb.h"
#include "util/err.h"
#include "util/parse.h"

enum {
	OPT_DEV = 256, OPT_INFO, OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_CONSOLE, OPT_NAME,
	OPT_CONTROL, OPT_REBOOT, OPT_NO_APIC, OPT_VERSION, OPT_DISK, OPT_NET, OPT_RNG,
	OPT_NO_IOEVENTFD, OPT_MEM_BACKEND, OPT_GDB, OPT_GDB_WAIT, OPT_BALLOON,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "memory", required_argument, NULL, 'm' },
	{ "mem-backend", required_argument, NULL, OPT_MEM_BACKEND },
	{ "cpus", required_argument, NULL, 'c' },
	{ "no-apic", no_argument, NULL, OPT_NO_APIC },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "reboot", required_argument, NULL, OPT_REBOOT },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "balloon", optional_argument, NULL, OPT_BALLOON },
	{ "no-ioeventfd", no_argument, NULL, OPT_NO_IOEVENTFD },
	{ "gdb", required_argument, NULL, OPT_GDB },
	{ "gdb-wait", no_argument, NULL, OPT_GDB_WAIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void opts__usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG_NAME " [options] --kernel PATH    (or: " PROG_NAME " [options] PATH)\n"
		"       " PROG_NAME " --info [--dev PATH]\n"
		"Runs a virtual machine on vmxmon, or on any device that speaks the KVM API.\n"
		"\n"
		"  --dev PATH          hypervisor device (default: " DEFAULT_DEV "; /dev/kvm works too)\n"
		"  --kernel PATH       guest kernel: a Linux bzImage or a multiboot kernel; a path\n"
		"                      given without an option means the same (default: none)\n"
		"  --initrd PATH       initial ramdisk; for multiboot, its module (default: none)\n"
		"  --append CMDLINE    guest kernel command line; for Linux, tsc_early_khz= is added\n"
		"                      unless given; words after \" -- \" are arguments of the\n"
		"                      guest's init, not the kernel's (default: empty)\n"
		"  -m, --memory SIZE   guest RAM: a number with K, M, G or T, fractions allowed\n"
		"                      (1.5G); a plain number is MiB; at least %dM (default: %dM)\n"
		"  --mem-backend anon|memfd|hugetlbfs[:2M|1G]\n"
		"                      what guest RAM is: private anonymous memory (transparent\n"
		"                      huge pages where the host has them), a memfd (shared\n"
		"                      memory), or a memfd on hugetlbfs pages of 2 MiB (default)\n"
		"                      or 1 GiB, which the host must have reserved\n"
		"                      (/sys/kernel/mm/hugepages/hugepages-*/nr_hugepages; -m a\n"
		"                      multiple of the page size). The hypervisor maps 2 MiB\n"
		"                      pages where the host does (default: anon)\n"
		"  -c, --cpus N        vCPUs, 1-%d (default: 1)\n"
		"  --no-apic           PIC only: no local APIC, IOAPIC or MADT; one vCPU\n"
		"                      (default: off: in-kernel local APICs, IOAPIC, MADT)\n"
		"  --console SPEC      stdio (raw terminal), file:PATH (output only),\n"
		"                      socket:PATH (a Unix socket, one client at a time; output\n"
		"                      while none is connected is lost) or virtio (the terminal\n"
		"                      on a virtio console, the guest's hvc0: give it\n"
		"                      console=hvc0) (default: stdio)\n"
		"  --disk PATH[,ro][,cache=none|writeback][,serial=S][,aio=threads|io_uring]\n"
		"                      a virtio-blk disk on a raw image, locked against a second\n"
		"                      writer; up to %d, /dev/vda first (default: none;\n"
		"                      cache=writeback, aio=threads: a thread pool does the I/O)\n"
		"  --net tap[,ifname=NAME][,mac=MAC][,vhost=on|off]\n"
		"                      a virtio-net NIC on a tap device (needs CAP_NET_ADMIN or a\n"
		"                      tap owned by you); up to %d (default: none; vhost=off)\n"
		"  --rng               a virtio-rng device fed by getrandom() (default: none)\n"
		"  --balloon[=[deflate-on-oom=on|off][,stats=SECONDS][,free-page-reporting=on|off]]\n"
		"                      a virtio-balloon device: the control socket's balloon\n"
		"                      command sets the guest's RAM target, pages the guest gives\n"
		"                      up go back to the host; deflate-on-oom lets the guest take\n"
		"                      them back under memory pressure, stats asks for its memory\n"
		"                      statistics that often (query-balloon), free-page-reporting\n"
		"                      gives back what the guest frees; not with --mem-backend\n"
		"                      hugetlbfs (default: none; off, 0 (never), off)\n"
		"  --no-ioeventfd      virtio kicks and interrupts by plain exits even where the\n"
		"                      device has KVM_IOEVENTFD/KVM_IRQFD (default: use them)\n"
		"  --name NAME         the VM's name, shown by query-status (default: vmxrun)\n"
		"  --control PATH      control socket: QMP-style JSON commands and events, see the\n"
		"                      README; refused if a running VM listens there (default: none)\n"
		"  --reboot ACTION     on a guest reboot: exit (status 0) or restart (default: exit)\n"
		"  --gdb tcp:[HOST:]PORT  a GDB stub there (target remote HOST:PORT); HOST is an\n"
		"                      IPv4 address (default: none; HOST 127.0.0.1)\n"
		"  --gdb-wait          with --gdb: the guest waits for GDB at its first\n"
		"                      instruction (default: off: it runs until GDB connects)\n"
		"  --info              print the device's API version and capabilities, create a VM\n"
		"                      and show vmxmon's per-CPU VT-x state while it exists and\n"
		"                      after (default: off)\n"
		"  -h, --help          print this help and exit\n"
		"  --version           print the version and exit\n"
		"\n"
		"Examples:\n"
		"  " PROG_NAME " --kernel /boot/vmlinuz-$(uname -r) --initrd /boot/initrd.img-$(uname -r) \\\n"
		"         -m 1G -c 2 --append \"console=ttyS0\"     # this host's kernel, on vmxmon\n"
		"  " PROG_NAME " --dev /dev/kvm bzImage --initrd rootfs.cpio.gz -m 1.5G --control /tmp/vm.sock \\\n"
		"         --append \"console=ttyS0 quiet -- single\"  # on KVM; \"single\" goes to init\n"
		"\n"
		"Console (stdio): the guest's serial port is this terminal, in raw mode.\n"
		"  Ctrl-A x         quit (ends the guest, exit status 0)\n"
		"  Ctrl-A Ctrl-A    send one Ctrl-A to the guest\n"
		"\n"
		"Exit status:\n"
		"  0          the guest powered off, or rebooted (with --reboot=exit), or quit was asked\n"
		"             (Ctrl-A x, quit on the control socket)\n"
		"  (V<<1)|1   the guest wrote V to the debug-exit port 0xf4 (odd: 1, 3, ..., 255)\n"
		"  1          an error (device, files, guest memory, an internal error of the VM)\n"
		"  2          bad options\n"
		"  128+N      ended by signal N (130 for SIGINT, 143 for SIGTERM)\n",
		MIN_MEM_MIB, DEFAULT_MEM_MIB, MAX_CPUS, OPTS_MAX_DISKS, OPTS_MAX_NETS);
}

void opts__version(FILE *f)
{
	fprintf(f, PROG_NAME " " VMXRUN_VERSION " (vmxmon launcher; KVM API version %d)\n",
		KVM_API_VERSION);
}

/*
 * Words from QEMU's command line that users type out of habit, with what vmxrun says
 * instead: the vmxrun spelling, or why it is not needed.
 */
static const struct {
	const char *word, *hint;
} qemu_words[] = {
	{ "-kernel", "vmxrun spells it --kernel PATH" },
	{ "-initrd", "vmxrun spells it --initrd PATH" },
	{ "-append", "vmxrun spells it --append CMDLINE" },
	{ "-smp", "vmxrun spells it -c N (--cpus N)" },
	{ "-name", "vmxrun spells it --name NAME" },
	{ "-qmp", "vmxrun spells it --control PATH (a QMP-style socket)" },
	{ "-serial", "vmxrun spells it --console stdio|file:PATH|socket:PATH" },
	{ "-nographic", "not needed: the guest's console is this terminal already" },
	{ "-enable-kvm", "not needed: vmxrun always runs on a hypervisor device (--dev, default " DEFAULT_DEV ")" },
	{ "-accel", "not needed: vmxrun always runs on a hypervisor device (--dev, default " DEFAULT_DEV ")" },
	{ "-cpu", "not needed: the guest gets the device's supported CPUID" },
	{ "-machine", "not needed: vmxrun has one machine, a PC with ACPI" },
	{ "-M", "not needed: vmxrun has one machine, a PC with ACPI" },
	{ "-drive", "vmxrun spells it --disk PATH[,ro][,cache=none|writeback] (raw images, virtio-blk)" },
	{ "-hda", "vmxrun spells it --disk PATH (raw images, virtio-blk)" },
	{ "-cdrom", "vmxrun has no CD-ROM: give the image as --disk PATH,ro" },
	{ "-netdev", "vmxrun spells it --net tap[,ifname=NAME][,mac=MAC]" },
	{ "-nic", "vmxrun spells it --net tap[,ifname=NAME][,mac=MAC]" },
};

/*
 * An option word getopt would misread, as a whole: QEMU's single-dash words ("-smp" would be
 * an unknown "-s", "-cpu" would be "-c pu") and single-dash spellings of our long options
 * ("-dev"). True, with *err, if word is one of them.
 */
static bool single_dash_word(const char *word, char *err, size_t errlen)
{
	size_t n = strcspn(word, "=");

	if (word[0] != '-' || word[1] == '-' || !word[1])
		return false;
	for (size_t i = 0; i < sizeof(qemu_words) / sizeof(qemu_words[0]); i++) {
		if (strlen(qemu_words[i].word) == n && !strncmp(word, qemu_words[i].word, n)) {
			snprintf(err, errlen, PROG_NAME ": unknown option '%.*s': %s",
				 (int)n, word, qemu_words[i].hint);
			return true;
		}
	}
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (n > 2 && strlen(lo->name) == n - 1 && !strncmp(word + 1, lo->name, n - 1)) {
			snprintf(err, errlen, PROG_NAME ": unknown option '%.*s' (did you mean --%s? see " PROG_NAME " --help)",
				 (int)n, word, lo->name);
			return true;
		}
	}
	return false;
}

/*
 * The option getopt just rejected, as the user typed it: the whole word for an unknown
 * option ("--foo" without "=value", "-kernel" rather than "-k"); for one missing its value
 * (always the last argument) "--foo" or "-x". word is the argument getopt started from.
 */
static void typed(char *buf, size_t len, char **argv, const char *word, bool unknown)
{
	const char *a = argv[optind - 1];

	if (unknown)
		snprintf(buf, len, "%.*s", (int)strcspn(word, "="), word);
	else if (a[0] == '-' && a[1] == '-')
		snprintf(buf, len, "%.*s", (int)strcspn(a, "="), a);
	else
		snprintf(buf, len, "-%c", optopt);
}

/* "--c": an abbreviation of several long options; true with *err naming them. */
static bool ambiguous(const char *word, char *err, size_t errlen)
{
	size_t n = strcspn(word, "=") - 2, used;
	int matches = 0;

	if (strncmp(word, "--", 2) || !n)
		return false;
	used = (size_t)snprintf(err, errlen, PROG_NAME ": ambiguous option '%.*s' (", (int)n + 2, word);
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (strncmp(lo->name, word + 2, n) || used >= errlen)
			continue;
		used += (size_t)snprintf(err + used, errlen - used, "%s--%s", matches ? ", " : "",
					 lo->name);
		matches++;
	}
	if (used < errlen)
		snprintf(err + used, errlen - used, "?)");
	return matches > 1;
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
		if (strcmp(optarg, "stdio") && strcmp(optarg, "virtio") &&
		    (strncmp(optarg, "file:", 5) || !optarg[5]) &&
		    (strncmp(optarg, "socket:", 7) || !optarg[7]))
			return bad_value(err, errlen, "--console", optarg,
					 "not a console (stdio, file:PATH, socket:PATH or virtio)");
		o->console = optarg;
		break;
	case OPT_DISK: {
		struct blk_opts b;

		if (o->nr_disks == OPTS_MAX_DISKS)
			return bad_value(err, errlen, "--disk", optarg, "too many disks (at most 8)");
		if (blk__parse(optarg, &b, err, errlen))
			return OPTS_ERROR;
		o->disks[o->nr_disks++] = optarg;
		break;
	}
	case OPT_NET: {
		struct net_opts n;

		if (o->nr_nets == OPTS_MAX_NETS)
			return bad_value(err, errlen, "--net", optarg, "too many NICs (at most 4)");
		if (net__parse(optarg, &n, err, errlen))
			return OPTS_ERROR;
		o->nets[o->nr_nets++] = optarg;
		break;
	}
	case OPT_RNG:
		o->rng = true;
		break;
	case OPT_BALLOON: {
		struct balloon_opts b;

		if (balloon__parse(optarg, &b, err, errlen))
			return OPTS_ERROR;
		o->balloon = true;
		o->balloon_spec = optarg;
		break;
	}
	case OPT_NO_IOEVENTFD:
		o->no_ioeventfd = true;
		break;
	case OPT_GDB: {
		char host[64], msg[160];
		unsigned int port;

		if (gdb__parse_spec(optarg, host, sizeof(host), &port, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s", msg);
			return OPTS_ERROR;
		}
		o->gdb = optarg;
		break;
	}
	case OPT_GDB_WAIT:
		o->gdb_wait = true;
		break;
	case OPT_REBOOT:
		if (strcmp(optarg, "exit") && strcmp(optarg, "restart"))
			return bad_value(err, errlen, "--reboot", optarg, "not exit or restart");
		o->reboot_restart = !strcmp(optarg, "restart");
		break;
	case OPT_MEM_BACKEND:
		o->mem_backend_arg = optarg;
		o->mem_page = 0;
		if (!strcmp(optarg, "anon")) {
			o->mem_backend = MEM_ANON;
		} else if (!strcmp(optarg, "memfd")) {
			o->mem_backend = MEM_MEMFD;
		} else if (!strcmp(optarg, "hugetlbfs") || !strcmp(optarg, "hugetlbfs:2M")) {
			o->mem_backend = MEM_HUGETLBFS;
			o->mem_page = 2ull << 20;
		} else if (!strcmp(optarg, "hugetlbfs:1G")) {
			o->mem_backend = MEM_HUGETLBFS;
			o->mem_page = 1ull << 30;
		} else {
			return bad_value(err, errlen, "--mem-backend", optarg,
					 "not anon, memfd, hugetlbfs, hugetlbfs:2M or hugetlbfs:1G");
		}
		break;
	case 'm':
		switch (parse_mem_size(optarg, &o->mem_bytes)) {
		case 0:
			break;
		case -ERANGE:
			return bad_value(err, errlen, "-m", optarg, "too large: at most 1T");
		default:
			return bad_value(err, errlen, "-m", optarg,
					 "not a memory size (e.g. 512M, 1.5G, 2G)");
		}
		if (o->mem_bytes < (unsigned long long)MIN_MEM_MIB << 20)
			return bad_value(err, errlen, "-m", optarg,
					 "too small: a guest needs at least 16M");
		o->mem_arg = optarg;
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

/* A word that is not an option: the kernel, as kvmtool takes it, if none was given yet. */
static enum opts_result opts__positional(struct vmxrun_opts *o, const char *arg, char *err,
					 size_t errlen)
{
	if (o->kernel) {
		snprintf(err, errlen, PROG_NAME ": unexpected argument '%s' (the kernel is %s; the guest's command line goes in --append; see " PROG_NAME " --help)",
			 arg, o->kernel);
		return OPTS_ERROR;
	}
	o->kernel = arg;
	o->boot = true;
	return OPTS_RUN;
}

/* The combinations of options that cannot work. */
static enum opts_result opts__check(const struct vmxrun_opts *o, char *err, size_t errlen)
{
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
	if (o->gdb_wait && !o->gdb) {
		snprintf(err, errlen, PROG_NAME ": --gdb-wait waits for the GDB stub: add --gdb tcp:127.0.0.1:PORT");
		return OPTS_ERROR;
	}
	if (o->boot && !o->kernel) {
		snprintf(err, errlen, PROG_NAME ": no --kernel to boot (see " PROG_NAME " --help)");
		return OPTS_ERROR;
	}
	if (o->balloon && o->mem_backend == MEM_HUGETLBFS) {
		snprintf(err, errlen, PROG_NAME ": --balloon: guest RAM on hugetlbfs pages (--mem-backend %s) cannot give back 4 KiB pages; use --mem-backend anon or memfd",
			 o->mem_backend_arg);
		return OPTS_ERROR;
	}
	if (o->mem_backend == MEM_HUGETLBFS && o->mem_bytes % o->mem_page) {
		snprintf(err, errlen, PROG_NAME ": -m %s: not a multiple of the %s pages of --mem-backend %s",
			 o->mem_arg, o->mem_page >> 30 ? "1 GiB" : "2 MiB", o->mem_backend_arg);
		return OPTS_ERROR;
	}
	return OPTS_RUN;
}

enum opts_result opts__parse(struct vmxrun_opts *o, int argc, char **argv, char *err,
			     size_t errlen)
{
	char opt[64];
	int c, at;

	*o = (struct vmxrun_opts){
		.dev = DEFAULT_DEV,
		.mem_bytes = (unsigned long long)DEFAULT_MEM_MIB << 20,
		.mem_arg = DEFAULT_MEM_STR,
		.cpus = 1,
		.console = "stdio",
		.name = "vmxrun",
	};
	optind = 0;	/* glibc: full reset, so tests can parse again */
	opterr = 0;
	for (;;) {
		/*
		 * "+": stop at the first word that is not an option, so that every call starts
		 * on a whole word (argv[at]) and the word can be named in messages; the words
		 * that are not options are taken here one by one.
		 */
		at = optind ? optind : 1;
		if (at < argc && single_dash_word(argv[at], err, errlen))
			return OPTS_ERROR;
		c = getopt_long(argc, argv, "+:m:c:h", long_opts, NULL);
		if (c == -1) {
			if (optind >= argc)
				break;
			if (optind > at && !strcmp(argv[optind - 1], "--")) {
				for (; optind < argc; optind++)	/* after "--", all are arguments */
					if (opts__positional(o, argv[optind], err, errlen))
						return OPTS_ERROR;
				break;
			}
			if (opts__positional(o, argv[optind++], err, errlen))
				return OPTS_ERROR;
			continue;
		}
		if (c == 'h')
			return OPTS_HELP;
		if (c == OPT_VERSION)
			return OPTS_VERSION;
		if (c == '?' && ambiguous(argv[at], err, errlen))
			return OPTS_ERROR;
		if (c == ':' || c == '?') {
			typed(opt, sizeof(opt), argv, argv[at], c == '?');
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
	return opts__check(o, err, errlen);
}
