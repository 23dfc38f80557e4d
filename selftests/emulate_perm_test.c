// SPDX-License-Identifier: GPL-2.0
/*
 * Memory accesses the hypervisor makes for the guest obey the guest's own protections, as
 * the CPU's would: INS/OUTS (they exit before the CPU checks their memory operand) and the
 * MMIO emulator's string moves and instruction fetch. A user with I/O permission (here
 * RFLAGS.IOPL = 3) must not INS a device's byte into read-only or kernel memory, nor OUTS
 * kernel memory out (the CVE-2010-0298 class); non-canonical addresses are #GP in 64-bit
 * mode; accessed and dirty flags are set in the guest's page tables. Segment checks in
 * protected mode: emulate_seg_test.
 *
 * KVM reads the port of a faulting INS first (its emulator drops the data when the write
 * faults); vmxmon checks first and exits only with elements that can be stored. The tests
 * answer port reads either way; the vmxmon-only count of port reads is asserted separately.
 */
#include <string.h>

#include "util.h"
#include "vm.h"

#define TEST_PORT	0x3ff			/* COM1's scratch register */
#define IN_BYTE		0x5a			/* what userspace answers for it */
#define OLD_BYTE	0xa5			/* what the target pages hold */
#define TEST_GVA	0x10000000000ull	/* 1 TiB: pages of the tests, fresh tables */
#define MMIO_GPA	0xd0000000ull		/* outside every memslot */
#define MMIO_GVA	0x40000000ull
#define GDT_USER_DATA	0x28			/* after the 16-byte TSS descriptor at 0x18 */
#define GDT_USER_CODE	0x30

#define PF_P		1
#define PF_W		2
#define PF_U		4

/* ---- user mode in the 64-bit library guest ---- */

/* The entry of @gva's translation at @level (4: PML4E ... 1: PTE); the tables exist. */
static uint64_t *pte_at(struct vm *vm, uint64_t gva, int level)
{
	uint64_t table = vm->pml4;

	for (int l = 4;; l--) {
		uint64_t *e = (uint64_t *)vm_gpa2hva(vm, table) + ((gva >> (12 + 9 * (l - 1))) & 511);

		if (l == level)
			return e;
		table = *e & PTE_ADDR;
	}
}

static void set_user_bits(struct vm *vm, uint64_t table, int level)
{
	uint64_t *e = vm_gpa2hva(vm, table);

	for (int i = 0; i < 512; i++) {
		if (!(e[i] & PTE_P))
			continue;
		e[i] |= PTE_U;
		if (level > 1)
			set_user_bits(vm, e[i] & PTE_ADDR, level - 1);
	}
}

/*
 * Make CPL 3 possible: DPL-3 code and data segments, a ring-0 stack for exceptions from
 * user mode (TSS.RSP0), and every page mapped so far user-accessible.
 */
static void setup_user_mode(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint64_t *gdt = vm_gpa2hva(vm, vm->gdt);
	uint64_t rsp0 = vm_alloc(vm, GUEST_STACK_SIZE) + GUEST_STACK_SIZE;
	struct kvm_sregs s;

	gdt[GDT_USER_DATA / 8] = 0x00cff3000000ffffull;	/* DPL 3 data */
	gdt[GDT_USER_CODE / 8] = 0x00affb000000ffffull;	/* DPL 3 64-bit code */
	memcpy((uint8_t *)vm_gpa2hva(vm, vm->tss) + 4, &rsp0, 8);
	vcpu_get_sregs(vcpu, &s);
	s.gdt.limit = GDT_USER_CODE + 7;
	vcpu_set_sregs(vcpu, &s);
	set_user_bits(vm, vm->pml4, 4);
}

/* Map @gva to @gpa with exactly @flags in the PTE (the tables above it: P, W, U). */
static void map_with(struct vm *vm, uint64_t gva, uint64_t gpa, uint64_t flags)
{
	vm_map(vm, gva, gpa);
	for (int l = 4; l > 1; l--)
		*pte_at(vm, gva, l) |= PTE_U;
	*pte_at(vm, gva, 1) = gpa | flags;
}

