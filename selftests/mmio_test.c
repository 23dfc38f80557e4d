// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO decode: KVM_EXIT_MMIO for every MOV form a driver uses (MOV r/m<->r of each width and
 * register class, MOV imm, MOV moffs, MOVZX, MOVSX) with the exact address, length,
 * direction and data, and the loaded value landing in the right register with the right
 * extension; in long mode through a non-identity mapping and in real mode; an instruction
 * that crosses a page boundary; writes to a read-only memslot; accesses the decoder does not
 * handle (KVM_EXIT_INTERNAL_ERROR with the instruction bytes). String and SSE moves are in
 * mmio_string_test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vm.h"
#include "x86.h"

#define MMIO_GPA	0xd0000000ull	/* outside every memslot */
#define MMIO_GVA	0x40000000ull	/* mapped to MMIO_GPA: not identity, near the code */
#define PRE		0x1122334455667788ull	/* register contents before a load */

/* ---- long mode: every MOV form ---- */

struct mmio_op {
	uint8_t is_write, len;
	uint16_t off;			/* from MMIO_GPA */
	uint64_t data;			/* write: the exit carries it; read: the answer */
	uint64_t expect;		/* read: the register afterwards */
};

#define RSP_DATA 1			/* write of %rsp: the guest reports its RSP next */

static const struct mmio_op lm_ops[] = {
	{ 1, 1, 0x00, 0x11, 0 },			/* mov %al, m8 (88) */
	{ 1, 1, 0x01, 0x22, 0 },			/* mov %ah, m8: the high byte */
	{ 1, 1, 0x02, 0x33, 0 },			/* mov %sil, m8 (REX: not %dh) */
	{ 1, 2, 0x04, 0x4455, 0 },			/* mov %r8w, m16 (66 + REX.R) */
	{ 1, 4, 0x08, 0x66778899, 0 },			/* mov %r13d, m32 */
	{ 1, 8, 0x10, 0x0123456789abcdefull, 0 },	/* mov %r14, m64 */
	{ 1, 1, 0x18, 0x5a, 0 },			/* movb $imm8 (c6) */
	{ 1, 2, 0x1a, 0xbeef, 0 },			/* movw $imm16 (66 c7) */
	{ 1, 4, 0x1c, 0xdeadbeef, 0 },			/* movl $imm32 (c7) */
	{ 1, 8, 0x20, 0xfffffffffffffffeull, 0 },	/* movq $imm32: sign-extended */
	{ 1, 1, 0x28, 0xa1, 0 },			/* mov %al, moffs64 (a2) */
	{ 1, 2, 0x2a, 0xa2a3, 0 },			/* mov %ax, moffs64 (66 a3) */
	{ 1, 4, 0x2c, 0xa4a5a6a7, 0 },			/* mov %eax, moffs64 (a3) */
	{ 1, 8, 0x30, 0xa8a9aaabacadaeafull, 0 },	/* mov %rax, moffs64 (48 a3) */
	{ 1, 8, 0x38, RSP_DATA, 0 },			/* mov %rsp, m64 */
	{ 1, 4, 0x1040, 0x0badcafe, 0 },		/* mov %eax, disp32(%rip) */
	{ 1, 8, 0x48, 0xfedcba9876543210ull, 0 },	/* mov %rdx, 8(%rbx,%rcx,8) (SIB) */
	{ 0, 1, 0x80, 0xc1, 0x11223344556677c1ull },	/* mov m8, %al */
	{ 0, 1, 0x81, 0xc2, 0x112233445566c288ull },	/* mov m8, %ah */
	{ 0, 1, 0x82, 0xc3, 0x11223344556677c3ull },	/* mov m8, %dil (REX: not %bh) */
	{ 0, 2, 0x84, 0xc4c5, 0x112233445566c4c5ull },	/* mov m16, %r10w */
	{ 0, 4, 0x88, 0xc6c7c8c9, 0xc6c7c8c9ull },	/* mov m32, %r11d: zero-extended */
	{ 0, 8, 0x90, 0x8899aabbccddeeffull, 0x8899aabbccddeeffull },	/* mov m64, %r12 */
	{ 0, 1, 0x98, 0x80, 0x80 },			/* movzbl m8, %eax */
	{ 0, 1, 0x99, 0xfe, 0x11223344556600feull },	/* movzbw m8, %ax: bits 16+ kept */
	{ 0, 2, 0x9a, 0x8001, 0x8001 },			/* movzwq m16, %rax */
	{ 0, 1, 0x9c, 0x80, 0xffffffffffffff80ull },	/* movsbq m8, %rax */
	{ 0, 2, 0x9e, 0x8000, 0xffff8000ull },		/* movswl m16, %eax: bits 32+ zero */
	{ 0, 1, 0xa0, 0xff, 0x112233445566ffffull },	/* movsbw m8, %ax */
	{ 0, 2, 0xa2, 0x7fff, 0x7fff },			/* movswq m16, %rcx */
	{ 0, 1, 0xa4, 0xd1, 0x11223344556677d1ull },	/* mov moffs64, %al (a0) */
	{ 0, 2, 0xa6, 0xd2d3, 0x112233445566d2d3ull },	/* mov moffs64, %ax */
	{ 0, 4, 0xa8, 0xd4d5d6d7, 0xd4d5d6d7ull },	/* mov moffs64, %eax */
	{ 0, 8, 0xb0, 0x0102030405060708ull, 0x0102030405060708ull },	/* mov moffs64, %rax */
	{ 0, 4, 0x10b8, 0x600df00d, 0x600df00dull },	/* mov disp32(%rip), %esi */
};

