// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's x87/SSE/AVX state: loaded by the guest with FXRSTOR/XRSTOR, it must survive
 * port-I/O exits while the host (whose own code uses SSE/AVX) moves the vCPU thread between
 * CPUs; KVM_GET_FPU and KVM_GET_XSAVE show it, KVM_SET_FPU and KVM_SET_XSAVE change what the
 * guest then saves, and KVM_SET_XSAVE validates the image. The guest's registers also
 * survive the vCPU thread being switched out inside KVM_RUN.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "util.h"
#include "vm.h"
#include "x86.h"

/* Offsets in the FXSAVE image / legacy region of the XSAVE area (SDM Vol. 1 10.5.1). */
#define FX_FCW		0
#define FX_FSW		2
#define FX_FTW		4
#define FX_MXCSR	24
#define FX_ST(i)	(32 + 16 * (i))
#define FX_XMM(i)	(160 + 16 * (i))
#define XS_XSTATE_BV	512
#define XS_XCOMP_BV	520

#define MODE_FXSAVE	0		/* no XSAVE in the guest's CPUID */
#define MXCSR_VALUE	0x9fa0		/* FTZ, all masked, PE set: not the reset 0x1f80 */
#define PORT		0x80

static uint8_t fpu_image[4096] __attribute__((aligned(64)));	/* what the guest loads */
static uint8_t fpu_saved[4096] __attribute__((aligned(64)));	/* what it saves after */

/* Load the image, exit on PORT, save: no guest code runs between load and save. */
static void GUEST_CODE guest_fpu(uint64_t n, uint64_t xcr0)
{
	uint64_t ax, dx = 0;

	if (xcr0 != MODE_FXSAVE) {
		uint64_t cr4;

		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 1ull << 18));	/* OSXSAVE */
		GUEST_ASSERT_EQ(guest_xsetbv_safe(0, xcr0), GUEST_NO_EXCEPTION);
	}
	for (uint64_t i = 0; i < n; i++) {
		ax = xcr0;
		if (xcr0 == MODE_FXSAVE)
			__asm__ volatile("fxrstor64 (%[img])\n\tmov %k[i], %%eax\n\t"
					 "out %%al, %[port]\n\tfxsave64 (%[sav])"
					 : "+&a"(ax) : [img] "r"(fpu_image), [sav] "r"(fpu_saved),
					   [i] "r"(i), [port] "i"(PORT) : "memory");
		else
			__asm__ volatile("xrstor64 (%[img])\n\tmov %k[i], %%eax\n\t"
					 "out %%al, %[port]\n\tmov %k[m], %%eax\n\t"
					 "xsave64 (%[sav])"
					 : "+&a"(ax), "+&d"(dx) : [img] "r"(fpu_image),
					   [sav] "r"(fpu_saved), [i] "r"(i), [m] "r"(xcr0),
					   [port] "i"(PORT) : "memory");
		GUEST_SYNC(i);
	}
}

struct fpu_setup {
	uint64_t xcr0;			/* MODE_FXSAVE, or the XCR0 the guest sets (3 or 7) */
	uint32_t ymm_off;		/* CPUID 0xd.2 EBX: where YMM_Hi128 lives, 0 if no AVX */
};

static struct fpu_setup fpu_setup(struct vm *vm)
{
	struct kvm_cpuid2 *c = t_cpuid_copy(vm, 0);
	struct kvm_cpuid_entry2 *e1 = cpuid_entry(c, 1, 0), *ed = cpuid_entry(c, 0xd, 0);
	struct kvm_cpuid_entry2 *e2 = cpuid_entry(c, 0xd, 2);
	const uint64_t x87_sse = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	struct fpu_setup s = { MODE_FXSAVE, 0 };

	if (e1 && (e1->ecx & CPUID_1_ECX_XSAVE) && ed && (ed->eax & x87_sse) == x87_sse) {
		s.xcr0 = x87_sse;
		if ((ed->eax & XFEATURE_MASK_YMM) && e2 && (e1->ecx & CPUID_1_ECX_AVX)) {
			s.xcr0 = x87_sse | XFEATURE_MASK_YMM;
			s.ymm_off = e2->ebx;
		}
	}
	free(c);
	return s;
}

