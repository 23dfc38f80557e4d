// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the guest page walk and segment checks (x86/walk.c, the module's own
 * source built with lib/kshim/): the permission rules the Bochs tests cannot reach (SMEP,
 * SMAP and RFLAGS.AC, XD, CR0.WP both ways, every reserved bit, 32-bit paging with 4 MiB
 * pages, PAE through the PDPTE registers), the error codes, the accessed/dirty flags and the
 * retry when the guest rewrites an entry. Expected values come from the SDM (Vol. 3A 4.6,
 * 4.7, 4.8, table 4-4 ff.), not from the code.
 */
#include <errno.h>
#include <string.h>

#include <asm/processor-flags.h>
#include "x86/walk.h"
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "harness.h"

#define MEM_SIZE	(128 * 4096)
static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
static int cmpxchg_failures;		/* the next ones fail: a guest rewriting its tables */

static int mem_read(void *opaque, u64 gpa, u64 *val, unsigned int size)
{
	(void)opaque;
	if (gpa + size > MEM_SIZE)
		return -EFAULT;
	*val = 0;
	memcpy(val, mem + gpa, size);
	return 0;
}

static int mem_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new, unsigned int size)
{
	u64 cur = 0;

	(void)opaque;
	if (gpa + size > MEM_SIZE)
		return -EFAULT;
	memcpy(&cur, mem + gpa, size);
	if (cmpxchg_failures) {
		cmpxchg_failures--;
		return -EAGAIN;
	}
	if (cur != old)
		return -EAGAIN;
	memcpy(mem + gpa, &new, size);
	return 0;
}

#define P	(1ull << 0)
#define W	(1ull << 1)
#define U	(1ull << 2)
#define A	(1ull << 5)
#define D	(1ull << 6)
#define PS	(1ull << 7)
#define XD	(1ull << 63)
#define PF_P	X86_PFEC_PRESENT
#define PF_W	X86_PFEC_WRITE
#define PF_U	X86_PFEC_USER
#define PF_RSVD	X86_PFEC_RSVD
#define PF_I	X86_PFEC_FETCH

/* 4-level tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000, the page at 0x10000. */
#define PML4	0x1000ull
#define PDPT	0x2000ull
#define PD	0x3000ull
#define PT	0x4000ull
#define PAGE	0x10000ull
#define LA	(0x0000008000000000ull * 3 + 0x40000000ull * 5 + 0x200000ull * 7 + 0x1000ull * 9)

static u64 *e64(u64 table, u64 idx)
{
	return (u64 *)(mem + table) + idx;
}

/* LA -> PAGE through all four levels, each entry with @flags (the PTE: @leaf). */
static void build4(u64 flags, u64 leaf)
{
	memset(mem, 0, MEM_SIZE);
	*e64(PML4, 3) = PDPT | flags;
	*e64(PDPT, 5) = PD | flags;
	*e64(PD, 7) = PT | flags;
	*e64(PT, 9) = PAGE | leaf;
}

static struct x86_paging paging(u64 cr0, u64 cr4, u64 efer, u64 cr3)
{
	return (struct x86_paging){
		.cr0 = cr0 | X86_CR0_PE | X86_CR0_PG, .cr4 = cr4, .efer = efer, .cr3 = cr3,
		.maxphyaddr = 40, .gbpages = true, .read = mem_read, .cmpxchg = mem_cmpxchg,
	};
}

#define LONG	(EFER_LME | EFER_LMA)

/* The walk's result: the GPA, or 1000 + the error code of the #PF, or a -errno. */
static long long walk(const struct x86_paging *pg, u64 la, u32 access)
{
	u64 gpa = 0;
	u32 pfec = 0;
	int r = x86_walk(pg, la, access, &gpa, &pfec);

	return r == X86_WALK_FAULT ? 1000 + pfec : r ? r : (long long)gpa;
}

