// SPDX-License-Identifier: GPL-2.0
/*
 * vmxrun: the vmxmon launcher. It boots a Linux bzImage or a multiboot kernel (vm/run.c) on
 * /dev/vmxmon or /dev/kvm, or describes the device (--info).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "util/err.h"
#include "util/term.h"
#include "vm/caps.h"
#include "vm/hv.h"
#include "vm/vm.h"

#define VMXMON_STATUS "/sys/kernel/debug/vmxmon/status"

/* Print vmxmon's debugfs status indented, or say why it cannot be shown. */
static void print_status(const struct hv *d, const char *when)
{
	char line[256];
	FILE *f;

	if (!d->is_vmxmon) {
		printf("%s: (%s is not vmxmon: no vmxmon status to show)\n", when, d->path);
		return;
	}
	f = fopen(VMXMON_STATUS, "re");
	if (!f) {
		printf("%s: (%s: %s; it needs root and debugfs on /sys/kernel/debug)\n", when,
		       VMXMON_STATUS, strerror(errno));
		return;
	}
	printf("%s, %s:\n", when, VMXMON_STATUS);
	while (fgets(line, sizeof(line), f))
		printf("    %s", line);
	fclose(f);
}

static int do_info(const struct vmxrun_opts *o)
{
	char msg[512];
	struct hv d;
	struct vm vm;

	if (hv__open(&d, o->dev, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	printf("device: %s (%s), KVM API version %d\n", d.path,
	       d.is_vmxmon ? "vmxmon" : "not vmxmon", d.api_version);
	printf("capabilities (KVM_CHECK_EXTENSION; 0 = not supported):\n");
	for (size_t i = 0; i < kvm_caps_count; i++) {
		long r = hv__check_extension(&d, kvm_caps[i].cap);

		if (r < 0)
			printf("    %-30s error: %s\n", kvm_caps[i].name, strerror((int)-r));
		else
			printf("    %-30s %ld\n", kvm_caps[i].name, r);
	}
	if (vm__create(&vm, &d, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		hv__close(&d);
		return 1;
	}
	printf("VM created (fd %d)\n", vm.fd);
	print_status(&d, "while the VM exists");
	vm__destroy(&vm);
	printf("VM closed\n");
	print_status(&d, "after closing it");
	hv__close(&d);
	return 0;
}

int main(int argc, char **argv)
{
	struct vmxrun_opts o;
	char err[512];

	term__catch_fatal_signals();
	switch (opts__parse(&o, argc, argv, err, sizeof(err))) {
	case OPTS_HELP:
		opts__usage(stdout);
		return 0;
	case OPTS_VERSION:
		opts__version(stdout);
		return 0;
	case OPTS_ERROR:
		fprintf(stderr, "%s\n", err);
		return 2;
	case OPTS_RUN:
		break;
	}
	return o.info ? do_info(&o) : vm__run(&o);
}
