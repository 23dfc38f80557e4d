// SPDX-License-Identifier: GPL-2.0
/*
 * Memslots: guest RAM as ranges of the creating process's memory, validated as KVM
 * validates KVM_SET_USER_MEMORY_REGION, and faulted into the EPT page by page as the guest
 * touches it. Nothing is pinned and nothing is charged to RLIMIT_MEMLOCK: the host may
 * swap, migrate, merge (KSM), COW (fork) or free (MADV_DONTNEED, munmap) guest pages at
 * any time, as with KVM.
 *
 * Demand paging (KVM's hva_to_pfn() and mmu_invalidate_seq pattern, with the kernel's
 * interval notifiers):
 *  - Each slot registers an mmu_interval_notifier over its host range. The host mm calls
 *    it before it changes or frees a page there (invalidate_range_start); the callback,
 *    vmxmon_slot_invalidate(), has the backend (->zap_gpa()) take its EPT lock, record the
 *    notifier's new sequence number (mmu_interval_set_seq()), clear the EPT leaves of the
 *    range (marking pages that were mapped writable dirty: the guest may have written
 *    them), drop the lock, and return only once no CPU can use a translation of them:
 *    every vCPU of the VM flushes (INVEPT) before its next entry, and those in guest mode
 *    are made to exit and waited for (vmxmon_vm_request_all(), vmx/ept.c).
 *  - An EPT violation on RAM (vmxmon_gpa_fault(), in the vCPU thread with preemption and
 *    interrupts on: after the exit, where sleeping is allowed; the VMCS follows the thread
 *    through the preempt notifiers) reads the notifier's sequence first
 *    (mmu_interval_read_begin(), which waits while an invalidation of the slot is in
 *    progress), then looks the page up through the creator's mm with get_user_pages_fast()
 *    (the vCPU thread runs in that mm; ioctls from other processes get -EIO), writable if
 *    the access writes or the page is already mapped writable (a read never breaks COW:
 *    an untouched page maps the shared zero page read-only, and the first write faults
 *    again). The backend then takes its EPT lock and installs the leaf only if
 *    mmu_interval_read_retry() says no invalidation began since: an invalidation either
 *    set the sequence first (the fault retries: the guest re-executes the access and
 *    exits again) or comes after the leaf is in place (it zaps it). The page reference
 *    from GUP is dropped right after: the mapping is protected by the notifier, not a pin.
 *  - Where the host maps the whole 2 MiB (1 GiB) around the page with one huge page (THP,
 *    hugetlbfs) and the slot's alignment allows, the fault maps that with one EPT leaf
 *    (vmxmon_map_level(), kmod/map_level.c: the one place that decides). The same
 *    sequence check covers the whole range; an invalidation of any part of it zaps the
 *    whole leaf.
 *  - The EPT lock is never held across an allocation that could enter reclaim (the
 *    backend keeps a small cache of table pages filled outside it): reclaim may call the
 *    notifier, which takes that lock. Notifier calls that may not sleep (the OOM reaper)
 *    get false if the lock is busy, as the notifier API allows.
 *  - vm->srcu is held from the slot lookup to the EPT update, so a slot that leaves the
 *    array (synchronize_srcu) has no fault in flight; it is then zapped, its notifier
 *    removed (which waits for a running callback), and freed.
 * Emulator accesses copy through the creator's mapping (vmxmon_gpa_copy(): copy_from_user()
 * at the slot's host address, as KVM's kvm_read_guest()); the guest page-table walker's
 * A/D-bit updates take the page with GUP (vmxmon_gpa_to_page()) for the cmpxchg.
 *
 * Locking, as KVM's memslots: changes are serialized by vm->slots_lock, which nothing on a
 * vCPU's path takes. The set of slots vCPUs see is one array, vm->memslots, replaced as a
 * whole under slots_lock and read under vm->srcu.
 *
 * Lock order (lockdep checks it on the debug kernel: make check-debug-shared), outer first:
 * vcpu->mutex -> vm->srcu (read) -> mm locks (GUP: mmap_lock, folio locks), then ept_lock;
 * slots_lock -> mmap_lock (notifier insertion), vm->srcu (synchronize), ept_lock (slot zap,
 * watches); vcpu->mutex -> vm->lock -> ept_lock (APIC-access page); the mm's locks held at
 * an invalidation (mmap_lock, i_mmap_rwsem, anon_vma, folio locks, fs_reclaim) -> notifier
 * -> ept_lock -> watches->lock (a spinlock, the only lock inside it). ept_lock is innermost
 * of the sleeping locks: under it nothing allocates, faults, takes an mm lock or waits for
 * another CPU (TLB-flush IPIs go out after it is dropped). In share mode (vmx/share.c) all
 * this runs between vmxmon_sleep_begin() and _end(): IRQs and preemption on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hugetlb.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
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

static atomic_t vmxmon_notifiers = ATOMIC_INIT(0);

/* Slot notifiers registered now, all VMs (debugfs: a dead VM leaves none). */
int vmxmon_memslot_notifiers(void)
{
	return atomic_read(&vmxmon_notifiers);
}

