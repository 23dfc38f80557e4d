// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "util.h"

/* Cursor over one line; every helper fails (false) without moving on a mismatch. */
struct cursor {
	const char *p, *end;
};

static bool lit(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

static bool u64(struct cursor *c, unsigned long long *v)
{
	const char *p = c->p;
	unsigned long long x = 0;

	if (p == c->end || *p < '0' || *p > '9')
		return false;
	for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
		unsigned long long d = (unsigned long long)(*p - '0');

		if (x > (~0ULL - d) / 10)
			return false;
		x = x * 10 + d;
	}
	c->p = p;
	*v = x;
	return true;
}

static bool parse_cpu_line(struct cursor *c, struct vmxmon_cpu_status *cs)
{
	unsigned long long cpu;

	if (!lit(c, "cpu") || !u64(c, &cpu) || cpu >= 1U << 16 || !lit(c, ": vmx="))
		return false;
	cs->cpu = (int)cpu;
	if (lit(c, "on"))
		cs->vmx_on = true;
	else if (lit(c, "off"))
		cs->vmx_on = false;
	else
		return false;
	if (!(lit(c, " vmxon=") && u64(c, &cs->vmxon) && lit(c, " vmxoff=") &&
	      u64(c, &cs->vmxoff) && lit(c, " loaded_vmcs=") && u64(c, &cs->loaded_vmcs)))
		return false;
	cs->shared = false;
	cs->shared_count = cs->takeovers = 0;
	if (c->p == c->end)
		return true;	/* before issue 17: no mode */
	if (!lit(c, " mode="))
		return false;
	if (lit(c, "shared"))
		cs->shared = true;
	else if (!lit(c, "own") && !lit(c, "off"))
		return false;
	return lit(c, " shared=") && u64(c, &cs->shared_count) && lit(c, " takeover=") &&
	       u64(c, &cs->takeovers) && c->p == c->end;
}

static int bad(char *err, size_t errlen, int lineno, const char *what, const char *line, int len)
{
	snprintf(err, errlen, "line %d: %s: '%.*s'", lineno, what, len, line);
	return -EPROTO;
}

int status_parse(const char *text, struct vmxmon_status *s, char *err, size_t errlen)
{
	static const char *const keys[] = { "vms: ", "vmx_users: ", "pages: " };
	unsigned long long *vals[] = { &s->vms, &s->vmx_users, &s->pages };
	const char *line = text;
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	while (*line) {
		const char *eol = strchrnul(line, '\n');
		struct cursor c = { line, eol };
		int len = (int)(eol - line);

		lineno++;
		if (lineno <= (int)ARRAY_SIZE(keys)) {
			/* The three counters come first, in this order. */
			if (!lit(&c, keys[lineno - 1]) || !u64(&c, vals[lineno - 1]) || c.p != eol)
				return bad(err, errlen, lineno, "expected a number after", line, len);
		} else if (lineno == 4 && lit(&c, "guest_pages_mapped: ")) {
			if (!u64(&c, &s->guest_pages_mapped) || c.p != eol)
				return bad(err, errlen, lineno, "expected a number after", line, len);
		} else if (lineno == 5 && lit(&c, "mmu_notifiers: ")) {
			if (!u64(&c, &s->mmu_notifiers) || c.p != eol)
				return bad(err, errlen, lineno, "expected a number after", line, len);
			s->has_guest_pages = true;
		} else {
			if (s->nr_cpus == STATUS_MAX_CPUS)
				return bad(err, errlen, lineno, "too many CPU lines", line, len);
			if (!parse_cpu_line(&c, &s->cpu[s->nr_cpus]))
				return bad(err, errlen, lineno, "not a cpu line", line, len);
			if (status_cpu(s, s->cpu[s->nr_cpus].cpu))
				return bad(err, errlen, lineno, "CPU listed twice", line, len);
			s->nr_cpus++;
		}
		if (!*eol)
			return bad(err, errlen, lineno, "no newline at the end", line, len);
		line = eol + 1;
	}
	if (lineno < (int)ARRAY_SIZE(keys) || !s->nr_cpus)
		return bad(err, errlen, lineno, "missing lines (need vms, vmx_users, pages, cpuN)",
			   "", 0);
	if (s->vmx_users > 1)
		return bad(err, errlen, 2, "vmx_users is not 0 or 1", "", 0);
	return 0;
}

const struct vmxmon_cpu_status *status_cpu(const struct vmxmon_status *s, int cpu)
{
	for (int i = 0; i < s->nr_cpus; i++)
		if (s->cpu[i].cpu == cpu)
			return &s->cpu[i];
	return NULL;
}

