// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: an EPT violation outside guest RAM (or a write to a read-only slot) becomes
 * KVM_EXIT_MMIO. VT-x reports the guest-physical address but neither the data nor the
 * instruction's length (VM_EXIT_INSTRUCTION_LEN is undefined for EPT violations), so the
 * instruction is fetched through the guest's page tables and decoded here: the MOV family
 * that device drivers use (MOV r/m<->r of every width, MOV r/m<-imm, MOV moffs, MOVZX and
 * MOVSX). Anything else is KVM_EXIT_INTERNAL_ERROR (emulation) with the instruction bytes.
 * A write completes before the exit; a read completes on the next KVM_RUN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define MAX_INSN_LEN	15

enum mmio_op { OP_NONE, OP_LOAD, OP_STORE_REG, OP_STORE_IMM, OP_LOAD_ZX, OP_LOAD_SX };

struct insn {
	u8 bytes[MAX_INSN_LEN];
	int avail;		/* bytes fetched */
	int len;		/* decoded length */
	enum mmio_op op;
	int size;		/* access size in bytes */
	int dst_size;		/* register size for MOVZX/MOVSX */
	int reg;		/* register operand, enum vmx_reg */
	bool high_byte;		/* AH, CH, DH, BH */
	u64 imm;
};

/* Fetch up to 15 bytes at CS:RIP; an instruction may cross into the next page. */
static int fetch(struct vmxmon_vcpu *vcpu, struct insn *in)
{
	unsigned long rip = vmcs_readl(GUEST_RIP), lin = vmcs_readl(GUEST_CS_BASE) + rip;
	int first = min_t(int, MAX_INSN_LEN, PAGE_SIZE - offset_in_page(lin));

	if (!vmx_guest_64bit())
		lin = (u32)lin;
	if (vmx_read_guest(vcpu, lin, in->bytes, first))
		return -EFAULT;
	in->avail = first;
	if (first < MAX_INSN_LEN &&
	    !vmx_read_guest(vcpu, lin + first, in->bytes + first, MAX_INSN_LEN - first))
		in->avail = MAX_INSN_LEN;
	return 0;
}

