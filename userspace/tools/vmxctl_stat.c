// SPDX-License-Identifier: GPL-2.0
/*
 * vmxctl stat: a running VM's exit counts and rates, like `perf kvm stat live`, from its
 * KVM_GET_STATS_FD file (userspace/stats/kvm_stats.c: the same reader reads /dev/kvm's).
 *
 * The stats fds of another process are taken with pidfd_getfd() (the caller needs ptrace
 * rights over it: the same user, or root): the fds of PID whose /proc links name a VM or
 * vCPU stats file ("vmxmon-vm-stats", "kvm-vm-stats", "...vcpu-stats..."); vmxrun keeps
 * its VM's and vCPUs' open for that. vmxmon's VM file sums its vCPUs' per-reason counters;
 * KVM's has none, so there the vCPUs' files are summed. --fd N reads an fd this process
 * already has.
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
		"Every interval, the VM's exits since the last one by reason (vmxmon's counters\n"
		"exits_<reason>; on KVM, the vCPUs' *_exits summed): count, share, rate and\n"
		"total, then the exit rate and guest/host time. PID: a VMM holding stats fds\n"
		"(vmxrun does), taken with pidfd_getfd(). --all: print every statistic of every\n"
		"file once (name, type, unit, value) and exit.\n");
}

#define MAX_FILES	65	/* the VM's and 64 vCPUs' */

/*
 * The stats fds of @pid, taken into this process: the VM's first, then its vCPUs' (vmxrun
 * holds all of them). Returns how many, or -1.
 */
static int take_stats_fds(int pid, int *fds)
{
	int pidfd, nr = 0, target[MAX_FILES];
	char path[64], link[128];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "vmxctl stat: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (nr < MAX_FILES && (e = readdir(d))) {
		char p[sizeof(path) + sizeof(e->d_name) + 2];
		ssize_t n;

		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strstr(link, "vm-stats")) {		/* vmxmon-vm-stats, kvm-vm-stats */
			memmove(target + 1, target, nr * sizeof(*target));
			target[0] = atoi(e->d_name);
			nr++;
		} else if (strstr(link, "vcpu-stats")) {
			target[nr++] = atoi(e->d_name);
		}
	}
	closedir(d);
	if (!nr) {
		fprintf(stderr, "vmxctl stat: process %d holds no stats fd (vmxrun keeps its VM's "
			"and vCPUs'; other VMMs must call KVM_GET_STATS_FD)\n", pid);
		return -1;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	for (int i = 0; i < nr; i++) {
		fds[i] = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, target[i], 0);
		if (fds[i] < 0) {
			fprintf(stderr, "vmxctl stat: taking fd %d of process %d: %s (run as its "
				"user or root)\n", target[i], pid, strerror(errno));
			return -1;
		}
	}
	close(pidfd);
	return nr;
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

/* The sum of statistic @name over @nr files (its first value in each). */
static uint64_t total(struct kvm_stats *f, int nr, const char *name)
{
	uint64_t t = 0;

	for (int i = 0; i < nr; i++)
		t += kvm_stats_value(&f[i], kvm_stats_find(&f[i], name));
	return t;
}

int vmxctl_stat(int argc, char **argv)
{
	double interval = 1;
	int count = 0, fd = -1, pid = 0, nr = 1, fds[MAX_FILES], r;
	struct kvm_stats f[MAX_FILES], *s = &f[0];
	bool all = false, own = false;
	uint64_t *prev, prev_g, prev_h;
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
	fds[0] = fd;
	if (pid)
		nr = take_stats_fds(pid, fds);
	if (nr < 0)
		return 1;
	for (int i = 0; i < nr; i++) {
		r = kvm_stats_open(&f[i], fds[i]);
		if (!r)
			r = kvm_stats_read(&f[i]);
		if (r) {
			fprintf(stderr, "vmxctl stat: fd %d: %s %s\n", fds[i], strerror(-r),
				r == -EINVAL ? kvm_stats_error() : "");
			return 1;
		}
	}
	if (all) {
		for (int i = 0; i < nr; i++)
			print_all(&f[i]);
		return 0;
	}
	/*
	 * Per-reason counters: vmxmon's exits_<reason>, whose VM file sums its vCPUs'; else
	 * (KVM) the vCPUs' *_exits, summed here.
	 */
	for (uint32_t i = 0; i < s->hdr.num_desc; i++)
		own |= is_reason(s, kvm_stats_desc(s, i), true);
	if (!own && nr > 1) {
		kvm_stats_free(&f[0]);
		memmove(f, f + 1, --nr * sizeof(*f));
	} else {
		nr = 1;
	}
	prev = calloc(s->hdr.num_desc, sizeof(*prev));
	rows = calloc(s->hdr.num_desc, sizeof(*rows));
	if (!prev || !rows)
		return perror("vmxctl stat"), 1;
	for (uint32_t i = 0; i < s->hdr.num_desc; i++)
		prev[i] = total(f, nr, kvm_stats_desc(s, i)->name);
	prev_g = total(f, nr, "guest_cycles");
	prev_h = total(f, nr, "host_cycles");
	printf("vmxctl stat: %s%s, every %.1f s\n", s->id, nr > 1 ? " and the other vCPUs" : "",
	       interval);
	for (int n = 0; !count || n < count; n++) {
		struct timespec ts = { (time_t)interval, (long)((interval - (time_t)interval) * 1e9) };
		uint64_t sum = 0, g, h, dg, dh;
		unsigned int nrows = 0;

		nanosleep(&ts, NULL);
		for (int i = 0; i < nr; i++)
			if (kvm_stats_read(&f[i]))
				return perror("vmxctl stat: read"), 1;
		for (uint32_t i = 0; i < s->hdr.num_desc; i++) {
			const struct kvm_stats_desc *d = kvm_stats_desc(s, i);
			uint64_t v = total(f, nr, d->name);

			if (is_reason(s, d, own) && v != prev[i]) {
				rows[nrows++] = (struct row){ d->name + (own ? 6 : 0), v - prev[i], v };
				sum += v - prev[i];
			}
			prev[i] = v;
		}
		g = total(f, nr, "guest_cycles");
		h = total(f, nr, "host_cycles");
		dg = g - prev_g;
		dh = h - prev_h;
		prev_g = g;
		prev_h = h;
		qsort(rows, nrows, sizeof(*rows), by_delta);
		printf("\n%24s %10s %9s %12s %14s\n", "VM-EXIT", "Samples", "Samples%", "Rate/s",
		       "Total");
		for (unsigned int i = 0; i < nrows; i++)
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
