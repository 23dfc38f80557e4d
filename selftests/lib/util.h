/* SPDX-License-Identifier: GPL-2.0 */
/* Small file and /proc helpers shared by the selftests. All return 0 or -errno. */
#ifndef VMXMON_SELFTESTS_UTIL_H
#define VMXMON_SELFTESTS_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Read a whole (small) file into buf, NUL-terminated; -EFBIG when it does not fit. */
int read_file(const char *path, char *buf, size_t len);
/* Write s to path (sysfs/procfs knobs). */
int write_file(const char *path, const char *s);

/* Whether a "flags" line of /proc/cpuinfo text lists flag (whole word). */
bool cpuinfo_has_flag(const char *cpuinfo, const char *flag);
int cpu_has_flag(const char *flag, bool *has);

/*
 * Parse a CPU list ("0-3,5\n" as in /sys/devices/system/cpu/online) into ids[]; returns the
 * number of CPUs or -EINVAL (bad syntax) / -ERANGE (more than max).
 */
int cpulist_parse(const char *text, int *ids, int max);
int cpus_online(int *ids, int max);

/*
 * The count in row name ("CAL", "RES", or an IRQ number) of /proc/interrupts text for cpu,
 * found by its "CPU<n>" header column (only online CPUs have one): 0, or -ENOENT.
 */
int interrupts_parse(const char *text, const char *name, int cpu, unsigned long long *count);
int proc_interrupts_count(const char *name, int cpu, unsigned long long *count);

/*
 * Busy threads, one on each of cpus[]: a CPU that runs a task takes every function-call
 * IPI as an interrupt (counted in CAL), where an idle one polling in MWAIT may run the
 * call queue without one. A stand-in for an isolated CPU running a real-time task.
 */
#define MAX_SPINNERS 16
struct spinners {
	int n;
	pthread_t th[MAX_SPINNERS];
	int cpu[MAX_SPINNERS];
	volatile bool stop;
};
int spinners_start(struct spinners *s, const int *cpus, int n);	/* 0 or -errno */
void spinners_stop(struct spinners *s);

/* /proc/sys/kernel/tainted. */
int taint_read(unsigned long *taint);
#define TAINT_DIE	(1UL << 7)	/* 'D': an oops happened */
#define TAINT_WARN	(1UL << 9)	/* 'W': a WARN() fired */

/* Drop CAP_IPC_LOCK (effective and permitted) so RLIMIT_MEMLOCK applies even to root. */
int drop_ipc_lock(void);

/* Number of lines of text containing needle; *first (if non-NULL) gets the first one. */
int count_lines_containing(const char *text, const char *needle, const char **first);

#endif
