// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests: random instruction bytes in real and 64-bit mode, random register,
 * segment, control-register, event and debug-register state, and triple faults (the
 * systematic probes are in guest_probe_test.c), a user with I/O permission attacking kernel
 * and read-only memory with INS/OUTS, and 32-bit guests booting into PAE paging with sane
 * and random PDPTEs. Whatever the guest does, every KVM_RUN must
 * end in a defined way (lib/hostile.h, run_to_end()): an exit userspace can act on (IO,
 * MMIO, HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR) or -EINTR from our kick timer when the
 * guest spins; state the hardware would reject is refused by KVM_SET_* (-EINVAL) or ends in
 * KVM_EXIT_FAIL_ENTRY. Each case prints its seed first ("# <what> case N seed S");
 * VMXMON_SEED=<the test's seed> VMXMON_CASE=N replays case N alone, in a fresh VM.
 * Attacks on the host CPU itself (lib/attack.h: the #AC and #DB delivery loops of
 * CVE-2015-5307 and CVE-2015-8104, a WBINVD loop) run again and again, each with the end
 * it must have, and the host's health checked after.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "health.h"
#include "hostile.h"
#include "kick.h"
#include "kvm_util.h"
#include "pm32.h"
#include "probe.h"
#include "rng.h"
#include "util.h"
#include "vm.h"

#define RANDOM_CASES	120		/* per test in make check; x VMXMON_FUZZ_SCALE */
#define CASES_PER_VM	24		/* then the VM is replaced: fresh state, fresh VMCS */
#define REAL_MEM	(1ul << 20)

/* Random general-purpose registers, keeping RIP/RSP/RFLAGS of the mode's entry state. */
static void random_gprs(struct test_ctx *t, struct vcpu *g, struct rng *r)
{
	struct kvm_regs regs;

	ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs), 0);
	rng_fill(r, &regs, offsetof(struct kvm_regs, rip));
	regs.rsp = g->vm->mem_size - 64;
	ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs), 0);
}

/* A fresh VM every CASES_PER_VM cases; the state of the last case carries over otherwise. */
static struct vcpu *case_vm(struct test_ctx *t, struct vcpu *g, long i, size_t mem)
{
	if (g && i % CASES_PER_VM)
		return g;
	if (g) {
		vm_free(g->vm);
	}
	return t_bare_guest(t, mem);
}

typedef void (*case_fn)(struct test_ctx *t, struct vcpu *g, struct rng *r, struct run_tally *tl);

/* The loop shared by the randomized tests: seed, per-case seed line, VM reuse, tally. */
static void random_cases(struct test_ctx *t, const char *what, size_t mem, case_fn setup)
{
	uint64_t seed = t_seed(t, what);
	long n = stress_count(RANDOM_CASES);
	struct vcpu *g = NULL;
	struct run_tally tl = { 0 };
	struct health h;

	const char *only = getenv("VMXMON_CASE");

	kick_signal_install();
	t_health_begin(t, &h);
	for (long i = 0; i < n && !t_failed(t); i++) {
		uint64_t cs = case_seed(seed, i);
		struct rng r;

		if (only && strtol(only, NULL, 0) != i)
			continue;
		if (only)		/* a fresh VM, as when the case came first */
			g = case_vm(t, g, 0, mem);

		t_log(t, "%s case %ld seed %#llx", what, i, (unsigned long long)cs);
		rng_init(&r, cs);
		if (!only)
			g = case_vm(t, g, i, mem);
		setup(t, g, &r, &tl);
		run_to_end(t, g, &r, &tl, what, i);
	}
	vm_free(g->vm);
	tally_log(t, what, &tl);
	t_health_end(t, &h, what);
}

/* ---- random code ---- */

