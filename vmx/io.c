// SPDX-License-Identifier: GPL-2.0
/*
 * Port-I/O exits (SDM Vol. 3C 28.2.1, table 28-5): what the exit qualification and the
 * VM-exit instruction information say about the IN, OUT, INS or OUTS, for x86/pio.c, which
 * does the rest (devices, userspace, string elements, completion).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "kmod/trace.h"
#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_REP		BIT(5)
#define IO_QUAL_PORT(q)		(((q) >> 16) & 0xffff)
#define IO_INFO_ADDR_SIZE(i)	(2 << (((i) >> 7) & 7))	/* 0: 16, 1: 32, 2: 64 bits */
#define IO_INFO_SEG(i)		(((i) >> 15) & 7)	/* enum x86_seg (SDM table 28-8) */

int vmx_handle_io(struct vmxmon_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	struct x86_pio_exit e = {
		.port = IO_QUAL_PORT(q),
		.size = IO_QUAL_SIZE(q),
		.in = q & IO_QUAL_IN,
		.string = q & IO_QUAL_STRING,
		.rep = q & IO_QUAL_REP,
		.insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN),
		.info = { q },
	};

	if (e.string) {
		u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);

		/* INS writes ES:rDI; OUTS reads DS:rSI or the override prefix's segment. */
		e.addr_size = IO_INFO_ADDR_SIZE(info);
		e.seg = e.in ? X86_SEG_ES : IO_INFO_SEG(info);
		e.info[1] = vmcs_readl(GUEST_LINEAR_ADDRESS);
	}
	trace_vmxmon_pio(vcpu->id, e.port, e.size, e.in, e.string, e.rep);
	return x86_handle_pio(vcpu, &e);
}
