// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO by string moves (memcpy_toio, memcpy_fromio, memset_io): the exact sequence of
 * KVM_EXIT_MMIO exits KVM's emulator produces, and the registers at each one.
 * - REP MOVS/STOS/LODS: one exit per element; at a write exit RCX/RSI/RDI already count the
 *   element and RIP stays on the instruction (it finishes when the guest runs it again with
 *   RCX = 0); at a read exit the element is still to be done.
 * - DF=1, 16- and 32-bit address sizes (67h), segment overrides, real mode.
 * - Accesses split at page boundaries (RAM parts never exit). SSE moves: mmio_sse_test.
 * - immediate_exit and interrupts between the elements of a REP instruction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmio.h"
#include "util.h"
#include "vm.h"
#include "x86.h"

/* ---- following a string instruction exit by exit ---- */

enum { MOVS, STOS, LODS };

struct str_op {
	const char *insn;		/* its label: RIP */
	const char *insn_end;
	uint8_t kind, size, addr_size;
	bool rep, df;
	int count;			/* elements (RCX at the start for REP) */
	uint64_t rsi, rdi, rcx;		/* at the start */
	uint64_t src_gpa, dst_gpa;	/* first element's MMIO address; 0: RAM */
	const uint8_t *src;		/* RAM source (host copy), first element */
	uint64_t rax;			/* STOS */
	uint64_t rip_base;		/* real mode: RIP = label - rip_base */
};

/* A string register after @done elements: the instruction writes only the address size. */
static uint64_t after(uint64_t orig, long delta, int done, int addr_size)
{
	uint64_t mask = addr_size == 8 ? ~0ull : (1ull << (addr_size * 8)) - 1;
	uint64_t v = orig + (uint64_t)delta;

	if (!done)
		return orig;
	return addr_size == 4 ? (uint32_t)v : (orig & ~mask) | (v & mask);
}

static void expect_string_regs(struct test_ctx *t, struct vcpu *vcpu, const struct str_op *op,
			       int done, bool rip_advanced)
{
	long step = op->df ? -(long)op->size : op->size;
	struct kvm_regs r;

	vcpu_get_regs(vcpu, &r);
	EXPECT_EQ(r.rip, (uint64_t)(uintptr_t)(rip_advanced ? op->insn_end : op->insn) -
			 op->rip_base);
	if (op->rep)
		EXPECT_EQ(r.rcx, after(op->rcx, -done, done, op->addr_size));
	if (op->kind != STOS)
		EXPECT_EQ(r.rsi, after(op->rsi, step * done, done, op->addr_size));
	if (op->kind != LODS)
		EXPECT_EQ(r.rdi, after(op->rdi, step * done, done, op->addr_size));
}

static void follow_string(struct test_ctx *t, struct vcpu *vcpu, const struct str_op *op)
{
	for (int i = 0; i < op->count; i++) {
		long off = (op->df ? -(long)i : i) * op->size;

		if (op->src_gpa) {
			vcpu_run_expect_mmio(vcpu, op->src_gpa + off, op->size, false);
			expect_string_regs(t, vcpu, op, i, false);
			answer(vcpu);
		}
		if (op->dst_gpa) {
			uint64_t data = op->kind == STOS ? op->rax :
					op->src_gpa ? answered(op->src_gpa + off, op->size) :
					le(op->src + off, op->size);

			vcpu_run_expect_mmio(vcpu, op->dst_gpa + off, op->size, true);
			EXPECT_EQ(mmio_data(vcpu), data & (op->size == 8 ? ~0ull :
						   (1ull << (op->size * 8)) - 1));
			expect_string_regs(t, vcpu, op, i + 1, !op->rep);
		}
		if (t_failed(t)) {
			t_log(t, "at element %d of the string instruction at %p", i, op->insn);
			t_abort(t);
		}
	}
}

/* ---- long mode: REP MOVS/STOS to MMIO ---- */

extern const char sw1[], sw1_end[], sw2[], sw2_end[], sw3[], sw3_end[], sw4[], sw4_end[];
extern const char sw5[], sw5_end[], sw6[], sw6_end[], sw7[], sw7_end[], sw8[], sw8_end[];
extern const char sw9[], sw9_end[];

#define HI_RSI	0x5a5a000000000000ull	/* ignored by a 32-bit address size, then cleared */
#define HI_RDI	0xa5a5000000000000ull
#define HI_RCX	0x7777000000000000ull

