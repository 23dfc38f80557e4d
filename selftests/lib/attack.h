/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests that attack their host CPU, built on a bare guest (lib/kvm_util.h), shared by
 * intercept_test (the exact outcome, on both devices) and hostile_guest (again and again,
 * with the host's health checked):
 *
 *  - CVE-2015-5307, the #AC delivery loop: 32-bit protected mode at CPL 3 with CR0.AM and
 *    EFLAGS.AC set and a misaligned ESP; the #AC gate leads to a CPL-3 code segment, so
 *    delivery stays on that stack. A push raises #AC, and delivering it pushes onto the
 *    misaligned stack again: another #AC, before any instruction completes. A CPU that
 *    delivers it itself loops in microcode, where no interrupt reaches it.
 *  - the same machine with an aligned stack: one misaligned load, one #AC, handled by the
 *    guest's CPL-3 handler (what re-injecting #AC must preserve).
 *  - CVE-2015-8104, the #DB delivery loop: 64-bit mode, #DB through IST 1 and a data
 *    breakpoint (DR0, write, 8 bytes) on the IST slot where delivery pushes SS. ICEBP
 *    raises the first #DB; each delivery hits the breakpoint, whose #DB is due as soon as
 *    the delivery completes, before the handler's first instruction.
 *  - a WBINVD loop in 64-bit mode.
 *
 * The guests report by OUT of 32 bits: ATTACK_PORT from a handler (the #AC one: 0xac00 |
 * error code), ATTACK_DONE_PORT when the code after the attack runs.
 */
#ifndef VMXMON_SELFTESTS_ATTACK_H
#define VMXMON_SELFTESTS_ATTACK_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_util.h"

#define ATTACK_PORT		0xe0
#define ATTACK_DONE_PORT	0xe4

/* 32-bit machine (guest physical = linear, no paging). Plain numbers: asm uses them too. */
#define ATTACK32_GDT		0x2000
#define ATTACK32_IDT		0x3000
#define ATTACK32_CODE		0x4000
#define ATTACK32_STACK_TOP	0x8000
#define ATTACK32_DATA		0x9000

/* 64-bit machine: bare_enter_long_mode() plus these (identity-mapped). */
#define ATTACK64_IDT		0x108000
#define ATTACK64_TSS		0x109000
#define ATTACK64_IST_TOP	0x10b000
#define ATTACK64_DR0		(ATTACK64_IST_TOP - 8)	/* where #DB delivery pushes SS */
/* DR7: L0, the always-1 bit 10, R/W0 = 01 (writes), LEN0 = 10 (8 bytes). */
#define ATTACK64_DR7		0x90401

/* #AC vector and hardware-exception info with an error code, as VM exits report it. */
#define ATTACK_AC_EXIT_INFO	0x80000b11u

/*
 * The #AC machine at CPL 3. loop: the CVE-2015-5307 loop (ESP odd, a push); otherwise one
 * misaligned load whose #AC the handler reports and skips, then OUT ATTACK_DONE_PORT.
 * 0 or -errno.
 */
int attack_ac_setup(struct vcpu *g, bool loop);
/* The CVE-2015-8104 loop; *handler is the guest address of the #DB handler. 0 or -errno. */
int attack_db_loop_setup(struct vcpu *g, uint64_t *handler);
/* count WBINVDs (0: for ever), then OUT ATTACK_DONE_PORT. 0 or -errno. */
int attack_wbinvd_setup(struct vcpu *g, uint32_t count);

#endif
