// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int file__read(const char *path, struct file_buf *out, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t got = 0;

	out->data = NULL;
	out->len = 0;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, whylen, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)(1 << 30)) {
		snprintf(why, whylen, "%s", S_ISREG(st.st_mode) ? "larger than 1 GiB" :
			 "not a regular file");
		goto fail;
	}
	out->data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!out->data) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, out->data + got, (size_t)st.st_size - got);

		if (r <= 0) {
			snprintf(why, whylen, "%s", r ? strerror(errno) : "file shrank while reading");
			goto fail;
		}
		got += (size_t)r;
	}
	out->len = got;
	close(fd);
	return 0;
fail:
	if (why[0])
		why[0] = (char)(why[0] >= 'A' && why[0] <= 'Z' ? why[0] + 32 : why[0]);
	free(out->data);
	out->data = NULL;
	if (fd >= 0)
		close(fd);
	return -1;
}
