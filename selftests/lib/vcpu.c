// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs for the selftests: creation, the two ways to start guest code (64-bit C functions,
 * real-mode blobs), KVM_RUN with expectations, ucall decoding and exit diagnostics.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "util.h"
#include "vm.h"

/*
 * Guests start with interrupts enabled. Nothing is ever injected (no irqchip), so the guest
 * never takes one, but Bochs 2.7 only turns host interrupts into VM exits (external-interrupt
 * exiting) while the guest's RFLAGS.IF is 1: a guest spinning with IF=0 would keep its CPU
 * from signals, kicks and the scheduler until it exits by itself.
 */
#define GUEST_RFLAGS	(X86_EFLAGS_FIXED | X86_EFLAGS_IF)

extern const char guest_start[];

static void __attribute__((noreturn)) vcpu_die(struct vcpu *vcpu, const char *what, long err)
{
	struct test_ctx *t = vcpu->vm->t;

	t_fail(t, __FILE__, __LINE__, "%s (vCPU %u): %s", what, vcpu->id, strerror((int)-err));
	t_abort(t);
}

static void vcpu_ioctl(struct vcpu *vcpu, unsigned long req, const char *name, void *arg)
{
	long r = dev_ioctl(vcpu->fd, req, (unsigned long)arg);

	if (r < 0)
		vcpu_die(vcpu, name, r);
}

void vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
	vcpu_ioctl(vcpu, KVM_GET_REGS, "KVM_GET_REGS", regs);
}

void vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	vcpu_ioctl(vcpu, KVM_SET_REGS, "KVM_SET_REGS", (void *)regs);
}

void vcpu_get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs)
{
	vcpu_ioctl(vcpu, KVM_GET_SREGS, "KVM_GET_SREGS", sregs);
}

void vcpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs)
{
	vcpu_ioctl(vcpu, KVM_SET_SREGS, "KVM_SET_SREGS", (void *)sregs);
}

uint64_t vcpu_rip(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	return regs.rip;
}

struct vcpu *t_vcpu_add(struct vm *vm, unsigned int id)
{
	struct test_ctx *t = vm->t;
	const struct kvm_cpuid2 *cpuid = vm_supported_cpuid(vm);
	struct vcpu *vcpu;
	const char *what;
	int r = __vcpu_add(vm, id, &vcpu, &what);

	if (r) {
		t_fail(t, __FILE__, __LINE__, "%s (vCPU %u): %s", what, id, strerror(-r));
		t_abort(t);
	}
	/* KVM wants the CPUID (CPUID.LM among others) before it runs 64-bit code. */
	vcpu_ioctl(vcpu, KVM_SET_CPUID2, "KVM_SET_CPUID2", (void *)cpuid);
	return vcpu;
}

void vcpu_enter_long_mode(struct vcpu *vcpu, void (*fn)(uint64_t, uint64_t), uint64_t a0,
			  uint64_t a1)
{
	struct vm *vm = vcpu->vm;
	struct kvm_regs regs = { 0 };
	struct kvm_sregs s;

	vm_setup_long_mode(vm);
	vcpu_get_sregs(vcpu, &s);
	s.cs = flat_segment(GDT_CODE64, true);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(GDT_DATA, false);
	s.tr = (struct kvm_segment){
		.base = vm->tss, .limit = 0x67, .selector = GDT_TSS, .type = 11, .present = 1,
	};
	s.gdt.base = vm->gdt;
	s.gdt.limit = GDT_TSS + 16 - 1;
	s.idt.base = vm->idt;
	s.idt.limit = 256 * 16 - 1;	/* vectors 32-255: not present until vm_set_idt_gate() */
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s.cr3 = vm->pml4;
	s.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;	/* SSE: the compiler may use it */
	s.efer = EFER_LME | EFER_LMA;
	vcpu_set_sregs(vcpu, &s);

	regs.rip = (uintptr_t)guest_start;	/* calls RAX(RDI, RSI), then GUEST_DONE */
	regs.rax = (uintptr_t)fn;
	regs.rdi = a0;
	regs.rsi = a1;
	regs.rsp = vm_alloc(vm, GUEST_STACK_SIZE) + GUEST_STACK_SIZE;	/* one per start */
	regs.rflags = GUEST_RFLAGS;
	vcpu_set_regs(vcpu, &regs);
}

