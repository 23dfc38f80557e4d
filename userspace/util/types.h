/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-width types under the kernel's short names, as kvmtool spells them. */
#ifndef VMXRUN_UTIL_TYPES_H
#define VMXRUN_UTIL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define ALIGN_UP(x, a)	ALIGN_DOWN((x) + (a) - 1, a)
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define KiB		(1ULL << 10)
#define MiB		(1ULL << 20)
#define GiB		(1ULL << 30)

/* Little-endian loads/stores on possibly unaligned guest or file bytes (x86 host). */
static inline u64 le_get(const void *p, u32 len)
{
	u64 v = 0;

	for (u32 i = 0; i < len && i < 8; i++)
		v |= (u64)((const u8 *)p)[i] << (8 * i);
	return v;
}

static inline void le_put(void *p, u32 len, u64 v)
{
	for (u32 i = 0; i < len && i < 8; i++)
		((u8 *)p)[i] = (u8)(v >> (8 * i));
}

#endif
