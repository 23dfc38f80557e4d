// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO by string and SSE moves, the instructions memcpy_toio(), memcpy_fromio() and
 * memset_io() are made of: MOVS, STOS and LODS (with or without REP), and the vector moves
 * KVM's emulator handles (MOVUPS/MOVUPD, MOVAPS/MOVAPD, MOVNTPS/MOVNTPD, MOVDQA, MOVDQU,
 * MOVNTDQ, MMX MOVQ) plus MOVD/MOVQ between an XMM register and memory.
 *
 * The exits are KVM's (arch/x86/kvm/emulate.c and x86.c, Linux 6.1), so that a VMM sees the
 * same sequence on both devices:
 * - An access is split at page boundaries; RAM parts are copied here, MMIO parts go to
 *   userspace 8 bytes per KVM_EXIT_MMIO (a 16-byte SSE access is two exits). The fragments
 *   of one access follow each other without entering the guest.
 * - REP string instructions move one element per MMIO access. After an element whose write
 *   went to userspace, RCX/RSI/RDI are already updated and RIP stays on the instruction; the
 *   guest runs it again (so interrupts are taken between elements, as on hardware). After
 *   an element read from MMIO, the next elements are emulated here until one needs
 *   userspace again, RCX reaches a multiple of 1024, or RCX reaches 0. The instruction that
 *   finishes with RCX = 0 leaves RIP on it: the guest executes it once more, as a no-op.
 * - A read exit shows the registers as they were before that element; the element completes
 *   on the next KVM_RUN.
 * Guest XMM/MMX registers are live in the CPU during KVM_RUN (vmx_vcpu_run_begin()), unless
 * the task was preempted since: then the FPU core reloads them first (switch_fpu_return()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/fpu/api.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/unaligned.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

/*
 * What to do after an access: all in RAM, MMIO fragments queued for userspace, or a fault
 * injected (the instruction, or this element of it, did not happen).
 */
enum { MEM_DONE, MEM_EXIT, MEM_FAULT };

/* Checks mem_access() makes besides segmentation and paging. */
#define MEM_CHECK_AC		BIT(0)	/* #AC at CPL 3 (string elements) */
#define MEM_CHECK_ALIGN16	BIT(1)	/* #GP(0) unless 16-byte aligned (MOVAPS and kin) */

static unsigned long gpr(struct vmx_vcpu *vmx, int r)
{
	return r == VCPU_RSP ? vmcs_readl(GUEST_RSP) : vmx->regs[r];
}

static unsigned long ad_mask(int bytes)
{
	return bytes == 8 ? ~0ul : (1ul << (bytes * 8)) - 1;
}

/* Write @val to the low @bytes of an address register, as the CPU does (32 bits: zero-extend). */
static void assign_reg(unsigned long *reg, unsigned long val, int bytes)
{
	unsigned long mask = ad_mask(bytes);

	*reg = bytes == 4 ? (u32)val : (*reg & ~mask) | (val & mask);
}

/*
 * Access @len (<= 16) bytes at offset @ea of segment @seg, with the data in mmio.data,
 * after the checks the CPU makes and KVM's emulator makes again (__linearize(), the page
 * walk): segment type and limit or a canonical address (#GP/#SS), @checks, paging at the
 * guest's CPL with accessed/dirty flags (#PF). Every page is checked before any byte
 * moves. RAM pieces are copied now; MMIO pieces become fragments and the first one exits
 * (MEM_EXIT). A failed check injects its fault (MEM_FAULT). -EFAULT: page tables outside
 * guest RAM; -EOPNOTSUPP: the in-kernel xAPIC page.
 */
static int mem_access(struct vmxmon_vcpu *vcpu, u8 seg, unsigned long ea, int len, bool write,
		      unsigned int checks)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_mmio *m = &vmx->mmio;
	u32 access = write ? VMX_ACC_WRITE : 0;
	int off, n = 0, chunk[2] = { len, 0 };
	struct vmx_fault f;
	unsigned long la;
	u64 gpa[2];
	int r = vmx_linearize(vcpu, seg, ea, len, access, &la, &f);

	if (!r && (checks & MEM_CHECK_ALIGN16) && (la & 15)) {
		f = (struct vmx_fault){ .vector = X86_TRAP_GP };
		r = VMX_FAULT;
	}
	for (off = 0; !r && off < len; off += chunk[n++]) {
		unsigned long lin = vmx_guest_64bit() ? la + off : (u32)(la + off);

		chunk[n] = min_t(int, len - off, PAGE_SIZE - offset_in_page(lin));
		r = vmx_translate(vcpu, lin, access, &gpa[n], &f);
	}
	if (!r && (checks & MEM_CHECK_AC))
		r = vmx_check_alignment(la, len, &f);
	if (r == VMX_FAULT) {
		vmx_inject_fault(vcpu, &f);
		return MEM_FAULT;
	}
	if (r)
		return r;

	m->nfrag = 0;
	m->cur = 0;
	m->is_write = write;
	for (off = 0, n = 0; off < len; off += chunk[n++]) {
		if (!vmx_gpa_ram_access(vcpu->vm, gpa[n], m->data + off, chunk[n], write))
			continue;
		if (vmx_lapic_mmio_owns(vmx->lapic, gpa[n]))
			return -EOPNOTSUPP;
		m->frag[m->nfrag++] = (struct vmx_mmio_frag){
			.gpa = gpa[n], .off = off, .len = chunk[n],
		};
	}
	if (!m->nfrag)
		return MEM_DONE;
	vmx_mmio_exit(vcpu);
	return MEM_EXIT;
}

