// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: an EPT violation outside guest RAM (or a write to a read-only slot) becomes
 * KVM_EXIT_MMIO. VT-x reports the guest-physical address but neither the data nor the
 * instruction's length (VM_EXIT_INSTRUCTION_LEN is undefined for EPT violations), so the
 * instruction is fetched through the guest's page tables (as an instruction fetch at the
 * guest's CPL, with its checks and faults: vmx/walk.c) and decoded here: the MOV family
 * that device drivers use (MOV r/m<->r of every width, MOV r/m<-imm, MOV moffs, MOVZX,
 * MOVSX, MOVNTI); string moves and SSE moves (memcpy_toio() and friends) are decoded here
 * and run in vmx/emulate_mem.c. Anything else is KVM_EXIT_INTERNAL_ERROR (emulation) with
 * the instruction bytes. A write completes before the exit; a read completes on the next
 * KVM_RUN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define MAX_INSN_LEN	VMX_MAX_INSN_LEN

/*
 * Fetch up to 15 bytes at CS:RIP as the CPU fetches them: instruction fetches at the
 * guest's CPL through its page tables, within the CS limit (or canonical). VMX_FAULT (*f)
 * when the first byte cannot be fetched. Bytes past the CS limit, or in a next page that
 * cannot be fetched, are left out (in->avail) and their fault kept in *tail: like KVM,
 * which fetches on demand, it is raised only if decoding needs them.
 */
static int fetch(struct vmxmon_vcpu *vcpu, struct vmx_insn *in, struct vmx_fault *f,
		 struct vmx_fault *tail)
{
	unsigned long rip = vmcs_readl(GUEST_RIP), la;
	int n = MAX_INSN_LEN, first, r;

	tail->vector = 0;
	r = vmx_linearize(vcpu, VMX_SEG_CS, rip, 1, VMX_ACC_FETCH, &la, f);
	if (r)
		return r;
	while (vmx_linearize(vcpu, VMX_SEG_CS, rip, n, VMX_ACC_FETCH, &la, tail))
		n--;			/* the CS limit: #GP(0) beyond it */
	first = min_t(int, n, PAGE_SIZE - offset_in_page(la));
	r = vmx_linear_access(vcpu, la, in->bytes, first, VMX_ACC_FETCH, f);
	if (r)
		return r;
	in->avail = first;
	if (first < n) {		/* an instruction may cross into the next page */
		unsigned long la2 = vmx_guest_64bit() ? la + first : (u32)(la + first);

		r = vmx_linear_access(vcpu, la2, in->bytes + first, n - first, VMX_ACC_FETCH,
				      tail);
		if (!r)
			in->avail = n;
		else if (r != VMX_FAULT)
			tail->vector = 0;	/* not RAM: an emulation failure if needed */
	}
	return 0;
}

