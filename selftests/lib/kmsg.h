/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel log since a mark, through /dev/kmsg: kmsg_mark() remembers the end of the log;
 * kmsg_since() returns the messages logged after it, one per line, without the
 * "prio,seq,time,flags;" record header.
 */
#ifndef VMXMON_SELFTESTS_KMSG_H
#define VMXMON_SELFTESTS_KMSG_H

#include <stddef.h>

#include "harness.h"

struct kmsg_mark {
	int fd;
};

int kmsg_mark(struct kmsg_mark *m);			/* 0 or -errno */
/* Append the messages after the mark to buf (NUL-terminated); number of records or -errno. */
int kmsg_since(struct kmsg_mark *m, char *buf, size_t len);
void kmsg_mark_close(struct kmsg_mark *m);

/* The message part of one /dev/kmsg record, as a pointer into rec and a length; -EPROTO. */
int kmsg_record_message(const char *rec, size_t len, const char **msg, size_t *msglen);

/* Same, for a test: skips it when the log cannot be read, fails on other errors. */
void t_kmsg_mark(struct test_ctx *t, struct kmsg_mark *m);
void t_kmsg_since(struct test_ctx *t, struct kmsg_mark *m, char *buf, size_t len);

/* Lines of a kernel log that mean the kernel hurt itself: Oops, BUG:, WARNING:, ... */
int kmsg_count_trouble(const char *log, const char **first);

#endif