/* ---- SSE moves ---- */

/* ModRM + SIB + displacement: the effective address and its length (SDM Vol. 2A 2.1.5). */
static int modrm_ea(struct vmxmon_vcpu *vcpu, struct vmx_insn *in, int pos, u8 rex)
{
	static const s8 base16[8] = { VCPU_RBX, VCPU_RBX, VCPU_RBP, VCPU_RBP, -1, -1, VCPU_RBP,
				      VCPU_RBX };
	static const s8 index16[8] = { VCPU_RSI, VCPU_RDI, VCPU_RSI, VCPU_RDI, VCPU_RSI, VCPU_RDI,
				       -1, -1 };
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u8 modrm = in->bytes[pos], mod = modrm >> 6, rm = modrm & 7;
	int n = 1, disp_size = mod == 1 ? 1 : mod == 2 ? (in->addr_size == 2 ? 2 : 4) : 0;
	int base = -1, index = -1, scale = 0;
	bool rip_rel = false;
	unsigned long ea = 0;
	s64 disp = 0;

	if (mod == 3)
		return -1;
	if (in->addr_size == 2) {
		if (mod == 0 && rm == 6) {
			disp_size = 2;
		} else {
			base = base16[rm];
			index = index16[rm];
		}
	} else if (rm == 4) {
		u8 sib;

		if (!vmx_insn_has(in, pos + 2))
			return -1;
		sib = in->bytes[pos + n++];
		scale = sib >> 6;
		index = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
		if (index == VCPU_RSP)
			index = -1;
		base = (sib & 7) | (rex & 1 ? 8 : 0);
		if (mod == 0 && (sib & 7) == 5) {
			base = -1;
			disp_size = 4;
		}
	} else if (mod == 0 && rm == 5) {
		disp_size = 4;
		rip_rel = vmx_guest_64bit();
	} else {
		base = rm | (rex & 1 ? 8 : 0);
	}
	if (!vmx_insn_has(in, pos + n + disp_size))
		return -1;
	if (disp_size == 1)
		disp = (s8)in->bytes[pos + n];
	else if (disp_size == 2)
		disp = (s16)get_unaligned((u16 *)&in->bytes[pos + n]);
	else if (disp_size == 4)
		disp = (s32)get_unaligned((u32 *)&in->bytes[pos + n]);
	n += disp_size;

	ea = disp;
	if (base >= 0)
		ea += gpr(vmx, base);
	if (index >= 0)
		ea += gpr(vmx, index) << scale;
	if (rip_rel)		/* relative to the next instruction (no immediates follow) */
		ea += vmcs_readl(GUEST_RIP) + pos + n;
	/* Without an override, addresses based on (E)BP or (E)SP are in SS (SDM Vol. 1 3.7.4). */
	if (in->seg == VMX_SEG_NONE)
		in->seg = base == VCPU_RSP || base == VCPU_RBP ? VMX_SEG_SS : VMX_SEG_DS;
	in->ea = ea & ad_mask(in->addr_size);
	return n;
}

/*
 * 0F xx with its mandatory prefix (none, 66, F2 or F3): KVM's set (6.1 emulate.c
 * twobyte_table) and MOVD/MOVQ. Returns -1 for anything else (emulation failure).
 */
