// SPDX-License-Identifier: GPL-2.0
/*
 * kexec and crash (kdump) with a KVM guest and a vmxmon guest running on every CPU (issue
 * 17: vmxmon shares kvm_intel's VMX root operation, vmx/share.c), and what the next kernel
 * must find: a CPU out of VMX operation, on which vmxmon's own VMXON succeeds.
 *
 * The machine goes down in the middle of a test, so this program runs in stages, one per
 * kernel, driven by scripts/shutdown/l1_shutdown.sh in the testbed's "shutdown" boot
 * (scripts/testbed check; the kernel's command line carries testbed.stage=N, which the L1
 * init exports as VMXMON_STAGE):
 *  - guests_run_on_every_cpu_as_the_machine_goes_down: with kvm_intel in VMX operation (a
 *    KVM VM exists) one KVM guest and one vmxmon guest per CPU run, pinned, vmxmon in
 *    shared mode; when every guest has made progress and the kernel log is clean it runs
 *    $VMXMON_SHUTDOWN_CMD (kexec -e, or echo c > /proc/sysrq-trigger with a crash kernel
 *    loaded), which must not return. Skips without that variable. With
 *    VMXMON_SHUTDOWN_ALONE=1 only vmxmon's guests run, in its own VMX operation.
 *  - after_the_old_kernel_vmxmon_owns_vmx_and_runs_guests_on_every_cpu: in the next kernel
 *    (VMXMON_STAGE >= 2), before kvm_intel is loaded: vmxmon's own VMXON succeeds on every
 *    CPU (mode own, a VMXON counted on each; VMXON in VMX operation, or with the old
 *    kernel's VMX left on, would VMfail) and a guest per CPU counts its exits exactly.
 *    Then the stage script loads kvm_intel and runs coexist_test's side-by-side case
 *    (shared again).
 * The testbed's judge (check_shutdown_boot) reads the serial log across the kernels.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apic.h"
#include "kmsg.h"
#include "kvm_util.h"
#include "status.h"
#include "util.h"
#include "vm.h"

#define SYNC_EVERY	64		/* a ucall (exit to userspace) every 64 iterations */
#define GUEST_ITERS	8192ull
#define LONG_ITERS	(1ull << 40)	/* until the machine goes down */
#define MAX_CPUS	4
#define BUF_WORDS	256

/* Each VM has its own copy (lib/vm.h: the binary is loaded into guest RAM). */
static volatile uint64_t g_iters;
static volatile uint64_t g_buf[BUF_WORDS];

/*
 * n iterations of a CPUID (handled in the kernel) whose result must not change, a write to
 * guest memory that must read back, and a ucall every SYNC_EVERY: the loop state lives in
 * registers across the exits, so a corrupted GPR or VMCS shows as an assertion or as a
 * count that is not exact.
 */
static void GUEST_CODE count_guest(uint64_t n, uint64_t seed)
{
	uint32_t ref[4], r[4];
	uint64_t i;

	guest_cpuid(0, 0, ref);
	for (i = 0; i < n; i++) {
		uint64_t v = seed * 0x9e3779b97f4a7c15ull + i;

		g_buf[i % BUF_WORDS] = v;
		guest_cpuid(0, 0, r);
		GUEST_ASSERT(r[0] == ref[0] && r[1] == ref[1] && r[2] == ref[2] && r[3] == ref[3]);
		GUEST_ASSERT(g_buf[i % BUF_WORDS] == v);
		g_iters = i + 1;
		if (i % SYNC_EVERY == SYNC_EVERY - 1)
			GUEST_SYNC(i);
	}
}

/* Pin this thread (and the threads it starts) to cpu, or to every CPU with cpu < 0. */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < 64; c++)
		if (cpu < 0 || c == cpu)
			CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static struct vcpu *guest_on_dev(struct test_ctx *t, const char *dev, uint64_t n,
				 uint64_t seed)
{
	const char *saved = t->dev;
	struct vcpu *vcpu;

	t->dev = dev;
	vcpu = t_guest_new(t, GUEST_FN(count_guest), n, seed);
	t->dev = saved;
	return vcpu;
}

