// SPDX-License-Identifier: GPL-2.0
/*
 * Object lifetime under abuse: launchers killed with SIGKILL at any point (mostly inside
 * KVM_RUN), threads creating and destroying VMs and vCPUs and closing fds in random order,
 * and vCPU fds (and their kvm_run mappings) that outlive their VM fd. Afterwards vmxmon
 * holds no VM, no page beyond its baseline, no pinned guest page, VMX is off and memory is
 * back (lib/health.h).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "health.h"
#include "kick.h"
#include "kvm_util.h"
#include "rng.h"
#include "status.h"
#include "util.h"
#include "vm.h"

#define KILLS		100		/* x VMXMON_FUZZ_SCALE */
#define KILL_GUEST_MEM	(4ul << 20)
#define THREADS		8
#define THREAD_OPS	150		/* per thread, x VMXMON_FUZZ_SCALE */
#define POOL		16

/* Wait until debugfs says no VM is left (the last fput can trail a child's exit). */
/* The last fd's release can trail a child's death; VMX then stays held for vmx_idle_ms. */
static void wait_no_vms(struct test_ctx *t, struct vmxmon_status *s)
{
	status_wait_idle(t, s);		/* what is still wrong is reported by the caller */
}

/* ---- SIGKILL ---- */

#define STUCK_MS	20000	/* a child that takes longer to get ready, or to die, is stuck */

/* Where a stuck child is in the kernel: its state, wait channel and kernel stack. */
static void describe_child(struct test_ctx *t, pid_t pid, const char *what)
{
	static const char *const files[] = { "stat", "wchan", "stack" };
	char path[64], buf[2048];

	t_log(t, "child %d %s after %d ms:", pid, what, STUCK_MS);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
		if (read_file(path, buf, sizeof(buf)))
			continue;
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
			t_log(t, "  %s: %s", files[i], l);
	}
}

/* Reap a killed child; false (after describing it) if it does not die in STUCK_MS. */
static bool reap(struct test_ctx *t, pid_t pid, int *status)
{
	for (int ms = 0; ms < STUCK_MS; ms += 10) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0)
			return false;
		usleep(10 * 1000);
	}
	describe_child(t, pid, "not dead after SIGKILL");
	watchdog_arm(t, 0, "a killed launcher");	/* the kernel's view, at once */
	usleep(100 * 1000);
	watchdog_disarm();
	return false;
}

/*
 * The child builds a guest and tells the parent (one byte on the pipe) when it is about to
 * enter KVM_RUN; the guest then spins (jmp $), so only the kill takes it out. A tenth of the
 * children are killed without waiting: during open, VM creation or pinning.
 */
static void __attribute__((noreturn)) kill_child(const char *dev, int ready_fd, bool two_vcpus)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };
	struct vcpu *g;
	const char *what;

	if (__bare_guest(dev, KILL_GUEST_MEM, &g, &what))
		_exit(2);
	memcpy(g->vm->mem + BARE_CODE_GPA, spin, sizeof(spin));
	if (bare_enter_real_mode(g))
		_exit(3);
	if (two_vcpus && dev_ioctl(g->vm->fd, KVM_CREATE_VCPU, 1) < 0)	/* a second, idle vCPU */
		_exit(4);
	if (write(ready_fd, "r", 1) != 1)
		_exit(5);
	for (;;)
		__vcpu_run(g);
}

