// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm.h"
#include "../util/err.h"

int vm__create(struct vm *vm, struct dev *dev, char *msg, size_t msglen)
{
	vm->dev = dev;
	vm->fd = ioctl(dev->fd, KVM_CREATE_VM, 0UL);
	if (vm->fd < 0) {
		int err = errno;

		if (msg)
			err__format_dev(msg, msglen, DEV_OP_CREATE_VM, dev->path, err);
		return -err;
	}
	return 0;
}

void vm__destroy(struct vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
}
