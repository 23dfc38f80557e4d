/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor ("hv"): the system fd of /dev/vmxmon, or of anything else that speaks the
 * KVM ioctl API (--dev /dev/kvm); not to be confused with the device models in hw/.
 * Functions return 0 / a value, or -errno.
 */
#ifndef VMXRUN_VM_HV_H
#define VMXRUN_VM_HV_H

#include <stdbool.h>
#include <stddef.h>

struct hv {
	const char *path;
	int fd;
	int api_version;	/* from KVM_GET_API_VERSION, by hv__open() */
	bool is_vmxmon;		/* the node is vmxmon's misc device (it has a debugfs status) */
};

/*
 * Open path and read its API version. On failure *msg (if non-NULL) gets the user-facing
 * message: -errno from open or the ioctl, -EPROTO for an API version other than 12.
 */
int hv__open(struct hv *d, const char *path, char *msg, size_t msglen);
/* KVM_CHECK_EXTENSION: the device's answer (0: not supported) or -errno. */
long hv__check_extension(const struct hv *d, unsigned int cap);
void hv__close(struct hv *d);

#endif
