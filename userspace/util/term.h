/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The controlling terminal in raw mode while a guest console runs on it, restored on every
 * way out: normal exit, exit(), and fatal signals (SIGSEGV, SIGABRT, ... re-raised after
 * restoring and saying so on stderr). The saved settings are the one piece of process-wide state the launcher keeps
 * outside struct vm: a signal handler can reach nothing else.
 */
#ifndef VMXRUN_UTIL_TERM_H
#define VMXRUN_UTIL_TERM_H

/* Put fd (a tty) in raw mode; 0 or -errno. Only the first call saves the settings. */
int term__raw(int fd);
/* Restore the settings term__raw() saved (idempotent, async-signal-safe). */
void term__restore(void);
/*
 * On a fatal signal, print "vmxrun: fatal signal N: vmxrun crashed ..." on stderr (what the
 * testbed watches for), restore the terminal, and die of it. term__raw() calls it too.
 */
void term__catch_fatal_signals(void);

#endif
