// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "parse.h"

/* Leading decimal digits of s, at most max; advances *s. No sign, no spaces, no base. */
static int parse_digits(const char **s, unsigned long long max, unsigned long long *out)
{
	const char *p = *s;
	unsigned long long v = 0;
	int err = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (unsigned long long)(*p - '0')) / 10)
			err = -ERANGE;	/* keep scanning: junk after the digits is -EINVAL */
		else
			v = v * 10 + (unsigned long long)(*p - '0');
	}
	*s = p;
	*out = v;
	return err;
}

/* The multiplier of a size suffix (binary, as QEMU's -m), 0 if c is none. */
static unsigned int suffix_shift(char c)
{
	switch (c) {
	case 'K': case 'k': return 10;
	case 'M': case 'm': return 20;
	case 'G': case 'g': return 30;
	case 'T': case 't': return 40;
	}
	return 0;
}

int parse_mem_size(const char *s, unsigned long long *bytes)
{
	unsigned long long whole, frac = 0, scale = 1;
	unsigned __int128 v;
	unsigned int shift = 20;
	int err = parse_digits(&s, MEM_SIZE_MAX, &whole);

	if (err == -EINVAL)
		return err;
	if (*s == '.') {		/* a fraction: at most 9 digits ("1.5G", "0.25T") */
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (scale == 1000000000ULL)
				return -EINVAL;
			frac = frac * 10 + (unsigned long long)(*s - '0');
			scale *= 10;
		}
	}
	if (*s) {
		shift = suffix_shift(*s);
		if (!shift || s[1])
			return -EINVAL;
	}
	if (err)
		return err;
	/* Bytes, rounded up to whole MiB (what memslots and the e820 map use). */
	v = ((unsigned __int128)whole << shift) + (((unsigned __int128)frac << shift) + scale - 1) / scale;
	v = (v + (1ULL << 20) - 1) & ~(unsigned __int128)((1ULL << 20) - 1);
	if (v > MEM_SIZE_MAX)
		return -ERANGE;
	*bytes = (unsigned long long)v;
	return 0;
}

int parse_uint_range(const char *s, unsigned int lo, unsigned int hi, unsigned int *out)
{
	unsigned long long v;
	int err = parse_digits(&s, ~0U, &v);

	if (err == -EINVAL || *s)
		return -EINVAL;
	if (err || v < lo || v > hi)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}
