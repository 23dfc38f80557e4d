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

int parse_mem_size(const char *s, unsigned long long *bytes)
{
	unsigned long long v, shift = 20;
	int err = parse_digits(&s, MEM_SIZE_MAX, &v);

	if (err == -EINVAL)
		return err;
	if (*s == 'G' || *s == 'g')
		shift = 30;
	else if (*s != 'M' && *s != 'm' && *s)
		return -EINVAL;
	if (*s && s[1])
		return -EINVAL;
	if (err)
		return err;
	if (v == 0 || v > MEM_SIZE_MAX >> shift)
		return -ERANGE;
	*bytes = v << shift;
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