/* A page of the test binary the host maps to MMIO_GPA + 0x1000: RIP-relative operands. */
static uint8_t rip_window[4096] __attribute__((aligned(4096)));

#define W(insn, ...) __asm__ volatile(insn : : __VA_ARGS__ : "memory")
#define R(insn, ...) __asm__ volatile(insn : __VA_ARGS__ : "memory")
#define CHECK(off, v) GUEST_ASSERT_EQ(v, lm_expect(off))

/* The register value the read at off must leave (the guest's copy of lm_ops). */
static uint64_t GUEST_CODE lm_expect(uint16_t off)
{
	for (uint64_t i = 0; i < sizeof(lm_ops) / sizeof(lm_ops[0]); i++)
		if (lm_ops[i].off == off && !lm_ops[i].is_write)
			return lm_ops[i].expect;
	return 0xbad;
}

static void GUEST_CODE guest_mmio_writes(uint8_t *m)
{
	register uint64_t r8 __asm__("r8") = 0x4455, r13 __asm__("r13") = 0x66778899;
	register uint64_t r14 __asm__("r14") = 0x0123456789abcdefull;
	uint64_t sp;

	W("movb %%al, (%0)", "b"(m + 0x00), "a"(0x11ull));
	W("movb %%ah, (%0)", "b"(m + 0x01), "a"(0x2200ull));
	W("movb %%sil, (%0)", "b"(m + 0x02), "S"(0x33ull));
	W("movw %%r8w, (%0)", "b"(m + 0x04), "r"(r8));
	W("movl %%r13d, (%0)", "b"(m + 0x08), "r"(r13));
	W("movq %%r14, (%0)", "b"(m + 0x10), "r"(r14));
	W("movb $0x5a, (%0)", "b"(m + 0x18));
	W("movw $0xbeef, (%0)", "b"(m + 0x1a));
	W("movl $0xdeadbeef, (%0)", "b"(m + 0x1c));
	W("movq $-2, (%0)", "b"(m + 0x20));
	W("movabs %%al, 0x40000028", "a"(0xa1ull));
	W("movabs %%ax, 0x4000002a", "a"(0xa2a3ull));
	W("movabs %%eax, 0x4000002c", "a"(0xa4a5a6a7ull));
	W("movabs %%rax, 0x40000030", "a"(0xa8a9aaabacadaeafull));
	__asm__ volatile("mov %%rsp, %0\n\tmovq %%rsp, (%1)"
			 : "=&r"(sp) : "b"(m + 0x38) : "memory");
	GUEST_SYNC(sp);
	W("movl %%eax, %c1+0x40(%%rip)", "a"(0x0badcafeull), "i"(rip_window));
	W("movq %%rdx, 8(%0,%1,8)", "b"(m + 0x10), "c"(6ull), "d"(0xfedcba9876543210ull));
}

