// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO emulator's instruction decoder (see decode.h): legacy prefixes, REX, the opcode
 * and its ModRM/SIB/displacement/immediate bytes (SDM Vol. 2A chapter 2), for the
 * instructions the emulator runs. Each step first checks that its bytes were given: an
 * instruction that needs more is X86_DECODE_TRUNCATED (its fetch may have stopped at a page
 * or the CS limit, whose fault the caller then raises, as the CPU would).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "x86/decode.h"

struct decoder {
	const u8 *b;
	unsigned int avail;
	struct x86_insn *in;
};

/* Were bytes [0, @n) given? */
static bool has(const struct decoder *d, unsigned int n)
{
	return n <= d->avail;
}

/*
 * @n (1, 2, 4 or 8) bytes at @pos, little-endian; the caller checked has(pos + n). One load
 * per size, not a loop over the bytes: this is on every MMIO and APIC-access exit's path
 * (x86 only, as the host test that builds this file: both are little-endian; the builtin
 * because the host test has no <linux/string.h>).
 */
static u64 get_le(const struct decoder *d, unsigned int pos, unsigned int n)
{
	const u8 *p = d->b + pos;
	u32 v32;
	u16 v16;
	u64 v64;

	switch (n) {
	case 1:
		return *p;
	case 2:
		__builtin_memcpy(&v16, p, sizeof(v16));
		return v16;
	case 4:
		__builtin_memcpy(&v32, p, sizeof(v32));
		return v32;
	default:
		__builtin_memcpy(&v64, p, sizeof(v64));
		return v64;
	}
}

static s64 sign_extend(u64 v, unsigned int bytes)
{
	return bytes == 1 ? (s8)v : bytes == 2 ? (s16)v : bytes == 4 ? (s32)v : (s64)v;
}

/* Segment-override prefixes, + 1 (0: not one). */
static const u8 seg_prefix[256] = {
	[0x26] = X86_SEG_ES + 1, [0x2e] = X86_SEG_CS + 1, [0x36] = X86_SEG_SS + 1,
	[0x3e] = X86_SEG_DS + 1, [0x64] = X86_SEG_FS + 1, [0x65] = X86_SEG_GS + 1,
};

/* 16-bit addressing by ModRM.rm (SDM Vol. 2A table 2-1): [BX+SI] [BX+DI] [BP+SI] ... [BX]. */
static const s8 base16[8] = { VCPU_RBX, VCPU_RBX, VCPU_RBP, VCPU_RBP, -1, -1, VCPU_RBP, VCPU_RBX };
static const s8 index16[8] = { VCPU_RSI, VCPU_RDI, VCPU_RSI, VCPU_RDI, VCPU_RSI, VCPU_RDI, -1, -1 };

/*
 * The memory operand at ModRM byte @pos (SDM Vol. 2A 2.1.5, tables 2-1 to 2-3, and 2.2.1.6
 * for RIP-relative addressing): its registers, displacement and default segment. Returns
 * the length of ModRM + SIB + displacement, or an X86_DECODE_* error: a register operand
 * (mod 3) is not a memory access.
 */
static int decode_modrm(struct decoder *d, unsigned int pos, u8 rex, bool long64)
{
	struct x86_insn *in = d->in;
	u8 modrm = d->b[pos], mod = modrm >> 6, rm = modrm & 7;
	unsigned int n = 1, disp_size = mod == 1 ? 1 : mod == 2 ? (in->addr_size == 2 ? 2 : 4) : 0;

	if (mod == 3)
		return X86_DECODE_UNSUPPORTED;
	if (in->addr_size == 2) {
		if (mod == 0 && rm == 6) {
			disp_size = 2;
		} else {
			in->base = base16[rm];
			in->index = index16[rm];
		}
	} else if (rm == 4) {
		u8 sib;

		if (!has(d, pos + 2))
			return X86_DECODE_TRUNCATED;
		sib = d->b[pos + n++];
		in->scale = sib >> 6;
		in->index = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
		if (in->index == VCPU_RSP)
			in->index = -1;		/* no index (R12 is one) */
		in->base = (sib & 7) | (rex & 1 ? 8 : 0);
		if (mod == 0 && (sib & 7) == 5) {
			in->base = -1;
			disp_size = 4;
		}
	} else if (mod == 0 && rm == 5) {
		disp_size = 4;
		in->rip_rel = long64;		/* else an absolute disp32 */
	} else {
		in->base = rm | (rex & 1 ? 8 : 0);
	}
	if (!has(d, pos + n + disp_size))
		return X86_DECODE_TRUNCATED;
	in->disp = disp_size ? sign_extend(get_le(d, pos + n, disp_size), disp_size) : 0;
	/* Without an override, addresses based on rBP or rSP are in SS (SDM Vol. 1 3.7.5). */
	if (in->seg == X86_SEG_NONE)
		in->seg = in->base == VCPU_RSP || in->base == VCPU_RBP ? X86_SEG_SS : X86_SEG_DS;
	return n + disp_size;
}

