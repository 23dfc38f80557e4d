// SPDX-License-Identifier: GPL-2.0
/*
 * The GDB stub's server: the listening socket, one connection at a time, bytes in (packets,
 * Ctrl-C) and stop replies out as the vCPUs stop (gdb.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../vm/vcpu.h"
#include "../vm/vm.h"
#include "stub.h"
#include "uapi/vmxmon.h"

/* ---- the connection ---- */

/* The debugger went away (detach, EOF): its breakpoints go, the guest runs on. */
static void session_end(struct gdb *g)
{
	stop_all(g, false);
	for (int i = 0; i < MAX_SW_BP; i++)
		if (g->sw[i].used)
			mem(g, g->sw[i].addr, &g->sw[i].orig, 1, true);
	memset(g->sw, 0, sizeof(g->sw));
	memset(g->hw, 0, sizeof(g->hw));
	ept_watch_del_all(g);
	resume(g, -1);
	g->running = false;
}

/* Bytes from GDB; false to end the thread. */
static bool session_input(struct gdb *g)
{
	u8 buf[1024];
	ssize_t n = recv(g->fd, buf, sizeof(buf), 0);

	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return true;
		close(g->fd);
		g->fd = -1;
		return true;
	}
	for (ssize_t i = 0; i < n && g->fd >= 0; i++) {
		switch (gdb_rx_byte(&g->rx, buf[i])) {
		case GDB_RX_PACKET:
			send_raw(g, "+", 1);
			if (!g->running)
				handle_packet(g, g->rx.buf);
			break;
		case GDB_RX_BAD:
			send_raw(g, "-", 1);
			break;
		case GDB_RX_INTERRUPT:
			if (g->running) {
				stop_all(g, true);
				g->running = false;
				reply_stop(g);
			}
			break;
		case GDB_RX_NONE:
			break;
		}
	}
	return true;
}

/* What wait_fd_or_pipe() saw: bits, or one of the two negative outcomes. */
#define GDB_WAIT_FD	1	/* @fd is readable (or hung up) */
#define GDB_WAIT_PIPE	2	/* a vCPU stopped (a byte other than 'q' on the pipe) */
#define GDB_WAIT_QUIT	(-1)	/* 'q' on the pipe: the stub must end */
#define GDB_WAIT_ERROR	(-2)

/* Wait for @fd (the listening or the session socket) or the stub's own pipe. */
static int wait_fd_or_pipe(struct gdb *g, int fd)
{
	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = g->pipe[0], .events = POLLIN } };
		int ev = 0;
		char c;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return GDB_WAIT_ERROR;
		}
		if (pfd[1].revents & POLLIN) {
			if (read(g->pipe[0], &c, 1) == 1 && c == 'q')
				return GDB_WAIT_QUIT;
			ev |= GDB_WAIT_PIPE;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			ev |= GDB_WAIT_FD;
		return ev;
	}
}

/* One debugger, from connection to detach. false: the stub must end. */
static bool session(struct gdb *g)
{
	gdb_rx_init(&g->rx);
	g->running = false;
	g->g_vcpu = 0;
	g->c_vcpu = -1;
	g->stop_watch = -1;
	stop_all(g, false);
	while (g->fd >= 0) {
		int ev = wait_fd_or_pipe(g, g->fd);

		if (ev == GDB_WAIT_ERROR)
			break;
		if (ev == GDB_WAIT_QUIT)
			return false;
		if (ev & GDB_WAIT_PIPE) {
			pthread_mutex_lock(&g->vm->lock);
			if (g->running && g->stopped) {
				hold_all_locked(g);
				g->running = false;
			}
			pthread_mutex_unlock(&g->vm->lock);
			if (!g->running)
				reply_stop(g);
		}
		if (ev & GDB_WAIT_FD)
			session_input(g);
	}
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	session_end(g);
	return true;
}

