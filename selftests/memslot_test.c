// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION: validation (alignment, overlap, slot ids, address spaces,
 * flags, ranges, pointers) and what the guest sees when a slot is deleted or moved.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"
#include "vm.h"

#define SLOT_SIZE	(64 * 1024ul)
#define GPA_A		0x10000000ull	/* 256 MiB: above slot 0 */
#define GPA_B		0x20000000ull

/* A VM with slot 0 (GUEST_MEM_SIZE at GPA 0) and memory for one more slot. */
static struct vm *vm_with_spare(struct test_ctx *t, void **spare)
{
	struct vm *vm = t_vm_new(t);

	*spare = t_guest_ram(t, 2 * SLOT_SIZE);
	return vm;
}

TEST_KVM_IDENTICAL(memslot_unaligned_gpa_size_or_hva_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A + 0x800, SLOT_SIZE, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, SLOT_SIZE - 0x800, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, SLOT_SIZE, (uint8_t *)hva + 0x800), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A + 1, SLOT_SIZE, hva), -EINVAL);
	/* none of them created the slot: deleting it fails */
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, 0, 0, NULL), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, SLOT_SIZE, hva), 0);
}

TEST_KVM_IDENTICAL(memslot_overlapping_another_slot_is_eexist)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);
	const uint64_t end0 = GUEST_MEM_SIZE;

	/* slot 0 covers [0, end0): straddling its end, inside it, around it */
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, end0 - 0x1000, SLOT_SIZE, hva), -EEXIST);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, 0x100000, SLOT_SIZE, hva), -EEXIST);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, 0, 2 * SLOT_SIZE, hva), -EEXIST);
	/* adjacent is fine; then slot 2 may not overlap slot 1 either */
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, end0, SLOT_SIZE, hva), 0);
	EXPECT_EQ(vm_set_region(vm->fd, 2, 0, end0 + SLOT_SIZE - 0x1000, SLOT_SIZE,
				(uint8_t *)hva + SLOT_SIZE), -EEXIST);
	EXPECT_EQ(vm_set_region(vm->fd, 2, 0, end0 + SLOT_SIZE, SLOT_SIZE,
				(uint8_t *)hva + SLOT_SIZE), 0);
}

TEST_KVM_IDENTICAL(memslot_id_at_nr_memslots_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);
	long nr = dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);

	ASSERT_GT(nr, 1);
	EXPECT_EQ(vm_set_region(vm->fd, nr, 0, GPA_A, SLOT_SIZE, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 0xffff, 0, GPA_A, SLOT_SIZE, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, nr - 1, 0, GPA_A, SLOT_SIZE, hva), 0);	/* the last one */
}

/* KVM on x86 has two address spaces (the second for SMM); vmxmon has one (README). */
TEST_VMXMON_ONLY(memslot_in_address_space_1_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	EXPECT_EQ(vm_set_region(vm->fd, 1u << 16 | 1, 0, GPA_A, SLOT_SIZE, hva), -EINVAL);
}

TEST_KVM_IDENTICAL(memslot_in_an_address_space_beyond_smm_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	EXPECT_EQ(vm_set_region(vm->fd, 2u << 16 | 1, 0, GPA_A, SLOT_SIZE, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 0xffffu << 16 | 1, 0, GPA_A, SLOT_SIZE, hva), -EINVAL);
}

TEST_KVM_IDENTICAL(memslot_with_an_unknown_flag_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	EXPECT_EQ(vm_set_region(vm->fd, 1, 1u << 7, GPA_A, SLOT_SIZE, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 1u << 31, GPA_A, SLOT_SIZE, hva), -EINVAL);
}

TEST_KVM_IDENTICAL(memslot_delete_of_a_missing_slot_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	EXPECT_EQ(vm_set_region(vm->fd, 5, 0, GPA_A, 0, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 5, 0, GPA_A, SLOT_SIZE, hva), 0);
	EXPECT_EQ(vm_set_region(vm->fd, 5, 0, GPA_A, 0, hva), 0);
	EXPECT_EQ(vm_set_region(vm->fd, 5, 0, GPA_A, 0, hva), -EINVAL);	/* already gone */
}

/* Only the guest address of an existing slot may change. */
TEST_KVM_IDENTICAL(memslot_changing_size_or_hva_of_a_slot_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	ASSERT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, SLOT_SIZE, hva), 0);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, 2 * SLOT_SIZE, hva), -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, SLOT_SIZE, (uint8_t *)hva + SLOT_SIZE),
		  -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, SLOT_SIZE, hva), 0);	/* no change */
}

