// SPDX-License-Identifier: GPL-2.0
/*
 * The probe runtime (see probe.h): position-independent 64-bit code assembled into .rodata
 * and copied into the guest at BARE_CODE64_GPA. Absolute addresses below are the ones
 * probe.h names (PD = PROBE_DATA_GPA); the static_asserts keep them in step.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kick.h"
#include "kvm_util.h"
#include "probe.h"
#include "vm.h"

#define PD		0x10b000	/* PROBE_DATA_GPA: resume, faults, last_vector, ... */
#define DONE_PORT	0xe0		/* PROBE_DONE_PORT */
#define PROBE_KICK_MS	5000
#define S(x)		#x
#define XS(x)		S(x)
_Static_assert(PD == PROBE_DATA_GPA, "PD");
_Static_assert(DONE_PORT == PROBE_DONE_PORT, "DONE_PORT");

__asm__(
".pushsection .rodata\n"
".set PD_RESUME, " XS(PD) "\n"
".set PD_FAULTS, " XS(PD) " + 8\n"
".set PD_LASTVEC, " XS(PD) " + 16\n"
".set PD_LASTERR, " XS(PD) " + 24\n"
".set PD_VECTORS, " XS(PD) " + 32\n"
".balign 16\n"
"probe_start:\n"
"probe_entries:\n"
"	.quad probe_msr - probe_start, probe_insns - probe_start, probe_cr - probe_start\n"
"	.quad probe_ports - probe_start, probe_vmcall - probe_start\n"
"	.quad probe_cpuid - probe_start, probe_read - probe_start\n"
"probe_exc_offsets:\n"
"	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
"	.quad probe_exc_\\v - probe_start\n"
"	.endr\n"
/* One stub per vector: the CPU pushes an error code for some; push 0 for the others. */
".macro PROBE_EXC v\n"
"probe_exc_\\v:\n"
"	.if (\\v == 8) || (\\v == 10) || (\\v == 11) || (\\v == 12) || (\\v == 13) || (\\v == 14) || (\\v == 17) || (\\v == 21) || (\\v == 29) || (\\v == 30)\n"
"	.else\n"
"	pushq $0\n"
"	.endif\n"
"	pushq $\\v\n"
"	jmp probe_exc_common\n"
".endm\n"
"	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
"	PROBE_EXC \\v\n"
"	.endr\n"
/* Stack: rax, vector, error, rip, cs, rflags, rsp, ss. Record, then resume or stop. */
"probe_exc_common:\n"
"	push %rax\n"
"	mov 8(%rsp), %rax\n"
"	mov %rax, PD_LASTVEC\n"
"	incq PD_VECTORS(,%rax,8)\n"
"	incq PD_FAULTS\n"
"	mov 16(%rsp), %rax\n"
"	mov %rax, PD_LASTERR\n"
"	mov PD_RESUME, %rax\n"
"	test %rax, %rax\n"
"	jz 1f\n"
"	mov %rax, 24(%rsp)\n"
"	pop %rax\n"
"	add $16, %rsp\n"
"	iretq\n"
"1:	hlt\n"
"	jmp 1b\n"
"probe_done:\n"
"	out %al, $" XS(DONE_PORT) "\n"
"	hlt\n"
"	jmp probe_done\n"
/* Arm the handler: a fault in what follows resumes at label. */
".macro ARM label\n"
"	movq $0xff, PD_LASTVEC\n"
"	lea \\label(%rip), %rax\n"
"	mov %rax, PD_RESUME\n"
".endm\n"
"probe_msr:\n"
"	xor %r8, %r8\n"
"1:	cmp %rsi, %r8\n"
"	jae probe_done\n"
"	ARM 2f\n"
"	mov %r9d, %ecx\n"
"	cmp $1, %r11\n"
"	je 3f\n"
"	rdmsr\n"
"	cmp $2, %r11\n"
"	jne 4f\n"
"	wrmsr\n"
"	jmp 4f\n"
"3:	mov %r10, %rax\n"
"	mov %r10, %rdx\n"
"	shr $32, %rdx\n"
"	wrmsr\n"
"4:	test %r12, %r12\n"
"	jz 2f\n"
"	shl $32, %rdx\n"
"	mov %eax, %eax\n"
"	or %rdx, %rax\n"
"	mov %rax, (%r12,%r8,8)\n"
"2:	cmpq $0xff, PD_LASTVEC\n"
"	je 5f\n"
"	bts %r8, (%rdi)\n"
"5:	inc %r8\n"
"	inc %r9d\n"
"	jmp 1b\n"
/* Each guarded instruction stores the vector it raised (or 0xff) at (%rdi). */
".macro GUARD insn:vararg\n"
"	ARM 7f\n"
"	\\insn\n"
"7:	mov PD_LASTVEC, %rax\n"
"	mov %rax, (%rdi)\n"
"	add $8, %rdi\n"
".endm\n"
"probe_insns:\n"
"	GUARD vmxon (%rbx)\n"
"	GUARD vmxoff\n"
"	GUARD vmclear (%rbx)\n"
"	GUARD vmptrld (%rbx)\n"
"	GUARD vmptrst (%rbx)\n"
"	GUARD vmread %rax, %rcx\n"
"	GUARD vmwrite %rcx, %rax\n"
"	GUARD vmlaunch\n"
"	GUARD vmresume\n"
"	GUARD invept (%rbx), %rax\n"
"	GUARD invvpid (%rbx), %rax\n"
"	GUARD vmfunc\n"
"	GUARD getsec\n"
"	GUARD monitor\n"
"	GUARD mwait\n"
"	xor %ecx, %ecx\n"
"	GUARD rdpmc\n"
"	xor %ecx, %ecx\n"
"	GUARD xsetbv\n"
"	GUARD encls\n"
"	GUARD enclu\n"
"	GUARD invd\n"
"	GUARD wbinvd\n"
"	jmp probe_done\n"
/* Set (r10 = 0) or clear (r10 = 1) each bit of a CR, read it back, restore it. */
".macro CRLOOP cr\n"
"	mov %\\cr, %r13\n"
"1:	ARM 2f\n"
"	mov %r13, %rax\n"
"	test %r10, %r10\n"
"	jnz 3f\n"
"	bts %r8, %rax\n"
"	jmp 4f\n"
"3:	btr %r8, %rax\n"
"4:	mov %rax, %\\cr\n"
"	mov %\\cr, %rax\n"
"	mov %rax, (%r12,%r8,8)\n"
"2:	mov PD_LASTVEC, %rax\n"
"	mov %rax, (%rdi,%r8,8)\n"
"	ARM 5f\n"
"	mov %r13, %\\cr\n"
"5:	inc %r8\n"
"	cmp $64, %r8\n"
"	jb 1b\n"
"	jmp probe_done\n"
".endm\n"
"probe_cr:\n"
"	xor %r8, %r8\n"
"	cmp $4, %r11\n"
"	je 6f\n"
"	CRLOOP cr0\n"
"6:	CRLOOP cr4\n"
"probe_ports:\n"
"	xor %r8, %r8\n"
"1:	cmp %rsi, %r8\n"
"	jae probe_done\n"
"	movzwl (%r9,%r8,2), %edx\n"
"	mov %edx, %eax\n"
"	test %r10, %r10\n"
"	jnz 3f\n"
"	xor %eax, %eax\n"
"	cmp $1, %r11\n"
"	je 4f\n"
"	cmp $2, %r11\n"
"	je 5f\n"
"	inl %dx, %eax\n"
"	jmp 6f\n"
"4:	inb %dx, %al\n"
"	jmp 6f\n"
"5:	inw %dx, %ax\n"
"	jmp 6f\n"
"3:	cmp $1, %r11\n"
"	je 7f\n"
"	cmp $2, %r11\n"
"	je 8f\n"
"	outl %eax, %dx\n"
"	jmp 6f\n"
"7:	outb %al, %dx\n"
"	jmp 6f\n"
"8:	outw %ax, %dx\n"
"6:	mov %eax, (%rdi,%r8,4)\n"
"	inc %r8\n"
"	jmp 1b\n"
"probe_vmcall:\n"
"	xor %r8, %r8\n"
"1:	cmp %rsi, %r8\n"
"	jae probe_done\n"
"	push %rsi\n"
"	ARM 2f\n"
"	mov (%r9,%r8,8), %rax\n"
"	mov %r13, %rbx\n"
"	mov %r13, %rcx\n"
"	mov %r13, %rdx\n"
"	mov %r13, %rsi\n"
"	vmcall\n"
"2:	pop %rsi\n"
"	mov %rax, (%rdi,%r8,8)\n"
"	inc %r8\n"
"	jmp 1b\n"
"probe_cpuid:\n"
"	xor %r8, %r8\n"
"1:	cmp %rsi, %r8\n"
"	jae probe_done\n"
"	mov (%r9,%r8,8), %eax\n"
"	mov 4(%r9,%r8,8), %ecx\n"
"	cpuid\n"
"	mov %r8, %r14\n"
"	shl $4, %r14\n"
"	mov %eax, (%rdi,%r14)\n"
"	mov %ebx, 4(%rdi,%r14)\n"
"	mov %ecx, 8(%rdi,%r14)\n"
"	mov %edx, 12(%rdi,%r14)\n"
"	inc %r8\n"
"	jmp 1b\n"
"probe_read:\n"
"	xor %r8, %r8\n"
"1:	cmp %rsi, %r8\n"
"	jae probe_done\n"
"	ARM 2f\n"
"	mov (%r9,%r8,8), %rax\n"
"	mov (%rax), %rax\n"
"	mov %rax, (%rdi,%r8,8)\n"
"2:	inc %r8\n"
"	jmp 1b\n"
"probe_end:\n"
".popsection\n");

