// SPDX-License-Identifier: GPL-2.0
/*
 * vmxmon and kvm_intel in one kernel: only one may own VMX at a time, whoever comes second
 * fails cleanly, and the first one's VMX survives the attempt. Needs kvm_intel loaded
 * (--kvm-dev, default /dev/kvm); skips otherwise.
 *
 * kvm_intel takes VMX either while a KVM VM exists (6.1, and 6.12 with
 * kvm.enable_virt_at_load=0) or from its load until it is unloaded (6.12's default,
 * enable_virt_at_load=1). The first two tests need the former and skip under the latter;
 * the last one is the other way round (selftests/run_l1.sh runs this program under both).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"
#include "kvm_util.h"
#include "status.h"
#include "util.h"
#include "vm.h"

#define OWNER_MSG "already in use by another hypervisor"

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

static void expect_create_busy(struct test_ctx *t, int fd, const char *dev, char *log, size_t len)
{
	expect_create_busy_or(t, fd, dev, 0, log, len);
}

static int count_and_log(struct test_ctx *t, const char *log, const char *needle, const char **line)
{
	int n = count_lines_containing(log, needle, line);

	if (n)
		t_log(t, "kernel: %.*s", (int)strcspn(*line, "\n"), *line);
	return n;
}

TEST_VMXMON_ONLY(kvm_vm_alive_makes_create_vm_ebusy_and_logs_the_owner)
{
	static char log[64 * 1024];
	struct vmxmon_status before, s;
	unsigned long taint;
	int kfd, kvm_vm, fd, vm, n;
	const char *line;

	t_status_idle(t, &before);	/* an earlier VM of ours may still hold VMX (vmx_idle_ms) */
	kfd = kvm_open(t);
	skip_if_kvm_holds_vmx_from_load(t);
	kvm_vm = dev_create_vm(kfd, 0);
	if (kvm_vm < 0) {
		t_fail(t, __FILE__, __LINE__, "KVM_CREATE_VM on %s: %s", t->kvm_dev, strerror(-kvm_vm));
		t_abort(t);
	}
	t_status(t, &before);
	ASSERT_EQ(before.vms, 0);
	taint = bad_taint(t);
	fd = t_open_dev(t);

	expect_create_busy(t, fd, t->dev, log, sizeof(log));
	n = count_and_log(t, log, OWNER_MSG, &line);
	if (n != 1)
		t_fail(t, __FILE__, __LINE__, "expected one kernel log line with \"%s\", got %d",
		       OWNER_MSG, n);
	if (n && strncmp(line, "vmxmon: ", 8))
		t_fail(t, __FILE__, __LINE__, "the log line does not start with \"vmxmon: \"");
	/* a VMXON that succeeded on some CPUs before failing must be undone */
	t_expect_state(t, &before, 0, ANY_COUNT, ANY_COUNT, "after -EBUSY", &s);
	EXPECT_EQ(s.pages, before.pages);
	expect_kernel_healthy(t, log, taint);

	/* KVM gone: ours works */
	t_close(t, kvm_vm);
	vm = t_dev_create_vm(t, fd);
	t_expect_state(t, &before, 1, ANY_COUNT, ANY_COUNT, "our VM after the KVM VM closed", &s);
	t_close(t, vm);
	close(fd);
	close(kfd);
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

/*
 * 6.12's default: kvm_intel loaded with kvm.enable_virt_at_load=1 is in VMX operation on
 * every CPU from its load on, with no KVM VM at all. Until vmxmon can share VMX with it
 * (issue 17), KVM_CREATE_VM on vmxmon must fail cleanly: -EBUSY, one log line naming the
 * owner, nothing of ours left behind, KVM undisturbed, and the same again on a retry.
 */
TEST_VMXMON_ONLY(kvm_holding_vmx_from_load_makes_create_vm_ebusy_and_logs_the_owner)
{
	static char log[64 * 1024];
	struct vmxmon_status before, s;
	unsigned long taint;
	int kfd, kvm_vm, fd, n, attempt;
	const char *line;

	kfd = kvm_open(t);
	if (!kvm_holds_vmx_from_load())
		t_skip(t, "kvm_intel takes VMX only while a KVM VM exists (6.1, or kvm.enable_virt_at_load=0)");
	t_status_idle(t, &before);
	ASSERT_EQ(before.vms, 0);
	taint = bad_taint(t);
	fd = t_open_dev(t);

	for (attempt = 0; attempt < 2; attempt++) {
		expect_create_busy(t, fd, t->dev, log, sizeof(log));
		n = count_and_log(t, log, OWNER_MSG, &line);
		if (n != 1)
			t_fail(t, __FILE__, __LINE__,
			       "attempt %d: expected one kernel log line with \"%s\", got %d",
			       attempt, OWNER_MSG, n);
		if (n && strncmp(line, "vmxmon: ", 8))
			t_fail(t, __FILE__, __LINE__, "the log line does not start with \"vmxmon: \"");
		t_expect_state(t, &before, 0, ANY_COUNT, ANY_COUNT, "after -EBUSY", &s);
		EXPECT_EQ(s.pages, before.pages);
		expect_kernel_healthy(t, log, taint);
	}

	/* KVM's own VMX is untouched by our attempts: it still creates VMs. */
	kvm_vm = dev_create_vm(kfd, 0);
	EXPECT_GE(kvm_vm, 0);
	if (kvm_vm >= 0)
		close(kvm_vm);
	close(fd);
	close(kfd);
}