TEST_HOST(walk_translates_4k_2m_1g_pages_and_truncates_outside_long_mode)
{
	struct x86_paging pg = paging(0, X86_CR4_PAE, LONG, PML4);

	build4(P | W, P | W);
	EXPECT_EQ(walk(&pg, LA + 0x123, 0), PAGE + 0x123);
	*e64(PD, 7) = 0x40000000ull | P | W | PS;			/* 2 MiB */
	EXPECT_EQ(walk(&pg, LA + 0x123, 0), 0x40000000ull + 0x9123);
	*e64(PDPT, 5) = 0x80000000ull | P | W | PS;			/* 1 GiB */
	EXPECT_EQ(walk(&pg, LA + 0x123, 0), 0x80000000ull + 0xe09123);
	pg.cr0 &= ~X86_CR0_PG;						/* no paging */
	EXPECT_EQ(walk(&pg, 0x1234, 0), 0x1234);
}

TEST_HOST(walk_combines_user_and_write_rights_of_every_level)
{
	struct x86_paging pg = paging(X86_CR0_WP, X86_CR4_PAE, LONG, PML4);

	build4(P | W | U, P | W | U);
	EXPECT_EQ(walk(&pg, LA, PF_W | PF_U), PAGE);
	*e64(PDPT, 5) &= ~U;						/* one level: supervisor */
	EXPECT_EQ(walk(&pg, LA, PF_U), 1000 + (PF_P | PF_U));
	EXPECT_EQ(walk(&pg, LA, PF_W | PF_U), 1000 + (PF_P | PF_W | PF_U));
	EXPECT_EQ(walk(&pg, LA, PF_W), PAGE);				/* the kernel may */
	build4(P | W | U, P | W | U);
	*e64(PD, 7) &= ~W;						/* one level: read-only */
	EXPECT_EQ(walk(&pg, LA, PF_U), PAGE);
	EXPECT_EQ(walk(&pg, LA, PF_W | PF_U), 1000 + (PF_P | PF_W | PF_U));
	EXPECT_EQ(walk(&pg, LA, PF_W), 1000 + (PF_P | PF_W));		/* CR0.WP = 1 */
	pg.cr0 &= ~X86_CR0_WP;
	EXPECT_EQ(walk(&pg, LA, PF_W), PAGE);				/* CR0.WP = 0 */
	EXPECT_EQ(walk(&pg, LA, PF_W | PF_U), 1000 + (PF_P | PF_W | PF_U));	/* users never */
}

TEST_HOST(walk_not_present_entries_fault_with_p_clear_at_every_level)
{
	struct x86_paging pg = paging(0, X86_CR4_PAE, LONG, PML4);
	u64 *level[] = { e64(PML4, 3), e64(PDPT, 5), e64(PD, 7), e64(PT, 9) };

	for (int i = 0; i < 4; i++) {
		build4(P | W | U, P | W | U);
		*level[i] &= ~P;
		EXPECT_EQ(walk(&pg, LA, 0), 1000);
		EXPECT_EQ(walk(&pg, LA, PF_W | PF_U), 1000 + (PF_W | PF_U));
		EXPECT_EQ(walk(&pg, LA, PF_I), 1000);			/* no NXE, no SMEP: I/D 0 */
	}
}

