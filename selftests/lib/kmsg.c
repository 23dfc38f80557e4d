// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"
#include "util.h"

int kmsg_mark(struct kmsg_mark *m)
{
	m->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (lseek(m->fd, 0, SEEK_END) < 0) {
		int err = -errno;

		close(m->fd);
		m->fd = -1;
		return err;
	}
	return 0;
}

void kmsg_mark_close(struct kmsg_mark *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int kmsg_record_message(const char *rec, size_t len, const char **msg, size_t *msglen)
{
	const char *semi = memchr(rec, ';', len);
	const char *nl;

	if (!semi)
		return -EPROTO;
	semi++;
	nl = memchr(semi, '\n', len - (size_t)(semi - rec));
	*msg = semi;
	*msglen = nl ? (size_t)(nl - semi) : len - (size_t)(semi - rec);
	return 0;
}

int kmsg_since(struct kmsg_mark *m, char *buf, size_t len)
{
	size_t used = strlen(buf);
	int records = 0;
	char rec[8192];

	for (;;) {
		const char *msg;
		size_t msglen;
		ssize_t n = read(m->fd, rec, sizeof(rec));

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten while we looked: go on */
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		if (n == 0 || kmsg_record_message(rec, (size_t)n, &msg, &msglen))
			break;
		records++;
		if (used + msglen + 2 > len)
			continue;	/* keep counting; the buffer holds the first ones */
		memcpy(buf + used, msg, msglen);
		used += msglen;
		buf[used++] = '\n';
		buf[used] = '\0';
	}
	return records;
}

void t_kmsg_mark(struct test_ctx *t, struct kmsg_mark *m)
{
	int err = kmsg_mark(m);

	if (err)
		t_skip(t, "/dev/kmsg: %s (cannot read the kernel log)", strerror(-err));
}

void t_kmsg_since(struct test_ctx *t, struct kmsg_mark *m, char *buf, size_t len)
{
	int n;

	buf[0] = '\0';
	n = kmsg_since(m, buf, len);
	if (n < 0) {
		t_fail(t, __FILE__, __LINE__, "reading /dev/kmsg: %s", strerror(-n));
		t_abort(t);
	}
}

int kmsg_count_trouble(const char *log, const char **first)
{
	static const char *const trouble[] = {
		"Oops", "BUG:", "WARNING:", "general protection fault", "Kernel panic",
		"Call Trace:", "KASAN", "UBSAN",
	};
	int count = 0;

	if (first)
		*first = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(trouble); i++) {
		const char *f;
		int n = count_lines_containing(log, trouble[i], &f);

		if (n && first && (!*first || f < *first))
			*first = f;
		count += n;
	}
	return count;
}
