// SPDX-License-Identifier: GPL-2.0
/*
 * Extended page tables: the guest-physical to host-physical map of a VM (SDM Vol. 3C 29.3),
 * built from its memslots. Four levels, write-back memory type for RAM (the guest's PAT
 * still applies: "ignore PAT" is clear), 2 MiB leaves where a 2 MiB-aligned guest range is
 * backed by one aligned, physically contiguous 2 MiB host range.
 *
 * Tables are only added while the VM lives and freed with it, so a CPU walking them never
 * sees a freed table. Removing a slot clears its leaves, and returns once no CPU can use a
 * translation of them any more, before the caller may unpin the pages. INVEPT only affects
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
 *
 * Changes of the tables come from memslot changes (vm->slots_lock) and from the APIC-access
 * page (vm->lock, on a vCPU's path): ept_lock serializes them, and is held only while the
 * tables change, never across pinning or the TLB flush.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
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
#define EPT_2M_PAGES		512

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
	vmx_free_page(v->apic_access_page);
	kfree(v);
	vm->arch = NULL;
}

/*
 * The entry for @gpa at @level, allocating the tables above it if @alloc. NULL if a table
 * is missing (and !@alloc) or cannot be allocated. ept_lock held.
 */
static u64 *ept_walk(struct vmx_vm *v, u64 gpa, int level, bool alloc)
{
	u64 *table = page_address(v->ept_root);
	int l;

	lockdep_assert_held(&v->ept_lock);
	for (l = 4; l > level; l--) {
		u64 *e = &table[EPT_INDEX(gpa, l)];

		if (!(*e & EPT_PERM_RWX)) {
			struct page *page;

			if (!alloc)
				return NULL;
			page = vmx_alloc_page(NUMA_NO_NODE);
			if (!page)
				return NULL;
			WRITE_ONCE(*e, page_to_phys(page) | EPT_PERM_RWX);
		} else if (*e & EPT_LARGE) {
			return NULL;	/* a large leaf covers it: nothing below */
		}
		table = ept_table(*e);
	}
	return &table[EPT_INDEX(gpa, level)];
}

/* Can slot pages [i, i + 512) be one 2 MiB leaf? */
static bool ept_can_map_2m(const struct vmxmon_memslot *slot, u64 i)
{
	unsigned long pfn;
	u64 j;

	if (!IS_ALIGNED(slot->gpa + (i << PAGE_SHIFT), SZ_2M) || i + EPT_2M_PAGES > slot->npages)
		return false;
	pfn = page_to_pfn(slot->pages[i]);
	if (!IS_ALIGNED(pfn, EPT_2M_PAGES))
		return false;
	for (j = 1; j < EPT_2M_PAGES; j++)
		if (page_to_pfn(slot->pages[i + j]) != pfn + j)
			return false;
	return true;
}

int vmx_map_slot(struct vmxmon_vm *vm, const struct vmxmon_memslot *slot)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	/* A read-only slot: guest writes fault to vmxmon and become MMIO writes. */
	u64 perm = slot->flags & KVM_MEM_READONLY ? EPT_PERM_RWX & ~VMX_EPT_WRITABLE_MASK :
						    EPT_PERM_RWX;
	u64 i = 0;
	int r = 0;

	mutex_lock(&v->ept_lock);
	while (i < slot->npages) {
		u64 gpa = slot->gpa + (i << PAGE_SHIFT);
		bool large = ept_can_map_2m(slot, i);
		u64 *e;

		/* A 4 KiB table left there by an earlier slot stays: map below it. */
		if (large) {
			e = ept_walk(v, gpa, 2, false);
			large = !e || !*e;
		}
		e = ept_walk(v, gpa, large ? 2 : 1, true);

		if (!e) {
			r = -ENOMEM;	/* the caller unmaps what was mapped */
			break;
		}
		WRITE_ONCE(*e, page_to_phys(slot->pages[i]) | perm | EPT_LEAF_WB |
			   (large ? EPT_LARGE : 0));
		i += large ? EPT_2M_PAGES : 1;
		if (!(i & (SZ_1G / PAGE_SIZE - 1)))
			cond_resched();
	}
	mutex_unlock(&v->ept_lock);
	return r;
}

void vmx_ept_flush_this_cpu(struct vmxmon_vm *vm)
{
	if (vmx_caps.ept_vpid & VMX_EPT_EXTENT_CONTEXT_BIT)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, to_vmx_vm(vm)->eptp);
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
}

void vmx_unmap_slot(struct vmxmon_vm *vm, const struct vmxmon_memslot *slot)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	u64 gpa = slot->gpa, end = slot->gpa + (slot->npages << PAGE_SHIFT);

	mutex_lock(&v->ept_lock);
	while (gpa < end) {
		u64 *pde = ept_walk(v, gpa, 2, false);
		u64 *e;

		if (pde && (*pde & EPT_LARGE)) {
			WRITE_ONCE(*pde, 0);
			gpa += SZ_2M;
			continue;
		}
		e = ept_walk(v, gpa, 1, false);
		if (e)
			WRITE_ONCE(*e, 0);
		gpa += PAGE_SIZE;
	}
	mutex_unlock(&v->ept_lock);
	/* See the top of this file: only CPUs running the VM's vCPUs are interrupted. */
	vmxmon_vm_request_all(vm, VMXMON_REQ_TLB_FLUSH, true);
}

/*
 * The APIC-access page at @gpa (SDM Vol. 3C 29.4). With EPT the CPU recognises an access to
 * the page by its translation: the guest-physical address must translate to
 * APIC_ACCESS_ADDR through a 4 KiB EPT leaf (29.4.5). An EPT violation comes before an
 * APIC-access VM exit (29.4.1), so the leaf is readable and writable; it is not executable:
 * an instruction fetch there is an EPT violation, which fails to emulate. Guest RAM that a
 * memslot maps at @gpa stays: the page is then simply not reachable. vm->lock held.
 */
void vmx_ept_map_apic_access(struct vmxmon_vm *vm, u64 gpa, struct page *page)
{
	struct vmx_vm *v = to_vmx_vm(vm);
	u64 *e;

	lockdep_assert_held(&vm->lock);
	mutex_lock(&v->ept_lock);
	e = ept_walk(v, gpa, 1, true);
	if (e && !(*e & EPT_PERM_RWX))	/* no table (-ENOMEM): MMIO decoding, as without it */
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
