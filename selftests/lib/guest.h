/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of the selftest library: what guest code (plain C functions in the test binary,
 * run in 64-bit mode by lib/vm.c) may use, and the ucall protocol shared with the host.
 *
 * Guest code runs at CPL 0 with the test binary mapped at its own addresses (guest virtual
 * == host virtual), so its functions, string literals and globals are the host's. It must
 * not call libc (IFUNCs, TLS, syscalls): only what this header offers. Mark guest functions
 * GUEST_CODE; they take up to two uint64_t arguments (vcpu_enter_long_mode()).
 *
 * A ucall is an OUT of the 32-bit address of a struct ucall (on the guest stack, which is
 * identity-mapped below 4 GiB) to UCALL_PORT. The host decodes it with vcpu_get_ucall().
 */
#ifndef VMXMON_SELFTESTS_GUEST_H
#define VMXMON_SELFTESTS_GUEST_H

#include <stdint.h>

#define GUEST_CODE __attribute__((noinline, noclone, used, section("guest_text")))

#define UCALL_PORT	0x1000		/* the port ucalls go out on (as the kernel's selftests) */
#define UCALL_MAX_ARGS	6

enum ucall_cmd {
	UCALL_NONE,			/* host side: the exit was not a ucall */
	UCALL_SYNC,			/* args[] for the host, then go on */
	UCALL_DONE,			/* the guest function returned or called GUEST_DONE() */
	UCALL_ABORT,			/* GUEST_ASSERT*() failed or an exception hit the guest */
};

enum ucall_abort {
	ABORT_ASSERT,			/* expr is false */
	ABORT_ASSERT_EQ,		/* args[0] (actual) != args[1] (expected) */
	ABORT_EXCEPTION,		/* args: vector, error code, rip, cr2 */
};

struct ucall {
	uint64_t cmd;
	uint64_t nargs;
	uint64_t args[UCALL_MAX_ARGS];
	/* UCALL_ABORT: what and where (guest addresses of string literals) */
	uint64_t abort_kind;
	uint64_t file, line, expr;
};

void guest_ucall(uint64_t cmd, const uint64_t *args, uint64_t nargs);
void guest_abort(uint64_t kind, const char *file, uint64_t line, const char *expr,
		 uint64_t a, uint64_t b) __attribute__((noreturn));

/* GUEST_SYNC(v...): up to UCALL_MAX_ARGS values (integers; cast pointers) to the host. */
#define GUEST_SYNC(...)									\
	do {										\
		const uint64_t __args[] = { __VA_ARGS__ };				\
		_Static_assert(sizeof(__args) / 8 <= UCALL_MAX_ARGS, "too many args");	\
		guest_ucall(UCALL_SYNC, __args, sizeof(__args) / 8);			\
	} while (0)
#define GUEST_DONE() guest_ucall(UCALL_DONE, 0, 0)

