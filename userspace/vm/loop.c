// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "vm.h"

#define LOOP_MAX_FDS	64

struct loop_entry {
	int fd;
	loop_fn fn;
	void *opaque;
};

struct loop {
	struct vm *vm;
	int epfd;
	struct loop_entry e[LOOP_MAX_FDS];	/* fd -1: free */
};

struct loop *loop__new(struct vm *vm)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->vm = vm;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	for (int i = 0; i < LOOP_MAX_FDS; i++)
		l->e[i].fd = -1;
	return l;
}

void loop__free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

int loop__add(struct loop *l, int fd, loop_fn fn, void *opaque)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (int i = 0; i < LOOP_MAX_FDS; i++) {
		if (l->e[i].fd >= 0)
			continue;
		ev.data.u32 = i;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
			return -errno;
		l->e[i] = (struct loop_entry){ fd, fn, opaque };
		return 0;
	}
	return -ENOSPC;
}

void loop__del(struct loop *l, int fd)
{
	for (int i = 0; i < LOOP_MAX_FDS; i++) {
		if (l->e[i].fd == fd) {
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
			l->e[i].fd = -1;
		}
	}
}

int loop__run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event ev[16];
	int n = epoll_wait(l->epfd, ev, 16, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct loop_entry *e = &l->e[ev[i].data.u32];

		/* A handler earlier in this batch may have removed this fd. */
		if (e->fd >= 0)
			e->fn(l->vm, e->fd, e->opaque);
	}
	return 0;
}
