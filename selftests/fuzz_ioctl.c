// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl fuzzer: random and mutated ioctl numbers, sizes and argument bytes on the system, VM
 * and vCPU fds, with random memslot layouts, vCPU mmaps, fd closes and KVM_RUN in between,
 * while a second thread keeps calling KVM_RUN on whatever vCPU fds exist (races against
 * slot changes and closes). The host must stay healthy (lib/health.h: no kernel log
 * trouble, vmxmon's pages, pinned pages and memory back to baseline), every number that
 * is not a KVM ioctl vmxmon implements or plans must get -ENOTTY, and a fresh guest must
 * still run afterwards.
 *
 * Calls: FUZZ_CALLS * VMXMON_FUZZ_SCALE (10^5 in make check, 10^6 in make fuzz). The seed
 * is printed first; VMXMON_SEED replays the main thread's sequence (the racing thread
 * adds timing noise, not different calls).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "health.h"
#include "kick.h"
#include "kvm_util.h"
#include "rng.h"
#include "util.h"
#include "vm.h"

#define FUZZ_CALLS	100000
#define MAX_VMS		3
#define MAX_VCPUS	2		/* per VM in the pool */
#define ARENA_SIZE	(64 * 1024)	/* argument buffers, then a PROT_NONE guard page */
#define GUEST_CHUNK	(2u << 20)	/* each of the two memory areas slots point into */
#define MAX_SLOT_SIZE	(512u << 10)	/* bounds what one slot pins */
#define RUN_KICK_MS	2

enum fd_kind { FD_SYS, FD_VM, FD_VCPU, FD_KINDS };
static const char *const kind_name[FD_KINDS] = { "system", "VM", "vCPU" };

/* An integer argument, a struct to mutate, or a header with a count of entries after it. */
enum arg_kind { ARG_INT, ARG_STRUCT, ARG_COUNTED };

/*
 * Every ioctl vmxmon implements or plans (design.md), per fd. Any other number must be
 * -ENOTTY: if vmxmon grows a new ioctl, add it here.
 */
static const struct known_ioctl {
	unsigned long nr;
	enum fd_kind fd;
	enum arg_kind arg;
	const char *name;
} known[] = {
#define K(nr, fd, arg) { nr, fd, arg, #nr }
	K(KVM_GET_API_VERSION, FD_SYS, ARG_INT), K(KVM_CHECK_EXTENSION, FD_SYS, ARG_INT),
	K(KVM_CREATE_VM, FD_SYS, ARG_INT), K(KVM_GET_VCPU_MMAP_SIZE, FD_SYS, ARG_INT),
	K(KVM_GET_SUPPORTED_CPUID, FD_SYS, ARG_COUNTED), K(KVM_GET_MSR_INDEX_LIST, FD_SYS, ARG_COUNTED),
	K(KVM_CHECK_EXTENSION, FD_VM, ARG_INT),
	K(KVM_SET_USER_MEMORY_REGION, FD_VM, ARG_STRUCT), K(KVM_CREATE_VCPU, FD_VM, ARG_INT),
	K(KVM_SET_TSS_ADDR, FD_VM, ARG_INT), K(KVM_SET_IDENTITY_MAP_ADDR, FD_VM, ARG_STRUCT),
	K(KVM_ENABLE_CAP, FD_VM, ARG_STRUCT), K(KVM_SET_GSI_ROUTING, FD_VM, ARG_COUNTED),
	K(KVM_SIGNAL_MSI, FD_VM, ARG_STRUCT), K(KVM_IRQFD, FD_VM, ARG_STRUCT),
	K(KVM_IOEVENTFD, FD_VM, ARG_STRUCT), K(KVM_GET_DIRTY_LOG, FD_VM, ARG_STRUCT),
	K(KVM_CREATE_IRQCHIP, FD_VM, ARG_INT), K(KVM_IRQ_LINE, FD_VM, ARG_STRUCT),
	K(KVM_GET_STATS_FD, FD_VM, ARG_INT),
	K(KVM_RUN, FD_VCPU, ARG_INT), K(KVM_GET_REGS, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_REGS, FD_VCPU, ARG_STRUCT), K(KVM_GET_SREGS, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_SREGS, FD_VCPU, ARG_STRUCT), K(KVM_INTERRUPT, FD_VCPU, ARG_STRUCT),
	K(KVM_NMI, FD_VCPU, ARG_INT), K(KVM_SET_CPUID2, FD_VCPU, ARG_COUNTED),
	K(KVM_GET_CPUID2, FD_VCPU, ARG_COUNTED), K(KVM_GET_MSRS, FD_VCPU, ARG_COUNTED),
	K(KVM_SET_MSRS, FD_VCPU, ARG_COUNTED), K(KVM_GET_FPU, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_FPU, FD_VCPU, ARG_STRUCT), K(KVM_GET_XSAVE, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_XSAVE, FD_VCPU, ARG_STRUCT), K(KVM_GET_XCRS, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_XCRS, FD_VCPU, ARG_STRUCT), K(KVM_GET_LAPIC, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_LAPIC, FD_VCPU, ARG_STRUCT), K(KVM_GET_MP_STATE, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_MP_STATE, FD_VCPU, ARG_STRUCT), K(KVM_GET_VCPU_EVENTS, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_VCPU_EVENTS, FD_VCPU, ARG_STRUCT), K(KVM_GET_DEBUGREGS, FD_VCPU, ARG_STRUCT),
	K(KVM_SET_DEBUGREGS, FD_VCPU, ARG_STRUCT), K(KVM_SET_GUEST_DEBUG, FD_VCPU, ARG_STRUCT),
	K(KVM_ENABLE_CAP, FD_VCPU, ARG_STRUCT), K(KVM_GET_STATS_FD, FD_VCPU, ARG_INT),
	K(KVM_SET_SIGNAL_MASK, FD_VCPU, ARG_COUNTED), K(KVM_TPR_ACCESS_REPORTING, FD_VCPU, ARG_STRUCT),
	K(KVM_X86_GET_MCE_CAP_SUPPORTED, FD_SYS, ARG_STRUCT),
	K(KVM_X86_SETUP_MCE, FD_VCPU, ARG_STRUCT), K(KVM_X86_SET_MCE, FD_VCPU, ARG_STRUCT),
#undef K
};

