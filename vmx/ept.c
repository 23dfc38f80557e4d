// SPDX-License-Identifier: GPL-2.0
/*
 * Extended page tables: the guest-physical to host-physical map of a VM (SDM Vol. 3C 29.3),
 * filled page by page as the guest touches its RAM (kmod/memslot.c has the demand-paging
 * design: faults through the creator's mm, MMU notifiers). Four levels, 4 KiB leaves, and
 * 2 MiB (1 GiB) leaves where the host maps the whole 2 MiB (1 GiB) with one huge page
 * (memslot.c, vmxmon_map_level(), decides); write-back memory type for RAM (the guest's
 * PAT still applies: "ignore PAT" is clear).
 *
 * A 2 MiB leaf is a page-directory entry with bit 7 set, its address bits 20:12 zero (SDM
 * Vol. 3C 29.3.2, Table 29-4; else an EPT misconfiguration), made only where the CPU
 * reports 2 MiB EPT pages (IA32_VMX_EPT_VPID_CAP bit 16, SDM Vol. 3D A.10: KVM checks
 * the same bit); its memory type and permissions hold for the whole 2 MiB. A 1 GiB leaf
 * is the same one level up (a PDPTE, Table 29-2, address bits 29:12 zero; bit 17).
 * Everything below about 2 MiB leaves holds for 1 GiB ones.
 * A 2 MiB leaf goes in only where the page directory entry is empty: a table already there
 * (4 KiB leaves, the APIC-access page) stays, and the fault maps 4 KiB. A fault under a
 * 2 MiB leaf that the leaf cannot satisfy (a write to a read-only 2 MiB leaf that may not
 * become a writable one) zaps the leaf, flushes, and has the guest retry: the next fault
 * finds the entry empty and decides again. Invalidations zap a 2 MiB leaf whole when they
 * touch any part of it ("split" by zapping: the pages still mapped fault back in, 4 KiB
 * at a time if the host mapping is no longer huge), as KVM does when the primary MMU
 * splits a huge page.
 *
 * Tables are only added while the VM lives and freed with it, so a CPU walking them never
 * sees a freed table. Zapping a range clears its leaves, and returns once no CPU can use a
 * translation of them any more, before the host mm may reuse the pages. INVEPT only affects
 * the CPU that runs it, but CPUs on which no vCPU of the VM is in guest mode need no IPI:
 *  - every vCPU of the VM gets a TLB-flush request, handled (INVEPT on its CPU) before its
 *    next VM entry; those now in guest mode are made to exit, and waited for;
 *  - a vCPU that enters on a CPU it was not loaded on flushes that CPU first (vmx_vcpu_load():
 *    its VMCS was VMCLEARed and moved), and so does a vCPU's first entry (vmx_vcpu_create());
 *    a CPU that leaves VMX operation forgets whom it had loaded and flushes all at VMXON.
 * So translations a CPU still caches for this EPTP (from any vCPU of the VM, which may run
 * elsewhere now) are never used: every later entry with this EPTP on that CPU flushes
 * first. That holds across VMs too: when a VM is destroyed its vCPUs are gone, nothing is
 * flushed, and a new VM that gets the same EPT root page (the same EPTP tag) flushes on
 * each vCPU's first entry on each CPU before it can meet the old translations.
 * A fault that turns a read-only leaf writable (same page) needs no flush: a CPU that
 * still caches the read-only translation only takes one more EPT violation.
 *
 * ept_lock serializes changes of the tables: faults (a vCPU thread), zaps (the MMU
 * notifier, memslot removal) and the APIC-access page (vm->lock). The notifier may run in
 * reclaim, so nothing allocates memory under ept_lock: tables come from a small cache
 * (ept_cache) filled outside it. It is held only while the tables change, never across
 * GUP or the TLB flush.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

#define EPT_ENTRIES		512
#define EPT_PERM_RWX		(VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK | \
				 VMX_EPT_EXECUTABLE_MASK)
#define EPT_LARGE		BIT_ULL(7)		/* leaf at level 2 or 3 */
#define EPT_ADDR_MASK		GENMASK_ULL(51, 12)
#define EPT_LEAF_WB		(VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT)
#define EPT_LEVEL_SHIFT(l)	(12 + 9 * ((l) - 1))
#define EPT_INDEX(gpa, l)	(((gpa) >> EPT_LEVEL_SHIFT(l)) & (EPT_ENTRIES - 1))
#define EPT_CACHE_PAGES		3			/* the tables below the root */
/*
 * Software bit of a leaf (bits 62:52 are ignored by the CPU, SDM Vol. 3C table "Format of
 * an EPT Page-Table Entry that Maps a 4-KByte Page"; KVM keeps its host-writable bit there
 * too): the host page was looked up writable. A watch may take the W bit away; this says
 * whether it may come back.
 */
