// SPDX-License-Identifier: GPL-2.0
/*
 * Threads: input, accept and close run on the event loop's thread; console__write runs on
 * whichever thread the UART transmits from (a vCPU's), with the UART's lock held. c->lock, a
 * leaf, guards out_fd (and the client fd's close); the writer never touches the event loop:
 * a client that fails a write is shut down, and the loop drops it when it reads the hang-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../hw/serial.h"
#include "../hw/virtio/devices.h"
#include "../util/term.h"
#include "console.h"
#include "loop.h"
#include "vm.h"

struct console {
	struct vm *vm;
	pthread_mutex_t lock;	/* out_fd, and closing the client's fd */
	int in_fd;		/* -1: no input */
	int out_fd;
	bool own_out;		/* out_fd is a file we opened */
	bool escape;		/* the last input byte was Ctrl-A */
	int listen_fd;		/* socket:PATH: the listening socket, else -1 */
	char *path;		/* socket:PATH: the path we bound */
	struct stat st;		/* ... and the socket file we made there */
};

size_t console__filter(bool *escape_state, const u8 *in, size_t len, u8 *out, bool *quit)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		u8 c = in[i];

		if (*escape_state) {
			*escape_state = false;
			if (c == 'x' || c == 'X') {
				*quit = true;
				return n;
			}
			out[n++] = CONSOLE_ESCAPE;	/* Ctrl-A Ctrl-A, or Ctrl-A then c */
			if (c != CONSOLE_ESCAPE)
				out[n++] = c;
			continue;
		}
		if (c == CONSOLE_ESCAPE)
			*escape_state = true;
		else
			out[n++] = c;
	}
	return n;
}

static void console__drop_client(struct console *c)
{
	if (c->in_fd < 0)
		return;
	loop__del(c->vm->loop, c->in_fd);
	pthread_mutex_lock(&c->lock);
	close(c->in_fd);
	c->in_fd = c->out_fd = -1;
	pthread_mutex_unlock(&c->lock);
}

static void console__input(struct vm *vm, int fd, void *opaque)
{
	struct console *c = opaque;
	u8 buf[256], out[257];
	bool quit = false;
	ssize_t r;
	size_t n;

	r = read(fd, buf, sizeof(buf));
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0 && c->listen_fd >= 0) {	/* the client went away: wait for the next */
		console__drop_client(c);
		return;
	}
	if (r <= 0) {			/* end of input: the guest just gets no more */
		loop__del(vm->loop, fd);
		c->in_fd = -1;
		return;
	}
	if (c->listen_fd >= 0) {	/* a socket client's bytes go to the guest as they are */
		serial__rx(vm, buf, (size_t)r);
		return;
	}
	/* Typing faster than the guest reads overruns its 4 KiB queue, as a real UART would. */
	n = console__filter(&c->escape, buf, (size_t)r, out, &quit);
	if (vm->vcon)			/* --console virtio: the guest's hvc0 */
		vcon__input(vm->vcon, out, n);
	else
		serial__rx(vm, out, n);
	if (quit) {
		fprintf(stderr, "\r\nvmxrun: Ctrl-A x: quitting\r\n");
		vm__request(vm, REQ_EXIT, 0, "host-console-quit");
	}
}

void console__write(struct console *c, const void *buf, size_t len)
{
	const u8 *p = buf;

	pthread_mutex_lock(&c->lock);
	if (c->listen_fd >= 0) {
		/* Never block the guest on a slow client: what it cannot take now is lost. */
		if (c->out_fd >= 0 &&
		    send(c->out_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			shutdown(c->out_fd, SHUT_RDWR);	/* the loop reads the hang-up: dropped */
		pthread_mutex_unlock(&c->lock);
		return;
	}

	while (len) {
		ssize_t r = write(c->out_fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;			/* output gone (EPIPE): the guest runs on */
		p += r;
		len -= (size_t)r;
	}
	pthread_mutex_unlock(&c->lock);
}

/* One client at a time: a new connection replaces the one before (a console re-attached). */
static void console__accept(struct vm *vm, int fd, void *opaque)
{
	struct console *c = opaque;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (cfd < 0)
		return;
	console__drop_client(c);
	if (loop__add(vm->loop, cfd, console__input, c)) {
		close(cfd);
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->in_fd = c->out_fd = cfd;
	pthread_mutex_unlock(&c->lock);
}

/*
 * --console socket:PATH: listen there. As for --control, a socket where a VM listens is
 * refused, a stale one (nobody listens) is replaced and any other file is left alone.
 */
static int console__listen(struct console *c, const char *path, char *msg, size_t msglen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(msg, msglen, "vmxrun: --console socket:%s: path too long for a socket", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(msg, msglen, "vmxrun: --console socket:%s: exists and is not a socket (not replacing it: pick another path)",
				 path);
			return -1;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		err = fd < 0 ? errno : connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
		if (fd >= 0)
			close(fd);
		if (err != ECONNREFUSED) {
			snprintf(msg, msglen, "vmxrun: --console socket:%s: %s", path,
				 err ? strerror(err) : "in use by a running VM (pick another path)");
			return -1;
		}
		unlink(path);
	}
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    lstat(path, &c->st) || listen(c->listen_fd, 2) ||
	    loop__add(c->vm->loop, c->listen_fd, console__accept, c)) {
		snprintf(msg, msglen, "vmxrun: --console socket:%s: %s", path, strerror(errno));
		return -1;
	}
	c->path = strdup(path);
	return 0;
}

struct console *console__open(struct vm *vm, const char *spec, char *msg, size_t msglen)
{
	struct console *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return NULL;
	}
	c->vm = vm;
	pthread_mutex_init(&c->lock, NULL);
	c->in_fd = -1;
	c->listen_fd = -1;
	c->out_fd = STDOUT_FILENO;
	if (!strncmp(spec, "socket:", 7)) {
		c->out_fd = -1;
		if (!vm->loop || console__listen(c, spec + 7, msg, msglen)) {
			if (c->listen_fd >= 0)
				close(c->listen_fd);
			free(c);
			return NULL;
		}
		return c;
	}
	if (!strncmp(spec, "file:", 5)) {
		c->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out_fd < 0) {
			snprintf(msg, msglen, "vmxrun: --console %s: %s", spec, strerror(errno));
			free(c);
			return NULL;
		}
		c->own_out = true;
		return c;
	}
	c->in_fd = STDIN_FILENO;
	if (isatty(c->in_fd) && !term__raw(c->in_fd))
		fprintf(stderr, "vmxrun: console on this terminal; Ctrl-A x quits\r\n");
	fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) | O_NONBLOCK);
	if (vm->loop && loop__add(vm->loop, c->in_fd, console__input, c))
		c->in_fd = -1;			/* e.g. a regular file on stdin: no input */
	return c;
}

void console__close(struct console *c)
{
	if (!c)
		return;
	if (c->listen_fd >= 0) {
		struct stat now;

		console__drop_client(c);
		loop__del(c->vm->loop, c->listen_fd);
		close(c->listen_fd);
		/* Only our own socket: someone may have put another file at the path since. */
		if (c->path && !lstat(c->path, &now) && now.st_dev == c->st.st_dev &&
		    now.st_ino == c->st.st_ino)
			unlink(c->path);
		free(c->path);
		free(c);
		return;
	}
	if (c->in_fd >= 0) {
		loop__del(c->vm->loop, c->in_fd);
		fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) & ~O_NONBLOCK);
	}
	if (c->own_out)
		close(c->out_fd);
	term__restore();
	free(c);
}