struct fuzz_vm {
	int fd;				/* -1: free */
	int vcpu[MAX_VCPUS];
	struct kvm_run *run[MAX_VCPUS];
	size_t run_len[MAX_VCPUS];
	bool run_rw[MAX_VCPUS];		/* the mapping may be written */
};

struct fuzz {
	struct test_ctx *t;
	struct rng r;
	int sys;
	int mmap_size;
	struct fuzz_vm vm[MAX_VMS];
	uint8_t *arena, *guard, *ro_page, *guest;
	long calls, enotty_bad, by_errno[140], positive;
};

/* The racing thread's view: vCPU fd numbers (possibly stale or reused, by design). */
static _Atomic int race_fds[MAX_VMS * MAX_VCPUS];
static atomic_bool race_stop;
static atomic_long race_runs;

static const struct known_ioctl *lookup(unsigned long nr, enum fd_kind fd)
{
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i].nr == nr && known[i].fd == fd)
			return &known[i];
	return NULL;
}

static void note_result(struct fuzz *f, unsigned long nr, enum fd_kind kind, long r)
{
	f->calls++;
	if (r >= 0)
		f->positive++;
	else if (-r < (long)ARRAY_SIZE(f->by_errno))
		f->by_errno[-r]++;
	if (_IOC_TYPE(nr) != KVMIO || lookup(nr, kind) || r == -ENOTTY)
		return;
	if (f->enotty_bad++ < 5)
		t_fail(f->t, __FILE__, __LINE__, "ioctl %#lx (dir %lu nr %#lx size %lu) on a %s fd returned %ld, not -ENOTTY (a new ioctl? add it to known[])",
		       nr, _IOC_DIR(nr), _IOC_NR(nr), _IOC_SIZE(nr), kind_name[kind], r);
}

/* ---- arguments ---- */

