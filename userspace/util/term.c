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

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };

/*
 * A crash: the terminal back to normal, one line that says so (the testbed ends a run on
 * it: "vmxrun: fatal signal N"), then die of the signal. Async-signal-safe calls only.
 */
static void term__fatal(int sig)
{
	static const char head[] = "\r\nvmxrun: fatal signal ";
	static const char tail[] = ": vmxrun crashed (a bug: please report it)\r\n";
	char num[12], *p = num + sizeof(num);
	unsigned int v = (unsigned int)sig;

	term__restore();
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (write(STDERR_FILENO, head, sizeof(head) - 1) < 0 ||
	    write(STDERR_FILENO, p, (size_t)(num + sizeof(num) - p)) < 0 ||
	    write(STDERR_FILENO, tail, sizeof(tail) - 1) < 0)
		(void)0;			/* nothing left to tell it to */
	signal(sig, SIG_DFL);
	raise(sig);
}

void term__catch_fatal_signals(void)
{
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = term__fatal;
		sa.sa_flags = SA_RESETHAND;
		sigaction(fatal_signals[i], &sa, NULL);
	}
}

int term__raw(int fd)
{
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
	term__catch_fatal_signals();
	return 0;
}
