// SPDX-License-Identifier: GPL-2.0
/*
 * vmxmon and kvm_intel in one kernel. When kvm_intel is in VMX operation first, vmxmon
 * shares it (vmx/share.c): a KVM guest and a vmxmon guest run side by side on the same
 * CPUs, each counting its own exits exactly and checking its own registers and memory, and
 * the owner may leave (its last VM closed on 6.1, rmmod kvm_intel) while a vmxmon guest
 * runs: vmxmon then takes VMX over. When vmxmon is first, kvm_intel refuses cleanly (it
 * will not VMXON with CR4.VMXE set) and vmxmon's VMX survives the attempt. Needs kvm_intel
 * loaded (--kvm-dev, default /dev/kvm); skips otherwise.
 *
 * kvm_intel takes VMX either while a KVM VM exists (6.1, and 6.12 with
 * kvm.enable_virt_at_load=0) or from its load until it is unloaded (6.12's default,
 * enable_virt_at_load=1); selftests/run_l1.sh runs this program under both.
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

#define SHARE_MSG "belongs to another hypervisor (kvm_intel): sharing it"
#define SYNC_EVERY 64			/* a ucall (exit to userspace) every 64 iterations */
#define GUEST_ITERS 32768ull
#define LONG_ITERS (1ull << 40)		/* until told to stop */
#define BUF_WORDS 512

/* Each VM has its own copy of these (lib/vm.h: the binary is loaded into guest RAM). */
static volatile uint64_t g_iters, g_stop;
static volatile uint64_t g_buf[BUF_WORDS];

/*
 * n iterations of: a CPUID (an exit the kernel handles) whose result must match the first
 * one, a write to guest memory that must read back and must not have disturbed the
 * previous one, and every SYNC_EVERY iterations a ucall (an exit to userspace). The loop
 * state lives in registers across the exits: a corrupted GPR or VMCS shows as a failed
 * assertion, or as a count that is not exact.
 */
static void GUEST_CODE share_guest(uint64_t n, uint64_t seed)
{
	uint32_t ref[4], r[4];
	uint64_t i;

	guest_cpuid(0, 0, ref);
	for (i = 0; i < n && !GUEST_READ_ONCE(g_stop); i++) {
		uint64_t v = seed * 0x9e3779b97f4a7c15ull + i;

		g_buf[i % BUF_WORDS] = v;
		guest_cpuid(0, 0, r);
		GUEST_ASSERT(r[0] == ref[0] && r[1] == ref[1] && r[2] == ref[2] && r[3] == ref[3]);
		GUEST_ASSERT(g_buf[i % BUF_WORDS] == v);
		GUEST_ASSERT(!i || g_buf[(i - 1) % BUF_WORDS] == v - 1);
		g_iters = i + 1;
		if (i % SYNC_EVERY == SYNC_EVERY - 1)
			GUEST_SYNC(i);
	}
}

static int kvm_open(struct test_ctx *t)
{
	int fd = dev_open(t->kvm_dev);

	if (fd == -ENOENT || fd == -ENXIO || fd == -ENODEV)
		t_skip(t, "%s: %s (kvm_intel not loaded)", t->kvm_dev, strerror(-fd));
	if (fd < 0) {
		t_fail(t, __FILE__, __LINE__, "open %s: %s", t->kvm_dev, strerror(-fd));
		t_abort(t);
	}
	return fd;
}

/* Whether kvm_intel holds VMX from its load (6.12's kvm.enable_virt_at_load=1). */
static bool kvm_holds_vmx_from_load(void)
{
	char buf[8];

	/* 6.1's kvm has no such parameter: VMX only while a KVM VM exists. */
	if (read_file("/sys/module/kvm/parameters/enable_virt_at_load", buf, sizeof(buf)))
		return false;
	return buf[0] == 'Y' || buf[0] == '1';
}

/* vmxmon's vmx_local=1: VMX only inside its run sections, KVM may enable at any time. */
static bool vmxmon_vmx_local(void)
{
	char buf[8];

	if (read_file("/sys/module/vmxmon/parameters/vmx_local", buf, sizeof(buf)))
		return false;
	return buf[0] == 'Y' || buf[0] == '1';
}

static void skip_if_kvm_holds_vmx_from_load(struct test_ctx *t)
{
	if (kvm_holds_vmx_from_load())
		t_skip(t, "kvm_intel holds VMX from its load (kvm.enable_virt_at_load=1)");
}