extern const uint8_t probe_start[], probe_end[];
extern const uint64_t probe_entries[PROBE_ENTRIES], probe_exc_offsets[32];

const char *const probe_insn_names[] = {
	"VMXON", "VMXOFF", "VMCLEAR", "VMPTRLD", "VMPTRST", "VMREAD", "VMWRITE", "VMLAUNCH",
	"VMRESUME", "INVEPT", "INVVPID", "VMFUNC", "GETSEC", "MONITOR", "MWAIT", "RDPMC",
	"XSETBV", "ENCLS", "ENCLU", "INVD", "WBINVD",
};
const unsigned int probe_nr_insns = sizeof(probe_insn_names) / sizeof(probe_insn_names[0]);

int probe_install(struct vcpu *g)
{
	uint64_t *idt = (uint64_t *)(g->vm->mem + PROBE_IDT_GPA);
	struct kvm_sregs s;
	long r = bare_enter_long_mode(g);

	if (r)
		return (int)r;
	memcpy(g->vm->mem + BARE_CODE64_GPA, probe_start, probe_end - probe_start);
	for (int v = 0; v < 32; v++) {
		uint64_t off = BARE_CODE64_GPA + probe_exc_offsets[v];

		/* 64-bit interrupt gate: present, DPL 0, selector 0x08 */
		idt[2 * v] = (off & 0xffff) | (0x08ull << 16) | (0x8eull << 40) |
			     ((off >> 16 & 0xffff) << 48);
		idt[2 * v + 1] = off >> 32;
	}
	memset(probe_data(g), 0, sizeof(struct probe_data));
	r = dev_ioctl(g->fd, KVM_GET_SREGS, (unsigned long)&s);
	if (r)
		return (int)r;
	s.idt.base = PROBE_IDT_GPA;
	s.idt.limit = 32 * 16 - 1;
	return (int)dev_ioctl(g->fd, KVM_SET_SREGS, (unsigned long)&s);
}