TEST_HOST(walk_reserved_bits_fault_with_rsvd_and_p_set)
{
	struct x86_paging pg = paging(0, X86_CR4_PAE, LONG, PML4);
	const struct { u64 *e; u64 bit; } cases[] = {
		{ e64(PML4, 3), 1ull << 40 },		/* above MAXPHYADDR (40) */
		{ e64(PML4, 3), PS },			/* no PS in a PML4E */
		{ e64(PDPT, 5), 1ull << 51 },
		{ e64(PD, 7), 1ull << 45 },
		{ e64(PT, 9), 1ull << 40 },
		{ e64(PT, 9), XD },			/* XD without EFER.NXE */
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build4(P | W, P | W);
		*cases[i].e |= cases[i].bit;
		EXPECT_EQ(walk(&pg, LA, PF_W), 1000 + (PF_RSVD | PF_P | PF_W));
	}
	build4(P | W, P | W);
	*e64(PT, 9) |= 1ull << 52 | 1ull << 62;		/* 62:52 are ignored */
	EXPECT_EQ(walk(&pg, LA, 0), PAGE);
	build4(P | W, P | W);
	*e64(PD, 7) = 0x40000000ull | P | W | PS | (1ull << 13);	/* 2 MiB: 20:13 */
	EXPECT_EQ(walk(&pg, LA, 0), 1000 + (PF_RSVD | PF_P));
	*e64(PDPT, 5) = 0x80000000ull | P | W | PS | (1ull << 29);	/* 1 GiB: 29:13 */
	EXPECT_EQ(walk(&pg, LA, 0), 1000 + (PF_RSVD | PF_P));
	*e64(PDPT, 5) = 0x80000000ull | P | W | PS;
	pg.gbpages = false;					/* no 1 GiB pages: PS reserved */
	EXPECT_EQ(walk(&pg, LA, 0), 1000 + (PF_RSVD | PF_P));
}

TEST_HOST(walk_xd_smep_smap_and_rflags_ac)
{
	struct x86_paging pg = paging(0, X86_CR4_PAE, LONG | EFER_NX, PML4);

	build4(P | W | U, P | W | U | XD);
	EXPECT_EQ(walk(&pg, LA, 0), PAGE);
	EXPECT_EQ(walk(&pg, LA, PF_I), 1000 + (PF_P | PF_I));
	EXPECT_EQ(walk(&pg, LA, PF_I | PF_U), 1000 + (PF_P | PF_I | PF_U));
	build4(P | W | U, P | W | U);
	EXPECT_EQ(walk(&pg, LA, PF_I), PAGE);				/* no SMEP */
	pg.cr4 |= X86_CR4_SMEP;
	EXPECT_EQ(walk(&pg, LA, PF_I), 1000 + (PF_P | PF_I));
	EXPECT_EQ(walk(&pg, LA, PF_I | PF_U), PAGE);			/* users fetch there */
	EXPECT_EQ(walk(&pg, LA, PF_W), PAGE);				/* SMEP: fetches only */
	pg.cr4 |= X86_CR4_SMAP;
	EXPECT_EQ(walk(&pg, LA, 0), 1000 + PF_P);
	EXPECT_EQ(walk(&pg, LA, PF_W), 1000 + (PF_P | PF_W));
	pg.rflags_ac = true;						/* STAC */
	EXPECT_EQ(walk(&pg, LA, PF_W), PAGE);
	EXPECT_EQ(walk(&pg, LA, X86_ACC_IMPLICIT), 1000 + PF_P);	/* CPL 3 implicit */
	EXPECT_EQ(walk(&pg, LA, PF_U), PAGE);				/* SMAP: supervisor only */
	*e64(PT, 9) &= ~U;
	pg.rflags_ac = false;
	EXPECT_EQ(walk(&pg, LA, PF_W), PAGE);				/* a supervisor page */
}

TEST_HOST(walk_sets_accessed_and_dirty_flags_and_retries_a_changed_entry)
{
	struct x86_paging pg = paging(0, X86_CR4_PAE, LONG, PML4);

	build4(P | W, P | W);
	EXPECT_EQ(walk(&pg, LA, X86_ACC_PROBE | PF_W), PAGE);		/* a probe sets nothing */
	EXPECT_EQ(*e64(PT, 9), PAGE | P | W);
	EXPECT_EQ(walk(&pg, LA, 0), PAGE);
	EXPECT_EQ(*e64(PML4, 3) & (A | D), A);
	EXPECT_EQ(*e64(PDPT, 5) & (A | D), A);
	EXPECT_EQ(*e64(PD, 7) & (A | D), A);
	EXPECT_EQ(*e64(PT, 9) & (A | D), A);				/* a read: not dirty */
	EXPECT_EQ(walk(&pg, LA, PF_W), PAGE);
	EXPECT_EQ(*e64(PT, 9) & (A | D), A | D);
	EXPECT_EQ(*e64(PD, 7) & D, 0);					/* only the last entry */
	build4(P, P);
	EXPECT_EQ(walk(&pg, LA, PF_W | PF_U), 1000 + (PF_P | PF_W | PF_U));
	EXPECT_EQ(*e64(PT, 9) & A, 0);					/* not for a fault */
	build4(P | W, P | W);
	cmpxchg_failures = 2;						/* changed twice: walk again */
	EXPECT_EQ(walk(&pg, LA, PF_W), PAGE);
	EXPECT_EQ(*e64(PT, 9) & (A | D), A | D);
	build4(P | W, P | W);
	cmpxchg_failures = 1000;					/* a guest that never stops */
	EXPECT_EQ(walk(&pg, LA, PF_W), -EAGAIN);
	cmpxchg_failures = 0;
	pg.cr3 = MEM_SIZE;						/* tables outside RAM */
	EXPECT_EQ(walk(&pg, LA, 0), -EFAULT);
}