void vcpu_enter_real_mode(struct vcpu *vcpu, uint64_t gpa)
{
	int r = __vcpu_enter_real_mode(vcpu, gpa, REAL_MODE_STACK, GUEST_RFLAGS);

	if (r)
		vcpu_die(vcpu, "KVM_SET_SREGS/KVM_SET_REGS (real mode)", r);
}

struct vcpu *t_guest_new(struct test_ctx *t, void (*fn)(uint64_t, uint64_t), uint64_t a0,
			 uint64_t a1)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);

	vcpu_enter_long_mode(vcpu, fn, a0, a1);
	return vcpu;
}

struct vcpu *t_guest_over_slot(struct test_ctx *t, void (*fn)(uint64_t, uint64_t), uint64_t gpa,
			       uint64_t size, void *hva, uint64_t stride)
{
	struct vcpu *vcpu = t_guest_new(t, fn, gpa, size);

	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, gpa, size, hva), 0);
	for (uint64_t off = 0; off < size; off += stride)
		vm_map(vcpu->vm, gpa + off, gpa + off);
	return vcpu;
}

uint64_t vcpu_get_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	const struct kvm_run *run = vcpu->run;
	struct ucall tmp;
	uint32_t addr;

	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 || run->io.count != 1)
		return UCALL_NONE;
	memcpy(&addr, vcpu_io_data(vcpu), sizeof(addr));
	if (vm_read_gva(vcpu->vm, addr, &tmp, sizeof(tmp))) {
		t_fail(vcpu->vm->t, __FILE__, __LINE__, "ucall from unmapped guest address %#x",
		       addr);
		t_abort(vcpu->vm->t);
	}
	if (uc)
		*uc = tmp;
	return tmp.cmd;
}

/* ---- diagnostics ---- */

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	va_start(ap, fmt);
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void vcpu_describe_exit(struct vcpu *vcpu, char *buf, size_t len)
{
	const struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	snprintf(buf, len, "KVM_EXIT_%s (%u)", exit_reason_name(run->exit_reason), run->exit_reason);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		append(buf, len, ": %s port %#x size %u count %u",
		       run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port,
		       run->io.size, run->io.count);
		break;
	case KVM_EXIT_MMIO:
		append(buf, len, ": %s GPA %#llx len %u", run->mmio.is_write ? "write" : "read",
		       run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		append(buf, len, ": hardware reason %#llx on cpu %u",
		       run->fail_entry.hardware_entry_failure_reason, run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		append(buf, len, ": suberror %u, data", run->internal.suberror);
		for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
			append(buf, len, " %#llx", run->internal.data[i]);
		break;
	}
	if (!dev_ioctl(vcpu->fd, KVM_GET_REGS, (unsigned long)&regs))
		append(buf, len, ", rip %#llx", regs.rip);
}

static void read_guest_string(struct vm *vm, uint64_t gva, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (vm_read_gva(vm, gva + i, &buf[i], 1) || !buf[i])
			break;
	buf[i] = '\0';
	if (!i)
		snprintf(buf, len, "?");
}

static const char *exception_name(uint64_t vector)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF9", "#TS",
		"#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};

	return vector < ARRAY_SIZE(names) ? names[vector] : "#?";
}

static void __attribute__((noreturn)) report_abort(struct vcpu *vcpu, const struct ucall *uc)
{
	struct test_ctx *t = vcpu->vm->t;
	char file[128], expr[256];
	const uint64_t *a = uc->args;

	if (uc->abort_kind == ABORT_EXCEPTION) {
		t_fail(t, __FILE__, __LINE__,
		       "guest exception %s (vector %llu) at rip %#llx, error code %#llx, cr2 %#llx",
		       exception_name(a[0]), (unsigned long long)a[0], (unsigned long long)a[2],
		       (unsigned long long)a[1], (unsigned long long)a[3]);
		t_abort(t);
	}
	read_guest_string(vcpu->vm, uc->file, file, sizeof(file));
	read_guest_string(vcpu->vm, uc->expr, expr, sizeof(expr));
	if (uc->abort_kind == ABORT_ASSERT_EQ)
		t_fail(t, file, (int)uc->line,
		       "guest assertion failed: %s\n  expected: %lld (%#llx)\n  actual:   %lld (%#llx)",
		       expr, (long long)a[1], (unsigned long long)a[1], (long long)a[0],
		       (unsigned long long)a[0]);
	else
		t_fail(t, file, (int)uc->line, "guest assertion failed: %s", expr);
	t_abort(t);
}

