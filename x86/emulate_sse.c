// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO by SSE and MMX moves: the ones KVM's emulator handles (MOVUPS/MOVUPD, MOVAPS/MOVAPD,
 * MOVNTPS/MOVNTPD, MOVDQA, MOVDQU, MOVNTDQ, MMX MOVQ) plus MOVD/MOVQ between an XMM register
 * and memory. The access is one x86_emul_mem_access(): a 16-byte one is two KVM_EXIT_MMIOs
 * of 8 bytes, as with KVM. Guest XMM/MMX registers are live in the CPU during KVM_RUN (the
 * backend switched to the guest's FPU state), unless the task was preempted since: then the
 * FPU core reloads them first (switch_fpu_return()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/sched.h>
#include <asm/asm.h>
#include <asm/fpu/api.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "x86/emulate.h"

/*
 * The guest's XMM and MMX registers while its FPU state is loaded: legacy SSE moves, which
 * leave the upper YMM halves alone, and MMX MOVQ, which sets the x87 tags as the guest's
 * own MOVQ does. Caller holds fpregs_lock().
 */
#define XMM_READ(n)	case n: asm volatile("movdqu %%xmm" #n ", %0" : "=m" (*v)); break
#define XMM_WRITE(n)	case n: asm volatile("movdqu %0, %%xmm" #n : : "m" (*v)); break
#define MMX_READ(n)	case n: asm volatile("movq %%mm" #n ", %0" : "=m" (*v)); break
#define MMX_WRITE(n)	case n: asm volatile("movq %0, %%mm" #n : : "m" (*v)); break

static __always_inline void mmx_read(int reg, u8 *buf)
{
	u8 (*v)[8] = (void *)buf;

	switch (reg) {
	MMX_READ(0); MMX_READ(1); MMX_READ(2); MMX_READ(3);
	MMX_READ(4); MMX_READ(5); MMX_READ(6); MMX_READ(7);
	}
}

static __always_inline void mmx_write(int reg, const u8 *buf)
{
	const u8 (*v)[8] = (const void *)buf;

	switch (reg) {
	MMX_WRITE(0); MMX_WRITE(1); MMX_WRITE(2); MMX_WRITE(3);
	MMX_WRITE(4); MMX_WRITE(5); MMX_WRITE(6); MMX_WRITE(7);
	}
}

static __always_inline void xmm_read(int reg, u8 *buf)
{
	u8 (*v)[16] = (void *)buf;

	switch (reg) {
	XMM_READ(0); XMM_READ(1); XMM_READ(2); XMM_READ(3);
	XMM_READ(4); XMM_READ(5); XMM_READ(6); XMM_READ(7);
	XMM_READ(8); XMM_READ(9); XMM_READ(10); XMM_READ(11);
	XMM_READ(12); XMM_READ(13); XMM_READ(14); XMM_READ(15);
	}
}

static __always_inline void xmm_write(int reg, const u8 *buf)
{
	const u8 (*v)[16] = (const void *)buf;

	switch (reg) {
	XMM_WRITE(0); XMM_WRITE(1); XMM_WRITE(2); XMM_WRITE(3);
	XMM_WRITE(4); XMM_WRITE(5); XMM_WRITE(6); XMM_WRITE(7);
	XMM_WRITE(8); XMM_WRITE(9); XMM_WRITE(10); XMM_WRITE(11);
	XMM_WRITE(12); XMM_WRITE(13); XMM_WRITE(14); XMM_WRITE(15);
	}
}

/* FWAIT: -1 if the guest's x87 state has an unmasked exception pending (#MF, fixed up). */
static __always_inline int fwait_safe(void)
{
	asm goto("1: fwait\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : : fault);
	return 0;
fault:
	return -1;
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
static int vector_reg_access(const struct x86_insn *in, u8 *buf, bool write)
{
	int r = 0;

	guest_fpregs_lock();
	if (in->mmx) {
		r = fwait_safe();
		if (!r && write)
			mmx_write(in->reg, buf);
		else if (!r)
			mmx_read(in->reg, buf);
	} else if (write) {
		xmm_write(in->reg, buf);
	} else {
		xmm_read(in->reg, buf);
	}
	fpregs_unlock();
	return r;
}

/*
 * The checks the CPU made before the access, made again: the guest may have changed since
 * (alignment, segment and paging come with the access itself).
 */
static int vector_check(struct x86_ctxt *c, const struct x86_insn *in)
{
	u8 vector = 0, scratch[16];

	if ((c->st.cr0 & X86_CR0_EM) || (!in->mmx && !(c->st.cr4 & X86_CR4_OSFXSR)))
		vector = X86_TRAP_UD;
	else if (c->st.cr0 & X86_CR0_TS)
		vector = X86_TRAP_NM;
	else if (in->mmx && vector_reg_access(in, scratch, false))
		vector = X86_TRAP_MF;
	if (vector)
		x86_call(inject_exception)(c->vcpu, vector, false, 0);
	return !!vector;
}

/* The effective address of the ModRM memory operand (SDM Vol. 2A 2.1.5), address-sized. */
static unsigned long vector_ea(struct x86_ctxt *c, const struct x86_insn *in)
{
	unsigned long ea = in->disp;

	if (in->base >= 0)
		ea += x86_read_gpr(c->vcpu, in->base);
	if (in->index >= 0)
		ea += x86_read_gpr(c->vcpu, in->index) << in->scale;
	if (in->rip_rel)	/* relative to the next instruction (no immediates follow) */
		ea += c->st.rip + in->len;
	return ea & x86_size_mask(in->addr_size);
}

/*
 * Run the vector move in mmio.insn: from its start (@resume false), or on from the access
 * whose MMIO read userspace has just completed.
 */
int x86_emul_sse(struct x86_ctxt *c, bool resume)
{
	struct vmxmon_vcpu *vcpu = c->vcpu;
	struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	const struct x86_insn *in = &m->insn;
	bool store = in->op == X86_OP_VEC_STORE;
	int r;

	if (!resume) {
		if (vector_check(c, in))
			return 1;
		memset(m->data, 0, sizeof(m->data));
		if (store && vector_reg_access(in, m->data, false))
			goto x87_fault;
		r = x86_emul_mem_access(c, in->seg, vector_ea(c, in), in->size, store,
					in->aligned ? MEM_CHECK_ALIGN16 : 0);
		if (r < 0)
			return x86_emul_failed(vcpu, 0);
		if (r == MEM_FAULT)
			return 1;
		if (store) {
			x86_call(advance_rip)(vcpu, in->len);
			return r == MEM_EXIT ? 0 : 1;
		}
		if (r == MEM_EXIT)
			return 0;
	}
	/* A load: MOVD/MOVQ zero the rest of the XMM register. */
	memset(m->data + in->size, 0, sizeof(m->data) - in->size);
	if (vector_reg_access(in, m->data, true))
		goto x87_fault;
	x86_call(advance_rip)(vcpu, in->len);
	return 1;

x87_fault:	/* an unmasked x87 exception is pending: the guest's MOVQ would fault */
	x86_call(inject_exception)(vcpu, X86_TRAP_MF, false, 0);
	return 1;
}
