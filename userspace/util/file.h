/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMXRUN_UTIL_FILE_H
#define VMXRUN_UTIL_FILE_H

#include "types.h"

struct file_buf {
	u8 *data;
	size_t len;
};

/* Read a whole regular file (at most 1 GiB); 0, or -1 with *why ("no such file ..."). */
int file__read(const char *path, struct file_buf *out, char *why, size_t whylen);
/*
 * Check that path is a regular file of at most 1 GiB that can be read, without reading it
 * all: its first bytes into head (up to headlen; *got says how many) and its size.
 */
int file__head(const char *path, u8 *head, size_t headlen, size_t *got, u64 *size, char *why,
	       size_t whylen);

#endif
