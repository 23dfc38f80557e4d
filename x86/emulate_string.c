// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO by MOVS, STOS and LODS, with or without REP: memcpy_toio(), memset_io() and
 * memcpy_fromio() are made of them. The exits are KVM's (arch/x86/kvm/emulate.c and x86.c,
 * Linux 6.1), so that a VMM sees the same sequence on both devices:
 * - Each element is one access (x86_emul_mem_access()): split at page boundaries, RAM parts
 *   copied here, MMIO parts through the kernel's devices, the rest to userspace 8 bytes per
 *   KVM_EXIT_MMIO; the fragments of one access follow each other without entering the guest.
 * - REP string instructions move one element per MMIO access. After an element whose write
 *   went to userspace, RCX/RSI/RDI are already updated and RIP stays on the instruction; the
 *   guest runs it again (so interrupts are taken between elements, as on hardware). After
 *   an element read from MMIO, the next elements are emulated here until one needs
 *   userspace again, RCX reaches a multiple of 1024, or RCX reaches 0. The instruction that
 *   finishes with RCX = 0 leaves RIP on it: the guest executes it once more, as a no-op.
 * - A read exit shows the registers as they were before that element; the element completes
 *   on the next KVM_RUN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/processor-flags.h>

#include "x86/emulate.h"

/*
 * Intel CPUs, on a REP string instruction with a 32-bit address size and ECX = 0, clear RCX
 * and the upper halves of the pointers it uses; KVM (string_registers_quirk()) does too.
 */
static void string_quirk(struct x86_ctxt *c, const struct x86_insn *in)
{
	unsigned long *regs = vcpu_x86(c->vcpu)->regs;

	if (in->addr_size != 4 || !c->st.long64)
		return;
	regs[VCPU_RCX] = 0;
	if (in->op == X86_OP_MOVS)
		regs[VCPU_RSI] = (u32)regs[VCPU_RSI];
	if (in->op != X86_OP_LODS)
		regs[VCPU_RDI] = (u32)regs[VCPU_RDI];
}

/*
 * Run the string instruction in mmio.insn: from its start after the MMIO access
 * (@have_src false), or on from the element whose MMIO read userspace has just completed.
 */
int x86_emul_string(struct x86_ctxt *c, bool have_src)
{
	struct vmxmon_vcpu *vcpu = c->vcpu;
	struct x86_vcpu *x = vcpu_x86(vcpu);
	struct x86_mmio *m = &x->mmio;
	const struct x86_insn *in = &m->insn;
	unsigned long mask = x86_size_mask(in->addr_size), *rcx = &x->regs[VCPU_RCX];
	long step = c->st.rflags & X86_EFLAGS_DF ? -in->size : in->size;
	int r, wrote = MEM_DONE;

	for (;;) {
		if (!have_src) {
			if (in->rep && !(*rcx & mask)) {	/* nothing (left) to move */
				string_quirk(c, in);
				x86_call(advance_rip)(vcpu, in->len);
				return 1;
			}
			memset(m->data, 0, sizeof(m->data));
			if (in->op == X86_OP_STOS) {
				memcpy(m->data, &x->regs[VCPU_RAX], in->size);
			} else {
				r = x86_emul_mem_access(c, in->seg, x->regs[VCPU_RSI] & mask,
							in->size, false, MEM_CHECK_AC);
				if (r < 0)
					return x86_emul_failed(vcpu, 0);
				if (r == MEM_FAULT)
					return 1;	/* RIP stays: the element faulted */
				if (r == MEM_EXIT)
					return 0;	/* this element completes on KVM_RUN */
			}
		}
		have_src = false;

		if (in->op == X86_OP_LODS) {
			u64 val = 0;

			memcpy(&val, m->data, in->size);
			x86_reg_write(&x->regs[VCPU_RAX], val, in->size, false);
		} else {
			wrote = x86_emul_mem_access(c, X86_SEG_ES, x->regs[VCPU_RDI] & mask,
						    in->size, true, MEM_CHECK_AC);
			if (wrote < 0)
				return x86_emul_failed(vcpu, 0);
			if (wrote == MEM_FAULT)
				return 1;
		}
		if (in->op != X86_OP_STOS)
			x86_reg_write(&x->regs[VCPU_RSI], x->regs[VCPU_RSI] + step, in->addr_size,
				      false);
		if (in->op != X86_OP_LODS)
			x86_reg_write(&x->regs[VCPU_RDI], x->regs[VCPU_RDI] + step, in->addr_size,
				      false);
		if (!in->rep) {
			x86_call(advance_rip)(vcpu, in->len);
			return wrote == MEM_EXIT ? 0 : 1;
		}
		x86_reg_write(rcx, *rcx - 1, in->addr_size, false);
		/* KVM goes on in the kernel unless userspace has a write, or every 1024. */
		if (wrote == MEM_EXIT || !(*rcx & 0x3ff))
			return wrote == MEM_EXIT ? 0 : 1;	/* RIP stays on the instruction */
	}
}