static void real_mode_bytes(struct test_ctx *t, struct vcpu *g, struct rng *r, struct run_tally *tl)
{
	(void)tl;
	rng_fill(r, g->vm->mem, 0x10000);		/* IVT, code, data, stack */
	ASSERT_EQ(bare_enter_real_mode(g), 0);
	random_gprs(t, g, r);
	{
		struct kvm_regs regs;

		ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs), 0);
		regs.rip = BARE_CODE_GPA;
		regs.rsp = 0xf000;
		ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs), 0);
	}
}

TEST_DEFINE(random_real_mode_code_ends_in_defined_exits, TAG_VMXMON_ONLY, 3600)
{
	random_cases(t, "real-mode bytes", REAL_MEM, real_mode_bytes);
}

#define RANDOM_CODE_GPA	0x140000ul	/* 64 KiB of random 64-bit code */

/*
 * 64-bit random code. Mostly with the probe runtime's IDT, whose handler resumes at a
 * random place in the code after each exception (so the guest keeps going and reaches
 * more exits); sometimes with no IDT, random gates or random page tables.
 */
static void long_mode_bytes(struct test_ctx *t, struct vcpu *g, struct rng *r, struct run_tally *tl)
{
	struct kvm_sregs s;
	struct kvm_regs regs;

	(void)tl;
	ASSERT_EQ(probe_install(g), 0);
	rng_fill(r, g->vm->mem + RANDOM_CODE_GPA, 0x10000);
	probe_data(g)->resume = RANDOM_CODE_GPA + rng_below(r, 0x10000);
	if (rng_chance(r, 15))		/* random page tables: the MMIO decoder walks them */
		rng_fill(r, g->vm->mem + BARE_PT_GPA + 0x2000 + rng_below(r, 4) * 0x1000, 0x1000);
	if (rng_chance(r, 30)) {	/* no IDT, or one of random gates */
		ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_SREGS, (unsigned long)&s), 0);
		s.idt.limit = rng_chance(r, 50) ? 0 : 0xfff;
		if (s.idt.limit)
			rng_fill(r, g->vm->mem + s.idt.base, 0x1000);
		ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_SREGS, (unsigned long)&s), 0);
	}
	random_gprs(t, g, r);
	ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs), 0);
	regs.rip = RANDOM_CODE_GPA;
	regs.rsp = PROBE_STACK_TOP;
	ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs), 0);
}

TEST_DEFINE(random_long_mode_code_ends_in_defined_exits, TAG_VMXMON_ONLY, 3600)
{
	random_cases(t, "64-bit bytes", BARE_MIN_MEM, long_mode_bytes);
}

/* ---- random architectural state ---- */

static void mutate_segment(struct rng *r, struct kvm_segment *seg)
{
	switch (rng_below(r, 10)) {
	case 0: seg->base = rng_chance(r, 50) ? rng_next(r) : (uint32_t)rng_next(r); break;
	case 1: seg->limit = (uint32_t)rng_next(r); break;
	case 2: seg->selector = (uint16_t)rng_next(r); break;
	case 3: seg->type = (uint8_t)rng_below(r, 16); break;
	case 4: seg->present ^= 1; break;
	case 5: seg->dpl = (uint8_t)rng_below(r, 4); break;
	case 6: seg->db ^= 1; break;
	case 7: seg->s ^= 1; break;
	case 8: seg->l ^= 1; break;
	default: seg->unusable ^= 1; seg->g ^= rng_chance(r, 50); break;
	}
}

static uint64_t flip(struct rng *r, uint64_t v, unsigned int bits)
{
	return v ^ (1ull << rng_below(r, bits));
}