/* A fresh page of guest RAM at @gva, filled with OLD_BYTE: its host address. */
static uint8_t *test_page(struct vm *vm, uint64_t gva, uint64_t flags)
{
	uint64_t gpa = vm_alloc(vm, GUEST_PAGE_SIZE);
	uint8_t *p = vm_gpa2hva(vm, gpa);

	map_with(vm, gva, gpa, flags);
	memset(p, OLD_BYTE, GUEST_PAGE_SIZE);
	return p;
}

/*
 * Guest: continue at CPL 3 with RFLAGS.IOPL = 3 in fn(arg), on this stack 4 KiB lower.
 * fn must never return (it ends with GUEST_DONE()).
 */
static void GUEST_CODE guest_user(uint64_t fn, uint64_t arg)
{
	uint64_t rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	rsp = ((rsp - 4096) & ~15ull) - 8;		/* as a CALL leaves it */
	__asm__ volatile("pushq %[ss]\n\tpushq %[sp]\n\tpushq %[fl]\n\tpushq %[cs]\n\t"
			 "pushq %[ip]\n\tiretq"
			 : : [ss] "i"(GDT_USER_DATA | 3), [sp] "r"(rsp), [fl] "i"(0x3202),
			   [cs] "i"(GDT_USER_CODE | 3), [ip] "r"(fn), "D"(arg) : "memory");
	__builtin_unreachable();
}

static struct vcpu *t_user_guest(struct test_ctx *t, void (*fn)(uint64_t), uint64_t arg)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_user), (uintptr_t)fn, arg);

	setup_user_mode(vcpu);
	return vcpu;
}

/* What reached TEST_PORT. */
struct port_log {
	int reads, writes;
	uint8_t out[16];
	unsigned int nout;
};

/* What userspace answers for an MMIO read of the byte at gpa. */
static uint8_t mmio_byte(uint64_t gpa)
{
	return (uint8_t)(gpa * 7 + 3);
}

static void answer(struct vcpu *vcpu)
{
	for (uint32_t k = 0; k < vcpu->run->mmio.len; k++)
		vcpu->run->mmio.data[k] = mmio_byte(vcpu->run->mmio.phys_addr + k);
}

/* Run to the next ucall (SYNC expected), answering TEST_PORT and MMIO reads. */
static void run_to_sync(struct test_ctx *t, struct vcpu *vcpu, struct port_log *log,
			struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;

	for (int i = 0; i < 64; i++) {
		ASSERT_EQ(__vcpu_run(vcpu), 0);
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == TEST_PORT) {
			unsigned int n = run->io.size * run->io.count;

			if (run->io.direction == KVM_EXIT_IO_IN) {
				memset(vcpu_io_data(vcpu), IN_BYTE, n);
				log->reads++;
			} else {
				for (unsigned int k = 0; k < n && log->nout < sizeof(log->out); k++)
					log->out[log->nout++] = ((uint8_t *)vcpu_io_data(vcpu))[k];
				log->writes++;
			}
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO) {
			if (!run->mmio.is_write)
				answer(vcpu);
			continue;
		}
		vcpu_expect_sync(vcpu, uc);
		return;
	}
	t_fail(t, __FILE__, __LINE__, "no ucall after 64 exits");
	t_abort(t);
}