struct vcpu *t_probe_vm(struct test_ctx *t)
{
	struct vcpu *g = t_bare_guest(t, BARE_MIN_MEM);

	_Static_assert(PROBE_DATA_GPA - BARE_CODE64_GPA >= 0x2000, "room for the runtime");
	ASSERT_GE(PROBE_DATA_GPA - BARE_CODE64_GPA, (uint64_t)(probe_end - probe_start));
	kick_signal_install();
	ASSERT_EQ(probe_install(g), 0);
	return g;
}

int probe_call(struct vcpu *g, enum probe_entry e, struct kvm_regs *regs, probe_exit_fn fn,
	       void *opaque, long max_exits, char *why, size_t whylen)
{
	struct probe_data *pd = probe_data(g);
	long r;

	memset(pd, 0, sizeof(*pd));
	pd->last_vector = PROBE_NO_FAULT;
	regs->rip = BARE_CODE64_GPA + probe_entries[e];
	regs->rsp = PROBE_STACK_TOP;
	regs->rflags = 2;
	r = dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)regs);
	if (r)
		return (int)r;
	for (long n = 0; n < max_exits; n++) {
		struct kvm_run *run = g->run;

		kick_timer_arm(PROBE_KICK_MS);	/* a hung guest must not hang the test */
		r = __vcpu_run(g);
		kick_timer_disarm();
		if (r == -EINTR)
			continue;
		if (r)
			return (int)r;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == PROBE_DONE_PORT)
			return 0;
		if ((run->exit_reason == KVM_EXIT_IO || run->exit_reason == KVM_EXIT_MMIO) && fn) {
			if (fn(g, opaque))
				continue;
			snprintf(why, whylen, "exit %ld: the exit handler refused it", n);
			return -EPROTO;
		}
		snprintf(why, whylen, "exit %ld: %s (%u), %llu exceptions, last vector %llu at resume %#llx",
			 n, exit_reason_name(run->exit_reason), run->exit_reason,
			 (unsigned long long)pd->faults, (unsigned long long)pd->last_vector,
			 (unsigned long long)pd->resume);
		return -EPROTO;
	}
	snprintf(why, whylen, "not done after %ld exits", max_exits);
	return -EPROTO;
}

void t_probe_call(struct test_ctx *t, struct vcpu *g, enum probe_entry e,
		  struct kvm_regs *regs, probe_exit_fn fn, void *opaque, long max_exits)
{
	char why[256] = "";
	int r = probe_call(g, e, regs, fn, opaque, max_exits, why, sizeof(why));

	if (r == -EPROTO) {
		t_fail(t, __FILE__, __LINE__, "probe %d: %s", e, why);
		t_abort(t);
	}
	if (r) {
		t_fail(t, __FILE__, __LINE__, "probe %d: KVM_RUN: %s", e, strerror(-r));
		t_abort(t);
	}
}
