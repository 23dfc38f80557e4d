/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor device: /dev/vmxmon, or anything else that speaks the KVM ioctl API
 * (--dev /dev/kvm). Functions return 0 / a value, or -errno.
 */
#ifndef VMXRUN_VM_DEV_H
#define VMXRUN_VM_DEV_H

#include <stdbool.h>
#include <stddef.h>

struct dev {
	const char *path;
	int fd;
	int api_version;	/* from KVM_GET_API_VERSION, by dev__open() */
	bool is_vmxmon;		/* the node is vmxmon's misc device (it has a debugfs status) */
};

/*
 * Open path and read its API version. On failure *msg (if non-NULL) gets the user-facing
 * message: -errno from open or the ioctl, -EPROTO for an API version other than 12.
 */
int dev__open(struct dev *d, const char *path, char *msg, size_t msglen);
/* KVM_CHECK_EXTENSION: the device's answer (0: not supported) or -errno. */
long dev__check_extension(const struct dev *d, unsigned int cap);
void dev__close(struct dev *d);

#endif
