/* SPDX-License-Identifier: GPL-2.0 */
/* vmxrun's command line. */
#ifndef VMXRUN_OPTIONS_H
#define VMXRUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DEFAULT_DEV		"/dev/vmxmon"
#define DEFAULT_MEM_MIB		256
#define DEFAULT_MEM_STR		"256M"
#define MAX_CPUS		254	/* xAPIC IDs 0-254 (255 is the broadcast ID) */
#define MAX_CPUS_STR		"254"
#define MIN_MEM_MIB		16
#define VMXRUN_VERSION_MAJOR	0
#define VMXRUN_VERSION_MINOR	1
#define VMXRUN_VERSION		"0.1"	/* the two above; also in the control socket's greeting */
#define OPTS_MAX_DISKS		8
#define OPTS_MAX_NETS		4

struct vmxrun_opts {
	const char *dev;
	bool info;
	const char *kernel, *initrd, *append;
	unsigned long long mem_bytes;
	const char *mem_arg;	/* -m as the user typed it, for messages ("1.5G") */
	unsigned int cpus;
	bool no_apic;		/* --no-apic: PIC-only machine (1 vCPU) */
	const char *console;	/* "stdio", "file:PATH", "socket:PATH" or "virtio" */
	const char *disks[OPTS_MAX_DISKS];	/* --disk specs, checked by blk__parse */
	unsigned int nr_disks;
	const char *nets[OPTS_MAX_NETS];	/* --net specs, checked by net__parse */
	unsigned int nr_nets;
	bool rng;		/* --rng: a virtio-rng device */
	bool balloon;		/* --balloon: a virtio-balloon device ... */
	const char *balloon_spec;	/* ... with these options (balloon__parse), or NULL */
	bool no_ioeventfd;	/* --no-ioeventfd: plain exits for kicks and interrupts */
	const char *name;	/* the VM's name (control socket, messages) */
	const char *control;	/* control socket path, NULL: none */
	bool reboot_restart;	/* --reboot=restart: a guest reboot restarts it */
	const char *gdb;	/* --gdb tcp:HOST:PORT: the GDB stub, NULL: none */
	bool gdb_wait;		/* --gdb-wait: vCPUs wait for GDB at the first instruction */
	bool boot;		/* a boot option was given */
	enum { MEM_ANON, MEM_MEMFD, MEM_HUGETLBFS } mem_backend;	/* --mem-backend */
	unsigned long long mem_page;	/* hugetlbfs: its page size (2 MiB or 1 GiB) */
	const char *mem_backend_arg;	/* as typed, for messages */
};

enum opts_result {
	OPTS_RUN,		/* go on with *o */
	OPTS_HELP,		/* --help: print opts__usage(), exit 0 */
	OPTS_VERSION,		/* --version: print opts__version(), exit 0 */
	OPTS_ERROR,		/* err holds the message; exit 2 */
};

/* Parse argv into *o (defaults first). Resets getopt, so it can be called again. */
enum opts_result opts__parse(struct vmxrun_opts *o, int argc, char **argv, char *err,
			     size_t errlen);
void opts__usage(FILE *f);
void opts__version(FILE *f);

#endif
