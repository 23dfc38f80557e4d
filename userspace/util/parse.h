/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for command-line values. Return 0 or -EINVAL (malformed) / -ERANGE (out of range). */
#ifndef VMXRUN_UTIL_PARSE_H
#define VMXRUN_UTIL_PARSE_H

#define MEM_SIZE_MAX	(1ULL << 40)	/* 1 TiB: more than any guest we will run */

/*
 * A memory size: decimal digits with an optional suffix M or G (either case); a plain
 * number is MiB, as in QEMU's -m. "512", "512M", "2G". Zero and sizes over MEM_SIZE_MAX
 * are -ERANGE.
 */
int parse_mem_size(const char *s, unsigned long long *bytes);

/* A decimal integer in [lo, hi]. */
int parse_uint_range(const char *s, unsigned int lo, unsigned int hi, unsigned int *out);

#endif