/* A distinct value in every register: x87 ST0-7 (valid, 80-bit), XMM0-15, YMM0-15 high. */
static void fill_image(uint8_t *img, const struct fpu_setup *s, uint8_t seed)
{
	const uint16_t fcw = 0x037f;
	const uint32_t mxcsr = MXCSR_VALUE;

	memset(img, 0, 4096);
	memcpy(img + FX_FCW, &fcw, 2);
	img[FX_FTW] = 0xff;				/* abridged tag: all eight valid */
	memcpy(img + FX_MXCSR, &mxcsr, 4);
	for (int i = 0; i < 8; i++) {
		uint64_t mant = 0x8000000000000000ull | (0x0123456789abcdefull * (i + seed + 1));
		uint16_t exp = 0x3fff + i * 3 + seed;

		memcpy(img + FX_ST(i), &mant, 8);
		memcpy(img + FX_ST(i) + 8, &exp, 2);
	}
	for (int i = 0; i < 16 * 16; i++)
		img[FX_XMM(0) + i] = (uint8_t)(i * 7 + 1 + seed);
	if (s->xcr0 != MODE_FXSAVE)
		memcpy(img + XS_XSTATE_BV, &s->xcr0, 8);
	for (int i = 0; s->ymm_off && i < 16 * 16; i++)
		img[s->ymm_off + i] = (uint8_t)(i * 13 + 5 + seed);
}

/* Compare the registers of two images (not the reserved bytes, FOP, FIP, FDP). */
static void expect_same_state(struct test_ctx *t, const uint8_t *got, const uint8_t *want,
			      const struct fpu_setup *s, uint64_t iter)
{
	static const struct { int off, len; const char *what; } fields[] = {
		{ FX_FCW, 2, "FCW" }, { FX_FSW, 2, "FSW" }, { FX_FTW, 1, "FTW" },
		{ FX_MXCSR, 4, "MXCSR" },
	};

	for (size_t f = 0; f < ARRAY_SIZE(fields); f++)
		if (memcmp(got + fields[f].off, want + fields[f].off, fields[f].len))
			t_fail(t, __FILE__, __LINE__, "iteration %llu: %s differs",
			       (unsigned long long)iter, fields[f].what);
	for (int i = 0; i < 8; i++)
		if (memcmp(got + FX_ST(i), want + FX_ST(i), 10))
			t_fail(t, __FILE__, __LINE__, "iteration %llu: ST%d differs",
			       (unsigned long long)iter, i);
	for (int i = 0; i < 16; i++) {
		if (memcmp(got + FX_XMM(i), want + FX_XMM(i), 16))
			t_fail(t, __FILE__, __LINE__, "iteration %llu: XMM%d differs",
			       (unsigned long long)iter, i);
		if (s->ymm_off && memcmp(got + s->ymm_off + 16 * i, want + s->ymm_off + 16 * i, 16))
			t_fail(t, __FILE__, __LINE__, "iteration %llu: YMM%d (high half) differs",
			       (unsigned long long)iter, i);
	}
	if (t_failed(t))
		t_abort(t);
}

/* The test's vCPU: the image in the guest, the guest started for n rounds. */
static struct vcpu *fpu_vcpu(struct test_ctx *t, uint64_t n, struct fpu_setup *s)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);

	*s = fpu_setup(vcpu->vm);
	vcpu_enter_long_mode(vcpu, GUEST_FN(guest_fpu), n, s->xcr0);
	fill_image(GUEST_VAR(vcpu->vm, fpu_image), s, 0);
	t_log(t, "guest state: %s", s->xcr0 == 7 ? "x87, SSE, AVX (XSAVE)" :
	      s->xcr0 == 3 ? "x87, SSE (XSAVE)" : "x87, SSE (FXSAVE)");
	return vcpu;
}

static void expect_port_exit(struct test_ctx *t, struct vcpu *vcpu)
{
	vcpu_run_expect(vcpu, KVM_EXIT_IO);
	ASSERT_EQ(vcpu->run->io.port, PORT);
}

#define ROUNDS 100