/* A pointer for an argument of len bytes: mostly valid, sometimes hostile. */
static unsigned long arg_pointer(struct fuzz *f, size_t len)
{
	size_t fit = len < ARENA_SIZE ? ARENA_SIZE - len : 0;

	switch (rng_below(&f->r, 20)) {
	case 0: return 0;
	case 1: return (unsigned long)(f->guard - rng_below(&f->r, len + 1)); /* runs into the guard */
	case 2: return (unsigned long)f->ro_page;			/* copy_to_user faults */
	case 3: return 0xffff888000000000ul + rng_below(&f->r, 1 << 30);	/* kernel direct map */
	case 4: return 0x8000000000000000ul;				/* non-canonical */
	case 5: return rng_next(&f->r);
	case 6: return (unsigned long)f->arena + rng_below(&f->r, fit + 1) + 1;	/* misaligned */
	default: return (unsigned long)f->arena + (rng_below(&f->r, fit + 1) & ~7ul);
	}
}

static unsigned long arg_integer(struct fuzz *f)
{
	switch (rng_below(&f->r, 6)) {
	case 0: return 0;
	case 1: return rng_below(&f->r, 8);
	case 2: return rng_below(&f->r, 300);		/* capabilities, vCPU ids */
	case 3: return rng_below(&f->r, 2048);
	case 4: return (unsigned long)-1;
	default: return rng_next(&f->r);
	}
}

/* A count for a counted header: small, at a limit, or absurd. */
static uint32_t arg_count(struct fuzz *f)
{
	static const uint32_t edges[] = { 0, 1, 2, 31, 32, 33, 100, 256, 257, 1024, 4096, 4097,
					  65536, 0x7fffffff, 0x80000000, 0xffffffff };

	if (rng_chance(&f->r, 50))
		return (uint32_t)rng_below(&f->r, 64);
	return edges[rng_below(&f->r, ARRAY_SIZE(edges))];
}

/* Flip a few bits of len bytes at p. */
static void mutate(struct fuzz *f, uint8_t *p, size_t len)
{
	unsigned int flips = 1 + (unsigned int)rng_below(&f->r, 8);

	for (unsigned int i = 0; i < flips && len; i++)
		p[rng_below(&f->r, len)] ^= (uint8_t)(1u << rng_below(&f->r, 8));
}

/* A memslot that is usually almost valid: the interesting checks are the near misses. */
static void memslot_fill(struct fuzz *f, struct kvm_userspace_memory_region *m)
{
	uint64_t size = (1 + rng_below(&f->r, MAX_SLOT_SIZE / 4096)) * 4096;
	uint64_t off = rng_below(&f->r, (GUEST_CHUNK - size) / 4096 + 1) * 4096;

	m->slot = (uint32_t)rng_below(&f->r, 36);
	m->flags = rng_chance(&f->r, 80) ? 0 : rng_chance(&f->r, 50) ? KVM_MEM_READONLY : (uint32_t)rng_next(&f->r);
	m->guest_phys_addr = rng_below(&f->r, 64) << (12 + rng_below(&f->r, 10));
	m->memory_size = rng_chance(&f->r, 15) ? 0 : size;	/* 0 deletes the slot */
	m->userspace_addr = (uintptr_t)f->guest + off;
	if (rng_chance(&f->r, 10))
		mutate(f, (uint8_t *)m, sizeof(*m));
}

/* Fill the argument buffer for a known ioctl; returns the pointer to pass. */
static unsigned long known_argument(struct fuzz *f, const struct known_ioctl *k)
{
	size_t size = _IOC_SIZE(k->nr);
	unsigned long p;

	if (k->arg == ARG_INT && !size)
		return k->nr == KVM_RUN && rng_chance(&f->r, 95) ? 0 : arg_integer(f);
	p = arg_pointer(f, size + 4096);
	if (p < (unsigned long)f->arena || p >= (unsigned long)f->guard)
		return p;	/* hostile pointer: contents do not matter */
	rng_fill(&f->r, (void *)p, (unsigned long)f->guard - p < 4096 ? (unsigned long)f->guard - p : 4096);
	if (k->nr == KVM_SET_USER_MEMORY_REGION && (unsigned long)f->guard - p >= size)
		memslot_fill(f, (void *)p);
	else if (k->arg == ARG_COUNTED && (unsigned long)f->guard - p >= 4)
		*(uint32_t *)p = arg_count(f);		/* nent, nmsrs, nr, len: the first u32 */
	else if (rng_chance(&f->r, 50))
		memset((void *)p, 0, (unsigned long)f->guard - p < size ? (unsigned long)f->guard - p : size);
	return p;
}