static int online_cpus(struct test_ctx *t, int *ids)
{
	int n = cpus_online(ids, MAX_CPUS);

	if (n <= 0) {
		t_fail(t, __FILE__, __LINE__, "cannot read the online CPUs: %d", n);
		t_abort(t);
	}
	return n;
}

static unsigned long bad_taint(void)
{
	unsigned long taint = 0;

	taint_read(&taint);
	return taint & (TAINT_WARN | TAINT_DIE);
}

/*
 * No Oops/BUG/WARNING line since the mark and no new W/D taint since taint_before (6.12
 * boots with W set: a boot-time WARNING about Bochs's CPUID, before any vmxmon code ran).
 */
static void expect_log_clean(struct test_ctx *t, struct kmsg_mark *mark,
			     unsigned long taint_before, const char *when)
{
	static char log[64 * 1024];
	const char *first;
	int n;

	t_kmsg_since(t, mark, log, sizeof(log));
	n = kmsg_count_trouble(log, &first);
	if (n)
		t_fail(t, __FILE__, __LINE__, "%s: %d Oops/BUG/WARNING lines, first: %.*s", when, n,
		       (int)strcspn(first, "\n"), first);
	if (bad_taint() != taint_before)
		t_fail(t, __FILE__, __LINE__, "%s: kernel taint W/D %#lx, was %#lx", when,
		       bad_taint(), taint_before);
}

TEST_DEFINE(guests_run_on_every_cpu_as_the_machine_goes_down, TAG_VMXMON_ONLY, 1800)
{
	struct vcpu_thread kt[MAX_CPUS] = { 0 }, vt[MAX_CPUS] = { 0 };
	const char *cmd = getenv("VMXMON_SHUTDOWN_CMD");
	int ids[MAX_CPUS], n, kfd, kvm_vm, shared = 0, r;
	struct vmxmon_status s;
	struct kmsg_mark mark;
	unsigned long taint;
	bool alone;

	if (!cmd)
		t_skip(t, "VMXMON_SHUTDOWN_CMD not set (scripts/shutdown/l1_shutdown.sh sets it)");
	/* VMXMON_SHUTDOWN_ALONE=1: vmxmon's guests only, its own VMX (no kvm_intel). */
	alone = getenv("VMXMON_SHUTDOWN_ALONE") != NULL;
	kfd = alone ? -1 : dev_open(t->kvm_dev);
	if (!alone && kfd < 0)
		t_skip(t, "%s: %s (kvm_intel not loaded)", t->kvm_dev, strerror(-kfd));
	n = online_cpus(t, ids);
	taint = bad_taint();
	t_kmsg_mark(t, &mark);
	/* A KVM VM first: kvm_intel is in VMX operation on 6.1 too, vmxmon shares it. */
	kvm_vm = alone ? -1 : dev_create_vm(kfd, 0);
	if (!alone)
		ASSERT_GE(kvm_vm, 0);
	for (int i = 0; i < n; i++) {
		struct vcpu *k = alone ? NULL : guest_on_dev(t, t->kvm_dev, LONG_ITERS, 2 * i + 1);
		struct vcpu *v = guest_on_dev(t, t->dev, LONG_ITERS, 2 * i + 2);

		pin(ids[i]);
		if (k)
			vcpu_thread_start(&kt[i], k);
		vcpu_thread_start(&vt[i], v);
	}
	pin(-1);
	/* Every guest past a few exits to userspace, none ended. */
	for (int tries = 0; tries < 3000; tries++) {
		int slow = 0;

		for (int i = 0; i < n; i++)
			slow += (!alone && kt[i].syncs < 4) || vt[i].syncs < 4;
		if (!slow)
			break;
		usleep(100 * 1000);
	}
	for (int i = 0; i < n; i++) {
		t_log(t, "cpu%d: KVM guest %llu exits to userspace, vmxmon guest %llu", ids[i],
		      (unsigned long long)kt[i].syncs, (unsigned long long)vt[i].syncs);
		if (kt[i].finished || vt[i].finished)
			t_fail(t, __FILE__, __LINE__, "cpu%d: a guest ended: %s%s", ids[i], kt[i].why,
			       vt[i].why);
		if (!alone)
			EXPECT_GE(kt[i].syncs, 4);
		EXPECT_GE(vt[i].syncs, 4);
	}
	t_status(t, &s);
	for (int i = 0; i < s.nr_cpus; i++)
		shared += s.cpu[i].shared;
	EXPECT_EQ(shared, alone ? 0 : s.nr_cpus);
	expect_log_clean(t, &mark, taint, "before going down");
	kmsg_mark_close(&mark);
	if (t_failed(t))
		return;
	t_log(t, "%d KVM and %d vmxmon guests running, vmxmon shared on %d CPUs: %s", n, n,
	      shared, cmd);
	fflush(stdout);
	fflush(stderr);
	sleep(1);	/* the serial console drains that line before the kernel's own follow */
	r = system(cmd);
	/* kexec -e and a crash do not come back. */
	sleep(120);
	t_fail(t, __FILE__, __LINE__, "\"%s\" returned %d and the kernel is still up", cmd, r);
	if (!alone) {
		close(kvm_vm);
		close(kfd);
	}
}

