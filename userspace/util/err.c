// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* The module behind a device node, for the "try: ..." hints. */
static const char *module_for(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, "kvm") ? "kvm_intel" : "vmxmon";
}

/* strerror() in the house's lower case: "no such file or directory". */
static void lower_strerror(char *buf, size_t len, int err)
{
	snprintf(buf, len, "%s", strerror(err));
	if (buf[0])
		buf[0] = (char)tolower((unsigned char)buf[0]);
}

void err__format_dev(char *buf, size_t len, enum dev_op op, const char *path, int err)
{
	const char *mod = module_for(path);
	bool ours = !strcmp(mod, "vmxmon");
	char what[128];

	/*
	 * vmxmon is not in the distribution's module tree (no modprobe): the hint is what
	 * works in the source tree, where make puts vmxmon.ko at the top.
	 */
	if (op == DEV_OP_OPEN && err == ENOENT && ours) {
		snprintf(buf, len, PROG_NAME ": %s: no such device (is vmxmon.ko loaded? in the vmxmon tree: make module KDIR=/lib/modules/$(uname -r)/build && sudo insmod vmxmon.ko)",
			 path);
	} else if (op == DEV_OP_OPEN && err == ENOENT) {
		snprintf(buf, len, PROG_NAME ": %s: no such device (is %s loaded? try: sudo modprobe %s)",
			 path, mod, mod);
	} else if (op == DEV_OP_OPEN && (err == ENXIO || err == ENODEV)) {
		snprintf(buf, len, PROG_NAME ": %s: no driver behind this device node (was %s unloaded? try: %s)",
			 path, mod, ours ? "sudo insmod vmxmon.ko in the vmxmon tree" : "sudo modprobe kvm_intel");
	} else if (op == DEV_OP_OPEN && (err == EACCES || err == EPERM)) {
		snprintf(buf, len, PROG_NAME ": %s: permission denied (join group kvm: sudo usermod -aG kvm $USER, then log in again%s)",
			 path, strcmp(mod, "vmxmon") ? "" : "; the udev rule scripts/60-vmxmon.rules sets the group");
	} else if (op == DEV_OP_CREATE_VM && err == EBUSY) {
		snprintf(buf, len, PROG_NAME ": %s: cannot create a VM: VT-x is in use by another hypervisor (close its VMs, e.g. QEMU/KVM or VirtualBox, and retry)",
			 path);
	} else {
		lower_strerror(what, sizeof(what), err);
		snprintf(buf, len, PROG_NAME ": %s: %s%s", path,
			 op == DEV_OP_CREATE_VM ? "cannot create a VM: " : "", what);
	}
}

void err__format_api(char *buf, size_t len, const char *path, int version)
{
	snprintf(buf, len, PROG_NAME ": %s: KVM API version %d, expected %d (not a KVM-compatible device, or a mismatched module?)",
		 path, version, KVM_API_VERSION);
}
