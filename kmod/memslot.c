// SPDX-License-Identifier: GPL-2.0
/*
 * Memslots: guest RAM as ranges of the creating process's memory, validated as KVM
 * validates KVM_SET_USER_MEMORY_REGION, pinned for the slot's life (FOLL_LONGTERM, charged
 * to RLIMIT_MEMLOCK) and mapped into the EPT by the backend.
 *
 * Called with vm->lock held. A slot is unmapped and every CPU's translations flushed
 * (->unmap_slot() returns after that) before its pages are unpinned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kmod/vmxmon.h"

#define VMXMON_MEM_MAX_PAGES	((1ull << 31) - 1)	/* KVM_MEM_MAX_NR_PAGES */

static u64 vmxmon_max_gpa(void)
{
	/* 4-level EPT translates 48 bits; the guest sees the host's physical width. */
	return BIT_ULL(min_t(unsigned int, boot_cpu_data.x86_phys_bits, 48));
}

static struct vmxmon_memslot *vmxmon_slot_overlapping(struct vmxmon_vm *vm, u16 skip,
						      u64 gpa, u64 npages)
{
	u64 end = gpa + (npages << PAGE_SHIFT);
	int i;

	for (i = 0; i < VMXMON_USER_MEMSLOTS; i++) {
		struct vmxmon_memslot *s = vm->slots[i];

		if (s && i != skip && gpa < s->gpa + (s->npages << PAGE_SHIFT) && s->gpa < end)
			return s;
	}
	return NULL;
}

static void vmxmon_slot_unpin(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 pinned)
{
	unpin_user_pages_dirty_lock(slot->pages, pinned, !(slot->flags & KVM_MEM_READONLY));
	account_locked_vm(vm->mm, slot->npages, false);
	kvfree(slot->pages);
	kfree(slot);
}

static int vmxmon_slot_pin(struct vmxmon_vm *vm, struct vmxmon_memslot *slot)
{
	u64 done = 0;
	int r;

	slot->pages = kvmalloc_array(slot->npages, sizeof(*slot->pages), GFP_KERNEL_ACCOUNT);
	if (!slot->pages)
		return -ENOMEM;
	r = account_locked_vm(vm->mm, slot->npages, true);
	if (r)
		goto out_free;
	while (done < slot->npages) {
		unsigned long chunk = min_t(u64, slot->npages - done, 1ul << 20);
		unsigned int gup = FOLL_LONGTERM |
				   (slot->flags & KVM_MEM_READONLY ? 0 : FOLL_WRITE);
		long n = pin_user_pages_fast(slot->hva + (done << PAGE_SHIFT), chunk, gup,
					     slot->pages + done);

		if (n <= 0) {
			r = n ? n : -EFAULT;
			goto out_unpin;
		}
		done += n;
		cond_resched();
	}
	return 0;

out_unpin:
	unpin_user_pages(slot->pages, done);
	account_locked_vm(vm->mm, slot->npages, false);
out_free:
	kvfree(slot->pages);
	return r;
}

/* Remove @slot from the guest: unmapped and flushed everywhere, then unpinned and freed. */
static void vmxmon_slot_delete(struct vmxmon_vm *vm, struct vmxmon_memslot *slot)
{
	vm->slots[slot->id] = NULL;
	vmxmon_ops->unmap_slot(vm, slot);
	vmxmon_slot_unpin(vm, slot, slot->npages);
}

static int vmxmon_slot_create(struct vmxmon_vm *vm, u16 id, u32 flags, u64 gpa, u64 npages,
			      u64 hva)
{
	struct vmxmon_memslot *slot;
	int r;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	slot->id = id;
	slot->flags = flags;
	slot->gpa = gpa;
	slot->npages = npages;
	slot->hva = hva;
	r = vmxmon_slot_pin(vm, slot);
	if (r) {
		kfree(slot);
		return r;
	}
	r = vmxmon_ops->map_slot(vm, slot);
	if (r) {
		vmxmon_ops->unmap_slot(vm, slot);
		vmxmon_slot_unpin(vm, slot, npages);
		return r;
	}
	vm->slots[id] = slot;
	return 0;
}

int vmxmon_set_memory_region(struct vmxmon_vm *vm, const struct kvm_userspace_memory_region *mem)
{
	u16 as_id = mem->slot >> 16, id = (u16)mem->slot;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	struct vmxmon_memslot *old;
	int r;

	lockdep_assert_held(&vm->lock);
	/* Read-only slots; no dirty logging yet; one address space (no SMM). */
	if ((mem->flags & ~KVM_MEM_READONLY) || as_id || id >= VMXMON_USER_MEMSLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(mem->memory_size) || !PAGE_ALIGNED(mem->guest_phys_addr) ||
	    !PAGE_ALIGNED(mem->userspace_addr) ||
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr, mem->memory_size))
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr ||
	    mem->guest_phys_addr + mem->memory_size > vmxmon_max_gpa() ||
	    npages > VMXMON_MEM_MAX_PAGES)
		return -EINVAL;

	old = vm->slots[id];
	if (!npages) {				/* delete */
		if (!old)
			return -EINVAL;
		vmxmon_slot_delete(vm, old);
		return 0;
	}
	if (old) {
		/* Only a move keeps a slot: same memory, size and flags, new guest address. */
		if (mem->userspace_addr != old->hva || npages != old->npages ||
		    mem->flags != old->flags)
			return -EINVAL;
		if (mem->guest_phys_addr == old->gpa)
			return 0;		/* nothing changes */
	}
	if (vmxmon_slot_overlapping(vm, id, mem->guest_phys_addr, npages))
		return -EEXIST;
	if (old) {
		vm->slots[id] = NULL;
		vmxmon_ops->unmap_slot(vm, old);
		old->gpa = mem->guest_phys_addr;
		r = vmxmon_ops->map_slot(vm, old);
		if (r) {
			vmxmon_ops->unmap_slot(vm, old);
			vmxmon_slot_unpin(vm, old, old->npages);
			return r;
		}
		vm->slots[id] = old;
		return 0;
	}
	return vmxmon_slot_create(vm, id, mem->flags, mem->guest_phys_addr, npages,
				  mem->userspace_addr);
}

/* The VM is dying: no vCPU runs any more. */
void vmxmon_memslots_free(struct vmxmon_vm *vm)
{
	int i;

	for (i = 0; i < VMXMON_USER_MEMSLOTS; i++)
		if (vm->slots[i])
			vmxmon_slot_delete(vm, vm->slots[i]);
}

/* The page backing guest-physical @gpa, with a reference the caller drops (put_page). */
struct page *vmxmon_gpa_to_page(struct vmxmon_vm *vm, u64 gpa, bool write)
{
	struct page *page = NULL;
	int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < VMXMON_USER_MEMSLOTS; i++) {
		struct vmxmon_memslot *s = vm->slots[i];

		if (s && gpa >= s->gpa && gpa < s->gpa + (s->npages << PAGE_SHIFT)) {
			if (write && (s->flags & KVM_MEM_READONLY))
				break;
			page = s->pages[(gpa - s->gpa) >> PAGE_SHIFT];
			get_page(page);
			break;
		}
	}
	mutex_unlock(&vm->lock);
	return page;
}