/*
 * 0F xx at @pos with its mandatory prefix @simd (none, 66, F2 or F3): the vector moves of
 * KVM 6.1's emulator (twobyte_table) and MOVD/MOVQ.
 */
static int decode_vector(struct decoder *d, unsigned int pos, u8 rex, u8 simd, bool long64)
{
	struct x86_insn *in = d->in;
	u8 op = d->b[pos++];
	bool no_or_66 = simd == 0 || simd == 0x66;
	int n;

	in->size = 16;
	switch (op) {
	case 0x10: case 0x11:		/* MOVUPS, MOVUPD */
		if (!no_or_66)
			return X86_DECODE_UNSUPPORTED;
		break;
	case 0x28: case 0x29:		/* MOVAPS, MOVAPD */
	case 0x2b:			/* MOVNTPS, MOVNTPD */
		if (!no_or_66)
			return X86_DECODE_UNSUPPORTED;
		in->aligned = true;
		break;
	case 0x6f: case 0x7f:		/* 66: MOVDQA, F3: MOVDQU, none: MMX MOVQ */
		if (simd == 0xf2)
			return X86_DECODE_UNSUPPORTED;
		in->aligned = simd == 0x66;
		in->mmx = !simd;
		if (in->mmx)
			in->size = 8;
		break;
	case 0xe7:			/* MOVNTDQ */
		if (simd != 0x66)
			return X86_DECODE_UNSUPPORTED;
		in->aligned = true;
		break;
	case 0x6e:			/* MOVD/MOVQ xmm, r/m32/64 */
		if (simd != 0x66)
			return X86_DECODE_UNSUPPORTED;
		in->size = rex & 8 ? 8 : 4;
		break;
	case 0x7e:			/* 66: MOVD/MOVQ r/m, xmm; F3: MOVQ xmm, m64 */
		if (simd != 0x66 && simd != 0xf3)
			return X86_DECODE_UNSUPPORTED;
		in->size = simd == 0xf3 || (rex & 8) ? 8 : 4;
		break;
	case 0xd6:			/* MOVQ m64, xmm */
		if (simd != 0x66)
			return X86_DECODE_UNSUPPORTED;
		in->size = 8;
		break;
	default:
		return X86_DECODE_UNSUPPORTED;
	}
	in->op = op == 0x10 || op == 0x28 || op == 0x6f || op == 0x6e ||
		 (op == 0x7e && simd == 0xf3) ? X86_OP_VEC_LOAD : X86_OP_VEC_STORE;
	in->rep = 0;			/* it was the mandatory prefix */
	if (!has(d, pos + 1))
		return X86_DECODE_TRUNCATED;
	in->reg = ((d->b[pos] >> 3) & 7) | (rex & 4 && !in->mmx ? 8 : 0);
	n = decode_modrm(d, pos, rex, long64);
	if (n < 0)
		return n;
	in->len = pos + n;
	return X86_DECODE_OK;
}

int x86_insn_decode(const u8 *bytes, unsigned int len, enum x86_insn_mode mode,
		    struct x86_insn *in)
{
	struct decoder d = { .b = bytes, .avail = len, .in = in };
	bool long64 = mode == X86_INSN_64, cs_d = mode == X86_INSN_32;
	unsigned int opsize = long64 || cs_d ? 4 : 2, pos = 0, imm_size = 0;
	bool op66 = false, lock = false;
	u8 rex = 0, op;
	int n;

	*in = (struct x86_insn){ .seg = X86_SEG_NONE, .base = -1, .index = -1 };
	in->addr_size = mode;
	for (;; pos++) {			/* legacy prefixes (SDM Vol. 2A 2.1.1) */
		if (!has(&d, pos + 1))
			return X86_DECODE_TRUNCATED;
		op = bytes[pos];
		if (op == 0x66)
			op66 = true;
		else if (op == 0x67)
			in->addr_size = long64 ? 4 : cs_d ? 2 : 4;
		else if (seg_prefix[op])
			in->seg = seg_prefix[op] - 1;
		else if (op == 0xf2 || op == 0xf3)
			in->rep = op;		/* the last one counts */
		else if (op == 0xf0)
			lock = true;
		else
			break;
	}
	if (op66)
		opsize = opsize == 2 ? 4 : 2;
	if (long64 && (op & 0xf0) == 0x40) {	/* REX, right before the opcode (2.2.1) */
		rex = op;
		if (!has(&d, ++pos + 1))
			return X86_DECODE_TRUNCATED;
		op = bytes[pos];
	}
	if (rex & 8)
		opsize = 8;
	pos++;
	if (lock)
		return X86_DECODE_UNSUPPORTED;	/* no MOV takes LOCK (#UD) */