TEST_DEFINE(after_the_old_kernel_vmxmon_owns_vmx_and_runs_guests_on_every_cpu,
	    TAG_VMXMON_ONLY, 1800)
{
	struct vcpu_thread vt[MAX_CPUS] = { 0 };
	struct vcpu *v[MAX_CPUS];
	const char *stage = getenv("VMXMON_STAGE");
	int ids[MAX_CPUS], n;
	struct vmxmon_status before, s;
	struct kmsg_mark mark;
	unsigned long taint;

	if (!stage || atoi(stage) < 2)
		t_skip(t, "not in a kernel started by kexec or a crash (VMXMON_STAGE < 2)");
	if (!access("/sys/module/kvm_intel", F_OK))
		t_skip(t, "kvm_intel is loaded: vmxmon would share its VMX");
	n = online_cpus(t, ids);
	taint = bad_taint();
	t_kmsg_mark(t, &mark);
	t_status_idle(t, &before);
	for (int i = 0; i < n; i++) {
		v[i] = guest_on_dev(t, t->dev, GUEST_ITERS, i + 7);
		pin(ids[i]);
		vcpu_thread_start(&vt[i], v[i]);
	}
	pin(-1);
	t_status(t, &s);
	for (int i = 0; i < s.nr_cpus; i++) {
		const struct vmxmon_cpu_status *c = &s.cpu[i];
		const struct vmxmon_cpu_status *b = status_cpu(&before, c->cpu);

		t_log(t, "cpu%d: vmx_on=%d shared=%d vmxon=%llu", c->cpu, c->vmx_on, c->shared,
		      c->vmxon);
		EXPECT_EQ(c->vmx_on, true);
		EXPECT_EQ(c->shared, false);		/* our own VMXON, not someone's left over */
		EXPECT_EQ(c->vmxon, (b ? b->vmxon : 0) + 1);
	}
	for (int i = 0; i < n; i++) {
		ASSERT_TRUE(vcpu_thread_join(&vt[i], 900 * 1000));
		t_vcpu_thread_expect_done(t, &vt[i]);
		EXPECT_EQ(vt[i].syncs, GUEST_ITERS / SYNC_EVERY);
		EXPECT_EQ(GUEST_VAR(v[i]->vm, g_iters), GUEST_ITERS);
		vm_free(v[i]->vm);
	}
	expect_log_clean(t, &mark, taint, "vmxmon in the new kernel");
	kmsg_mark_close(&mark);
}