#define EPT_HOST_WRITABLE	BIT_ULL(52)

/* Guest RAM mapped now in 4 KiB units, and the 2 MiB and 1 GiB leaves, all VMs (debugfs). */
static atomic_long_t ept_guest_pages = ATOMIC_LONG_INIT(0);
static atomic_long_t ept_guest_2m_leaves = ATOMIC_LONG_INIT(0);
static atomic_long_t ept_guest_1g_leaves = ATOMIC_LONG_INIT(0);

long vmx_guest_pages_mapped(void)
{
	return atomic_long_read(&ept_guest_pages);
}

long vmx_guest_2m_leaves(void)
{
	return atomic_long_read(&ept_guest_2m_leaves);
}

long vmx_guest_1g_leaves(void)
{
	return atomic_long_read(&ept_guest_1g_leaves);
}

static u64 *ept_table(u64 entry)
{
	return phys_to_virt(entry & EPT_ADDR_MASK);
}

int vmx_vm_init(struct vmxmon_vm *vm)
{
	struct vmx_vm *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	if (!v)
		return -ENOMEM;
	v->ept_root = vmx_alloc_page(NUMA_NO_NODE);
	if (!v->ept_root) {
		kfree(v);
		return -ENOMEM;
	}
	mutex_init(&v->ept_lock);
	/* EPTP: WB paging-structure memory type, 4-level walk (SDM 25.6.11). */
	v->eptp = page_to_phys(v->ept_root) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	v->tsc_offset = -rdtsc();
	vm->arch = v;
	return 0;
}

static void ept_free_table(u64 *table, int level)
{
	int i;

	for (i = 0; level > 1 && i < EPT_ENTRIES; i++)
		if ((table[i] & EPT_PERM_RWX) && !(table[i] & EPT_LARGE))
			ept_free_table(ept_table(table[i]), level - 1);
	vmx_free_page(virt_to_page(table));
}

/* The VM is gone and no vCPU can run: its memslots are already unmapped. */
void vmx_vm_destroy(struct vmxmon_vm *vm)
{
	struct vmx_vm *v = to_vmx_vm(vm);

	if (!v)
		return;
	ept_free_table(page_address(v->ept_root), 4);
	while (v->ncache)
		vmx_free_page(v->cache[--v->ncache]);
	vmx_free_page(v->apic_access_page);
	kfree(v);
	vm->arch = NULL;
}

/*
 * The entry for @gpa at @level, adding the tables above it from the cache if @alloc; or the
 * large leaf above @level that covers @gpa (*@at: the level of the entry returned). NULL if
 * a table is missing (and !@alloc, or the cache is empty). ept_lock held.
 */
static __always_inline u64 *ept_walk_at(struct vmx_vm *v, u64 gpa, int level, bool alloc,
				       int *at)
{
	u64 *table = page_address(v->ept_root);
	int l;

	lockdep_assert_held(&v->ept_lock);
	for (l = 4; l > level; l--) {
		u64 *e = &table[EPT_INDEX(gpa, l)];

		if (!(*e & EPT_PERM_RWX)) {
			struct page *page;

			if (!alloc || !v->ncache)
				return NULL;
			page = v->cache[--v->ncache];
			WRITE_ONCE(*e, page_to_phys(page) | EPT_PERM_RWX);
		} else if (*e & EPT_LARGE) {
			*at = l;	/* a large leaf covers it: nothing below */
			return e;
		}
		table = ept_table(*e);
	}
	*at = level;
	return &table[EPT_INDEX(gpa, level)];
}

/* The entry for @gpa at @level, or NULL (a table missing, or a large leaf covers @gpa). */
static u64 *ept_walk(struct vmx_vm *v, u64 gpa, int level, bool alloc)
{
	int at;
	u64 *e = ept_walk_at(v, gpa, level, alloc, &at);

	return at == level ? e : NULL;
}