static void GUEST_CODE guest_mmio_reads(uint8_t *m)
{
	register uint64_t r10 __asm__("r10") = PRE, r11 __asm__("r11") = PRE;
	register uint64_t r12 __asm__("r12") = PRE;
	uint64_t v;

	v = PRE; R("movb (%1), %%al", "+a"(v) : "b"(m + 0x80)); CHECK(0x80, v);
	v = PRE; R("movb (%1), %%ah", "+a"(v) : "b"(m + 0x81)); CHECK(0x81, v);
	v = PRE; R("movb (%1), %%dil", "+D"(v) : "b"(m + 0x82)); CHECK(0x82, v);
	R("movw (%1), %%r10w", "+r"(r10) : "b"(m + 0x84)); CHECK(0x84, r10);
	R("movl (%1), %%r11d", "+r"(r11) : "b"(m + 0x88)); CHECK(0x88, r11);
	R("movq (%1), %%r12", "+r"(r12) : "b"(m + 0x90)); CHECK(0x90, r12);
	v = PRE; R("movzbl (%1), %%eax", "+a"(v) : "b"(m + 0x98)); CHECK(0x98, v);
	v = PRE; R("movzbw (%1), %%ax", "+a"(v) : "b"(m + 0x99)); CHECK(0x99, v);
	v = PRE; R("movzwq (%1), %%rax", "+a"(v) : "b"(m + 0x9a)); CHECK(0x9a, v);
	v = PRE; R("movsbq (%1), %%rax", "+a"(v) : "b"(m + 0x9c)); CHECK(0x9c, v);
	v = PRE; R("movswl (%1), %%eax", "+a"(v) : "b"(m + 0x9e)); CHECK(0x9e, v);
	v = PRE; R("movsbw (%1), %%ax", "+a"(v) : "b"(m + 0xa0)); CHECK(0xa0, v);
	v = PRE; R("movswq (%1), %%rcx", "+c"(v) : "b"(m + 0xa2)); CHECK(0xa2, v);
	v = PRE; R("movabs 0x400000a4, %%al", "+a"(v) :); CHECK(0xa4, v);
	v = PRE; R("movabs 0x400000a6, %%ax", "+a"(v) :); CHECK(0xa6, v);
	v = PRE; R("movabs 0x400000a8, %%eax", "+a"(v) :); CHECK(0xa8, v);
	v = PRE; R("movabs 0x400000b0, %%rax", "+a"(v) :); CHECK(0xb0, v);
	v = PRE; R("movl %c1+0xb8(%%rip), %%esi", "+S"(v) : "i"(rip_window)); CHECK(0x10b8, v);
}

static void GUEST_CODE guest_mmio_forms(void)
{
	guest_mmio_writes((uint8_t *)MMIO_GVA);
	guest_mmio_reads((uint8_t *)MMIO_GVA);
}

static uint64_t mmio_data(struct vcpu *vcpu)
{
	uint64_t data = 0;

	memcpy(&data, vcpu->run->mmio.data, vcpu->run->mmio.len < 8 ? vcpu->run->mmio.len : 8);
	return data;
}

/* Follow a table of MMIO exits: check writes, answer reads. */
static void run_mmio_ops(struct test_ctx *t, struct vcpu *vcpu, uint64_t base,
			 const struct mmio_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct mmio_op *op = &ops[i];

		vcpu_run_expect_mmio(vcpu, base + op->off, op->len, op->is_write);
		if (!op->is_write) {
			memcpy(vcpu->run->mmio.data, &op->data, op->len);
		} else if (op->data == RSP_DATA && op->len == 8) {
			uint64_t written = mmio_data(vcpu);
			struct ucall uc;

			vcpu_run_sync(vcpu, &uc);
			EXPECT_EQ(written, uc.args[0]);
		} else {
			EXPECT_EQ(mmio_data(vcpu), op->data);
		}
		if (t_failed(t)) {
			t_log(t, "at MMIO operation %zu (offset %#x)", i, op->off);
			t_abort(t);
		}
	}
}