TEST_DEFINE(sigkill_mid_run_releases_memory_pins_and_vmx, TAG_VMXMON_ONLY, 7200)
{
	uint64_t seed = t_seed(t, "kill");
	long n = stress_count(KILLS), killed_in_run = 0;
	struct vmxmon_status s;
	struct health h;
	struct rng r;

	rng_init(&r, seed);
	t_health_begin(t, &h);
	for (long i = 0; i < n; i++) {
		int p[2], status;
		bool early = rng_chance(&r, 10);
		pid_t pid;
		char c;

		t_trace(t, "kill %ld: %s", i, early ? "early" : "in KVM_RUN");
		ASSERT_EQ(pipe(p), 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			close(p[0]);
			kill_child(t->dev, p[1], rng_chance(&r, 30));
		}
		close(p[1]);
		if (early) {
			usleep((useconds_t)rng_below(&r, 30000));
		} else if (!poll(&(struct pollfd){ .fd = p[0], .events = POLLIN }, 1, STUCK_MS)) {
			describe_child(t, pid, "not ready");
			t_fail(t, __FILE__, __LINE__, "kill %ld: the child never got to KVM_RUN", i);
		} else if (read(p[0], &c, 1) == 1) {
			usleep(1000 + (useconds_t)rng_below(&r, 20000));
			killed_in_run++;
		}
		kill(pid, SIGKILL);
		if (!reap(t, pid, &status)) {
			t_fail(t, __FILE__, __LINE__, "kill %ld: the child does not die", i);
			t_abort(t);
		}
		close(p[0]);
		if (t_failed(t))
			break;
		if (!WIFSIGNALED(status)) {
			t_fail(t, __FILE__, __LINE__, "kill %ld: the child exited with %d before the kill",
			       i, WEXITSTATUS(status));
			break;
		}
	}
	wait_no_vms(t, &s);
	t_log(t, "%ld launchers killed, %ld of them inside KVM_RUN with a %lu MiB guest",
	      n, killed_in_run, KILL_GUEST_MEM >> 20);
	EXPECT_EQ(s.vms, 0);
	EXPECT_EQ(s.vmx_users, 0);
	t_expect_vmx(t, &s, false, "after the kills");
	for (int i = 0; i < s.nr_cpus; i++)
		EXPECT_EQ(s.cpu[i].loaded_vmcs, 0);
	t_health_end(t, &h, "after the kills");
}

/* ---- threads ---- */

/* Shared fd pool: a slot's fd is taken out (swapped to -1) before it is closed, so no fd is
 * closed twice; other threads may still be using the number meanwhile, on purpose. */
static _Atomic int pool_vm[POOL], pool_vcpu[POOL];
static atomic_long ops_done[8];
static const char *pool_dev;
static uint8_t *pool_mem;		/* 64 KiB every VM maps at GPA 0: OUT, then HLT */

static void close_slot(_Atomic int *slot)
{
	int fd = atomic_exchange(slot, -1);

	if (fd >= 0)
		close(fd);
}

static void put_slot(_Atomic int *slot, int fd)
{
	int old = atomic_exchange(slot, fd);

	if (old >= 0)
		close(old);
}

static void thread_op(struct rng *r, int sys)
{
	int i = (int)rng_below(r, POOL), vm = atomic_load(&pool_vm[i]);
	int vcpu = atomic_load(&pool_vcpu[rng_below(r, POOL)]);
	struct kvm_userspace_memory_region m = {
		.memory_size = 0x10000, .userspace_addr = (uintptr_t)pool_mem,
	};
	struct kvm_regs regs = { .rip = BARE_CODE_GPA, .rflags = 2 };
	long fd;

	switch (rng_below(r, 8)) {
	case 0:					/* a new VM with its memory */
		fd = dev_ioctl(sys, KVM_CREATE_VM, 0);
		if (fd >= 0)
			dev_ioctl((int)fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&m);
		if (fd >= 0)
			put_slot(&pool_vm[i], (int)fd);
		atomic_fetch_add(&ops_done[0], 1);
		break;
	case 1:					/* a vCPU of some VM */
		fd = vm >= 0 ? dev_ioctl(vm, KVM_CREATE_VCPU, rng_below(r, 4)) : -1;
		if (fd >= 0)
			put_slot(&pool_vcpu[rng_below(r, POOL)], (int)fd);
		atomic_fetch_add(&ops_done[1], 1);
		break;
	case 2:
		close_slot(&pool_vm[i]);
		atomic_fetch_add(&ops_done[2], 1);
		break;
	case 3:
		close_slot(&pool_vcpu[i]);
		atomic_fetch_add(&ops_done[3], 1);
		break;
	case 4:					/* the slot goes away, or comes back */
		m.memory_size = rng_chance(r, 50) ? 0 : 0x10000;
		if (vm >= 0)
			dev_ioctl(vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)&m);
		atomic_fetch_add(&ops_done[4], 1);
		break;
	default:				/* run it: real mode at BARE_CODE_GPA */
		if (vcpu < 0)
			break;
		dev_ioctl(vcpu, KVM_SET_REGS, (unsigned long)&regs);
		kick_timer_arm(2);
		dev_ioctl(vcpu, KVM_RUN, 0);
		kick_timer_disarm();
		atomic_fetch_add(&ops_done[5], 1);
		break;
	}
}