TEST_HOST(walk_pae_goes_through_the_pdpte_registers)
{
	struct x86_paging pg = paging(0, X86_CR4_PAE, 0, 0x5000);	/* CR3 points nowhere used */
	u64 la = 0x80000000ull + 0x200000ull * 7 + 0x1000 * 9 + 0x45;

	build4(P | W, P | W);
	pg.pdpte[2] = PD | P;
	EXPECT_EQ(walk(&pg, la, PF_W), PAGE + 0x45);
	EXPECT_EQ(walk(&pg, la | 0xffffffff00000000ull, 0), PAGE + 0x45);	/* 32-bit LA */
	EXPECT_EQ(walk(&pg, la - 0x40000000ull, 0), 1000);			/* PDPTE 1: absent */
	*e64(PT, 9) |= 1ull << 60;				/* PAE: 62:MAXPHYADDR reserved */
	EXPECT_EQ(walk(&pg, la, 0), 1000 + (PF_RSVD | PF_P));
	*e64(PT, 9) = PAGE | P | XD;
	pg.efer = EFER_NX;
	EXPECT_EQ(walk(&pg, la, PF_I), 1000 + (PF_P | PF_I));
	EXPECT_EQ(x86_pdpte_reserved(40), 0xffffff0000000000ull | 0x1e6);
}

TEST_HOST(walk_32bit_paging_with_4m_pages)
{
	struct x86_paging pg = paging(0, X86_CR4_PSE, 0, 0x1000);
	u32 *pd = (u32 *)(mem + 0x1000), *pt = (u32 *)(mem + 0x2000);
	u64 la = 0x40000000ull + 0x12345;

	memset(mem, 0, MEM_SIZE);
	pd[la >> 22] = 0xc0400000u | (0x12u << 13) | P | W | PS;	/* PA bits 39:32 = 0x12 */
	EXPECT_EQ(walk(&pg, la, 0), 0x12c0400000ull + 0x12345);
	pd[la >> 22] |= 1u << 21;					/* reserved */
	EXPECT_EQ(walk(&pg, la, 0), 1000 + (PF_RSVD | PF_P));
	pd[la >> 22] = 0x2000 | P | W | PS;			/* CR4.PSE = 0: PS ignored */
	pt[(la >> 12) & 1023] = 0x10000 | P;
	pg.cr4 = 0;
	EXPECT_EQ(walk(&pg, la, 0), 0x10000 + 0x345);
	EXPECT_EQ(walk(&pg, la, PF_W | PF_U), 1000 + (PF_P | PF_W | PF_U));
	pg.efer = EFER_NX;						/* no XD in 32-bit paging: */
	pt[(la >> 12) & 1023] = 0;
	EXPECT_EQ(walk(&pg, la, PF_I), 1000);				/* I/D stays 0 */
	pg.cr4 = X86_CR4_SMEP;
	EXPECT_EQ(walk(&pg, la, PF_I), 1000 + PF_I);			/* ... unless SMEP */
	pg.maxphyaddr = 36;						/* 4 MiB: 20:17 reserved */
	pg.cr4 = X86_CR4_PSE;
	pd[la >> 22] = 0xc0400000u | (1u << 17) | P | PS;
	EXPECT_EQ(walk(&pg, la, 0), 1000 + (PF_RSVD | PF_P));
}

