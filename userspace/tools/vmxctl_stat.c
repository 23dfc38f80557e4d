// SPDX-License-Identifier: GPL-2.0
/*
 * vmxctl stat: a running VM's exit counts and rates, like `perf kvm stat live`, from its
 * KVM_GET_STATS_FD file (userspace/stats/kvm_stats.c: the same reader reads /dev/kvm's).
 *
 * The stats fd of another process is taken with pidfd_getfd() (the caller needs ptrace
 * rights over it: the same user, or root): vmxrun keeps its VM's open for that; for any
 * other VMM, the first fd of PID whose /proc link names a VM stats file ("vmxmon-vm-stats",
 * "kvm-vm-stats") is used. --fd N reads an fd this process already has.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kvm_stats.h"

int vmxctl_stat(int argc, char **argv);

static void stat_usage(FILE *f)
{
	fprintf(f,
		"usage: vmxctl stat [--interval SECONDS (1)] [--count N (0: until killed)] [--all]\n"
		"                   PID | --fd N\n"
		"Every interval, the VM's exits since the last one by reason (counters named\n"
		"exits_<reason>; on a KVM stats file, those named *_exits): count, share, rate\n"
		"and total, then the exit rate and guest/host time. --all: print every statistic\n"
		"of the file once (name, type, unit, value) and exit.\n");
}

/* The first fd of @pid that is a VM stats file, taken into this process. */
static int take_stats_fd(int pid)
{
	char path[64], link[128];
	struct dirent *e;
	int pidfd, fd = -1, target = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "vmxctl stat: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (target < 0 && (e = readdir(d))) {
		char p[sizeof(path) + sizeof(e->d_name) + 2];
		ssize_t n;

		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strstr(link, "vmxmon-vm-stats") || strstr(link, "kvm-vm-stats"))
			target = atoi(e->d_name);
	}
	closedir(d);
	if (target < 0) {
		fprintf(stderr, "vmxctl stat: process %d holds no VM stats fd (vmxrun keeps one; "
			"other VMMs must call KVM_GET_STATS_FD on their VM fd)\n", pid);
		return -1;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0)
		fd = syscall(SYS_pidfd_getfd, pidfd, target, 0);
	if (fd < 0)
		fprintf(stderr, "vmxctl stat: taking fd %d of process %d: %s (run as its user or "
			"root)\n", target, pid, strerror(errno));
	if (pidfd >= 0)
		close(pidfd);
	return fd;
}

static bool is_reason(const struct kvm_stats *s, const struct kvm_stats_desc *d, bool own)
{
	size_t n = strlen(d->name);

	(void)s;
	if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE)
		return false;
	if (own)
		return !strncmp(d->name, "exits_", 6);
	return n > 6 && !strcmp(d->name + n - 6, "_exits");
}

struct row {
	const char *name;
	uint64_t delta, total;
};

static int by_delta(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->delta < y->delta ? 1 : x->delta > y->delta ? -1 : strcmp(x->name, y->name);
}

static void print_all(struct kvm_stats *s)
{
	printf("%s: %u statistics\n", s->id, s->hdr.num_desc);
	for (uint32_t i = 0; i < s->hdr.num_desc; i++) {
		const struct kvm_stats_desc *d = kvm_stats_desc(s, i);

		printf("  %-36s %-10s %-8s %llu", d->name, kvm_stats_type_name(d->flags),
		       kvm_stats_unit_name(d->flags), (unsigned long long)kvm_stats_value(s, i));
		if (d->exponent)
			printf(" (x10^%d)", d->exponent);
		printf("\n");
	}
}

int vmxctl_stat(int argc, char **argv)
{
	double interval = 1;
	int count = 0, fd = -1, pid = 0, r;
	bool all = false, own;
	struct kvm_stats s;
	uint64_t *prev;
	struct row *rows;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--interval") && i + 1 < argc)
			interval = atof(argv[++i]);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--fd") && i + 1 < argc)
			fd = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--all"))
			all = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return stat_usage(stdout), 0;
		else if (argv[i][0] != '-' && !pid)
			pid = atoi(argv[i]);
		else
			return stat_usage(stderr), 2;
	}
	if ((fd < 0) == !pid || interval <= 0)
		return stat_usage(stderr), 2;
	if (pid)
		fd = take_stats_fd(pid);
	if (fd < 0)
		return 1;
	r = kvm_stats_open(&s, fd);
	if (r) {
		fprintf(stderr, "vmxctl stat: fd %d: %s %s\n", fd, strerror(-r),
			r == -EINVAL ? kvm_stats_error() : "");
		return 1;
	}
	if (kvm_stats_read(&s))
		return perror("vmxctl stat: read"), 1;
	if (all) {
		print_all(&s);
		return 0;
	}
	own = false;
	for (uint32_t i = 0; i < s.hdr.num_desc; i++)
		own |= is_reason(&s, kvm_stats_desc(&s, i), true);
	prev = calloc(s.hdr.num_desc, sizeof(*prev));
	rows = calloc(s.hdr.num_desc, sizeof(*rows));
	if (!prev || !rows)
		return perror("vmxctl stat"), 1;
	for (uint32_t i = 0; i < s.hdr.num_desc; i++)
		prev[i] = kvm_stats_value(&s, i);
	printf("vmxctl stat: %s, every %.1f s\n", s.id, interval);
	for (int n = 0; !count || n < count; n++) {
		struct timespec ts = { (time_t)interval, (long)((interval - (time_t)interval) * 1e9) };
		int g = kvm_stats_find(&s, "guest_cycles"), h = kvm_stats_find(&s, "host_cycles");
		uint64_t sum = 0, dg, dh;
		unsigned int nr = 0;

		nanosleep(&ts, NULL);
		if (kvm_stats_read(&s))
			return perror("vmxctl stat: read"), 1;
		for (uint32_t i = 0; i < s.hdr.num_desc; i++) {
			const struct kvm_stats_desc *d = kvm_stats_desc(&s, i);
			uint64_t v = kvm_stats_value(&s, i);

			if (is_reason(&s, d, own) && v != prev[i]) {
				rows[nr++] = (struct row){ d->name + (own ? 6 : 0), v - prev[i], v };
				sum += v - prev[i];
			}
		}
		dg = g >= 0 ? kvm_stats_value(&s, g) - prev[g] : 0;
		dh = h >= 0 ? kvm_stats_value(&s, h) - prev[h] : 0;
		for (uint32_t i = 0; i < s.hdr.num_desc; i++)
			prev[i] = kvm_stats_value(&s, i);
		qsort(rows, nr, sizeof(*rows), by_delta);
		printf("\n%24s %10s %9s %12s %14s\n", "VM-EXIT", "Samples", "Samples%", "Rate/s",
		       "Total");
		for (unsigned int i = 0; i < nr; i++)
			printf("%24s %10llu %8.2f%% %12.1f %14llu\n", rows[i].name,
			       (unsigned long long)rows[i].delta, 100.0 * rows[i].delta / sum,
			       rows[i].delta / interval, (unsigned long long)rows[i].total);
		printf("Total samples: %llu, %.1f/s", (unsigned long long)sum, sum / interval);
		if (dg + dh)
			printf("; KVM_RUN time in guest %.1f%%, in host %.1f%%",
			       100.0 * dg / (dg + dh), 100.0 * dh / (dg + dh));
		printf("\n");
		fflush(stdout);
	}
	return 0;
}
