/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe guests: a small 64-bit runtime (lib/probe.c, assembly) loaded into a bare guest
 * (lib/kvm_util.h) whose IDT catches every exception, records it and resumes after the
 * instruction that faulted. On top of it, loops that touch many MSRs, ports, CR bits,
 * instructions, hypercalls, CPUID leaves and guest-physical addresses, one exit or
 * exception each, and report per item what happened. The host side (probe_call) runs the
 * guest until it reports done on PROBE_DONE_PORT.
 *
 * Guest memory (2 MiB slot at GPA 0, long mode from bare_enter_long_mode()):
 *   BARE_CODE64_GPA  the runtime's code
 *   PROBE_DATA_GPA   struct probe_data (exception bookkeeping)
 *   PROBE_IDT_GPA    32 interrupt gates, one stub per vector
 *   PROBE_STACK_TOP  the stack grows down from here
 *   PROBE_BUF_GPA    PROBE_BUF_SIZE bytes for arguments and results
 */
#ifndef VMXMON_SELFTESTS_PROBE_H
#define VMXMON_SELFTESTS_PROBE_H

#include <stdint.h>

#include "kvm_util.h"

#define PROBE_DATA_GPA	0x10b000ul
#define PROBE_IDT_GPA	0x10c000ul
#define PROBE_STACK_TOP	0x110000ul
#define PROBE_BUF_GPA	0x110000ul
#define PROBE_BUF_SIZE	0xef000ul
#define PROBE_DONE_PORT	0xe0		/* the probe loop finished */
#define PROBE_NO_FAULT	0xff		/* "vector" recorded when nothing faulted */

/* At PROBE_DATA_GPA. */
struct probe_data {
	uint64_t resume;		/* where an exception continues; 0: report and halt */
	uint64_t faults;		/* exceptions taken */
	uint64_t last_vector;		/* PROBE_NO_FAULT until an exception */
	uint64_t last_error;		/* its error code (0 if none) */
	uint64_t vectors[32];		/* exceptions taken, by vector */
};

/*
 * Entry points. Arguments are registers; item i of an input list is at in + i * size,
 * results at out + i * size (addresses in guest memory, usually in PROBE_BUF_GPA).
 *   PROBE_MSR     rsi count, r9 first index, r11 mode (0 RDMSR, 1 WRMSR r10, 2 RDMSR then
 *                 WRMSR of the value read); rdi: bitmap, bit i set when item i faulted;
 *                 r12 (if nonzero): u64 values read
 *   PROBE_INSNS   rdi: u64 per instruction of probe_insn_names[], the vector it raised or
 *                 PROBE_NO_FAULT; rbx: a scratch page for memory operands
 *   PROBE_CR      r11 0: CR0, 4: CR4; r10 0: set each bit, 1: clear each bit; rdi: 64 u64
 *                 results (vector or PROBE_NO_FAULT), r12: 64 u64 values read back
 *   PROBE_PORTS   rsi count, r9 u16 ports, r11 size (1, 2, 4), r10 0 IN, 1 OUT (of the
 *                 port number); rdi: u32 per item (IN: the value read)
 *   PROBE_VMCALL  rsi count, r9 u64 hypercall numbers, r13 junk for rbx/rcx/rdx/rsi;
 *                 rdi: u64 RAX after each VMCALL
 *   PROBE_CPUID   rsi count, r9 u32 (leaf, subleaf) pairs; rdi: u32 eax, ebx, ecx, edx
 *   PROBE_READ    rsi count, r9 u64 addresses; rdi: u64 loaded from each (8-byte MOV)
 */
enum probe_entry {
	PROBE_MSR, PROBE_INSNS, PROBE_CR, PROBE_PORTS, PROBE_VMCALL, PROBE_CPUID, PROBE_READ,
	PROBE_ENTRIES,
};

/* The instructions PROBE_INSNS runs, in order. */
extern const char *const probe_insn_names[];
extern const unsigned int probe_nr_insns;

/* Long mode (bare_enter_long_mode()) with the runtime, its IDT and its data loaded. */
int probe_install(struct vcpu *g);
/* A new bare guest with probe_install() done. */
struct vcpu *t_probe_vm(struct test_ctx *t);
static inline struct probe_data *probe_data(struct vcpu *g)
{
	return (struct probe_data *)(g->vm->mem + PROBE_DATA_GPA);
}
static inline void *probe_buf(struct vcpu *g, uint64_t gpa)
{
	return g->vm->mem + gpa;
}

/*
 * Called for every exit before PROBE_DONE_PORT (port I/O other than the done port, MMIO);
 * return false to fail the call. Without one, such an exit fails the call.
 */
typedef bool (*probe_exit_fn)(struct vcpu *g, void *opaque);

/*
 * Run entry e with the registers in *regs (rip, rsp and rflags are set here), clearing the
 * exception bookkeeping first. 0 when the guest reported done; -EPROTO (with a line in
 * *why) on another outcome; -errno when KVM_RUN failed. At most max_exits exits.
 */
int probe_call(struct vcpu *g, enum probe_entry e, struct kvm_regs *regs, probe_exit_fn fn,
	       void *opaque, long max_exits, char *why, size_t whylen);
/* The same, failing the test (and ending it) unless the guest reported done. */
void t_probe_call(struct test_ctx *t, struct vcpu *g, enum probe_entry e,
		  struct kvm_regs *regs, probe_exit_fn fn, void *opaque, long max_exits);

#endif
