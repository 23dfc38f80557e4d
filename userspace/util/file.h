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

#endif
