/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxmon's debugfs status file, /sys/kernel/debug/vmxmon/status:
 *   vms: <live VMs>
 *   vmx_users: <0 or 1: VMX held, for VMs or for vmx_idle_ms after the last one>
 *   pages: <pages the module holds>
 *   guest_pages_mapped: <guest RAM pages in some VM's EPT>    (optional: newer modules)
 *   mmu_notifiers: <memslot MMU notifiers registered>         (optional, with the above)
 *   cpu<N>: vmx=<on|off> vmxon=<count> vmxoff=<count> loaded_vmcs=<n>   (one per online CPU)
 *           [mode=<off|own|shared> shared=<count> takeover=<count>]  (optional: issue 17)
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
	bool shared;			/* mode=shared: another hypervisor's VMX operation */
	unsigned long long shared_count, takeovers;
};

struct vmxmon_status {
	unsigned long long vms, vmx_users, pages;
	bool has_guest_pages;		/* the two lines below were there */
	unsigned long long guest_pages_mapped, mmu_notifiers;
	int nr_cpus;
	struct vmxmon_cpu_status cpu[STATUS_MAX_CPUS];
};

/* 0, or -EPROTO with a description of the first bad line in err. */
int status_parse(const char *text, struct vmxmon_status *s, char *err, size_t errlen);

/* Read and parse the status file; skips the test when debugfs is unavailable. */
void t_status(struct test_ctx *t, struct vmxmon_status *s);

/* vmxmon's vmx_idle_ms parameter: how long VMX stays on after the last VM; 0 without it. */
#define VMX_IDLE_MS_PATH "/sys/module/vmxmon/parameters/vmx_idle_ms"
long vmx_idle_ms(void);

/*
 * Wait (polling) until no VM exists and VMX is released, at most vmx_idle_ms + 10 s: true
 * if it got there; *s is the last status read. t_status_idle() fails the test otherwise:
 * a baseline for tests that count VMXON/VMXOFF or need VMX free (kvm_intel).
 */
bool status_wait_idle(struct test_ctx *t, struct vmxmon_status *s);
void t_status_idle(struct test_ctx *t, struct vmxmon_status *s);

/* Test that every CPU line says vmx=on (on) or vmx=off. */
void t_expect_vmx(struct test_ctx *t, const struct vmxmon_status *s, bool on, const char *when);

#define ANY_COUNT (-1LL)
/*
 * Read the status into *now and test it against what should be, given *before (taken with no
 * VM alive and VMX released: t_status_idle()): vms VMs; VMX held (vmx_users 1, every CPU
 * vmx=on) iff vms > 0 (with vms = 0 it first waits for the idle hold to end); each CPU's
 * vmxon and vmxoff counters moved by exactly on and off. With on = off = ANY_COUNT the
 * counters only have to balance: VMXONs not undone by a VMXOFF are 1 while VMX is held,
 * else 0.
 */
void t_expect_state(struct test_ctx *t, const struct vmxmon_status *before,
		    unsigned long long vms, long long on, long long off, const char *when,
		    struct vmxmon_status *now);

/*
 * A CPU's enables and disables: VMXON/VMXOFF, or, in another hypervisor's VMX operation
 * (mode=shared, issue 17), taking it without VMXON and leaving it without VMXOFF; a
 * takeover turns a shared enable into our VMXON. Equal to vmxon/vmxoff without sharing.
 */
unsigned long long status_cpu_enables(const struct vmxmon_cpu_status *c);
unsigned long long status_cpu_disables(const struct vmxmon_cpu_status *c);

/* The CPU line for cpu, or NULL. */
const struct vmxmon_cpu_status *status_cpu(const struct vmxmon_status *s, int cpu);

#endif
