// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

/* Written once before any thread starts, then only read (see term.h). */
static struct term_saved {
	int fd;
	struct termios tio;
	volatile sig_atomic_t active;
} saved = { .fd = -1 };

void term__restore(void)
{
	if (saved.active) {
		tcsetattr(saved.fd, TCSAFLUSH, &saved.tio);
		saved.active = 0;
	}
}

static void term__fatal(int sig)
{
	term__restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int term__raw(int fd)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };
	struct termios raw;

	if (saved.active)
		return 0;
	if (tcgetattr(fd, &saved.tio))
		return -errno;
	saved.fd = fd;
	raw = saved.tio;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR;	/* the guest sends \r\n itself, but keep our messages sane */
	if (tcsetattr(fd, TCSAFLUSH, &raw))
		return -errno;
	saved.active = 1;
	atexit(term__restore);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = term__fatal;
		sa.sa_flags = SA_RESETHAND;
		sigaction(fatal[i], &sa, NULL);
	}
	return 0;
}