static void *gdb__thread(void *arg)
{
	struct gdb *g = arg;

	for (;;) {
		int ev = wait_fd_or_pipe(g, g->lfd), one = 1;

		if (ev == GDB_WAIT_ERROR || ev == GDB_WAIT_QUIT)
			break;
		if (!(ev & GDB_WAIT_FD))
			continue;	/* a stale stop: nobody to tell */
		g->fd = accept(g->lfd, NULL, NULL);
		if (g->fd < 0)
			continue;
		setsockopt(g->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (!session(g))
			break;
	}
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	return NULL;
}

int gdb__parse_spec(const char *spec, char *host, size_t hostlen, unsigned int *port,
		    char *msg, size_t msglen)
{
	const char *p = spec, *colon;
	char *end;
	unsigned long v;

	if (strncmp(p, "tcp:", 4)) {
		snprintf(msg, msglen, "vmxrun: --gdb %s: not tcp:HOST:PORT (e.g. tcp:127.0.0.1:1234)",
			 spec);
		return -1;
	}
	p += 4;
	colon = strrchr(p, ':');
	snprintf(host, hostlen, "127.0.0.1");
	if (colon) {
		if (colon > p) {
			if ((size_t)(colon - p) >= hostlen)
				goto bad;
			memcpy(host, p, (size_t)(colon - p));
			host[colon - p] = '\0';
		}
		p = colon + 1;
	}
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || *end || end == p || !v || v > 65535)
		goto bad;
	*port = (unsigned int)v;
	return 0;
bad:
	snprintf(msg, msglen, "vmxrun: --gdb %s: not tcp:HOST:PORT with a port 1-65535", spec);
	return -1;
}

struct gdb *gdb__open(struct vm *vm, const char *spec, bool wait, char *msg, size_t msglen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64];
	unsigned int port;
	struct gdb *g;
	int one = 1;

	if (gdb__parse_spec(spec, host, sizeof(host), &port, msg, msglen))
		return NULL;
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(msg, msglen, "vmxrun: --gdb %s: %s is not an IPv4 address", spec, host);
		return NULL;
	}
	sa.sin_port = htons((u16)port);
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(msg, msglen, "vmxrun: --gdb: out of memory");
		return NULL;
	}
	g->ept_watch = hv__check_extension(vm->hv, VMXMON_CAP_EPT_WATCH) > 0;
	g->vm = vm;
	g->fd = -1;
	g->pipe[0] = g->pipe[1] = -1;
	g->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g->lfd < 0 || setsockopt(g->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(g->lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(g->lfd, 1) ||
	    pipe(g->pipe)) {
		snprintf(msg, msglen, "vmxrun: --gdb %s: %s", spec, strerror(errno));
		gdb__close(g);
		return NULL;
	}
	if (wait) {	/* held at the first instruction, until GDB says go */
		g->stopped = true;
		g->stop_debug = true;
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			vm->vcpu[i].debug_hold = true;
	}
	vm->gdb = g;
	if (pthread_create(&g->thread, NULL, gdb__thread, g)) {
		snprintf(msg, msglen, "vmxrun: --gdb: cannot start its thread");
		vm->gdb = NULL;
		gdb__close(g);
		return NULL;
	}
	g->thread_started = true;
	fprintf(stderr, "vmxrun: gdb: listening on %s:%u%s%s\n", host, port,
		wait ? " (the guest waits for it)" : "",
		g->ept_watch ? " (watchpoints: EPT)" : "");
	return g;
}

void gdb__close(struct gdb *g)
{
	if (!g)
		return;
	if (g->thread_started) {
		if (write(g->pipe[1], "q", 1) < 0)
			perror("vmxrun: gdb");
		pthread_join(g->thread, NULL);
	}
	if (g->lfd >= 0)
		close(g->lfd);
	if (g->pipe[0] >= 0)
		close(g->pipe[0]);
	if (g->pipe[1] >= 0)
		close(g->pipe[1]);
	free(g);
}
