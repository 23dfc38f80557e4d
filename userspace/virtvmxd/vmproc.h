/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by vmproc.c (running VMs) and reattach.c (finding them again). */
#ifndef VIRTVMXD_VMPROC_H
#define VIRTVMXD_VMPROC_H

#include <sys/types.h>

struct daemon;
struct domain;

/* /proc/PID/stat: CPU time (utime + stime) and start time, in clock ticks; -1 if gone. */
int proc_stat(pid_t pid, unsigned long long *cpu, unsigned long long *start);
int connect_unix(const char *path);
void state_path(struct daemon *d, const struct domain *dom, char *out, size_t len);
/* Start the monitor thread on fd, the domain's connected control socket. */
int vm_attach(struct daemon *d, struct domain *dom, int fd);
/* Save the running domain's state file; (d) held. */
void write_state(struct daemon *d, struct domain *dom);

#endif
