// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CREATE_VM and the VM fd; vmxmon's VMX on/off as seen in debugfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "kvm_util.h"
#include "status.h"
#include "util.h"

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
		int r = vm_create(fd, types[i]);

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
	int vm = t_vm_create(t, fd);

	EXPECT_NE(vm, fd);
	EXPECT_EQ(fcntl(vm, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(vm);
	close(fd);
}

TEST_KVM_IDENTICAL(each_create_vm_returns_a_new_fd)
{
	int fd = t_open_dev(t);
	int a = t_vm_create(t, fd);
	int b = t_vm_create(t, fd);

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
	int vm = t_vm_create(t, fd);
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
	int vm = t_vm_create(t, fd);

	t_close(t, fd);
	EXPECT_EQ(dev_ioctl(vm, KVM_IOCTL_UNKNOWN, 0), -ENOTTY);
	t_close(t, vm);
}

/* Status before anything runs: no VM may exist, or the deltas below mean nothing. */
static void idle_status(struct test_ctx *t, struct vmxmon_status *s)
{
	t_status(t, s);
	if (s->vms || s->vmx_users) {
		t_fail(t, __FILE__, __LINE__, "precondition: %llu VMs exist, vmx_users=%llu",
		       s->vms, s->vmx_users);
		t_abort(t);
	}
}

TEST_VMXMON_ONLY(vmx_on_while_vm_exists_and_off_after)
{
	struct vmxmon_status before, s;
	int fd, vm;

	idle_status(t, &before);
	fd = t_open_dev(t);
	vm = t_vm_create(t, fd);
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
	a = t_vm_create(t, fd);
	b = t_vm_create(t, fd);
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
	EXPECT_EQ(vm_create(fd, 1), -EINVAL);
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
	vm = t_vm_create(t, fd);
	with_vm = module_refcnt();
	t_close(t, fd);
	EXPECT_EQ(module_refcnt(), with_vm - 1);	/* the system fd's reference */
	t_close(t, vm);
	after = module_refcnt();
	EXPECT_EQ(with_vm, with_fd + 1);
	EXPECT_EQ(after, with_fd - 1);
}