/* ---- the fd pool ---- */

static int pick_fd(struct fuzz *f, enum fd_kind *kind)
{
	struct fuzz_vm *vm = &f->vm[rng_below(&f->r, MAX_VMS)];
	int v = (int)rng_below(&f->r, MAX_VCPUS);

	*kind = (enum fd_kind)rng_below(&f->r, FD_KINDS);
	if (*kind == FD_VCPU && vm->vcpu[v] >= 0)
		return vm->vcpu[v];
	if (*kind != FD_SYS && vm->fd >= 0) {
		*kind = FD_VM;
		return vm->fd;
	}
	*kind = FD_SYS;
	return f->sys;
}

static void vcpu_close(struct fuzz_vm *vm, int v)
{
	if (vm->run[v])
		munmap(vm->run[v], vm->run_len[v]);
	vm->run[v] = NULL;
	if (vm->vcpu[v] >= 0)
		close(vm->vcpu[v]);
	vm->vcpu[v] = -1;
}

static void publish(struct fuzz *f)
{
	for (int i = 0; i < MAX_VMS; i++)
		for (int v = 0; v < MAX_VCPUS; v++)
			atomic_store(&race_fds[i * MAX_VCPUS + v], f->vm[i].vcpu[v]);
}

static void vm_close(struct fuzz *f, struct fuzz_vm *vm)
{
	for (int v = 0; v < MAX_VCPUS; v++)
		vcpu_close(vm, v);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	publish(f);
}

/* Create, close or remap something in the pool; VM fds may close before their vCPUs. */
static void pool_churn(struct fuzz *f)
{
	struct fuzz_vm *vm = &f->vm[rng_below(&f->r, MAX_VMS)];
	int v = (int)rng_below(&f->r, MAX_VCPUS);
	long r;

	switch (rng_below(&f->r, 6)) {
	case 0:
		vm_close(f, vm);
		vm->fd = (int)dev_ioctl(f->sys, KVM_CREATE_VM, 0);
		note_result(f, KVM_CREATE_VM, FD_SYS, vm->fd);
		break;
	case 1:
		if (vm->fd >= 0)
			close(vm->fd);		/* vCPU fds stay usable: they hold the VM */
		vm->fd = -1;
		break;
	case 2:
		vcpu_close(vm, v);
		if (vm->fd < 0)
			break;
		r = dev_ioctl(vm->fd, KVM_CREATE_VCPU, rng_below(&f->r, 4));
		note_result(f, KVM_CREATE_VCPU, FD_VM, r);
		vm->vcpu[v] = r >= 0 ? (int)r : -1;
		break;
	default:	/* (re)map the vCPU's kvm_run with a random offset, length and protection */
		if (vm->vcpu[v] < 0)
			break;
		if (vm->run[v])
			munmap(vm->run[v], vm->run_len[v]);
		vm->run_len[v] = rng_chance(&f->r, 80) ? (size_t)f->mmap_size : (1 + rng_below(&f->r, 4)) * 4096;
		vm->run_rw[v] = rng_chance(&f->r, 90);
		vm->run[v] = mmap(NULL, vm->run_len[v], vm->run_rw[v] ? PROT_READ | PROT_WRITE : PROT_READ | PROT_EXEC,
				  rng_chance(&f->r, 90) ? MAP_SHARED : MAP_PRIVATE, vm->vcpu[v],
				  rng_chance(&f->r, 85) ? 0 : (off_t)rng_below(&f->r, 4) * 4096);
		if (vm->run[v] == MAP_FAILED)
			vm->run[v] = NULL;
		break;
	}
	publish(f);
}

