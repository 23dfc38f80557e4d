/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed VMCS accessors. A field's encoding says its width (SDM Vol. 3D B: bits 14:13 are
 * 0 16-bit, 1 64-bit, 2 32-bit, 3 natural width; bit 0 selects the high half of a 64-bit
 * field), so using the wrong accessor for a constant field fails the build.
 */
#ifndef VMXMON_VMCS_H
#define VMXMON_VMCS_H

#include <linux/build_bug.h>
#include <asm/vmx.h>

#include "vmx/vmx_ops.h"

#define VMCS_FIELD_WIDTH(f)	(((f) >> 13) & 3)
#define VMCS_FIELD_WIDTH_16	0
#define VMCS_FIELD_WIDTH_64	1
#define VMCS_FIELD_WIDTH_32	2
#define VMCS_FIELD_WIDTH_NAT	3

#define vmcs_check_width(field, width)						\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&				\
			 (VMCS_FIELD_WIDTH(field) != (width) ||			\
			  ((width) == VMCS_FIELD_WIDTH_64 && ((field) & 1))),	\
			 "VMCS field accessed with the wrong width")

static __always_inline u16 vmcs_read16(unsigned long field)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_16);
	return __vmcs_readl(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_32);
	return __vmcs_readl(field);
}

static __always_inline u64 vmcs_read64(unsigned long field)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_64);
	return __vmcs_readl(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_NAT);
	return __vmcs_readl(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_16);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_32);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_64);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_writel(unsigned long field, unsigned long value)
{
	vmcs_check_width(field, VMCS_FIELD_WIDTH_NAT);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_set_bits32(unsigned long field, u32 mask)
{
	vmcs_write32(field, vmcs_read32(field) | mask);
}

static __always_inline void vmcs_clear_bits32(unsigned long field, u32 mask)
{
	vmcs_write32(field, vmcs_read32(field) & ~mask);
}

#endif /* VMXMON_VMCS_H */