/* One change to the special registers; KVM_SET_SREGS takes it or says -EINVAL. */
static void mutate_sregs(struct rng *r, struct kvm_sregs *s)
{
	struct kvm_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt };

	switch (rng_below(r, 12)) {
	case 0: s->cr0 = flip(r, s->cr0, rng_chance(r, 90) ? 32 : 64); break;
	case 1: s->cr4 = flip(r, s->cr4, rng_chance(r, 90) ? 24 : 64); break;
	case 2: s->efer = flip(r, s->efer, rng_chance(r, 90) ? 16 : 64); break;
	case 3: s->cr3 = rng_chance(r, 50) ? flip(r, s->cr3, 52) : rng_next(r); break;
	case 4: s->cr2 = rng_next(r); s->cr8 = rng_next(r); break;
	case 5: s->gdt.base = rng_next(r); s->gdt.limit = (uint16_t)rng_next(r); break;
	case 6: s->idt.base = rng_next(r); s->idt.limit = (uint16_t)rng_next(r); break;
	case 7: s->apic_base = rng_chance(r, 50) ? flip(r, s->apic_base, 64) : rng_next(r); break;
	case 8: s->interrupt_bitmap[rng_below(r, 4)] |= 1ull << rng_below(r, 64); break;
	default: mutate_segment(r, segs[rng_below(r, ARRAY_SIZE(segs))]); break;
	}
}

/* 0 or -EINVAL are answers; anything else fails the test. */
static bool set_or_refuse(struct test_ctx *t, int fd, unsigned long req, void *arg,
			  struct run_tally *tl, const char *name)
{
	long rc = dev_ioctl(fd, req, (unsigned long)arg);

	if (rc == -EINVAL) {
		tl->rejected++;
		return false;
	}
	if (rc)
		t_fail(t, __FILE__, __LINE__, "%s answered %ld (%s), not 0 or -EINVAL", name, rc,
		       errno_name(rc) ?: "?");
	return rc == 0;
}

static void random_state(struct test_ctx *t, struct vcpu *g, struct rng *r, struct run_tally *tl)
{
	struct kvm_sregs s;
	struct kvm_regs regs;
	int changes = 1 + (int)rng_below(r, 4);

	if (rng_chance(r, 50)) {
		rng_fill(r, g->vm->mem, 0x10000);
		ASSERT_EQ(bare_enter_real_mode(g), 0);
	} else {
		ASSERT_EQ(bare_enter_long_mode(g), 0);
		rng_fill(r, g->vm->mem + BARE_CODE64_GPA, 0x4000);
	}
	ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_SREGS, (unsigned long)&s), 0);
	for (int i = 0; i < changes; i++)
		mutate_sregs(r, &s);
	set_or_refuse(t, g->fd, KVM_SET_SREGS, &s, tl, "KVM_SET_SREGS");

	ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs), 0);
	if (rng_chance(r, 40))
		regs.rflags = rng_chance(r, 50) ? flip(r, regs.rflags, 22) : rng_next(r);
	if (rng_chance(r, 20))
		regs.rip = rng_chance(r, 50) ? rng_next(r) : flip(r, regs.rip, 64);
	set_or_refuse(t, g->fd, KVM_SET_REGS, &regs, tl, "KVM_SET_REGS");

	if (rng_chance(r, 15)) {
		struct kvm_vcpu_events ev;

		ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_VCPU_EVENTS, (unsigned long)&ev), 0);
		ev.exception.injected = rng_chance(r, 50);
		ev.exception.nr = (uint8_t)rng_below(r, 40);
		ev.exception.has_error_code = rng_chance(r, 50);
		ev.exception.error_code = (uint32_t)rng_next(r);
		ev.interrupt.injected = rng_chance(r, 30);
		ev.interrupt.nr = (uint8_t)rng_next(r);
		ev.interrupt.shadow = (uint8_t)rng_below(r, 4);
		ev.nmi.injected = rng_chance(r, 20);
		ev.nmi.pending = rng_chance(r, 20);
		ev.nmi.masked = rng_chance(r, 50);
		ev.flags = rng_chance(r, 80) ? 0 : (uint32_t)rng_next(r);
		set_or_refuse(t, g->fd, KVM_SET_VCPU_EVENTS, &ev, tl, "KVM_SET_VCPU_EVENTS");
	}
	if (rng_chance(r, 15)) {
		struct kvm_debugregs dr = { .dr6 = 0xffff0ff0, .dr7 = 0x400 };

		rng_fill(r, dr.db, sizeof(dr.db));
		dr.dr7 = rng_chance(r, 50) ? flip(r, dr.dr7, 32) : rng_next(r);
		dr.dr6 = rng_chance(r, 80) ? dr.dr6 : rng_next(r);
		set_or_refuse(t, g->fd, KVM_SET_DEBUGREGS, &dr, tl, "KVM_SET_DEBUGREGS");
	}
}

