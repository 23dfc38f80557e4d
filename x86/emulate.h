/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the MMIO emulator (x86/emulate.c: fetch, decode, the MOV forms, the accesses and
 * their completion; x86/emulate_string.c: MOVS/STOS/LODS; x86/emulate_sse.c: SSE/MMX moves).
 */
#ifndef VMXMON_X86_EMULATE_H
#define VMXMON_X86_EMULATE_H

#include "x86/x86.h"

/*
 * What became of an access: done (RAM or an in-kernel device), out to userspace (an MMIO
 * fragment, or a device's exit: kvm_run is filled), or a fault injected (the instruction,
 * or this element of it, did not happen).
 */
enum { MEM_DONE, MEM_EXIT, MEM_FAULT };

/* Checks x86_emul_mem_access() makes besides segmentation and paging. */
#define MEM_CHECK_AC		BIT(0)	/* #AC at CPL 3 (string elements) */
#define MEM_CHECK_ALIGN16	BIT(1)	/* #GP(0) unless 16-byte aligned (MOVAPS and kin) */

int x86_emul_mem_access(struct x86_ctxt *c, u8 seg, unsigned long ea, int len, bool write,
			unsigned int checks);
int x86_emul_failed(struct vmxmon_vcpu *vcpu, u64 gpa);

/* x86/emulate_string.c, x86/emulate_sse.c: from the start (@resume false) or on. */
int x86_emul_string(struct x86_ctxt *c, bool resume);
int x86_emul_sse(struct x86_ctxt *c, bool resume);

#endif /* VMXMON_X86_EMULATE_H */
