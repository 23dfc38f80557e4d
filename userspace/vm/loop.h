/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event loop of the main thread: epoll over the console, timers, the control socket and
 * the request eventfd. Handlers run with no lock held and take what they need (vm/vm.h); the
 * table of fds belongs to the main thread (loop__add and loop__del are called only there).
 */
#ifndef VMXRUN_VM_LOOP_H
#define VMXRUN_VM_LOOP_H

struct vm;

typedef void (*loop_fn)(struct vm *vm, int fd, void *opaque);

struct loop *loop__new(struct vm *vm);
void loop__free(struct loop *l);
/* Watch fd for input (or hang-up); 0 or -errno. */
int loop__add(struct loop *l, int fd, loop_fn fn, void *opaque);
void loop__del(struct loop *l, int fd);
/* Wait for events (up to timeout_ms, -1 forever) and run their handlers; -errno on error. */
int loop__run_once(struct loop *l, int timeout_ms);

#endif