static void GUEST_CODE guest_string_writes(void)
{
	uint8_t *m = (uint8_t *)MMIO_GVA;
	uint64_t s, d, c;

	s = (uintptr_t)pat; d = (uintptr_t)(m + 0x100); c = 5;
	__asm__ volatile(LABEL(sw1, "rep movsb") : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	GUEST_SYNC(c, s, d);
	s = (uintptr_t)(pat + 0x20); d = (uintptr_t)(m + 0x204); c = 3;
	__asm__ volatile("std\n" LABEL(sw2, "rep movsw") "cld\n"
			 : "+S"(s), "+D"(d), "+c"(c) : : "memory", "cc");
	GUEST_SYNC(c, s, d);
	s = HI_RSI | (uintptr_t)pat; d = HI_RDI | (uintptr_t)(m + 0x300); c = HI_RCX | 2;
	__asm__ volatile(LABEL(sw3, "addr32 rep movsl") : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	GUEST_SYNC(c, s, d);
	s = (uintptr_t)(pat + 8); d = (uintptr_t)(m + 0x310); c = 2;
	__asm__ volatile(LABEL(sw4, ".byte 0xf3, 0x3e, 0x48, 0xa5")	/* rep ds movsq */
			 : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	GUEST_SYNC(c, s, d);
	d = (uintptr_t)(m + 0x400); c = 3;
	__asm__ volatile(LABEL(sw5, "rep stosl") : "+D"(d), "+c"(c) : "a"(0xcafef00dull)
			 : "memory");
	GUEST_SYNC(c, d);
	d = (uintptr_t)(m + 0x418); c = 2;
	__asm__ volatile("std\n" LABEL(sw6, "rep stosq") "cld\n"
			 : "+D"(d), "+c"(c) : "a"(0x0123456789abcdefull) : "memory", "cc");
	GUEST_SYNC(c, d);
	s = (uintptr_t)(pat + 7); d = (uintptr_t)(m + 0x500);
	__asm__ volatile(LABEL(sw7, "movsb") : "+S"(s), "+D"(d) : : "memory");
	d = (uintptr_t)(m + 0x502);
	__asm__ volatile(LABEL(sw8, "stosw") : "+D"(d) : "a"(0xbeefull) : "memory");
	d = (uintptr_t)(m + 0x600); c = 0;
	__asm__ volatile(LABEL(sw9, "rep stosb") : "+D"(d), "+c"(c) : "a"(0ull) : "memory");
	GUEST_SYNC(c, d, s);
}

TEST_KVM_IDENTICAL(rep_movs_and_stos_to_mmio_exit_per_element_with_rcx_rsi_rdi_updated)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_string_writes), 0, 0);
	const uint64_t m = MMIO_GVA, p = (uintptr_t)pat;
	const struct str_op ops[] = {
		{ sw1, sw1_end, MOVS, 1, 8, true, false, 5, p, m + 0x100, 5,
		  0, MMIO_GPA + 0x100, pat, 0, 0 },
		{ sw2, sw2_end, MOVS, 2, 8, true, true, 3, p + 0x20, m + 0x204, 3,
		  0, MMIO_GPA + 0x204, pat + 0x20, 0, 0 },
		{ sw3, sw3_end, MOVS, 4, 4, true, false, 2, HI_RSI | p, HI_RDI | (m + 0x300),
		  HI_RCX | 2, 0, MMIO_GPA + 0x300, pat, 0, 0 },
		{ sw4, sw4_end, MOVS, 8, 8, true, false, 2, p + 8, m + 0x310, 2,
		  0, MMIO_GPA + 0x310, pat + 8, 0, 0 },
		{ sw5, sw5_end, STOS, 4, 8, true, false, 3, 0, m + 0x400, 3,
		  0, MMIO_GPA + 0x400, NULL, 0xcafef00d, 0 },
		{ sw6, sw6_end, STOS, 8, 8, true, true, 2, 0, m + 0x418, 2,
		  0, MMIO_GPA + 0x418, NULL, 0x0123456789abcdefull, 0 },
	};
	const struct str_op movsb = { sw7, sw7_end, MOVS, 1, 8, false, false, 1, p + 7, m + 0x500,
				      0, 0, MMIO_GPA + 0x500, pat + 7, 0, 0 };
	const struct str_op stosw = { sw8, sw8_end, STOS, 2, 8, false, false, 1, 0, m + 0x502,
				      0, 0, MMIO_GPA + 0x502, NULL, 0xbeef, 0 };

	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	follow_string(t, vcpu, &ops[0]);
	expect_sync(t, vcpu, 0, p + 5, m + 0x105);
	follow_string(t, vcpu, &ops[1]);
	expect_sync(t, vcpu, 0, p + 0x20 - 6, m + 0x204 - 6);
	follow_string(t, vcpu, &ops[2]);
	expect_sync(t, vcpu, 0, (uint32_t)(p + 8), (uint32_t)(m + 0x308));
	follow_string(t, vcpu, &ops[3]);
	expect_sync(t, vcpu, 0, p + 24, m + 0x320);
	follow_string(t, vcpu, &ops[4]);
	expect_sync(t, vcpu, 0, m + 0x40c, 0);
	follow_string(t, vcpu, &ops[5]);
	expect_sync(t, vcpu, 0, m + 0x408, 0);
	follow_string(t, vcpu, &movsb);
	follow_string(t, vcpu, &stosw);
	/* REP with RCX = 0 moves nothing: no exit at all */
	expect_sync(t, vcpu, 0, m + 0x600, p + 8);
	vcpu_run_done(vcpu);
}

