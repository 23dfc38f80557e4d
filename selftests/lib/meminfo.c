// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meminfo.h"
#include "util.h"

int meminfo_field(const char *text, const char *field, long long *kb)
{
	size_t flen = strlen(field);
	const char *line = text;

	while (*line) {
		const char *eol = strchrnul(line, '\n');

		if (!strncmp(line, field, flen) && line[flen] == ':') {
			char *end;

			*kb = strtoll(line + flen + 1, &end, 10);
			return end == line + flen + 1 ? -EPROTO : 0;
		}
		line = *eol ? eol + 1 : eol;
	}
	return -ENOENT;
}

long long zoneinfo_pcp_pages(const char *text)
{
	const char *line = text;
	long long sum = 0;

	while (*line) {
		const char *eol = strchrnul(line, '\n');
		const char *p = line;

		while (*p == ' ')
			p++;
		if (!strncmp(p, "count:", 6))
			sum += strtoll(p + 6, NULL, 10);
		line = *eol ? eol + 1 : eol;
	}
	return sum;
}

/* Give back the empty slabs SLUB keeps cached (needs /sys/kernel/slab; best effort). */
static void shrink_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", de->d_name);
		write_file(path, "1");
	}
	closedir(d);
}

int mem_settle(void)
{
	int err;

	sync();
	/* Files, VMs and slab objects freed by RCU go back after a grace period or two. */
	usleep(500 * 1000);
	err = write_file("/proc/sys/vm/drop_caches", "3");
	if (err)
		return err;
	shrink_slabs();
	usleep(100 * 1000);
	return write_file("/proc/sys/vm/stat_refresh", "1");
}

int mem_sample(struct mem_sample *m)
{
	const size_t len = 1 << 20;
	char *buf = malloc(len);
	long pagesz = sysconf(_SC_PAGESIZE);
	int err;

	if (!buf)
		return -ENOMEM;
	err = read_file("/proc/zoneinfo", buf, len);
	if (!err)
		m->pcp_kb = zoneinfo_pcp_pages(buf) * (pagesz / 1024);
	if (!err)
		err = read_file("/proc/meminfo", buf, len);
	if (!err)
		err = meminfo_field(buf, "MemAvailable", &m->avail_kb);
	if (!err)
		err = meminfo_field(buf, "SUnreclaim", &m->sunreclaim_kb);
	free(buf);
	return err;
}

void t_mem_sample(struct test_ctx *t, struct mem_sample *m)
{
	int err = mem_settle();

	if (err == -EACCES || err == -EPERM || err == -ENOENT)
		t_skip(t, "cannot drop caches / refresh vmstat (%s): needs root and procfs",
		       strerror(-err));
	if (!err)
		err = mem_sample(m);
	if (err) {
		t_fail(t, __FILE__, __LINE__, "reading memory statistics: %s", strerror(-err));
		t_abort(t);
	}
}