static int lin(struct x86_segment s, bool ss, enum x86_mode m, u64 ea, unsigned int size,
	       u32 access, u64 *la)
{
	return x86_linearize(&s, ss, m, ea, size, access, la);
}

TEST_HOST(linearize_checks_segment_type_limit_and_canonical_addresses)
{
	struct x86_segment rw = { .base = 0x1000, .limit = 0xff, .type = 3, .usable = true };
	struct x86_segment ro = rw, down = rw, xo = rw, code = rw, null = rw;
	u64 la = 0;

	ro.type = 1;
	down.type = 7;
	xo.type = 9;			/* execute-only code */
	code.type = 11;
	null.usable = false;
	EXPECT_EQ(lin(rw, false, X86_MODE_PROT, 0xfe, 2, PF_W, &la), 0);
	EXPECT_EQ(la, 0x10fe);
	EXPECT_EQ(lin(rw, false, X86_MODE_PROT, 0xff, 2, 0, &la), X86_TRAP_GP);	/* past it */
	EXPECT_EQ(lin(rw, true, X86_MODE_PROT, 0x100, 1, 0, &la), X86_TRAP_SS);
	EXPECT_EQ(lin(ro, false, X86_MODE_PROT, 0, 1, 0, &la), 0);
	EXPECT_EQ(lin(ro, false, X86_MODE_PROT, 0, 1, PF_W, &la), X86_TRAP_GP);
	EXPECT_EQ(lin(code, false, X86_MODE_PROT, 0, 1, 0, &la), 0);		/* readable */
	EXPECT_EQ(lin(code, false, X86_MODE_PROT, 0, 1, PF_W, &la), X86_TRAP_GP);
	EXPECT_EQ(lin(code, false, X86_MODE_REAL, 0, 1, PF_W, &la), 0);	/* real mode */
	EXPECT_EQ(lin(xo, false, X86_MODE_PROT, 0, 1, 0, &la), X86_TRAP_GP);
	EXPECT_EQ(lin(xo, false, X86_MODE_PROT, 0, 1, PF_I, &la), 0);
	EXPECT_EQ(lin(null, false, X86_MODE_PROT, 0, 1, 0, &la), X86_TRAP_GP);
	EXPECT_EQ(lin(down, false, X86_MODE_PROT, 0xff, 1, 0, &la), X86_TRAP_GP);
	EXPECT_EQ(lin(down, false, X86_MODE_PROT, 0x100, 1, 0, &la), 0);
	EXPECT_EQ(lin(down, false, X86_MODE_PROT, 0xffff, 2, 0, &la), X86_TRAP_GP);	/* 16-bit */
	down.db = true;
	EXPECT_EQ(lin(down, false, X86_MODE_PROT, 0xffff, 2, 0, &la), 0);
	rw.limit = 0xffffffff;
	rw.base = 0xfffff000;
	EXPECT_EQ(lin(rw, false, X86_MODE_PROT, 0x2000, 1, 0, &la), 0);
	EXPECT_EQ(la, 0x1000);						/* wraps at 4 GiB */
	rw.base = 0;					/* 64-bit mode: the caller's base, 0 */
	EXPECT_EQ(lin(rw, false, X86_MODE_64, 0x00007ffffffffff8ull, 8, 0, &la), 0);
	EXPECT_EQ(lin(rw, false, X86_MODE_64, 0x00007ffffffffff8ull, 9, 0, &la), X86_TRAP_GP);
	EXPECT_EQ(lin(rw, true, X86_MODE_64, 0x0000800000000000ull, 1, 0, &la), X86_TRAP_SS);
	EXPECT_EQ(lin(null, false, X86_MODE_64, 0xffff800000000000ull, 1, 0, &la), 0);
}