/* The host mm is about to change or free pages of @mni's slot: see the top of this file. */
static bool vmxmon_slot_invalidate(struct mmu_interval_notifier *mni,
				   const struct mmu_notifier_range *range, unsigned long cur_seq)
{
	struct vmxmon_memslot *slot = container_of(mni, struct vmxmon_memslot, notifier);
	u64 start = max_t(u64, range->start, slot->hva);
	u64 end = min_t(u64, range->end, slot->hva + vmxmon_slot_bytes(slot));

	if (start >= end)	/* cannot happen (the tree matched): just record the sequence */
		end = start;
	return vmxmon_ops->zap_gpa(slot->vm, slot, slot->gpa + (start - slot->hva),
				   slot->gpa + (end - slot->hva), cur_seq,
				   mmu_notifier_range_blockable(range));
}

static const struct mmu_interval_notifier_ops vmxmon_slot_notifier_ops = {
	.invalidate = vmxmon_slot_invalidate,
};

/* A slot nobody can reach any more: out of the EPT (flushed), notifier off, freed. */
static void vmxmon_slot_free(struct vmxmon_vm *vm, struct vmxmon_memslot *slot)
{
	vmxmon_ops->zap_gpa(vm, NULL, slot->gpa, slot->gpa + vmxmon_slot_bytes(slot), 0, true);
	mmu_interval_notifier_remove(&slot->notifier);
	atomic_dec(&vmxmon_notifiers);
	kfree(slot);
}

/*
 * A new slot, its notifier registered (the caller is the creator: its mm is live). The
 * first notifier of an mm takes its mmap lock for writing: slots_lock is never taken
 * under it.
 */
static struct vmxmon_memslot *vmxmon_slot_new(struct vmxmon_vm *vm, u16 id, u32 flags, u64 gpa,
					      u64 npages, u64 hva, int *err)
{
	struct vmxmon_memslot *slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);

	*err = -ENOMEM;
	if (!slot)
		return NULL;
	slot->id = id;
	slot->flags = flags;
	slot->gpa = gpa;
	slot->npages = npages;
	slot->hva = hva;
	slot->vm = vm;
	*err = mmu_interval_notifier_insert(&slot->notifier, vm->mm, hva, npages << PAGE_SHIFT,
					    &vmxmon_slot_notifier_ops);
	if (*err) {
		kfree(slot);
		return NULL;
	}
	atomic_inc(&vmxmon_notifiers);
	return slot;
}

/* Remove @slot from the guest: unpublished (no fault in flight), unmapped, freed. */
static int vmxmon_slot_delete(struct vmxmon_vm *vm, struct vmxmon_memslot *slot)
{
	struct vmxmon_memslots *new = vmxmon_memslots_copy(vm, slot, NULL);

	if (!new)
		return -ENOMEM;
	vmxmon_watch_slot_gone(vm, slot->gpa, vmxmon_slot_bytes(slot));
	vmxmon_memslots_publish(vm, new);
	vmxmon_slot_free(vm, slot);
	return 0;
}

/*
 * A new slot, or @old moved to @gpa: the same memory in a new slot. Nothing is mapped up
 * front (the guest faults pages in). A move takes the old slot out of the array and the
 * EPT before the new one appears (the ranges may overlap: no leaf of the old slot may
 * stand where the new one maps other pages); everything that can fail comes first.
 */
