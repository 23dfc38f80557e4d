// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT leaf size for a guest page (kmod/memslot.c's fault path asks): 4 KiB, or 2 MiB or
 * 1 GiB where the host maps the whole range with one large folio, the slot's alignment
 * allows it and no EPT watchpoint vetoes it. Split from memslot.c by concept; the lock
 * order and the notifier sequence that make the decision race-free are described there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "kmod/vmxmon.h"

/*
 * May the 2 MiB guest page around @gpa be mapped with one EPT leaf? @page is the host page
 * at @gpa, just looked up (with a reference), @writable how it will be mapped (the host
 * side of the decision; vmxmon_map_level() below makes it, vetoes included):
 *  - the 2 MiB range lies in @slot (one slot: the same flags throughout) and the slot's
 *    host and guest addresses have the same offset in a 2 MiB page;
 *  - @page is part of a large folio (a THP or a hugetlb page) of at least 2 MiB whose
 *    2 MiB-aligned part maps the range: every one of the 512 host pages of the range is
 *    the matching page of it, found by GUP without faulting (get_user_pages_fast_only(),
 *    as the host page tables map them now: a PTE-mapped THP with one page replaced (COW,
 *    MADV_DONTNEED) fails), writable if @writable.
 * That is what KVM's host_pfn_mapping_level() reads from the host page tables under the
 * MMU lock; a module cannot walk them (lookup_address_in_pgd() is not exported), so the
 * pages are looked up the supported way, and the notifier sequence the caller checks
 * under ept_lock makes it race-free as for one page: any change to the range after the
 * look-up invalidates it (the notifier zaps the whole 2 MiB leaf) or fails the retry.
 */
#define VMXMON_2M_PAGES		(SZ_2M >> PAGE_SHIFT)
#define VMXMON_GUP_BATCH	32

/*
 * The GUP look-up above, apart: its page array is zeroed at each call (the kernel's
 * INIT_STACK_ALL_ZERO), which a 4 KiB fault must not pay.
 */
static noinline bool vmxmon_host_maps_2m(unsigned long hva, unsigned long pfn0, bool writable)
{
	struct page *pages[VMXMON_GUP_BATCH];
	unsigned long i;

	for (i = 0; i < VMXMON_2M_PAGES; i += VMXMON_GUP_BATCH) {
		int n = get_user_pages_fast_only(hva + (i << PAGE_SHIFT), VMXMON_GUP_BATCH,
						 writable ? FOLL_WRITE : 0, pages);
		bool same = n == VMXMON_GUP_BATCH;
		int j;

		for (j = 0; same && j < n; j++)
			same = page_to_pfn(pages[j]) == pfn0 + i + j;
		if (n > 0)
			release_pages(pages, n);
		if (!same)
			return false;
	}
	return true;
}

static bool vmxmon_may_map_2m(const struct vmxmon_memslot *slot, u64 gpa, struct page *page,
			      bool writable)
{
	u64 base = gpa & ~(u64)(SZ_2M - 1);
	struct folio *folio;
	unsigned long pfn0;

	if (base < slot->gpa || base + SZ_2M > slot->gpa + vmxmon_slot_bytes(slot) ||
	    ((slot->hva ^ slot->gpa) & (SZ_2M - 1)))
		return false;
	folio = page_folio(page);
	if (!folio_test_large(folio) || folio_nr_pages(folio) < VMXMON_2M_PAGES)
		return false;
	pfn0 = page_to_pfn(page) - ((gpa - base) >> PAGE_SHIFT);
	return IS_ALIGNED(pfn0, VMXMON_2M_PAGES) &&
	       vmxmon_host_maps_2m(slot->hva + (base - slot->gpa), pfn0, writable);
}

/*
 * May the 1 GiB guest page around @gpa be mapped with one EPT leaf? Only a 1 GiB hugetlbfs
 * page can back it (THP is 2 MiB at most): the range lies in @slot with the same 1 GiB
 * offset of host and guest address, @page is part of a folio of at least 1 GiB aligned
 * with it, and the VMA holding the range is hugetlb with 1 GiB pages and covers it all.
 * Such a VMA maps each aligned 1 GiB with one entry, so the whole range is that folio,
 * writable as @page is (read under the mmap lock; changes after it go through the
 * notifier, as for 2 MiB). Vetoes that apply to 2 MiB apply here too.
 */
#define VMXMON_1G_PAGES		(SZ_1G >> PAGE_SHIFT)

static noinline bool vmxmon_may_map_1g(const struct vmxmon_memslot *slot, u64 gpa,
				       struct page *page)
{
	u64 base = gpa & ~(u64)(SZ_1G - 1);
	unsigned long hva = slot->hva + (base - slot->gpa), pfn0;
	struct folio *folio = page_folio(page);
	struct vm_area_struct *vma;
	bool ok;

	if (base < slot->gpa || base + SZ_1G > slot->gpa + vmxmon_slot_bytes(slot) ||
	    ((slot->hva ^ slot->gpa) & (SZ_1G - 1)) || folio_nr_pages(folio) < VMXMON_1G_PAGES)
		return false;
	pfn0 = page_to_pfn(page) - ((gpa - base) >> PAGE_SHIFT);
	if (!IS_ALIGNED(pfn0, VMXMON_1G_PAGES) || folio_pfn(folio) > pfn0 ||
	    pfn0 + VMXMON_1G_PAGES > folio_pfn(folio) + folio_nr_pages(folio))
		return false;
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, hva);
	ok = vma && vma->vm_start <= hva && vma->vm_end - hva >= SZ_1G &&
	     is_vm_hugetlb_page(vma) && vma_kernel_pagesize(vma) >= SZ_1G;
	mmap_read_unlock(current->mm);
	return ok;
}

/*
 * The largest EPT leaf that may map @gpa: 3 (1 GiB), 2 (2 MiB) or 1 (4 KiB). The one place
 * that decides it. Vetoes go here: a page that must stay 4 KiB (an EPT watchpoint or
 * write-tracked page) anywhere in the 2 MiB or 1 GiB range rules out that level; a large
 * leaf already over a page when a watch starts is zapped by vmx_ept_watch_protect(), and
 * vmx_map_gpa() checks again under ept_lock for a watch added since this look.
 */
int vmxmon_map_level(struct vmxmon_vm *vm, const struct vmxmon_memslot *slot, u64 gpa,
			    struct page *page, bool writable)
{
	if (!vmxmon_may_map_2m(slot, gpa, page, writable) ||
	    vmxmon_watch_overlaps(vm, ALIGN_DOWN(gpa, SZ_2M), SZ_2M))
		return 1;
	return folio_nr_pages(page_folio(page)) >= VMXMON_1G_PAGES &&
	       !vmxmon_watch_overlaps(vm, ALIGN_DOWN(gpa, SZ_1G), SZ_1G) &&
	       vmxmon_may_map_1g(slot, gpa, page) ? 3 : 2;
}