TEST_DEFINE(random_register_and_segment_state_is_refused_or_runs, TAG_VMXMON_ONLY, 3600)
{
	random_cases(t, "random state", BARE_MIN_MEM, random_state);
}

/* ---- triple faults ---- */

/* Real mode, IDT limit 0: INT3 -> #GP -> #DF -> shutdown. 64-bit, no IDT: UD2 the same. */
TEST_VMXMON_ONLY(triple_faults_end_in_shutdown_and_the_vcpu_runs_again)
{
	static const uint8_t out_hlt[] = { 0xb0, 0x42, 0xe6, 0x80, 0xf4 };	/* out 0x80, 0x42; hlt */
	struct vcpu *g = t_bare_guest(t, BARE_MIN_MEM);
	struct kvm_sregs s;

	for (int i = 0; i < 10; i++) {
		if (i & 1) {
			ASSERT_EQ(bare_enter_long_mode(g), 0);
			memcpy(g->vm->mem + BARE_CODE64_GPA, "\x0f\x0b", 2);		/* ud2 */
		} else {
			ASSERT_EQ(bare_enter_real_mode(g), 0);
			g->vm->mem[BARE_CODE_GPA] = 0xcc;				/* int3 */
			ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_SREGS, (unsigned long)&s), 0);
			s.idt.limit = 0;
			ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_SREGS, (unsigned long)&s), 0);
		}
		ASSERT_EQ(__vcpu_run(g), 0);
		EXPECT_EQ(g->run->exit_reason, KVM_EXIT_SHUTDOWN);

		/* The same vCPU, given a sane state again, runs normally. */
		ASSERT_EQ(bare_enter_real_mode(g), 0);
		memcpy(g->vm->mem + BARE_CODE_GPA, out_hlt, sizeof(out_hlt));
		ASSERT_EQ(__vcpu_run(g), 0);
		ASSERT_EQ(g->run->exit_reason, KVM_EXIT_IO);
		EXPECT_EQ(*((uint8_t *)g->run + g->run->io.data_offset), 0x42);
		ASSERT_EQ(__vcpu_run(g), 0);
		EXPECT_EQ(g->run->exit_reason, KVM_EXIT_HLT);
	}
	vm_free(g->vm);
}

/* ---- a user with I/O permission attacks kernel and read-only memory (CVE-2010-0298) ---- */

#define ATTACK_MEM	(8ul << 20)
#define RO_REGION	(2ul << 20)	/* 2 MiB page: user, read-only */
#define KERNEL_REGION	(4ul << 20)	/* 2 MiB page: supervisor, writable, holds a secret */
#define REGION_SIZE	(2ul << 20)
#define RO_BYTE		0xa5
#define SECRET_BYTE	0xc3

