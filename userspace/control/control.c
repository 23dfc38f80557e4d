// SPDX-License-Identifier: GPL-2.0
/* The control socket: accept clients, split their input into lines, send replies and events. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "../vm/loop.h"
#include "../vm/vm.h"
#include "control.h"

#define CONTROL_MAX_CLIENTS	8
#define CONTROL_LINE_MAX	65536

struct client {
	int fd;			/* -1: free slot */
	char buf[CONTROL_LINE_MAX];
	size_t len;
};

struct control {
	struct vm *vm;
	int fd;
	char *path;
	struct stat st;		/* the socket file we made at path (device and inode) */
	struct client c[CONTROL_MAX_CLIENTS];
};

/* Whether path is (still) the file st describes. */
static bool same_file(const char *path, const struct stat *st)
{
	struct stat now;

	return !lstat(path, &now) && now.st_dev == st->st_dev && now.st_ino == st->st_ino;
}

static void client__drop(struct control *ctl, struct client *cl)
{
	loop__del(ctl->vm->loop, cl->fd);
	close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
}

/* One line to a client; a client that cannot take it now is dropped (no blocking here). */
static void client__send(struct control *ctl, struct client *cl, const char *line)
{
	size_t n = strlen(line);
	char *msg = malloc(n + 1);

	if (!msg) {
		client__drop(ctl, cl);
		return;
	}
	memcpy(msg, line, n);
	msg[n] = '\n';
	if (send(cl->fd, msg, n + 1, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)(n + 1))
		client__drop(ctl, cl);
	free(msg);
}

static void client__lines(struct control *ctl, struct client *cl)
{
	char *nl;

	while (cl->fd >= 0 && (nl = memchr(cl->buf, '\n', cl->len))) {
		char *reply;

		*nl = 0;
		if (nl > cl->buf && nl[-1] == '\r')
			nl[-1] = 0;
		reply = cl->buf[strspn(cl->buf, " \t\r")] ? qmp__handle_line(ctl->vm, cl->buf) : NULL;
		if (reply)
			client__send(ctl, cl, reply);
		free(reply);
		if (cl->fd < 0)
			return;
		cl->len -= (size_t)(nl + 1 - cl->buf);
		memmove(cl->buf, nl + 1, cl->len);
	}
}

static void client__input(struct vm *vm, int fd, void *opaque)
{
	struct client *cl = opaque;
	struct control *ctl = vm->ctl;
	ssize_t r;

	(void)fd;
	if (cl->len == sizeof(cl->buf)) {
		client__send(ctl, cl, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"line longer than 64 KiB\"}}");
		if (cl->fd >= 0)
			client__drop(ctl, cl);
		return;
	}
	r = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - cl->len, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		client__drop(ctl, cl);		/* gone, mid-request or not */
		return;
	}
	cl->len += (size_t)r;
	client__lines(ctl, cl);
}

static void control__accept(struct vm *vm, int fd, void *opaque)
{
	struct control *ctl = opaque;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	char *greeting;

	if (cfd < 0)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *cl = &ctl->c[i];

		if (cl->fd >= 0)
			continue;
		if (loop__add(vm->loop, cfd, client__input, cl))
			break;
		cl->fd = cfd;
		cl->len = 0;
		greeting = qmp__greeting();
		client__send(ctl, cl, greeting);
		free(greeting);
		return;
	}
	close(cfd);			/* too many clients */
}

void control__event(struct control *ctl, const char *event, const char *reason)
{
	struct timeval tv;
	json_t *ev;
	char *line;

	if (!ctl)
		return;
	gettimeofday(&tv, NULL);
	ev = json_pack("{s:s, s:{}, s:{s:I, s:I}}", "event", event, "data", "timestamp",
		       "seconds", (json_int_t)tv.tv_sec, "microseconds", (json_int_t)tv.tv_usec);
	if (reason)
		json_object_set_new(json_object_get(ev, "data"), "reason", json_string(reason));
	line = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	for (int i = 0; line && i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->c[i].fd >= 0)
			client__send(ctl, &ctl->c[i], line);
	free(line);
}

/*
 * What is at path now: 0 if nothing (ENOENT) or a stale socket that nobody listens on (its
 * inode in *stale, to unlink), -1 with *msg if a VM listens there, the path is not a socket,
 * or it cannot be checked. A live socket is never taken over: another vmxrun owns it.
 */
static int control__probe(const char *path, struct sockaddr_un *sa, struct stat *stale,
			  char *msg, size_t msglen)
{
	struct stat st;
	int fd, err;

	memset(stale, 0, sizeof(*stale));
	if (strlen(path) >= sizeof(sa->sun_path)) {
		snprintf(msg, msglen, "vmxrun: --control %s: path too long for a socket (at most %zu bytes)",
			 path, sizeof(sa->sun_path) - 1);
		return -1;
	}
	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	strcpy(sa->sun_path, path);
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(msg, msglen, "vmxrun: --control %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(msg, msglen, "vmxrun: --control %s: exists and is not a socket (not replacing it: pick another path)",
			 path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(msg, msglen, "vmxrun: --control %s: socket: %s", path, strerror(errno));
		return -1;
	}
	err = connect(fd, (struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
	close(fd);
	if (!err) {
		snprintf(msg, msglen, "vmxrun: --control %s: in use by a running VM (pick another path, or end that VM: vmxctl %s quit)",
			 path, path);
		return -1;
	}
	if (err != ECONNREFUSED) {
		snprintf(msg, msglen, "vmxrun: --control %s: cannot tell whether a VM uses it: %s",
			 path, strerror(err));
		return -1;
	}
	*stale = st;			/* left by a vmxrun that ended without removing it */
	return 0;
}

int control__check(const char *path, char *msg, size_t msglen)
{
	struct sockaddr_un sa;
	struct stat stale;

	return control__probe(path, &sa, &stale, msg, msglen);
}

int control__open(struct vm *vm, const char *path, char *msg, size_t msglen)
{
	struct sockaddr_un sa;
	struct control *ctl;
	struct stat st;
	bool bound;

	if (control__probe(path, &sa, &st, msg, msglen))
		return -1;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return -1;
	}
	ctl->vm = vm;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		ctl->c[i].fd = -1;
	/* The stale socket, and only if it is still the file we probed. */
	if (st.st_ino && same_file(path, &st))
		unlink(path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bound = ctl->fd >= 0 && !bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa));
	if (!bound || lstat(path, &ctl->st) || listen(ctl->fd, 4) ||
	    loop__add(vm->loop, ctl->fd, control__accept, ctl)) {
		snprintf(msg, msglen, "vmxrun: --control %s: %s%s", path, strerror(errno),
			 errno == EADDRINUSE ? " (another VM took the path just now)" : "");
		if (bound && same_file(path, &ctl->st))
			unlink(path);
		if (ctl->fd >= 0)
			close(ctl->fd);
		free(ctl);
		return -1;
	}
	ctl->path = strdup(path);
	vm->ctl = ctl;
	return 0;
}

void control__close(struct control *ctl)
{
	if (!ctl)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->c[i].fd >= 0)
			client__drop(ctl, &ctl->c[i]);
	loop__del(ctl->vm->loop, ctl->fd);
	close(ctl->fd);
	/* Only our own socket: someone may have put another file at the path since. */
	if (ctl->path && same_file(ctl->path, &ctl->st))
		unlink(ctl->path);
	free(ctl->path);
	ctl->vm->ctl = NULL;
	free(ctl);
}
