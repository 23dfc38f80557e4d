// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM is the launcher's memory, faulted in as the guest touches it and never pinned
 * (as KVM: MMU notifiers keep the EPT in step with the host mm):
 *  - a guest bigger than RLIMIT_MEMLOCK runs, and nothing is charged to locked_vm (VmLck)
 *    or pinned (/proc/vmstat nr_foll_pin_acquired);
 *  - resident memory grows with what the guest touches, not with the slot;
 *  - MADV_DONTNEED of guest RAM gives the guest zeros, never the old page, also while the
 *    guest reads it from another thread's vCPU;
 *  - fork() (the launcher's memory becomes copy-on-write) while the vCPU writes keeps the
 *    guest's and the launcher's views one, and the child's copy untouched;
 *  - (KSM merging and swap-out: reclaim_test.c);
 *  - a slot deleted while the vCPU spins on it, in guest mode, is gone for it at once;
 *  - a VM killed with SIGKILL while it runs leaves no EPT leaf and no notifier (debugfs).
 * The old module pinned every slot at creation (FOLL_LONGTERM, charged to RLIMIT_MEMLOCK):
 * the first three fail there. A notifier that does not zap, or zaps without the flush, fails
 * the DONTNEED and fork cases (Bochs flushes its TLB at each exit, so there it is the zap).
 */
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kick.h"
#include "status.h"
#include "util.h"
#include "vm.h"

#define SLOT_GPA	0x40000000ull	/* 1 GiB: above slot 0 */
#define BIG_SLOT	(64ull << 20)
#define TOUCH_STRIDE	(64ull << 10)	/* one page in 16 */
#define TOUCHED		(BIG_SLOT / TOUCH_STRIDE)

/* A "Name:   123 kB" line of /proc/self/status, in KiB. */
static long long self_status_kb(struct test_ctx *t, const char *name)
{
	static char buf[16384];
	const char *p;

	ASSERT_EQ(read_file("/proc/self/status", buf, sizeof(buf)), 0);
	p = strstr(buf, name);
	ASSERT_TRUE(p != NULL);
	return atoll(p + strlen(name) + 1);
}

/* /proc/vmstat nr_foll_pin_acquired: pages ever pinned (FOLL_PIN), or -1 without it. */
static long long foll_pins(void)
{
	static char buf[32768];
	const char *p;

	if (read_file("/proc/vmstat", buf, sizeof(buf)) ||
	    !(p = strstr(buf, "nr_foll_pin_acquired ")))
		return -1;
	return atoll(p + strlen("nr_foll_pin_acquired "));
}

/* Write one byte in every TOUCH_STRIDE of [base, base + size), then report. */
static void GUEST_CODE guest_touch(uint64_t base, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += TOUCH_STRIDE)
		*(volatile uint64_t *)(base + off) = 0x70c4ed00 + off;
	GUEST_SYNC(1);
	for (;;)				/* then read it forever: a running guest */
		for (uint64_t off = 0; off < size; off += TOUCH_STRIDE)
			(void)*(volatile uint64_t *)(base + off);
}

/* A guest that runs guest_touch() over a new slot 1 of @size at SLOT_GPA backed by @hva. */
static struct vcpu *toucher(struct test_ctx *t, void *hva, uint64_t size)
{
	return t_guest_over_slot(t, GUEST_FN(guest_touch), SLOT_GPA, size, hva, TOUCH_STRIDE);
}

static void expect_touched(struct test_ctx *t, const uint8_t *hva, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += TOUCH_STRIDE)
		if (*(const uint64_t *)(hva + off) != 0x70c4ed00 + off) {
			t_fail(t, __FILE__, __LINE__, "the launcher does not see the guest's write at +%#llx",
			       (unsigned long long)off);
			return;
		}
}

/*
 * Without CAP_IPC_LOCK and with a 64 KiB RLIMIT_MEMLOCK, a VM with 4 MiB + 64 MiB of RAM
 * is created and runs, writing 4 MiB of it; VmLck stays 0 and no page is pinned.
 */
