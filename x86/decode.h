/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instruction decoder of the MMIO emulator: bytes and a mode in, the instruction out.
 * Pure (no vCPU, no VMCS, no kernel state): the module and the host unit test
 * (selftests/decode_test.c, `make check-host`) build the same x86/decode.c.
 *
 * It knows the instructions that access memory the way device drivers touch MMIO (SDM Vol.
 * 2): the MOV family (MOV r/m<->r, MOV r/m<-imm, MOV moffs, MOVZX, MOVSX, MOVNTI), the
 * string moves (MOVS, STOS, LODS, with or without REP) and the SSE/MMX moves KVM's emulator
 * takes (MOVUPS/MOVUPD, MOVAPS/MOVAPD, MOVNTPS/MOVNTPD, MOVDQA, MOVDQU, MOVNTDQ, MMX MOVQ)
 * plus MOVD/MOVQ between an XMM register and memory. Everything else is unsupported.
 */
#ifndef VMXMON_X86_DECODE_H
#define VMXMON_X86_DECODE_H

#include <linux/types.h>

#include "x86/regs.h"

#define X86_MAX_INSN_LEN	15

/* The default operand and address size of the code: CS.D, or 64-bit mode (SDM Vol. 1 3.6). */
enum x86_insn_mode {
	X86_INSN_16 = 2,
	X86_INSN_32 = 4,
	X86_INSN_64 = 8,
};

/* What the instruction does with its memory operand. */
enum x86_insn_op {
	X86_OP_NONE,
	X86_OP_LOAD,		/* MOV r, m; MOV AL/eAX, moffs */
	X86_OP_STORE_REG,	/* MOV m, r; MOV moffs, AL/eAX; MOVNTI */
	X86_OP_STORE_IMM,	/* MOV m, imm */
	X86_OP_LOAD_ZX,		/* MOVZX */
	X86_OP_LOAD_SX,		/* MOVSX */
	X86_OP_MOVS,		/* string: elements through rSI/rDI (and rCX with REP) */
	X86_OP_STOS,
	X86_OP_LODS,
	X86_OP_VEC_LOAD,	/* SSE/MMX: register <- memory */
	X86_OP_VEC_STORE,	/* SSE/MMX: memory <- register */
};

/* x86_insn_decode() results. */
enum {
	X86_DECODE_OK = 0,
	X86_DECODE_UNSUPPORTED = -1,	/* not an instruction the emulator runs */
	X86_DECODE_TRUNCATED = -2,	/* it needs bytes past the ones given */
};

struct x86_insn {
	u8 len;			/* bytes, prefixes included */
	u8 op;			/* enum x86_insn_op */
	u8 size;		/* access size (string: element size), 1 to 16 bytes */
	u8 dst_size;		/* MOVZX/MOVSX: the register's size */
	u8 reg;			/* enum x86_reg, or the XMM/MMX register of a vector move */
	bool high_byte;		/* AH, CH, DH, BH */
	bool aligned;		/* vector: #GP(0) unless the operand is 16-byte aligned */
	bool mmx;		/* vector: an MMX register, not an XMM one */
	u8 addr_size;		/* 2, 4 or 8 */
	u8 rep;			/* string: 0, or the last F2/F3 prefix */
	/*
	 * enum x86_seg of the memory operand: the override prefix, else the default (SS for
	 * addresses based on rBP/rSP, DS otherwise; string moves: the source's, DS).
	 */
	u8 seg;
	u64 imm;		/* MOV m, imm: the immediate (imm32 sign-extended to 64 bits) */
	/*
	 * The memory operand of the ModRM forms: disp + base + (index << scale), plus the next
	 * instruction's address if rip_rel; base and index are enum x86_reg or -1. MOV moffs:
	 * disp is the offset (zero-extended), no base or index.
	 */
	s8 base, index;
	u8 scale;
	bool rip_rel;
	u64 disp;
};

/*
 * Decode the instruction in @bytes[0, @len) (@len <= X86_MAX_INSN_LEN: the fetched bytes)
 * for code of default size @mode. Never reads past @len.
 */
int x86_insn_decode(const u8 *bytes, unsigned int len, enum x86_insn_mode mode,
		    struct x86_insn *insn);

#endif /* VMXMON_X86_DECODE_H */