TEST_KVM_IDENTICAL(mmio_long_mode_every_mov_form_through_a_non_identity_mapping)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_mmio_forms), 0, 0);

	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	vm_map(vcpu->vm, (uintptr_t)rip_window, MMIO_GPA + 0x1000);
	run_mmio_ops(t, vcpu, MMIO_GPA, lm_ops, ARRAY_SIZE(lm_ops));
	vcpu_run_done(vcpu);		/* the guest checked each loaded register */
}

/* ---- real mode ---- */

#define RM_MMIO_GPA	0xd0000ull	/* above the real-mode VM's 512 KiB of RAM */

__asm__(".pushsection .rodata\n"
	".code16\n"
	"rm_mmio:\n"
	"	mov $0xd000, %ax\n"
	"	mov %ax, %ds\n"
	"	movb $0x5a, 0x10\n"			/* c6 /0 imm8 */
	"	mov $0xbeef, %ax\n"
	"	mov %ax, 0x12\n"			/* a3 moffs16 */
	"	mov $0x12345678, %ebx\n"
	"	mov %ebx, 0x14\n"			/* 66 89 /r */
	"	mov $0x9a, %ch\n"
	"	mov %ch, 0x18\n"			/* 88 /r, high byte */
	"	mov $0x20, %esi\n"
	"	mov $0xcafef00d, %edx\n"
	"	addr32 mov %edx, (%esi)\n"		/* 67 66 89 /r */
	"	mov $0x20, %bx\n"
	"	movw $0x4321, 6(%bx)\n"			/* c7 /0 imm16, disp8 */
	"	movl $0x89abcdef, 0x28\n"		/* 66 c7 /0 imm32 */
	"	mov 0x30, %al\n"			/* a0 */
	"	mov 0x32, %dx\n"			/* 8b /r */
	"	mov 0x34, %ebp\n"			/* 66 8b /r */
	"	movzbl 0x38, %ecx\n"			/* 66 0f b6 */
	"	movsbw 0x39, %si\n"			/* 0f be */
	"	movswl 0x3a, %edi\n"			/* 66 0f bf */
	"	mov 0x3c, %bh\n"			/* 8a /r, high byte */
	"	hlt\n"
	"rm_mmio_end:\n"
	".code64\n"
	".popsection\n");
extern const uint8_t rm_mmio[], rm_mmio_end[];

/* No 8-byte MOV exists outside 64-bit mode. */
static const struct mmio_op rm_ops[] = {
	{ 1, 1, 0x10, 0x5a, 0 },
	{ 1, 2, 0x12, 0xbeef, 0 },
	{ 1, 4, 0x14, 0x12345678, 0 },
	{ 1, 1, 0x18, 0x9a, 0 },
	{ 1, 4, 0x20, 0xcafef00d, 0 },
	{ 1, 2, 0x26, 0x4321, 0 },
	{ 1, 4, 0x28, 0x89abcdef, 0 },
	{ 0, 1, 0x30, 0xa5, 0 },
	{ 0, 2, 0x32, 0x1234, 0 },
	{ 0, 4, 0x34, 0x87654321, 0 },
	{ 0, 1, 0x38, 0xf0, 0 },
	{ 0, 1, 0x39, 0x80, 0 },
	{ 0, 2, 0x3a, 0x8001, 0 },
	{ 0, 1, 0x3c, 0x77, 0 },
};