TEST_KVM_IDENTICAL(guest_bigger_than_memlock_limit_runs_and_is_not_charged)
{
	struct rlimit lim = { 64 << 10, 64 << 10 };
	void *hva = t_private_ram(t, BIG_SLOT);
	long long pins0 = foll_pins(), pins;
	struct vcpu *vcpu;
	struct ucall uc;

	ASSERT_EQ(drop_ipc_lock(), 0);
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &lim), 0);
	vcpu = toucher(t, hva, BIG_SLOT);
	vcpu_run_sync(vcpu, &uc);
	expect_touched(t, hva, BIG_SLOT);
	EXPECT_EQ(self_status_kb(t, "VmLck:"), 0);
	pins = foll_pins();
	t_log(t, "VmLck %lld kB; pages pinned meanwhile (whole system): %lld",
	      self_status_kb(t, "VmLck:"), pins - pins0);
	if (pins0 >= 0)
		EXPECT_LE(pins - pins0, 63);	/* the old module: 17408 (4 MiB + 64 MiB) */
}

/*
 * The guest writes one page in 16 of a 64 MiB slot: the launcher's anonymous RSS grows by
 * about those 4 MiB (page tables and the guest's own state aside), not by 64 MiB (the old
 * module: all 64 MiB at slot creation).
 */
TEST_KVM_IDENTICAL(resident_memory_grows_only_with_what_the_guest_touches)
{
	void *hva = t_private_ram(t, BIG_SLOT);
	struct vcpu *vcpu = toucher(t, hva, BIG_SLOT);
	long long rss0 = self_status_kb(t, "RssAnon:"), grown;
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	grown = self_status_kb(t, "RssAnon:") - rss0;
	t_log(t, "RssAnon grew by %lld kB for %llu pages touched in a %llu MiB slot", grown,
	      (unsigned long long)TOUCHED, (unsigned long long)(BIG_SLOT >> 20));
	/* RSS counters are per-thread caches folded in now and then: roughly. */
	EXPECT_GE(grown, (long long)TOUCHED * 4 * 3 / 4);
	EXPECT_LE(grown, (long long)TOUCHED * 4 + 2048);
}

/* ---- the host changes guest RAM under a running guest ---- */

static void GUEST_CODE guest_read_loop(uint64_t gva)
{
	for (;;)
		GUEST_SYNC(*(volatile uint64_t *)gva);
}

/* One page of private memory as slot 1 at SLOT_GPA, read by guest_read_loop(). */
static struct vcpu *page_reader(struct test_ctx *t, uint64_t **page)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_read_loop), SLOT_GPA, 0);

	*page = t_private_ram(t, GUEST_PAGE_SIZE);
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, SLOT_GPA, GUEST_PAGE_SIZE, *page), 0);
	vm_map(vcpu->vm, SLOT_GPA, SLOT_GPA);
	return vcpu;
}

/* The guest read the page (mapped in the EPT now); MADV_DONTNEED: its next read is 0. */
TEST_KVM_IDENTICAL(madv_dontneed_of_guest_ram_gives_the_guest_zeros)
{
	uint64_t *page;
	struct vcpu *vcpu = page_reader(t, &page);
	struct ucall uc;

	*page = 0x57a1e;
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0x57a1e);
	ASSERT_EQ(madvise(page, GUEST_PAGE_SIZE, MADV_DONTNEED), 0);
	EXPECT_EQ(*(volatile uint64_t *)page, 0);	/* the launcher's view */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);			/* the old module: 0x57a1e */
	*page = 0xf00d;					/* a new page for both */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0xf00d);
}

struct dropper {
	uint64_t *page;
	volatile bool stop;
	volatile uint64_t round;
};

/* Round k: MADV_DONTNEED (the page reads 0), then write k. */
static void *dropper_main(void *arg)
{
	struct dropper *d = arg;

	for (uint64_t k = 1; !d->stop; k++) {
		madvise(d->page, GUEST_PAGE_SIZE, MADV_DONTNEED);
		*(volatile uint64_t *)d->page = k;
		d->round = k;
		if (!(k & 15))
			sched_yield();
	}
	return NULL;
}