TEST_KVM_IDENTICAL(fpu_sse_avx_state_survives_exits_and_moves_between_cpus)
{
	struct fpu_setup s;
	struct vcpu *vcpu = fpu_vcpu(t, ROUNDS, &s);
	int ids[64], n = cpus_online(ids, 64), last = -1, switches = 0;

	if (n < 2)
		t_skip(t, "needs two online CPUs (%d)", n);
	for (uint64_t i = 0; i < ROUNDS; i++) {
		struct ucall uc;

		for (int half = 0; half < 2; half++) {
			cpu_set_t set;
			int cpu;

			CPU_ZERO(&set);
			CPU_SET(ids[(2 * i + half) % 2], &set);
			ASSERT_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
			cpu = sched_getcpu();
			switches += last >= 0 && cpu != last;
			last = cpu;
			if (half == 0)
				expect_port_exit(t, vcpu);
			else
				vcpu_run_sync(vcpu, &uc);
		}
		expect_same_state(t, GUEST_VAR(vcpu->vm, fpu_saved),
				  GUEST_VAR(vcpu->vm, fpu_image), &s, i);
	}
	vcpu_run_done(vcpu);
	t_log(t, "%d CPU changes in %d rounds", switches, ROUNDS);
	EXPECT_GE(switches, ROUNDS);
}

/* A one-round guest stopped at its exit with the image loaded, and what it must save. */
struct fpu_round {
	struct fpu_setup s;
	struct vcpu *vcpu;
	uint8_t want[4096];
};

static void fpu_at_exit(struct test_ctx *t, struct fpu_round *r)
{
	r->vcpu = fpu_vcpu(t, 1, &r->s);
	memcpy(r->want, GUEST_VAR(r->vcpu->vm, fpu_image), sizeof(r->want));
	expect_port_exit(t, r->vcpu);
}

/* Run on to the guest's save and check it against r->want. */
static void finish_round(struct test_ctx *t, struct fpu_round *r)
{
	vcpu_run_sync(r->vcpu, NULL);
	expect_same_state(t, GUEST_VAR(r->vcpu->vm, fpu_saved), r->want, &r->s, 0);
	vcpu_run_done(r->vcpu);
}

TEST_KVM_IDENTICAL(get_fpu_shows_the_guest_registers_and_set_fpu_changes_them)
{
	struct kvm_fpu fpu;
	struct fpu_round r;

	fpu_at_exit(t, &r);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_FPU, (unsigned long)&fpu), 0);
	EXPECT_EQ(fpu.fcw, 0x037f);
	EXPECT_EQ(fpu.ftwx, 0xff);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(memcmp(fpu.fpr[i], r.want + FX_ST(i), 10), 0);
	EXPECT_EQ(memcmp(fpu.xmm, r.want + FX_XMM(0), sizeof(fpu.xmm)), 0);

	/* New XMM and x87 values; KVM_SET_FPU leaves the YMM high halves alone. */
	for (size_t i = 0; i < sizeof(fpu.xmm); i++)
		fpu.xmm[i / 16][i % 16] ^= 0xa5;
	fpu.fpr[3][0] ^= 0x5a;
	memcpy(r.want + FX_XMM(0), fpu.xmm, sizeof(fpu.xmm));
	r.want[FX_ST(3)] ^= 0x5a;
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_FPU, (unsigned long)&fpu), 0);
	finish_round(t, &r);
}

/* KVM's KVM_GET/SET_FPU ignore MXCSR (arch/x86/kvm/x86.c never copies it); vmxmon does not. */
TEST_VMXMON_ONLY(get_fpu_reports_mxcsr_and_set_fpu_sets_it_or_rejects_reserved_bits)
{
	const uint32_t mxcsr = 0x1f80;
	struct kvm_fpu fpu;
	struct fpu_round r;

	fpu_at_exit(t, &r);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_FPU, (unsigned long)&fpu), 0);
	EXPECT_EQ(fpu.mxcsr, MXCSR_VALUE);
	fpu.mxcsr = 1u << 31;
	EXPECT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_FPU, (unsigned long)&fpu), -EINVAL);
	fpu.mxcsr = mxcsr;
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_FPU, (unsigned long)&fpu), 0);
	memcpy(r.want + FX_MXCSR, &mxcsr, 4);
	finish_round(t, &r);
}

/*
 * KVM_SET_XSAVE copies the image's MXCSR_MASK field from userspace: KVM_SET_FPU must check
 * MXCSR against the CPU's mask, not that one, or a reserved bit gets in and the next
 * XRSTOR/FXRSTOR #GPs in the host (the FPU core's WARN "Bad FPU state"). (KVM's KVM_SET_FPU
 * ignores kvm_fpu.mxcsr: vmxmon-only.)
 */
#define FX_MXCSR_MASK	28

