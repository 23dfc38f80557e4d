// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit guests with PAE paging. With EPT, VM entry takes the four PDPTE registers from the
 * VMCS (SDM Vol. 3C 27.3.2.4), not from memory: the hypervisor loads them whenever it
 * changes the paging mode itself (an emulated MOV to CR0/CR4, KVM_SET_SREGS), checks them
 * (#GP(0) for a reserved bit, SDM Vol. 3A 4.4.1), and walks the guest's tables through
 * them when it emulates an access.
 *
 * Guest physical memory (lib/pm32.h below 0x9000):
 *   0x9000  PDPT: [0] -> PD_LOW, [1] -> PD_HIGH, [2] -> PD_MMIO
 *   0xa000  PD_LOW: 2 MiB pages, identity for 0-4 MiB
 *   0xb000  PD_HIGH: a 2 MiB page at GPA 0, so VA 0x40000000 + x runs the code at GPA x
 *   0xc000  PD_MMIO: a 2 MiB page at MMIO_GPA (outside every memslot) at VA 0x80000000
 *   0xd000  PD_ALT: a 2 MiB page at GPA 0x200000 (a second copy of the code)
 */
#include <string.h>

#include "pm32.h"
#include "util.h"
#include "vm.h"
#include "x86.h"

#define PDPT_GPA	0x9000ul
#define PD_LOW		0xa000ul
#define PD_HIGH		0xb000ul
#define PD_MMIO		0xc000ul
#define PD_ALT		0xd000ul
#define ALT_GPA		0x200000ul
#define HIGH_VA		0x40000000ul
#define MMIO_VA		0x80000000ul
#define MMIO_GPA	0xd0000000ull
#define DONE_PORT	0xe6
#define MARK_LOW	0x1234		/* what the code at GPA x reports */
#define MARK_ALT	0x5678		/* ... and its copy at ALT_GPA + x */

/*
 * PAE on, CR3, then MOV to CR0 sets PG (it exits); then jump to the code's image at
 * HIGH_VA and report MARK on DONE_PORT from there.
 */
#define ENABLE_PAE_PAGING(mov_cr0_label)						\
	"mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"			\
	"mov $0x9000, %eax\n mov %eax, %cr3\n"					\
	"mov %cr0, %eax\n or $0x80000000, %eax\n"				\
	mov_cr0_label ": mov %eax, %cr0\n"

#define REPORT_FROM_HIGH_VA(label)						\
	"mov $(0x40000000 + 0x2000 + (" label " - pae_code_base)), %eax\n jmp *%eax\n"

/* One blob, several entry points (offsets from pae_code_base, loaded at PM32_CODE_GPA). */
PM32_BLOB(pae_code_base,
	/* 0: enable paging, run from HIGH_VA */
	ENABLE_PAE_PAGING("mov_cr0")
	REPORT_FROM_HIGH_VA("report")
	/* report: what this copy of the code is (patched per copy), then stop */
	"report: .byte 0xb8\n mark: .long 0\n out %eax, $0xe6\n hlt\n"
	/* entry_mmio: enable paging, drop PDPT[0] from memory, write to MMIO_VA, report */
	"entry_mmio:\n"
	ENABLE_PAE_PAGING("1")
	"movl $0, 0x9000\n movl $0, 0x9004\n"
	"mov $0xcafe, %eax\n mmio_store: mov %eax, 0x80000000\n"
	"jmp report\n"
	/* entry_cr4: enable paging, point PDPT[1] at PD_ALT, MOV to CR4 sets SMEP (exits) */
	"entry_cr4:\n"
	ENABLE_PAE_PAGING("2")
	"movl $0xd001, 0x9008\n"
	"mov %cr4, %eax\n or $0x100000, %eax\n mov %eax, %cr4\n"
	REPORT_FROM_HIGH_VA("report"));
extern const uint8_t report[], mark[], entry_mmio[], entry_cr4[], mov_cr0[], mmio_store[];

#define OFF(sym)	((uint64_t)((sym) - pae_code_base))

/* The tables, and the code at GPA PM32_CODE_GPA (MARK_LOW) and its copy (MARK_ALT). */
static void build_pae(uint8_t *mem, uint64_t pdpte_extra)
{
	uint64_t *pdpt = (uint64_t *)(mem + PDPT_GPA);
	uint32_t m = MARK_ALT;

	memset(mem + PDPT_GPA, 0, 0x5000);
	pdpt[0] = PD_LOW | PTE_P | pdpte_extra;
	pdpt[1] = PD_HIGH | PTE_P;
	pdpt[2] = PD_MMIO | PTE_P;
	((uint64_t *)(mem + PD_LOW))[0] = 0 | PTE_P | PTE_W | PTE_PS;
	((uint64_t *)(mem + PD_LOW))[1] = 0x200000 | PTE_P | PTE_W | PTE_PS;
	((uint64_t *)(mem + PD_HIGH))[0] = 0 | PTE_P | PTE_W | PTE_PS;
	((uint64_t *)(mem + PD_MMIO))[0] = MMIO_GPA | PTE_P | PTE_W | PTE_PS;
	((uint64_t *)(mem + PD_ALT))[0] = ALT_GPA | PTE_P | PTE_W | PTE_PS;
	memcpy(mem + ALT_GPA + PM32_CODE_GPA, pae_code_base, pae_code_base_end - pae_code_base);
	memcpy(mem + ALT_GPA + PM32_CODE_GPA + OFF(mark), &m, 4);
}

static struct vcpu *t_pae_guest(struct test_ctx *t, uint64_t entry, uint64_t pdpte_extra)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	uint8_t *mem = vcpu->vm->mem;
	uint32_t m = MARK_LOW;
	struct kvm_regs regs;

	ASSERT_EQ(pm32_enter(vcpu, pae_code_base, pae_code_base_end - pae_code_base), 0);
	memcpy(mem + PM32_CODE_GPA + OFF(mark), &m, 4);
	build_pae(mem, pdpte_extra);
	vcpu_get_regs(vcpu, &regs);
	regs.rip = PM32_CODE_GPA + entry;
	vcpu_set_regs(vcpu, &regs);
	return vcpu;
}