TEST_KVM_IDENTICAL(mmio_real_mode_mov_forms_with_16_and_32_bit_operands_and_addresses)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new_mem(t, 0x80000), 0);
	struct kvm_regs regs;

	vm_load(vcpu->vm, REAL_MODE_CODE_GPA, rm_mmio, rm_mmio_end - rm_mmio);
	vcpu_enter_real_mode(vcpu, REAL_MODE_CODE_GPA);
	run_mmio_ops(t, vcpu, RM_MMIO_GPA, rm_ops, ARRAY_SIZE(rm_ops));
	vcpu_run_expect(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &regs);
	EXPECT_EQ((uint32_t)regs.rax, 0xbea5);		/* AL loaded, AH kept */
	EXPECT_EQ((uint32_t)regs.rdx, 0xcafe1234);	/* DX loaded, upper half kept */
	EXPECT_EQ((uint32_t)regs.rbp, 0x87654321);
	EXPECT_EQ((uint32_t)regs.rcx, 0xf0);		/* movzbl: CH's 0x9a gone */
	EXPECT_EQ((uint32_t)regs.rsi, 0xff80);		/* movsbw: 16-bit destination */
	EXPECT_EQ((uint32_t)regs.rdi, 0xffff8001);	/* movswl */
	EXPECT_EQ((uint32_t)regs.rbx, 0x12347720);	/* BH loaded */
	EXPECT_EQ(regs.rip, REAL_MODE_CODE_GPA + (rm_mmio_end - rm_mmio));
}

/* ---- an instruction that crosses a page boundary ---- */

#define XCODE_GVA	0x50000000ull	/* three pages of code, scattered in guest RAM */

/*
 * At XCODE_GVA + 0x1000 - 3: movq $0x11223344, 0x10(%rdi) (8 bytes, crosses into page 1),
 * jmp to XCODE_GVA + 0x2000 - 1: movl 0x18(%rdi), %eax (3 bytes, crosses into page 2), ret.
 */
static const uint8_t xwrite[] = { 0x48, 0xc7, 0x47, 0x10, 0x44, 0x33, 0x22, 0x11 };
static const uint8_t xread[] = { 0x8b, 0x47, 0x18, 0xc3 };

static void GUEST_CODE guest_call_crossing(uint64_t code, uint64_t mmio)
{
	uint64_t eax;

	__asm__ volatile("call *%1" : "=a"(eax) : "r"(code), "D"(mmio)
			 : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory");
	GUEST_SYNC(eax);
}

/* Write len bytes at gva through the guest page tables (they may span pages). */
static void poke_gva(struct vm *vm, uint64_t gva, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		*(uint8_t *)vm_gva2hva(vm, gva + i) = src[i];
}

TEST_KVM_IDENTICAL(mmio_instruction_crossing_a_page_boundary_is_decoded_whole)
{
	const uint64_t write_at = XCODE_GVA + 0x1000 - 3, read_at = XCODE_GVA + 0x2000 - 1;
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_call_crossing), write_at, MMIO_GVA);
	struct vm *vm = vcpu->vm;
	uint8_t jmp[5] = { 0xe9 };
	int32_t rel = (int32_t)(read_at - (write_at + sizeof(xwrite) + 5));
	const uint32_t answer = 0xcafef00d;
	struct ucall uc;

	for (int p = 0; p < 3; p++) {		/* a gap after each page: not contiguous */
		vm_map(vm, XCODE_GVA + p * 0x1000ull, vm_alloc(vm, GUEST_PAGE_SIZE));
		vm_alloc(vm, GUEST_PAGE_SIZE);
	}
	vm_map(vm, MMIO_GVA, MMIO_GPA);
	memcpy(jmp + 1, &rel, 4);
	poke_gva(vm, write_at, xwrite, sizeof(xwrite));
	poke_gva(vm, write_at + sizeof(xwrite), jmp, sizeof(jmp));
	poke_gva(vm, read_at, xread, sizeof(xread));

	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x10, 8, true);
	EXPECT_EQ(mmio_data(vcpu), 0x11223344);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x18, 4, false);
	memcpy(vcpu->run->mmio.data, &answer, 4);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], answer);
	vcpu_run_done(vcpu);
}

/* ---- read-only memslots ---- */

#define RO_GPA		0x10000000ull
#define RO_SIZE		(64 * 1024ul)

static void GUEST_CODE guest_readonly(void)
{
	volatile uint64_t *p = (volatile uint64_t *)RO_GPA;
	uint64_t before = p[0x40];

	__asm__ volatile("movl %0, (%1)" : : "r"(0xdeadbeef), "r"(&p[0x40]) : "memory");
	GUEST_SYNC(before, p[0x40], p[0x41]);
}