#define DROP_READS	3000

/*
 * Another thread drops the page and writes a new round number, over and over, while the
 * guest reads it. What the guest reads must only move forward: a round's number, or 0
 * between a drop and the write. Once it read 0 after round k, k is gone (that 0 was the
 * drop of round k + 1): reading k again, or anything below it, is a stale page.
 */
TEST_KVM_IDENTICAL(madv_dontneed_racing_guest_reads_never_gives_stale_data)
{
	struct dropper d = { 0 };
	struct vcpu *vcpu = page_reader(t, &d.page);
	uint64_t last = 0, floor = 0, zeros = 0, moves = 0;
	pthread_t thread;
	struct ucall uc;

	ASSERT_EQ(pthread_create(&thread, NULL, dropper_main, &d), 0);
	for (int i = 0; i < DROP_READS; i++) {
		uint64_t v;

		vcpu_run_sync(vcpu, &uc);
		v = uc.args[0];
		if (!v) {
			zeros++;
			floor = last;		/* every later round is above it */
		} else if (v < last || v <= floor || v > d.round + 1) {
			t_fail(t, __FILE__, __LINE__,
			       "read %d: the guest read %llu after %llu (0 seen after round %llu; the writer is at %llu)",
			       i, (unsigned long long)v, (unsigned long long)last,
			       (unsigned long long)floor, (unsigned long long)d.round);
			break;
		} else {
			moves += v != last;
			last = v;
		}
	}
	d.stop = true;
	pthread_join(thread, NULL);
	t_log(t, "%d guest reads: %llu zeros, %llu new rounds, the writer reached round %llu",
	      DROP_READS, (unsigned long long)zeros, (unsigned long long)moves,
	      (unsigned long long)d.round);
	EXPECT_GT(moves, 1);
}

/* Write i to the page, read it back, tell the host; i counts up from 1. */
static void GUEST_CODE guest_write_loop(uint64_t gva)
{
	for (uint64_t i = 1;; i++) {
		*(volatile uint64_t *)gva = i;
		GUEST_ASSERT_EQ(*(volatile uint64_t *)gva, i);
		GUEST_SYNC(i);
	}
}

/* In a forked child: its copy of the page must keep what it held at the fork. */
static int child_keeps_its_copy(const volatile uint64_t *page)
{
	uint64_t v = *page;

	usleep(20 * 1000);		/* the parent's guest writes meanwhile */
	return *page == v ? 0 : 1;
}

#define FORK_ROUNDS	20

/*
 * The vCPU's thread forks now and then (the page becomes copy-on-write for the parent):
 * after each sync the launcher reads what the guest just wrote, and each child's copy stays
 * as it was at the fork while the parent's guest goes on writing.
 */
