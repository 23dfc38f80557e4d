// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits (SDM Vol. 3C 28.2.1, table 28-5), all handed to userspace as KVM_EXIT_IO
 * with the data in the page after struct kvm_run (io.data_offset). IN and OUT complete on the
 * next KVM_RUN, as in KVM: during the exit RIP is still on the instruction (an IN's data is
 * not there yet), and if userspace moved RIP meanwhile (KVM_SET_REGS, a reset) the
 * instruction is abandoned instead of skipped. String OUTS completes before its exit, and
 * so does OUT to port 0x7e: KVM's KVM_X86_QUIRK_OUT_7E_INC_RIP, on by default, kept for
 * VMMs written against older KVMs (vmxmon has no KVM_CAP_DISABLE_QUIRKS to turn it off).
 *
 * String I/O (INS/OUTS, with or without REP) moves at most a page of data per exit:
 * count <= PAGE_SIZE / size. A REP instruction whose RCX is not exhausted is executed again
 * by the guest (its RIP stays), so it may be interrupted between chunks, as on hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_REP		BIT(5)
#define IO_QUAL_PORT(q)		(((q) >> 16) & 0xffff)
#define IO_INFO_ADDR_SIZE(i)	(2 << (((i) >> 7) & 7))	/* 0: 16, 1: 32, 2: 64 bits */
#define IO_INFO_SEG(i)		(((i) >> 15) & 7)	/* enum vmx_seg (SDM table 28-8) */
#define IO_PORT_OUT_INC_RIP	0x7e

static unsigned long addr_mask(unsigned int bytes)
{
	return bytes == 8 ? ~0ul : (1ul << (bytes * 8)) - 1;
}

/* Write @val to the low @bytes of a string register, as the instruction would. */
static void set_addr_reg(unsigned long *reg, unsigned long val, unsigned int bytes)
{
	unsigned long mask = addr_mask(bytes);

	*reg = bytes == 4 ? (u32)val : (*reg & ~mask) | (val & mask);
}

/* Move the string registers past @count elements, and finish the instruction if done. */
static void pio_string_advance(struct vmxmon_vcpu *vcpu, int index_reg)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_pio *p = &vmx->pio;
	unsigned long step = (unsigned long)p->count * p->size;
	unsigned long *idx = &vmx->regs[index_reg];

	set_addr_reg(idx, p->df ? *idx - step : *idx + step, p->addr_size);
	if (p->rep) {
		unsigned long *rcx = &vmx->regs[VCPU_RCX];

		set_addr_reg(rcx, (*rcx & addr_mask(p->addr_size)) - p->count, p->addr_size);
		if (*rcx & addr_mask(p->addr_size))
			return;		/* the guest executes it again for the rest */
	}
	vmx_skip_instruction(vcpu);
}

/* The last page translated for a string: the elements of one page share its walk. */
struct pio_xlat {
	bool valid;
	unsigned long la_page;
	u64 gpa_page;
};

static int pio_translate(struct vmxmon_vcpu *vcpu, struct pio_xlat *c, unsigned long la,
			 u32 access, u64 *gpa, struct vmx_fault *f)
{
	int r;

	if (c->valid && (la & PAGE_MASK) == c->la_page) {
		*gpa = c->gpa_page | offset_in_page(la);
		return 0;
	}
	r = vmx_translate(vcpu, la, access, gpa, f);
	if (!r)
		*c = (struct pio_xlat){ true, la & PAGE_MASK, *gpa & PAGE_MASK };
	return r;
}

/*
 * Move the p->count elements of the string operand between the guest and @buf, in
 * execution order, each after the checks the CPU makes before it accesses memory but
 * after the I/O exit (SDM Vol. 3C 26.1.1): segment usable, writable (INS) or readable,
 * within its limit (a canonical address in 64-bit mode), paging at the guest's CPL, then
 * alignment. With @buf NULL nothing moves and no accessed/dirty flag is set: INS checks
 * before userspace reads the port. Returns the number of elements that passed; fewer than
 * p->count when one faulted (*f, vector non-zero) or is not guest RAM; -EFAULT if the first
 * one is not.
 */
