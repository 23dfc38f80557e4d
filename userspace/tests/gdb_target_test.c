// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: how the GDB stub turns a watchpoint's guest-virtual range into the
 * guest-physical ranges of its EPT watches (gdb/target.c: gdb_gva_ranges()), one per 4 KiB
 * page, through page tables built in a host machine's RAM.
 */
#include <string.h>

#include "harness.h"
#include "host_vm.h"
#include "gdb/gdb.h"

#define PML4	0x10000ull
#define PDPT	0x11000ull
#define PD	0x12000ull
#define PT	0x13000ull
#define GVA	0x40000000ull		/* PML4[0] PDPT[1] PD[0] PT[0..] */

static void put(struct vm *vm, u64 gpa, u64 val)
{
	memcpy(vm__gpa(vm, gpa, 8), &val, 8);
}

/*
 * 4-level paging: GVA -> 0x5000, GVA + 4K -> 0x3000 (not adjacent), GVA + 8K not present;
 * GVA + 2M a 2 MiB page at 0x200000.
 */
static struct vm *paged_vm(struct kvm_sregs *s)
{
	struct vm *vm = host_vm_new(4 << 20);

	if (!vm)
		return NULL;
	put(vm, PML4, PDPT | 3);
	put(vm, PDPT + 8, PD | 3);
	put(vm, PD, PT | 3);
	put(vm, PD + 8, 0x200000 | 0x83);
	put(vm, PT, 0x5000 | 3);
	put(vm, PT + 8, 0x3000 | 3);
	memset(s, 0, sizeof(*s));
	s->cr0 = 0x80000011;
	s->cr3 = PML4;
	s->cr4 = 0x20;
	s->efer = 0x500;
	return vm;
}

TEST_HOST(gdb_watch_range_splits_at_a_page_boundary)
{
	struct gdb_gpa_range r[4];
	struct kvm_sregs s;
	struct vm *vm = paged_vm(&s);

	ASSERT_TRUE(vm);
	ASSERT_EQ(gdb_gva_ranges(vm, &s, GVA + 0x10, 8, r, 4), 1);
	EXPECT_EQ(r[0].gpa, 0x5010);
	EXPECT_EQ(r[0].len, 8);
	/* 2 bytes on each side of the boundary, on pages that are not adjacent */
	ASSERT_EQ(gdb_gva_ranges(vm, &s, GVA + 0xffe, 4, r, 4), 2);
	EXPECT_EQ(r[0].gpa, 0x5ffe);
	EXPECT_EQ(r[0].len, 2);
	EXPECT_EQ(r[1].gpa, 0x3000);
	EXPECT_EQ(r[1].len, 2);
	/* inside a 2 MiB page: still one range per 4 KiB page */
	ASSERT_EQ(gdb_gva_ranges(vm, &s, GVA + (2 << 20) + 0x1ff0, 0x20, r, 4), 2);
	EXPECT_EQ(r[0].gpa, 0x201ff0);
	EXPECT_EQ(r[0].len, 0x10);
	EXPECT_EQ(r[1].gpa, 0x202000);
	EXPECT_EQ(r[1].len, 0x10);
	host_vm_free(vm);
}

TEST_HOST(gdb_watch_range_refuses_unmapped_empty_and_too_long_ranges)
{
	struct gdb_gpa_range r[4];
	struct kvm_sregs s;
	struct vm *vm = paged_vm(&s);

	ASSERT_TRUE(vm);
	EXPECT_EQ(gdb_gva_ranges(vm, &s, GVA + 0x1ffc, 8, r, 4), -1);	/* runs into a hole */
	EXPECT_EQ(gdb_gva_ranges(vm, &s, GVA + 0x2000, 4, r, 4), -1);
	EXPECT_EQ(gdb_gva_ranges(vm, &s, GVA, 0, r, 4), -1);
	EXPECT_EQ(gdb_gva_ranges(vm, &s, ~0ull - 1, 4, r, 4), -1);		/* wraps */
	EXPECT_EQ(gdb_gva_ranges(vm, &s, GVA + (2 << 20), 5 * 4096, r, 4), -1);
	EXPECT_EQ(gdb_gva_ranges(vm, &s, GVA + (2 << 20), 4 * 4096, r, 4), 4);
	s.cr0 = 0x11;				/* paging off: identity, still split */
	EXPECT_EQ(gdb_gva_ranges(vm, &s, 0x7ff8, 16, r, 4), 2);
	EXPECT_EQ(r[1].gpa, 0x8000);
	EXPECT_EQ(gdb_gva_ranges(vm, &s, 64 << 20, 4, r, 4), -1);	/* beyond RAM */
	host_vm_free(vm);
}

