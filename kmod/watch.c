// SPDX-License-Identifier: GPL-2.0
/*
 * EPT watchpoints (VMXMON_ADD_EPT_WATCH / VMXMON_DEL_EPT_WATCH, include/uapi/vmxmon.h): the
 * list of watched guest-physical ranges of a VM, and the pages vCPUs are stepping over now.
 * The backend asks this file what a page's EPT leaf may allow (->map_gpa() and
 * ->watch_protect() under its EPT lock) and whether an EPT violation hit a watch (vmx/watch.c
 * has the mechanism: protect, exit, single-step, protect again).
 *
 * A page's leaf loses the permissions of every watch that overlaps it, except while some
 * vCPU steps over the page (an access that hit it, or another access to the same page, is
 * completing): then it has them all. Watches live as long as the VM; a memslot deleted or
 * moved takes the watches inside it along.
 *
 * Locking: changes to the list come under vm->slots_lock (so a watch is added only inside a
 * slot that stays while it is checked) and, for the readers, under watches->lock, a spinlock
 * that the backend takes inside its EPT lock and the fault path takes alone. Nothing
 * allocates under it (the EPT lock is taken in reclaim, by the MMU notifier). The struct is
 * allocated at the first watch, published with a release store, and freed with the VM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmod/vmxmon.h"

/* Pages being stepped over, all vCPUs of a VM: an instruction touches a few at most. */
#define VMXMON_WATCH_MAX_STEPS	64

struct vmxmon_watches {
	spinlock_t lock;
	unsigned int nr;
	struct vmxmon_ept_watch w[VMXMON_MAX_EPT_WATCHES];	/* w[0..nr) */
	unsigned int nsteps;
	struct {
		u64 gpa;				/* page */
		const struct vmxmon_vcpu *vcpu;
	} step[VMXMON_WATCH_MAX_STEPS];			/* step[0..nsteps) */
};

static struct vmxmon_watches *vmxmon_watches(struct vmxmon_vm *vm)
{
	return smp_load_acquire(&vm->watches);
}

static bool vmxmon_watch_overlap(const struct vmxmon_ept_watch *w, u64 gpa, u64 len)
{
	return gpa < w->gpa + w->len && w->gpa < gpa + len;
}

u32 vmxmon_watch_page_access(struct vmxmon_vm *vm, u64 gpa)
{
	struct vmxmon_watches *ws = vmxmon_watches(vm);
	u32 access = 0;
	unsigned int i;

	if (!ws || !READ_ONCE(ws->nr))
		return 0;
	gpa &= PAGE_MASK;
	spin_lock(&ws->lock);
	for (i = 0; i < ws->nr; i++)
		if (vmxmon_watch_overlap(&ws->w[i], gpa, PAGE_SIZE))
			access |= ws->w[i].flags;
	for (i = 0; access && i < ws->nsteps; i++)
		if (ws->step[i].gpa == gpa)
			access = 0;	/* open for a vCPU's step */
	spin_unlock(&ws->lock);
	return access;
}

bool vmxmon_watch_overlaps(struct vmxmon_vm *vm, u64 gpa, u64 len)
{
	struct vmxmon_watches *ws = vmxmon_watches(vm);
	bool found = false;
	unsigned int i;

	if (!ws || !READ_ONCE(ws->nr))
		return false;
	spin_lock(&ws->lock);
	for (i = 0; i < ws->nr && !found; i++)
		found = vmxmon_watch_overlap(&ws->w[i], gpa, len);
	spin_unlock(&ws->lock);
	return found;
}

bool vmxmon_watch_lookup(struct vmxmon_vm *vm, u64 gpa, u32 access, struct vmxmon_ept_watch *hit)
{
	struct vmxmon_watches *ws = vmxmon_watches(vm);
	bool found = false;
	unsigned int i;

	if (!ws)
		return false;
	spin_lock(&ws->lock);
	for (i = 0; i < ws->nr && !found; i++) {
		if ((ws->w[i].flags & access) && vmxmon_watch_overlap(&ws->w[i], gpa, 1)) {
			*hit = ws->w[i];
			found = true;
		}
	}
	spin_unlock(&ws->lock);
	return found;
}

int vmxmon_watch_step_add(struct vmxmon_vm *vm, const struct vmxmon_vcpu *vcpu, u64 gpa)
{
	struct vmxmon_watches *ws = vmxmon_watches(vm);
	unsigned int i;
	int r = 0;

	if (!ws)
		return 0;	/* no watch was ever added: nothing to open */
	gpa &= PAGE_MASK;
	spin_lock(&ws->lock);
	for (i = 0; i < ws->nsteps; i++)
		if (ws->step[i].gpa == gpa && ws->step[i].vcpu == vcpu)
			goto out;
	if (ws->nsteps == VMXMON_WATCH_MAX_STEPS) {
		r = -ENOSPC;
		goto out;
	}
	ws->step[ws->nsteps].gpa = gpa;
	ws->step[ws->nsteps].vcpu = vcpu;
	ws->nsteps++;
out:
	spin_unlock(&ws->lock);
	return r;
}

