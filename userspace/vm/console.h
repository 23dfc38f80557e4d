/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console backend behind the UART: stdio (a terminal in raw mode, escape sequence
 * Ctrl-A x to quit, Ctrl-A Ctrl-A for a literal Ctrl-A), file:PATH (output only) or
 * socket:PATH (a Unix stream socket: one client at a time, a new one replaces it; bytes
 * pass both ways as they are; output nobody reads, or a slow client cannot take, is lost).
 */
#ifndef VMXRUN_VM_CONSOLE_H
#define VMXRUN_VM_CONSOLE_H

#include "../util/types.h"

struct vm;
struct console;

#define CONSOLE_ESCAPE	0x01	/* Ctrl-A */

/* spec: "stdio", "file:PATH" or "socket:PATH"; on error *msg says why and NULL is returned. */
struct console *console__open(struct vm *vm, const char *spec, char *msg, size_t msglen);
void console__close(struct console *c);
void console__write(struct console *c, const void *buf, size_t len);

/*
 * The escape-sequence filter on input, exposed for tests: copies what goes to the guest
 * from in to out (room for len + 1 bytes: a Ctrl-A left from the previous call comes back),
 * returns its length; *quit is set on Ctrl-A x.
 */
size_t console__filter(bool *escape_state, const u8 *in, size_t len, u8 *out, bool *quit);

#endif
