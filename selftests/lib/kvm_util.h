/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device and ioctl helpers. The plain ones return a result or -errno; the t_ ones belong to a
 * test and end it (ASSERT) when the step they stand for fails.
 */
#ifndef VMXMON_SELFTESTS_KVM_UTIL_H
#define VMXMON_SELFTESTS_KVM_UTIL_H

#include <linux/kvm.h>

#include "harness.h"

/* Unused by KVM and vmxmon in every fd's ioctl space: both must answer "unknown". */
#define KVM_IOCTL_UNKNOWN	_IO(KVMIO, 0xff)

int dev_open(const char *path);				/* fd or -errno */
long dev_ioctl(int fd, unsigned long req, unsigned long arg);	/* result or -errno */
int vm_create(int sys_fd, unsigned long type);		/* VM fd or -errno */

/* Open t->dev (or path) and create a VM, or fail the test. */
int t_open_dev(struct test_ctx *t);
int t_open_path(struct test_ctx *t, const char *path);
int t_vm_create(struct test_ctx *t, int sys_fd);
void t_close(struct test_ctx *t, int fd);

#endif