/* ---- long mode: MOVS and LODS from MMIO ---- */

static uint8_t ram_dst[64] __attribute__((aligned(16)));

extern const char sr1[], sr1_end[], sr2[], sr2_end[], sr3[], sr3_end[], sr4[], sr4_end[];

static void GUEST_CODE guest_string_reads(void)
{
	uint8_t *m = (uint8_t *)MMIO_GVA;
	uint64_t s, d, c, a = 0x1122334455667788ull;

	s = (uintptr_t)(m + 0x700); d = (uintptr_t)ram_dst; c = 4;
	__asm__ volatile(LABEL(sr1, "rep movsb") : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	GUEST_SYNC(c, s, d);
	s = (uintptr_t)(m + 0x808); d = (uintptr_t)(ram_dst + 0x18); c = 3;
	__asm__ volatile("std\n" LABEL(sr2, "rep movsl") "cld\n"
			 : "+S"(s), "+D"(d), "+c"(c) : : "memory", "cc");
	GUEST_SYNC(c, s, d);
	s = (uintptr_t)(m + 0x900);
	__asm__ volatile(LABEL(sr3, "lodsq") : "+S"(s), "+a"(a) : : "memory");
	GUEST_SYNC(a, s, 0);
	s = (uintptr_t)(m + 0x90b);
	__asm__ volatile(LABEL(sr4, "lodsb") : "+S"(s), "+a"(a) : : "memory");
	GUEST_SYNC(a, s, 0);
}

TEST_KVM_IDENTICAL(rep_movs_and_lods_from_mmio_read_per_element_into_ram_and_rax)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_string_reads), 0, 0);
	const uint64_t m = MMIO_GVA, r = (uintptr_t)ram_dst;
	const struct str_op ops[] = {
		{ sr1, sr1_end, MOVS, 1, 8, true, false, 4, m + 0x700, r, 4, MMIO_GPA + 0x700, 0, 0, 0, 0 },
		{ sr2, sr2_end, MOVS, 4, 8, true, true, 3, m + 0x808, r + 0x18, 3,
		  MMIO_GPA + 0x808, 0, 0, 0, 0 },
		{ sr3, sr3_end, LODS, 8, 8, false, false, 1, m + 0x900, 0, 0, MMIO_GPA + 0x900, 0, 0, 0, 0 },
		{ sr4, sr4_end, LODS, 1, 8, false, false, 1, m + 0x90b, 0, 0, MMIO_GPA + 0x90b, 0, 0, 0, 0 },
	};
	uint8_t *dst = t_vm_gva2hva(vcpu->vm, ram_dst, sizeof(ram_dst));
	uint64_t rax = answered(MMIO_GPA + 0x900, 8);

	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	follow_string(t, vcpu, &ops[0]);
	expect_sync(t, vcpu, 0, m + 0x704, r + 4);
	EXPECT_EQ(le(dst, 4), answered(MMIO_GPA + 0x700, 4));
	follow_string(t, vcpu, &ops[1]);
	expect_sync(t, vcpu, 0, m + 0x808 - 12, r + 0x18 - 12);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(le(dst + 0x18 - 4 * i, 4), answered(MMIO_GPA + 0x808 - 4 * i, 4));
	follow_string(t, vcpu, &ops[2]);
	expect_sync(t, vcpu, rax, m + 0x908, 0);
	follow_string(t, vcpu, &ops[3]);
	expect_sync(t, vcpu, (rax & ~0xffull) | byte_at(MMIO_GPA + 0x90b), m + 0x90c, 0);
	vcpu_run_done(vcpu);
}

