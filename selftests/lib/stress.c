// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "stress.h"
#include "util.h"

/* ---- randomness and scale ---- */

void rng_init(struct rng *r, uint64_t seed)
{
	r->s = seed;
}

/* splitmix64: every seed (also 0) gives a good stream. */
uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

bool rng_chance(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

void rng_fill(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t v = rng_next(r);
		size_t n = len < 8 ? len : 8;

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

uint64_t t_seed(struct test_ctx *t, const char *what)
{
	const char *env = getenv("VMXMON_SEED");
	struct timespec ts;
	uint64_t seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
	}
	t_log(t, "%s seed: %#llx (replay: VMXMON_SEED=%#llx)", what, (unsigned long long)seed,
	      (unsigned long long)seed);
	return seed;
}

void t_trace(struct test_ctx *t, const char *fmt, ...)
{
	static int on = -1;
	char line[256];
	va_list ap;

	if (on < 0)
		on = getenv("VMXMON_TRACE") && !strcmp(getenv("VMXMON_TRACE"), "1");
	if (!on)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t_log(t, "%s", line);
}

long stress_count(long base)
{
	const char *env = getenv("VMXMON_FUZZ_SCALE");
	double scale = env ? strtod(env, NULL) : 1;
	long n = (long)(base * scale);

	return scale > 0 && n > 0 ? n : base;
}

static void kick_handler(int sig)
{
	(void)sig;
}

void kick_signal_install(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static __thread timer_t kick_timer;
static __thread bool kick_timer_made;

void kick_timer_arm(unsigned int ms)
{
	struct itimerspec its = { .it_value = { ms / 1000, (ms % 1000) * 1000000L } };

	if (!kick_timer_made) {
		struct sigevent sev = {
			.sigev_notify = SIGEV_THREAD_ID,
			.sigev_signo = SIGUSR1,
		};

		sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &sev, &kick_timer))
			return;
		kick_timer_made = true;
	}
	timer_settime(kick_timer, 0, &its, NULL);
}

void kick_timer_disarm(void)
{
	struct itimerspec its = { 0 };

	if (kick_timer_made)
		timer_settime(kick_timer, 0, &its, NULL);
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, armed;
	unsigned int seconds;
	char what[128];
	struct test_ctx *t;
} wd = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void *watchdog_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wd.lock);
	for (;;) {
		struct timespec ts;

		while (!wd.armed)
			pthread_cond_wait(&wd.cond, &wd.lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wd.seconds;
		while (wd.armed && pthread_cond_timedwait(&wd.cond, &wd.lock, &ts) == 0)
			;
		if (!wd.armed)
			continue;
		wd.armed = false;
		t_log(wd.t, "watchdog: %s: not done after %u s; blocked tasks and CPU stacks follow on the console (sysrq w, l)",
		      wd.what, wd.seconds);
		write_file("/proc/sys/kernel/printk", "8");
		write_file("/proc/sysrq-trigger", "w");
		write_file("/proc/sysrq-trigger", "l");
	}
	return NULL;
}

