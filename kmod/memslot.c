// SPDX-License-Identifier: GPL-2.0
/*
 * Memslots: guest RAM as ranges of the creating process's memory, validated as KVM
 * validates KVM_SET_USER_MEMORY_REGION, pinned for the slot's life (FOLL_LONGTERM, charged
 * to RLIMIT_MEMLOCK) and mapped into the EPT by the backend.
 *
 * Locking, as KVM's memslots: changes are serialized by vm->slots_lock, which nothing on a
 * vCPU's path takes, so pinning (which may wait on a stalled FUSE or NFS mapping, or just
 * take long for a big slot) never holds up a vCPU. The set of slots vCPUs see is one array,
 * vm->memslots, replaced as a whole under slots_lock and read under vm->srcu
 * (vmxmon_gpa_to_page(): EPT violations, instruction fetches, guest page walks). A slot
 * leaves the array, then the EPT (->unmap_slot() returns once no CPU can use a translation
 * of it), and only after synchronize_srcu() and that are its pages unpinned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>

#include "kmod/vmxmon.h"

#define VMXMON_MEM_MAX_PAGES	((1ull << 31) - 1)	/* KVM_MEM_MAX_NR_PAGES */

static u64 vmxmon_max_gpa(void)
{
	/* 4-level EPT translates 48 bits; the guest sees the host's physical width. */
	return BIT_ULL(min_t(unsigned int, boot_cpu_data.x86_phys_bits, 48));
}

static struct vmxmon_memslots *vmxmon_memslots_locked(struct vmxmon_vm *vm)
{
	return rcu_dereference_protected(vm->memslots, lockdep_is_held(&vm->slots_lock));
}

static struct vmxmon_memslot *vmxmon_slot_by_id(struct vmxmon_memslots *slots, u16 id)
{
	unsigned int i;

	for (i = 0; i < slots->nr; i++)
		if (slots->slot[i]->id == id)
			return slots->slot[i];
	return NULL;
}

static struct vmxmon_memslot *vmxmon_slot_overlapping(struct vmxmon_memslots *slots, u16 skip,
						      u64 gpa, u64 npages)
{
	u64 end = gpa + (npages << PAGE_SHIFT);
	unsigned int i;

	for (i = 0; i < slots->nr; i++) {
		struct vmxmon_memslot *s = slots->slot[i];

		if (s->id != skip && gpa < s->gpa + (s->npages << PAGE_SHIFT) && s->gpa < end)
			return s;
	}
	return NULL;
}

/* A copy of the VM's array without @remove and with @add (either may be NULL). */
static struct vmxmon_memslots *vmxmon_memslots_copy(struct vmxmon_vm *vm,
						    const struct vmxmon_memslot *remove,
						    struct vmxmon_memslot *add)
{
	struct vmxmon_memslots *old = vmxmon_memslots_locked(vm);
	struct vmxmon_memslots *new = kmalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	if (!new)
		return NULL;
	new->nr = 0;
	for (i = 0; i < old->nr; i++)
		if (old->slot[i] != remove)
			new->slot[new->nr++] = old->slot[i];
	if (add)
		new->slot[new->nr++] = add;
	return new;
}

/* Make @new what vCPUs see; on return no vCPU looks at the old array any more. */
static void vmxmon_memslots_publish(struct vmxmon_vm *vm, struct vmxmon_memslots *new)
{
	struct vmxmon_memslots *old = vmxmon_memslots_locked(vm);

	rcu_assign_pointer(vm->memslots, new);
	synchronize_srcu_expedited(&vm->srcu);	/* no IPIs: SRCU waits for readers only */
	kfree(old);
}

static void vmxmon_slot_unpin(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 pinned)
{
	unpin_user_pages_dirty_lock(slot->pages, pinned, !(slot->flags & KVM_MEM_READONLY));
	account_locked_vm(vm->mm, slot->npages, false);
	kvfree(slot->pages);
	kfree(slot);
}

/*
 * Pin the slot's pages. The checks come before any allocation: a slot larger than the
 * host's RAM can never be pinned, and a caller over RLIMIT_MEMLOCK gets -ENOMEM from
 * account_locked_vm() without the kernel first allocating (and for a slot of terabytes,
 * warning about) a page array of 8 bytes per page.
 */
static int vmxmon_slot_pin(struct vmxmon_vm *vm, struct vmxmon_memslot *slot)
{
	u64 done = 0;
	int r;

	if (slot->npages > totalram_pages())
		return -ENOMEM;
	r = account_locked_vm(vm->mm, slot->npages, true);
	if (r)
		return r;
	slot->pages = kvmalloc_array(slot->npages, sizeof(*slot->pages),
				     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!slot->pages) {
		r = -ENOMEM;
		goto out_unaccount;
	}
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
	kvfree(slot->pages);
out_unaccount:
	account_locked_vm(vm->mm, slot->npages, false);
	return r;
}

/* Remove @slot from the guest: unpublished, unmapped and flushed, then unpinned and freed. */
static int vmxmon_slot_delete(struct vmxmon_vm *vm, struct vmxmon_memslot *slot)
{
	struct vmxmon_memslots *new = vmxmon_memslots_copy(vm, slot, NULL);

	if (!new)
		return -ENOMEM;
	vmxmon_memslots_publish(vm, new);
	vmxmon_ops->unmap_slot(vm, slot);
	vmxmon_slot_unpin(vm, slot, slot->npages);
	return 0;
}

