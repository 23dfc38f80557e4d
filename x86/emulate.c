// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access outside guest RAM (an EPT violation, or a write to a read-only slot;
 * or an APIC-access exit) becomes accesses of the I/O bus: a device in the kernel answers
 * (x86/iobus.h: the vCPU's xAPIC page, then the VM's devices), else userspace does
 * (KVM_EXIT_MMIO). The hardware reports the guest-physical address but neither the data nor
 * the instruction's length (VT-x's VM_EXIT_INSTRUCTION_LEN is undefined for EPT violations),
 * so the instruction is fetched through the guest's page tables (as an instruction fetch at
 * the guest's CPL, with its checks and faults: x86/guest_mem.c), decoded (x86/decode.c) and
 * run here: the MOV family that device drivers use; string moves (x86/emulate_string.c) and
 * SSE moves (x86/emulate_sse.c), which memcpy_toio() and friends are made of. Anything else
 * is KVM_EXIT_INTERNAL_ERROR (emulation) with the instruction bytes. A write completes before
 * its exit; a read completes on the next KVM_RUN (vcpu->complete_userspace_io).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/traps.h>

#include "x86/emulate.h"

/*
 * Fetch up to 15 bytes at CS:RIP as the CPU fetches them: instruction fetches at the
 * guest's CPL through its page tables, within the CS limit (or canonical). X86_FAULT (*f)
 * when the first byte cannot be fetched. Bytes past the CS limit, or in a next page that
 * cannot be fetched, are left out (m->avail) and their fault kept in *tail: like KVM,
 * which fetches on demand, it is raised only if decoding needs them.
 */
static int fetch(struct x86_ctxt *c, struct x86_mmio *m, struct x86_fault *f,
		 struct x86_fault *tail)
{
	unsigned long rip = c->st.rip, la;
	int n = X86_MAX_INSN_LEN, first, r;

	tail->vector = 0;
	r = x86_guest_linearize(c, X86_SEG_CS, rip, 1, X86_PFEC_FETCH, &la, f);
	if (r)
		return r;
	while (x86_guest_linearize(c, X86_SEG_CS, rip, n, X86_PFEC_FETCH, &la, tail))
		n--;			/* the CS limit: #GP(0) beyond it */
	first = min_t(int, n, PAGE_SIZE - offset_in_page(la));
	r = x86_guest_linear_access(c, la, m->bytes, first, X86_PFEC_FETCH, f);
	if (r)
		return r;
	m->avail = first;
	if (first < n) {		/* an instruction may cross into the next page */
		r = x86_guest_linear_access(c, x86_linear_add(c, la, first), m->bytes + first,
					    n - first, X86_PFEC_FETCH, tail);
		if (!r)
			m->avail = n;
		else if (r != X86_FAULT)
			tail->vector = 0;	/* not RAM: an emulation failure if needed */
	}
	return 0;
}

/*
 * KVM's layout (struct emulation_failure in <linux/kvm.h>): flags, then one byte of
 * instruction length and 15 instruction bytes (data[1..2]), then vmxmon adds the GPA.
 */
int x86_emul_failed(struct vmxmon_vcpu *vcpu, u64 gpa)
{
	const struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	u64 data[4] = { KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES };
	u8 *bytes = (u8 *)&data[1];

	vcpu->complete_userspace_io = NULL;
	bytes[0] = m->avail;
	memcpy(bytes + 1, m->bytes, min_t(int, m->avail, X86_MAX_INSN_LEN));
	data[3] = gpa;
	return x86_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, 4, data);
}

static int complete_mmio(struct vmxmon_vcpu *vcpu);

/*
 * Hand the current fragment's next (at most 8) bytes to userspace as KVM_EXIT_MMIO; with
 * @complete, the next KVM_RUN takes the rest from there.
 */
static void mmio_exit(struct vmxmon_vcpu *vcpu, bool complete)
{
	struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	struct x86_mmio_frag *f = &m->frag[m->cur];
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = f->gpa + f->done;
	run->mmio.len = min_t(u32, 8, f->len - f->done);
	run->mmio.is_write = m->is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (m->is_write)
		memcpy(run->mmio.data, m->data + f->off + f->done, run->mmio.len);
	vcpu->complete_userspace_io = complete ? complete_mmio : NULL;
}