static bool region_is(const uint8_t *p, uint8_t v)
{
	for (size_t i = 0; i < REGION_SIZE; i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * 64-bit mode at CPL 3 with RFLAGS.IOPL = 3 (the guest kernel's ioperm()/iopl(3) for this
 * user), straight from KVM_SET_SREGS; no IDT, so the #PF of the first element ends the
 * guest in a triple fault. The page tables of bare_enter_long_mode(), made user-accessible
 * except for the regions under attack.
 */
static void user_attack(struct test_ctx *t, struct vcpu *g, struct rng *r, bool outs)
{
	static const uint8_t ops[][2] = {	/* INS b/w/d, OUTS b/w/d (0: no 66h prefix) */
		{ 0, 0x6c }, { 0x66, 0x6d }, { 0, 0x6d }, { 0, 0x6e }, { 0x66, 0x6f }, { 0, 0x6f },
	};
	const uint8_t *op = ops[rng_below(r, 3) + (outs ? 3 : 0)];
	uint64_t *pd = (uint64_t *)(g->vm->mem + BARE_PT_GPA + 0x2000);
	uint64_t target = outs || rng_chance(r, 50) ? KERNEL_REGION : RO_REGION;
	uint8_t *code = g->vm->mem + BARE_CODE64_GPA;
	struct kvm_sregs s;
	struct kvm_regs regs;
	int n = 0;

	ASSERT_EQ(bare_enter_long_mode(g), 0);
	((uint64_t *)(g->vm->mem + BARE_PT_GPA))[0] |= 4;		/* U at every level... */
	((uint64_t *)(g->vm->mem + BARE_PT_GPA + 0x1000))[0] |= 4;
	pd[0] |= 4;
	pd[1] = RO_REGION | 0x85;				/* P, U, PS: read-only */
	pd[2] = KERNEL_REGION | 0x83;				/* P, W, PS: supervisor */
	pd[3] |= 4;
	memset(g->vm->mem + RO_REGION, RO_BYTE, REGION_SIZE);
	memset(g->vm->mem + KERNEL_REGION, SECRET_BYTE, REGION_SIZE);
	if (rng_chance(r, 30))
		code[n++] = 0x67;				/* 32-bit addresses */
	if (op[0])
		code[n++] = op[0];
	if (rng_chance(r, 70))
		code[n++] = 0xf3;				/* rep */
	code[n++] = op[1];
	code[n++] = 0xf4;					/* hlt: #GP at CPL 3 */

	ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_SREGS, (unsigned long)&s), 0);
	s.cs.dpl = 3;
	s.cs.selector = 0x1b;
	s.ss.dpl = s.ds.dpl = s.es.dpl = 3;
	s.ss.selector = s.ds.selector = s.es.selector = 0x23;
	ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_SREGS, (unsigned long)&s), 0);
	ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs), 0);
	regs.rcx = 1 + rng_below(r, 1 << 14);
	regs.rdx = rng_chance(r, 50) ? 0x3ff : rng_below(r, 0x10000);
	regs.rdi = regs.rsi = target + 8 + rng_below(r, REGION_SIZE - 16);
	regs.rflags = 0x3202 | (rng_chance(r, 30) ? 0x400 : 0);	/* IOPL 3, IF, maybe DF */
	ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs), 0);
}

/* Run an attack to its end: no OUT may carry memory out, nothing may land. */
static void run_attack(struct test_ctx *t, struct vcpu *g, struct rng *r, long i)
{
	int reads = 0, writes = 0;

	for (int n = 0; n < 8; n++) {
		ASSERT_EQ(__vcpu_run(g), 0);
		if (g->run->exit_reason != KVM_EXIT_IO)
			break;
		if (g->run->io.direction == KVM_EXIT_IO_IN) {
			reads++;
			rng_fill(r, (uint8_t *)g->run + g->run->io.data_offset,
				 g->run->io.size * g->run->io.count);
		} else {
			writes++;
		}
	}
	if (g->run->exit_reason != KVM_EXIT_SHUTDOWN)
		t_fail(t, __FILE__, __LINE__, "case %ld: ended in %s, not SHUTDOWN", i,
		       exit_reason_name(g->run->exit_reason));
	if (writes)
		t_fail(t, __FILE__, __LINE__, "case %ld: %d OUT exits from kernel memory", i, writes);
	if (reads && t->flavour == DEV_VMXMON)	/* KVM reads the port first, then faults */
		t_fail(t, __FILE__, __LINE__, "case %ld: the port was read for a faulting INS", i);
	if (!region_is(g->vm->mem + RO_REGION, RO_BYTE) ||
	    !region_is(g->vm->mem + KERNEL_REGION, SECRET_BYTE))
		t_fail(t, __FILE__, __LINE__, "case %ld: INS wrote read-only or kernel memory", i);
}

