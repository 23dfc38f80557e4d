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
#include <asm/processor-flags.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_REP		BIT(5)
#define IO_QUAL_PORT(q)		(((q) >> 16) & 0xffff)
#define IO_INFO_ADDR_SIZE(i)	(2 << (((i) >> 7) & 7))	/* 0: 16, 1: 32, 2: 64 bits */
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

/* Copy @count elements between the guest (from p->linear, in execution order) and @buf. */
static int pio_string_copy(struct vmxmon_vcpu *vcpu, void *buf, bool to_guest)
{
	struct vmx_pio *p = &to_vmx(vcpu)->pio;
	unsigned long len = (unsigned long)p->count * p->size;
	u32 i;

	if (!p->df)
		return to_guest ? vmx_write_guest(vcpu, p->linear, buf, len) :
				  vmx_read_guest(vcpu, p->linear, buf, len);
	for (i = 0; i < p->count; i++) {
		unsigned long gva = p->linear - (unsigned long)i * p->size;
		void *elem = buf + i * p->size;
		int r = to_guest ? vmx_write_guest(vcpu, gva, elem, p->size) :
				   vmx_read_guest(vcpu, gva, elem, p->size);
		if (r)
			return r;
	}
	return 0;
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
		p->addr_size = IO_INFO_ADDR_SIZE(vmcs_read32(VMX_INSTRUCTION_INFO));
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
		if (!p->in) {
			if (pio_string_copy(vcpu, vcpu->pio_data, false))
				return pio_emulation_failed(vcpu);
			pio_string_advance(vcpu, VCPU_RSI);
		}
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
		if (pio_string_copy(vcpu, vcpu->pio_data, true))
			return pio_emulation_failed(vcpu);
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