static uint64_t guest_cr2(struct vcpu *vcpu)
{
	struct kvm_sregs s;

	vcpu_get_sregs(vcpu, &s);
	return s.cr2;
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- INS and OUTS at CPL 3 ---- */

/* GUEST_SYNC(vector, error code, RCX, RDI) after rep insb of 4 bytes to dst. */
static void GUEST_CODE user_rep_insb(uint64_t dst)
{
	uint64_t vec, err, rcx = 4;

	__asm__ volatile(GUEST_ASM_SAFE("rep insb")
			 : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+c"(rcx), "+D"(dst)
			 : "d"(TEST_PORT) : GUEST_ASM_SAFE_CLOBBERS);
	GUEST_SYNC(vec, err, rcx, dst);
	for (;;)
		GUEST_DONE();
}

static void user_ins_faults(struct test_ctx *t, uint64_t pte_flags)
{
	struct vcpu *vcpu = t_user_guest(t, user_rep_insb, TEST_GVA + 8);
	uint8_t *page = test_page(vcpu->vm, TEST_GVA, pte_flags);
	struct port_log log = { 0 };
	struct ucall uc;

	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], X86_TRAP_PF);
	EXPECT_EQ(uc.args[1], PF_P | PF_W | PF_U);
	EXPECT_EQ(uc.args[2], 4);			/* nothing moved */
	EXPECT_EQ(uc.args[3], TEST_GVA + 8);
	EXPECT_EQ(guest_cr2(vcpu), TEST_GVA + 8);
	EXPECT_TRUE(all_bytes(page, GUEST_PAGE_SIZE, OLD_BYTE));
	if (t->flavour == DEV_VMXMON)			/* checked before the port is read */
		EXPECT_EQ(log.reads, 0);
}

TEST_KVM_IDENTICAL(user_ins_into_a_read_only_page_is_a_page_fault)
{
	user_ins_faults(t, PTE_P | PTE_U);
}

TEST_KVM_IDENTICAL(user_ins_into_a_supervisor_page_is_a_page_fault)
{
	user_ins_faults(t, PTE_P | PTE_W);
}

/* A REP INS that runs into a read-only page: the elements before it land, then #PF. */
TEST_KVM_IDENTICAL(user_rep_ins_stops_at_the_first_element_that_faults)
{
	struct vcpu *vcpu = t_user_guest(t, user_rep_insb, TEST_GVA + GUEST_PAGE_SIZE - 2);
	uint8_t *rw = test_page(vcpu->vm, TEST_GVA, PTE_P | PTE_W | PTE_U);
	uint8_t *ro = test_page(vcpu->vm, TEST_GVA + GUEST_PAGE_SIZE, PTE_P | PTE_U);
	struct port_log log = { 0 };
	struct ucall uc;

	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], X86_TRAP_PF);
	EXPECT_EQ(uc.args[1], PF_P | PF_W | PF_U);
	EXPECT_EQ(uc.args[2], 2);
	EXPECT_EQ(uc.args[3], TEST_GVA + GUEST_PAGE_SIZE);
	EXPECT_EQ(guest_cr2(vcpu), TEST_GVA + GUEST_PAGE_SIZE);
	EXPECT_TRUE(all_bytes(rw + GUEST_PAGE_SIZE - 2, 2, IN_BYTE));
	EXPECT_TRUE(all_bytes(rw, GUEST_PAGE_SIZE - 2, OLD_BYTE));
	EXPECT_TRUE(all_bytes(ro, GUEST_PAGE_SIZE, OLD_BYTE));
	if (t->flavour == DEV_VMXMON)
		EXPECT_EQ(log.reads, 1);
}

static void GUEST_CODE user_outsb(uint64_t src)
{
	uint64_t vec, err;

	__asm__ volatile(GUEST_ASM_SAFE("outsb")
			 : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+S"(src)
			 : "d"(TEST_PORT) : GUEST_ASM_SAFE_CLOBBERS);
	GUEST_SYNC(vec, err, src);
	for (;;)
		GUEST_DONE();
}

TEST_KVM_IDENTICAL(user_outs_from_a_supervisor_page_faults_and_sends_nothing)
{
	struct vcpu *vcpu = t_user_guest(t, user_outsb, TEST_GVA + 0x10);
	struct port_log log = { 0 };
	struct ucall uc;

	test_page(vcpu->vm, TEST_GVA, PTE_P | PTE_W);
	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], X86_TRAP_PF);
	EXPECT_EQ(uc.args[1], PF_P | PF_U);
	EXPECT_EQ(uc.args[2], TEST_GVA + 0x10);
	EXPECT_EQ(guest_cr2(vcpu), TEST_GVA + 0x10);
	EXPECT_EQ(log.writes, 0);
}