TEST_KVM_IDENTICAL(fork_while_the_guest_writes_keeps_guest_and_launcher_views_one)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_write_loop), SLOT_GPA, 0);
	uint64_t *page = t_private_ram(t, GUEST_PAGE_SIZE);
	pid_t kids[FORK_ROUNDS];
	int nkids = 0;
	struct ucall uc;

	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, SLOT_GPA, GUEST_PAGE_SIZE, page), 0);
	vm_map(vcpu->vm, SLOT_GPA, SLOT_GPA);
	for (uint64_t i = 1; i <= FORK_ROUNDS * 10; i++) {
		vcpu_run_sync(vcpu, &uc);
		ASSERT_EQ(uc.args[0], i);
		if (*(volatile uint64_t *)page != i) {
			t_fail(t, __FILE__, __LINE__, "after %d forks the launcher reads %llu where the guest wrote %llu",
			       nkids, (unsigned long long)*page, (unsigned long long)i);
			break;
		}
		if (i % 10 == 5) {
			pid_t pid = fork();

			ASSERT_GE(pid, 0);
			if (pid == 0)
				_exit(child_keeps_its_copy(page));
			kids[nkids++] = pid;
		}
	}
	for (int i = 0; i < nkids; i++) {
		int status;

		ASSERT_EQ(waitpid(kids[i], &status, 0), kids[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			t_fail(t, __FILE__, __LINE__, "child %d: its copy changed under it (status %#x)",
			       i, status);
	}
}

/* ---- slots and VMs going away under a running vCPU ---- */

static void GUEST_CODE guest_spin_read(uint64_t gva)
{
	for (;;)
		(void)*(volatile uint64_t *)gva;
}

struct spinner {
	struct vcpu *vcpu;
	pthread_t thread;
	int err;
};

static void *spinner_main(void *arg)
{
	struct spinner *s = arg;

	do
		s->err = __vcpu_run(s->vcpu);
	while (s->err == -EINTR);
	return NULL;
}

/*
 * The guest reads slot 1 in a loop without exits; the slot is deleted: the vCPU, in guest
 * mode on its cached translation, must leave it and exit with an MMIO read of the address.
 */
TEST_KVM_IDENTICAL(memslot_deleted_while_the_vcpu_spins_on_it_exits_as_mmio)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_spin_read), SLOT_GPA, 0);
	uint64_t *page = t_private_ram(t, GUEST_PAGE_SIZE);
	struct spinner s = { .vcpu = vcpu };

	kick_signal_install();
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, SLOT_GPA, GUEST_PAGE_SIZE, page), 0);
	vm_map(vcpu->vm, SLOT_GPA, SLOT_GPA);
	ASSERT_EQ(pthread_create(&s.thread, NULL, spinner_main, &s), 0);
	usleep(200 * 1000);		/* in the guest, the page mapped */
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, SLOT_GPA, 0, page), 0);
	if (!kick_join(s.thread, 10000)) {
		t_fail(t, __FILE__, __LINE__, "the vCPU still runs 10 s after the slot went");
		t_abort(t);
	}
	ASSERT_EQ(s.err, 0);
	vcpu_expect_exit(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ(vcpu->run->mmio.phys_addr, SLOT_GPA);
	EXPECT_EQ(vcpu->run->mmio.is_write, 0);
}

/* In a grandchild: a VM touching TOUCHED pages of a big slot, then running until killed. */
static void run_until_killed(struct test_ctx *t, int ready_fd)
{
	void *hva = t_private_ram(t, BIG_SLOT);
	struct vcpu *vcpu = toucher(t, hva, BIG_SLOT);
	struct ucall uc;
	char c = 1;

	vcpu_run_sync(vcpu, &uc);
	if (write(ready_fd, &c, 1) != 1)
		_exit(2);
	for (;;)
		__vcpu_run(vcpu);
}

/*
 * SIGKILL to a launcher whose vCPU runs, with TOUCHED pages mapped: once the VM is gone,
 * no EPT leaf and no slot notifier is left (debugfs), and nothing stays pinned.
 */
TEST_VMXMON_ONLY(killed_vm_leaves_no_guest_page_mapped_and_no_notifier)
{
	struct vmxmon_status before, during, after;
	long long pins0 = foll_pins();
	int fds[2], status;
	pid_t pid;
	char c;

	t_status_idle(t, &before);
	if (!before.has_guest_pages)
		t_skip(t, "this module does not report guest pages (debugfs)");
	ASSERT_EQ(pipe(fds), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		run_until_killed(t, fds[1]);
		_exit(3);
	}
	close(fds[1]);
	ASSERT_EQ(read(fds[0], &c, 1), 1);
	t_status(t, &during);
	t_log(t, "while it runs: %llu guest pages mapped, %llu notifiers",
	      during.guest_pages_mapped, during.mmu_notifiers);
	EXPECT_GE(during.guest_pages_mapped, before.guest_pages_mapped + TOUCHED);
	EXPECT_GE(during.mmu_notifiers, before.mmu_notifiers + 2);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ASSERT_TRUE(status_wait_idle(t, &after));
	EXPECT_EQ(after.guest_pages_mapped, before.guest_pages_mapped);
	EXPECT_EQ(after.mmu_notifiers, before.mmu_notifiers);
	if (pins0 >= 0)
		EXPECT_LE(foll_pins() - pins0, 63);
}
