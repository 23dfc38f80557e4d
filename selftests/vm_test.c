// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CREATE_VM and the VM fd; vmxmon's VMX on/off as seen in debugfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "kvm_util.h"
#include "status.h"
#include "util.h"
#include "vm.h"

/* The lowest free fd number: a failed call that leaks an fd moves it. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

TEST_KVM_IDENTICAL(create_vm_bad_type_is_einval)
{
	static const unsigned long types[] = { 1, 2, 0x80000000UL, ~0UL };
	int fd = t_open_dev(t);
	int free_fd = lowest_free_fd();

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		int r = dev_create_vm(fd, types[i]);

		if (r != -EINVAL)
			t_fail(t, __FILE__, __LINE__, "KVM_CREATE_VM type %#lx: expected -EINVAL, got %d",
			       types[i], r);
		if (r >= 0)
			close(r);
	}
	EXPECT_EQ(lowest_free_fd(), free_fd);
	close(fd);
}

TEST_KVM_IDENTICAL(create_vm_returns_cloexec_fd)
{
	int fd = t_open_dev(t);
	int vm = t_dev_create_vm(t, fd);

	EXPECT_NE(vm, fd);
	EXPECT_EQ(fcntl(vm, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(vm);
	close(fd);
}

TEST_KVM_IDENTICAL(each_create_vm_returns_a_new_fd)
{
	int fd = t_open_dev(t);
	int a = t_dev_create_vm(t, fd);
	int b = t_dev_create_vm(t, fd);

	EXPECT_NE(a, b);
	EXPECT_GE(fcntl(a, F_GETFD), 0);
	EXPECT_GE(fcntl(b, F_GETFD), 0);
	close(a);
	close(b);
	close(fd);
}

/* KVM's VM fd answers -ENOTTY to unknown ioctls too (kvm_arch_vm_ioctl's default). */
TEST_KVM_IDENTICAL(unknown_ioctl_on_vm_fd_is_enotty)
{
	int fd = t_open_dev(t);
	int vm = t_dev_create_vm(t, fd);
	struct termios tio;

	EXPECT_EQ(dev_ioctl(vm, KVM_IOCTL_UNKNOWN, 0), -ENOTTY);
	EXPECT_EQ(dev_ioctl(vm, TCGETS, (unsigned long)&tio), -ENOTTY);
	close(vm);
	close(fd);
}

/* The VM lives as long as its fd, whatever happens to the system fd. */
TEST_KVM_IDENTICAL(vm_fd_outlives_the_system_fd)
{
	int fd = t_open_dev(t);
	int vm = t_dev_create_vm(t, fd);

	t_close(t, fd);
	EXPECT_EQ(dev_ioctl(vm, KVM_IOCTL_UNKNOWN, 0), -ENOTTY);
	t_close(t, vm);
}

/*
 * Status before anything runs: no VM may exist and VMX must be released (an earlier test's
 * VM may still hold it for vmx_idle_ms), or the deltas below mean nothing.
 */
static void idle_status(struct test_ctx *t, struct vmxmon_status *s)
{
	t_status_idle(t, s);
}

TEST_VMXMON_ONLY(vmx_on_while_vm_exists_and_off_after)
{
	struct vmxmon_status before, s;
	int fd, vm;

	idle_status(t, &before);
	fd = t_open_dev(t);
	vm = t_dev_create_vm(t, fd);
	t_expect_state(t, &before, 1, 1, 0, "VM open", &s);
	/* VMX is on everywhere, so a VMXON region exists for every CPU */
	EXPECT_GE(s.pages, (unsigned long long)s.nr_cpus);
	t_close(t, vm);
	t_expect_state(t, &before, 0, 1, 1, "VM closed", &s);
	EXPECT_EQ(s.pages, before.pages);
	close(fd);
}

