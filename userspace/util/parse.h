/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for command-line values. Return 0 or -EINVAL (malformed) / -ERANGE (out of range). */
#ifndef VMXRUN_UTIL_PARSE_H
#define VMXRUN_UTIL_PARSE_H

#define MEM_SIZE_MAX	(1ULL << 40)	/* 1 TiB: more than any guest we will run */

/*
 * A memory size as QEMU's -m takes it: a decimal number, with a fraction of up to 9 digits,
 * and an optional binary suffix K, M, G or T (either case); a plain number is MiB. "512",
 * "512M", "1.5G", "0.5t". Rounded up to whole MiB; 0 is valid here (too small is the
 * caller's message). Over MEM_SIZE_MAX is -ERANGE.
 */
int parse_mem_size(const char *s, unsigned long long *bytes);

/* A decimal integer in [lo, hi]. */
int parse_uint_range(const char *s, unsigned int lo, unsigned int hi, unsigned int *out);

#endif
