/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register and segment numbering as instructions encode them, and the two ways an
 * instruction writes part of a register. Pure (no kernel state): the decoder's host unit
 * test builds it too.
 */
#ifndef VMXMON_X86_REGS_H
#define VMXMON_X86_REGS_H

#include <linux/types.h>

/* General-purpose registers in ModRM/REX order (SDM Vol. 2A 2.1.5). */
enum x86_reg {
	VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP, VCPU_RSI, VCPU_RDI,
	VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11, VCPU_R12, VCPU_R13, VCPU_R14, VCPU_R15,
	VCPU_NR_REGS
};

/* Segment registers in prefix and VMCS order (SDM Vol. 2A 2.1.1, Vol. 3D table B-1). */
enum x86_seg {
	X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
	X86_SEG_NONE,			/* no override prefix: the instruction's default */
};

/* The low @bytes (1, 2, 4 or 8) of a register or address. */
static inline u64 x86_size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

/*
 * Write @val to the low @bytes of *@reg as an instruction with that operand or address size
 * does (SDM Vol. 1 3.4.1.1): a 32-bit destination zero-extends to 64 bits, 8- and 16-bit
 * ones keep the bits above; @high_byte: AH, CH, DH or BH (bits 15:8).
 */
static inline void x86_reg_write(unsigned long *reg, u64 val, unsigned int bytes,
				 bool high_byte)
{
	if (high_byte)
		*reg = (*reg & ~0xff00ul) | ((val & 0xff) << 8);
	else if (bytes == 4)
		*reg = (u32)val;
	else
		*reg = (*reg & ~(unsigned long)x86_size_mask(bytes)) |
		       (val & x86_size_mask(bytes));
}

#endif /* VMXMON_X86_REGS_H */
