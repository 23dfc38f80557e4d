/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxmon's debugfs status file, /sys/kernel/debug/vmxmon/status:
 *   vms: <live VMs>
 *   vmx_users: <0 or 1>
 *   pages: <pages the module holds>
 *   cpu<N>: vmx=<on|off> vmxon=<count> vmxoff=<count> loaded_vmcs=<n>   (one per online CPU)
 * The parser is strict: any other line, or a missing one, is a format error.
 */
#ifndef VMXMON_SELFTESTS_STATUS_H
#define VMXMON_SELFTESTS_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define VMXMON_STATUS_PATH "/sys/kernel/debug/vmxmon/status"
#define STATUS_MAX_CPUS 64

struct vmxmon_cpu_status {
	int cpu;
	bool vmx_on;
	unsigned long long vmxon, vmxoff, loaded_vmcs;
};

struct vmxmon_status {
	unsigned long long vms, vmx_users, pages;
	int nr_cpus;
	struct vmxmon_cpu_status cpu[STATUS_MAX_CPUS];
};

/* 0, or -EPROTO with a description of the first bad line in err. */
int status_parse(const char *text, struct vmxmon_status *s, char *err, size_t errlen);

/* Read and parse the status file; skips the test when debugfs is unavailable. */
void t_status(struct test_ctx *t, struct vmxmon_status *s);

/* Test that every CPU line says vmx=on (on) or vmx=off. */
void t_expect_vmx(struct test_ctx *t, const struct vmxmon_status *s, bool on, const char *when);

#define ANY_COUNT (-1LL)
/*
 * Read the status into *now and test it against what should be, given *before (taken with no
 * VM alive): vms VMs; VMX held (vmx_users 1, every CPU vmx=on) iff vms > 0; each CPU's vmxon
 * and vmxoff counters moved by exactly on and off. With on = off = ANY_COUNT the counters
 * only have to balance: VMXONs not undone by a VMXOFF are 1 while VMX is held, else 0.
 */
void t_expect_state(struct test_ctx *t, const struct vmxmon_status *before,
		    unsigned long long vms, long long on, long long off, const char *when,
		    struct vmxmon_status *now);

/* The CPU line for cpu, or NULL. */
const struct vmxmon_cpu_status *status_cpu(const struct vmxmon_status *s, int cpu);

#endif
