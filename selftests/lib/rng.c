// SPDX-License-Identifier: GPL-2.0
/* Seeded randomness for the randomized tests (see rng.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"

void rng_init(struct rng *r, uint64_t seed)
{
	r->s = seed;
}

/* splitmix64: every seed (also 0) gives a good stream. */
uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

bool rng_chance(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

void rng_fill(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t v = rng_next(r);
		size_t n = len < 8 ? len : 8;

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

uint64_t t_seed(struct test_ctx *t, const char *what)
{
	const char *env = getenv("VMXMON_SEED");
	struct timespec ts;
	uint64_t seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
	}
	t_log(t, "%s seed: %#llx (replay: VMXMON_SEED=%#llx)", what, (unsigned long long)seed,
	      (unsigned long long)seed);
	return seed;
}

long stress_count(long base)
{
	const char *env = getenv("VMXMON_FUZZ_SCALE");
	double scale = env ? strtod(env, NULL) : 1;
	long n = (long)(base * scale);

	return scale > 0 && n > 0 ? n : base;
}

uint64_t case_seed(uint64_t seed, long i)
{
	struct rng r;

	rng_init(&r, seed + (uint64_t)i * 0x9e3779b97f4a7c15ull);
	return rng_next(&r);
}