static unsigned long bad_taint(struct test_ctx *t)
{
	unsigned long taint = 0;

	if (taint_read(&taint))
		t_log(t, "cannot read /proc/sys/kernel/tainted");
	return taint & (TAINT_WARN | TAINT_DIE);
}

/* No oops or warning in the log since the mark, and no new W/D taint. */
static void expect_kernel_healthy(struct test_ctx *t, const char *log, unsigned long taint_before)
{
	const char *first;
	int n = kmsg_count_trouble(log, &first);

	if (n)
		t_fail(t, __FILE__, __LINE__, "kernel log has %d Oops/BUG/WARNING lines, first: %.*s",
		       n, (int)strcspn(first, "\n"), first);
	EXPECT_EQ(bad_taint(t), taint_before);
}

/*
 * KVM_CREATE_VM on fd (of device dev) fails with -EBUSY, or with also_ok (0: none); *log gets
 * what the kernel said.
 */
static void expect_create_busy_or(struct test_ctx *t, int fd, const char *dev, int also_ok,
				  char *log, size_t len)
{
	struct kmsg_mark mark;
	int vm;

	t_kmsg_mark(t, &mark);
	vm = dev_create_vm(fd, 0);
	if (vm != -EBUSY && (!also_ok || vm != also_ok))
		t_fail(t, __FILE__, __LINE__, "KVM_CREATE_VM on %s with VMX taken: expected -EBUSY, got %d",
		       dev, vm);
	if (vm >= 0)
		close(vm);
	t_kmsg_since(t, &mark, log, len);
	kmsg_mark_close(&mark);
}

static int count_and_log(struct test_ctx *t, const char *log, const char *needle, const char **line)
{
	int n = count_lines_containing(log, needle, line);

	if (n)
		t_log(t, "kernel: %.*s", (int)strcspn(*line, "\n"), *line);
	return n;
}


/* A guest on the KVM device (t->kvm_dev) rather than the one under test. */
static struct vcpu *kvm_guest_new(struct test_ctx *t, uint64_t n, uint64_t seed)
{
	const char *dev = t->dev;
	struct vcpu *vcpu;

	t->dev = t->kvm_dev;
	vcpu = t_guest_new(t, GUEST_FN(share_guest), n, seed);
	t->dev = dev;
	return vcpu;
}

/* The guest ended with DONE after exactly n iterations and n / SYNC_EVERY ucalls. */
static void expect_exact(struct test_ctx *t, struct vcpu_thread *vt, uint64_t n,
			 const char *who)
{
	t_vcpu_thread_expect_done(t, vt);
	if (vt->syncs != n / SYNC_EVERY)
		t_fail(t, __FILE__, __LINE__, "%s: %llu exits to userspace, expected %llu", who,
		       (unsigned long long)vt->syncs, (unsigned long long)(n / SYNC_EVERY));
	if (GUEST_VAR(vt->vcpu->vm, g_iters) != n)
		t_fail(t, __FILE__, __LINE__, "%s: %llu iterations, expected %llu", who,
		       (unsigned long long)GUEST_VAR(vt->vcpu->vm, g_iters), (unsigned long long)n);
}

/* Pin this thread (and the threads it starts) to cpu, or to every CPU with cpu < 0. */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < CPU_SETSIZE && c < 64; c++)
		if (cpu < 0 || c == cpu)
			CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int shared_cpus(const struct vmxmon_status *s)
{
	int n = 0;

	for (int i = 0; i < s->nr_cpus; i++)
		n += s->cpu[i].shared;
	return n;
}

static unsigned long long takeovers(const struct vmxmon_status *s)
{
	unsigned long long n = 0;

	for (int i = 0; i < s->nr_cpus; i++)
		n += s->cpu[i].takeovers;
	return n;
}

/* One KVM guest and one vmxmon guest at once, both pinned to cpu (or free: -1). */
static void run_side_by_side(struct test_ctx *t, int cpu, bool close_kvm_first)
{
	struct vcpu_thread kt = { 0 }, vt = { 0 };
	struct vmxmon_status s;
	struct vcpu *kvm, *ours;

	kvm = kvm_guest_new(t, GUEST_ITERS, 1);
	ours = t_guest_new(t, GUEST_FN(share_guest), GUEST_ITERS, 2);
	t_status(t, &s);
	if (shared_cpus(&s) != s.nr_cpus)
		t_fail(t, __FILE__, __LINE__, "%d of %d CPUs in mode=shared with kvm_intel in VMX operation",
		       shared_cpus(&s), s.nr_cpus);
	pin(cpu);
	vcpu_thread_start(&kt, kvm);
	vcpu_thread_start(&vt, ours);
	pin(-1);
	vcpu_thread_join(&kt, 900 * 1000);
	vcpu_thread_join(&vt, 900 * 1000);
	expect_exact(t, &kt, GUEST_ITERS, "KVM guest");
	expect_exact(t, &vt, GUEST_ITERS, "vmxmon guest");
	if (close_kvm_first) {
		vm_free(kvm->vm);
		vm_free(ours->vm);
	} else {
		vm_free(ours->vm);
		vm_free(kvm->vm);
	}
}

