// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO by SSE and MMX moves (compilers' and memcpy_toio()'s 16-byte copies): the exits KVM's
 * emulator makes, 8 bytes each (kvm_run.mmio.data holds 8), with RIP past the instruction at
 * the first exit of a store and on it at each exit of a load; MMX MOVQ and MOVNTI in one
 * exit; and MOVD/MOVQ, which only vmxmon emulates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmio.h"
#include "util.h"
#include "vm.h"

/* ---- SSE ---- */

#define SSE_STORES(X)								\
	X(ss0, "movdqu %%xmm1, (%0)")	/* f3 0f 7f */				\
	X(ss1, "movdqa %%xmm1, (%0)")	/* 66 0f 7f */				\
	X(ss2, "movups %%xmm1, (%0)")	/* 0f 11 */				\
	X(ss3, "movupd %%xmm1, (%0)")	/* 66 0f 11 */				\
	X(ss4, "movaps %%xmm1, (%0)")	/* 0f 29 */				\
	X(ss5, "movapd %%xmm1, (%0)")	/* 66 0f 29 */				\
	X(ss6, "movntps %%xmm1, (%0)")	/* 0f 2b */				\
	X(ss7, "movntpd %%xmm1, (%0)")	/* 66 0f 2b */				\
	X(ss8, "movntdq %%xmm1, (%0)")	/* 66 0f e7 */				\
	X(ss9, "movdqu %%xmm13, 0x10(%0,%%rcx,8)")	/* REX.R, SIB */

#define SSE_LOADS(X)								\
	X(sl0, "movdqu (%1), %%xmm2")						\
	X(sl1, "movdqa (%1), %%xmm2")						\
	X(sl2, "movups (%1), %%xmm2")						\
	X(sl3, "movupd (%1), %%xmm2")						\
	X(sl4, "movaps (%1), %%xmm2")						\
	X(sl5, "movapd (%1), %%xmm2")						\
	X(sl6, "movdqu -0x10(%1,%%rcx,8), %%xmm9")

#define DECLARE(name, insn) extern const char name[], name##_end[];
SSE_STORES(DECLARE)
SSE_LOADS(DECLARE)

static uint8_t sse_out[16 * 7] __attribute__((aligned(16)));
static uint8_t mmx_out[8];

static void GUEST_CODE guest_sse(void)
{
	uint8_t *m = (uint8_t *)MMIO_GVA;
	int n = 0;

#define STORE(name, insn)							\
	__asm__ volatile("movdqu (%1), %%xmm1\n\tmovdqu (%1), %%xmm13\n\t" LABEL(name, insn) \
			 : : "r"(m + 0x100 + 0x20 * n++), "r"(pat), "c"(0ull)	\
			 : "xmm1", "xmm13", "memory");
	SSE_STORES(STORE)
	n = 0;
#define LOAD(name, insn)							\
	__asm__ volatile("pxor %%xmm2, %%xmm2\n\tpxor %%xmm9, %%xmm9\n\t" LABEL(name, insn) \
			 "\n\tmovdqu %%xmm2, (%0)\n\tpor %%xmm9, %%xmm2\n\tmovdqu %%xmm2, (%0)" \
			 : : "r"(sse_out + 16 * n), "r"(m + 0x400 + 0x20 * n), "c"(2ull) \
			 : "xmm2", "xmm9", "memory");					\
	n++;
	SSE_LOADS(LOAD)
	__asm__ volatile(LABEL(snti, "movnti %%rax, (%0)\n\tmovnti %%eax, 8(%0)")
			 : : "r"(m + 0x700), "a"(0x1122334455667788ull) : "memory");
	__asm__ volatile("movq (%1), %%mm0\n\t"
			 LABEL(smmx, "movq %%mm0, (%0)")		/* 0f 7f */
			 LABEL(smmx_ld, "movq 8(%0), %%mm1")		/* 0f 6f */
			 "movq %%mm1, (%2)\n\temms"
			 : : "r"(m + 0x800), "r"(pat), "r"(mmx_out) : "mm0", "mm1", "memory");
}
extern const char snti[], snti_end[], smmx[], smmx_end[], smmx_ld[], smmx_ld_end[];

