// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O: an IN, OUT, INS or OUTS the backend saw exit (struct x86_pio_exit) goes to the
 * kernel's port devices (x86/iobus.h), else to userspace as KVM_EXIT_IO with the data in
 * the page after struct kvm_run (io.data_offset). IN and OUT complete on the next KVM_RUN,
 * as in KVM: during the exit RIP is still on the instruction (an IN's data is not there
 * yet), and if userspace moved RIP meanwhile (KVM_SET_REGS, a reset) the instruction is
 * abandoned instead of skipped. String OUTS completes before its exit, and so does OUT to
 * port 0x7e: KVM's KVM_X86_QUIRK_OUT_7E_INC_RIP, on by default, kept for VMMs written
 * against older KVMs (vmxmon has no KVM_CAP_DISABLE_QUIRKS to turn it off).
 *
 * String I/O (INS/OUTS, with or without REP) moves at most a page of data per exit:
 * count <= PAGE_SIZE / size. A REP instruction whose RCX is not exhausted is executed again
 * by the guest (its RIP stays), so it may be interrupted between chunks, as on hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <asm/processor-flags.h>

#include "x86/x86.h"

#define IO_PORT_OUT_INC_RIP	0x7e

/* Move the string registers past @count elements, and finish the instruction if done. */
static void pio_string_advance(struct vmxmon_vcpu *vcpu, int index_reg)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	struct x86_pio *p = &x->pio;
	unsigned int asize = p->exit.addr_size;
	unsigned long step = (unsigned long)p->count * p->exit.size;
	unsigned long *idx = &x->regs[index_reg];

	x86_reg_write(idx, p->df ? *idx - step : *idx + step, asize, false);
	if (p->exit.rep) {
		unsigned long *rcx = &x->regs[VCPU_RCX];

		x86_reg_write(rcx, (*rcx & x86_size_mask(asize)) - p->count, asize, false);
		if (*rcx & x86_size_mask(asize))
			return;		/* the guest executes it again for the rest */
	}
	x86_call(advance_rip)(vcpu, p->exit.insn_len);
}

/* The last page translated for a string: the elements of one page share its walk. */
struct pio_xlat {
	bool valid;
	unsigned long la_page;
	u64 gpa_page;
};

static int pio_translate(struct x86_ctxt *c, struct pio_xlat *t, unsigned long la,
			 u32 access, u64 *gpa, struct x86_fault *f)
{
	int r;

	if (t->valid && (la & PAGE_MASK) == t->la_page) {
		*gpa = t->gpa_page | offset_in_page(la);
		return 0;
	}
	r = x86_guest_translate(c, la, access, gpa, f);
	if (!r)
		*t = (struct pio_xlat){ true, la & PAGE_MASK, *gpa & PAGE_MASK };
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
static int pio_string_elements(struct x86_ctxt *c, void *buf, bool to_guest,
			       struct x86_fault *f)
{
	struct x86_vcpu *x = vcpu_x86(c->vcpu);
	struct x86_pio *p = &x->pio;
	unsigned int size = p->exit.size;
	unsigned long base = x->regs[to_guest ? VCPU_RDI : VCPU_RSI];
	u32 access = (to_guest ? X86_PFEC_WRITE : 0) | (buf ? 0 : X86_ACC_PROBE);
	struct pio_xlat xlat = { false };
	u32 i;
	int r = 0;

	f->vector = 0;
	for (i = 0; i < p->count; i++) {
		unsigned long step = (unsigned long)i * size, la, la2 = 0;
		unsigned long ea = (p->df ? base - step : base + step) &
				   x86_size_mask(p->exit.addr_size);
		unsigned int len0;
		u64 gpa, gpa2 = 0;

		r = x86_guest_linearize(c, to_guest ? X86_SEG_ES : p->exit.seg, ea, size, access,
					&la, f);
		if (r)
			break;
		len0 = min_t(unsigned int, size, PAGE_SIZE - offset_in_page(la));
		r = pio_translate(c, &xlat, la, access, &gpa, f);
		if (!r && len0 < size) {		/* across a page boundary */
			la2 = x86_linear_add(c, la, len0);
			r = pio_translate(c, &xlat, la2, access, &gpa2, f);
		}
		if (!r)
			r = x86_guest_check_alignment(c, la, size, f);
		if (!r && buf) {
			r = x86_gpa_access(c->vcpu->vm, gpa, buf + step, len0, to_guest);
			if (!r && len0 < size)
				r = x86_gpa_access(c->vcpu->vm, gpa2, buf + step + len0,
						   size - len0, to_guest);
		}
		if (r)
			break;
	}
	if (r == X86_FAULT || i)
		return i;
	return r;
}

static int pio_emulation_failed(struct vmxmon_vcpu *vcpu)
{
	vcpu->complete_userspace_io = NULL;
	return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, 2,
				  vcpu_x86(vcpu)->pio.exit.info);
}

/*
 * The kernel's port devices, element by element, as KVM's kernel_pio(): 0 when they took
 * every element (X86_IO_EXIT if one wants userspace to hear of it), -EOPNOTSUPP when they
 * did not take the first. If they stop later, the rest is lost (an IN's reads as zeros),
 * as in KVM: userspace cannot take a partial count.
 */
