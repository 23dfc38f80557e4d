// SPDX-License-Identifier: GPL-2.0
/*
 * The system fd: KVM_GET_API_VERSION, KVM_CHECK_EXTENSION (there and on a VM fd, against the
 * table include/uapi/vmxmon_caps.h), unknown ioctls, the device node.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <uapi/vmxmon.h>
#include <uapi/vmxmon_caps.h>

#include "kvm_util.h"
#include "status.h"
#include "util.h"
#include "vm.h"
#include "../userspace/vm/caps.h"

TEST_KVM_IDENTICAL(api_version_is_12)
{
	int fd = t_open_dev(t);

	EXPECT_EQ(dev_ioctl(fd, KVM_GET_API_VERSION, 0), 12);
	EXPECT_EQ(KVM_API_VERSION, 12);	/* the header we build against agrees */
	close(fd);
}

TEST_KVM_IDENTICAL(api_version_with_nonzero_arg_is_einval)
{
	int fd = t_open_dev(t);

	EXPECT_EQ(dev_ioctl(fd, KVM_GET_API_VERSION, 1), -EINVAL);
	EXPECT_EQ(dev_ioctl(fd, KVM_GET_API_VERSION, 0x1000), -EINVAL);
	EXPECT_EQ(dev_ioctl(fd, KVM_GET_API_VERSION, ~0UL), -EINVAL);
	/* and the fd still answers correctly afterwards */
	EXPECT_EQ(dev_ioctl(fd, KVM_GET_API_VERSION, 0), 12);
	close(fd);
}

TEST_KVM_IDENTICAL(check_extension_unknown_cap_is_0)
{
	int fd = t_open_dev(t);

	EXPECT_EQ(dev_ioctl(fd, KVM_CHECK_EXTENSION, 0x7fffffff), 0);
	EXPECT_EQ(dev_ioctl(fd, KVM_CHECK_EXTENSION, 100000), 0);
	close(fd);
}

/* The table's answer on this host (include/uapi/vmxmon_caps.h: the two host-dependent ones). */
static long cap_expected(const struct vmxmon_cap *c)
{
	bool xsave = false;
	long cpus;

	if (c->answer == VMXMON_CAP_HOST_XSAVE) {
		if (cpu_has_flag("xsave", &xsave))
			return -1;
		return xsave;
	}
	if (c->answer == VMXMON_CAP_ONLINE_CPUS) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		return cpus < VMXMON_MAX_VCPUS ? cpus : VMXMON_MAX_VCPUS;
	}
	return c->answer;
}

/*
 * KVM_CHECK_EXTENSION answers every capability of <linux/kvm.h> as the one table says, on
 * the system fd and on a VM fd: nothing vmxmon lacks, everything it has. Each is listed
 * with its answer and the reason (the table's), so the log shows the whole contract.
 */
TEST_VMXMON_ONLY(check_extension_answers_every_capability_as_the_caps_table)
{
	struct vm *vm = t_vm_new(t);

	for (size_t i = 0; i < vmxmon_caps_count; i++) {
		const struct vmxmon_cap *c = &vmxmon_caps[i];
		long want = cap_expected(c);
		long sys = dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, c->cap);
		long vmfd = dev_ioctl(vm->fd, KVM_CHECK_EXTENSION, c->cap);

		t_log(t, "%s (%u) = %ld: %s", c->name, c->cap, want, c->reason);
		if (sys != want || vmfd != want)
			t_fail(t, __FILE__, __LINE__, "%s (%u): expected %ld (%s), system fd %ld, "
			       "VM fd %ld", c->name, c->cap, want, c->reason, sys, vmfd);
	}
	/* KVM's own rules: NR_VCPUS (recommended) <= MAX_VCPUS <= MAX_VCPU_ID */
	EXPECT_LE(dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS),
		  dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS));
	EXPECT_LE(dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS),
		  dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID));
}