TEST_VMXMON_ONLY(two_vms_share_one_vmx_enable)
{
	struct vmxmon_status before, s;
	int fd, a, b;

	idle_status(t, &before);
	fd = t_open_dev(t);
	a = t_dev_create_vm(t, fd);
	b = t_dev_create_vm(t, fd);
	t_expect_state(t, &before, 2, 1, 0, "two VMs open", &s);
	t_close(t, a);
	t_expect_state(t, &before, 1, 1, 0, "first VM closed", &s);
	t_close(t, b);
	t_expect_state(t, &before, 0, 1, 1, "both VMs closed", &s);
	EXPECT_EQ(s.pages, before.pages);
	close(fd);
}

TEST_VMXMON_ONLY(failed_create_vm_leaves_no_state)
{
	struct vmxmon_status before, s;
	int fd;

	idle_status(t, &before);
	fd = t_open_dev(t);
	EXPECT_EQ(dev_create_vm(fd, 1), -EINVAL);
	/* VMX on and off again is allowed; on without off is not */
	t_expect_state(t, &before, 0, ANY_COUNT, ANY_COUNT, "after a failed KVM_CREATE_VM", &s);
	EXPECT_EQ(s.pages, before.pages);
	close(fd);
}

TEST_VMXMON_ONLY(status_lists_every_online_cpu)
{
	struct vmxmon_status s;
	int ids[STATUS_MAX_CPUS];
	int n = cpus_online(ids, STATUS_MAX_CPUS);

	if (n < 0)
		t_skip(t, "/sys/devices/system/cpu/online: %s", strerror(-n));
	t_status(t, &s);
	EXPECT_EQ(s.nr_cpus, n);
	for (int i = 0; i < n; i++)
		if (!status_cpu(&s, ids[i]))
			t_fail(t, __FILE__, __LINE__, "online cpu%d has no line in %s", ids[i],
			       VMXMON_STATUS_PATH);
}

static long module_refcnt(void)
{
	char buf[32];

	return read_file("/sys/module/vmxmon/refcnt", buf, sizeof(buf)) ? -1 : atol(buf);
}

/* A VM fd pins the module: rmmod must wait for the last VM (run_l1.sh tests rmmod itself). */
TEST_VMXMON_ONLY(vm_fd_holds_a_module_reference)
{
	long with_fd, with_vm, after;
	int fd, vm;

	fd = t_open_dev(t);
	with_fd = module_refcnt();
	if (with_fd < 0)
		t_skip(t, "no /sys/module/vmxmon/refcnt");
	vm = t_dev_create_vm(t, fd);
	with_vm = module_refcnt();
	t_close(t, fd);
	EXPECT_EQ(module_refcnt(), with_vm - 1);	/* the system fd's reference */
	t_close(t, vm);
	after = module_refcnt();
	EXPECT_EQ(with_vm, with_fd + 1);
	EXPECT_EQ(after, with_fd - 1);
}

/* ---- VMX held for vmx_idle_ms after the last VM ---- */

#define LOOP_VMS	50

/* Skip when the administrator asked for VMX to go off with every last VM. */
static void need_idle_hold(struct test_ctx *t)
{
	if (!access(VMX_IDLE_MS_PATH, F_OK) && vmx_idle_ms() == 0)
		t_skip(t, "vmx_idle_ms=0: VMX goes off with each last VM, as configured");
}

/* Every CPU: VMXON moved by on and VMXOFF by off since *before. */
static void expect_vmx_switches(struct test_ctx *t, const struct vmxmon_status *before,
				const struct vmxmon_status *now, long long on, long long off)
{
	for (int i = 0; i < now->nr_cpus; i++) {
		const struct vmxmon_cpu_status *b = status_cpu(before, now->cpu[i].cpu);

		if (!b)
			continue;
		EXPECT_EQ(status_cpu_enables(&now->cpu[i]) - status_cpu_enables(b), on);
		EXPECT_EQ(status_cpu_disables(&now->cpu[i]) - status_cpu_disables(b), off);
	}
}