TEST_KVM_IDENTICAL(mmio_write_to_a_readonly_slot_exits_and_reads_come_from_memory)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_readonly), 0, 0);
	uint64_t *ro = t_guest_ram(t, RO_SIZE);
	struct ucall uc;

	for (size_t i = 0; i < RO_SIZE / 8; i++)
		ro[i] = 0xa5a5000000000000ull | i;
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, KVM_MEM_READONLY, RO_GPA, RO_SIZE, ro), 0);
	vm_map(vcpu->vm, RO_GPA, RO_GPA);

	vcpu_run_expect_mmio(vcpu, RO_GPA + 0x200, 4, true);
	EXPECT_EQ(mmio_data(vcpu), 0xdeadbeef);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0xa5a5000000000040ull);	/* read without an exit */
	EXPECT_EQ(uc.args[1], 0xa5a5000000000040ull);	/* the write did not land */
	EXPECT_EQ(uc.args[2], 0xa5a5000000000041ull);
	EXPECT_EQ(ro[0x40], 0xa5a5000000000040ull);
	vcpu_run_done(vcpu);
}

/* ---- what the decoder leaves alone ---- */

#define INSN_LABEL(name, insn) ".global " #name "\n" #name ": " insn "\n"

/*
 * The emulation failure as the KVM ABI lays it out (struct emulation_failure in
 * <linux/kvm.h>): flags in data[0], then a one-byte insn_size and 15 instruction bytes.
 */
static void expect_emulation_failure(struct test_ctx *t, struct vcpu *vcpu,
				     const uint8_t *insn, size_t len)
{
	const struct kvm_run *run = vcpu->run;

	vcpu_run_expect(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(run->emulation_failure.suberror, KVM_INTERNAL_ERROR_EMULATION);
	EXPECT_GE(run->emulation_failure.ndata, 3);	/* flags + the 16 bytes */
	EXPECT_EQ(run->emulation_failure.flags,
		  KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES);
	EXPECT_GE(run->emulation_failure.insn_size, len);
	EXPECT_LE(run->emulation_failure.insn_size, 15);
	if (memcmp(run->emulation_failure.insn_bytes, insn, len)) {
		char got[64] = "", want[64] = "";

		for (size_t i = 0; i < len; i++) {
			snprintf(got + 3 * i, 4, " %02x", run->emulation_failure.insn_bytes[i]);
			snprintf(want + 3 * i, 4, " %02x", insn[i]);
		}
		t_fail(t, __FILE__, __LINE__, "insn_bytes:%s, expected%s", got, want);
	}
	EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)insn);	/* not skipped */
}

#define XCR0_AVX	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)

static void GUEST_CODE guest_vex_store(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | X86_CR4_OSXSAVE));
	GUEST_ASSERT_EQ(guest_xsetbv_safe(0, XCR0_AVX), GUEST_NO_EXCEPTION);
	__asm__ volatile(INSN_LABEL(ud_vmovdqu, "vmovdqu %%ymm0, (%0)")
			 : : "b"(MMIO_GVA) : "memory");
	GUEST_ASSERT(!"the VEX store completed");
}
extern const uint8_t ud_vmovdqu[];

/* Neither decodes VEX: KVM's emulator has no VEX (6.1), nor has vmxmon's decoder. */
TEST_KVM_IDENTICAL(mmio_avx_store_is_an_emulation_failure_with_the_bytes)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_vex_store), 0, 0);
	struct kvm_cpuid2 *c = t_cpuid_copy(vcpu->vm, 0);
	struct kvm_cpuid_entry2 *e1 = cpuid_entry(c, 1, 0);

	if (!e1 || !(e1->ecx & CPUID_1_ECX_AVX) || !(e1->ecx & CPUID_1_ECX_XSAVE))
		t_skip(t, "the guest CPUID offers no AVX/XSAVE");
	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	expect_emulation_failure(t, vcpu, ud_vmovdqu, 4);
	free(c);
}