unsigned int vmxmon_watch_step_clear(struct vmxmon_vm *vm, const struct vmxmon_vcpu *vcpu,
				     u64 *gpas, unsigned int max)
{
	struct vmxmon_watches *ws = vmxmon_watches(vm);
	unsigned int i = 0, n = 0;

	if (!ws)
		return 0;
	spin_lock(&ws->lock);
	while (i < ws->nsteps && n < max) {
		if (ws->step[i].vcpu != vcpu) {
			i++;
			continue;
		}
		gpas[n++] = ws->step[i].gpa;
		ws->step[i] = ws->step[--ws->nsteps];
	}
	spin_unlock(&ws->lock);
	return n;
}

/* The memslot over [gpa, gpa + len) leaves: so do the watches inside it. slots_lock held. */
void vmxmon_watch_slot_gone(struct vmxmon_vm *vm, u64 gpa, u64 len)
{
	struct vmxmon_watches *ws = vmxmon_watches(vm);
	unsigned int i = 0;

	lockdep_assert_held(&vm->slots_lock);
	if (!ws)
		return;
	spin_lock(&ws->lock);
	while (i < ws->nr) {
		if (vmxmon_watch_overlap(&ws->w[i], gpa, len))
			ws->w[i] = ws->w[--ws->nr];
		else
			i++;
	}
	spin_unlock(&ws->lock);
}

void vmxmon_watches_free(struct vmxmon_vm *vm)
{
	kfree(vm->watches);
	vm->watches = NULL;
}

static int vmxmon_watch_check_arg(const struct vmxmon_ept_watch *a, bool add)
{
	if (a->pad || a->reserved[0] || a->reserved[1])
		return -EINVAL;
	if (add ? (!(a->flags & VMXMON_EPT_WATCH_ACCESS) || (a->flags & ~VMXMON_EPT_WATCH_ACCESS))
		: a->flags)
		return -EINVAL;
	if (!a->len || a->gpa + a->len < a->gpa)
		return -EINVAL;
	if (a->len > VMXMON_MAX_EPT_WATCH_LEN)
		return -E2BIG;
	return 0;
}

static long vmxmon_watch_add(struct vmxmon_vm *vm, const struct vmxmon_ept_watch *a)
{
	struct vmxmon_watches *ws = vm->watches;
	unsigned int i;

	lockdep_assert_held(&vm->slots_lock);
	if (!vmxmon_gpa_range_in_slot(vm, a->gpa, a->len))
		return -EINVAL;
	if (!ws) {
		ws = kzalloc(sizeof(*ws), GFP_KERNEL_ACCOUNT);
		if (!ws)
			return -ENOMEM;
		spin_lock_init(&ws->lock);
		smp_store_release(&vm->watches, ws);
	}
	for (i = 0; i < ws->nr; i++)
		if (vmxmon_watch_overlap(&ws->w[i], a->gpa, a->len))
			return -EEXIST;
	if (ws->nr == VMXMON_MAX_EPT_WATCHES)
		return -ENOSPC;
	spin_lock(&ws->lock);
	ws->w[ws->nr] = *a;
	WRITE_ONCE(ws->nr, ws->nr + 1);
	spin_unlock(&ws->lock);
	/* After the list: a fault that maps the page from now on sees the watch. */
	vmxmon_ops->watch_protect(vm, a->gpa, a->gpa + a->len);
	return 0;
}

static long vmxmon_watch_del(struct vmxmon_vm *vm, const struct vmxmon_ept_watch *a)
{
	struct vmxmon_watches *ws = vm->watches;
	unsigned int i;

	lockdep_assert_held(&vm->slots_lock);
	for (i = 0; ws && i < ws->nr; i++) {
		if (ws->w[i].gpa != a->gpa || ws->w[i].len != a->len)
			continue;
		spin_lock(&ws->lock);
		ws->w[i] = ws->w[ws->nr - 1];
		WRITE_ONCE(ws->nr, ws->nr - 1);
		spin_unlock(&ws->lock);
		vmxmon_ops->watch_protect(vm, a->gpa, a->gpa + a->len);	/* opens the pages */
		return 0;
	}
	return -ENOENT;
}

long vmxmon_vm_ept_watch(struct vmxmon_vm *vm, unsigned int ioctl, void __user *uarg)
{
	struct vmxmon_ept_watch a;
	bool add = ioctl == VMXMON_ADD_EPT_WATCH;
	long r;

	if (vmxmon_copy_in(&a, uarg))
		return -EFAULT;
	r = vmxmon_watch_check_arg(&a, add);
	if (r)
		return r;
	mutex_lock(&vm->slots_lock);
	r = add ? vmxmon_watch_add(vm, &a) : vmxmon_watch_del(vm, &a);
	mutex_unlock(&vm->slots_lock);
	return r;
}