TEST_KVM_IDENTICAL(user_ioperm_ins_and_outs_never_touch_read_only_or_kernel_memory)
{
	uint64_t seed = t_seed(t, "ioperm attack");
	long n = stress_count(RANDOM_CASES / 2);
	struct vcpu *g = t_bare_guest(t, ATTACK_MEM);

	for (long i = 0; i < n && !t_failed(t); i++) {
		uint64_t cs = case_seed(seed, i);
		struct rng r;

		t_log(t, "ioperm attack case %ld seed %#llx", i, (unsigned long long)cs);
		rng_init(&r, cs);
		user_attack(t, g, &r, i & 1);
		run_attack(t, g, &r, i);
	}
	vm_free(g->vm);
}

/* ---- a 32-bit guest boots into PAE paging; random PDPTEs and PDEs end defined ---- */

#define PAE_PDPT	0x9000ul	/* [0] -> PD 0xa000 (identity), [1] -> PD 0xb000 (high) */
#define PAE_MARK	0x600d

/* PAE on, CR3, PG on (MOV to CR0 exits), then report from the image at 0x40000000. */
__asm__(".pushsection .rodata\n.code32\n"
	"pae_boot:\n"
	"mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"
	"mov $0x9000, %eax\n mov %eax, %cr3\n"
	"mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
	"mov $(0x40000000 + 0x2000 + (1f - pae_boot)), %eax\n jmp *%eax\n"
	"1: mov $0x600d, %eax\n out %eax, $0xe6\n hlt\n"
	"pae_boot_end:\n.code64\n.popsection\n");
extern const uint8_t pae_boot[], pae_boot_end[];

static void pae_tables(uint8_t *mem, struct rng *r, bool random)
{
	uint64_t *pdpt = (uint64_t *)(mem + PAE_PDPT);

	memset(mem + PAE_PDPT, 0, 0x3000);
	pdpt[0] = 0xa000 | 1;
	pdpt[1] = 0xb000 | 1;
	((uint64_t *)(mem + 0xa000))[0] = 0x83;		/* 2 MiB at 0, writable */
	((uint64_t *)(mem + 0xb000))[0] = 0x83;		/* 0x40000000 -> 0 too */
	if (!random)
		return;
	for (int k = 1 + (int)rng_below(r, 4); k; k--) {
		uint64_t *e = rng_chance(r, 60) ? &pdpt[rng_below(r, 4)] :
			      (uint64_t *)(mem + 0xa000 + 0x1000 * rng_below(r, 2)) + rng_below(r, 2);

		*e = rng_chance(r, 50) ? *e ^ (1ull << rng_below(r, 64)) : rng_next(r);
	}
}