/*
 * Add one table page to the cache, outside ept_lock (reclaim may call the notifier, which
 * takes it). One at a time: the walk asks again while it needs more, and no page is left
 * over, so the tables held are exactly those in use (debugfs "pages").
 */
static int ept_cache_fill(struct vmx_vm *v)
{
	struct page *page = vmx_alloc_page(NUMA_NO_NODE);

	if (!page)
		return -ENOMEM;
	mutex_lock(&v->ept_lock);
	if (v->ncache < EPT_CACHE_PAGES) {
		v->cache[v->ncache++] = page;
		page = NULL;
	}
	mutex_unlock(&v->ept_lock);
	vmx_free_page(page);
	return 0;
}

/*
 * Take ept_lock and return the entry for @gpa at @level (1: a 4 KiB leaf, 2: a 2 MiB one),
 * the tables above it added, or the large leaf that covers @gpa (*@at: its level; the lock
 * is then held); or NULL with the lock dropped: out of memory.
 */
static __always_inline u64 *ept_lock_entry(struct vmx_vm *v, u64 gpa, int level, int *at)
{
	for (;;) {
		u64 *e;

		mutex_lock(&v->ept_lock);
		e = ept_walk_at(v, gpa, level, true, at);
		if (e)
			return e;
		mutex_unlock(&v->ept_lock);
		if (ept_cache_fill(v))
			return NULL;
	}
}

/* The 4 KiB leaf entry for @gpa with ept_lock held, or NULL unlocked (see above). */
static u64 *ept_lock_leaf(struct vmx_vm *v, u64 gpa)
{
	int at;
	u64 *e = ept_lock_entry(v, gpa, 1, &at);

	if (e && at != 1) {	/* a large leaf covers it */
		mutex_unlock(&v->ept_lock);
		return NULL;
	}
	return e;
}

static void ept_leaf_gone(u64 leaf, int level);

/*
 * The EPT permissions watches over a page take away (@access: the watched kinds, uapi bits
 * equal to EPT R/W/X). A leaf that may not be read may not be written either (W without R is
 * an EPT misconfiguration, SDM Vol. 3C 29.3.3.1), nor fetched from unless the CPU supports
 * execute-only translations (IA32_VMX_EPT_VPID_CAP bit 0).
 */
static u64 ept_watch_removed(u32 access)
{
	u64 removed = access & EPT_PERM_RWX;

	if (access & VMXMON_EPT_WATCH_READ) {
		removed |= VMX_EPT_WRITABLE_MASK;
		if (!(vmx_caps.ept_vpid & VMX_EPT_EXECUTE_ONLY_BIT))
			removed |= VMX_EPT_EXECUTABLE_MASK;
	}
	return removed;
}

/* Would an @access (EPT violation qualification bits 2:0) to @gpa's page hit a watch? */
bool vmx_ept_watch_blocks(struct vmxmon_vm *vm, u64 gpa, u32 access)
{
	return access & ept_watch_removed(vmxmon_watch_page_access(vm, gpa));
}

/* The permissions of a leaf for @gpa: read-only unless @writable, minus the watches'. */
static u64 ept_leaf_perms(struct vmxmon_vm *vm, u64 gpa, bool writable)
{
	u64 perms = writable ? EPT_PERM_RWX : EPT_PERM_RWX & ~VMX_EPT_WRITABLE_MASK;

	return perms & ~ept_watch_removed(vmxmon_watch_page_access(vm, gpa));
}

/*
 * Read-only unless @writable (a ROM slot, or a page not yet written): guest writes fault to
 * vmxmon. @perms: what the leaf allows (ept_leaf_perms(); a large leaf is never watched:
 * vmxmon_map_level() keeps watched pages to 4 KiB leaves). EPT_HOST_WRITABLE says the host
 * page was looked up writable, so a watch that takes W away may give it back.
 */
static u64 ept_leaf(unsigned long pfn, u64 perms, bool writable, int level)
{
	return PFN_PHYS(pfn) | EPT_LEAF_WB | (level > 1 ? EPT_LARGE : 0) | perms |
	       (writable ? EPT_HOST_WRITABLE : 0);
}

/*
 * Put @leaf (mapping @pfn at @level) into empty-or-same entry @e: 0, or -EEXIST if another
 * page is mapped there (the APIC-access page). (A stale RAM leaf cannot be: the page it
 * mapped was invalidated, which zapped it, before GUP could find another.) ept_lock held.
 */
