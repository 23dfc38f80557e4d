/* SPDX-License-Identifier: GPL-2.0 */
/* vmxrun's command line. */
#ifndef VMXRUN_OPTIONS_H
#define VMXRUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DEFAULT_DEV		"/dev/vmxmon"
#define DEFAULT_MEM_MIB		256
#define MAX_CPUS		255	/* xAPIC IDs; more needs x2APIC */

struct vmxrun_opts {
	const char *dev;
	bool info;
	/* Booting a guest: parsed and checked, not supported yet. */
	const char *kernel, *initrd, *append;
	unsigned long long mem_bytes;
	unsigned int cpus;
	bool boot;		/* one of --kernel/--initrd/--append/-m/-c was given */
};

enum opts_result {
	OPTS_RUN,		/* go on with *o */
	OPTS_HELP,		/* --help: print opts__usage(), exit 0 */
	OPTS_ERROR,		/* err holds the message; exit 2 */
};

/* Parse argv into *o (defaults first). Resets getopt, so it can be called again. */
enum opts_result opts__parse(struct vmxrun_opts *o, int argc, char **argv, char *err,
			     size_t errlen);
void opts__usage(FILE *f);

#endif
