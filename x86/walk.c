// SPDX-License-Identifier: GPL-2.0
/*
 * Segmentation and the guest's page walk, as the CPU does them for one memory access (see
 * walk.h). Used by every access vmxmon makes on the guest's behalf: string port I/O, the
 * MMIO emulator's instruction fetch and data accesses. The CPU never made these checks
 * itself: INS/OUTS exit before their memory operand is checked (SDM Vol. 3C 26.1.1,
 * "Relative priority of faults and VM exits"), and an emulated REP MOVS reaches elements
 * the CPU never looked at.
 *
 * Compared with KVM's walker (arch/x86/kvm/mmu/paging_tmpl.h walk_addr_generic(), 6.1):
 * the same order (reserved bits and presence level by level, permissions on the combined
 * rights, accessed/dirty flags only for an access that is allowed, by compare-exchange,
 * retried when the entry changed) and the same error codes, except where noted below.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "x86/walk.h"

/* Paging-structure entry flags (SDM Vol. 3A tables 4-4 to 4-20). */
#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_XD		BIT_ULL(63)

/* A guest rewriting an entry while we set its flags: walk again, this many times. */
#define WALK_RETRIES	4

enum paging_mode { PAGING_32, PAGING_PAE, PAGING_4LEVEL };

/* Physical-address bits MAXPHYADDR..@top: reserved in entries (SDM 4.4.2, 4.5.4). */
static u64 pa_reserved(u8 maxphyaddr, int top)
{
	return maxphyaddr > top ? 0 : GENMASK_ULL(top, maxphyaddr);
}

u64 x86_pdpte_reserved(u8 maxphyaddr)
{
	/* Bits 2:1, 8:5 and 63:MAXPHYADDR; PDPTEs have no XD bit. */
	return GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5) | pa_reserved(maxphyaddr, 63);
}

/*
 * Reserved bits of a present entry at @level (1: PTE ... 4: PML4E) that maps a page
 * (@leaf) or not. 32-bit paging: only a 4-MByte PDE has any, bit 21 and the bits of 20:13
 * above MAXPHYADDR (at most 40 bits there, PSE-36); KVM reserves 21:17 whatever
 * MAXPHYADDR is, the hardware only what the SDM's table 4-4 says, which is what we follow.
 */
static u64 entry_reserved(const struct x86_paging *pg, enum paging_mode paging, int level,
			  bool leaf)
{
	u64 r;

	if (paging == PAGING_32) {
		unsigned int m = min_t(unsigned int, pg->maxphyaddr, 40);

		if (level != 2 || !leaf)
			return 0;
		return BIT_ULL(21) | (m < 40 ? GENMASK_ULL(20, 13 + m - 32) : 0);
	}
	r = pa_reserved(pg->maxphyaddr, paging == PAGING_PAE ? 62 : 51);
	if (!(pg->efer & EFER_NX))
		r |= PTE_XD;
	if (paging == PAGING_4LEVEL && (level == 4 || (level == 3 && !pg->gbpages)))
		r |= PTE_PS;
	if (leaf && level == 3)
		r |= GENMASK_ULL(29, 13);
	else if (leaf && level == 2)
		r |= GENMASK_ULL(20, 13);
	return r;
}

/*
 * May an access of kind @access go to a page whose combined rights are @user, @writable,
 * @exec (SDM Vol. 3A 4.6)?
 */
static bool access_allowed(const struct x86_paging *pg, u32 access, bool user, bool writable,
			   bool exec)
{
	bool write = access & X86_PFEC_WRITE, fetch = access & X86_PFEC_FETCH;

	if (fetch && !exec)
		return false;
	if (access & X86_PFEC_USER)
		return user && (!write || writable);
	/* A supervisor-mode access to a user-mode page: SMEP, SMAP. */
	if (user && fetch && (pg->cr4 & X86_CR4_SMEP))
		return false;
	if (user && !fetch && (pg->cr4 & X86_CR4_SMAP) &&
	    ((access & X86_ACC_IMPLICIT) || !pg->rflags_ac))
		return false;
	return !write || writable || !(pg->cr0 & X86_CR0_WP);
}

/*
 * Set the accessed flag of every entry used, and the dirty flag of the one that maps the
 * page for a write (SDM 4.8), top down as KVM does.
 */
static int set_accessed_dirty(const struct x86_paging *pg, const u64 *pte, const u64 *pte_gpa,
			      int top, int leaf, unsigned int size, bool write)
{
	int level, r;

	for (level = top; level >= leaf; level--) {
		u64 old = pte[level - 1], new = old | PTE_A;

		if (level == leaf && write)
			new |= PTE_D;
		if (new == old)
			continue;
		r = pg->cmpxchg(pg->opaque, pte_gpa[level - 1], old, new, size);
		if (r)
			return r;
	}
	return 0;
}

