// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int read_file(const char *path, char *buf, size_t len)
{
	size_t used = 0;
	int fd, err = 0;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (used == len - 1) {
			char extra;

			/* Full: it fits only if the file ends exactly here. */
			n = read(fd, &extra, 1);
			if (n > 0)
				err = -EFBIG;
			else if (n < 0)
				err = -errno;
			break;
		}
		n = read(fd, buf + used, len - 1 - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		used += n;
	}
	buf[used] = '\0';
	close(fd);
	return err;
}

int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

static bool has_word(const char *s, const char *end, const char *word)
{
	size_t wlen = strlen(word);

	while (s < end) {
		const char *w;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		w = s;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		if ((size_t)(s - w) == wlen && !memcmp(w, word, wlen))
			return true;
	}
	return false;
}

bool cpuinfo_has_flag(const char *cpuinfo, const char *flag)
{
	const char *line = cpuinfo;

	while (*line) {
		const char *eol = strchrnul(line, '\n');
		const char *colon = memchr(line, ':', eol - line);

		if (!strncmp(line, "flags", 5) && colon && (line[5] == ' ' || line[5] == '\t'))
			return has_word(colon + 1, eol, flag);
		line = *eol ? eol + 1 : eol;
	}
	return false;
}

int cpu_has_flag(const char *flag, bool *has)
{
	/* The flags line comes early; the first CPU's 4 KiB are enough. */
	static const size_t len = 64 * 1024;
	char *buf = malloc(len);
	int err;

	if (!buf)
		return -ENOMEM;
	err = read_file("/proc/cpuinfo", buf, len);
	if (err == -EFBIG)
		err = 0;
	if (!err)
		*has = cpuinfo_has_flag(buf, flag);
	free(buf);
	return err;
}

static int parse_uint(const char **p, int *out)
{
	char *end;
	long v;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v > 1 << 20)
		return -EINVAL;
	*out = (int)v;
	*p = end;
	return 0;
}

int cpulist_parse(const char *text, int *ids, int max)
{
	const char *p = text;
	int n = 0;

	while (*p && *p != '\n') {
		int lo, hi;

		if (parse_uint(&p, &lo))
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_uint(&p, &hi) || hi < lo)
				return -EINVAL;
		}
		for (int cpu = lo; cpu <= hi; cpu++) {
			if (n == max)
				return -ERANGE;
			ids[n++] = cpu;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return n ? n : -EINVAL;
}

int cpus_online(int *ids, int max)
{
	char buf[1024];
	int err = read_file("/sys/devices/system/cpu/online", buf, sizeof(buf));

	return err ? err : cpulist_parse(buf, ids, max);
}

int taint_read(unsigned long *taint)
{
	char buf[64], *end;
	int err = read_file("/proc/sys/kernel/tainted", buf, sizeof(buf));

	if (err)
		return err;
	*taint = strtoul(buf, &end, 10);
	return end == buf ? -EPROTO : 0;
}

int count_lines_containing(const char *text, const char *needle, const char **first)
{
	size_t nlen = strlen(needle);
	int count = 0;

	if (first)
		*first = NULL;
	while (*text) {
		const char *eol = strchrnul(text, '\n');

		if (memmem(text, eol - text, needle, nlen)) {
			if (!count && first)
				*first = text;
			count++;
		}
		text = *eol ? eol + 1 : eol;
	}
	return count;
}

int interrupts_parse(const char *text, const char *name, int cpu, unsigned long long *count)
{
	const char *eol = strchrnul(text, '\n'), *p = text;
	size_t nlen = strlen(name);
	char want[16];
	int col = 0, found = -1;

	/* Header: "           CPU0       CPU1 ..." */
	snprintf(want, sizeof(want), "CPU%d", cpu);
	while (p < eol) {
		size_t len;

		while (p < eol && *p == ' ')
			p++;
		len = strcspn(p, " \n");
		if (!len)
			break;
		if (len == strlen(want) && !memcmp(p, want, len))
			found = col;
		col++;
		p += len;
	}
	if (found < 0 || !*eol)
		return -ENOENT;
	for (p = eol + 1; *p; p = *eol ? eol + 1 : eol) {
		const char *q = p;

		eol = strchrnul(p, '\n');
		while (*q == ' ')
			q++;
		if ((size_t)(eol - q) <= nlen || memcmp(q, name, nlen) || q[nlen] != ':')
			continue;
		q += nlen + 1;
		for (int i = 0; i <= found; i++) {
			char *end;
			unsigned long long v = strtoull(q, &end, 10);

			if (end == q || end > eol)
				return -ENOENT;
			if (i == found)
				*count = v;
			q = end;
		}
		return 0;
	}
	return -ENOENT;
}

int proc_interrupts_count(const char *name, int cpu, unsigned long long *count)
{
	static char buf[256 * 1024];
	int err = read_file("/proc/interrupts", buf, sizeof(buf));

	return err ? err : interrupts_parse(buf, name, cpu, count);
}

struct spinner_arg {
	struct spinners *s;
	int cpu;
};

static void *spinner_main(void *arg)
{
	struct spinners *s = ((struct spinner_arg *)arg)->s;
	int cpu = ((struct spinner_arg *)arg)->cpu;
	cpu_set_t set;

	free(arg);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!s->stop)
		__asm__ volatile("pause" ::: "memory");
	return NULL;
}

int spinners_start(struct spinners *s, const int *cpus, int n)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n && i < MAX_SPINNERS; i++) {
		struct spinner_arg *a = malloc(sizeof(*a));
		int err;

		if (!a)
			return -ENOMEM;
		a->s = s;
		a->cpu = cpus[i];
		err = pthread_create(&s->th[s->n], NULL, spinner_main, a);
		if (err) {
			free(a);
			spinners_stop(s);
			return -err;
		}
		s->cpu[s->n++] = cpus[i];
	}
	usleep(50 * 1000);	/* let them reach their CPUs */
	return 0;
}

void spinners_stop(struct spinners *s)
{
	s->stop = true;
	for (int i = 0; i < s->n; i++)
		pthread_join(s->th[i], NULL);
	s->n = 0;
}

int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}