#define GUEST_ASSERT(cond)								\
	do {										\
		if (!(cond))								\
			guest_abort(ABORT_ASSERT, __FILE__, __LINE__, #cond, 0, 0);	\
	} while (0)

#define GUEST_ASSERT_EQ(actual, expected)						\
	do {										\
		uint64_t __a = (uint64_t)(actual), __e = (uint64_t)(expected);		\
		if (__a != __e)								\
			guest_abort(ABORT_ASSERT_EQ, __FILE__, __LINE__,		\
				    #actual " == " #expected, __a, __e);		\
	} while (0)

/* ---- instructions guest code needs; inline, so they live in the guest function ---- */

static inline void guest_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void guest_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void guest_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void guest_cpuid(uint32_t fn, uint32_t idx, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(fn), "c"(idx));
}

static inline void guest_hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

/* VMCALL with RAX = nr; returns RAX (KVM's hypercall ABI, no arguments). */
static inline uint64_t guest_vmcall(uint64_t nr)
{
	__asm__ volatile("vmcall" : "+a"(nr) : : "memory");
	return nr;
}

#define GUEST_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))

/* ---- exceptions the guest expects ---- */

#define GUEST_EXC_MAGIC		0x5afec0de
#define GUEST_EXC_MAGIC_STR	"0x5afec0de"	/* the same, for asm templates */
#define GUEST_NO_EXCEPTION	256		/* no vector: the instruction completed */

/*
 * GUEST_ASM_SAFE("insn"): an asm template that runs one instruction and, if it raises an
 * exception (a fault, or a trap such as a data breakpoint's #DB), goes on after it instead of
 * failing the test. The exception stubs (guest.c) see R9 == GUEST_EXC_MAGIC and a RIP from
 * R10 (the instruction) up to R11 (the resume point), and resume at R11 with the vector in R9
 * and the error code in R10. Use it with the two macros below:
 *
 *	__asm__ volatile(GUEST_ASM_SAFE("wrmsr") : GUEST_ASM_SAFE_OUTPUTS(vec, err)
 *			 : "c"(msr), "a"(lo), "d"(hi) : GUEST_ASM_SAFE_CLOBBERS);
 *
 * vec is GUEST_NO_EXCEPTION (and err 0) when the instruction completed; outputs of the
 * instruction itself are undefined when it faulted. The instruction may not use labels
 * 881/882.
 */
#define GUEST_ASM_SAFE(insn)								\
	"mov $" GUEST_EXC_MAGIC_STR ", %%r9d\n\t"					\
	"lea 881f(%%rip), %%r10\n\t"							\
	"lea 882f(%%rip), %%r11\n\t"							\
	"881: " insn "\n\t"								\
	"mov $256, %%r9d\n\t"								\
	"xor %%r10d, %%r10d\n\t"							\
	"882:\n\t"									\
	"mov %%r9, %[guest_vec]\n\t"							\
	"mov %%r10, %[guest_err]\n\t"
#define GUEST_ASM_SAFE_OUTPUTS(vec, err) [guest_vec] "=r"(vec), [guest_err] "=r"(err)
#define GUEST_ASM_SAFE_CLOBBERS "r9", "r10", "r11", "cc", "memory"

/* RDMSR/WRMSR/XSETBV that may #GP: the vector (GUEST_NO_EXCEPTION if none). */
static inline uint64_t guest_rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint64_t vec, err;
	uint32_t lo = 0, hi = 0;

	__asm__ volatile(GUEST_ASM_SAFE("rdmsr")
			 : GUEST_ASM_SAFE_OUTPUTS(vec, err), "+a"(lo), "+d"(hi)
			 : "c"(msr) : GUEST_ASM_SAFE_CLOBBERS);
	(void)err;			/* #GP from RDMSR/WRMSR/XSETBV has error code 0 */
	*val = (uint64_t)hi << 32 | lo;
	return vec;
}

/* WRMSR and XSETBV: ECX selects the register, EDX:EAX is the value. */
#define GUEST_ECX_EDX_EAX_SAFE(name, insn)						\
	static inline uint64_t name(uint32_t ecx, uint64_t val)				\
	{										\
		uint64_t vec, err;							\
											\
		__asm__ volatile(GUEST_ASM_SAFE(insn) : GUEST_ASM_SAFE_OUTPUTS(vec, err)	\
				 : "c"(ecx), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))	\
				 : GUEST_ASM_SAFE_CLOBBERS);				\
		(void)err;								\
		return vec;								\
	}
GUEST_ECX_EDX_EAX_SAFE(guest_wrmsr_safe, "wrmsr")
GUEST_ECX_EDX_EAX_SAFE(guest_xsetbv_safe, "xsetbv")

static inline uint64_t guest_xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (uint64_t)hi << 32 | lo;
}

/*
 * GUEST_ISR(name, fn): an interrupt/NMI handler `name` for vm_set_idt_gate(): it saves the
 * caller-saved registers and the FXSAVE state (guest C code uses SSE), calls the GUEST_CODE
 * function fn(uint64_t rip) with the interrupted RIP (fn not static: the stub names it), and
 * returns with IRETQ.
 */
#define GUEST_ISR(name, fn)								\
	__asm__(".pushsection guest_text, \"ax\"\n"					\
		".balign 16\n"								\
		".global " #name "\n"							\
		#name ":\n"								\
		"	push %rbp\n"							\
		"	mov %rsp, %rbp\n"						\
		"	push %rax\n	push %rcx\n	push %rdx\n	push %rsi\n"	\
		"	push %rdi\n	push %r8\n	push %r9\n	push %r10\n"	\
		"	push %r11\n"							\
		"	and $-16, %rsp\n"						\
		"	sub $512, %rsp\n"						\
		"	fxsave64 (%rsp)\n"						\
		"	mov 8(%rbp), %rdi\n"						\
		"	call " #fn "\n"							\
		"	fxrstor64 (%rsp)\n"						\
		"	lea -72(%rbp), %rsp\n"						\
		"	pop %r11\n	pop %r10\n	pop %r9\n	pop %r8\n"	\
		"	pop %rdi\n	pop %rsi\n	pop %rdx\n	pop %rcx\n"	\
		"	pop %rax\n"							\
		"	pop %rbp\n"							\
		"	iretq\n"							\
		".popsection\n");							\
	extern const char name[]

#endif