/*
 * @len MMIO bytes at @gpa, @data in m->data at @off, through the kernel's devices 8 bytes at
 * a time, as KVM's vcpu_mmio_read/write(): returns how many bytes they took (a device that
 * wants userspace to hear of its write sets *@dev_exit); the rest goes to userspace as one
 * fragment.
 */
static __always_inline unsigned int mmio_devices(struct vmxmon_vcpu *vcpu, u64 gpa,
						 unsigned int off, unsigned int len, bool write,
						 bool *dev_exit)
{
	struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	unsigned int done = 0;

	while (done < len) {
		unsigned int n = min(len - done, 8u);
		u8 *data = m->data + off + done;
		int r = write ? x86_io_write(vcpu, X86_MMIO_BUS, gpa + done, n, data) :
				x86_io_read(vcpu, X86_MMIO_BUS, gpa + done, n, data);

		if (r < 0)
			break;
		if (r == X86_IO_EXIT)
			*dev_exit = true;
		done += n;
	}
	if (done < len)
		m->frag[m->nfrag++] = (struct x86_mmio_frag){
			.gpa = gpa + done, .off = off + done, .len = len - done,
		};
	return done;
}

/*
 * Access @len (<= 16) bytes at offset @ea of segment @seg, with the data in mmio.data,
 * after the checks the CPU makes and KVM's emulator makes again (__linearize(), the page
 * walk): segment type and limit or a canonical address (#GP/#SS), @checks, paging at the
 * guest's CPL with accessed/dirty flags (#PF). Every page is checked before any byte
 * moves. RAM pieces are copied now, MMIO pieces go to the kernel's devices, and what they
 * leave becomes fragments for userspace, the first of which exits (MEM_EXIT, as does a
 * device's own exit). A failed check injects its fault (MEM_FAULT). -EFAULT: page tables
 * outside guest RAM.
 */
int x86_emul_mem_access(struct x86_ctxt *c, u8 seg, unsigned long ea, int len, bool write,
			unsigned int checks)
{
	struct vmxmon_vcpu *vcpu = c->vcpu;
	struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	u32 access = write ? X86_PFEC_WRITE : 0;
	int off, n = 0, chunk[2] = { len, 0 };
	bool dev_exit = false;
	struct x86_fault f;
	unsigned long la;
	u64 gpa[2];
	int r = x86_guest_linearize(c, seg, ea, len, access, &la, &f);

	if (!r && (checks & MEM_CHECK_ALIGN16) && (la & 15)) {
		f = (struct x86_fault){ .vector = X86_TRAP_GP };
		r = X86_FAULT;
	}
	for (off = 0; !r && off < len; off += chunk[n++]) {
		unsigned long lin = x86_linear_add(c, la, off);

		chunk[n] = min_t(int, len - off, PAGE_SIZE - offset_in_page(lin));
		r = x86_guest_translate(c, lin, access, &gpa[n], &f);
	}
	if (!r && (checks & MEM_CHECK_AC))
		r = x86_guest_check_alignment(c, la, len, &f);
	if (r == X86_FAULT) {
		x86_inject_fault(vcpu, &f);
		return MEM_FAULT;
	}
	if (r)
		return r;

	m->nfrag = 0;
	m->cur = 0;
	m->is_write = write;
	for (off = 0, n = 0; off < len; off += chunk[n++]) {
		if (x86_gpa_access(vcpu->vm, gpa[n], m->data + off, chunk[n], write))
			mmio_devices(vcpu, gpa[n], off, chunk[n], write, &dev_exit);
	}
	if (m->nfrag) {
		mmio_exit(vcpu, true);
		return MEM_EXIT;
	}
	return dev_exit ? MEM_EXIT : MEM_DONE;
}

/* A MOV form's read completed: the value goes to its register, RIP past the instruction. */
static int complete_mov_load(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	const struct x86_insn *in = &x->mmio.insn;
	unsigned int dst_size = in->op == X86_OP_LOAD ? in->size : in->dst_size;
	unsigned long reg;
	u64 val = 0;

	memcpy(&val, x->mmio.data, in->size);
	if (in->op == X86_OP_LOAD_SX)
		val = in->size == 1 ? (u64)(s64)(s8)val : (u64)(s64)(s16)val;
	reg = x86_read_gpr(vcpu, in->reg);
	x86_reg_write(&reg, val, dst_size, in->high_byte);
	x86_write_gpr(vcpu, in->reg, reg);
	x86_call(advance_rip)(vcpu, in->len);
	return 1;
}

