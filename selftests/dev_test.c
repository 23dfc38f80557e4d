// SPDX-License-Identifier: GPL-2.0
/*
 * The system fd: KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, unknown ioctls, the device node.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <uapi/vmxmon.h>

#include "kvm_util.h"
#include "status.h"
#include "util.h"
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

/*
 * What vmxmon implements, with the answer KVM_CHECK_EXTENSION must give (the limits come from
 * kmod/backend.h). Update this table with the module: every other capability in the
 * launcher's list (userspace/vm/caps.c) must be answered 0.
 */
#define IMPLEMENTED(cap, value) { #cap, cap, value }
static const struct {
	const char *name;
	unsigned int cap;
	long value;
} implemented[] = {
	IMPLEMENTED(KVM_CAP_USER_MEMORY, 1),
	IMPLEMENTED(KVM_CAP_IMMEDIATE_EXIT, 1),
	IMPLEMENTED(KVM_CAP_SET_TSS_ADDR, 1),
	IMPLEMENTED(KVM_CAP_SET_IDENTITY_MAP_ADDR, 1),
	IMPLEMENTED(KVM_CAP_EXT_CPUID, 1),
	IMPLEMENTED(KVM_CAP_XSAVE, 1),
	IMPLEMENTED(KVM_CAP_XCRS, 1),
	IMPLEMENTED(KVM_CAP_READONLY_MEM, 1),
	IMPLEMENTED(KVM_CAP_USER_NMI, 1),
	IMPLEMENTED(KVM_CAP_VCPU_EVENTS, 1),
	IMPLEMENTED(KVM_CAP_MP_STATE, 1),
	IMPLEMENTED(KVM_CAP_INTR_SHADOW, 1),
	IMPLEMENTED(KVM_CAP_DEBUGREGS, 1),
	IMPLEMENTED(KVM_CAP_SPLIT_IRQCHIP, 1),
	IMPLEMENTED(KVM_CAP_SIGNAL_MSI, 1),
	IMPLEMENTED(KVM_CAP_TSC_DEADLINE_TIMER, 1),
	IMPLEMENTED(KVM_CAP_IRQ_ROUTING, 4096),
	IMPLEMENTED(KVM_CAP_NR_MEMSLOTS, VMXMON_USER_MEMSLOTS),
	IMPLEMENTED(KVM_CAP_NR_VCPUS, VMXMON_MAX_VCPUS),
	IMPLEMENTED(KVM_CAP_MAX_VCPUS, VMXMON_MAX_VCPUS),
	IMPLEMENTED(KVM_CAP_MAX_VCPU_ID, VMXMON_MAX_VCPU_ID),
};

static long implemented_value(unsigned int cap)
{
	for (size_t i = 0; i < ARRAY_SIZE(implemented); i++)
		if (implemented[i].cap == cap)
			return implemented[i].value;
	return 0;
}

TEST_VMXMON_ONLY(check_extension_reports_implemented_caps)
{
	int fd = t_open_dev(t);

	for (size_t i = 0; i < ARRAY_SIZE(implemented); i++) {
		long r = dev_ioctl(fd, KVM_CHECK_EXTENSION, implemented[i].cap);

		if (r != implemented[i].value)
			t_fail(t, __FILE__, __LINE__, "%s: expected %ld, got %ld", implemented[i].name,
			       implemented[i].value, r);
	}
	/* KVM's own rules: NR_VCPUS (recommended) <= MAX_VCPUS <= MAX_VCPU_ID */
	EXPECT_LE(dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS),
		  dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS));
	EXPECT_LE(dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS),
		  dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID));
	close(fd);
}

/* KVM_CHECK_EXTENSION tells the truth: 0 for everything not implemented. */
TEST_VMXMON_ONLY(check_extension_reports_nothing_unimplemented)
{
	int fd = t_open_dev(t);

	for (size_t i = 0; i < kvm_caps_count; i++) {
		long r = dev_ioctl(fd, KVM_CHECK_EXTENSION, kvm_caps[i].cap);

		if (!implemented_value(kvm_caps[i].cap) && r != 0)
			t_fail(t, __FILE__, __LINE__, "%s (%u): expected 0 (not implemented), got %ld",
			       kvm_caps[i].name, kvm_caps[i].cap, r);
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