/*
 * kvm_intel in VMX operation first (a KVM VM on 6.1; from its load with 6.12's default):
 * vmxmon shares it instead of failing with -EBUSY, says so in one log line and in
 * debugfs, and both guests run exactly, on one CPU and on all, the VMs closed in both
 * orders. KVM keeps working, and nothing of ours is left once our VMs are gone.
 */
TEST_VMXMON_ONLY(kvm_and_vmxmon_guests_share_vmx_side_by_side)
{
	static char log[64 * 1024];
	struct vmxmon_status before, s;
	struct kmsg_mark mark;
	unsigned long taint;
	int kfd, kvm_vm, n;
	const char *line;

	kfd = kvm_open(t);
	t_status_idle(t, &before);
	taint = bad_taint(t);
	t_kmsg_mark(t, &mark);
	/* A KVM VM first, so that kvm_intel is in VMX operation on 6.1 too. */
	kvm_vm = dev_create_vm(kfd, 0);
	ASSERT_GE(kvm_vm, 0);

	run_side_by_side(t, 0, true);
	run_side_by_side(t, -1, false);
	t_expect_state(t, &before, 0, ANY_COUNT, ANY_COUNT, "our VMs closed", &s);
	EXPECT_EQ(s.pages, before.pages);

	t_kmsg_since(t, &mark, log, sizeof(log));
	kmsg_mark_close(&mark);
	n = count_and_log(t, log, SHARE_MSG, &line);
	if (n > 1)
		t_fail(t, __FILE__, __LINE__, "%d log lines with \"%s\", expected at most one", n,
		       SHARE_MSG);
	if (n && strncmp(line, "vmxmon: ", 8))
		t_fail(t, __FILE__, __LINE__, "the log line does not start with \"vmxmon: \"");
	expect_kernel_healthy(t, log, taint);

	/* KVM's VMX and VMs are untouched: it still runs a guest. */
	{
		struct vcpu_thread kt = { 0 };
		struct vcpu *kvm = kvm_guest_new(t, GUEST_ITERS, 3);

		vcpu_thread_start(&kt, kvm);
		vcpu_thread_join(&kt, 900 * 1000);
		expect_exact(t, &kt, GUEST_ITERS, "KVM guest after ours");
		vm_free(kvm->vm);
	}
	close(kvm_vm);
	close(kfd);
}

/* insmod/rmmod through the shell: 0 on success. */
static int run_cmd(struct test_ctx *t, const char *cmd)
{
	int r = system(cmd);

	t_log(t, "%s: %d", cmd, r);
	return r;
}

/*
 * The owner leaves while a vmxmon guest runs: its KVM VM closed (6.1: kvm_intel leaves VMX
 * operation after its last VM), then rmmod kvm_intel (6.12: leaves it at unload). vmxmon
 * finds CR4.VMXE clear at its next section and VMXONs itself: the guest goes on, exactly.
 * Then kvm_intel loads again once our VM is gone (and its VMX released).
 */
