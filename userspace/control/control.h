/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket (--control PATH): a Unix stream socket speaking the QMP-like protocol
 * of design.md, one JSON object per line (schema in README.md, "vmxrun"):
 *   request  {"execute": CMD, "arguments": {...}, "id": ANY}
 *   reply    {"return": {...}, "id": ANY} or {"error": {"class": C, "desc": D}, "id": ANY}
 *   event    {"event": NAME, "data": {...}, "timestamp": {"seconds": S, "microseconds": U}}
 * A client gets a greeting {"QMP": {...}} first. Bad input gets an error reply; a client
 * that sends a line over 64 KiB, or vanishes, is dropped; the VM keeps running.
 */
#ifndef VMXRUN_CONTROL_CONTROL_H
#define VMXRUN_CONTROL_CONTROL_H

#include <stddef.h>

struct vm;
struct control;

/*
 * Listen on path; 0 or -1 with *msg. A socket a running VM listens on is refused ("in use by
 * a running VM"); a stale one (connect() is refused) is replaced; any other file is left
 * alone (error). control__close() removes the socket file only if it is still ours.
 */
int control__open(struct vm *vm, const char *path, char *msg, size_t msglen);
/* The checks of control__open without opening anything (before the VM is built). */
int control__check(const char *path, char *msg, size_t msglen);
void control__close(struct control *c);

/* Send an event to every client; data {"reason": reason} when reason is set (c may be NULL). */
void control__event(struct control *c, const char *event, const char *reason);

/*
 * The protocol itself, without sockets (qmp.c): one request line in, the reply line out
 * (malloc'ed, no newline). Runs on the event loop's thread with no lock held; commands take
 * what they need through vm__pause, vm__request and the devices' entry points (vm/vm.h).
 */
char *qmp__handle_line(struct vm *vm, const char *line);
/* The greeting line (malloc'ed). */
char *qmp__greeting(void);

#endif