int x86_walk(const struct x86_paging *pg, u64 la, u32 access, u64 *gpa, u32 *pfec)
{
	enum paging_mode paging;
	u64 pte[4], pte_gpa[4], table = 0;
	unsigned int size, bits;
	int top, level = 0, tries, r;
	bool nx, user, writable, exec;
	u32 err;

	if (!(pg->cr0 & X86_CR0_PG)) {
		*gpa = la;
		return 0;
	}
	if (pg->efer & EFER_LMA) {
		paging = PAGING_4LEVEL;
		top = 4;
	} else {
		paging = pg->cr4 & X86_CR4_PAE ? PAGING_PAE : PAGING_32;
		top = 2;
		la = (u32)la;
	}
	size = paging == PAGING_32 ? 4 : 8;
	bits = paging == PAGING_32 ? 10 : 9;
	nx = paging != PAGING_32 && (pg->efer & EFER_NX);

	for (tries = 0;; tries++) {
		err = 0;
		user = writable = exec = true;
		if (paging == PAGING_PAE) {
			/* The PDPTE registers: checked when loaded, no flags of their own. */
			u64 pdpte = pg->pdpte[(la >> 30) & 3];

			if (!(pdpte & PTE_P))
				goto fault;
			table = pdpte & GENMASK_ULL(51, 12);
		} else {
			table = pg->cr3 & (paging == PAGING_32 ? GENMASK_ULL(31, 12) :
								 GENMASK_ULL(51, 12));
		}

		for (level = top;; level--) {
			int shift = 12 + bits * (level - 1);
			u64 e;
			bool leaf;

			pte_gpa[level - 1] = table + ((la >> shift) & ((1u << bits) - 1)) * size;
			r = pg->read(pg->opaque, pte_gpa[level - 1], &e, size);
			if (r)
				return r;
			pte[level - 1] = e;
			if (!(e & PTE_P))
				goto fault;
			if (paging == PAGING_32)	/* PS counts only with CR4.PSE */
				leaf = level == 1 || ((e & PTE_PS) && (pg->cr4 & X86_CR4_PSE));
			else
				leaf = level == 1 || (e & PTE_PS);
			if (e & entry_reserved(pg, paging, level, leaf)) {
				err = X86_PFEC_RSVD | X86_PFEC_PRESENT;
				goto fault;
			}
			user &= !!(e & PTE_U);
			writable &= !!(e & PTE_W);
			if (nx && (e & PTE_XD))
				exec = false;
			if (leaf) {
				if (level == 1)
					*gpa = (e & (paging == PAGING_32 ? GENMASK_ULL(31, 12) :
							 GENMASK_ULL(51, 12))) | (la & 0xfff);
				else if (paging == PAGING_32)	/* 4 MiB: 20:13 are PA 39:32 */
					*gpa = (e & GENMASK_ULL(31, 22)) |
					       ((e & GENMASK_ULL(20, 13)) << 19) |
					       (la & GENMASK_ULL(21, 0));
				else
					*gpa = (e & GENMASK_ULL(51, shift)) |
					       (la & (BIT_ULL(shift) - 1));
				break;
			}
			table = e & (paging == PAGING_32 ? GENMASK_ULL(31, 12) : GENMASK_ULL(51, 12));
		}

		if (!access_allowed(pg, access, user, writable, exec)) {
			err = X86_PFEC_PRESENT;
			goto fault;
		}
		if (access & X86_ACC_PROBE)
			return 0;
		r = set_accessed_dirty(pg, pte, pte_gpa, top, level, size,
				       access & X86_PFEC_WRITE);
		if (r != -EAGAIN || tries == WALK_RETRIES)
			return r;
	}

fault:
	/*
	 * W and U say what the access was; I/D only where instruction fetches can fault
	 * (SMEP, or XD with PAE/4-level paging: SDM 4.7). KVM sets I/D for NXE with 32-bit
	 * paging too; the SDM says it stays 0 there.
	 */
	err |= access & (X86_PFEC_WRITE | X86_PFEC_USER);
	if ((access & X86_PFEC_FETCH) && ((pg->cr4 & X86_CR4_SMEP) || nx))
		err |= X86_PFEC_FETCH;
	*pfec = err;
	return X86_WALK_FAULT;
}

static bool canonical(u64 la)
{
	return (u64)((s64)(la << 16) >> 16) == la;
}

int x86_linearize(const struct x86_segment *seg, bool is_ss, enum x86_mode mode, u64 ea,
		  unsigned int size, u32 access, u64 *la)
{
	bool write = access & X86_PFEC_WRITE, fetch = access & X86_PFEC_FETCH;
	bool code = seg->type & 8, rw = seg->type & 2;	/* writable data, readable code */
	u64 lim;

	if (mode == X86_MODE_64) {
		/* No limits: only canonical addresses (48 bits: vmxmon offers no LA57). */
		*la = seg->base + ea;
		if (!canonical(*la) || !canonical(*la + size - 1))
			goto bad;
		return 0;
	}
	if (!seg->usable)
		goto bad;
	/* Writes need a writable data segment (in real mode, code is writable too). */
	if (write && ((code && mode != X86_MODE_REAL) || !rw))
		goto bad;
	if (!write && !fetch && code && !rw)	/* execute-only code */
		goto bad;
	lim = seg->limit;
	if (!code && (seg->type & 4)) {		/* expand-down: valid above the limit */
		if (ea <= lim)
			goto bad;
		lim = seg->db ? 0xffffffff : 0xffff;
	}
	if (ea > lim || size - 1 > lim - ea)
		goto bad;
	*la = (u32)(seg->base + ea);
	return 0;

bad:
	return is_ss ? X86_TRAP_SS : X86_TRAP_GP;
}