TEST_VMXMON_ONLY(set_fpu_checks_mxcsr_against_the_cpu_not_a_forged_mxcsr_mask)
{
	const uint32_t forged = 0xffffffff, mxcsr = 0x1f80;
	struct kvm_xsave x;
	struct kvm_fpu fpu;
	struct fpu_round r;

	fpu_at_exit(t, &r);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_XSAVE, (unsigned long)&x), 0);
	memcpy((uint8_t *)x.region + FX_MXCSR_MASK, &forged, 4);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_XSAVE, (unsigned long)&x), 0);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_FPU, (unsigned long)&fpu), 0);
	fpu.mxcsr = MXCSR_VALUE | 1u << 20;		/* reserved on every CPU */
	EXPECT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_FPU, (unsigned long)&fpu), -EINVAL);
	fpu.mxcsr = mxcsr;
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_FPU, (unsigned long)&fpu), 0);
	memcpy(r.want + FX_MXCSR, &mxcsr, 4);
	finish_round(t, &r);		/* the guest runs on with the good value */
}

/* The same forged mask in KVM_SET_XSAVE itself: the FPU core checks the CPU's mask. */
TEST_KVM_IDENTICAL(set_xsave_checks_mxcsr_against_the_cpu_not_its_own_mxcsr_mask)
{
	const uint32_t forged = 0xffffffff, bad = MXCSR_VALUE | 1u << 20;
	struct kvm_xsave x;
	struct fpu_round r;

	fpu_at_exit(t, &r);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_XSAVE, (unsigned long)&x), 0);
	memcpy((uint8_t *)x.region + FX_MXCSR_MASK, &forged, 4);
	memcpy((uint8_t *)x.region + FX_MXCSR, &bad, 4);
	EXPECT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_XSAVE, (unsigned long)&x), -EINVAL);
	finish_round(t, &r);
}

TEST_KVM_IDENTICAL(xsave_get_set_round_trip_keeps_the_state_and_set_changes_it)
{
	struct kvm_xsave a, b;
	struct fpu_round r;

	fpu_at_exit(t, &r);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_XSAVE, (unsigned long)&a), 0);
	expect_same_state(t, (const uint8_t *)a.region, r.want, &r.s, 0);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_XSAVE, (unsigned long)&a), 0);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_XSAVE, (unsigned long)&b), 0);
	EXPECT_EQ(memcmp(&a, &b, sizeof(a)), 0);

	((uint8_t *)a.region)[FX_XMM(15)] ^= 0xff;		/* the guest sees this */
	r.want[FX_XMM(15)] ^= 0xff;
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_XSAVE, (unsigned long)&a), 0);
	finish_round(t, &r);
}

TEST_KVM_IDENTICAL(set_xsave_with_reserved_mxcsr_or_header_bits_is_einval)
{
	const uint32_t mxcsr_bad = MXCSR_VALUE | 1u << 31;
	const uint64_t bv_bad = 1ull << 62 | 3, comp_bad = 1ull << 63 | 3;
	bool xsave = true;
	struct kvm_xsave good, bad;
	uint8_t *img = (uint8_t *)bad.region;
	struct fpu_round r;

	fpu_at_exit(t, &r);
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_XSAVE, (unsigned long)&good), 0);
	bad = good;
	memcpy(img + FX_MXCSR, &mxcsr_bad, 4);
	EXPECT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_XSAVE, (unsigned long)&bad), -EINVAL);
	bad = good;
	memcpy(img + XS_XSTATE_BV, &bv_bad, 8);			/* a feature nobody has */
	EXPECT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_XSAVE, (unsigned long)&bad), -EINVAL);
	bad = good;
	memcpy(img + XS_XCOMP_BV, &comp_bad, 8);		/* compacted format */
	/*
	 * Without XSAVE in the host (noxsave) the FPU core takes only the legacy region and
	 * XSTATE_BV (fpu_copy_uabi_to_guest_fpstate(), for KVM too): XCOMP_BV is not looked at.
	 */
	if (cpu_has_flag("xsave", &xsave) || xsave)
		EXPECT_EQ(dev_ioctl(r.vcpu->fd, KVM_SET_XSAVE, (unsigned long)&bad), -EINVAL);
	/* none of them changed anything */
	ASSERT_EQ(dev_ioctl(r.vcpu->fd, KVM_GET_XSAVE, (unsigned long)&bad), 0);
	EXPECT_EQ(memcmp(&good, &bad, sizeof(good)), 0);
	finish_round(t, &r);
}