/* KVM_RUN on a pool vCPU, after scribbling on its kvm_run now and then. */
static void run_vcpu(struct fuzz *f)
{
	struct fuzz_vm *vm = &f->vm[rng_below(&f->r, MAX_VMS)];
	int v = (int)rng_below(&f->r, MAX_VCPUS);
	long r;

	if (vm->vcpu[v] < 0)
		return;
	if (vm->run[v] && vm->run_rw[v] && rng_chance(&f->r, 30)) {
		uint8_t *p = (uint8_t *)vm->run[v];

		if (rng_chance(&f->r, 50))	/* immediate_exit, request_interrupt_window, ... */
			p[rng_below(&f->r, 16)] = (uint8_t)rng_next(&f->r);
		else
			mutate(f, p, 4096);
	}
	kick_timer_arm(RUN_KICK_MS);
	r = dev_ioctl(vm->vcpu[v], KVM_RUN, 0);
	kick_timer_disarm();
	note_result(f, KVM_RUN, FD_VCPU, r);
}

/* One ioctl: a known one (well-formed but mutated), a mutation of one, or random. */
static void one_ioctl(struct fuzz *f)
{
	const struct known_ioctl *k = &known[rng_below(&f->r, ARRAY_SIZE(known))];
	unsigned long nr = k->nr, arg;
	enum fd_kind kind;
	int fd = pick_fd(f, &kind);
	long r;

	switch (rng_below(&f->r, 16)) {
	case 0:
	case 1:		/* same number, other size or direction */
		nr = _IOC(rng_below(&f->r, 4), KVMIO, _IOC_NR(nr),
			  rng_chance(&f->r, 50) ? rng_below(&f->r, 1 << _IOC_SIZEBITS) : _IOC_SIZE(nr) ^ (1u << rng_below(&f->r, 14)));
		break;
	case 2:
	case 3:		/* any KVM-style number */
		nr = _IOC(rng_below(&f->r, 4), KVMIO, rng_below(&f->r, 256), rng_below(&f->r, 1 << _IOC_SIZEBITS));
		break;
	case 4:		/* anything */
		nr = (uint32_t)rng_next(&f->r);
		break;
	default:	/* a known ioctl on its own fd kind (mostly) */
		if (kind != k->fd && rng_chance(&f->r, 90)) {
			struct fuzz_vm *vm = &f->vm[rng_below(&f->r, MAX_VMS)];
			int alt = k->fd == FD_SYS ? f->sys : k->fd == FD_VM ? vm->fd : vm->vcpu[0];

			if (alt >= 0) {
				fd = alt;
				kind = k->fd;
			}
		}
		break;
	}
	if (nr == KVM_RUN)
		return run_vcpu(f);
	k = lookup(nr, kind);
	arg = k ? known_argument(f, k) : rng_chance(&f->r, 60) ? arg_pointer(f, _IOC_SIZE(nr)) : arg_integer(f);
	r = dev_ioctl(fd, nr, arg);
	if (k && k->nr == KVM_CREATE_VM && r >= 0)
		close((int)r);
	if (k && k->nr == KVM_CREATE_VCPU && r >= 0)
		close((int)r);
	if (k && k->nr == KVM_GET_STATS_FD && r >= 0)
		close((int)r);
	note_result(f, nr, kind, r);
}

/* ---- the racing KVM_RUN thread ---- */

static void *racer(void *arg)
{
	struct rng r;

	rng_init(&r, (uint64_t)(uintptr_t)arg);
	while (!atomic_load(&race_stop)) {
		int fd = atomic_load(&race_fds[rng_below(&r, MAX_VMS * MAX_VCPUS)]);

		if (fd < 0) {
			usleep(100);
			continue;
		}
		kick_timer_arm(RUN_KICK_MS);
		ioctl(fd, KVM_RUN, 0);
		kick_timer_disarm();
		atomic_fetch_add(&race_runs, 1);
	}
	return NULL;
}

