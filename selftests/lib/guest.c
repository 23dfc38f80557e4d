// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's runtime (see guest.h): ucalls, assertion failures, the exception handlers the
 * IDT built by lib/vm.c points to, and the entry trampoline. All of it runs in the guest,
 * from the test binary's own pages.
 */
#include "guest.h"

static void GUEST_CODE ucall_send(struct ucall *uc)
{
	__asm__ volatile("outl %0, %1" : : "a"((uint32_t)(uintptr_t)uc),
			 "Nd"((uint16_t)UCALL_PORT) : "memory");
}

void GUEST_CODE guest_ucall(uint64_t cmd, const uint64_t *args, uint64_t nargs)
{
	struct ucall uc = { .cmd = cmd, .nargs = nargs };

	for (uint64_t i = 0; i < nargs && i < UCALL_MAX_ARGS; i++)
		uc.args[i] = args[i];
	ucall_send(&uc);
}

static void GUEST_CODE __attribute__((noreturn)) abort_forever(struct ucall *uc)
{
	/* The host ends the test; if it runs the vCPU again it hears the same thing. */
	for (;;)
		ucall_send(uc);
}

void GUEST_CODE guest_abort(uint64_t kind, const char *file, uint64_t line, const char *expr,
			    uint64_t a, uint64_t b)
{
	struct ucall uc = {
		.cmd = UCALL_ABORT, .nargs = 2, .args = { a, b }, .abort_kind = kind,
		.file = (uintptr_t)file, .line = line, .expr = (uintptr_t)expr,
	};

	abort_forever(&uc);
}

/* Called by the exception stubs below: any exception in guest code is a test failure. */
void GUEST_CODE __attribute__((noreturn)) guest_exception(uint64_t vector, uint64_t error,
							  uint64_t rip, uint64_t cr2)
{
	struct ucall uc = {
		.cmd = UCALL_ABORT, .nargs = 4, .args = { vector, error, rip, cr2 },
		.abort_kind = ABORT_EXCEPTION,
	};

	abort_forever(&uc);
}

/* Where vcpu_enter_long_mode() starts the vCPU: RAX = function, RDI/RSI = its arguments. */
void GUEST_CODE __attribute__((noreturn)) guest_finish(void)
{
	for (;;)
		GUEST_DONE();
}

/*
 * guest_exc_stubs: 32 stubs 16 bytes apart (IDT vector n -> guest_exc_stubs + 16 * n). Each
 * pushes an error code (0 for vectors where the CPU pushes none) and its vector, then hands
 * vector, error code, faulting RIP and CR2 to guest_exception().
 */
__asm__(".pushsection guest_text, \"ax\"\n"
	".global guest_start\n"
	"guest_start:\n"
	"	call *%rax\n"
	"	call guest_finish\n"
	".global guest_exc_stubs\n"
	".balign 16\n"
	"guest_exc_stubs:\n"
	"vector = 0\n"
	".rept 32\n"
	".balign 16\n"
	".if vector != 8 && (vector < 10 || vector > 14) && vector != 17 && vector != 21 && vector != 29 && vector != 30\n"
	"	pushq $0\n"
	".endif\n"
	"	pushq $vector\n"
	"	jmp guest_exc_common\n"
	"vector = vector + 1\n"
	".endr\n"
	/* GUEST_ASM_SAFE (guest.h): resume after the instruction, vector and error code in
	 * R9/R10. The stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. */
	"guest_exc_common:\n"
	"	cmp $" GUEST_EXC_MAGIC_STR ", %r9\n"
	"	jne guest_exc_report\n"
	"	cmp %r10, 16(%rsp)\n"
	"	jb guest_exc_report\n"
	"	cmp %r11, 16(%rsp)\n"
	"	jae guest_exc_report\n"
	"	mov (%rsp), %r9\n"
	"	mov 8(%rsp), %r10\n"
	"	mov %r11, 16(%rsp)\n"
	"	add $16, %rsp\n"
	"	iretq\n"
	"guest_exc_report:\n"
	"	mov (%rsp), %rdi\n"
	"	mov 8(%rsp), %rsi\n"
	"	mov 16(%rsp), %rdx\n"
	"	mov %cr2, %rcx\n"
	"	and $-16, %rsp\n"
	"	call guest_exception\n"
	".popsection\n");