static const char *ucall_name(uint64_t cmd)
{
	static const char *const names[] = {
		[UCALL_NONE] = "no ucall", [UCALL_SYNC] = "GUEST_SYNC",
		[UCALL_DONE] = "GUEST_DONE", [UCALL_ABORT] = "GUEST_ABORT",
	};

	return cmd < ARRAY_SIZE(names) ? names[cmd] : "ucall ?";
}

static void __attribute__((noreturn)) fail_exit(struct vcpu *vcpu, const char *file, int line,
						const char *expected)
{
	char what[512];

	vcpu_describe_exit(vcpu, what, sizeof(what));
	t_fail(vcpu->vm->t, file, line, "expected %s, got %s", expected, what);
	t_abort(vcpu->vm->t);
}

/*
 * KVM_RUN until it returns something else than -EINTR with KVM_EXIT_INTR, as KVM selftests'
 * _vcpu_run() does: a test that wants -EINTR (a signal, immediate_exit) calls __vcpu_run().
 * vmxmon returns -EINTR for pending task work too, which only the return to userspace can
 * run from a module (task_work_run() is not exported; KVM runs it in place). On 6.12 the
 * scheduler queues such work (mm_cid compaction, TWA_RESUME) to a task that runs for 100 ms,
 * so a long KVM_RUN there may come back early, with nothing to do but enter again.
 */
static void run_or_die(struct vcpu *vcpu, const char *file, int line)
{
	int r;

	do
		r = __vcpu_run(vcpu);
	while (r == -EINTR && vcpu->run->exit_reason == KVM_EXIT_INTR);

	if (r) {
		char what[512];

		vcpu_describe_exit(vcpu, what, sizeof(what));
		t_fail(vcpu->vm->t, file, line, "KVM_RUN: %s (exit: %s)", strerror(-r), what);
		t_abort(vcpu->vm->t);
	}
}

void vcpu_expect_exit_at(struct vcpu *vcpu, uint32_t exit_reason, const char *file, int line)
{
	struct ucall uc;

	if (vcpu_get_ucall(vcpu, &uc) == UCALL_ABORT)
		report_abort(vcpu, &uc);
	if (vcpu->run->exit_reason != exit_reason) {
		char expected[48];

		snprintf(expected, sizeof(expected), "KVM_EXIT_%s", exit_reason_name(exit_reason));
		fail_exit(vcpu, file, line, expected);
	}
}

void vcpu_run_expect_at(struct vcpu *vcpu, uint32_t exit_reason, const char *file, int line)
{
	run_or_die(vcpu, file, line);
	vcpu_expect_exit_at(vcpu, exit_reason, file, line);
}

void vcpu_run_expect_mmio_at(struct vcpu *vcpu, uint64_t gpa, uint32_t len, bool is_write,
			     const char *file, int line)
{
	const struct kvm_run *run = vcpu->run;

	vcpu_run_expect_at(vcpu, KVM_EXIT_MMIO, file, line);
	if (run->mmio.phys_addr != gpa || run->mmio.len != len || run->mmio.is_write != is_write) {
		t_fail(vcpu->vm->t, file, line,
		       "expected an MMIO %s of %u bytes at %#llx, got a %s of %u at %#llx",
		       is_write ? "write" : "read", len, (unsigned long long)gpa,
		       run->mmio.is_write ? "write" : "read", run->mmio.len,
		       (unsigned long long)run->mmio.phys_addr);
		t_abort(vcpu->vm->t);
	}
}

void vcpu_expect_ucall_at(struct vcpu *vcpu, uint64_t cmd, struct ucall *uc, const char *file,
			  int line)
{
	struct ucall tmp;
	uint64_t got = vcpu_get_ucall(vcpu, &tmp);

	if (got == UCALL_ABORT)
		report_abort(vcpu, &tmp);
	if (got == UCALL_NONE)
		fail_exit(vcpu, file, line, ucall_name(cmd));
	if (got != cmd) {
		t_fail(vcpu->vm->t, file, line, "expected %s, got %s", ucall_name(cmd),
		       ucall_name(got));
		t_abort(vcpu->vm->t);
	}
	if (uc)
		*uc = tmp;
}

void vcpu_run_ucall_at(struct vcpu *vcpu, uint64_t cmd, struct ucall *uc, const char *file,
		       int line)
{
	run_or_die(vcpu, file, line);
	vcpu_expect_ucall_at(vcpu, cmd, uc, file, line);
}