/*
 * A loop of KVM_CREATE_VM and close turns VMX on once and leaves it on until vmx_idle_ms
 * after the last close; then it goes off once. (kvm_intel on 6.1 turns VMX on and off on
 * every CPU for each VM; the old module did the same.)
 */
TEST_VMXMON_ONLY(vm_create_close_loop_turns_vmx_on_once)
{
	struct vmxmon_status before, s;
	int fd;

	need_idle_hold(t);
	idle_status(t, &before);
	fd = t_open_dev(t);
	for (int i = 0; i < LOOP_VMS; i++)
		t_close(t, t_dev_create_vm(t, fd));
	t_status(t, &s);
	EXPECT_EQ(s.vms, 0);
	EXPECT_EQ(s.vmx_users, 1);
	t_expect_vmx(t, &s, true, "right after the loop (idle hold)");
	expect_vmx_switches(t, &before, &s, 1, 0);
	close(fd);
	t_expect_state(t, &before, 0, 1, 1, "after the idle hold", &s);
}

/*
 * The same loop from one CPU sends no function-call IPI to the others, each busy with a
 * task of its own: VMXON/VMXOFF no longer run on every CPU for each VM (once VMX is held,
 * a VM costs other CPUs nothing).
 */
TEST_VMXMON_ONLY(vm_create_close_loop_interrupts_no_other_cpu)
{
	int ids[64], n = cpus_online(ids, 64);
	unsigned long long before[64], after[64];
	struct spinners sp;
	cpu_set_t set;
	int fd;

	need_idle_hold(t);
	if (n < 2)
		t_skip(t, "needs two online CPUs (found %d)", n);
	CPU_ZERO(&set);
	CPU_SET(ids[0], &set);
	ASSERT_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
	fd = t_open_dev(t);
	t_close(t, t_dev_create_vm(t, fd));		/* VMX on, held from now */
	ASSERT_EQ(spinners_start(&sp, ids + 1, n - 1), 0);
	for (int i = 1; i < n; i++)
		ASSERT_EQ(proc_interrupts_count("CAL", ids[i], &before[i]), 0);
	for (int i = 0; i < LOOP_VMS; i++)
		t_close(t, t_dev_create_vm(t, fd));
	spinners_stop(&sp);
	for (int i = 1; i < n; i++) {
		ASSERT_EQ(proc_interrupts_count("CAL", ids[i], &after[i]), 0);
		t_log(t, "cpu%d: %llu function-call IPIs during %d VMs", ids[i],
		      after[i] - before[i], LOOP_VMS);
		EXPECT_LE(after[i] - before[i], LOOP_VMS / 10);	/* other noise: a few */
	}
	close(fd);
}

/* Writing 0 to vmx_idle_ms ends a hold in progress at once: VMX is free for kvm_intel. */
TEST_VMXMON_ONLY(writing_0_to_vmx_idle_ms_releases_vmx_at_once)
{
	struct vmxmon_status before, s;
	char saved[32];
	int fd;

	ASSERT_EQ(read_file(VMX_IDLE_MS_PATH, saved, sizeof(saved)), 0);
	need_idle_hold(t);
	idle_status(t, &before);
	fd = t_open_dev(t);
	t_close(t, t_dev_create_vm(t, fd));
	t_status(t, &s);
	EXPECT_EQ(s.vmx_users, 1);		/* held */
	ASSERT_EQ(write_file(VMX_IDLE_MS_PATH, "0"), 0);
	t_status(t, &s);			/* no waiting */
	EXPECT_EQ(s.vmx_users, 0);
	t_expect_vmx(t, &s, false, "after writing 0");
	expect_vmx_switches(t, &before, &s, 1, 1);
	EXPECT_EQ(write_file(VMX_IDLE_MS_PATH, saved), 0);
	close(fd);
}