TEST_KVM_IDENTICAL(memslot_wrapping_gpa_or_kernel_hva_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, 0xfffffffffffff000ull, 2 * GUEST_PAGE_SIZE, hva),
		  -EINVAL);
	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, GPA_A, SLOT_SIZE,
				(void *)0xffff888000000000ull), -EINVAL);
}

TEST_KVM_IDENTICAL(memslot_bad_pointer_is_efault)
{
	struct vm *vm = t_vm_new(t);
	void *none = mmap(NULL, GUEST_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(none != MAP_FAILED);
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)none), -EFAULT);
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, 0), -EFAULT);
}

static void GUEST_CODE guest_read_once(uint64_t gva)
{
	GUEST_SYNC(*(volatile uint64_t *)gva);
}

/*
 * Guest RAM is faulted in when the guest touches it, as in KVM: a slot over unmapped memory
 * is accepted, and the guest's access to it makes KVM_RUN fail with -EFAULT.
 */
TEST_KVM_IDENTICAL(memslot_over_unmapped_memory_faults_on_access)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_read_once), GPA_A, 0);
	void *hva = t_guest_ram(t, 2 * SLOT_SIZE);

	ASSERT_EQ(munmap(hva, 2 * SLOT_SIZE), 0);
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, GPA_A, SLOT_SIZE, hva), 0);
	vm_map(vcpu->vm, GPA_A, GPA_A);
	EXPECT_EQ(__vcpu_run(vcpu), -EFAULT);
}

/* vmxmon refuses guest addresses the guest cannot reach; KVM accepts them. */
TEST_VMXMON_ONLY(memslot_beyond_the_guest_physical_width_is_einval)
{
	void *hva;
	struct vm *vm = vm_with_spare(t, &hva);

	EXPECT_EQ(vm_set_region(vm->fd, 1, 0, 1ull << 52, SLOT_SIZE, hva), -EINVAL);
}

/* ---- the guest's view of deleted and moved slots ---- */

static void GUEST_CODE guest_read_slots(uint64_t first, uint64_t second)
{
	uint64_t v;

	for (;;) {
		__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(first) : "memory");
		GUEST_SYNC(v);
		__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(second) : "memory");
		GUEST_SYNC(v);
	}
}

/* A guest reading slot 1 at GPA_A and second; both mapped, slot 1 filled with a marker. */
static struct vcpu *slot_reader(struct test_ctx *t, uint64_t second, uint64_t **slot1)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_read_slots), GPA_A, second);

	*slot1 = t_guest_ram(t, SLOT_SIZE);
	**slot1 = 0x5107c0de5107c0deull;
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, GPA_A, SLOT_SIZE, *slot1), 0);
	vm_map(vcpu->vm, GPA_A, GPA_A);
	vm_map(vcpu->vm, second, second);
	return vcpu;
}

/* The guest asked for 8 bytes at gpa that no slot backs: give it data. */
static void expect_mmio_read(struct test_ctx *t, struct vcpu *vcpu, uint64_t gpa, uint64_t data)
{
	vcpu_run_expect(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ(vcpu->run->mmio.phys_addr, gpa);
	EXPECT_EQ(vcpu->run->mmio.len, 8);
	EXPECT_EQ(vcpu->run->mmio.is_write, 0);
	memcpy(vcpu->run->mmio.data, &data, 8);
}

TEST_KVM_IDENTICAL(deleted_memslot_reads_exit_as_mmio)
{
	uint64_t *slot1;
	struct vcpu *vcpu = slot_reader(t, GPA_A, &slot1);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], *slot1);
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, GPA_A, 0, slot1), 0);	/* size 0: delete */
	expect_mmio_read(t, vcpu, GPA_A, 0xfeed);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0xfeed);
}

TEST_KVM_IDENTICAL(moved_memslot_appears_at_its_new_gpa_only)
{
	uint64_t *slot1;
	struct vcpu *vcpu = slot_reader(t, GPA_B, &slot1);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);			/* GPA_A: slot 1 */
	EXPECT_EQ(uc.args[0], *slot1);
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, GPA_B, SLOT_SIZE, slot1), 0);	/* move */
	vcpu_run_sync(vcpu, &uc);			/* GPA_B: slot 1 again */
	EXPECT_EQ(uc.args[0], *slot1);
	expect_mmio_read(t, vcpu, GPA_A, 0xa11ce);	/* GPA_A: nothing any more */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0xa11ce);
}
