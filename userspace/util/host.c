// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "host.h"

u64 host__cpuinfo_khz(const char *text)
{
	const char *p = strstr(text, "\ncpu MHz");
	unsigned long mhz, frac = 0;
	int digits = 0;

	if (!p || !(p = strchr(p, ':')))
		return 0;
	if (sscanf(p + 1, " %lu.%n", &mhz, &digits) < 1)
		return 0;
	if (digits) {
		/* Up to three decimals: "2304.012" is 2304012 kHz. */
		const char *f = p + 1 + digits;
		int n = 0;

		while (n < 3 && f[n] >= '0' && f[n] <= '9') {
			frac = frac * 10 + (unsigned long)(f[n] - '0');
			n++;
		}
		while (n++ < 3)
			frac *= 10;
	}
	return (u64)mhz * 1000 + frac;
}

static u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static u64 measure_khz(void)
{
	u64 t0 = mono_ns(), c0 = __rdtsc(), t1, c1;
	struct timespec d = { 0, 20 * 1000 * 1000 };

	nanosleep(&d, NULL);
	t1 = mono_ns();
	c1 = __rdtsc();
	return t1 > t0 ? (c1 - c0) * 1000000ULL / (t1 - t0) : 0;
}

u64 host__tsc_khz(void)
{
	static const size_t max = 64 * 1024;	/* the first CPU's entry is near the start */
	u64 measured = measure_khz(), info = 0;
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *text = malloc(max + 2);
	size_t n;

	if (f && text) {
		text[0] = '\n';		/* so the first line matches "\ncpu MHz" too */
		n = fread(text + 1, 1, max, f);
		text[n + 1] = 0;
		info = host__cpuinfo_khz(text);
	}
	if (f)
		fclose(f);
	free(text);
	if (info && measured && (info > measured ? info - measured : measured - info) * 100 < info)
		return info;
	return measured;
}