static int vmxmon_slot_create(struct vmxmon_vm *vm, struct vmxmon_memslot *old, u16 id,
			      u32 flags, u64 gpa, u64 npages, u64 hva)
{
	struct vmxmon_memslots *without = NULL, *with;
	struct vmxmon_memslot *slot;
	int r;

	slot = vmxmon_slot_new(vm, id, flags, gpa, npages, hva, &r);
	if (!slot)
		return r;
	if (old)
		without = vmxmon_memslots_copy(vm, old, NULL);
	with = vmxmon_memslots_copy(vm, old, slot);
	if (!with || (old && !without)) {
		kfree(without);
		kfree(with);
		vmxmon_slot_free(vm, slot);
		return -ENOMEM;
	}
	if (old) {
		vmxmon_watch_slot_gone(vm, old->gpa, vmxmon_slot_bytes(old));
		vmxmon_memslots_publish(vm, without);
		vmxmon_slot_free(vm, old);
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
	return vmxmon_slot_create(vm, old, id, mem->flags, mem->guest_phys_addr, npages,
				  mem->userspace_addr);
}

/* Is [gpa, gpa + len) inside one memslot? slots_lock held. */
bool vmxmon_gpa_range_in_slot(struct vmxmon_vm *vm, u64 gpa, u64 len)
{
	struct vmxmon_memslots *slots = vmxmon_memslots_locked(vm);
	unsigned int i;

	for (i = 0; i < slots->nr; i++) {
		struct vmxmon_memslot *s = slots->slot[i];

		if (gpa >= s->gpa && gpa - s->gpa <= vmxmon_slot_bytes(s) &&
		    len <= vmxmon_slot_bytes(s) - (gpa - s->gpa))
			return true;
	}
	return false;
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
 * The VM is dying: no vCPU and no ioctl is left, so nobody reads the array. The creator's
 * mm may be gone already (its exit unmapped everything, through the notifiers); each
 * notifier holds the mm_struct until it is removed.
 */
void vmxmon_memslots_free(struct vmxmon_vm *vm)
{
	struct vmxmon_memslots *slots = rcu_dereference_protected(vm->memslots, true);
	unsigned int i;

	for (i = 0; i < slots->nr; i++)
		vmxmon_slot_free(vm, slots->slot[i]);
	kfree(slots);
	RCU_INIT_POINTER(vm->memslots, NULL);
	cleanup_srcu_struct(&vm->srcu);
}

/* The slot holding @gpa, if @write is allowed there. srcu read lock held. */
static struct vmxmon_memslot *vmxmon_gpa_slot(struct vmxmon_vm *vm, u64 gpa, bool write)
{
	const struct vmxmon_memslots *slots = srcu_dereference(vm->memslots, &vm->srcu);
	unsigned int i;

	for (i = 0; i < slots->nr; i++) {
		struct vmxmon_memslot *s = slots->slot[i];

		if (gpa - s->gpa < vmxmon_slot_bytes(s))	/* one unsigned compare, both ends */
			return write && (s->flags & KVM_MEM_READONLY) ? NULL : s;
	}
	return NULL;
}

/*
 * The page at @hva of the current task's mm, with a GUP reference: writable if @write, and
 * if @try_write and the page is already mapped writable (found without faulting: a read
 * must not break COW or allocate). 0 or -errno.
 */
static int vmxmon_hva_get_page(unsigned long hva, bool write, bool try_write,
			       struct page **page, bool *writable)
{
	long n;

	*writable = write;
	if (!write && try_write && get_user_pages_fast_only(hva, 1, FOLL_WRITE, page) == 1) {
		*writable = true;
		return 0;
	}
	n = get_user_pages_fast(hva, 1, write ? FOLL_WRITE : 0, page);
	if (n == 1)
		return 0;
	return n < 0 ? (int)n : -EFAULT;
}

int vmxmon_gpa_fault(struct vmxmon_vm *vm, u64 gpa, bool write)
{
	struct vmxmon_memslot *slot;
	unsigned long seq, hva;
	struct page *page;
	bool writable;
	int idx, r;

	idx = srcu_read_lock(&vm->srcu);
	slot = vmxmon_gpa_slot(vm, gpa, write);
	if (!slot) {
		r = 0;
		goto out;
	}
	r = -EIO;
	if (current->mm != vm->mm)
		goto out;
	gpa &= PAGE_MASK;
	hva = slot->hva + (gpa - slot->gpa);
	seq = mmu_interval_read_begin(&slot->notifier);
	r = vmxmon_hva_get_page(hva, write, !(slot->flags & KVM_MEM_READONLY), &page, &writable);
	if (r)
		goto out;
	r = vmxmon_ops->map_gpa(vm, slot, gpa, page_to_pfn(page), writable, seq,
				vmxmon_map_level(vm, slot, gpa, page, writable));
	put_page(page);
	if (r == -EEXIST)
		r = 0;			/* the APIC-access page sits there: not RAM to the guest */
	else if (!r || r == -EAGAIN)
		r = 1;			/* mapped, or invalidated meanwhile: the guest retries */
out:
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

/*
 * Small reads (the walker's page-table entries, the decoder's instruction fetch) as aligned
 * 8-byte user loads: copy_from_user() would first run the hardened-usercopy checks of the
 * kernel buffer, which cost more than the copy (about 250 instructions per MMIO exit). The
 * words lie within the page of @hva: @hva + @len does not cross it, and pages are aligned.
 * Several words are loaded in one user-access section (one STAC/CLAC and one range check,
 * not one call of get_user() each: the instruction fetch of every decoded MMIO exit), into
 * a local buffer that is copied out after it (no call with user access on).
 */
#define VMXMON_SMALL_READ	32

static int vmxmon_read_words(void *buf, unsigned long hva, unsigned int len)
{
	u64 w[VMXMON_SMALL_READ / 8 + 1], *d = w;
	u64 __user *p = (u64 __user *)(hva & ~7ul);
	unsigned int i, n = ((hva & 7) + len + 7) / 8;

	if (len == sizeof(u64) && IS_ALIGNED(hva, 8))	/* a page-table entry */
		return get_user(*(u64 *)buf, (u64 __user *)hva);
	/*
	 * Bounded here (never true) and stored through d, not w[i]: UBSAN's bounds check of
	 * w[i] is a call, and none may run with user access on (objtool on the debug kernel).
	 */
	if (n > ARRAY_SIZE(w))
		return -EFAULT;
	if (!user_access_begin(p, n * sizeof(u64)))
		return -EFAULT;
	for (i = 0; i < n; i++)
		unsafe_get_user(*d++, p + i, fault);
	user_access_end();
	memcpy(buf, (u8 *)w + (hva & 7), len);
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

int vmxmon_gpa_copy(struct vmxmon_vm *vm, u64 gpa, void *buf, unsigned int len, bool write)
{
	struct vmxmon_memslot *slot;
	void __user *hva;
	int idx, r = -EFAULT;

	idx = srcu_read_lock(&vm->srcu);
	slot = vmxmon_gpa_slot(vm, gpa, write);
	if (slot && current->mm == vm->mm) {
		hva = (void __user *)(unsigned long)(slot->hva + (gpa - slot->gpa));
		if (write)
			r = copy_to_user(hva, buf, len) ? -EFAULT : 0;
		else if (len <= VMXMON_SMALL_READ)
			r = vmxmon_read_words(buf, (unsigned long)hva, len);
		else
			r = copy_from_user(buf, hva, len) ? -EFAULT : 0;
	}
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

struct page *vmxmon_gpa_to_page(struct vmxmon_vm *vm, u64 gpa, bool write)
{
	struct vmxmon_memslot *slot;
	struct page *page = NULL;
	bool writable;
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	slot = vmxmon_gpa_slot(vm, gpa, write);
	if (slot && current->mm == vm->mm &&
	    vmxmon_hva_get_page(slot->hva + ((gpa & PAGE_MASK) - slot->gpa), write, false,
				&page, &writable))
		page = NULL;
	srcu_read_unlock(&vm->srcu, idx);
	return page;
}
