/* SPDX-License-Identifier: GPL-2.0 */
/* kmod/: the Linux glue's internal interfaces. */
#ifndef VMXMON_KMOD_H
#define VMXMON_KMOD_H

#include <linux/fs.h>

#include "kmod/backend.h"

extern const struct vmxmon_backend_ops *vmxmon_ops;

/* kmod/vm.c */
int vmxmon_vm_create(unsigned long type);

/* kmod/ioeventfd.c */
extern atomic_t vmxmon_nr_ioeventfds;
long vmxmon_vm_ioeventfd(struct vmxmon_vm *vm, void __user *uarg);
void vmxmon_ioeventfds_free(struct vmxmon_vm *vm);

/* kmod/irqfd.c */
struct kvm_irq_routing_entry;
extern atomic_t vmxmon_nr_irqfds;
int vmxmon_msi_routes_set(struct vmxmon_vm *vm, const struct kvm_irq_routing_entry *e, u32 n);
long vmxmon_vm_irqfd(struct vmxmon_vm *vm, void __user *uarg);
void vmxmon_irqfd_vm_init(struct vmxmon_vm *vm);
void vmxmon_irqfd_vm_destroy(struct vmxmon_vm *vm);
int vmxmon_irqfd_init(void);
void vmxmon_irqfd_exit(void);
unsigned int vmxmon_vm_count(void);
void vmxmon_vm_get(struct vmxmon_vm *vm);
void vmxmon_vm_put(struct vmxmon_vm *vm);

/* kmod/memslot.c */
int vmxmon_memslots_init(struct vmxmon_vm *vm);
int vmxmon_set_memory_region(struct vmxmon_vm *vm,		/* vm->slots_lock held */
			     const struct kvm_userspace_memory_region *mem);
void vmxmon_memslots_free(struct vmxmon_vm *vm);
int vmxmon_memslot_notifiers(void);
/* kmod/map_level.c: the largest EPT leaf that may map @gpa (3: 1 GiB, 2: 2 MiB, 1: 4 KiB). */
int vmxmon_map_level(struct vmxmon_vm *vm, const struct vmxmon_memslot *slot, u64 gpa,
		     struct page *page, bool writable);

static inline u64 vmxmon_slot_bytes(const struct vmxmon_memslot *slot)
{
	return slot->npages << PAGE_SHIFT;
}
bool vmxmon_gpa_range_in_slot(struct vmxmon_vm *vm, u64 gpa, u64 len);	/* slots_lock */

/* kmod/watch.c: EPT watchpoints */
long vmxmon_vm_ept_watch(struct vmxmon_vm *vm, unsigned int ioctl, void __user *uarg);
void vmxmon_watch_slot_gone(struct vmxmon_vm *vm, u64 gpa, u64 len);	/* slots_lock */
void vmxmon_watches_free(struct vmxmon_vm *vm);

/* kmod/vcpu.c */
int vmxmon_vcpu_create(struct vmxmon_vm *vm, unsigned long id);
void vmxmon_vcpu_free(struct vmxmon_vcpu *vcpu);
int vmxmon_vcpu_init(void);
void vmxmon_vcpu_exit(void);
void vmxmon_vcpu_load(struct vmxmon_vcpu *vcpu);
void vmxmon_vcpu_put(struct vmxmon_vcpu *vcpu);

/* kmod/vcpu_state.c */
long vmxmon_vcpu_state_ioctl(struct vmxmon_vcpu *vcpu, unsigned int ioctl, void __user *uarg);
long vmxmon_get_supported_cpuid(void __user *uarg);
long vmxmon_get_msr_index_list(struct kvm_msr_list __user *uarg);

/* kmod/virt.c: VMX operation on every online CPU while a VM exists (and vmx_idle_ms after). */
int vmxmon_virt_init(void);
void vmxmon_virt_exit(void);
int vmxmon_virt_get(void);
void vmxmon_virt_put(void);
unsigned int vmxmon_virt_held(void);
/* Share mode (vmx/share.c): decided when VMX is turned on, constant while any VM exists. */
extern bool vmxmon_virt_shared;

/* kmod/dev.c */
int vmxmon_dev_init(void);
long vmxmon_check_extension(long ext);
void vmxmon_dev_exit(void);

/* kmod/stats.c: KVM_GET_STATS_FD */
int vmxmon_vm_stats_fd(struct vmxmon_vm *vm);
int vmxmon_vcpu_stats_fd(struct vmxmon_vcpu *vcpu);

/* kmod/debugfs.c */
void vmxmon_debugfs_init(void);
void vmxmon_debugfs_exit(void);

/*
 * Copy an ioctl argument in once (the caller then validates the copy, never the user
 * memory again) and out.
 */
#define vmxmon_copy_in(dst, uarg)	(copy_from_user((dst), (uarg), sizeof(*(dst))) ? -EFAULT : 0)
#define vmxmon_copy_out(uarg, src)	(copy_to_user((uarg), (src), sizeof(*(src))) ? -EFAULT : 0)

#endif /* VMXMON_KMOD_H */
