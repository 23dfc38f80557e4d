// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

/* Open path if it is a regular file of at most 1 GiB: fd and *size, or -1 with *why. */
static int open_regular(const char *path, u64 *size, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, whylen, "%s", strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_size > (off_t)(1 << 30)) {
		snprintf(why, whylen, "%s", S_ISREG(st.st_mode) ? "larger than 1 GiB" :
			 S_ISDIR(st.st_mode) ? "a directory, not a file" : "not a regular file");
	} else {
		*size = (u64)st.st_size;
		return fd;
	}
	if (why[0])
		why[0] = (char)(why[0] >= 'A' && why[0] <= 'Z' ? why[0] + 32 : why[0]);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Read len bytes (fewer only at the end of the file); the count or -1 with *why. */
static ssize_t read_full(int fd, u8 *buf, size_t len, char *why, size_t whylen)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, whylen, "read error: %s", strerror(errno));
			return -1;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int file__read(const char *path, struct file_buf *out, char *why, size_t whylen)
{
	u64 size = 0;
	int fd = open_regular(path, &size, why, whylen);
	ssize_t got;

	out->data = NULL;
	out->len = 0;
	if (fd < 0)
		return -1;
	out->data = malloc(size ? (size_t)size : 1);
	if (!out->data) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	got = read_full(fd, out->data, (size_t)size, why, whylen);
	if (got < 0)
		goto fail;
	if ((u64)got != size) {
		snprintf(why, whylen, "file shrank while reading");
		goto fail;
	}
	out->len = (size_t)got;
	close(fd);
	return 0;
fail:
	free(out->data);
	out->data = NULL;
	close(fd);
	return -1;
}

int file__head(const char *path, u8 *head, size_t headlen, size_t *got, u64 *size, char *why,
	       size_t whylen)
{
	int fd = open_regular(path, size, why, whylen);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read_full(fd, head, headlen, why, whylen);
	close(fd);
	if (r < 0)
		return -1;
	*got = (size_t)r;
	return 0;
}