TEST_VMXMON_ONLY(kvm_leaving_vmx_while_a_vmxmon_guest_runs_hands_it_over)
{
	static char log[64 * 1024];
	struct vmxmon_status before, s;
	struct vcpu_thread vt = { 0 };
	const char *kmods = getenv("VMXMON_KMODS");
	char cmd[512];
	struct kmsg_mark mark;
	unsigned long taint;
	struct vcpu *kvm, *ours;
	uint64_t done;
	int kfd;

	kfd = kvm_open(t);
	t_status_idle(t, &before);
	taint = bad_taint(t);
	t_kmsg_mark(t, &mark);
	kvm = kvm_guest_new(t, GUEST_ITERS, 1);
	ours = t_guest_new(t, GUEST_FN(share_guest), LONG_ITERS, 2);
	vcpu_thread_start(&vt, ours);
	usleep(200 * 1000);
	vm_free(kvm->vm);
	close(kfd);
	usleep(200 * 1000);
	if (run_cmd(t, "rmmod kvm_intel"))
		t_fail(t, __FILE__, __LINE__, "rmmod kvm_intel failed");
	usleep(500 * 1000);
	if (vt.finished)
		t_fail(t, __FILE__, __LINE__, "our guest ended while the owner left: %s", vt.why);
	GUEST_VAR(ours->vm, g_stop) = 1;
	vcpu_thread_join(&vt, 900 * 1000);
	t_vcpu_thread_expect_done(t, &vt);
	done = GUEST_VAR(ours->vm, g_iters);
	if (vt.syncs != done / SYNC_EVERY)
		t_fail(t, __FILE__, __LINE__, "%llu exits to userspace for %llu iterations",
		       (unsigned long long)vt.syncs, (unsigned long long)done);
	t_status(t, &s);
	t_log(t, "%llu iterations; takeovers %llu", (unsigned long long)done, takeovers(&s));
	if (!takeovers(&s) && !vmxmon_vmx_local())	/* local: VMXON per section instead */
		t_fail(t, __FILE__, __LINE__, "no CPU taken over after kvm_intel left VMX operation");
	vm_free(ours->vm);
	t_expect_state(t, &before, 0, ANY_COUNT, ANY_COUNT, "our VM closed", &s);
	EXPECT_EQ(s.pages, before.pages);
	t_kmsg_since(t, &mark, log, sizeof(log));
	kmsg_mark_close(&mark);
	expect_kernel_healthy(t, log, taint);

	/* kvm_intel again, for what comes next (run_l1.sh); KVM works. */
	snprintf(cmd, sizeof(cmd), "insmod %s/kvm-intel.ko", kmods ? kmods : "/vmxmon/kmods");
	if (run_cmd(t, cmd))
		t_fail(t, __FILE__, __LINE__, "%s failed", cmd);
	kfd = kvm_open(t);
	{
		struct vcpu_thread kt = { 0 };

		kvm = kvm_guest_new(t, GUEST_ITERS, 3);
		vcpu_thread_start(&kt, kvm);
		vcpu_thread_join(&kt, 900 * 1000);
		expect_exact(t, &kt, GUEST_ITERS, "KVM guest after reload");
		vm_free(kvm->vm);
	}
	close(kfd);
}

/*
 * The other order, with kvm_intel loaded only now (6.12's default holds VMX from the load):
 * vmxmon is in VMX operation first, on its own, and kvm_intel will not VMXON where CR4.VMXE
 * is set (kvm_cpu_vmxon(): -EBUSY on 6.1; the load fails with -EIO on 6.12). Its refusal
 * must be clean, our guest must not notice, and once our VM is gone (and VMX released after
 * vmx_idle_ms) kvm_intel loads and runs guests.
 */
