/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtual machine: the VM fd and, later, its memory, vCPUs and devices. For now it only
 * exists (which is enough for vmxmon to turn VT-x on).
 */
#ifndef VMXRUN_VM_VM_H
#define VMXRUN_VM_VM_H

#include <stddef.h>

#include "dev.h"

struct vm {
	struct dev *dev;
	int fd;
};

/* KVM_CREATE_VM (type 0); on failure *msg gets the user-facing message. 0 or -errno. */
int vm__create(struct vm *vm, struct dev *dev, char *msg, size_t msglen);
void vm__destroy(struct vm *vm);

#endif