static int ept_set_leaf(u64 *e, u64 leaf, int level)
{
	if (!(*e & EPT_PERM_RWX)) {
		if (!(leaf & EPT_PERM_RWX))
			return 0;	/* a read watch left nothing: the page stays unmapped */
		WRITE_ONCE(*e, leaf);
		atomic_long_add(level == 1 ? 1 : 1L << (9 * (level - 1)), &ept_guest_pages);
		if (level == 2)
			atomic_long_inc(&ept_guest_2m_leaves);
		else if (level == 3)
			atomic_long_inc(&ept_guest_1g_leaves);
	} else if ((*e & EPT_ADDR_MASK) == (leaf & EPT_ADDR_MASK)) {
		/*
		 * The same page: read-only to writable, or a racing fault. Only ever adds
		 * permissions (taking them away needs a TLB flush: vmx_ept_watch_protect()).
		 */
		if (leaf & EPT_HOST_WRITABLE)
			WRITE_ONCE(*e, *e | EPT_HOST_WRITABLE | (leaf & VMX_EPT_WRITABLE_MASK));
	} else {
		return -EEXIST;
	}
	return 0;
}

/*
 * @level 2 (3): the caller found the host mapping 2 MiB (1 GiB)-contiguous around @pfn
 * (the page at @gpa) and the range one slot's (vmxmon_map_level()): map the 2 MiB (1 GiB)
 * page that holds @gpa with one leaf where the entry is empty, or fall back to a smaller
 * leaf where a table is there. A fault under a large leaf that does not already give the
 * access zaps the leaf and retries (see the top of this file).
 */
int vmx_map_gpa(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 gpa, unsigned long pfn,
		bool writable, unsigned long seq, int level)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	bool flush = false;
	int r = 0, at;
	u64 *e;

	if (level == 3 && !(vmx_caps.ept_vpid & VMX_EPT_1GB_PAGE_BIT))
		level = 2;		/* no 1 GiB EPT pages on this CPU */
	if (level == 2 && !(vmx_caps.ept_vpid & VMX_EPT_2MB_PAGE_BIT))
		level = 1;		/* no 2 MiB EPT pages on this CPU */
	e = ept_lock_entry(v, gpa, level, &at);
	if (!e)
		return -ENOMEM;
	while (level > 1 && at == level && (*e & EPT_PERM_RWX) && !(*e & EPT_LARGE)) {
		/*
		 * A table is there already: the next smaller leaf (a 1 GiB page may be mapped
		 * in 2 MiB parts too), under the lock. The table below exists: the walk
		 * allocates nothing and cannot fail.
		 */
		level--;
		e = ept_walk_at(v, gpa, level, false, &at);
		if (unlikely(!e)) {
			mutex_unlock(&v->ept_lock);
			return -EAGAIN;
		}
	}
	if (mmu_interval_read_retry(&slot->notifier, seq)) {
		r = -EAGAIN;	/* an invalidation began after the page was looked up */
	} else if (level > 1 && at == level &&
		   vmxmon_watch_overlaps(vm, gpa & ~((1ull << EPT_LEVEL_SHIFT(level)) - 1),
					 1ull << EPT_LEVEL_SHIFT(level))) {
		/*
		 * A watch was added since vmxmon_map_level() looked: it is listed before
		 * vmx_ept_watch_protect() takes ept_lock, so either it is seen here or its
		 * protect runs after this leaf is in and zaps it. Decide again.
		 */
		r = -EAGAIN;
	} else if (at > level) {
		/* A large leaf covers @gpa and a smaller leaf was asked for. */
		unsigned long want = pfn - ((gpa >> PAGE_SHIFT) & ((1ul << (9 * (at - 1))) - 1));

		if ((*e & EPT_ADDR_MASK) != PFN_PHYS(want) ||
		    (writable && !(*e & VMX_EPT_WRITABLE_MASK))) {
			ept_leaf_gone(*e, at);
			WRITE_ONCE(*e, 0);
			flush = true;
			r = -EAGAIN;	/* the next fault finds the entry empty */
		}
	} else {
		unsigned long base = pfn - ((gpa >> PAGE_SHIFT) & ((1ul << (9 * (level - 1))) - 1));

		u64 perms = level == 1 ? ept_leaf_perms(vm, gpa, writable) :
			    writable ? EPT_PERM_RWX : EPT_PERM_RWX & ~VMX_EPT_WRITABLE_MASK;

		r = ept_set_leaf(e, ept_leaf(base, perms, writable, level), level);
	}
	mutex_unlock(&v->ept_lock);
	if (flush)
		vmxmon_vm_request_all(vm, VMXMON_REQ_TLB_FLUSH, true);
	return r;
}

