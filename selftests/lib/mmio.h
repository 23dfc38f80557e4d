/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the MMIO tests of string and vector moves (mmio_string_test, mmio_sse_test):
 * an MMIO window, a source pattern, userspace's answers to reads (a function of the address),
 * and labels around guest instructions so that the host knows their RIP.
 */
#ifndef VMXMON_SELFTESTS_MMIO_H
#define VMXMON_SELFTESTS_MMIO_H

#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "vm.h"

#define MMIO_GPA	0xd0000000ull	/* outside every memslot */
#define MMIO_GVA	0x40000000ull	/* mapped to MMIO_GPA */
#define LABEL(name, insn)						\
	".global " #name "\n" #name ": " insn "\n.global " #name "_end\n" #name "_end:\n"

/* The source of the guest's writes: pat[i] = 0xa0 + i. */
#define P8(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7
static const uint8_t pat[64] __attribute__((aligned(16))) = {
	P8(0xa0), P8(0xa8), P8(0xb0), P8(0xb8), P8(0xc0), P8(0xc8), P8(0xd0), P8(0xd8),
};

/* What userspace answers for the byte at gpa. */
static inline uint8_t byte_at(uint64_t gpa)
{
	return (uint8_t)(gpa * 7 + 3);
}

static inline uint64_t mmio_data(struct vcpu *vcpu)
{
	uint64_t data = 0;

	memcpy(&data, vcpu->run->mmio.data, vcpu->run->mmio.len);
	return data;
}

static inline void answer(struct vcpu *vcpu)
{
	for (uint32_t k = 0; k < vcpu->run->mmio.len; k++)
		vcpu->run->mmio.data[k] = byte_at(vcpu->run->mmio.phys_addr + k);
}

static inline uint64_t le(const uint8_t *p, int len)
{
	uint64_t v = 0;

	memcpy(&v, p, len);
	return v;
}

static inline uint64_t answered(uint64_t gpa, int len)
{
	uint8_t b[8];

	for (int k = 0; k < len; k++)
		b[k] = byte_at(gpa + k);
	return le(b, len);
}

/* The guest's next ucall is a SYNC of these three values. */
static inline void expect_sync(struct test_ctx *t, struct vcpu *vcpu, uint64_t a0,
			       uint64_t a1, uint64_t a2)
{
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], a0);
	EXPECT_EQ(uc.args[1], a1);
	EXPECT_EQ(uc.args[2], a2);
}

#endif