TEST_KVM_IDENTICAL(sse_moves_to_and_from_mmio_are_two_8_byte_exits_mmx_and_movnti_one)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_sse), 0, 0);
	static const char *const stores[][2] = {
#define STORE_ROW(name, insn) { name, name##_end },
		SSE_STORES(STORE_ROW)
	};
	static const char *const loads[] = {
#define LOAD_ROW(name, insn) name,
		SSE_LOADS(LOAD_ROW)
	};
	const uint8_t *out = t_vm_gva2hva(vcpu->vm, sse_out, sizeof(sse_out));

	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	for (size_t i = 0; i < ARRAY_SIZE(stores); i++) {
		uint64_t gpa = MMIO_GPA + 0x100 + 0x20 * i + (i == 9 ? 0x10 : 0);

		vcpu_run_expect_mmio(vcpu, gpa, 8, true);
		EXPECT_EQ(mmio_data(vcpu), le(pat, 8));
		EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)stores[i][1]);	/* done at the first */
		vcpu_run_expect_mmio(vcpu, gpa + 8, 8, true);
		EXPECT_EQ(mmio_data(vcpu), le(pat + 8, 8));
		if (t_failed(t))
			t_abort(t);
	}
	for (size_t i = 0; i < ARRAY_SIZE(loads); i++) {
		uint64_t gpa = MMIO_GPA + 0x400 + 0x20 * i;

		for (int half = 0; half < 2; half++) {
			vcpu_run_expect_mmio(vcpu, gpa + 8 * half, 8, false);
			EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)loads[i]);
			answer(vcpu);
		}
	}
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x700, 8, true);
	EXPECT_EQ(mmio_data(vcpu), 0x1122334455667788ull);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x708, 4, true);
	EXPECT_EQ(mmio_data(vcpu), 0x55667788ull);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x800, 8, true);	/* MMX: one exit */
	EXPECT_EQ(mmio_data(vcpu), le(pat, 8));
	EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)smmx_end);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x808, 8, false);
	EXPECT_EQ(vcpu_rip(vcpu), (uintptr_t)smmx_ld);
	answer(vcpu);
	vcpu_run_done(vcpu);
	EXPECT_EQ(le(t_vm_gva2hva(vcpu->vm, mmx_out, 8), 8), answered(MMIO_GPA + 0x808, 8));
	for (size_t i = 0; i < ARRAY_SIZE(loads); i++)
		for (int k = 0; k < 16; k++)
			EXPECT_EQ(out[16 * i + k], byte_at(MMIO_GPA + 0x400 + 0x20 * i + k));
}

/* ---- MOVD/MOVQ: vmxmon only ---- */

static uint8_t movq_out[16 * 3] __attribute__((aligned(16)));

static void GUEST_CODE guest_movd_movq(void)
{
	uint8_t *m = (uint8_t *)MMIO_GVA;

	__asm__ volatile("movdqu (%1), %%xmm1\n\t"
			 "movd %%xmm1, (%0)\n\t"			/* 66 0f 7e */
			 "movq %%xmm1, 8(%0)\n\t"			/* 66 0f d6 */
			 ".byte 0x66, 0x48, 0x0f, 0x7e, 0x48, 0x10\n\t"	/* movq %xmm1, 0x10(%rax) */
			 "pcmpeqd %%xmm2, %%xmm2\n\tpcmpeqd %%xmm3, %%xmm3\n\t"
			 "pcmpeqd %%xmm4, %%xmm4\n\t"
			 "movd 0x20(%0), %%xmm2\n\t"			/* 66 0f 6e */
			 "movq 0x28(%0), %%xmm3\n\t"			/* f3 0f 7e */
			 ".byte 0x66, 0x48, 0x0f, 0x6e, 0x60, 0x30\n\t"	/* movq 0x30(%rax), %xmm4 */
			 "movdqu %%xmm2, (%2)\n\tmovdqu %%xmm3, 16(%2)\n\tmovdqu %%xmm4, 32(%2)"
			 : : "a"(m), "r"(pat), "r"(movq_out) : "xmm1", "xmm2", "xmm3", "xmm4", "memory");
}

/*
 * KVM 6.1's emulator has no MOVD/MOVQ (an emulation failure there); vmxmon moves 4 or 8
 * bytes and zero-extends loads into the XMM register, as the CPU does.
 */
TEST_VMXMON_ONLY(movd_and_movq_between_xmm_and_mmio_move_4_or_8_bytes)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_movd_movq), 0, 0);
	const uint8_t *out = t_vm_gva2hva(vcpu->vm, movq_out, sizeof(movq_out));
	static const struct { uint16_t off; uint8_t len; } loads[] = {
		{ 0x20, 4 }, { 0x28, 8 }, { 0x30, 8 },
	};

	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA, 4, true);
	EXPECT_EQ(mmio_data(vcpu), le(pat, 4));
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 8, 8, true);
	EXPECT_EQ(mmio_data(vcpu), le(pat, 8));
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x10, 8, true);
	EXPECT_EQ(mmio_data(vcpu), le(pat, 8));
	for (size_t i = 0; i < ARRAY_SIZE(loads); i++) {
		vcpu_run_expect_mmio(vcpu, MMIO_GPA + loads[i].off, loads[i].len, false);
		answer(vcpu);
	}
	vcpu_run_done(vcpu);
	for (size_t i = 0; i < ARRAY_SIZE(loads); i++) {
		EXPECT_EQ(le(out + 16 * i, 8),
			  answered(MMIO_GPA + loads[i].off, loads[i].len));
		EXPECT_EQ(le(out + 16 * i + 8, 8), 0);		/* zero-extended */
	}
}