/* Expect the report from the code at HIGH_VA: MARK_LOW or MARK_ALT, RIP in the high image. */
static void expect_report(struct test_ctx *t, struct vcpu *vcpu, uint32_t mark_expected)
{
	struct kvm_run *run = vcpu->run;
	uint32_t vec, err, eip, data;
	struct kvm_regs regs;

	ASSERT_EQ(__vcpu_run(vcpu), 0);
	if (pm32_exception(vcpu, &vec, &err, &eip)) {
		t_fail(t, __FILE__, __LINE__, "exception %u (error %#x) at EIP %#x", vec, err, eip);
		t_abort(t);
	}
	vcpu_expect_exit(vcpu, KVM_EXIT_IO);
	EXPECT_EQ(run->io.port, DONE_PORT);
	memcpy(&data, vcpu_io_data(vcpu), 4);
	EXPECT_EQ(data, mark_expected);
	vcpu_get_regs(vcpu, &regs);
	EXPECT_GE(regs.rip, HIGH_VA);
}

TEST_KVM_IDENTICAL(pae_guest_turns_on_paging_with_mov_cr0_and_runs)
{
	struct vcpu *vcpu = t_pae_guest(t, 0, 0);
	struct kvm_sregs s;

	expect_report(t, vcpu, MARK_LOW);
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.cr0 & X86_CR0_PG, X86_CR0_PG);
	EXPECT_EQ(s.cr4 & X86_CR4_PAE, X86_CR4_PAE);
	EXPECT_EQ(s.efer, 0);
}

TEST_KVM_IDENTICAL(kvm_set_sregs_into_pae_paging_runs)
{
	struct vcpu *vcpu = t_pae_guest(t, 0, 0);
	struct kvm_sregs s;
	struct kvm_regs regs;

	vcpu_get_sregs(vcpu, &s);
	s.cr0 |= X86_CR0_PG;
	s.cr4 |= X86_CR4_PAE;
	s.cr3 = PDPT_GPA;
	vcpu_set_sregs(vcpu, &s);
	vcpu_get_regs(vcpu, &regs);
	regs.rip = HIGH_VA + PM32_CODE_GPA + OFF(report);
	vcpu_set_regs(vcpu, &regs);
	expect_report(t, vcpu, MARK_LOW);
}

/* A present PDPTE with a reserved bit (bit 5): the MOV to CR0 is #GP(0), paging stays off. */
TEST_KVM_IDENTICAL(pae_pdpte_with_a_reserved_bit_makes_mov_cr0_gp)
{
	struct vcpu *vcpu = t_pae_guest(t, 0, 1ull << 5);
	uint32_t vec, err, eip;
	struct kvm_sregs s;

	ASSERT_EQ(__vcpu_run(vcpu), 0);
	ASSERT_TRUE(pm32_exception(vcpu, &vec, &err, &eip));
	EXPECT_EQ(vec, X86_TRAP_GP);
	EXPECT_EQ(err, 0);
	EXPECT_EQ(eip, PM32_CODE_GPA + OFF(mov_cr0));
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.cr0 & X86_CR0_PG, 0);
}

/*
 * The guest drops PDPT[0] from memory after paging is on: the CPU goes on with its PDPTE
 * register, and so must the MMIO emulator when it fetches the instruction at EIP.
 */
TEST_KVM_IDENTICAL(pae_mmio_is_decoded_through_the_pdpte_registers)
{
	struct vcpu *vcpu = t_pae_guest(t, OFF(entry_mmio), 0);
	uint32_t data = 0;

	vcpu_run_expect(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ(vcpu->run->mmio.phys_addr, MMIO_GPA);
	EXPECT_EQ(vcpu->run->mmio.len, 4);
	EXPECT_EQ(vcpu->run->mmio.is_write, 1);
	memcpy(&data, vcpu->run->mmio.data, 4);
	EXPECT_EQ(data, 0xcafe);
	EXPECT_EQ(vcpu_rip(vcpu), PM32_CODE_GPA + OFF(mmio_store) + 5);
	vcpu_run_expect(vcpu, KVM_EXIT_IO);
	memcpy(&data, vcpu_io_data(vcpu), 4);
	EXPECT_EQ(data, MARK_LOW);
}

/*
 * In PAE paging, a MOV to CR4 that changes SMEP (it exits) loads the PDPTEs again: a PDPT[1]
 * rewritten before it takes effect.
 */
TEST_KVM_IDENTICAL(pae_mov_cr4_that_exits_reloads_the_pdptes)
{
	struct vcpu *vcpu = t_pae_guest(t, OFF(entry_cr4), 0);
	struct kvm_cpuid_entry2 *e = cpuid_entry(t_cpuid_copy(vcpu->vm, 0), 7, 0);

	if (!e || !(e->ebx & CPUID_7_EBX_SMEP))
		t_skip(t, "no SMEP in the supported CPUID");
	expect_report(t, vcpu, MARK_ALT);
}
