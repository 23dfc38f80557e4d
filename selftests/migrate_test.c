// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs and VMs under the scheduler: a vCPU thread moved between CPUs every few
 * milliseconds while it runs, and several VMs running at once on all CPUs.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "vm.h"

/* A value only a guest that kept every register and memory write can produce. */
static inline __attribute__((always_inline)) uint64_t mix(uint64_t acc, uint64_t i)
{
	return (acc ^ i) * 6364136223846793005ull + 1442695040888963407ull;
}

/* ---- migration ---- */

#define MIGRATE_EXITS 10000

static void GUEST_CODE guest_count(uint64_t n)
{
	uint64_t acc = 0;

	for (uint64_t i = 1; i <= n; i++) {
		acc = mix(acc, i);
		GUEST_SYNC(i, acc);
	}
}

struct mover {
	pid_t tid;			/* the vCPU thread */
	int cpus[2];
	atomic_bool stop;
	unsigned int moves;
};

/* Pin the vCPU thread to the other CPU every 2 ms. */
static void *mover_thread(void *arg)
{
	struct mover *m = arg;
	const struct timespec ts = { .tv_nsec = 2 * 1000 * 1000 };

	while (!atomic_load(&m->stop)) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(m->cpus[m->moves % 2], &set);
		if (sched_setaffinity(m->tid, sizeof(set), &set) == 0)
			m->moves++;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

TEST_KVM_IDENTICAL(vcpu_moved_between_cpus_every_few_ms_keeps_running_correctly)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_count), MIGRATE_EXITS, 0);
	struct mover m = { .tid = (pid_t)syscall(SYS_gettid) };
	unsigned int switches = 0;
	int ids[64], n = cpus_online(ids, 64), last = -1;
	uint64_t acc = 0;
	pthread_t thread;
	struct ucall uc;

	if (n < 2)
		t_skip(t, "needs two online CPUs (%d)", n);
	m.cpus[0] = ids[0];
	m.cpus[1] = ids[1];
	ASSERT_EQ(pthread_create(&thread, NULL, mover_thread, &m), 0);
	for (uint64_t i = 1; i <= MIGRATE_EXITS; i++) {
		int cpu;

		vcpu_run_sync(vcpu, &uc);
		acc = mix(acc, i);
		if (uc.args[0] != i || uc.args[1] != acc) {
			t_fail(t, __FILE__, __LINE__, "exit %lu: guest says %lu, %#lx; expected %#lx",
			       (unsigned long)i, (unsigned long)uc.args[0],
			       (unsigned long)uc.args[1], (unsigned long)acc);
			break;
		}
		cpu = sched_getcpu();
		switches += last >= 0 && cpu != last;
		last = cpu;
	}
	atomic_store(&m.stop, true);
	pthread_join(thread, NULL);
	if (!t_failed(t))
		vcpu_run_done(vcpu);
	t_log(t, "%u affinity changes, the vCPU thread changed CPU %u times", m.moves, switches);
	EXPECT_GE(switches, 10);		/* it really moved, many times */
}

/* ---- several VMs at once ---- */

#define NR_VMS		8
#define VM_ITERATIONS	2000
#define VM_SYNC_EVERY	100

static volatile uint64_t vm_marker;	/* each VM's own copy */

static void GUEST_CODE guest_vm_work(uint64_t id, uint64_t n)
{
	uint64_t acc = id;

	vm_marker = 0x1d000 + id;
	for (uint64_t i = 1; i <= n; i++) {
		acc = mix(acc, i);
		if (i % VM_SYNC_EVERY == 0)
			GUEST_SYNC(id, i, acc, vm_marker);
	}
}

struct vm_job {
	struct test_ctx *t;
	uint64_t id;
	struct vcpu *vcpu;
	pthread_t thread;
};

static void *vm_job_run(void *arg)
{
	struct vm_job *job = arg;
	struct test_ctx *t = job->t;
	struct vcpu *vcpu = job->vcpu;
	uint64_t acc = job->id;
	struct ucall uc;

	for (uint64_t i = 1; i <= VM_ITERATIONS; i++) {
		acc = mix(acc, i);
		if (i % VM_SYNC_EVERY)
			continue;
		vcpu_run_sync(vcpu, &uc);
		EXPECT_EQ(uc.args[0], job->id);
		EXPECT_EQ(uc.args[1], i);
		EXPECT_EQ(uc.args[2], acc);
		EXPECT_EQ(uc.args[3], 0x1d000 + job->id);
		if (t_failed(t))
			t_abort(t);
	}
	vcpu_run_done(vcpu);
	return NULL;
}

TEST_KVM_IDENTICAL(eight_vms_run_their_own_guests_at_once)
{
	struct vm_job jobs[NR_VMS];

	/* all exist before any runs: 8 VMs, 8 vCPUs, 8 copies of the guest at once */
	for (int i = 0; i < NR_VMS; i++) {
		jobs[i] = (struct vm_job){ .t = t, .id = i };
		jobs[i].vcpu = t_guest_new(t, GUEST_FN(guest_vm_work), i, VM_ITERATIONS);
	}
	for (int i = 0; i < NR_VMS; i++)
		ASSERT_EQ(pthread_create(&jobs[i].thread, NULL, vm_job_run, &jobs[i]), 0);
	for (int i = 0; i < NR_VMS; i++)
		pthread_join(jobs[i].thread, NULL);
	for (int i = 0; i < NR_VMS; i++) {
		struct vm *vm = jobs[i].vcpu->vm;

		EXPECT_EQ(GUEST_VAR(vm, vm_marker), 0x1d000 + i);
		vcpu_free(jobs[i].vcpu);
		vm_free(vm);
	}
	EXPECT_EQ(vm_marker, 0);		/* the host's copy: never touched */
}