/* ---- the guest's registers across a context switch inside KVM_RUN ---- */

#define XMM_WATCH_LOOPS	4000000ull	/* Bochs: a few seconds, many time slices */

static uint8_t xmm_pattern[128] __attribute__((aligned(16)));	/* XMM8..XMM15, as loaded */
static uint8_t xmm_seen[128] __attribute__((aligned(16)));	/* ... and as found at the end */

/* Load XMM8..15 once, then spin storing them: a long run with no exit to userspace. */
static void GUEST_CODE guest_xmm_watch(uint64_t loops, uint64_t unused)
{
	__asm__ volatile("movdqu 0(%[p]), %%xmm8\n\tmovdqu 16(%[p]), %%xmm9\n\t"
			 "movdqu 32(%[p]), %%xmm10\n\tmovdqu 48(%[p]), %%xmm11\n\t"
			 "movdqu 64(%[p]), %%xmm12\n\tmovdqu 80(%[p]), %%xmm13\n\t"
			 "movdqu 96(%[p]), %%xmm14\n\tmovdqu 112(%[p]), %%xmm15\n"
			 "1:\tmovdqu %%xmm8, 0(%[s])\n\tmovdqu %%xmm9, 16(%[s])\n\t"
			 "movdqu %%xmm10, 32(%[s])\n\tmovdqu %%xmm11, 48(%[s])\n\t"
			 "movdqu %%xmm12, 64(%[s])\n\tmovdqu %%xmm13, 80(%[s])\n\t"
			 "movdqu %%xmm14, 96(%[s])\n\tmovdqu %%xmm15, 112(%[s])\n\t"
			 "dec %[n]\n\tjnz 1b"
			 : [n] "+r"(loops) : [p] "r"(xmm_pattern), [s] "r"(xmm_seen)
			 : "memory", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
			   "xmm15");
	(void)unused;
}

/* A host thread on the vCPU's CPU with other values in XMM8..15, until told to stop. */
static void *xmm_spinner(void *arg)
{
	volatile int *stop = arg;
	static const uint8_t junk[128] __attribute__((aligned(16))) = { [0 ... 127] = 0x5a };

	while (!*stop)
		__asm__ volatile("movdqu 0(%[j]), %%xmm8\n\tmovdqu 0(%[j]), %%xmm9\n\t"
				 "movdqu 0(%[j]), %%xmm10\n\tmovdqu 0(%[j]), %%xmm11\n\t"
				 "movdqu 0(%[j]), %%xmm12\n\tmovdqu 0(%[j]), %%xmm13\n\t"
				 "movdqu 0(%[j]), %%xmm14\n\tmovdqu 0(%[j]), %%xmm15"
				 : : [j] "r"(junk) : "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
				   "xmm13", "xmm14", "xmm15");
	return NULL;
}

/*
 * The vCPU thread and a thread using the same XMM registers share one CPU: the scheduler
 * switches between them while the guest is inside KVM_RUN (on a timer exit), and the guest
 * must find its own registers each time it enters again, never the other thread's.
 */
TEST_DEFINE(xmm_registers_survive_context_switches_inside_kvm_run, TAG_KVM_IDENTICAL, 900)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct rusage before, after;
	uint8_t *pattern;
	volatile int stop = 0;
	pthread_t spinner;
	cpu_set_t set;

	vcpu_enter_long_mode(vcpu, GUEST_FN(guest_xmm_watch), XMM_WATCH_LOOPS, 0);
	pattern = GUEST_VAR(vcpu->vm, xmm_pattern);
	for (int i = 0; i < 128; i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ASSERT_EQ(sched_setaffinity(0, sizeof(set), &set), 0);	/* the spinner inherits it */
	ASSERT_EQ(pthread_create(&spinner, NULL, xmm_spinner, (void *)&stop), 0);
	getrusage(RUSAGE_THREAD, &before);
	vcpu_run_done(vcpu);
	getrusage(RUSAGE_THREAD, &after);
	stop = 1;
	pthread_join(spinner, NULL);
	t_log(t, "%ld involuntary context switches of the vCPU thread during its KVM_RUN",
	      after.ru_nivcsw - before.ru_nivcsw);
	ASSERT_GT(after.ru_nivcsw - before.ru_nivcsw, 0);	/* else the test proves nothing */
	EXPECT_EQ(memcmp(GUEST_VAR(vcpu->vm, xmm_seen), pattern, 128), 0);
}