TEST_KVM_IDENTICAL(pae_guest_boots_and_random_pdptes_end_in_defined_exits)
{
	uint64_t seed = t_seed(t, "pae boot");
	long n = stress_count(RANDOM_CASES / 2);
	struct vcpu *g = t_bare_guest(t, BARE_MIN_MEM);
	struct run_tally tl = { 0 };
	uint32_t data = 0;

	kick_signal_install();
	/* The valid tables: the guest reports from the high mapping. */
	ASSERT_EQ(pm32_enter(g, pae_boot, pae_boot_end - pae_boot), 0);
	pae_tables(g->vm->mem, NULL, false);
	ASSERT_EQ(__vcpu_run(g), 0);
	ASSERT_EQ(g->run->exit_reason, KVM_EXIT_IO);
	EXPECT_EQ(g->run->io.port, 0xe6);
	memcpy(&data, (uint8_t *)g->run + g->run->io.data_offset, 4);
	EXPECT_EQ(data, PAE_MARK);

	for (long i = 0; i < n && !t_failed(t); i++) {
		uint64_t cs = case_seed(seed, i);
		struct kvm_regs regs;
		struct rng r;

		t_log(t, "pae boot case %ld seed %#llx", i, (unsigned long long)cs);
		rng_init(&r, cs);
		ASSERT_EQ(pm32_enter(g, pae_boot, pae_boot_end - pae_boot), 0);
		pae_tables(g->vm->mem, &r, true);
		/* IF=1: a guest lost in garbage must still exit for host interrupts (Bochs) */
		ASSERT_EQ(dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs), 0);
		regs.rflags = 0x202;
		ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs), 0);
		run_to_end(t, g, &r, &tl, "pae boot", i);
	}
	tally_log(t, "pae boot", &tl);
	vm_free(g->vm);
}

/* ---- attacks on the host CPU (lib/attack.h) ---- */

#define ATTACK_ROUNDS	20		/* x VMXMON_FUZZ_SCALE */

enum attack { ATTACK_AC_LOOP, ATTACK_DB_LOOP, ATTACK_WBINVD_LOOP };

/*
 * Each round in a fresh VM, two KVM_RUNs. The #AC loop must end in
 * KVM_INTERNAL_ERROR_SIMUL_EX; the #DB and WBINVD loops never end, but must give the CPU
 * back for the kick (-EINTR) without the guest getting past the attack.
 */
static void attack_rounds(struct test_ctx *t, enum attack a, const char *what)
{
	long n = stress_count(ATTACK_ROUNDS);
	struct health h;

	kick_signal_install();
	t_health_begin(t, &h);
	for (long i = 0; i < n && !t_failed(t); i++) {
		struct vcpu *g = t_bare_guest(t, BARE_MIN_MEM);
		uint64_t handler;

		switch (a) {
		case ATTACK_AC_LOOP:
			ASSERT_EQ(attack_ac_setup(g, true), 0);
			break;
		case ATTACK_DB_LOOP:
			ASSERT_EQ(attack_db_loop_setup(g, &handler), 0);
			break;
		case ATTACK_WBINVD_LOOP:
			ASSERT_EQ(attack_wbinvd_setup(g, 0), 0);
			break;
		}
		for (int run = 0; run < 2 && !t_failed(t); run++) {
			int rc;

			kick_timer_arm(KICK_MS * 10);
			rc = __vcpu_run(g);
			kick_timer_disarm();
			if (a == ATTACK_AC_LOOP) {
				EXPECT_EQ(rc, 0);
				EXPECT_EQ(g->run->exit_reason, KVM_EXIT_INTERNAL_ERROR);
				EXPECT_EQ(g->run->internal.suberror, KVM_INTERNAL_ERROR_SIMUL_EX);
			} else if (rc != -EINTR) {
				t_fail(t, __FILE__, __LINE__, "%s round %ld: KVM_RUN %d, exit %s; want -EINTR",
				       what, i, rc, rc ? "-" : exit_reason_name(g->run->exit_reason));
			}
		}
		vm_free(g->vm);
	}
	t_log(t, "%s: %ld rounds", what, n);
	t_health_end(t, &h, what);
}

TEST_VMXMON_ONLY(ac_delivery_loop_cve_2015_5307_ends_in_an_internal_error)
{
	attack_rounds(t, ATTACK_AC_LOOP, "#AC delivery loop");
}

TEST_VMXMON_ONLY(db_delivery_loop_cve_2015_8104_gives_the_cpu_back)
{
	attack_rounds(t, ATTACK_DB_LOOP, "#DB delivery loop");
}

TEST_VMXMON_ONLY(wbinvd_loop_gives_the_cpu_back)
{
	attack_rounds(t, ATTACK_WBINVD_LOOP, "WBINVD loop");
}