void watchdog_arm(struct test_ctx *t, unsigned int seconds, const char *what)
{
	pthread_t th;

	pthread_mutex_lock(&wd.lock);
	if (!wd.started && !pthread_create(&th, NULL, watchdog_thread, NULL)) {
		pthread_detach(th);
		wd.started = true;
	}
	wd.t = t;
	wd.seconds = seconds;
	snprintf(wd.what, sizeof(wd.what), "%s", what);
	wd.armed = true;
	pthread_cond_signal(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
}

void watchdog_disarm(void)
{
	pthread_mutex_lock(&wd.lock);
	wd.armed = false;
	pthread_cond_signal(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
}

/* ---- raw guests ---- */

int raw_vm_create(struct raw_vm *g, const char *dev, size_t mem_size, const char **what)
{
	struct kvm_userspace_memory_region r = { .memory_size = mem_size };
	long ret;

	memset(g, 0, sizeof(*g));
	g->sys_fd = g->vm_fd = g->vcpu_fd = -1;
	g->mem = MAP_FAILED;
	*what = "open";
	g->sys_fd = dev_open(dev);
	if (g->sys_fd < 0)
		return g->sys_fd;
	*what = "KVM_CREATE_VM";
	g->vm_fd = vm_create(g->sys_fd, 0);
	if (g->vm_fd < 0)
		return g->vm_fd;
	*what = "mmap guest memory";
	g->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED)
		return -errno;
	g->mem_size = mem_size;
	r.userspace_addr = (uintptr_t)g->mem;
	*what = "KVM_SET_USER_MEMORY_REGION";
	ret = dev_ioctl(g->vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&r);
	if (ret)
		return (int)ret;
	*what = "KVM_CREATE_VCPU";
	g->vcpu_fd = (int)dev_ioctl(g->vm_fd, KVM_CREATE_VCPU, 0);
	if (g->vcpu_fd < 0)
		return g->vcpu_fd;
	*what = "KVM_GET_SREGS";
	ret = dev_ioctl(g->vcpu_fd, KVM_GET_SREGS, (unsigned long)&g->reset_sregs);
	if (ret)
		return (int)ret;
	*what = "KVM_GET_VCPU_MMAP_SIZE";
	g->run_size = (int)dev_ioctl(g->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (g->run_size < 0)
		return g->run_size;
	*what = "mmap kvm_run";
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu_fd, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		return -errno;
	}
	return 0;
}

struct raw_vm *t_raw_vm(struct test_ctx *t, size_t mem_size)
{
	struct raw_vm *g = calloc(1, sizeof(*g));
	const char *what;
	int err;

	ASSERT_TRUE(g != NULL);
	err = raw_vm_create(g, t->dev, mem_size, &what);
	if (err) {
		t_fail(t, __FILE__, __LINE__, "raw VM with %zu KiB: %s: %s", mem_size >> 10, what,
		       strerror(-err));
		t_abort(t);
	}
	return g;
}

void raw_vm_free(struct raw_vm *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->mem != MAP_FAILED && g->mem)
		munmap(g->mem, g->mem_size);
	for (int *fd = &g->sys_fd; fd <= &g->vcpu_fd; fd++)
		if (*fd >= 0)
			close(*fd);
	memset(g, 0, sizeof(*g));
	g->sys_fd = g->vm_fd = g->vcpu_fd = -1;
}

static int raw_set_state(struct raw_vm *g, const struct kvm_sregs *s, uint64_t rip, uint64_t rsp)
{
	struct kvm_regs regs = { .rip = rip, .rsp = rsp, .rflags = 2 };
	long r = dev_ioctl(g->vcpu_fd, KVM_SET_SREGS, (unsigned long)s);

	return (int)(r ? r : dev_ioctl(g->vcpu_fd, KVM_SET_REGS, (unsigned long)&regs));
}

int raw_enter_real_mode(struct raw_vm *g)
{
	struct kvm_sregs s = g->reset_sregs;

	s.cs.selector = 0;
	s.cs.base = 0;
	return raw_set_state(g, &s, RAW_CODE_GPA, 0xf000);
}

static void flat_segment(struct kvm_segment *seg, uint16_t sel, uint8_t type, bool code)
{
	*seg = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
		.dpl = 0, .db = !code, .s = 1, .l = code, .g = 1,
	};
}