/* KVM_CAP_CHECK_EXTENSION_VM: the VM fd answers as the system fd (rust-vmm asks there). */
TEST_KVM_IDENTICAL(check_extension_on_a_vm_fd_answers_as_the_system_fd)
{
	struct vm *vm = t_vm_new(t);

	ASSERT_EQ(dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	for (size_t i = 0; i < vmxmon_caps_count; i++) {
		const struct vmxmon_cap *c = &vmxmon_caps[i];
		long sys = dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, c->cap);
		long vmfd = dev_ioctl(vm->fd, KVM_CHECK_EXTENSION, c->cap);

		if (sys != vmfd)
			t_fail(t, __FILE__, __LINE__, "%s (%u): system fd %ld, VM fd %ld", c->name,
			       c->cap, sys, vmfd);
	}
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_CHECK_EXTENSION, 0x7fffffff), 0);
}

/*
 * Capabilities that only state behaviour every KVM has had for years: VMMs require them
 * and refuse to start without (issue 12, item 28). KVM 6.1 answers each as here.
 */
TEST_KVM_IDENTICAL(check_extension_reports_long_standing_behaviour)
{
	static const struct { const char *name; unsigned int cap; long value; } caps[] = {
		{ "KVM_CAP_USER_MEMORY", KVM_CAP_USER_MEMORY, 1 },
		{ "KVM_CAP_DESTROY_MEMORY_REGION_WORKS", KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1 },
		{ "KVM_CAP_JOIN_MEMORY_REGIONS_WORKS", KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1 },
		{ "KVM_CAP_INTERNAL_ERROR_DATA", KVM_CAP_INTERNAL_ERROR_DATA, 1 },
		{ "KVM_CAP_HLT", KVM_CAP_HLT, 1 },
		{ "KVM_CAP_ENABLE_CAP_VM", KVM_CAP_ENABLE_CAP_VM, 1 },
		{ "KVM_CAP_CHECK_EXTENSION_VM", KVM_CAP_CHECK_EXTENSION_VM, 1 },
		{ "KVM_CAP_MCE", KVM_CAP_MCE, VMXMON_MAX_MCE_BANKS },
		{ "KVM_CAP_INTR_SHADOW", KVM_CAP_INTR_SHADOW, 0 },	/* never reported */
		{ "KVM_CAP_PV_MMU", KVM_CAP_PV_MMU, 0 },		/* obsolete */
	};
	int fd = t_open_dev(t);

	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		long r = dev_ioctl(fd, KVM_CHECK_EXTENSION, caps[i].cap);

		if (r != caps[i].value)
			t_fail(t, __FILE__, __LINE__, "%s: expected %ld, got %ld", caps[i].name,
			       caps[i].value, r);
	}
	close(fd);
}

/* KVM answers -EINVAL here; vmxmon answers -ENOTTY on every fd (design.md, "ABI"). */
TEST_VMXMON_ONLY(unknown_ioctl_on_system_fd_is_enotty)
{
	int fd = t_open_dev(t);
	struct termios tio;

	EXPECT_EQ(dev_ioctl(fd, KVM_IOCTL_UNKNOWN, 0), -ENOTTY);
	EXPECT_EQ(dev_ioctl(fd, _IOW(KVMIO, 0xfe, __u64), 0), -ENOTTY);
	/* an ioctl of another subsystem entirely */
	EXPECT_EQ(dev_ioctl(fd, TCGETS, (unsigned long)&tio), -ENOTTY);
	/* VM-fd ioctls are not system-fd ioctls */
	EXPECT_EQ(dev_ioctl(fd, KVM_CREATE_VCPU, 0), -ENOTTY);
	close(fd);
}

TEST_VMXMON_ONLY(device_node_is_char_device_mode_0660)
{
	struct stat st;

	ASSERT_EQ(stat(t->dev, &st), 0);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0660);
}

/* VMX is taken only while a VM exists: an open system fd alone must not take it. */
TEST_VMXMON_ONLY(opening_the_device_does_not_turn_vmx_on)
{
	struct vmxmon_status before, s;
	int fd;

	t_status_idle(t, &before);
	fd = t_open_dev(t);
	t_expect_state(t, &before, 0, 0, 0, "system fd open, no VM", &s);
	EXPECT_EQ(s.pages, before.pages);
	close(fd);
}
