/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the reliability tests (fuzz_ioctl, hostile_guest, lifetime_test,
 * isolation_test, hotplug_test):
 *
 *  - a seeded PRNG. Every randomized test prints "# seed: 0x..." before its first case;
 *    VMXMON_SEED=0x... in the environment replays it. VMXMON_FUZZ_SCALE=N multiplies the
 *    counts (make check: 1, make fuzz: 10).
 *  - raw guests: a VM with one memslot at GPA 0 and one vCPU set up through KVM_SET_SREGS
 *    in real or 64-bit mode, without the guest library (lib/vm.h): hostile tests want full
 *    control of every register and byte, and must be cheap to create by the hundred.
 *  - host health: a baseline (kernel log mark, memory sample, vmxmon's debugfs pages,
 *    pinned-page counters) and the check that everything came back after the test.
 */
#ifndef VMXMON_SELFTESTS_STRESS_H
#define VMXMON_SELFTESTS_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "harness.h"
#include "kmsg.h"
#include "meminfo.h"
#include "status.h"

/* ---- randomness and scale ---- */

struct rng {
	uint64_t s;
};

void rng_init(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);		/* 0 .. n-1 (n > 0) */
bool rng_chance(struct rng *r, unsigned int percent);
void rng_fill(struct rng *r, void *buf, size_t len);

/* The test's seed (VMXMON_SEED or fresh), printed as "# <what> seed: 0x...". */
uint64_t t_seed(struct test_ctx *t, const char *what);
/* A "# " line only with VMXMON_TRACE=1: per-step progress for chasing a hang or a crash. */
void t_trace(struct test_ctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* base * VMXMON_FUZZ_SCALE (default 1; fractions allow quick trial runs), at least 1. */
long stress_count(long base);

/*
 * SIGUSR1 with an empty handler and no SA_RESTART: a KVM_RUN that gets it returns -EINTR.
 * kick_timer_arm() sends it to the calling thread after ms milliseconds (one shot, its own
 * POSIX timer: the harness's alarm() stays untouched); kick_timer_disarm() cancels it.
 */
void kick_signal_install(void);
void kick_timer_arm(unsigned int ms);
void kick_timer_disarm(void);

/*
 * A watchdog for a step that may hang in the kernel (CPU hotplug, a blocked release): unless
 * disarmed within seconds, it says so and asks the kernel for the blocked tasks' and every
 * CPU's stacks (sysrq w and l, printed on the console), once per arming.
 */
void watchdog_arm(struct test_ctx *t, unsigned int seconds, const char *what);
void watchdog_disarm(void);

/* ---- raw guests ---- */

#define RAW_CODE_GPA	0x1000ul	/* real mode: CS base 0, IP here */
#define RAW_PT_GPA	0x100000ul	/* 64-bit mode: PML4, PDPT, 4 PDs (6 pages) */
#define RAW_GDT_GPA	0x106000ul	/* null, code64 (0x08), data (0x10) */
#define RAW_CODE64_GPA	0x107000ul	/* 64-bit mode: RIP here */
#define RAW_MIN_MEM	0x200000ul	/* 2 MiB: what raw_enter_long_mode() needs */

struct raw_vm {
	int sys_fd, vm_fd, vcpu_fd;
	uint8_t *mem;			/* slot 0 at GPA 0, mem_size bytes */
	size_t mem_size;
	struct kvm_run *run;
	int run_size;
	struct kvm_sregs reset_sregs;	/* the vCPU's state at creation */
};

/* 0 or -errno (the step that failed is in *what). */
int raw_vm_create(struct raw_vm *g, const char *dev, size_t mem_size, const char **what);
struct raw_vm *t_raw_vm(struct test_ctx *t, size_t mem_size);
void raw_vm_free(struct raw_vm *g);

/*
 * Both start from the vCPU's state at creation (reset_sregs), so that nothing a previous
 * guest left in the segment, descriptor-table or control registers carries over.
 * Real mode at RAW_CODE_GPA, SP 0xf000, RFLAGS 2. 0 or -errno.
 */
int raw_enter_real_mode(struct raw_vm *g);
/*
 * 64-bit mode at RAW_CODE64_GPA: CR0 PE|PG|ET|NE, CR4 PAE, EFER LME|LMA|SCE, a GDT with
 * flat code (L=1) and data segments, no IDT (any exception ends in a triple fault), 2 MiB
 * pages identity-mapping the first 4 GiB (beyond mem_size: MMIO exits). 0 or -errno.
 */
int raw_enter_long_mode(struct raw_vm *g);

/* KVM_RUN: 0 or -errno. */
int raw_run(struct raw_vm *g);

/* ---- running a guest that may do anything ---- */

#define RUNS_PER_CASE	48	/* KVM_RUN calls before a case is cut off */
#define KICK_MS		3	/* a spinning guest is kicked out after this */
#define SPINS_PER_CASE	2

/* How the cases of a randomized test ended. */
struct run_tally {
	long cases, runs, spins, budget, rejected;
	long exits[KVM_EXIT_IOAPIC_EOI + 1];
};

/* A per-case seed derived from the test's seed. */
uint64_t case_seed(uint64_t seed, long i);
/*
 * Run one case to a defined end, at most RUNS_PER_CASE KVM_RUNs: HLT, SHUTDOWN,
 * FAIL_ENTRY or INTERNAL_ERROR end it; IO and MMIO exits (checked: sizes, the data within
 * the mapping) get random data and go on; -EINTR from the kick timer (kick_signal_install()
 * first) counts as spinning. Another KVM_RUN error or exit reason fails the test.
 */
void run_to_end(struct test_ctx *t, struct raw_vm *g, struct rng *r, struct run_tally *tl,
		const char *what, long i);
void tally_log(struct test_ctx *t, const char *what, const struct run_tally *tl);

/* ---- host health ---- */

struct health {
	struct kmsg_mark log;
	struct mem_sample mem;
	struct vmxmon_status st;
	long long pins;			/* nr_foll_pin_acquired - nr_foll_pin_released */
};

/* Pinned pages now (/proc/vmstat), or -errno. */
long long pinned_pages(void);
/* Baseline; call with no VM of this test alive. */
void t_health_begin(struct test_ctx *t, struct health *h);
/*
 * After the test, with its VMs closed: the kernel log has nothing that looks like a kernel
 * bug (lib/kmsg.h plus refcount, list corruption, lockdep, sleeping-in-atomic, kmemleak);
 * vmxmon holds no VM and exactly its baseline pages; pinned pages are back exactly;
 * MemAvailable and SUnreclaim are back within a tolerance. Prints the deltas.
 */
void t_health_end(struct test_ctx *t, struct health *h, const char *what);

#endif
