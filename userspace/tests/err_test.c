// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the wording of vmxrun's error messages. */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "util/err.h"

static void expect_msg(struct test_ctx *t, const char *what, const char *got, const char *want)
{
	if (strcmp(got, want))
		t_fail(t, __FILE__, __LINE__, "%s\n  expected: %s\n  actual:   %s", what, want, got);
}

/* Each message names the thing and the fix (style.md, "Userspace"). */
static const struct {
	const char *behaviour;
	enum dev_op op;
	const char *path;
	int err;
	const char *want;
} dev_msgs[] = {
	/* vmxmon is not installed in /lib/modules: modprobe would not find it. */
	{ "a missing vmxmon node says how to build and load the module from the tree", DEV_OP_OPEN,
	  "/dev/vmxmon", ENOENT,
	  "vmxrun: /dev/vmxmon: no such device (is vmxmon.ko loaded? in the vmxmon tree: make module KDIR=/lib/modules/$(uname -r)/build && sudo insmod vmxmon.ko)" },
	{ "a missing /dev/kvm names kvm_intel", DEV_OP_OPEN, "/dev/kvm", ENOENT,
	  "vmxrun: /dev/kvm: no such device (is kvm_intel loaded? try: sudo modprobe kvm_intel)" },
	{ "a stale node says the driver is gone", DEV_OP_OPEN, "/dev/vmxmon", ENXIO,
	  "vmxrun: /dev/vmxmon: no driver behind this device node (was vmxmon unloaded? try: sudo insmod vmxmon.ko in the vmxmon tree)" },
	{ "permission denied names group kvm and the udev rule", DEV_OP_OPEN, "/dev/vmxmon", EACCES,
	  "vmxrun: /dev/vmxmon: permission denied (join group kvm: sudo usermod -aG kvm $USER, then log in again; the udev rule scripts/60-vmxmon.rules sets the group)" },
	{ "permission denied on /dev/kvm needs no vmxmon rule", DEV_OP_OPEN, "/dev/kvm", EACCES,
	  "vmxrun: /dev/kvm: permission denied (join group kvm: sudo usermod -aG kvm $USER, then log in again)" },
	{ "busy VT-x names the other hypervisor", DEV_OP_CREATE_VM, "/dev/vmxmon", EBUSY,
	  "vmxrun: /dev/vmxmon: cannot create a VM: VT-x is in use by another hypervisor (close its VMs, e.g. QEMU/KVM or VirtualBox, and retry)" },
	{ "other VM creation errors say what failed", DEV_OP_CREATE_VM, "/dev/vmxmon", ENOMEM,
	  "vmxrun: /dev/vmxmon: cannot create a VM: cannot allocate memory" },
	{ "other errors use strerror in lower case", DEV_OP_IOCTL, "/dev/vmxmon", EIO,
	  "vmxrun: /dev/vmxmon: input/output error" },
	{ "a non-KVM file fails the ioctl", DEV_OP_IOCTL, "/tmp/x", ENOTTY,
	  "vmxrun: /tmp/x: inappropriate ioctl for device" },
};

TEST_HOST(device_errors_name_the_thing_and_the_fix)
{
	for (size_t i = 0; i < sizeof(dev_msgs) / sizeof(dev_msgs[0]); i++) {
		char buf[512];

		err__format_dev(buf, sizeof(buf), dev_msgs[i].op, dev_msgs[i].path, dev_msgs[i].err);
		expect_msg(t, dev_msgs[i].behaviour, buf, dev_msgs[i].want);
	}
}

TEST_HOST(api_mismatch_gives_both_versions)
{
	char buf[512];

	err__format_api(buf, sizeof(buf), "/dev/vmxmon", 11);
	expect_msg(t, "API version mismatch", buf,
		   "vmxrun: /dev/vmxmon: KVM API version 11, expected 12 (not a KVM-compatible device, or a mismatched module?)");
}

TEST_HOST(messages_are_truncated_not_overflowed)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	err__format_dev(buf, 12, DEV_OP_OPEN, "/dev/vmxmon", ENOENT);
	EXPECT_EQ(strlen(buf), 11);
	EXPECT_EQ(buf[12], 'x');
}
