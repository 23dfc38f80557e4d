// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../hw/serial.h"
#include "../util/term.h"
#include "console.h"
#include "loop.h"
#include "vm.h"

struct console {
	struct vm *vm;
	int in_fd;		/* -1: no input */
	int out_fd;
	bool own_out;		/* out_fd is a file we opened */
	bool escape;		/* the last input byte was Ctrl-A */
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
	if (r <= 0) {			/* end of input: the guest just gets no more */
		loop__del(vm->loop, fd);
		c->in_fd = -1;
		return;
	}
	/* Typing faster than the guest reads overruns its 4 KiB queue, as a real UART would. */
	n = console__filter(&c->escape, buf, (size_t)r, out, &quit);
	serial__rx(vm, out, n);
	if (quit) {
		fprintf(stderr, "\r\nvmxrun: Ctrl-A x: quitting\r\n");
		vm__request(vm, REQ_EXIT, 0, "host-console-quit");
	}
}

void console__write(struct console *c, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		ssize_t r = write(c->out_fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;			/* output gone (EPIPE): the guest runs on */
		p += r;
		len -= (size_t)r;
	}
}

struct console *console__open(struct vm *vm, const char *spec, char *msg, size_t msglen)
{
	struct console *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return NULL;
	}
	c->vm = vm;
	c->in_fd = -1;
	c->out_fd = STDOUT_FILENO;
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
	if (c->in_fd >= 0) {
		loop__del(c->vm->loop, c->in_fd);
		fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) & ~O_NONBLOCK);
	}
	if (c->own_out)
		close(c->out_fd);
	term__restore();
	free(c);
}