TEST_VMXMON_ONLY(kvm_intel_loaded_while_a_vmxmon_guest_runs_refuses_cleanly_then_loads)
{
	static char log[64 * 1024];
	struct vmxmon_status before, s;
	struct vcpu_thread vt = { 0 }, kt = { 0 };
	const char *kmods = getenv("VMXMON_KMODS");
	char cmd[512];
	struct kmsg_mark mark;
	unsigned long taint;
	struct vcpu *ours, *kvm;
	int kfd, r;

	kfd = kvm_open(t);		/* skips without kvm_intel: the test reloads it */
	close(kfd);
	if (run_cmd(t, "rmmod kvm_intel"))
		t_skip(t, "cannot rmmod kvm_intel");
	snprintf(cmd, sizeof(cmd), "insmod %s/kvm-intel.ko", kmods ? kmods : "/vmxmon/kmods");
	t_status_idle(t, &before);
	taint = bad_taint(t);
	t_kmsg_mark(t, &mark);
	ours = t_guest_new(t, GUEST_FN(share_guest), LONG_ITERS, 2);
	vcpu_thread_start(&vt, ours);
	usleep(200 * 1000);
	t_status(t, &s);
	if (shared_cpus(&s) && !vmxmon_vmx_local())
		t_fail(t, __FILE__, __LINE__, "mode=shared without kvm_intel");
	r = run_cmd(t, cmd);
	if (vmxmon_vmx_local()) {
		struct vcpu_thread kt = { 0 };

		/* VMX is ours only inside sections: kvm_intel loads and runs alongside. */
		if (r)
			t_fail(t, __FILE__, __LINE__, "%s failed with vmx_local=1", cmd);
		kvm = kvm_guest_new(t, GUEST_ITERS, 1);
		vcpu_thread_start(&kt, kvm);
		vcpu_thread_join(&kt, 900 * 1000);
		expect_exact(t, &kt, GUEST_ITERS, "KVM guest beside ours (vmx_local=1)");
		vm_free(kvm->vm);
	} else if (kvm_holds_vmx_from_load()) {
		if (!r)
			t_fail(t, __FILE__, __LINE__, "%s succeeded while vmxmon holds VMX", cmd);
	} else {
		if (r)
			t_fail(t, __FILE__, __LINE__, "%s failed (6.1: kvm_intel takes VMX later)", cmd);
		kfd = kvm_open(t);
		r = dev_create_vm(kfd, 0);
		if (r != -EBUSY && r != -EIO)
			t_fail(t, __FILE__, __LINE__, "KVM_CREATE_VM on %s: %d, expected -EBUSY or -EIO",
			       t->kvm_dev, r);
		if (r >= 0)
			close(r);
		close(kfd);
	}
	usleep(200 * 1000);
	if (vt.finished)
		t_fail(t, __FILE__, __LINE__, "our guest ended while kvm_intel tried: %s", vt.why);
	GUEST_VAR(ours->vm, g_stop) = 1;
	vcpu_thread_join(&vt, 900 * 1000);
	t_vcpu_thread_expect_done(t, &vt);
	if (vt.syncs != GUEST_VAR(ours->vm, g_iters) / SYNC_EVERY)
		t_fail(t, __FILE__, __LINE__, "%llu exits to userspace for %llu iterations",
		       (unsigned long long)vt.syncs,
		       (unsigned long long)GUEST_VAR(ours->vm, g_iters));
	vm_free(ours->vm);
	t_expect_state(t, &before, 0, ANY_COUNT, ANY_COUNT, "our VM closed", &s);
	EXPECT_EQ(s.pages, before.pages);
	t_kmsg_since(t, &mark, log, sizeof(log));
	kmsg_mark_close(&mark);
	count_and_log(t, log, "virtualization", &(const char *){ NULL });
	expect_kernel_healthy(t, log, taint);

	/* VMX released: kvm_intel loads (if it is not loaded already) and runs a guest. */
	if (access("/sys/module/kvm_intel", F_OK) && run_cmd(t, cmd))
		t_fail(t, __FILE__, __LINE__, "%s failed after our VM was gone", cmd);
	kvm = kvm_guest_new(t, GUEST_ITERS, 3);
	vcpu_thread_start(&kt, kvm);
	vcpu_thread_join(&kt, 900 * 1000);
	expect_exact(t, &kt, GUEST_ITERS, "KVM guest after ours");
	vm_free(kvm->vm);
}

TEST_VMXMON_ONLY(vmxmon_vm_alive_makes_kvm_create_vm_fail_cleanly)
{
	static char log[64 * 1024];
	struct vmxmon_status before, s;
	unsigned long taint;
	int kfd, fd, vm, kvm_vm;
	const char *line;

	kfd = kvm_open(t);
	skip_if_kvm_holds_vmx_from_load(t);
	if (vmxmon_vmx_local())
		t_skip(t, "vmx_local=1: kvm_intel may take VMX at any time");
	t_status_idle(t, &before);
	fd = t_open_dev(t);
	vm = t_dev_create_vm(t, fd);
	taint = bad_taint(t);

	/* KVM's answer: -EBUSY on 6.1, -EIO on 6.12 (kvm_enable_virtualization() failed) */
	expect_create_busy_or(t, kfd, t->kvm_dev, -EIO, log, sizeof(log));
	count_and_log(t, log, "virtualization", &line);	/* KVM's own complaint, for the record */
	expect_kernel_healthy(t, log, taint);
	/* KVM's failed attempt must leave our VMX alone */
	t_expect_state(t, &before, 1, 1, 0, "our VM after KVM's attempt", &s);

	/* ours gone (and its VMX, after vmx_idle_ms: t_expect_state waits): KVM works */
	t_close(t, vm);
	t_expect_state(t, &before, 0, 1, 1, "our VM closed", &s);
	EXPECT_EQ(s.pages, before.pages);
	kvm_vm = dev_create_vm(kfd, 0);
	EXPECT_GE(kvm_vm, 0);
	if (kvm_vm >= 0)
		close(kvm_vm);
	close(fd);
	close(kfd);
}

