// SPDX-License-Identifier: GPL-2.0
/*
 * INS and OUTS in 32-bit protected mode obey segmentation as the CPU would: their I/O exit
 * comes before the checks of the memory operand's segment (SDM Vol. 3C 26.1.1), so the
 * hypervisor makes them: a limit (#GP, or #SS for SS), a read-only segment for INS, a null
 * selector (#GP(0)). Nothing is stored; vmxmon does not even read the port (KVM's emulator
 * reads it first and drops the data, so that count is asserted on vmxmon only).
 */
#include <string.h>

#include "pm32.h"
#include "util.h"
#include "vm.h"

#define TEST_PORT	0x3ff			/* COM1's scratch register */
#define IN_BYTE		0x5a
#define OLD_BYTE	0xa5

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

#define SEG_SMALL	PM32_SEL_FREE		/* test-defined segments */
#define SEG_SMALL2	(PM32_SEL_FREE + 8)
#define DONE_PORT	0xe6

/* ES = SEG_SMALL (limit 0xff): INS at offset 0x100. */
PM32_BLOB(pm_ins_limit,
	"mov $0x20, %ax\n mov %ax, %es\n mov $0x100, %edi\n mov $0x3ff, %dx\n insb\n"
	"out %eax, $0xe6\n hlt");
/* SS = SEG_SMALL2 (limit 0xffff, holds the stack): OUTS from SS:0x10000. */
PM32_BLOB(pm_outs_ss_limit,
	"mov $0x28, %ax\n mov %ax, %ss\n mov $0x10000, %esi\n mov $0x3ff, %dx\n ss outsb\n"
	"out %eax, $0xe6\n hlt");
/* ES = SEG_SMALL (read-only): INS within the limit. */
PM32_BLOB(pm_ins_ro,
	"mov $0x20, %ax\n mov %ax, %es\n mov $0x10, %edi\n mov $0x3ff, %dx\n insb\n"
	"out %eax, $0xe6\n hlt");
/* DS = 0 (unusable): OUTS. */
PM32_BLOB(pm_outs_null_ds,
	"xor %eax, %eax\n mov %ax, %ds\n mov $0x10, %esi\n mov $0x3ff, %dx\n outsb\n"
	"out %eax, $0xe6\n hlt");

/*
 * Run a blob (segments set up by the caller after pm32_enter()): it must fault at its
 * string instruction with @vector and error code 0, having sent and stored nothing.
 */
static void pm32_expect_fault(struct test_ctx *t, const uint8_t *code, const uint8_t *end,
			      int insn_len, uint8_t small_type, uint32_t vector)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_run *run = vcpu->run;
	uint8_t *mem = vcpu->vm->mem;
	uint32_t vec, err, eip;
	int reads = 0;

	ASSERT_EQ(pm32_enter(vcpu, code, end - code), 0);
	pm32_set_desc(mem, SEG_SMALL, 0x8000, 0xff, small_type);
	pm32_set_desc(mem, SEG_SMALL2, 0, 0xffff, PM32_DATA_RW);
	memset(mem + 0x8000, OLD_BYTE, 0x200);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(__vcpu_run(vcpu), 0);
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == TEST_PORT &&
		    run->io.direction == KVM_EXIT_IO_IN) {
			memset(vcpu_io_data(vcpu), IN_BYTE, run->io.size * run->io.count);
			reads++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == DONE_PORT) {
			t_fail(t, __FILE__, __LINE__, "the string instruction did not fault");
			t_abort(t);
		}
		ASSERT_TRUE(pm32_exception(vcpu, &vec, &err, &eip));
		EXPECT_EQ(vec, vector);
		EXPECT_EQ(err, 0);
		/* the string instruction, before OUT to DONE_PORT (2 bytes) and HLT */
		EXPECT_EQ(eip, PM32_CODE_GPA + (end - code) - 3 - insn_len);
		EXPECT_TRUE(all_bytes(mem + 0x8000, 0x200, OLD_BYTE));
		if (t->flavour == DEV_VMXMON)
			EXPECT_EQ(reads, 0);
		return;
	}
	t_fail(t, __FILE__, __LINE__, "no exception report after 8 exits");
}

TEST_KVM_IDENTICAL(ins_beyond_the_es_limit_is_gp_in_protected_mode)
{
	pm32_expect_fault(t, pm_ins_limit, pm_ins_limit_end, 1, PM32_DATA_RW, X86_TRAP_GP);
}

TEST_KVM_IDENTICAL(outs_beyond_the_ss_limit_is_ss_in_protected_mode)
{
	pm32_expect_fault(t, pm_outs_ss_limit, pm_outs_ss_limit_end, 2, PM32_DATA_RW, X86_TRAP_SS);
}

TEST_KVM_IDENTICAL(ins_into_a_read_only_segment_is_gp_in_protected_mode)
{
	pm32_expect_fault(t, pm_ins_ro, pm_ins_ro_end, 1, PM32_DATA_RO, X86_TRAP_GP);
}

TEST_KVM_IDENTICAL(outs_through_a_null_ds_is_gp_in_protected_mode)
{
	pm32_expect_fault(t, pm_outs_null_ds, pm_outs_null_ds_end, 1, PM32_DATA_RW, X86_TRAP_GP);
}