/* The same OUTS from a user page works: the checks refuse only what the CPU would. */
TEST_KVM_IDENTICAL(user_outs_from_a_user_page_is_sent)
{
	struct vcpu *vcpu = t_user_guest(t, user_outsb, TEST_GVA + 0x10);
	struct port_log log = { 0 };
	struct ucall uc;

	test_page(vcpu->vm, TEST_GVA, PTE_P | PTE_U);
	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], GUEST_NO_EXCEPTION);
	EXPECT_EQ(uc.args[2], TEST_GVA + 0x11);
	EXPECT_EQ(log.writes, 1);
	EXPECT_EQ(log.out[0], OLD_BYTE);
}

/* CPL 0: CR0.WP decides whether a read-only page may be written (1 here: #PF). */
static void GUEST_CODE guest_ins_wp(uint64_t dst, uint64_t wp)
{
	uint64_t vec, err, cr0;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(wp ? cr0 : cr0 & ~(1ull << 16)));
	__asm__ volatile(GUEST_ASM_SAFE("insb") : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+D"(dst)
			 : "d"(TEST_PORT) : GUEST_ASM_SAFE_CLOBBERS);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	GUEST_SYNC(vec, err);
}

static uint64_t kernel_ins(struct test_ctx *t, uint64_t pte, uint64_t wp, uint8_t *byte)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_ins_wp), TEST_GVA, wp);
	uint8_t *page = test_page(vcpu->vm, TEST_GVA, pte);
	struct port_log log = { 0 };
	struct ucall uc;

	run_to_sync(t, vcpu, &log, &uc);
	*byte = page[0];
	return uc.args[0] == X86_TRAP_PF ? 1000 + uc.args[1] : uc.args[0];
}

TEST_KVM_IDENTICAL(kernel_ins_into_a_read_only_page_follows_cr0_wp)
{
	uint8_t b;

	EXPECT_EQ(kernel_ins(t, PTE_P, 1, &b), 1000 + (PF_P | PF_W));
	EXPECT_EQ(b, OLD_BYTE);
	EXPECT_EQ(kernel_ins(t, PTE_P, 0, &b), GUEST_NO_EXCEPTION);
	EXPECT_EQ(b, IN_BYTE);
}

/* Bit 51 is reserved below MAXPHYADDR 52: #PF with RSVD (and P) set, the byte not stored. */
TEST_KVM_IDENTICAL(ins_through_a_pte_with_a_reserved_bit_is_a_rsvd_page_fault)
{
	uint8_t b;

	EXPECT_EQ(kernel_ins(t, PTE_P | PTE_W | 1ull << 51, 1, &b), 1000 + (PF_P | PF_W | 8));
	EXPECT_EQ(b, OLD_BYTE);
}

/*
 * CPL 3, CR0.AM and RFLAGS.AC: a misaligned INSW is #AC(0). The I/O exit comes before that
 * check (SDM Vol. 3C 26.1.1), so the hypervisor makes it; KVM's emulator does not.
 */
static void GUEST_CODE user_insw_ac(uint64_t dst)
{
	uint64_t vec, err;

	__asm__ volatile("pushf\n\torq $0x40000, (%%rsp)\n\tpopf" : : : "memory", "cc");
	__asm__ volatile(GUEST_ASM_SAFE("insw") : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+D"(dst)
			 : "d"(TEST_PORT) : GUEST_ASM_SAFE_CLOBBERS);
	__asm__ volatile("pushf\n\tandq $~0x40000, (%%rsp)\n\tpopf" : : : "memory", "cc");
	GUEST_SYNC(vec, err, dst);
	for (;;)
		GUEST_DONE();
}