void vmx_ept_flush_this_cpu(struct vmxmon_vm *vm)
{
	if (vmx_caps.ept_vpid & VMX_EPT_EXTENT_CONTEXT_BIT)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, to_vmx_vm(vm)->eptp);
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
}

/*
 * A leaf leaves the EPT: the guest may have written a page it mapped writable, so the host
 * must not take it for clean (swap would drop an anonymous page, writeback would skip a
 * file page). SetPageDirty() as KVM's kvm_set_pfn_dirty(), not set_page_dirty_lock(): the
 * notifier may not sleep, and the host mm still maps the page while it invalidates.
 */
static void ept_leaf_dirty(u64 leaf)
{
	unsigned long pfn = PHYS_PFN(leaf & EPT_ADDR_MASK);
	struct page *page;

	if (!(leaf & VMX_EPT_WRITABLE_MASK) || !pfn_valid(pfn))
		return;
	page = pfn_to_page(pfn);
	if (!PageReserved(page))
		SetPageDirty(page);
}

static void ept_leaf_gone(u64 leaf, int level)
{
	atomic_long_sub(level == 1 ? 1 : 1L << (9 * (level - 1)), &ept_guest_pages);
	if (level == 2)
		atomic_long_dec(&ept_guest_2m_leaves);
	else if (level == 3)
		atomic_long_dec(&ept_guest_1g_leaves);
	ept_leaf_dirty(leaf);
}

/*
 * Clear the leaves of [start, end) under @table (a table at @level mapping from @base);
 * the APIC-access leaf (@keep) stays. The number cleared. ept_lock held.
 */
static unsigned long ept_zap_table(u64 *table, int level, u64 base, u64 start, u64 end,
				   u64 keep)
{
	u64 size = 1ull << EPT_LEVEL_SHIFT(level);
	unsigned long n = 0;
	unsigned int i;

	for (i = EPT_INDEX(max(start, base), level); i < EPT_ENTRIES; i++) {
		u64 from = base + i * size, e = table[i];

		if (from >= end)
			break;
		if (!(e & EPT_PERM_RWX))
			continue;
		if (level > 1 && !(e & EPT_LARGE)) {
			n += ept_zap_table(ept_table(e), level - 1, from, start, end, keep);
			continue;
		}
		if (level == 1 && (e & EPT_ADDR_MASK) == keep)
			continue;
		/* A large leaf partly in the range goes whole (see the top of this file). */
		WRITE_ONCE(table[i], 0);
		ept_leaf_gone(e, level);
		n++;
	}
	return n;
}

bool vmx_zap_gpa(struct vmxmon_vm *vm, struct vmxmon_memslot *slot, u64 start, u64 end,
		 unsigned long cur_seq, bool blockable)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	unsigned long n = 0;
	u64 keep;

	if (blockable)
		mutex_lock(&v->ept_lock);
	else if (!mutex_trylock(&v->ept_lock))
		return false;
	if (slot)
		mmu_interval_set_seq(&slot->notifier, cur_seq);
	/* The APIC-access page only changes under vm->lock, but is set once and stays. */
	keep = v->apic_access_page ? page_to_phys(v->apic_access_page) : 0;
	if (start < end)
		n = ept_zap_table(page_address(v->ept_root), 4, 0, start, end, keep);
	mutex_unlock(&v->ept_lock);
	/* See the top of this file: only CPUs running the VM's vCPUs are interrupted. */
	if (n)
		vmxmon_vm_request_all(vm, VMXMON_REQ_TLB_FLUSH, true);
	return true;
}

/*
 * Watches over [start, end) changed, or a vCPU's step over a watched page began or ended
 * (vmx/watch.c): give each leaf there the permissions ept_leaf_perms() allows now. Adding
 * permissions needs no flush (as a read-only leaf made writable, above); taking any away
 * (a leaf left with none is cleared, as a zap) flushes every vCPU's TLB before returning, so
 * that no CPU can still use the more permissive translation. Leaves not mapped now get
 * their permissions when faulted in (vmx_map_gpa()). Sleeps.
 */