/* ---- real mode: segments, 16- and 32-bit addresses ---- */

#define RM_DS	0x2000		/* RAM at 0x20000: the source data */
#define RM_FS	0x3000		/* RAM at 0x30000 */
#define RM_MMIO	0xd0000ull	/* ES = 0xd000 */

__asm__(".pushsection .rodata\n"
	".code16\n"
	"rm_str:\n"
	"	mov $0x2000, %ax\n	mov %ax, %ds\n"
	"	mov $0x3000, %ax\n	mov %ax, %fs\n"
	"	mov $0xd000, %ax\n	mov %ax, %es\n"
	"	mov $2, %cx\n	mov $0x10, %si\n	mov $0x40, %di\n"
	LABEL(rm1, "rep movsw")
	"	std\n	mov $2, %cx\n	mov $0x51, %di\n	mov $0x77, %al\n"
	LABEL(rm2, "rep stosb")
	"	cld\n	mov $2, %cx\n	mov $0x8, %si\n	mov $0x60, %di\n"
	LABEL(rm3, "fs rep movsb")
	"	mov $0x70, %si\n"
	LABEL(rm4, "es lodsw")
	"	mov $0x80, %si\n	mov $0x90, %di\n"
	LABEL(rm5, "es movsb")
	"	mov $0x2, %ecx\n	mov $0x10, %esi\n	mov $0xa0, %edi\n"
	LABEL(rm6, "addr32 rep movsb")
	"	hlt\n"
	"rm_str_end:\n"
	".code64\n"
	".popsection\n");
extern const char rm_str[], rm_str_end[], rm1[], rm1_end[], rm2[], rm2_end[], rm3[], rm3_end[];
extern const char rm4[], rm4_end[], rm5[], rm5_end[], rm6[], rm6_end[];

TEST_KVM_IDENTICAL(rep_string_mmio_in_real_mode_with_segment_overrides_and_addr32)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new_mem(t, 0x80000), 0);
	const uint64_t base = (uintptr_t)rm_str - REAL_MODE_CODE_GPA;
	uint8_t ds_data[32], fs_data[16];
	struct kvm_regs r;

	for (int i = 0; i < 32; i++)
		ds_data[i] = 0x40 + i;
	for (int i = 0; i < 16; i++)
		fs_data[i] = 0x90 + i;
	vm_load(vcpu->vm, RM_DS * 16, ds_data, sizeof(ds_data));
	vm_load(vcpu->vm, RM_FS * 16, fs_data, sizeof(fs_data));
	vm_load(vcpu->vm, REAL_MODE_CODE_GPA, rm_str, rm_str_end - rm_str);
	vcpu_enter_real_mode(vcpu, REAL_MODE_CODE_GPA);
	vcpu_get_regs(vcpu, &r);
	r.rcx = r.rsi = r.rdi = 0;		/* the upper halves are not the test's */
	vcpu_set_regs(vcpu, &r);

	const struct str_op ops[] = {
		{ rm1, rm1_end, MOVS, 2, 2, true, false, 2, 0x10, 0x40, 2, 0, RM_MMIO + 0x40,
		  ds_data + 0x10, 0, base },
		{ rm2, rm2_end, STOS, 1, 2, true, true, 2, 0, 0x51, 2, 0, RM_MMIO + 0x51,
		  NULL, 0x77, base },
		{ rm3, rm3_end, MOVS, 1, 2, true, false, 2, 0x8, 0x60, 2, 0, RM_MMIO + 0x60,
		  fs_data + 8, 0, base },
		{ rm4, rm4_end, LODS, 2, 2, false, false, 1, 0x70, 0, 0, RM_MMIO + 0x70, 0,
		  NULL, 0, base },
		{ rm5, rm5_end, MOVS, 1, 2, false, false, 1, 0x80, 0x90, 0, RM_MMIO + 0x80,
		  RM_MMIO + 0x90, NULL, 0, base },
		{ rm6, rm6_end, MOVS, 1, 4, true, false, 2, 0x10, 0xa0, 2, 0, RM_MMIO + 0xa0,
		  ds_data + 0x10, 0, base },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		follow_string(t, vcpu, &ops[i]);
	vcpu_run_expect(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &r);
	EXPECT_EQ((uint16_t)r.rax, answered(RM_MMIO + 0x70, 2));
	EXPECT_EQ(r.rcx, 0);
	EXPECT_EQ(r.rsi, 0x12);
	EXPECT_EQ(r.rdi, 0xa2);
	EXPECT_EQ(r.rip, (uintptr_t)rm_str_end - base);
}

