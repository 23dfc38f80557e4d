// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_util.h"

int dev_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

long dev_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

int vm_create(int sys_fd, unsigned long type)
{
	return (int)dev_ioctl(sys_fd, KVM_CREATE_VM, type);
}

int t_open_path(struct test_ctx *t, const char *path)
{
	int fd = dev_open(path);

	if (fd < 0) {
		t_fail(t, __FILE__, __LINE__, "open %s: %s", path, strerror(-fd));
		t_abort(t);
	}
	return fd;
}

int t_open_dev(struct test_ctx *t)
{
	return t_open_path(t, t->dev);
}

int t_vm_create(struct test_ctx *t, int sys_fd)
{
	int fd = vm_create(sys_fd, 0);

	if (fd < 0) {
		t_fail(t, __FILE__, __LINE__, "KVM_CREATE_VM on %s: %s", t->dev, strerror(-fd));
		t_abort(t);
	}
	return fd;
}

void t_close(struct test_ctx *t, int fd)
{
	if (close(fd)) {
		t_fail(t, __FILE__, __LINE__, "close(%d): %s", fd, strerror(errno));
		t_abort(t);
	}
}