static int pio_string_elements(struct vmxmon_vcpu *vcpu, void *buf, bool to_guest,
			       struct vmx_fault *f)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_pio *p = &vmx->pio;
	unsigned long base = vmx->regs[to_guest ? VCPU_RDI : VCPU_RSI];
	u32 access = (to_guest ? VMX_ACC_WRITE : 0) | (buf ? 0 : VMX_ACC_PROBE);
	struct pio_xlat xlat = { false };
	u32 i;
	int r = 0;

	f->vector = 0;
	for (i = 0; i < p->count; i++) {
		unsigned long step = (unsigned long)i * p->size, la, la2 = 0;
		unsigned long ea = (p->df ? base - step : base + step) & addr_mask(p->addr_size);
		unsigned int len0;
		u64 gpa, gpa2 = 0;

		r = vmx_linearize(vcpu, to_guest ? VMX_SEG_ES : p->seg, ea, p->size, access, &la,
				  f);
		if (r)
			break;
		len0 = min_t(unsigned int, p->size, PAGE_SIZE - offset_in_page(la));
		r = pio_translate(vcpu, &xlat, la, access, &gpa, f);
		if (!r && len0 < p->size) {		/* across a page boundary */
			la2 = vmx_guest_64bit() ? la + len0 : (u32)(la + len0);
			r = pio_translate(vcpu, &xlat, la2, access, &gpa2, f);
		}
		if (!r)
			r = vmx_check_alignment(la, p->size, f);
		if (!r && buf) {
			r = vmx_gpa_ram_access(vcpu->vm, gpa, buf + step, len0, to_guest);
			if (!r && len0 < p->size)
				r = vmx_gpa_ram_access(vcpu->vm, gpa2, buf + step + len0,
						       p->size - len0, to_guest);
		}
		if (r)
			break;
	}
	if (r == VMX_FAULT || i)
		return i;
	return r;
}

static int pio_emulation_failed(struct vmxmon_vcpu *vcpu)
{
	u64 data[2] = { to_vmx(vcpu)->exit_qual, to_vmx(vcpu)->pio.linear };

	to_vmx(vcpu)->pio.pending = false;
	return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, 2, data);
}

int vmx_handle_io(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_pio *p = &vmx->pio;
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	struct kvm_run *run = vcpu->run;

	vmx->exit_qual = q;
	memset(p, 0, sizeof(*p));
	p->size = IO_QUAL_SIZE(q);
	p->in = q & IO_QUAL_IN;
	p->string = q & IO_QUAL_STRING;
	p->rep = q & IO_QUAL_REP;
	p->count = 1;

	if (p->string) {
		u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
		struct vmx_fault f;
		int n;

		/* INS writes ES:rDI; OUTS reads DS:rSI or the override prefix's segment. */
		p->addr_size = IO_INFO_ADDR_SIZE(info);
		p->seg = p->in ? VMX_SEG_ES : IO_INFO_SEG(info);
		p->df = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
		p->linear = vmcs_readl(GUEST_LINEAR_ADDRESS);
		if (p->rep) {
			unsigned long rcx = vmx->regs[VCPU_RCX] & addr_mask(p->addr_size);

			if (!rcx) {		/* nothing to move */
				vmx_skip_instruction(vcpu);
				return 1;
			}
			p->count = min_t(unsigned long, rcx, PAGE_SIZE / p->size);
		}
		/*
		 * Only the elements the guest may access go to userspace: if the first one
		 * faults, the instruction does, before any port access; if a later one does,
		 * the guest runs the instruction again for the rest and faults then. KVM's
		 * emulator reads the port for INS first and drops the data on a fault.
		 */
		n = pio_string_elements(vcpu, p->in ? NULL : vcpu->pio_data, p->in, &f);
		if (n < 0)
			return pio_emulation_failed(vcpu);
		if (!n) {
			vmx_inject_fault(vcpu, &f);
			return 1;
		}
		p->count = n;
		if (!p->in)
			pio_string_advance(vcpu, VCPU_RSI);
		p->pending = p->in;
	} else {
		if (!p->in)
			memcpy(vcpu->pio_data, &vmx->regs[VCPU_RAX], p->size);
		p->linear_rip = vmx_linear_rip();
		if (!p->in && IO_QUAL_PORT(q) == IO_PORT_OUT_INC_RIP)
			vmx_skip_instruction(vcpu);	/* the quirk: done before the exit */
		else
			p->pending = true;
	}

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = p->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = p->size;
	run->io.port = IO_QUAL_PORT(q);
	run->io.count = p->count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	return 0;
}

/* KVM_RUN after an I/O exit: for an IN, userspace has put the data at io.data_offset. */
int vmx_complete_pio(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_pio *p = &vmx->pio;

	if (!p->pending)
		return 1;
	p->pending = false;
	if (!p->string && vmx_linear_rip() != p->linear_rip)
		return 1;		/* userspace moved RIP: leave the instruction */
	if (!p->in) {
		vmx_skip_instruction(vcpu);
		return 1;
	}
	if (p->string) {
		struct vmx_fault f;
		/* Checked before the exit, but the guest's page tables may have changed since. */
		int n = pio_string_elements(vcpu, vcpu->pio_data, true, &f);

		if (n < 0 || (n < p->count && !f.vector))
			return pio_emulation_failed(vcpu);
		if (n < p->count) {		/* the rest of the data is dropped */
			p->count = n;
			if (n)
				pio_string_advance(vcpu, VCPU_RDI);
			vmx_inject_fault(vcpu, &f);
			return 1;
		}
		pio_string_advance(vcpu, VCPU_RDI);
		return 1;
	}
	if (p->size == 4)	/* a 32-bit destination zero-extends into RAX */
		vmx->regs[VCPU_RAX] = *(u32 *)vcpu->pio_data;
	else
		memcpy(&vmx->regs[VCPU_RAX], vcpu->pio_data, p->size);
	vmx_skip_instruction(vcpu);
	return 1;
}