/* ---- taking the vCPU back between elements ---- */

extern const char si1[], si1_end[], si2[], si2_end[], si3[], si3_end[];
static volatile uint64_t irq_rip, irq_count;

void GUEST_CODE string_irq_handler(uint64_t rip)
{
	irq_rip = rip;
	irq_count++;
}
GUEST_ISR(string_irq_stub, string_irq_handler);

static void GUEST_CODE guest_string_interrupted(void)
{
	uint8_t *m = (uint8_t *)MMIO_GVA;
	uint64_t s, d, c;

	d = (uintptr_t)(m + 0x100); c = 4;
	__asm__ volatile(LABEL(si1, "rep stosb") : "+D"(d), "+c"(c) : "a"(0x66ull) : "memory");
	GUEST_SYNC(c, d, 0);
	s = (uintptr_t)(m + 0x200); d = (uintptr_t)ram_dst; c = 3;
	__asm__ volatile(LABEL(si2, "rep movsb") : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	GUEST_SYNC(c, s, d);
	d = (uintptr_t)(m + 0x300); c = 3;
	__asm__ volatile(LABEL(si3, "rep stosw") : "+D"(d), "+c"(c) : "a"(0x4242ull) : "memory");
	GUEST_SYNC(c, d, irq_count);
	GUEST_SYNC(irq_rip, 0, 0);
}

/*
 * immediate_exit after a write element: KVM_RUN returns -EINTR with the instruction half
 * done, and the next KVM_RUN goes on from there. After a read element, KVM_RUN first
 * completes it and goes on in the kernel, so the next read comes before immediate_exit is
 * looked at. An interrupt injected between elements runs with RIP on the instruction.
 */
TEST_KVM_IDENTICAL(rep_string_mmio_resumes_after_immediate_exit_and_interrupts)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_string_interrupted), 0, 0);
	const uint64_t m = MMIO_GVA, r = (uintptr_t)ram_dst;
	struct str_op stos = { si1, si1_end, STOS, 1, 8, true, false, 2, 0, m + 0x100, 4,
			       0, MMIO_GPA + 0x100, NULL, 0x66, 0 };
	struct str_op movs = { si2, si2_end, MOVS, 1, 8, true, false, 1, m + 0x200, r, 3,
			       MMIO_GPA + 0x200, 0, 0, 0, 0 };
	struct str_op stosw = { si3, si3_end, STOS, 2, 8, true, false, 1, 0, m + 0x300, 3,
				0, MMIO_GPA + 0x300, NULL, 0x4242, 0 };
	struct kvm_interrupt irq = { .irq = 0x40 };

	vm_set_idt_gate(vcpu->vm, 0x40, string_irq_stub, 0);
	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	follow_string(t, vcpu, &stos);			/* elements 0 and 1 */
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(__vcpu_run(vcpu), -EINTR);
	expect_string_regs(t, vcpu, &stos, 2, false);
	EXPECT_EQ(__vcpu_run(vcpu), -EINTR);		/* as often as asked */
	vcpu->run->immediate_exit = 0;
	for (int i = 2; i < 4; i++) {
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x100 + i, 1, true);
		expect_string_regs(t, vcpu, &stos, i + 1, false);
	}
	expect_sync(t, vcpu, 0, m + 0x104, 0);

	follow_string(t, vcpu, &movs);			/* element 0: a read */
	vcpu->run->immediate_exit = 1;
	for (int i = 1; i < 3; i++) {		/* KVM_RUN completes it and reads the next */
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x200 + i, 1, false);
		expect_string_regs(t, vcpu, &movs, i, false);
		answer(vcpu);
	}
	EXPECT_EQ(__vcpu_run(vcpu), -EINTR);		/* the last one completed, then -EINTR */
	movs.count = 3;
	expect_string_regs(t, vcpu, &movs, 3, false);	/* RCX = 0, RIP still on it */
	vcpu->run->immediate_exit = 0;
	expect_sync(t, vcpu, 0, m + 0x203, r + 3);

	follow_string(t, vcpu, &stosw);			/* element 0, then an interrupt */
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_INTERRUPT, (unsigned long)&irq), 0);
	for (int i = 1; i < 3; i++) {
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x300 + 2 * i, 2, true);
		expect_string_regs(t, vcpu, &stosw, i + 1, false);
	}
	expect_sync(t, vcpu, 0, m + 0x306, 1);
	expect_sync(t, vcpu, (uintptr_t)si3, 0, 0);	/* interrupted on the REP STOSW */
	vcpu_run_done(vcpu);
}