TEST_VMXMON_ONLY(user_misaligned_ins_with_alignment_checks_on_is_ac)
{
	struct vcpu *vcpu = t_user_guest(t, user_insw_ac, TEST_GVA + 1);
	uint8_t *page = test_page(vcpu->vm, TEST_GVA, PTE_P | PTE_W | PTE_U);
	struct port_log log = { 0 };
	struct kvm_sregs s;
	struct ucall uc;

	vcpu_get_sregs(vcpu, &s);
	s.cr0 |= 1ull << 18;					/* AM */
	vcpu_set_sregs(vcpu, &s);
	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], 17);
	EXPECT_EQ(uc.args[1], 0);
	EXPECT_EQ(uc.args[2], TEST_GVA + 1);
	EXPECT_EQ(log.reads, 0);
	EXPECT_TRUE(all_bytes(page, GUEST_PAGE_SIZE, OLD_BYTE));
}

/* ---- 64-bit mode: canonical addresses ---- */

#define NON_CANONICAL	0x0000800000000000ull

static void GUEST_CODE guest_outs_non_canonical(void)
{
	uint64_t vec, err, rsi = NON_CANONICAL;

	__asm__ volatile(GUEST_ASM_SAFE("outsb")
			 : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+S"(rsi)
			 : "d"(TEST_PORT) : GUEST_ASM_SAFE_CLOBBERS);
	GUEST_SYNC(vec, err);
}

/*
 * Not covered: `ss outsb` (#SS for a non-canonical stack reference, as KVM's emulator says).
 * In 64-bit mode Bochs drops the SS prefix from the instruction information it reports
 * (and vmxmon takes the segment from there), so the two disagree inside Bochs.
 */
TEST_KVM_IDENTICAL(outs_from_a_non_canonical_address_is_gp)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_outs_non_canonical), 0, 0);
	struct port_log log = { 0 };
	struct ucall uc;

	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], X86_TRAP_GP);
	EXPECT_EQ(uc.args[1], 0);
	EXPECT_EQ(log.writes, 0);
	vcpu_run_done(vcpu);
}

/* ---- accessed and dirty flags ---- */

static void GUEST_CODE guest_ins_outs(uint64_t dst, uint64_t src)
{
	uint64_t c = 2;

	__asm__ volatile("rep insb" : "+D"(dst), "+c"(c) : "d"(TEST_PORT) : "memory");
	c = 2;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(c) : "d"(TEST_PORT) : "memory");
	GUEST_SYNC(0);
}

/* The CPU sets A in every entry it uses and D in the last one for a write (SDM 4.8). */
TEST_KVM_IDENTICAL(ins_and_outs_set_accessed_and_dirty_flags)
{
	uint64_t dst = TEST_GVA, src = TEST_GVA + GUEST_PAGE_SIZE;
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_ins_outs), dst, src);
	struct vm *vm = vcpu->vm;
	struct port_log log = { 0 };
	struct ucall uc;

	test_page(vm, dst, PTE_P | PTE_W);
	test_page(vm, src, PTE_P | PTE_W);
	for (int l = 4; l >= 1; l--)			/* fresh: nothing used them yet */
		ASSERT_EQ(*pte_at(vm, dst, l) & (PTE_A | PTE_D), 0);
	run_to_sync(t, vcpu, &log, &uc);
	for (int l = 4; l >= 1; l--)
		EXPECT_EQ(*pte_at(vm, dst, l) & PTE_A, PTE_A);
	EXPECT_EQ(*pte_at(vm, dst, 1) & PTE_D, PTE_D);
	EXPECT_EQ(*pte_at(vm, src, 1) & (PTE_A | PTE_D), PTE_A);	/* read: not dirty */
	EXPECT_GE(log.reads, 1);
	EXPECT_GE(log.writes, 1);
	vcpu_run_done(vcpu);
}

/* ---- MMIO string moves with a bad destination ---- */

