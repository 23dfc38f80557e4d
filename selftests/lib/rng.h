/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded randomness for the randomized tests (fuzz_ioctl, hostile_guest, guest_probe_test,
 * lifetime_test, isolation_test). Every randomized test prints "# seed: 0x..." before its
 * first case; VMXMON_SEED=0x... in the environment replays it. VMXMON_FUZZ_SCALE=N
 * multiplies the counts of the reliability tests (make check: 1, make fuzz: 10).
 */
#ifndef VMXMON_SELFTESTS_RNG_H
#define VMXMON_SELFTESTS_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

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
/* A per-case seed derived from the test's seed. */
uint64_t case_seed(uint64_t seed, long i);
/* base * VMXMON_FUZZ_SCALE (default 1; fractions allow quick trial runs), at least 1. */
long stress_count(long base);

#endif