int raw_enter_long_mode(struct raw_vm *g)
{
	uint64_t *pml4 = (uint64_t *)(g->mem + RAW_PT_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
	uint64_t *gdt = (uint64_t *)(g->mem + RAW_GDT_GPA);
	struct kvm_sregs s = g->reset_sregs;

	if (g->mem_size < RAW_MIN_MEM)
		return -EINVAL;
	memset(pml4, 0, RAW_GDT_GPA + 4096 - RAW_PT_GPA);
	pml4[0] = (RAW_PT_GPA + 0x1000) | 3;		/* present, writable */
	for (int i = 0; i < 4; i++)
		pdpt[i] = (RAW_PT_GPA + 0x2000 + i * 0x1000ul) | 3;
	for (int i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB page, writable, present */
	gdt[1] = 0x00af9b000000ffffull;			/* code: 64-bit, DPL 0 */
	gdt[2] = 0x00cf93000000ffffull;			/* data: flat, writable */
	flat_segment(&s.cs, 0x08, 0xb, true);
	flat_segment(&s.ds, 0x10, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.gdt.base = RAW_GDT_GPA;
	s.gdt.limit = 3 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = 0x80000031;				/* PG, NE, ET, PE */
	s.cr3 = RAW_PT_GPA;
	s.cr4 = 0x20;					/* PAE */
	s.efer = 0x501;					/* LMA, LME, SCE */
	return raw_set_state(g, &s, RAW_CODE64_GPA, RAW_MIN_MEM - 16);
}

int raw_run(struct raw_vm *g)
{
	return (int)dev_ioctl(g->vcpu_fd, KVM_RUN, 0);
}

/* ---- running a guest that may do anything ---- */

uint64_t case_seed(uint64_t seed, long i)
{
	struct rng r;

	rng_init(&r, seed + (uint64_t)i * 0x9e3779b97f4a7c15ull);
	return rng_next(&r);
}

/* The exits a guest may cause and a run may continue after. */
static bool exit_continues(struct test_ctx *t, struct raw_vm *g, struct rng *r)
{
	struct kvm_run *run = g->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		/* The kernel's promise: the data fits in the mapping (count <= PAGE_SIZE / size). */
		EXPECT_TRUE(run->io.size == 1 || run->io.size == 2 || run->io.size == 4);
		EXPECT_LE((uint64_t)run->io.data_offset + (uint64_t)run->io.size * run->io.count,
			  (uint64_t)g->run_size);
		if (run->io.direction == KVM_EXIT_IO_IN &&
		    run->io.data_offset + (uint64_t)run->io.size * run->io.count <= (uint64_t)g->run_size)
			rng_fill(r, (uint8_t *)run + run->io.data_offset, run->io.size * run->io.count);
		return true;
	case KVM_EXIT_MMIO:
		EXPECT_TRUE(run->mmio.len == 1 || run->mmio.len == 2 || run->mmio.len == 4 ||
			    run->mmio.len == 8);
		if (!run->mmio.is_write)
			rng_fill(r, run->mmio.data, sizeof(run->mmio.data));
		return true;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	default:
		return false;
	}
}

void run_to_end(struct test_ctx *t, struct raw_vm *g, struct rng *r, struct run_tally *tl,
		const char *what, long i)
{
	int spins = 0;

	tl->cases++;
	for (int n = 0; n < RUNS_PER_CASE; n++) {
		int rc;

		kick_timer_arm(KICK_MS);
		rc = raw_run(g);
		kick_timer_disarm();
		tl->runs++;
		if (rc == -EINTR) {
			tl->spins++;
			if (++spins == SPINS_PER_CASE)
				return;
			continue;
		}
		if (rc) {
			t_fail(t, __FILE__, __LINE__, "%s case %ld: KVM_RUN failed: %s", what, i,
			       errno_name(rc) ?: strerror(-rc));
			return;
		}
		if (exit_continues(t, g, r))
			continue;
		switch (g->run->exit_reason) {
		case KVM_EXIT_HLT:
		case KVM_EXIT_SHUTDOWN:
		case KVM_EXIT_FAIL_ENTRY:
		case KVM_EXIT_INTERNAL_ERROR:
			tl->exits[g->run->exit_reason]++;
			return;
		default:
			t_fail(t, __FILE__, __LINE__, "%s case %ld: undefined exit reason %u", what,
			       i, g->run->exit_reason);
			return;
		}
	}
	tl->budget++;
}

void tally_log(struct test_ctx *t, const char *what, const struct run_tally *tl)
{
	t_log(t, "%s: %ld guests, %ld KVM_RUNs; ends: HLT %ld, SHUTDOWN %ld, FAIL_ENTRY %ld, INTERNAL_ERROR %ld, spinning %ld, still running after %d runs %ld; state refused by KVM_SET_*: %ld",
	      what, tl->cases, tl->runs, tl->exits[KVM_EXIT_HLT], tl->exits[KVM_EXIT_SHUTDOWN],
	      tl->exits[KVM_EXIT_FAIL_ENTRY], tl->exits[KVM_EXIT_INTERNAL_ERROR],
	      tl->cases - tl->budget - tl->exits[KVM_EXIT_HLT] - tl->exits[KVM_EXIT_SHUTDOWN] -
	      tl->exits[KVM_EXIT_FAIL_ENTRY] - tl->exits[KVM_EXIT_INTERNAL_ERROR],
	      RUNS_PER_CASE, tl->budget, tl->rejected);
}

/* ---- host health ---- */

long long pinned_pages(void)
{
	static char buf[16384];
	long long acq = -1, rel = -1;
	int err = read_file("/proc/vmstat", buf, sizeof(buf));

	if (err)
		return err;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		sscanf(line, "nr_foll_pin_acquired %lld", &acq);
		sscanf(line, "nr_foll_pin_released %lld", &rel);
	}
	return acq < 0 || rel < 0 ? -ENOENT : acq - rel;
}

void t_health_begin(struct test_ctx *t, struct health *h)
{
	t_kmsg_mark(t, &h->log);
	t_status(t, &h->st);
	t_mem_sample(t, &h->mem);
	h->pins = pinned_pages();
}

/* Kernel-log lines that mean trouble, beyond kmsg_count_trouble()'s list. */
static const char *const more_trouble[] = {
	"refcount_t", "list_del corruption", "list_add corruption", "possible circular locking",
	"inconsistent lock state", "sleeping function called from invalid context",
	"unreferenced object", "soft lockup", "hung_task", "stack-protector", "rcu_preempt detected stall",
	"Bad page", "BUG ", "vmxmon: EPT misconfiguration",
};

#define AVAIL_TOLERANCE_KB	4096	/* 100 leaked 4 MiB guests would be 400 MiB */
#define SUNRECLAIM_TOLERANCE_KB	512	/* a 64-byte object per call over 10^5 calls: 6 MiB */

void t_health_end(struct test_ctx *t, struct health *h, const char *what)
{
	static char log[1 << 17];
	struct vmxmon_status st;
	struct mem_sample m;
	const char *first;
	long long pins, avail_drop, slab_growth;
	int bad;

	t_kmsg_since(t, &h->log, log, sizeof(log));
	bad = kmsg_count_trouble(log, &first);
	for (size_t i = 0; i < ARRAY_SIZE(more_trouble); i++) {
		const char *f;

		if (count_lines_containing(log, more_trouble[i], &f)) {
			bad++;
			if (!first || f < first)
				first = f;
		}
	}
	if (bad)
		t_fail(t, __FILE__, __LINE__, "%s: the kernel log has %d suspicious line(s), first: %.*s",
		       what, bad, (int)strcspn(first, "\n"), first);
	kmsg_mark_close(&h->log);

	t_mem_sample(t, &m);
	t_status(t, &st);
	pins = pinned_pages();
	avail_drop = (h->mem.avail_kb + h->mem.pcp_kb) - (m.avail_kb + m.pcp_kb);
	slab_growth = m.sunreclaim_kb - h->mem.sunreclaim_kb;
	t_log(t, "%s: vmxmon pages %llu -> %llu, pinned pages %lld -> %lld, available memory %+lld KiB (tolerance -%d), SUnreclaim %+lld KiB (tolerance +%d)",
	      what, h->st.pages, st.pages, h->pins, pins, -avail_drop, AVAIL_TOLERANCE_KB,
	      slab_growth, SUNRECLAIM_TOLERANCE_KB);
	EXPECT_EQ(st.vms, h->st.vms);
	EXPECT_EQ(st.pages, h->st.pages);
	EXPECT_EQ(pins, h->pins);
	EXPECT_LE(avail_drop, AVAIL_TOLERANCE_KB);
	EXPECT_LE(slab_growth, SUNRECLAIM_TOLERANCE_KB);
}
