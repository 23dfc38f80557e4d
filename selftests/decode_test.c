// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the MMIO emulator's instruction decoder (x86/decode.c, the module's own
 * source built with lib/kshim/), under AddressSanitizer and UndefinedBehaviorSanitizer.
 *
 * The reference is independent of the decoder: decode_gen.py writes each case as assembly
 * source, the GNU assembler encodes it (bytes and length), and the script's own model of the
 * instruction it asked for says what must come out (operation, sizes, register, memory
 * operand, segment, prefixes); encodings the assembler does not write are .byte lines with
 * their fields written out from the SDM. Every case is also decoded from each of its proper
 * prefixes (the fetch stopped early: X86_DECODE_TRUNCATED, never a shorter instruction) and
 * with garbage after it (ignored). Then random bytes: any result, no crash, no read past the
 * given length (each input sits at the end of its own heap block, so ASan sees one byte
 * too far).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "x86/decode.h"

struct decode_expect {
	u8 op, size, dst_size, reg, high_byte, aligned, mmx, addr_size, rep, seg, pad;
	u64 imm;
	s8 base, index;
	u8 scale, rip_rel;
	u64 disp;
};

struct decode_case {
	const char *text;
	u8 mode;
	s8 result;
	struct decode_expect e;
};

#include "decode_cases.h"

/* decode_cases.S: the assembled bytes, and each case's offset and length in them. */
extern const u8 decode_bytes[];
extern const struct { u32 off, len; } decode_index[DECODE_NR_CASES];

/* Decode @len bytes of @src from a heap block of exactly that size. */
static int decode_exact(const u8 *src, unsigned int len, u8 mode, struct x86_insn *in)
{
	u8 *buf = malloc(len ? len : 1);
	int r;

	if (!buf)
		abort();
	memcpy(buf, src, len);
	/* A zero-length input: point just past the block, where ASan catches any read. */
	r = x86_insn_decode(len ? buf : buf + 1, len, mode, in);
	free(buf);
	return r;
}

static struct decode_expect got(const struct x86_insn *in)
{
	return (struct decode_expect){
		.op = in->op, .size = in->size, .dst_size = in->dst_size, .reg = in->reg,
		.high_byte = in->high_byte, .aligned = in->aligned, .mmx = in->mmx,
		.addr_size = in->addr_size, .rep = in->rep, .seg = in->seg, .imm = in->imm,
		.base = in->base, .index = in->index, .scale = in->scale,
		.rip_rel = in->rip_rel, .disp = in->disp,
	};
}

static void show(struct test_ctx *t, const char *what, const struct decode_expect *e)
{
	t_log(t, "  %s: op %u size %u dst %u reg %u high %u aligned %u mmx %u addr %u rep %#x "
	      "seg %u imm %#llx base %d index %d scale %u rip %u disp %#llx", what, e->op,
	      e->size, e->dst_size, e->reg, e->high_byte, e->aligned, e->mmx, e->addr_size,
	      e->rep, e->seg, (unsigned long long)e->imm, e->base, e->index, e->scale,
	      e->rip_rel, (unsigned long long)e->disp);
}

static bool same(const struct decode_expect *a, const struct decode_expect *b)
{
	return a->op == b->op && a->size == b->size && a->dst_size == b->dst_size &&
	       a->reg == b->reg && a->high_byte == b->high_byte && a->aligned == b->aligned &&
	       a->mmx == b->mmx && a->addr_size == b->addr_size && a->rep == b->rep &&
	       a->seg == b->seg && a->imm == b->imm && a->base == b->base &&
	       a->index == b->index && a->scale == b->scale && a->rip_rel == b->rip_rel &&
	       a->disp == b->disp;
}

static const char *mode_name(u8 mode)
{
	return mode == X86_INSN_64 ? "64-bit" : mode == X86_INSN_32 ? "32-bit" : "16-bit";
}

/* Report at most this many failing cases in full; count the rest. */
#define MAX_REPORTS 20

TEST_HOST(decoder_matches_the_assembler_on_every_emulated_instruction_form)
{
	unsigned int i, ok = 0, refused = 0, bad = 0;

	for (i = 0; i < DECODE_NR_CASES; i++) {
		const struct decode_case *c = &decode_cases[i];
		const u8 *bytes = decode_bytes + decode_index[i].off;
		unsigned int len = decode_index[i].len;
		struct decode_expect e = c->e, g;
		struct x86_insn in;
		int r = decode_exact(bytes, len, c->mode, &in);
		bool fine = r == c->result;

		e.pad = 0;
		g = got(&in);
		if (fine && r == X86_DECODE_OK)
			fine = in.len == len && same(&g, &e);
		if (fine) {
			r == X86_DECODE_OK ? ok++ : refused++;
			continue;
		}
		if (bad++ < MAX_REPORTS) {
			t_fail(t, __FILE__, __LINE__, "%s code: %s: result %d (want %d), length %u "
			       "(assembler: %u)", mode_name(c->mode), c->text, r, c->result,
			       r == X86_DECODE_OK ? in.len : 0, len);
			if (r == X86_DECODE_OK) {
				show(t, "decoded", &g);
				show(t, "wanted ", &e);
			}
		}
	}
	t_log(t, "%u cases: %u decoded as the reference says, %u refused as they must be, %u wrong",
	      DECODE_NR_CASES, ok, refused, bad);
	EXPECT_EQ(bad, 0);
	EXPECT_GT(ok, 5000);
}

