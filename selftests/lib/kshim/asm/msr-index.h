/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_ASM_MSR_INDEX_H
#define KSHIM_ASM_MSR_INDEX_H
#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NX		(1ULL << 11)
#endif