static void *pool_thread(void *arg)
{
	long n = stress_count(THREAD_OPS);
	struct rng r;
	int sys;

	rng_init(&r, (uint64_t)(uintptr_t)arg);
	sys = dev_open(pool_dev);
	if (sys < 0)
		return (void *)1;
	for (long k = 0; k < n; k++)
		thread_op(&r, sys);
	close(sys);
	return NULL;
}

TEST_DEFINE(threads_create_and_destroy_vms_and_vcpus_in_random_order, TAG_VMXMON_ONLY, 3600)
{
	static const uint8_t code[] = { 0xe6, 0x80, 0xf4, 0xeb, 0xfd };	/* out; hlt; jmp */
	uint64_t seed = t_seed(t, "threads");
	pthread_t th[THREADS];
	struct vmxmon_status s;
	struct health h;

	kick_signal_install();
	pool_dev = t->dev;
	pool_mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(pool_mem != MAP_FAILED);
	memcpy(pool_mem, code, sizeof(code));	/* the reset vector's page never runs it: */
	memcpy(pool_mem + BARE_CODE_GPA, code, sizeof(code));	/* KVM_SET_REGS puts RIP here */
	for (int i = 0; i < POOL; i++) {
		pool_vm[i] = -1;
		pool_vcpu[i] = -1;
	}
	t_health_begin(t, &h);
	for (int i = 0; i < THREADS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, pool_thread, (void *)(uintptr_t)(seed + i)), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		EXPECT_TRUE(ret == NULL);
	}
	for (int i = 0; i < POOL; i++) {
		close_slot(&pool_vm[i]);
		close_slot(&pool_vcpu[i]);
	}
	t_log(t, "%d threads: %ld VMs created, %ld vCPUs, %ld VM and %ld vCPU fds closed, %ld slot changes, %ld KVM_RUNs",
	      THREADS, atomic_load(&ops_done[0]), atomic_load(&ops_done[1]),
	      atomic_load(&ops_done[2]), atomic_load(&ops_done[3]), atomic_load(&ops_done[4]),
	      atomic_load(&ops_done[5]));
	wait_no_vms(t, &s);
	EXPECT_EQ(s.vms, 0);
	t_expect_vmx(t, &s, false, "after the threads");
	munmap(pool_mem, 0x10000);
	t_health_end(t, &h, "after the threads");
}

/* ---- a vCPU outliving its VM fd ---- */

TEST_VMXMON_ONLY(vcpu_fd_and_mapping_keep_working_after_the_vm_fd_is_closed)
{
	static const uint8_t code[] = { 0x40, 0xe6, 0x80, 0xeb, 0xfb };	/* inc ax; out; jmp */
	struct vmxmon_status before, s;
	struct vcpu *g;
	struct kvm_regs regs;
	struct kvm_run *run;

	t_status(t, &before);
	ASSERT_EQ(before.vms, 0);
	g = t_bare_guest(t, 0x10000);
	memcpy(g->vm->mem + BARE_CODE_GPA, code, sizeof(code));
	ASSERT_EQ(bare_enter_real_mode(g), 0);
	close(g->vm->fd);
	close(g->vm->sys_fd);
	g->vm->fd = g->vm->sys_fd = -1;

	for (int i = 1; i <= 20; i++) {		/* the vCPU runs on, its memory still there */
		ASSERT_EQ(__vcpu_run(g), 0);
		ASSERT_EQ(g->run->exit_reason, KVM_EXIT_IO);
		EXPECT_EQ(*((uint8_t *)g->run + g->run->io.data_offset), i);
	}
	ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs), 0);
	EXPECT_EQ(regs.rax & 0xffff, 20);
	t_status(t, &s);
	EXPECT_EQ(s.vms, 1);

	/* The mapping holds the vCPU file: the VM lives until it goes too. */
	run = g->run;
	g->run = NULL;
	close(g->fd);
	g->fd = -1;
	t_status(t, &s);
	EXPECT_EQ(s.vms, 1);
	EXPECT_EQ(run->exit_reason, KVM_EXIT_IO);	/* still readable */
	munmap(run, g->vm->run_size);
	wait_no_vms(t, &s);
	EXPECT_EQ(s.vms, 0);
	EXPECT_EQ(s.pages, before.pages);
	t_expect_vmx(t, &s, false, "after the last reference");
	vm_free(g->vm);
}