TEST_HOST(decoder_reports_every_cut_short_instruction_as_truncated)
{
	unsigned int i, n, bad = 0, checked = 0;

	for (i = 0; i < DECODE_NR_CASES; i++) {
		const struct decode_case *c = &decode_cases[i];
		const u8 *bytes = decode_bytes + decode_index[i].off;
		struct x86_insn in;

		if (c->result != X86_DECODE_OK)
			continue;
		for (n = 0; n < decode_index[i].len; n++, checked++) {
			int r = decode_exact(bytes, n, c->mode, &in);

			if (r != X86_DECODE_TRUNCATED && bad++ < MAX_REPORTS)
				t_fail(t, __FILE__, __LINE__, "%s code: %s cut to %u bytes: %d, not "
				       "truncated", mode_name(c->mode), c->text, n, r);
		}
	}
	t_log(t, "%u cut-short inputs", checked);
	EXPECT_EQ(bad, 0);
}

TEST_HOST(decoder_ignores_the_bytes_after_the_instruction)
{
	unsigned int i, bad = 0;

	srand(14);
	for (i = 0; i < DECODE_NR_CASES; i++) {
		const struct decode_case *c = &decode_cases[i];
		unsigned int len = decode_index[i].len, k;
		u8 buf[X86_MAX_INSN_LEN];
		struct x86_insn in;
		struct decode_expect g, e = c->e;
		int r;

		if (c->result != X86_DECODE_OK || len >= X86_MAX_INSN_LEN)
			continue;
		memcpy(buf, decode_bytes + decode_index[i].off, len);
		for (k = len; k < X86_MAX_INSN_LEN; k++)
			buf[k] = rand();
		r = decode_exact(buf, X86_MAX_INSN_LEN, c->mode, &in);
		g = got(&in);
		e.pad = 0;
		if ((r != X86_DECODE_OK || in.len != len || !same(&g, &e)) && bad++ < MAX_REPORTS)
			t_fail(t, __FILE__, __LINE__, "%s code: %s followed by other bytes: %d, "
			       "length %u", mode_name(c->mode), c->text, r, in.len);
	}
	EXPECT_EQ(bad, 0);
}

/* Prefixes and opcodes the decoder acts on, to make random input reach deep. */
static const u8 interesting[] = {
	0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x40, 0x41, 0x44,
	0x48, 0x4c, 0x4f, 0x0f, 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa0, 0xa1, 0xa2, 0xa3,
	0xa4, 0xa5, 0xaa, 0xab, 0xac, 0xad, 0xb6, 0xb7, 0xbe, 0xbf, 0xc3, 0x10, 0x11, 0x28,
	0x29, 0x2b, 0x6e, 0x6f, 0x7e, 0x7f, 0xd6, 0xe7, 0x04, 0x05, 0x44, 0x84, 0x24, 0x25,
};

TEST_HOST(decoder_survives_random_bytes_within_their_length)
{
	static const u8 modes[] = { X86_INSN_16, X86_INSN_32, X86_INSN_64 };
	unsigned int i, results[3] = { 0 }, bad = 0;

	srand(1414);
	for (i = 0; i < 300000; i++) {
		unsigned int len = rand() % (X86_MAX_INSN_LEN + 1), k;
		u8 bytes[X86_MAX_INSN_LEN];
		struct x86_insn in;
		int r;

		for (k = 0; k < len; k++)
			bytes[k] = rand() % 3 ? interesting[rand() % sizeof(interesting)] : rand();
		r = decode_exact(bytes, len, modes[i % 3], &in);
		if (r != X86_DECODE_OK && r != X86_DECODE_UNSUPPORTED && r != X86_DECODE_TRUNCATED) {
			if (bad++ < MAX_REPORTS)
				t_fail(t, __FILE__, __LINE__, "result %d", r);
			continue;
		}
		results[-r]++;
		if (r != X86_DECODE_OK)
			continue;
		/* What it decoded must be a well-formed instruction within the input. */
		if ((in.len == 0 || in.len > len || in.size == 0 || in.size > 16 ||
		     (in.addr_size != 2 && in.addr_size != 4 && in.addr_size != 8) ||
		     in.op == X86_OP_NONE || in.op > X86_OP_VEC_STORE || in.seg > X86_SEG_GS ||
		     in.reg >= VCPU_NR_REGS) && bad++ < MAX_REPORTS)
			t_fail(t, __FILE__, __LINE__, "malformed: len %u of %u, size %u, op %u",
			       in.len, len, in.size, in.op);
	}
	t_log(t, "random inputs: %u decoded, %u unsupported, %u truncated", results[0],
	      results[1], results[2]);
	EXPECT_EQ(bad, 0);
	EXPECT_GT(results[0], 1000);	/* the interesting bytes do reach instructions */
}