/* Length of ModRM + SIB + displacement (SDM Vol. 2A 2.1.5, tables 2-1 to 2-3). */
static int modrm_len(struct vmx_insn *in, int pos, int addr_size)
{
	u8 modrm = in->bytes[pos], mod = modrm >> 6, rm = modrm & 7;
	int n = 1;

	if (mod == 3)
		return -1;			/* register operand: not a memory access */
	if (addr_size == 2)
		return n + (mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0);
	if (rm == 4) {
		if (!vmx_insn_has(in, pos + 2))
			return -1;
		n++;				/* SIB */
		if (mod == 0 && (in->bytes[pos + 1] & 7) == 5)
			return n + 4;
	}
	if (mod == 0 && rm == 5)
		return n + 4;			/* disp32 or RIP-relative */
	return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

/* Segment-override prefixes, + 1 (0: not one). */
static const u8 seg_prefix[256] = {
	[0x26] = VMX_SEG_ES + 1, [0x2e] = VMX_SEG_CS + 1, [0x36] = VMX_SEG_SS + 1,
	[0x3e] = VMX_SEG_DS + 1, [0x64] = VMX_SEG_FS + 1, [0x65] = VMX_SEG_GS + 1,
};

static int decode(struct vmxmon_vcpu *vcpu, struct vmx_insn *in)
{
	bool long64 = vmx_guest_64bit();
	bool cs_d = vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_DB_MASK;
	int opsize = long64 || cs_d ? 4 : 2, addr_size = long64 ? 8 : cs_d ? 4 : 2;
	bool op66 = false, lock = false;
	int pos = 0, n, imm_size = 0;
	u8 rex = 0, op;

	in->seg = VMX_SEG_NONE;
	for (;; pos++) {			/* legacy prefixes (SDM Vol. 2A 2.1.1) */
		if (!vmx_insn_has(in, pos + 1))
			return -1;
		op = in->bytes[pos];
		if (op == 0x66)
			op66 = true;
		else if (op == 0x67)
			addr_size = long64 ? 4 : cs_d ? 2 : 4;
		else if (seg_prefix[op])
			in->seg = seg_prefix[op] - 1;
		else if (op == 0xf2 || op == 0xf3)
			in->rep = op;		/* the last one counts */
		else if (op == 0xf0)
			lock = true;
		else
			break;
	}
	if (op66)
		opsize = opsize == 2 ? 4 : 2;
	if (long64 && (op & 0xf0) == 0x40) {
		rex = op;
		if (!vmx_insn_has(in, ++pos + 1))
			return -1;
		op = in->bytes[pos];
	}
	if (rex & 8)
		opsize = 8;
	pos++;
	in->addr_size = addr_size;
	if (lock)
		return -1;			/* no MOV takes LOCK (#UD) */

	switch (op) {
	case 0xa4 ... 0xa5:			/* MOVS */
	case 0xaa ... 0xad:			/* STOS, LODS */
		in->op = op < 0xaa ? MMIO_MOVS : op < 0xac ? MMIO_STOS : MMIO_LODS;
		in->size = op & 1 ? opsize : 1;
		in->len = pos;
		return 0;
	case 0x0f:
		if (!vmx_insn_has(in, pos + 1))
			return -1;
		if (in->bytes[pos] != 0xb6 && in->bytes[pos] != 0xb7 &&
		    in->bytes[pos] != 0xbe && in->bytes[pos] != 0xbf && in->bytes[pos] != 0xc3) {
			if (op66 && in->rep)
				return -1;
			return vmx_decode_vector(vcpu, in, pos, rex, op66 ? 0x66 : in->rep);
		}
		break;
	}
	if (in->rep)
		return -1;			/* REP: not a plain MOV */

	switch (op) {
	case 0x88: in->op = MMIO_STORE_REG; in->size = 1; break;
	case 0x89: in->op = MMIO_STORE_REG; in->size = opsize; break;
	case 0x8a: in->op = MMIO_LOAD; in->size = 1; break;
	case 0x8b: in->op = MMIO_LOAD; in->size = opsize; break;
	case 0xc6: in->op = MMIO_STORE_IMM; in->size = 1; imm_size = 1; break;
	case 0xc7: in->op = MMIO_STORE_IMM; in->size = opsize; imm_size = min(opsize, 4); break;
	case 0xa0 ... 0xa3:			/* MOV AL/eAX <-> moffs */
		in->op = op & 2 ? MMIO_STORE_REG : MMIO_LOAD;
		in->size = op & 1 ? opsize : 1;
		in->reg = VCPU_RAX;
		in->len = pos + addr_size;
		return vmx_insn_has(in, in->len) ? 0 : -1;
	case 0x0f:
		if (!vmx_insn_has(in, pos + 1))
			return -1;
		op = in->bytes[pos++];
		if (op == 0xc3) {		/* MOVNTI m32/m64, r */
			if (opsize == 2)
				return -1;
			in->op = MMIO_STORE_REG;
			in->size = opsize;
			break;
		}
		in->op = op & 8 ? MMIO_LOAD_SX : MMIO_LOAD_ZX;
		in->size = op & 1 ? 2 : 1;
		in->dst_size = opsize;
		break;
	default:
		return -1;
	}
	if (!vmx_insn_has(in, pos + 1))
		return -1;
	in->reg = ((in->bytes[pos] >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (in->op == MMIO_STORE_IMM && (in->bytes[pos] & 0x38))
		return -1;			/* C6/C7 /0 only */
	/* Byte registers 4-7 without REX are AH, CH, DH, BH. */
	if (in->size == 1 && !rex && in->reg >= 4 && in->op != MMIO_LOAD_ZX &&
	    in->op != MMIO_LOAD_SX && in->op != MMIO_STORE_IMM) {
		in->reg -= 4;
		in->high_byte = true;
	}
	n = modrm_len(in, pos, addr_size);
	if (n < 0)
		return -1;
	pos += n;
	if (imm_size) {
		if (!vmx_insn_has(in, pos + imm_size))
			return -1;
		memcpy(&in->imm, in->bytes + pos, imm_size);
		if (imm_size == 4 && opsize == 8)	/* imm32 sign-extended to 64 */
			in->imm = (s64)(s32)in->imm;
		pos += imm_size;
	}
	in->len = pos;
	return vmx_insn_has(in, in->len) ? 0 : -1;
}

static void write_reg(unsigned long *reg, u64 val, int size, bool high_byte)
{
	switch (size) {
	case 1:
		if (high_byte)
			*reg = (*reg & ~0xff00ul) | ((val & 0xff) << 8);
		else
			*reg = (*reg & ~0xfful) | (val & 0xff);
		break;
	case 2:
		*reg = (*reg & ~0xfffful) | (val & 0xffff);
		break;
	case 4:
		*reg = (u32)val;	/* a 32-bit destination zero-extends */
		break;
	default:
		*reg = val;
	}
}

/* The emulated instruction completed: move past it, ending STI/MOV SS blocking (25.4.2). */
void vmx_advance_rip(int len)
{
	unsigned long rip = vmcs_readl(GUEST_RIP) + len;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (!vmx_guest_64bit())
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
	if (unlikely(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * KVM's layout (struct emulation_failure in <linux/kvm.h>): flags, then one byte of
 * instruction length and 15 instruction bytes (data[1..2]), then vmxmon adds the GPA.
 */
int vmx_emulation_failed(struct vmxmon_vcpu *vcpu, const struct vmx_insn *in, u64 gpa)
{
	u64 data[4] = { KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES };
	u8 *bytes = (u8 *)&data[1];

	to_vmx(vcpu)->mmio.pending = false;
	bytes[0] = in->avail;
	memcpy(bytes + 1, in->bytes, min_t(int, in->avail, MAX_INSN_LEN));
	data[3] = gpa;
	return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, 4, data);
}

/* Hand the current fragment's next (at most 8) bytes to userspace as KVM_EXIT_MMIO. */
void vmx_mmio_exit(struct vmxmon_vcpu *vcpu)
{
	struct vmx_mmio *m = &to_vmx(vcpu)->mmio;
	struct vmx_mmio_frag *f = &m->frag[m->cur];
	struct kvm_run *run = vcpu->run;

	m->pending = true;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = f->gpa + f->done;
	run->mmio.len = min_t(u32, 8, f->len - f->done);
	run->mmio.is_write = m->is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (m->is_write)
		memcpy(run->mmio.data, m->data + f->off + f->done, run->mmio.len);
}

/* One MMIO fragment of @size bytes at @gpa, for the MOV forms. */
static void mmio_single(struct vmxmon_vcpu *vcpu, const struct vmx_insn *in, u64 gpa,
			bool write, u64 val)
{
	struct vmx_mmio *m = &to_vmx(vcpu)->mmio;

	m->insn = *in;
	m->is_write = write;
	m->nfrag = 1;
	m->cur = 0;
	m->frag[0] = (struct vmx_mmio_frag){ .gpa = gpa, .len = in->size };
	memcpy(m->data, &val, sizeof(val));
	vmx_mmio_exit(vcpu);
}

/* EPT violation at @gpa outside guest RAM (or a write to a read-only slot). */
int vmx_emulate_mmio(struct vmxmon_vcpu *vcpu, u64 gpa, bool write)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_insn in = { 0 };
	struct vmx_fault f, tail;
	u64 val;
	int r = fetch(vcpu, &in, &f, &tail);

	if (r == VMX_FAULT) {
		vmx_inject_fault(vcpu, &f);
		return 1;
	}
	if (r || decode(vcpu, &in)) {
		if (!r && in.truncated && tail.vector) {	/* it needed bytes it cannot have */
			vmx_inject_fault(vcpu, &tail);
			return 1;
		}
		return vmx_emulation_failed(vcpu, &in, gpa);
	}
	if (in.op >= MMIO_MOVS) {
		vmx->mmio.insn = in;
		return vmx_emulate_mem(vcpu, false);
	}
	if ((in.op == MMIO_STORE_REG || in.op == MMIO_STORE_IMM) != write)
		return vmx_emulation_failed(vcpu, &in, gpa);

	val = in.op == MMIO_STORE_IMM ? in.imm :
	      in.reg == VCPU_RSP ? vmcs_readl(GUEST_RSP) : vmx->regs[in.reg];
	if (in.high_byte)
		val >>= 8;
	if (vmx_lapic_mmio_owns(vmx->lapic, gpa)) {	/* the in-kernel xAPIC */
		int ret;

		vmx_lapic_mmio(vcpu, gpa, write, &val, in.size, &ret);
		if (write) {
			vmx_advance_rip(in.len);
			return ret;
		}
		mmio_single(vcpu, &in, gpa, false, 0);
		memcpy(vcpu->run->mmio.data, &val, sizeof(val));
		return vmx_complete_mmio(vcpu);
	}
	mmio_single(vcpu, &in, gpa, write, val);
	if (write) {
		vmx->mmio.pending = false;	/* nothing left to complete */
		vmx_advance_rip(in.len);
	}
	return 0;
}

/* A MOV form's read completed: the value goes to its register. */
static int complete_mov_load(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_insn *in = &vmx->mmio.insn;
	int dst_size = in->op == MMIO_LOAD ? in->size : in->dst_size;
	u64 val = 0;

	memcpy(&val, vmx->mmio.data, in->size);
	if (in->op == MMIO_LOAD_SX)
		val = in->size == 1 ? (u64)(s64)(s8)val : (u64)(s64)(s16)val;
	if (in->reg == VCPU_RSP) {
		unsigned long rsp = vmcs_readl(GUEST_RSP);

		write_reg(&rsp, val, dst_size, false);
		vmcs_writel(GUEST_RSP, rsp);
	} else {
		write_reg(&vmx->regs[in->reg], val, dst_size, in->high_byte);
	}
	vmx_advance_rip(in->len);
	return 1;
}

/*
 * KVM_RUN after an MMIO exit. For a read, userspace put the bytes in run->mmio.data. Like
 * KVM, the next fragment of the same access exits at once, without entering the guest; a
 * completed write resumes the guest; a completed read finishes the instruction.
 */
int vmx_complete_mmio(struct vmxmon_vcpu *vcpu)
{
	struct vmx_mmio *m = &to_vmx(vcpu)->mmio;
	struct vmx_mmio_frag *f;
	u32 len;

	if (!m->pending)
		return 1;
	m->pending = false;
	f = &m->frag[m->cur];
	len = min_t(u32, 8, f->len - f->done);
	if (!m->is_write)
		memcpy(m->data + f->off + f->done, vcpu->run->mmio.data, len);
	f->done += len;
	if (f->done == f->len)
		m->cur++;
	if (m->cur < m->nfrag) {
		vmx_mmio_exit(vcpu);
		return 0;
	}
	if (m->is_write)
		return 1;
	if (m->insn.op >= MMIO_MOVS)
		return vmx_emulate_mem(vcpu, true);
	return complete_mov_load(vcpu);
}