	switch (op) {
	case 0xa4 ... 0xa5:			/* MOVS */
	case 0xaa ... 0xad:			/* STOS, LODS */
		in->op = op < 0xaa ? X86_OP_MOVS : op < 0xac ? X86_OP_STOS : X86_OP_LODS;
		in->size = op & 1 ? opsize : 1;
		if (in->seg == X86_SEG_NONE)
			in->seg = X86_SEG_DS;
		in->len = pos;
		return X86_DECODE_OK;
	case 0x0f:
		if (!has(&d, pos + 1))
			return X86_DECODE_TRUNCATED;
		if (bytes[pos] != 0xb6 && bytes[pos] != 0xb7 && bytes[pos] != 0xbe &&
		    bytes[pos] != 0xbf && bytes[pos] != 0xc3) {
			if (op66 && in->rep)
				return X86_DECODE_UNSUPPORTED;
			return decode_vector(&d, pos, rex, op66 ? 0x66 : in->rep, long64);
		}
		break;
	}
	if (in->rep)
		return X86_DECODE_UNSUPPORTED;	/* REP: not a plain MOV */

	switch (op) {
	case 0x88: in->op = X86_OP_STORE_REG; in->size = 1; break;
	case 0x89: in->op = X86_OP_STORE_REG; in->size = opsize; break;
	case 0x8a: in->op = X86_OP_LOAD; in->size = 1; break;
	case 0x8b: in->op = X86_OP_LOAD; in->size = opsize; break;
	case 0xc6: in->op = X86_OP_STORE_IMM; in->size = 1; imm_size = 1; break;
	case 0xc7:
		in->op = X86_OP_STORE_IMM;
		in->size = opsize;
		imm_size = opsize < 4 ? opsize : 4;
		break;
	case 0xa0 ... 0xa3:			/* MOV AL/eAX <-> moffs */
		in->op = op & 2 ? X86_OP_STORE_REG : X86_OP_LOAD;
		in->size = op & 1 ? opsize : 1;
		in->reg = VCPU_RAX;
		in->len = pos + in->addr_size;
		if (!has(&d, in->len))
			return X86_DECODE_TRUNCATED;
		in->disp = get_le(&d, pos, in->addr_size);
		if (in->seg == X86_SEG_NONE)
			in->seg = X86_SEG_DS;
		return X86_DECODE_OK;
	case 0x0f:
		op = bytes[pos++];		/* has() checked above */
		if (op == 0xc3) {		/* MOVNTI m32/m64, r */
			/*
			 * NP 0F C3 (SDM Vol. 2B): 32 bits, 64 with REX.W, whatever the code's
			 * default operand size; a 66 prefix is not allowed.
			 */
			if (op66)
				return X86_DECODE_UNSUPPORTED;
			in->op = X86_OP_STORE_REG;
			in->size = rex & 8 ? 8 : 4;
			break;
		}
		in->op = op & 8 ? X86_OP_LOAD_SX : X86_OP_LOAD_ZX;
		in->size = op & 1 ? 2 : 1;
		in->dst_size = opsize;
		break;
	default:
		return X86_DECODE_UNSUPPORTED;
	}
	if (!has(&d, pos + 1))
		return X86_DECODE_TRUNCATED;
	in->reg = ((bytes[pos] >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (in->op == X86_OP_STORE_IMM && (bytes[pos] & 0x38))
		return X86_DECODE_UNSUPPORTED;	/* C6/C7 /0 only */
	/* Byte registers 4-7 without REX are AH, CH, DH, BH (SDM Vol. 2A 3.1.1.1). */
	if (in->size == 1 && !rex && in->reg >= 4 && in->op != X86_OP_LOAD_ZX &&
	    in->op != X86_OP_LOAD_SX && in->op != X86_OP_STORE_IMM) {
		in->reg -= 4;
		in->high_byte = true;
	}
	n = decode_modrm(&d, pos, rex, long64);
	if (n < 0)
		return n;
	pos += n;
	if (imm_size) {
		if (!has(&d, pos + imm_size))
			return X86_DECODE_TRUNCATED;
		in->imm = get_le(&d, pos, imm_size);
		if (imm_size == 4 && opsize == 8)	/* imm32 sign-extended to 64 */
			in->imm = (s64)(s32)in->imm;
		pos += imm_size;
	}
	in->len = pos;
	return X86_DECODE_OK;
}