/* ---- accesses across page boundaries ---- */

#define XGVA	0x48000000ull	/* MMIO page, then another MMIO page elsewhere */
#define YGVA	0x48010000ull	/* RAM page, then an MMIO page */
#define ZGVA	0x48020000ull	/* two RAM pages, not contiguous */

extern const char sx1[], sx1_end[], sx2[], sx2_end[];

static void GUEST_CODE guest_page_crossing(void)
{
	uint64_t s, d, c;

	s = (uintptr_t)pat; d = XGVA + 0xffe;
	__asm__ volatile(LABEL(sx1, "movsl") : "+S"(s), "+D"(d) : : "memory");
	s = (uintptr_t)pat; d = YGVA + 0xffe;
	__asm__ volatile("movsl" : "+S"(s), "+D"(d) : : "memory");
	s = ZGVA + 0xffe; d = XGVA + 0x10; c = 4;
	__asm__ volatile("rep movsb" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	s = XGVA + 0x20; d = ZGVA + 0xffd; c = 3;
	__asm__ volatile(LABEL(sx2, "rep movsw") : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	GUEST_SYNC(c, s, d);
}

TEST_KVM_IDENTICAL(string_mmio_accesses_split_at_page_boundaries_ram_parts_never_exit)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_page_crossing), 0, 0);
	struct vm *vm = vcpu->vm;
	uint64_t ram_y = vm_alloc(vm, GUEST_PAGE_SIZE), z0, z1;
	const uint8_t zsrc[4] = { 0x31, 0x32, 0x33, 0x34 };
	uint8_t got[6];

	vm_map(vm, XGVA, MMIO_GPA + 0x5000);
	vm_map(vm, XGVA + 0x1000, MMIO_GPA + 0x9000);
	vm_map(vm, YGVA, ram_y);
	vm_map(vm, YGVA + 0x1000, MMIO_GPA + 0xa000);
	z0 = vm_alloc(vm, GUEST_PAGE_SIZE);
	vm_alloc(vm, GUEST_PAGE_SIZE);			/* a gap */
	z1 = vm_alloc(vm, GUEST_PAGE_SIZE);
	vm_map(vm, ZGVA, z0);
	vm_map(vm, ZGVA + 0x1000, z1);
	for (int i = 0; i < 4; i++)
		*(uint8_t *)vm_gva2hva(vm, ZGVA + 0xffe + i) = zsrc[i];

	/* one 4-byte element over two MMIO pages: two exits, RIP past it at the first */
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x5ffe, 2, true);
	EXPECT_EQ(mmio_data(vcpu), le(pat, 2));
	EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)sx1_end);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x9000, 2, true);
	EXPECT_EQ(mmio_data(vcpu), le(pat + 2, 2));
	/* half RAM, half MMIO: only the MMIO half exits */
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0xa000, 2, true);
	EXPECT_EQ(mmio_data(vcpu), le(pat + 2, 2));
	EXPECT_EQ(le(vm_gpa2hva(vm, ram_y + 0xffe), 2), le(pat, 2));
	/* a RAM source over two scattered pages */
	for (int i = 0; i < 4; i++) {
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x5010 + i, 1, true);
		EXPECT_EQ(mmio_data(vcpu), zsrc[i]);
	}
	/* MMIO into a RAM destination over two scattered pages */
	for (int i = 0; i < 3; i++) {
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x5020 + 2 * i, 2, false);
		EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)sx2);
		answer(vcpu);
	}
	expect_sync(t, vcpu, 0, XGVA + 0x26, ZGVA + 0x1003);
	for (int i = 0; i < 6; i++)
		got[i] = *(uint8_t *)vm_gva2hva(vm, ZGVA + 0xffd + i);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(got[i], byte_at(MMIO_GPA + 0x5020 + i));
	vcpu_run_done(vcpu);
}
