/* SPDX-License-Identifier: GPL-2.0 */
/* kmod/: the Linux glue's internal interfaces. */
#ifndef VMXMON_KMOD_H
#define VMXMON_KMOD_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm_types.h>

#include "kmod/backend.h"

extern const struct vmxmon_backend_ops *vmxmon_ops;

/* A virtual machine: one per KVM_CREATE_VM, alive as long as its fd. */
struct vmxmon_vm {
	struct mm_struct *mm;		/* creator's mm: ioctls from another process get -EIO */
	struct list_head list;		/* on vmxmon_vm_list, under vmxmon_vm_lock */
};

/* kmod/vm.c */
int vmxmon_vm_create(unsigned long type);
unsigned int vmxmon_vm_count(void);

/* kmod/hw.c: VMX operation on every online CPU while at least one VM exists. */
int vmxmon_hw_init(void);
void vmxmon_hw_exit(void);
int vmxmon_hw_get(void);
void vmxmon_hw_put(void);
unsigned int vmxmon_hw_users(void);

/* kmod/dev.c */
int vmxmon_dev_init(void);
void vmxmon_dev_exit(void);

/* kmod/debugfs.c */
void vmxmon_debugfs_init(void);
void vmxmon_debugfs_exit(void);

#endif /* VMXMON_KMOD_H */