/*
 * KVM_RUN after an MMIO exit. For a read, userspace put the bytes in run->mmio.data. Like
 * KVM, the next fragment of the same access exits at once, without entering the guest; a
 * completed write resumes the guest; a completed read finishes the instruction.
 */
static int complete_mmio(struct vmxmon_vcpu *vcpu)
{
	struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	struct x86_mmio_frag *f = &m->frag[m->cur];
	struct x86_ctxt c;
	u32 len = min_t(u32, 8, f->len - f->done);

	if (!m->is_write)
		memcpy(m->data + f->off + f->done, vcpu->run->mmio.data, len);
	f->done += len;
	if (f->done == f->len)
		m->cur++;
	if (m->cur < m->nfrag) {
		mmio_exit(vcpu, true);
		return 0;
	}
	if (m->is_write)
		return 1;
	if (m->insn.op < X86_OP_MOVS)
		return complete_mov_load(vcpu);
	x86_ctxt_init(&c, vcpu);
	if (m->insn.op >= X86_OP_VEC_LOAD)
		return x86_emul_sse(&c, true);
	return x86_emul_string(&c, true);
}

/* The MOV forms: one access of insn.size bytes at @gpa, the one the exit reported. */
static int emulate_mov(struct vmxmon_vcpu *vcpu, u64 gpa, bool write)
{
	struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	const struct x86_insn *in = &m->insn;
	bool dev_exit = false;
	u64 val = 0;

	if ((in->op == X86_OP_STORE_REG || in->op == X86_OP_STORE_IMM) != write)
		return x86_emul_failed(vcpu, gpa);
	m->is_write = write;
	m->nfrag = 0;
	m->cur = 0;
	if (write) {
		val = in->op == X86_OP_STORE_IMM ? in->imm : x86_read_gpr(vcpu, in->reg);
		if (in->high_byte)
			val >>= 8;
	}
	memcpy(m->data, &val, sizeof(val));
	mmio_devices(vcpu, gpa, 0, in->size, write, &dev_exit);
	if (!write) {
		if (!m->nfrag)
			return complete_mov_load(vcpu);
		mmio_exit(vcpu, true);		/* the register is written on completion */
		return 0;
	}
	if (m->nfrag)
		mmio_exit(vcpu, false);		/* a write is complete before its exit */
	x86_call(advance_rip)(vcpu, in->len);
	return m->nfrag || dev_exit ? 0 : 1;
}

/* A guest access at @gpa that is not guest RAM, made by the instruction at RIP. */
int x86_emulate_mmio(struct vmxmon_vcpu *vcpu, u64 gpa, bool write)
{
	struct x86_mmio *m = &vcpu_x86(vcpu)->mmio;
	struct x86_fault f, tail;
	struct x86_ctxt c;
	int r, d = X86_DECODE_UNSUPPORTED;

	x86_ctxt_init(&c, vcpu);
	m->avail = 0;
	r = fetch(&c, m, &f, &tail);
	if (r == X86_FAULT) {
		x86_inject_fault(vcpu, &f);
		return 1;
	}
	if (!r) {
		d = x86_insn_decode(m->bytes, m->avail, c.st.long64 ? X86_INSN_64 :
				    c.st.cs.db ? X86_INSN_32 : X86_INSN_16, &m->insn);
		if (d == X86_DECODE_TRUNCATED && tail.vector) {
			x86_inject_fault(vcpu, &tail);	/* it needed bytes it cannot have */
			return 1;
		}
	}
	if (r || d)
		return x86_emul_failed(vcpu, gpa);
	if (m->insn.op >= X86_OP_VEC_LOAD)
		return x86_emul_sse(&c, false);
	if (m->insn.op >= X86_OP_MOVS)
		return x86_emul_string(&c, false);
	return emulate_mov(vcpu, gpa, write);
}