/* GUEST_SYNC(vector, error code, RCX, RDI) after rep movsb of 1 byte from src to dst. */
static void GUEST_CODE guest_movs(uint64_t dst, uint64_t src)
{
	uint64_t vec, err, rcx = 1;

	__asm__ volatile(GUEST_ASM_SAFE("rep movsb")
			 : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+c"(rcx), "+D"(dst), "+S"(src)
			 : : GUEST_ASM_SAFE_CLOBBERS);
	GUEST_SYNC(vec, err, rcx, dst);
}

/* CR0.WP = 1 (the library's guests have it): even CPL 0 may not write a read-only page. */
TEST_KVM_IDENTICAL(mmio_rep_movs_into_a_read_only_page_is_a_page_fault)
{
	uint64_t dst = TEST_GVA + 0x20, src = MMIO_GVA;
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_movs), dst, src);
	uint8_t *page = test_page(vcpu->vm, TEST_GVA, PTE_P);
	struct port_log log = { 0 };
	struct ucall uc;

	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA, 1, false);	/* the source is read first */
	answer(vcpu);
	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], X86_TRAP_PF);
	EXPECT_EQ(uc.args[1], PF_P | PF_W);
	EXPECT_EQ(uc.args[2], 1);
	EXPECT_EQ(uc.args[3], dst);
	EXPECT_EQ(guest_cr2(vcpu), dst);
	EXPECT_TRUE(all_bytes(page, GUEST_PAGE_SIZE, OLD_BYTE));
}

static void GUEST_CODE user_movsb(uint64_t dst)
{
	uint64_t vec, err, src = MMIO_GVA;

	__asm__ volatile(GUEST_ASM_SAFE("movsb")
			 : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+D"(dst), "+S"(src)
			 : : GUEST_ASM_SAFE_CLOBBERS);
	GUEST_SYNC(vec, err, src, dst);
	for (;;)
		GUEST_DONE();
}

TEST_KVM_IDENTICAL(user_mmio_movs_into_a_supervisor_page_is_a_page_fault)
{
	struct vcpu *vcpu = t_user_guest(t, user_movsb, TEST_GVA + 0x30);
	uint8_t *page = test_page(vcpu->vm, TEST_GVA, PTE_P | PTE_W);
	struct port_log log = { 0 };
	struct ucall uc;

	map_with(vcpu->vm, MMIO_GVA, MMIO_GPA, PTE_P | PTE_W | PTE_U);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA, 1, false);
	answer(vcpu);
	run_to_sync(t, vcpu, &log, &uc);
	EXPECT_EQ(uc.args[0], X86_TRAP_PF);
	EXPECT_EQ(uc.args[1], PF_P | PF_W | PF_U);
	EXPECT_EQ(uc.args[2], MMIO_GVA);		/* the element did not happen */
	EXPECT_EQ(uc.args[3], TEST_GVA + 0x30);
	EXPECT_EQ(guest_cr2(vcpu), TEST_GVA + 0x30);
	EXPECT_TRUE(all_bytes(page, GUEST_PAGE_SIZE, OLD_BYTE));
}

/* The decoder fetches at CPL 3 from a user page, as the CPU did: the access is emulated. */
static void GUEST_CODE user_mmio_read(uint64_t unused)
{
	(void)unused;
	GUEST_SYNC(*(volatile uint32_t *)(MMIO_GVA + 0x40));
	for (;;)
		GUEST_DONE();
}

TEST_KVM_IDENTICAL(user_mmio_read_is_emulated)
{
	struct vcpu *vcpu = t_user_guest(t, user_mmio_read, 0);
	struct ucall uc;

	map_with(vcpu->vm, MMIO_GVA, MMIO_GPA, PTE_P | PTE_W | PTE_U);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x40, 4, false);
	answer(vcpu);
	vcpu_run_sync(vcpu, &uc);
	for (int k = 0; k < 4; k++)
		EXPECT_EQ((uc.args[0] >> (8 * k)) & 0xff, mmio_byte(MMIO_GPA + 0x40 + k));
}