void vmx_ept_watch_protect(struct vmxmon_vm *vm, u64 start, u64 end)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	bool flush = false;
	u64 gpa, keep;

	keep = v->apic_access_page ? page_to_phys(v->apic_access_page) : 0;
	for (gpa = start & PAGE_MASK; gpa < end; gpa += PAGE_SIZE) {
		u64 *e, old, perms;
		int at = 0;

		mutex_lock(&v->ept_lock);
		e = ept_walk_at(v, gpa, 1, false, &at);
		if (e && at > 1) {
			/*
			 * A large leaf over a page a watch now covers (mapped before the watch
			 * was listed: vmx_map_gpa()): zap it whole; the pages fault back in as
			 * 4 KiB leaves with the watch's permissions.
			 */
			old = *e;
			WRITE_ONCE(*e, 0);
			ept_leaf_gone(old, at);
			flush = true;
		} else if (e && (*e & EPT_PERM_RWX) && (*e & EPT_ADDR_MASK) != keep) {
			old = *e;
			perms = ept_leaf_perms(vm, gpa, old & EPT_HOST_WRITABLE);
			if (!perms) {
				WRITE_ONCE(*e, 0);
				ept_leaf_gone(old, 1);
				flush = true;
			} else if (perms != (old & EPT_PERM_RWX)) {
				WRITE_ONCE(*e, (old & ~EPT_PERM_RWX) | perms);
				if (old & ~perms & EPT_PERM_RWX) {
					flush = true;
					if (!(perms & VMX_EPT_WRITABLE_MASK))
						ept_leaf_dirty(old);
				}
			}
		}
		mutex_unlock(&v->ept_lock);
	}
	if (flush)
		vmxmon_vm_request_all(vm, VMXMON_REQ_TLB_FLUSH, true);
}

/*
 * The APIC-access page at @gpa (SDM Vol. 3C 29.4). With EPT the CPU recognises an access to
 * the page by its translation: the guest-physical address must translate to
 * APIC_ACCESS_ADDR through a 4 KiB EPT leaf (29.4.5). An EPT violation comes before an
 * APIC-access VM exit (29.4.1), so the leaf is readable and writable; it is not executable:
 * an instruction fetch there is an EPT violation, which fails to emulate. Guest RAM that a
 * memslot maps at @gpa stays if the guest touched it first: the page is then simply not
 * reachable; once the page is there, RAM at @gpa is not (vmx_map_gpa(): -EEXIST, an MMIO
 * access). vm->lock held.
 */
void vmx_ept_map_apic_access(struct vmxmon_vm *vm, u64 gpa, struct page *page)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	u64 *e;

	lockdep_assert_held(&vm->lock);
	e = ept_lock_leaf(v, gpa);
	if (!e)			/* no table (-ENOMEM): MMIO decoding, as without it */
		return;
	if (!(*e & EPT_PERM_RWX))
		WRITE_ONCE(*e, page_to_phys(page) | VMX_EPT_READABLE_MASK |
			   VMX_EPT_WRITABLE_MASK | EPT_LEAF_WB);
	mutex_unlock(&v->ept_lock);
}

/*
 * Take the page out again. A vCPU that runs without "virtualize APIC accesses" must never
 * reach the page through a translation cached before, on any CPU: every vCPU of the VM
 * flushes the CPU it next enters on (a request, and a kick for those in the guest), and one
 * that enters a CPU it was not loaded on (vmx_vcpu_load()) or enters for the first time
 * (vmx_vcpu_create()) flushes anyway; so no entry after this one meets a stale translation,
 * without interrupting CPUs that run no vCPU of the VM. Until its flush a vCPU still has
 * the control on: what it cached only makes APIC-access exits. vm->lock held.
 */
void vmx_ept_unmap_apic_access(struct vmxmon_vm *vm, u64 gpa, struct page *page)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	bool unmapped = false;
	u64 *e;

	lockdep_assert_held(&vm->lock);
	mutex_lock(&v->ept_lock);
	e = ept_walk(v, gpa, 1, false);
	if (e && (*e & EPT_PERM_RWX) && (*e & EPT_ADDR_MASK) == page_to_phys(page)) {
		WRITE_ONCE(*e, 0);
		unmapped = true;
	}
	mutex_unlock(&v->ept_lock);
	if (unmapped)
		vmxmon_vm_request_all(vm, VMXMON_REQ_TLB_FLUSH, false);
}
