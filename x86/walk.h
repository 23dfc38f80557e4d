/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two steps from a segment:offset to a guest-physical address that an instruction's
 * memory access goes through, as the CPU makes them (SDM Vol. 3A chapter 3 "Protected-mode
 * memory management" and chapter 4 "Paging"), with the checks and the faults that go with
 * them: segment type and limit (#GP, #SS), canonical addresses, then the guest's page walk
 * (#PF with its error code; accessed and dirty flags set in the guest's page tables).
 *
 * Both are pure functions of their inputs (no VMCS, no vCPU): paging state and a callback
 * that reads (and compare-exchanges) guest-physical memory. x86/guest_mem.c feeds them from
 * the guest's state (the backend's accessors); a host unit test feeds them from an array.
 */
#ifndef VMXMON_X86_WALK_H
#define VMXMON_X86_WALK_H

#include <linux/types.h>

/* Page-fault error code (SDM Vol. 3A 4.7); W, U and I/D double as access flags. */
#define X86_PFEC_PRESENT	(1u << 0)	/* protection violation (0: not present) */
#define X86_PFEC_WRITE		(1u << 1)
#define X86_PFEC_USER		(1u << 2)	/* a user-mode access: CPL 3, not implicit */
#define X86_PFEC_RSVD		(1u << 3)
#define X86_PFEC_FETCH		(1u << 4)

/* Access flags for x86_walk(), besides X86_PFEC_WRITE/USER/FETCH. */
#define X86_ACC_IMPLICIT	(1u << 16)	/* implicit supervisor access at CPL 3: */
						/* SMAP ignores RFLAGS.AC (SDM 4.6.1) */
#define X86_ACC_PROBE		(1u << 17)	/* check only: set no accessed/dirty flags */

/*
 * The guest's paging state. PAE paging translates through the four PDPTE registers, not
 * the memory CR3 points to (SDM 4.4.1): the caller passes them.
 */
struct x86_paging {
	u64 cr0, cr4, efer, cr3;
	u64 pdpte[4];
	u8 maxphyaddr;			/* the CPU's: reserved-bit checks use it */
	bool gbpages;			/* 1-GByte pages exist (else PDPTE.PS is reserved) */
	bool rflags_ac;			/* RFLAGS.AC: lets explicit supervisor accesses past SMAP */
	/*
	 * Read a paging-structure entry of @size (4 or 8) bytes at @gpa: 0, or -EFAULT when
	 * @gpa is not guest RAM.
	 */
	int (*read)(void *opaque, u64 gpa, u64 *val, unsigned int size);
	/*
	 * Replace the entry at @gpa by @new if it still holds @old (atomically): 0 done (or
	 * skipped: a read-only slot keeps its flags, as in KVM), -EAGAIN it changed.
	 */
	int (*cmpxchg)(void *opaque, u64 gpa, u64 old, u64 new, unsigned int size);
	void *opaque;
};

/* x86_walk() results besides 0 (translated) and -errno. */
#define X86_WALK_FAULT		1	/* #PF: *pfec holds the error code */

/*
 * Translate linear address @la for an access of kind @access (X86_PFEC_WRITE, _USER,
 * _FETCH, X86_ACC_*). 0 with *gpa; X86_WALK_FAULT with the error code in *pfec; -EFAULT
 * when a paging structure is not in guest RAM; -EAGAIN when the guest kept changing an
 * entry while its accessed/dirty flags were being set.
 */
int x86_walk(const struct x86_paging *pg, u64 la, u32 access, u64 *gpa, u32 *pfec);

/* Bits of a present PDPTE that are reserved (SDM 4.4.1, table 4-8). */
u64 x86_pdpte_reserved(u8 maxphyaddr);

/* A segment register's hidden part, as the VMCS keeps it (limit already scaled by G). */
struct x86_segment {
	u64 base;
	u32 limit;
	u8 type;			/* bits 3:0 of the access rights */
	bool db;			/* D/B: the upper bound of expand-down data segments */
	bool usable;
};

enum x86_mode { X86_MODE_REAL, X86_MODE_VM86, X86_MODE_PROT, X86_MODE_64 };

/*
 * Offset @ea (already truncated to the address size) of @seg, @size bytes, for a read,
 * write (X86_PFEC_WRITE) or fetch (X86_PFEC_FETCH): 0 with the linear address in *la, or
 * the vector of the fault (#GP(0), or #SS(0) when @is_ss), as KVM's __linearize().
 */
int x86_linearize(const struct x86_segment *seg, bool is_ss, enum x86_mode mode, u64 ea,
		  unsigned int size, u32 access, u64 *la);

#endif /* VMXMON_X86_WALK_H */