int vmx_decode_vector(struct vmxmon_vcpu *vcpu, struct vmx_insn *in, int pos, u8 rex,
		      u8 simd_prefix)
{
	u8 op = in->bytes[pos++];
	bool no_or_66 = simd_prefix == 0 || simd_prefix == 0x66;
	int n;

	in->size = 16;
	switch (op) {
	case 0x10: case 0x11:		/* MOVUPS, MOVUPD */
		if (!no_or_66)
			return -1;
		break;
	case 0x28: case 0x29:		/* MOVAPS, MOVAPD */
	case 0x2b:			/* MOVNTPS, MOVNTPD */
		if (!no_or_66)
			return -1;
		in->aligned = true;
		break;
	case 0x6f: case 0x7f:		/* 66: MOVDQA, F3: MOVDQU, none: MMX MOVQ */
		if (simd_prefix == 0xf2)
			return -1;
		in->aligned = simd_prefix == 0x66;
		in->mmx = !simd_prefix;
		if (in->mmx)
			in->size = 8;
		break;
	case 0xe7:			/* MOVNTDQ */
		if (simd_prefix != 0x66)
			return -1;
		in->aligned = true;
		break;
	case 0x6e:			/* MOVD/MOVQ xmm, r/m32/64 */
		if (simd_prefix != 0x66)
			return -1;
		in->size = rex & 8 ? 8 : 4;
		break;
	case 0x7e:			/* 66: MOVD/MOVQ r/m, xmm; F3: MOVQ xmm, m64 */
		if (simd_prefix != 0x66 && simd_prefix != 0xf3)
			return -1;
		in->size = simd_prefix == 0xf3 || (rex & 8) ? 8 : 4;
		break;
	case 0xd6:			/* MOVQ m64, xmm */
		if (simd_prefix != 0x66)
			return -1;
		in->size = 8;
		break;
	default:
		return -1;
	}
	in->op = op == 0x10 || op == 0x28 || op == 0x6f || op == 0x6e ||
		 (op == 0x7e && simd_prefix == 0xf3) ? MMIO_VEC_LOAD : MMIO_VEC_STORE;
	in->rep = 0;
	if (!vmx_insn_has(in, pos + 1))
		return -1;
	in->reg = ((in->bytes[pos] >> 3) & 7) | (rex & 4 && !in->mmx ? 8 : 0);
	n = modrm_ea(vcpu, in, pos, rex);
	if (n < 0)
		return -1;
	in->len = pos + n;
	return 0;
}

/*
 * The FPU registers hold the guest's values during KVM_RUN; make sure they are loaded
 * (a preemption may have saved them), and keep them there while we use them.
 */