void t_status(struct test_ctx *t, struct vmxmon_status *s)
{
	char buf[8192], err[256];
	int r = read_file(VMXMON_STATUS_PATH, buf, sizeof(buf));

	if (r == -ENOENT || r == -EACCES || r == -EPERM)
		t_skip(t, "%s: %s (debugfs not mounted, or not root?)", VMXMON_STATUS_PATH,
		       strerror(-r));
	if (r) {
		t_fail(t, __FILE__, __LINE__, "read %s: %s", VMXMON_STATUS_PATH, strerror(-r));
		t_abort(t);
	}
	if (status_parse(buf, s, err, sizeof(err))) {
		t_fail(t, __FILE__, __LINE__, "%s: bad format, %s", VMXMON_STATUS_PATH, err);
		t_abort(t);
	}
}

long vmx_idle_ms(void)
{
	char buf[32];

	return read_file(VMX_IDLE_MS_PATH, buf, sizeof(buf)) ? 0 : atol(buf);
}

static bool status_idle(const struct vmxmon_status *s)
{
	for (int i = 0; i < s->nr_cpus; i++)
		if (s->cpu[i].vmx_on)
			return false;
	return !s->vms && !s->vmx_users;
}

bool status_wait_idle(struct test_ctx *t, struct vmxmon_status *s)
{
	struct timespec start, now;
	long limit_ms = vmx_idle_ms() + 10000;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		t_status(t, s);
		if (status_idle(s))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    limit_ms)
			return false;
		usleep(20 * 1000);
	}
}

void t_status_idle(struct test_ctx *t, struct vmxmon_status *s)
{
	if (status_wait_idle(t, s))
		return;
	t_fail(t, __FILE__, __LINE__,
	       "VMX not released within vmx_idle_ms (%ld) + 10 s: vms %llu, vmx_users %llu",
	       vmx_idle_ms(), s->vms, s->vmx_users);
	t_abort(t);
}

void t_expect_vmx(struct test_ctx *t, const struct vmxmon_status *s, bool on, const char *when)
{
	for (int i = 0; i < s->nr_cpus; i++)
		if (s->cpu[i].vmx_on != on)
			t_fail(t, __FILE__, __LINE__, "%s: cpu%d: expected vmx=%s, got vmx=%s", when,
			       s->cpu[i].cpu, on ? "on" : "off", on ? "off" : "on");
}

unsigned long long status_cpu_enables(const struct vmxmon_cpu_status *c)
{
	return c->vmxon + c->shared_count - c->takeovers;
}

unsigned long long status_cpu_disables(const struct vmxmon_cpu_status *c)
{
	return c->vmxoff + c->shared_count - c->takeovers - c->shared;
}

static void expect_counts(struct test_ctx *t, const struct vmxmon_cpu_status *b,
			  const struct vmxmon_cpu_status *c, long long on, long long off,
			  const char *when)
{
	/*
	 * Enables and disables: a CPU found in another hypervisor's VMX operation (issue 17,
	 * mode=shared) is enabled without VMXON (shared +1) and disabled without VMXOFF; a
	 * takeover turns such an enable into our VMXON, which a VMXOFF then undoes.
	 */
	long long d_on = (long long)(status_cpu_enables(c) - status_cpu_enables(b));
	long long d_off = (long long)(status_cpu_disables(c) - status_cpu_disables(b));

	if (on == ANY_COUNT) {
		if (d_on - d_off != (c->vmx_on ? 1 : 0))
			t_fail(t, __FILE__, __LINE__,
			       "%s: cpu%d: vmxon +%lld and vmxoff +%lld do not balance with vmx=%s",
			       when, c->cpu, d_on, d_off, c->vmx_on ? "on" : "off");
	} else if (d_on != on || d_off != off) {
		t_fail(t, __FILE__, __LINE__,
		       "%s: cpu%d: expected vmxon +%lld vmxoff +%lld, got vmxon +%lld vmxoff +%lld",
		       when, c->cpu, on, off, d_on, d_off);
	}
}

void t_expect_state(struct test_ctx *t, const struct vmxmon_status *before,
		    unsigned long long vms, long long on, long long off, const char *when,
		    struct vmxmon_status *now)
{
	if (vms)
		t_status(t, now);
	else
		status_wait_idle(t, now);	/* what is still wrong after it is reported below */
	if (now->vms != vms || now->vmx_users != (vms ? 1 : 0))
		t_fail(t, __FILE__, __LINE__, "%s: expected vms %llu vmx_users %d, got %llu and %llu",
		       when, vms, vms ? 1 : 0, now->vms, now->vmx_users);
	t_expect_vmx(t, now, vms > 0, when);
	if (now->nr_cpus != before->nr_cpus)
		t_fail(t, __FILE__, __LINE__, "%s: %d CPU lines, before %d", when, now->nr_cpus,
		       before->nr_cpus);
	for (int i = 0; i < now->nr_cpus; i++) {
		const struct vmxmon_cpu_status *b = status_cpu(before, now->cpu[i].cpu);

		if (b)
			expect_counts(t, b, &now->cpu[i], on, off, when);
		else
			t_fail(t, __FILE__, __LINE__, "%s: cpu%d appeared", when, now->cpu[i].cpu);
	}
}
