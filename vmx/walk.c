// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the guest's instructions see it: linear addresses translated through the
 * guest's own page tables (no paging, 32-bit, PAE and 4-level; SDM Vol. 3A 4.3-4.5), then
 * guest-physical addresses through the memslots. Exit handlers use it for string I/O and
 * (later) to fetch and decode instructions, because VT-x tells the linear address of an
 * operand but never its contents.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR(e)	((e) & GENMASK_ULL(51, 12))

/*
 * Copy within one guest page: @gpa .. @gpa + @len must not cross a page boundary. -EFAULT
 * when @gpa is not guest RAM (or, for a write, is in a read-only slot): MMIO.
 */
int vmx_gpa_ram_access(struct vmxmon_vm *vm, u64 gpa, void *buf, unsigned int len,
			  bool write)
{
	struct page *page = vmxmon_gpa_to_page(vm, gpa, write);
	void *va;

	if (!page)
		return -EFAULT;
	va = kmap_local_page(page);
	if (write) {
		memcpy(va + offset_in_page(gpa), buf, len);
		set_page_dirty_lock(page);
	} else {
		memcpy(buf, va + offset_in_page(gpa), len);
	}
	kunmap_local(va);
	put_page(page);
	return 0;
}

static int vmx_read_pte(struct vmxmon_vm *vm, u64 gpa, bool wide, u64 *pte)
{
	u32 narrow;

	*pte = 0;
	if (wide)
		return vmx_gpa_ram_access(vm, gpa, pte, 8, false);
	if (vmx_gpa_ram_access(vm, gpa, &narrow, 4, false))
		return -EFAULT;
	*pte = narrow;
	return 0;
}

/*
 * Translate @gva for the current guest paging mode. Returns -EFAULT if a paging structure
 * is not present or not in guest RAM; permission bits are not checked (no #PF is
 * synthesized yet: the caller reports an emulation failure instead).
 */
int vmx_gva_to_gpa(struct vmxmon_vcpu *vcpu, unsigned long gva, bool write, u64 *gpa)
{
	unsigned long cr0 = vmcs_readl(GUEST_CR0), cr4 = vmcs_readl(GUEST_CR4);
	u64 table = vmcs_readl(GUEST_CR3), pte;
	int level, levels, bits;
	bool wide;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	if (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) {
		levels = 4; bits = 9; wide = true;
		table &= GENMASK_ULL(51, 12);
	} else if (cr4 & X86_CR4_PAE) {
		/* The PDPTEs: 4 entries at CR3 (32-byte aligned), indexed by bits 31:30. */
		gva = (u32)gva;
		if (vmx_read_pte(vcpu->vm, (table & GENMASK_ULL(31, 5)) + ((gva >> 30) & 3) * 8,
				 true, &pte) || !(pte & PTE_P))
			return -EFAULT;
		table = PTE_ADDR(pte);
		levels = 2; bits = 9; wide = true;
	} else {
		gva = (u32)gva;
		levels = 2; bits = 10; wide = false;
		table &= GENMASK_ULL(31, 12);
	}

	for (level = levels; level >= 1; level--) {
		int shift = 12 + bits * (level - 1);
		u64 idx = (gva >> shift) & ((1u << bits) - 1);

		if (vmx_read_pte(vcpu->vm, table + idx * (wide ? 8 : 4), wide, &pte) ||
		    !(pte & PTE_P))
			return -EFAULT;
		if (level > 1 && (pte & PTE_PS) && (wide || (cr4 & X86_CR4_PSE))) {
			u64 base;

			if (wide)
				base = pte & GENMASK_ULL(51, shift);
			else	/* 4 MiB page: bits 20:13 are physical-address bits 39:32 */
				base = (pte & GENMASK_ULL(31, 22)) | ((pte & GENMASK_ULL(20, 13)) << 19);
			*gpa = base | (gva & (BIT_ULL(shift) - 1));
			return 0;
		}
		table = wide ? PTE_ADDR(pte) : (pte & GENMASK_ULL(31, 12));
	}
	*gpa = table | (gva & ~PAGE_MASK);
	return 0;
}

static int vmx_access_guest(struct vmxmon_vcpu *vcpu, unsigned long gva, void *buf,
			    unsigned int len, bool write)
{
	while (len) {
		unsigned int chunk = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(gva));
		u64 gpa;

		if (vmx_gva_to_gpa(vcpu, gva, write, &gpa) ||
		    vmx_gpa_ram_access(vcpu->vm, gpa, buf, chunk, write))
			return -EFAULT;
		gva += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int vmx_read_guest(struct vmxmon_vcpu *vcpu, unsigned long gva, void *buf, unsigned int len)
{
	return vmx_access_guest(vcpu, gva, buf, len, false);
}

int vmx_write_guest(struct vmxmon_vcpu *vcpu, unsigned long gva, const void *buf,
		    unsigned int len)
{
	return vmx_access_guest(vcpu, gva, (void *)buf, len, true);
}