static void guest_fpregs_lock(void)
{
	fpregs_lock();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

/*
 * Move between @buf and the instruction's register. An MMX move faults (#MF) while the
 * guest's x87 state has an unmasked exception pending, here as in the guest: that is
 * checked first (FWAIT, fixed up), and nothing moves (-1).
 */
static int vector_reg_access(const struct vmx_insn *in, u8 *buf, bool write)
{
	int r = 0;

	guest_fpregs_lock();
	if (in->mmx) {
		r = vmx_fwait_safe();
		if (!r && write)
			vmx_mmx_write(in->reg, buf);
		else if (!r)
			vmx_mmx_read(in->reg, buf);
	} else if (write) {
		vmx_xmm_write(in->reg, buf);
	} else {
		vmx_xmm_read(in->reg, buf);
	}
	fpregs_unlock();
	return r;
}

/*
 * The checks the CPU made before the access, made again: the guest may have changed since
 * (alignment, segment and paging come with the access itself, in mem_access()).
 */
static int vector_check(struct vmxmon_vcpu *vcpu, const struct vmx_insn *in)
{
	unsigned long cr0 = vmx_get_cr0();
	u8 scratch[16];

	if ((cr0 & X86_CR0_EM) || (!in->mmx && !(vmx_get_cr4() & X86_CR4_OSFXSR))) {
		vmx_inject_exception(vcpu, X86_TRAP_UD, false, 0);
		return 1;
	}
	if (cr0 & X86_CR0_TS) {
		vmx_inject_exception(vcpu, X86_TRAP_NM, false, 0);
		return 1;
	}
	if (in->mmx && vector_reg_access(in, scratch, false)) {
		vmx_inject_exception(vcpu, X86_TRAP_MF, false, 0);
		return 1;
	}
	return 0;
}

static int vector_run(struct vmxmon_vcpu *vcpu, bool resume)
{
	struct vmx_mmio *m = &to_vmx(vcpu)->mmio;
	const struct vmx_insn *in = &m->insn;
	int r;

	if (!resume) {
		r = vector_check(vcpu, in);
		if (r)
			return r;
		memset(m->data, 0, sizeof(m->data));
		if (in->op == MMIO_VEC_STORE && vector_reg_access(in, m->data, false))
			goto x87_fault;
		r = mem_access(vcpu, in->seg, in->ea, in->size, in->op == MMIO_VEC_STORE,
			       in->aligned ? MEM_CHECK_ALIGN16 : 0);
		if (r < 0)
			return vmx_emulation_failed(vcpu, in, 0);
		if (r == MEM_FAULT)
			return 1;
		if (in->op == MMIO_VEC_STORE) {
			vmx_advance_rip(in->len);
			return r == MEM_EXIT ? 0 : 1;
		}
		if (r == MEM_EXIT)
			return 0;
	}
	/* A load: MOVD/MOVQ zero the rest of the XMM register. */
	memset(m->data + in->size, 0, sizeof(m->data) - in->size);
	if (vector_reg_access(in, m->data, true))
		goto x87_fault;
	vmx_advance_rip(in->len);
	return 1;

x87_fault:	/* an unmasked x87 exception is pending: the guest's MOVQ would fault */
	vmx_inject_exception(vcpu, X86_TRAP_MF, false, 0);
	return 1;
}

/* ---- string instructions ---- */

/*
 * Intel CPUs, on a REP string instruction with a 32-bit address size and ECX = 0, clear RCX
 * and the upper halves of the pointers it uses; KVM (string_registers_quirk()) does too.
 */
static void string_quirk(struct vmx_vcpu *vmx, const struct vmx_insn *in)
{
	if (in->addr_size != 4 || !vmx_guest_64bit())
		return;
	vmx->regs[VCPU_RCX] = 0;
	if (in->op == MMIO_MOVS)
		vmx->regs[VCPU_RSI] = (u32)vmx->regs[VCPU_RSI];
	if (in->op != MMIO_LODS)
		vmx->regs[VCPU_RDI] = (u32)vmx->regs[VCPU_RDI];
}

static int string_run(struct vmxmon_vcpu *vcpu, bool have_src)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_mmio *m = &vmx->mmio;
	const struct vmx_insn *in = &m->insn;
	unsigned long mask = ad_mask(in->addr_size), *rcx = &vmx->regs[VCPU_RCX];
	long step = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF ? -in->size : in->size;
	int r, wrote = MEM_DONE;

	for (;;) {
		if (!have_src) {
			if (in->rep && !(*rcx & mask)) {	/* nothing (left) to move */
				string_quirk(vmx, in);
				vmx_advance_rip(in->len);
				return 1;
			}
			memset(m->data, 0, sizeof(m->data));
			if (in->op == MMIO_STOS) {
				memcpy(m->data, &vmx->regs[VCPU_RAX], in->size);
			} else {
				r = mem_access(vcpu, in->seg == VMX_SEG_NONE ? VMX_SEG_DS : in->seg,
					       vmx->regs[VCPU_RSI] & mask, in->size, false,
					       MEM_CHECK_AC);
				if (r < 0)
					return vmx_emulation_failed(vcpu, in, 0);
				if (r == MEM_FAULT)
					return 1;	/* RIP stays: the element faulted */
				if (r == MEM_EXIT)
					return 0;	/* this element completes on KVM_RUN */
			}
		}
		have_src = false;

		if (in->op == MMIO_LODS) {
			u64 val = 0;

			memcpy(&val, m->data, in->size);
			assign_reg(&vmx->regs[VCPU_RAX], val, in->size);
		} else {
			wrote = mem_access(vcpu, VMX_SEG_ES, vmx->regs[VCPU_RDI] & mask, in->size,
					   true, MEM_CHECK_AC);
			if (wrote < 0)
				return vmx_emulation_failed(vcpu, in, 0);
			if (wrote == MEM_FAULT)
				return 1;
		}
		if (in->op != MMIO_STOS)
			assign_reg(&vmx->regs[VCPU_RSI], vmx->regs[VCPU_RSI] + step, in->addr_size);
		if (in->op != MMIO_LODS)
			assign_reg(&vmx->regs[VCPU_RDI], vmx->regs[VCPU_RDI] + step, in->addr_size);
		if (!in->rep) {
			vmx_advance_rip(in->len);
			return wrote == MEM_EXIT ? 0 : 1;
		}
		assign_reg(rcx, *rcx - 1, in->addr_size);
		/* KVM goes on in the kernel unless userspace has a write, or every 1024. */
		if (wrote == MEM_EXIT || !(*rcx & 0x3ff))
			return wrote == MEM_EXIT ? 0 : 1;	/* RIP stays on the instruction */
	}
}

/*
 * Run the string or SSE instruction in mmio.insn: from its start after the EPT violation
 * (@resume false), or on from the access whose MMIO read userspace has just completed.
 */
int vmx_emulate_mem(struct vmxmon_vcpu *vcpu, bool resume)
{
	if (to_vmx(vcpu)->mmio.insn.op >= MMIO_VEC_LOAD)
		return vector_run(vcpu, resume);
	return string_run(vcpu, resume);
}