static int vmxmon_slot_create(struct vmxmon_vm *vm, u16 id, u32 flags, u64 gpa, u64 npages,
			      u64 hva)
{
	struct vmxmon_memslots *new;
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
	new = vmxmon_memslots_copy(vm, NULL, slot);
	if (!new) {
		kfree(slot);
		return -ENOMEM;
	}
	r = vmxmon_slot_pin(vm, slot);
	if (r) {
		kfree(new);
		kfree(slot);
		return r;
	}
	r = vmxmon_ops->map_slot(vm, slot);
	if (r) {
		kfree(new);
		vmxmon_ops->unmap_slot(vm, slot);
		vmxmon_slot_unpin(vm, slot, npages);
		return r;
	}
	vmxmon_memslots_publish(vm, new);
	return 0;
}

/* Same memory, new guest address: out of the array and the EPT, then back in at @gpa. */
static int vmxmon_slot_move(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 gpa)
{
	struct vmxmon_memslots *without = vmxmon_memslots_copy(vm, slot, NULL);
	struct vmxmon_memslots *with = vmxmon_memslots_copy(vm, NULL, NULL);
	int r;

	if (!without || !with) {
		kfree(without);
		kfree(with);
		return -ENOMEM;
	}
	vmxmon_memslots_publish(vm, without);
	vmxmon_ops->unmap_slot(vm, slot);
	slot->gpa = gpa;		/* no reader sees the slot now */
	r = vmxmon_ops->map_slot(vm, slot);
	if (r) {
		kfree(with);
		vmxmon_ops->unmap_slot(vm, slot);
		vmxmon_slot_unpin(vm, slot, slot->npages);
		return r;
	}
	vmxmon_memslots_publish(vm, with);
	return 0;
}

int vmxmon_set_memory_region(struct vmxmon_vm *vm, const struct kvm_userspace_memory_region *mem)
{
	u16 as_id = mem->slot >> 16, id = (u16)mem->slot;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	struct vmxmon_memslots *slots;
	struct vmxmon_memslot *old;

	lockdep_assert_held(&vm->slots_lock);
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

	slots = vmxmon_memslots_locked(vm);
	old = vmxmon_slot_by_id(slots, id);
	if (!npages)				/* delete */
		return old ? vmxmon_slot_delete(vm, old) : -EINVAL;
	if (old) {
		/* Only a move keeps a slot: same memory, size and flags, new guest address. */
		if (mem->userspace_addr != old->hva || npages != old->npages ||
		    mem->flags != old->flags)
			return -EINVAL;
		if (mem->guest_phys_addr == old->gpa)
			return 0;		/* nothing changes */
	}
	if (vmxmon_slot_overlapping(slots, id, mem->guest_phys_addr, npages))
		return -EEXIST;
	if (old)
		return vmxmon_slot_move(vm, old, mem->guest_phys_addr);
	return vmxmon_slot_create(vm, id, mem->flags, mem->guest_phys_addr, npages,
				  mem->userspace_addr);
}

/* A new VM: no slots yet. */
int vmxmon_memslots_init(struct vmxmon_vm *vm)
{
	struct vmxmon_memslots *slots = kzalloc(sizeof(*slots), GFP_KERNEL_ACCOUNT);
	int r;

	if (!slots)
		return -ENOMEM;
	r = init_srcu_struct(&vm->srcu);
	if (r) {
		kfree(slots);
		return r;
	}
	mutex_init(&vm->slots_lock);
	RCU_INIT_POINTER(vm->memslots, slots);
	return 0;
}

/*
 * The VM is dying: no vCPU and no ioctl is left, so nobody reads the array. No TLB flush
 * either (the vCPUs are gone; see vmx/ept.c for why a later VM never meets the old
 * translations).
 */
void vmxmon_memslots_free(struct vmxmon_vm *vm)
{
	struct vmxmon_memslots *slots = rcu_dereference_protected(vm->memslots, true);
	unsigned int i;

	for (i = 0; i < slots->nr; i++) {
		vmxmon_ops->unmap_slot(vm, slots->slot[i]);
		vmxmon_slot_unpin(vm, slots->slot[i], slots->slot[i]->npages);
	}
	kfree(slots);
	RCU_INIT_POINTER(vm->memslots, NULL);
	cleanup_srcu_struct(&vm->srcu);
}

/*
 * The page backing guest-physical @gpa, with a reference the caller drops (put_page). Any
 * context that may take an SRCU read lock; it never waits for a memslot change.
 */
struct page *vmxmon_gpa_to_page(struct vmxmon_vm *vm, u64 gpa, bool write)
{
	const struct vmxmon_memslots *slots;
	struct page *page = NULL;
	unsigned int i;
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	slots = srcu_dereference(vm->memslots, &vm->srcu);
	for (i = 0; i < slots->nr; i++) {
		const struct vmxmon_memslot *s = slots->slot[i];
		u64 off = gpa - s->gpa;		/* one unsigned compare for both ends */

		if (off < (s->npages << PAGE_SHIFT)) {
			if (!write || !(s->flags & KVM_MEM_READONLY)) {
				page = s->pages[off >> PAGE_SHIFT];
				get_page(page);
			}
			break;
		}
	}
	srcu_read_unlock(&vm->srcu, idx);
	return page;
}
