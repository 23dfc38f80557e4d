/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_ASM_TRAPNR_H
#define KSHIM_ASM_TRAPNR_H
#define X86_TRAP_SS	12
#define X86_TRAP_GP	13
#define X86_TRAP_PF	14
#endif
