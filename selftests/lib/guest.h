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

#endif
