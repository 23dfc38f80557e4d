// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the guest's instructions see it, for the accesses vmxmon makes on their
 * behalf (string port I/O, the MMIO emulator): segment:offset -> linear address ->
 * guest-physical address with every check the CPU would have made (x86/walk.c, fed from the
 * guest state the backend gives: struct x86_ctxt), faults to inject when one fails, then
 * guest RAM through the memslots.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/traps.h>

#include "x86/x86.h"

/* The guest state of one emulation (see struct x86_state). */
void x86_ctxt_init(struct x86_ctxt *c, struct vmxmon_vcpu *vcpu)
{
	struct x86_state *st = &c->st;

	c->vcpu = vcpu;
	x86_call(get_state)(vcpu, st);
	if (!(st->cr0 & X86_CR0_PE))
		st->mode = X86_MODE_REAL;
	else if (st->rflags & X86_EFLAGS_VM)
		st->mode = X86_MODE_VM86;
	else
		st->mode = st->long64 ? X86_MODE_64 : X86_MODE_PROT;
}

/*
 * Copy within one guest page: @gpa .. @gpa + @len must not cross a page boundary. -EFAULT
 * when @gpa is not guest RAM (or, for a write, is in a read-only slot): MMIO.
 */
int x86_gpa_access(struct vmxmon_vm *vm, u64 gpa, void *buf, unsigned int len, bool write)
{
	void *tok = vmxmon_sleep_begin();	/* may fault the page in: sleeps */
	int r = vmxmon_gpa_copy(vm, gpa, buf, len, write);

	vmxmon_sleep_end(tok);
	return r;
}

/* ---- the walker's view of the guest ---- */

static int walk_read(void *opaque, u64 gpa, u64 *val, unsigned int size)
{
	*val = 0;
	return x86_gpa_access(opaque, gpa, val, size, false);
}

/* Entries are naturally aligned (table + index * size): never across a page. */
static int walk_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new, unsigned int size)
{
	void *tok = vmxmon_sleep_begin();	/* GUP and set_page_dirty_lock() sleep */
	struct page *page = vmxmon_gpa_to_page(opaque, gpa, true);
	bool done;
	void *va;

	if (!page) {		/* a read-only slot (ROM): its flags stay, as in KVM */
		vmxmon_sleep_end(tok);
		return 0;
	}
	va = kmap_local_page(page) + offset_in_page(gpa);
	if (size == 8)
		done = try_cmpxchg64((u64 *)va, &old, new);
	else
		done = cmpxchg((u32 *)va, (u32)old, (u32)new) == (u32)old;
	kunmap_local(va);
	if (done)
		set_page_dirty_lock(page);
	put_page(page);
	vmxmon_sleep_end(tok);
	return done ? 0 : -EAGAIN;
}

/*
 * Linear @la to guest-physical for @access (X86_PFEC_WRITE, _FETCH, X86_ACC_PROBE), at the
 * guest's CPL (CPL 3 makes it a user-mode access). 0, X86_FAULT (*f filled in: #PF), or
 * -EFAULT (page tables outside guest RAM), -EAGAIN (the guest kept rewriting them).
 */
int x86_guest_translate(struct x86_ctxt *c, unsigned long la, u32 access, u64 *gpa,
			struct x86_fault *f)
{
	struct x86_paging pg = {
		.cr0 = c->st.cr0, .cr4 = c->st.cr4, .efer = c->st.efer,
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
		.gbpages = boot_cpu_has(X86_FEATURE_GBPAGES),
		.rflags_ac = c->st.rflags & X86_EFLAGS_AC,
		.read = walk_read, .cmpxchg = walk_cmpxchg, .opaque = c->vcpu->vm,
	};
	u32 pfec;
	int r;

	if (c->st.cr0 & X86_CR0_PG)	/* CR3 and the PDPTEs: only paging reads them */
		x86_call(get_paging)(c->vcpu, &pg);
	if (c->st.cpl == 3)
		access |= X86_PFEC_USER;
	r = x86_walk(&pg, la, access, gpa, &pfec);
	if (r == X86_WALK_FAULT)
		*f = (struct x86_fault){ .vector = X86_TRAP_PF, .error_code = pfec, .cr2 = la };
	return r;
}

/*
 * Offset @ea of segment @seg (enum x86_seg), @size bytes, as an access of kind @access
 * (X86_PFEC_WRITE, X86_PFEC_FETCH or a read): 0 with the linear address, or X86_FAULT with
 * #GP(0)/#SS(0) in *f. @ea must already be truncated to the instruction's address size.
 */
int x86_guest_linearize(struct x86_ctxt *c, u8 seg, unsigned long ea, unsigned int size,
			u32 access, unsigned long *la, struct x86_fault *f)
{
	struct x86_segment s;
	u64 lin;
	int vector;

	if (seg > X86_SEG_GS)
		seg = X86_SEG_DS;
	if (seg == X86_SEG_CS)
		s = c->st.cs;
	else
		x86_call(get_segment)(c->vcpu, seg, &s);
	/* In 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.4.4). */
	if (c->st.mode == X86_MODE_64 && seg != X86_SEG_FS && seg != X86_SEG_GS)
		s.base = 0;
	vector = x86_linearize(&s, seg == X86_SEG_SS, c->st.mode, ea, size, access, &lin);
	if (vector) {
		*f = (struct x86_fault){ .vector = vector };
		return X86_FAULT;
	}
	*la = lin;
	return 0;
}

/*
 * Alignment check (SDM Vol. 3A 6.15, #AC): a misaligned data access at CPL 3 with CR0.AM
 * and RFLAGS.AC set. VM exits for INS/OUTS come before it (SDM Vol. 3C 26.1.1), so it is
 * ours to make for string I/O and the string moves we emulate. KVM's emulator does not
 * make it.
 */
int x86_guest_check_alignment(struct x86_ctxt *c, unsigned long la, unsigned int size,
			      struct x86_fault *f)
{
	if (!(la & (size - 1)) || c->st.cpl != 3 || !(c->st.cr0 & X86_CR0_AM) ||
	    !(c->st.rflags & X86_EFLAGS_AC))
		return 0;
	*f = (struct x86_fault){ .vector = X86_TRAP_AC };
	return X86_FAULT;
}

/* Deliver @f at the next entry: #PF also loads CR2 (the backend writes it to the CPU). */
void x86_inject_fault(struct vmxmon_vcpu *vcpu, const struct x86_fault *f)
{
	if (f->vector == X86_TRAP_PF)
		vcpu_x86(vcpu)->cr2 = f->cr2;
	x86_call(inject_exception)(vcpu, f->vector, true, f->error_code);
}

/*
 * Copy @len bytes at linear @la (pages translated one by one) with the guest's
 * permissions for @access: 0, X86_FAULT (*f: the first page that faulted; nothing was
 * copied from or to a later one), -EFAULT (not RAM), -EAGAIN.
 */
int x86_guest_linear_access(struct x86_ctxt *c, unsigned long la, void *buf, unsigned int len,
			    u32 access, struct x86_fault *f)
{
	bool write = access & X86_PFEC_WRITE;

	while (len) {
		unsigned int chunk = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(la));
		u64 gpa;
		int r = x86_guest_translate(c, la, access, &gpa, f);

		if (!r)
			r = x86_gpa_access(c->vcpu->vm, gpa, buf, chunk, write);
		if (r)
			return r;
		la = x86_linear_add(c, la, chunk);
		buf += chunk;
		len -= chunk;
	}
	return 0;
}