static void fuzz_setup(struct fuzz *f)
{
	struct test_ctx *t = f->t;
	uint8_t *m = mmap(NULL, ARENA_SIZE + 2 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(m != MAP_FAILED);
	f->arena = m;
	f->guard = m + ARENA_SIZE;
	f->ro_page = m + ARENA_SIZE + 4096;
	ASSERT_EQ(mprotect(f->guard, 4096, PROT_NONE), 0);
	ASSERT_EQ(mprotect(f->ro_page, 4096, PROT_READ), 0);
	/* Guest memory: random bytes (random code) with HLT and OUT sprinkled in. */
	f->guest = mmap(NULL, GUEST_CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(f->guest != MAP_FAILED);
	rng_fill(&f->r, f->guest, GUEST_CHUNK);
	for (unsigned int i = 0; i < GUEST_CHUNK; i += 64)
		f->guest[i] = i & 64 ? 0xf4 : 0xe6;
	f->sys = t_open_dev(t);
	f->mmap_size = (int)dev_ioctl(f->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_GT(f->mmap_size, 0);
	for (int i = 0; i < MAX_VMS; i++) {
		f->vm[i].fd = t_dev_create_vm(t, f->sys);
		for (int v = 0; v < MAX_VCPUS; v++) {
			f->vm[i].vcpu[v] = (int)dev_ioctl(f->vm[i].fd, KVM_CREATE_VCPU, v);
			ASSERT_GE(f->vm[i].vcpu[v], 0);
		}
	}
	publish(f);
}

static void fuzz_teardown(struct fuzz *f)
{
	for (int i = 0; i < MAX_VMS; i++)
		vm_close(f, &f->vm[i]);
	close(f->sys);
	munmap(f->arena, ARENA_SIZE + 2 * 4096);
	munmap(f->guest, GUEST_CHUNK);
}

static void print_summary(struct fuzz *f)
{
	char line[512];
	int n = snprintf(line, sizeof(line), ">=0: %ld", f->positive);

	for (size_t e = 1; e < ARRAY_SIZE(f->by_errno) && n < (int)sizeof(line) - 32; e++)
		if (f->by_errno[e])
			n += snprintf(line + n, sizeof(line) - n, ", %s: %ld",
				      errno_name((long long)e) ?: "?", f->by_errno[e]);
	t_log(f->t, "results: %s", line);
}

/* A guest still runs after all that: OUT 0x42, 0x5a to port 0x80, then HLT. */
static void expect_a_guest_still_runs(struct test_ctx *t)
{
	static const uint8_t code[] = { 0xb0, 0x5a, 0xe6, 0x80, 0xf4 };
	struct vcpu *g = t_bare_guest(t, 0x10000);

	memcpy(g->vm->mem + BARE_CODE_GPA, code, sizeof(code));
	ASSERT_EQ(bare_enter_real_mode(g), 0);
	ASSERT_EQ(__vcpu_run(g), 0);
	ASSERT_EQ(g->run->exit_reason, KVM_EXIT_IO);
	EXPECT_EQ(g->run->io.port, 0x80);
	EXPECT_EQ(*((uint8_t *)g->run + g->run->io.data_offset), 0x5a);
	ASSERT_EQ(__vcpu_run(g), 0);
	EXPECT_EQ(g->run->exit_reason, KVM_EXIT_HLT);
	vm_free(g->vm);
}

TEST_DEFINE(ioctl_fuzz_keeps_the_host_healthy, TAG_VMXMON_ONLY, 3600)
{
	static struct fuzz f;
	long n = stress_count(FUZZ_CALLS), report = n / 10;
	struct health h;
	pthread_t th;

	f.t = t;
	rng_init(&f.r, t_seed(t, "ioctl fuzz"));
	kick_signal_install();
	expect_a_guest_still_runs(t);		/* warm-up: slab caches, VMX on and off */
	t_health_begin(t, &h);
	fuzz_setup(&f);
	ASSERT_EQ(pthread_create(&th, NULL, racer, (void *)(uintptr_t)rng_next(&f.r)), 0);
	while (f.calls < n) {
		unsigned int what = (unsigned int)rng_below(&f.r, 100);

		if (what < 3)
			pool_churn(&f);
		else if (what < 5)
			run_vcpu(&f);
		else
			one_ioctl(&f);
		if (report && f.calls / report != (f.calls - 1) / report)
			t_log(t, "%ld calls, %ld racing KVM_RUNs", f.calls, atomic_load(&race_runs));
	}
	atomic_store(&race_stop, true);
	pthread_join(th, NULL);
	fuzz_teardown(&f);
	print_summary(&f);
	t_log(t, "%ld calls fuzzed (+%ld racing KVM_RUN), %ld answered other than -ENOTTY for an unknown number",
	      f.calls, atomic_load(&race_runs), f.enotty_bad);
	EXPECT_EQ(f.enotty_bad, 0);
	t_health_end(t, &h, "after the fuzz");
	expect_a_guest_still_runs(t);
}