/* Length of ModRM + SIB + displacement (SDM Vol. 2A 2.1.5, tables 2-1 to 2-3). */
static int modrm_len(const struct insn *in, int pos, int addr_size)
{
	u8 modrm = in->bytes[pos], mod = modrm >> 6, rm = modrm & 7;
	int n = 1;

	if (mod == 3)
		return -1;			/* register operand: not a memory access */
	if (addr_size == 2)
		return n + (mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0);
	if (rm == 4) {
		if (pos + 1 >= in->avail)
			return -1;
		n++;				/* SIB */
		if (mod == 0 && (in->bytes[pos + 1] & 7) == 5)
			return n + 4;
	}
	if (mod == 0 && rm == 5)
		return n + 4;			/* disp32 or RIP-relative */
	return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static int decode(struct vmxmon_vcpu *vcpu, struct insn *in)
{
	bool long64 = vmx_guest_64bit();
	bool cs_d = vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_DB_MASK;
	int opsize = long64 || cs_d ? 4 : 2, addr_size = long64 ? 8 : cs_d ? 4 : 2;
	int pos = 0, n, imm_size = 0;
	u8 rex = 0, op;

	for (;; pos++) {			/* legacy prefixes */
		if (pos >= in->avail)
			return -1;
		op = in->bytes[pos];
		if (op == 0x66)
			opsize = opsize == 2 ? 4 : 2;
		else if (op == 0x67)
			addr_size = long64 ? 4 : addr_size == 2 ? 4 : 2;
		else if (op == 0x2e || op == 0x36 || op == 0x3e || op == 0x26 || op == 0x64 ||
			 op == 0x65)
			continue;		/* segment override: the GPA is already known */
		else if (op == 0xf0 || op == 0xf2 || op == 0xf3)
			return -1;		/* LOCK/REP: not a plain MOV */
		else
			break;
	}
	if (long64 && (op & 0xf0) == 0x40) {
		rex = op;
		if (++pos >= in->avail)
			return -1;
		op = in->bytes[pos];
	}
	if (rex & 8)
		opsize = 8;
	pos++;

	switch (op) {
	case 0x88: in->op = OP_STORE_REG; in->size = 1; break;
	case 0x89: in->op = OP_STORE_REG; in->size = opsize; break;
	case 0x8a: in->op = OP_LOAD; in->size = 1; break;
	case 0x8b: in->op = OP_LOAD; in->size = opsize; break;
	case 0xc6: in->op = OP_STORE_IMM; in->size = 1; imm_size = 1; break;
	case 0xc7: in->op = OP_STORE_IMM; in->size = opsize; imm_size = min(opsize, 4); break;
	case 0xa0 ... 0xa3:			/* MOV AL/eAX <-> moffs */
		in->op = op & 2 ? OP_STORE_REG : OP_LOAD;
		in->size = op & 1 ? opsize : 1;
		in->reg = VCPU_RAX;
		in->len = pos + addr_size;
		return in->len <= in->avail ? 0 : -1;
	case 0x0f:
		if (pos >= in->avail)
			return -1;
		op = in->bytes[pos++];
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return -1;
		in->op = op & 8 ? OP_LOAD_SX : OP_LOAD_ZX;
		in->size = op & 1 ? 2 : 1;
		in->dst_size = opsize;
		break;
	default:
		return -1;
	}
	if (pos >= in->avail)
		return -1;
	in->reg = ((in->bytes[pos] >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (in->op == OP_STORE_IMM && (in->bytes[pos] & 0x38))
		return -1;			/* C6/C7 /0 only */
	/* Byte registers 4-7 without REX are AH, CH, DH, BH. */
	if (in->size == 1 && !rex && in->reg >= 4 && in->op != OP_LOAD_ZX &&
	    in->op != OP_LOAD_SX && in->op != OP_STORE_IMM) {
		in->reg -= 4;
		in->high_byte = true;
	}
	n = modrm_len(in, pos, addr_size);
	if (n < 0)
		return -1;
	pos += n;
	if (imm_size) {
		if (pos + imm_size > in->avail)
			return -1;
		memcpy(&in->imm, in->bytes + pos, imm_size);
		if (imm_size == 4 && opsize == 8)	/* imm32 sign-extended to 64 */
			in->imm = (s64)(s32)in->imm;
		pos += imm_size;
	}
	in->len = pos;
	return in->len <= in->avail ? 0 : -1;
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

static void advance_rip(int len)
{
	unsigned long rip = vmcs_readl(GUEST_RIP) + len;

	if (!vmx_guest_64bit())
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
}

/*
 * KVM's layout (struct emulation_failure in <linux/kvm.h>): flags, then one byte of
 * instruction length and 15 instruction bytes (data[1..2]), then vmxmon adds the GPA.
 */
static int emulation_failed(struct vmxmon_vcpu *vcpu, const struct insn *in, u64 gpa)
{
	u64 data[4] = { KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES };
	u8 *bytes = (u8 *)&data[1];

	bytes[0] = in->avail;
	memcpy(bytes + 1, in->bytes, min(in->avail, MAX_INSN_LEN));
	data[3] = gpa;
	return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, 4, data);
}

/* Remember a decoded read until its value arrives (vmx_complete_mmio()). */
static void mmio_read_pending(struct vmx_vcpu *vmx, const struct insn *in)
{
	vmx->mmio.pending = true;
	vmx->mmio.op = in->op;
	vmx->mmio.size = in->size;
	vmx->mmio.dst_size = in->op == OP_LOAD ? in->size : in->dst_size;
	vmx->mmio.reg = in->reg;
	vmx->mmio.high_byte = in->high_byte;
	vmx->mmio.len = in->len;
}

/* EPT violation at @gpa outside guest RAM (or a write to a read-only slot). */
int vmx_emulate_mmio(struct vmxmon_vcpu *vcpu, u64 gpa, bool write)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;
	struct insn in = { 0 };
	u64 val;

	if (fetch(vcpu, &in) || decode(vcpu, &in))
		return emulation_failed(vcpu, &in, gpa);
	if ((in.op == OP_STORE_REG || in.op == OP_STORE_IMM) != write)
		return emulation_failed(vcpu, &in, gpa);

	if (vmx_lapic_mmio_owns(vmx->lapic, gpa)) {	/* the in-kernel xAPIC */
		int ret;

		val = in.op == OP_STORE_IMM ? in.imm :
		      in.reg == VCPU_RSP ? vmcs_readl(GUEST_RSP) : vmx->regs[in.reg];
		if (in.high_byte)
			val >>= 8;
		vmx_lapic_mmio(vcpu, gpa, write, &val, in.size, &ret);
		if (write) {
			advance_rip(in.len);
			return ret;
		}
		memcpy(run->mmio.data, &val, sizeof(val));
		mmio_read_pending(vmx, &in);
		return vmx_complete_mmio(vcpu);
	}

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = in.size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		val = in.op == OP_STORE_IMM ? in.imm : vmx->regs[in.reg];
		if (in.op == OP_STORE_REG && in.reg == VCPU_RSP)
			val = vmcs_readl(GUEST_RSP);
		if (in.high_byte)
			val >>= 8;
		memcpy(run->mmio.data, &val, in.size);
		advance_rip(in.len);
		return 0;
	}
	mmio_read_pending(vmx, &in);
	return 0;
}

/* KVM_RUN after an MMIO read: userspace put the value in run->mmio.data. */
int vmx_complete_mmio(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_mmio *m = &vmx->mmio;
	u64 val = 0;

	if (!m->pending)
		return 1;
	m->pending = false;
	memcpy(&val, vcpu->run->mmio.data, m->size);
	if (m->op == OP_LOAD_SX)
		val = m->size == 1 ? (u64)(s64)(s8)val : (u64)(s64)(s16)val;
	if (m->reg == VCPU_RSP) {
		unsigned long rsp = vmcs_readl(GUEST_RSP);

		write_reg(&rsp, val, m->dst_size, false);
		vmcs_writel(GUEST_RSP, rsp);
	} else {
		write_reg(&vmx->regs[m->reg], val, m->dst_size, m->high_byte);
	}
	advance_rip(m->len);
	return 1;
}
