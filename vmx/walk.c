// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the guest's instructions see it, for the accesses vmxmon makes on their
 * behalf (string port I/O, the MMIO emulator): segment:offset -> linear address ->
 * guest-physical address with every check the CPU would have made (x86/walk.c, fed from
 * the VMCS), faults to inject when one fails, then guest RAM through the memslots. Also
 * the PAE PDPTE registers, which VM entry takes from the VMCS (with EPT) and vmxmon loads
 * whenever it changes the paging mode itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/traps.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

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

/* ---- the walker's view of the guest ---- */

static int walk_read(void *opaque, u64 gpa, u64 *val, unsigned int size)
{
	*val = 0;
	return vmx_gpa_ram_access(opaque, gpa, val, size, false);
}

/* Entries are naturally aligned (table + index * size): never across a page. */
static int walk_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new, unsigned int size)
{
	struct page *page = vmxmon_gpa_to_page(opaque, gpa, true);
	bool done;
	void *va;

	if (!page)		/* a read-only slot (ROM): its flags stay, as in KVM */
		return 0;
	va = kmap_local_page(page) + offset_in_page(gpa);
	if (size == 8)
		done = try_cmpxchg64((u64 *)va, &old, new);
	else
		done = cmpxchg((u32 *)va, (u32)old, (u32)new) == (u32)old;
	kunmap_local(va);
	if (done)
		set_page_dirty_lock(page);
	put_page(page);
	return done ? 0 : -EAGAIN;
}

static const unsigned long pdptr_fields[4] = {
	GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3,
};