static int pio_devices(struct vmxmon_vcpu *vcpu, u8 *data)
{
	struct x86_pio *p = &vcpu_x86(vcpu)->pio;
	int r = 0, ret = 0;
	u32 i;

	if (!rcu_access_pointer(vcpu->vm->io_bus[X86_PIO_BUS]))
		return -EOPNOTSUPP;			/* no port device in this VM */
	for (i = 0; i < p->count; i++, data += p->exit.size) {
		r = p->exit.in ? x86_io_read(vcpu, X86_PIO_BUS, p->exit.port, p->exit.size, data) :
				 x86_io_write(vcpu, X86_PIO_BUS, p->exit.port, p->exit.size, data);
		if (r < 0)
			break;
		if (r == X86_IO_EXIT)
			ret = X86_IO_EXIT;
	}
	if (!i)
		return r;
	if (i < p->count && p->exit.in)
		memset(data, 0, (p->count - i) * p->exit.size);
	return ret;
}

/* An IN's data arrived (from userspace, or a port device): to RAX or the string. */
static int pio_in_done(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	struct x86_pio *p = &x->pio;

	if (p->exit.string) {
		struct x86_ctxt c;
		struct x86_fault f;
		int n;

		/* Checked before the exit, but the guest's page tables may have changed since. */
		x86_ctxt_init(&c, vcpu);
		n = pio_string_elements(&c, vcpu->pio_data, true, &f);
		if (n < 0 || (n < p->count && !f.vector))
			return pio_emulation_failed(vcpu);
		if (n < p->count) {		/* the rest of the data is dropped */
			p->count = n;
			if (n)
				pio_string_advance(vcpu, VCPU_RDI);
			x86_inject_fault(vcpu, &f);
			return 1;
		}
		pio_string_advance(vcpu, VCPU_RDI);
		return 1;
	}
	/* A 32-bit destination zero-extends into RAX. */
	x86_reg_write(&x->regs[VCPU_RAX], *(u32 *)vcpu->pio_data, p->exit.size, false);
	x86_call(advance_rip)(vcpu, p->exit.insn_len);
	return 1;
}

/* KVM_RUN after an IN or OUT exit: unless userspace moved RIP, the instruction is done. */
static int complete_pio(struct vmxmon_vcpu *vcpu)
{
	struct x86_pio *p = &vcpu_x86(vcpu)->pio;

	if (!p->exit.string && x86_call(linear_rip)(vcpu) != p->linear_rip)
		return 1;		/* userspace moved RIP: leave the instruction */
	if (p->exit.in)
		return pio_in_done(vcpu);
	x86_call(advance_rip)(vcpu, p->exit.insn_len);
	return 1;
}

/*
 * String I/O before its exit: only the elements the guest may access go out. If the first
 * one faults, the instruction does, before any port access; if a later one does, the guest
 * runs the instruction again for the rest and faults then. (KVM's emulator reads the port
 * for INS first and drops the data on a fault.) 0 to go on, 1 or an exit when done.
 */
static int pio_string_start(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	struct x86_pio *p = &x->pio;
	struct x86_ctxt c;
	struct x86_fault f;
	int n;

	x86_ctxt_init(&c, vcpu);
	p->df = c.st.rflags & X86_EFLAGS_DF;
	if (p->exit.rep) {
		unsigned long rcx = x->regs[VCPU_RCX] & x86_size_mask(p->exit.addr_size);

		if (!rcx) {		/* nothing to move */
			x86_call(advance_rip)(vcpu, p->exit.insn_len);
			return 1;
		}
		p->count = min_t(unsigned long, rcx, PAGE_SIZE / p->exit.size);
	}
	n = pio_string_elements(&c, p->exit.in ? NULL : vcpu->pio_data, p->exit.in, &f);
	if (n < 0)
		return pio_emulation_failed(vcpu);
	if (!n) {
		x86_inject_fault(vcpu, &f);
		return 1;
	}
	p->count = n;
	if (!p->exit.in)
		pio_string_advance(vcpu, VCPU_RSI);
	return 0;
}

/* A port-I/O exit: 1 resume, 0 to userspace (kvm_run filled), <0 error. */
int x86_handle_pio(struct vmxmon_vcpu *vcpu, const struct x86_pio_exit *e)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	struct x86_pio *p = &x->pio;
	struct kvm_run *run = vcpu->run;
	bool complete = true;
	int r;

	p->exit = *e;
	p->count = 1;
	if (e->string) {
		r = pio_string_start(vcpu);
		if (r)
			return r;
		complete = e->in;	/* OUTS completed before the exit */
	} else {
		if (!e->in)
			memcpy(vcpu->pio_data, &x->regs[VCPU_RAX], e->size);
		p->linear_rip = x86_call(linear_rip)(vcpu);
	}

	r = pio_devices(vcpu, vcpu->pio_data);
	if (r >= 0) {		/* the kernel's devices took it: complete it now */
		int done = 1;

		if (e->in)
			done = pio_in_done(vcpu);
		else if (!e->string)
			x86_call(advance_rip)(vcpu, e->insn_len);
		return done <= 0 ? done : r == X86_IO_EXIT ? 0 : 1;
	}
	if (!e->string && !e->in && e->port == IO_PORT_OUT_INC_RIP) {
		/* The quirk: done before the exit. */
		x86_call(advance_rip)(vcpu, e->insn_len);
		complete = false;
	}
	vcpu->complete_userspace_io = complete ? complete_pio : NULL;
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = e->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = e->size;
	run->io.port = e->port;
	run->io.count = p->count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	return 0;
}
