/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-facing error messages, in the house style: they name the thing and the fix,
 *   vmxrun: /dev/kvm: no such device (is kvm_intel loaded? try: sudo modprobe kvm_intel)
 * Formatting is separate from printing so that the wording is unit-tested.
 */
#ifndef VMXRUN_UTIL_ERR_H
#define VMXRUN_UTIL_ERR_H

#include <stdbool.h>
#include <stddef.h>

#define PROG_NAME "vmxrun"

enum dev_op {
	DEV_OP_OPEN,		/* open() of the device node */
	DEV_OP_CREATE_VM,	/* KVM_CREATE_VM */
	DEV_OP_IOCTL,		/* any other ioctl */
};

/* "vmxrun: PATH: what went wrong (hint)" for err (a positive errno) from op on PATH. */
void err__format_dev(char *buf, size_t len, enum dev_op op, const char *path, int err);
/* "vmxrun: PATH: KVM API version V, expected 12 (...)" */
void err__format_api(char *buf, size_t len, const char *path, int version);

#endif