/* CR0/CR4/EFER (guest values) select PAE paging: the PDPTE registers are in use. */
bool vmx_pae_paging(unsigned long cr0, unsigned long cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

/* The guest's paging state now (VMCS loaded). */
static void paging_state(struct vmxmon_vcpu *vcpu, struct x86_paging *pg)
{
	int i;

	pg->cr0 = vmx_get_cr0();
	pg->cr4 = vmx_get_cr4();
	pg->efer = vmcs_read64(GUEST_IA32_EFER);
	pg->cr3 = vmcs_readl(GUEST_CR3);
	/* PAE: the PDPTE registers, which the CPU saved at the exit (SDM 28.3.4). */
	for (i = 0; i < 4; i++)
		pg->pdpte[i] = vmx_pae_paging(pg->cr0, pg->cr4, pg->efer) ?
			       vmcs_read64(pdptr_fields[i]) : 0;
	pg->maxphyaddr = boot_cpu_data.x86_phys_bits;
	pg->gbpages = boot_cpu_has(X86_FEATURE_GBPAGES);
	pg->rflags_ac = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_AC;
	pg->read = walk_read;
	pg->cmpxchg = walk_cmpxchg;
	pg->opaque = vcpu->vm;
}

/* An access at the guest's CPL: CPL 3 makes it a user-mode one. */
static u32 access_at_cpl(u32 access)
{
	return vmx_guest_cpl() == 3 ? access | X86_PFEC_USER : access;
}

/*
 * Linear @la to guest-physical for @access (VMX_ACC_*), at the guest's CPL. 0, VMX_FAULT
 * (*f filled in: #PF), or -EFAULT (page tables outside guest RAM), -EAGAIN (the guest kept
 * rewriting them).
 */
int vmx_translate(struct vmxmon_vcpu *vcpu, unsigned long la, u32 access, u64 *gpa,
		  struct vmx_fault *f)
{
	struct x86_paging pg;
	u32 pfec;
	int r;

	paging_state(vcpu, &pg);
	r = x86_walk(&pg, la, access_at_cpl(access), gpa, &pfec);
	if (r == X86_WALK_FAULT)
		*f = (struct vmx_fault){ .vector = X86_TRAP_PF, .error_code = pfec, .cr2 = la };
	return r;
}

/* ---- segments ---- */

struct seg_fields {
	unsigned long base, limit, ar;
};

#define SEG(s) { GUEST_##s##_BASE, GUEST_##s##_LIMIT, GUEST_##s##_AR_BYTES }
static const struct seg_fields seg_fields[] = {		/* enum vmx_seg order */
	SEG(ES), SEG(CS), SEG(SS), SEG(DS), SEG(FS), SEG(GS),
};
#undef SEG

static enum x86_mode guest_mode(void)
{
	if (!(vmx_get_cr0() & X86_CR0_PE))
		return X86_MODE_REAL;
	if (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_VM)
		return X86_MODE_VM86;
	return vmx_guest_64bit() ? X86_MODE_64 : X86_MODE_PROT;
}

/*
 * Offset @ea of segment @seg (enum vmx_seg), @size bytes, as an access of kind @access
 * (VMX_ACC_WRITE, VMX_ACC_FETCH or a read): 0 with the linear address, or VMX_FAULT with
 * #GP(0)/#SS(0) in *f. @ea must already be truncated to the instruction's address size.
 */
int vmx_linearize(struct vmxmon_vcpu *vcpu, u8 seg, unsigned long ea, unsigned int size,
		  u32 access, unsigned long *la, struct vmx_fault *f)
{
	const struct seg_fields *sf = &seg_fields[seg < ARRAY_SIZE(seg_fields) ? seg : VMX_SEG_DS];
	enum x86_mode mode = guest_mode();
	u32 ar = __vmcs_readl(sf->ar);
	struct x86_segment s = {
		/* In 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.4.4). */
		.base = mode == X86_MODE_64 && seg != VMX_SEG_FS && seg != VMX_SEG_GS ? 0 :
			__vmcs_readl(sf->base),
		.limit = __vmcs_readl(sf->limit),
		.type = ar & VMX_AR_TYPE_MASK,
		.db = ar & VMX_AR_DB_MASK,
		.usable = !(ar & VMX_AR_UNUSABLE_MASK),
	};
	u64 lin;
	int vector = x86_linearize(&s, seg == VMX_SEG_SS, mode, ea, size, access, &lin);

	if (vector) {
		*f = (struct vmx_fault){ .vector = vector };
		return VMX_FAULT;
	}
	*la = lin;
	return 0;
}

/*
 * Alignment check (SDM Vol. 3A 6.15, #AC): a misaligned data access at CPL 3 with CR0.AM
 * and RFLAGS.AC set. VM exits for INS/OUTS come before it (26.1.1), so it is ours to make
 * for string I/O and the string moves we emulate. KVM's emulator does not make it.
 */
int vmx_check_alignment(unsigned long la, unsigned int size, struct vmx_fault *f)
{
	if (!(la & (size - 1)) || vmx_guest_cpl() != 3 || !(vmx_get_cr0() & X86_CR0_AM) ||
	    !(vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_AC))
		return 0;
	*f = (struct vmx_fault){ .vector = X86_TRAP_AC };
	return VMX_FAULT;
}

/* Deliver @f at the next entry: #PF also loads CR2 (vmx_vcpu_run() writes it to the CPU). */
void vmx_inject_fault(struct vmxmon_vcpu *vcpu, const struct vmx_fault *f)
{
	if (f->vector == X86_TRAP_PF)
		to_vmx(vcpu)->cr2 = f->cr2;
	vmx_inject_exception(vcpu, f->vector, true, f->error_code);
}

/*
 * Copy @len bytes at linear @la (pages translated one by one) with the guest's
 * permissions for @access: 0, VMX_FAULT (*f: the first page that faulted; nothing was
 * copied from or to a later one), -EFAULT (not RAM), -EAGAIN.
 */
int vmx_linear_access(struct vmxmon_vcpu *vcpu, unsigned long la, void *buf,
		      unsigned int len, u32 access, struct vmx_fault *f)
{
	bool write = access & VMX_ACC_WRITE;

	while (len) {
		unsigned int chunk = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(la));
		u64 gpa;
		int r = vmx_translate(vcpu, la, access, &gpa, f);

		if (!r)
			r = vmx_gpa_ram_access(vcpu->vm, gpa, buf, chunk, write);
		if (r)
			return r;
		la = vmx_guest_64bit() ? la + chunk : (u32)(la + chunk);
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/* ---- PAE PDPTE registers ---- */

/*
 * Load the PDPTE registers from the table CR3 points to (SDM Vol. 3A 4.4.1), as MOV to
 * CR0/CR4 does when it lands in PAE paging: the CPU takes them from the VMCS at VM entry
 * (SDM Vol. 3C 27.3.2.4, with EPT), never from memory. 0, or -EINVAL when the table is
 * not in guest RAM or a present entry has a reserved bit set (the caller's #GP); the
 * registers then keep their old values, as KVM's load_pdptrs().
 */
int vmx_load_pdptrs(struct vmxmon_vcpu *vcpu)
{
	u64 pdpte[4], rsvd = x86_pdpte_reserved(boot_cpu_data.x86_phys_bits);
	/* PAE paging uses CR3 bits 31:5; the table is 32-byte aligned, in one page. */
	u64 table = vmcs_readl(GUEST_CR3) & GENMASK_ULL(31, 5);
	int i;

	if (vmx_gpa_ram_access(vcpu->vm, table, pdpte, sizeof(pdpte), false))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & rsvd))
			return -EINVAL;
	for (i = 0; i < 4; i++)
		vmcs_write64(pdptr_fields[i], pdpte[i]);
	return 0;
}
