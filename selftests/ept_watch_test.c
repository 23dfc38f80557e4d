// SPDX-License-Identifier: GPL-2.0
/*
 * EPT watchpoints (VMXMON_ADD_EPT_WATCH, include/uapi/vmxmon.h): a guest runs a known
 * sequence of accesses and the host counts the VMXMON_EXIT_EPT_WATCH exits, checking GPA,
 * access kind, RIP and linear address of each:
 *  - writes, reads and fetches in the watched byte range exit, once each, before they
 *    happen; accesses to the same page outside the range do not exit (they are stepped in
 *    the kernel); after each exit the next KVM_RUN completes the access (writes land, reads
 *    return the data) and the watch stays armed;
 *  - a deleted watch exits no more; a page zapped by the host (MADV_DONTNEED) stays watched;
 *  - an event whose delivery writes a watched stack page exits (flagged as event delivery)
 *    and is then delivered once;
 *  - an access across two watched pages exits once for each; an instruction fetch that
 *    crosses into a watched page exits with the instruction's RIP;
 *  - two vCPUs stopped on the same watched page each complete their own access;
 *  - invalid arguments are refused.
 * The watched ranges lie in the middle of a 2 MiB-aligned region of guest RAM: with 2 MiB
 * EPT leaves the page must still be protected at 4 KiB (today vmxmon maps 4 KiB only).
 * vmxmon-only: KVM has no such ioctl (on /dev/kvm the tests are skipped). The old module
 * answers -ENOTTY to VMXMON_ADD_EPT_WATCH, so every test fails there.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/vmxmon.h>

#include "t_stats.h"
#include "util.h"
#include "vm.h"

#define MEM_SIZE	GUEST_MEM_SIZE		/* 4 MiB: the test binary is mapped above */
#define REGION		0x200000ull		/* 2 MiB-aligned, inside guest RAM */
#define WPAGE		(REGION + 0x101000)	/* a page in the middle of it */
#define WOFF		0x100			/* the watched bytes: WPAGE + WOFF, 8 of them */
#define WADDR		(WPAGE + WOFF)
#define SOFT_VEC	0x41

#define R	VMXMON_EPT_WATCH_READ
#define W	VMXMON_EPT_WATCH_WRITE
#define X	VMXMON_EPT_WATCH_EXEC

struct hit {
	uint64_t gpa, gla, rip;
	uint32_t access, flags;
};

static long watch(struct vm *vm, unsigned long nr, uint64_t gpa, uint64_t len, uint32_t flags)
{
	struct vmxmon_ept_watch w = { .gpa = gpa, .len = len, .flags = flags };

	return dev_ioctl(vm->fd, nr, (unsigned long)&w);
}

static struct vcpu *watch_guest(struct test_ctx *t, void (*fn)(uint64_t, uint64_t), uint64_t a0)
{
	struct vm *vm = t_vm_new_mem(t, MEM_SIZE);
	struct vcpu *vcpu = t_vcpu_add(vm, 0);

	vcpu_enter_long_mode(vcpu, fn, a0, 0);
	return vcpu;
}

/* Run to the next ucall; the watch exits on the way go to h[] (their number returned). */
static int run_hits(struct test_ctx *t, struct vcpu *vcpu, struct hit *h, int max)
{
	int n = 0;

	for (;;) {
		const struct vmxmon_ept_watch_exit *x = vmxmon_run_ept_watch(vcpu->run);

		ASSERT_EQ(__vcpu_run(vcpu), 0);
		if (vcpu->run->exit_reason != VMXMON_EXIT_EPT_WATCH)
			return n;
		if (n < max)
			h[n] = (struct hit){ x->gpa, x->gla, x->rip, x->access, x->flags };
		ASSERT_GT(1000, n);
		n++;
	}
}

static void expect_hit(struct test_ctx *t, const struct hit *h, uint64_t gpa, uint32_t access,
		       const void *rip)
{
	EXPECT_EQ(h->gpa, gpa);
	EXPECT_EQ(h->access, access);
	EXPECT_EQ(h->rip, (uint64_t)rip);
	EXPECT_EQ(h->flags, VMXMON_EPT_WATCH_EXIT_GLA);
	EXPECT_EQ(h->gla, gpa);				/* guest RAM is identity-mapped */
}

static void *whva(struct vm *vm, uint64_t gpa)
{
	return vm->mem + gpa;
}

/* ---- writes ---- */

extern const char st_in1[], st_out[], st_in2[];

static void GUEST_CODE guest_writes(void)
{
	uint64_t x;

	__asm__ volatile(".global st_in1\nst_in1: movq %1, (%0)"
			 : : "r"(WADDR), "r"(0x1111ull) : "memory");
	__asm__ volatile("movq (%1), %0" : "=r"(x) : "r"(WADDR) : "memory");
	__asm__ volatile(".global st_out\nst_out: movq %1, (%0)"
			 : : "r"(WPAGE + 0x200), "r"(0x2222ull) : "memory");
	__asm__ volatile(".global st_in2\nst_in2: movl %1, (%0)"
			 : : "r"(WADDR + 4), "r"(0x3333u) : "memory");
	GUEST_SYNC(x, *(volatile uint64_t *)WADDR, *(volatile uint64_t *)(WPAGE + 0x200));
}

TEST_VMXMON_ONLY(ept_watch_write_exits_in_range_only_and_the_write_lands)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_writes), 0);
	int sfd = t_stats_fd(t, vcpu->fd);
	struct kvm_stats st;
	struct hit h[4];
	struct ucall uc;
	uint64_t before;

	t_stats_open(t, &st, sfd);
	before = stat_now(t, &st, "user_exits_ept_watch");
	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, W), 0);
	ASSERT_EQ(run_hits(t, vcpu, h, 4), 2);
	/* Each watch exit is counted as a userspace exit of its own kind (kmod/stats.c). */
	EXPECT_EQ(stat_now(t, &st, "user_exits_ept_watch") - before, 2);
	kvm_stats_free(&st);
	close(sfd);
	vcpu_expect_sync(vcpu, &uc);
	expect_hit(t, &h[0], WADDR, W, st_in1);
	expect_hit(t, &h[1], WADDR + 4, W, st_in2);
	EXPECT_EQ(uc.args[0], 0x1111);			/* the stepped write landed */
	EXPECT_EQ(uc.args[1], 0x0000333300001111ull);
	EXPECT_EQ(uc.args[2], 0x2222);
	EXPECT_EQ(*(uint64_t *)whva(vcpu->vm, WADDR), 0x0000333300001111ull);
	vcpu_run_done(vcpu);
}

/* ---- reads ---- */

extern const char ld_in[];

static void GUEST_CODE guest_reads(void)
{
	uint64_t a, b;

	__asm__ volatile(".global ld_in\nld_in: movq (%1), %0" : "=r"(a) : "r"(WADDR) : "memory");
	__asm__ volatile("movq (%1), %0" : "=r"(b) : "r"(WPAGE + 0x200) : "memory");
	__asm__ volatile("movq %1, (%0)" : : "r"(WPAGE + 0x300), "r"(7ull) : "memory");
	GUEST_SYNC(a, b, *(volatile uint64_t *)(WPAGE + 0x300));
}

/*
 * A read watch also takes writes (and fetches without execute-only EPT) away from the page:
 * the write outside the range is stepped silently too.
 */
TEST_VMXMON_ONLY(ept_watch_read_exits_in_range_only_and_returns_the_data)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_reads), 0);
	struct hit h[4];
	struct ucall uc;

	*(uint64_t *)whva(vcpu->vm, WADDR) = 0xabcd;
	*(uint64_t *)whva(vcpu->vm, WPAGE + 0x200) = 0x5555;
	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, R), 0);
	ASSERT_EQ(run_hits(t, vcpu, h, 4), 1);
	vcpu_expect_sync(vcpu, &uc);
	expect_hit(t, &h[0], WADDR, R, ld_in);
	EXPECT_EQ(uc.args[0], 0xabcd);
	EXPECT_EQ(uc.args[1], 0x5555);
	EXPECT_EQ(uc.args[2], 7);
	vcpu_run_done(vcpu);
}

extern const char ld_a[], ld_b[];

static void GUEST_CODE guest_reads_twice(void)
{
	uint64_t a, b;

	__asm__ volatile(".global ld_a\nld_a: movq (%1), %0" : "=r"(a) : "r"(WADDR) : "memory");
	__asm__ volatile(".global ld_b\nld_b: movq (%1), %0" : "=r"(b) : "r"(WADDR) : "memory");
	GUEST_SYNC(a, b);
}

/*
 * A debugger (the GDB stub) completes the access with KVM_GUESTDBG_SINGLESTEP to stop after
 * it: that step's trap must end the watch's step too. Without MTF (Bochs) the watch steps
 * with TF, and the debugger took the #DB first: the page stayed open for the vCPU, and the
 * next read (the very next instruction) was not seen. With MTF both end in the same exit.
 */
TEST_VMXMON_ONLY(ept_watch_step_ends_when_the_debugger_single_steps_the_access)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_reads_twice), 0);
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP };
	struct hit h[4];
	struct ucall uc;

	*(uint64_t *)whva(vcpu->vm, WADDR) = 0x77;
	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, R), 0);
	ASSERT_EQ(__vcpu_run(vcpu), 0);
	ASSERT_EQ(vcpu->run->exit_reason, VMXMON_EXIT_EPT_WATCH);
	EXPECT_EQ(vmxmon_run_ept_watch(vcpu->run)->rip, (uint64_t)ld_a);
	ASSERT_EQ(__vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	ASSERT_EQ(__vcpu_run(vcpu), 0);
	ASSERT_EQ(vcpu->run->exit_reason, KVM_EXIT_DEBUG);
	EXPECT_EQ(vcpu->run->debug.arch.pc, (uint64_t)ld_b);	/* after the read */
	dbg.control = 0;
	ASSERT_EQ(__vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	ASSERT_EQ(run_hits(t, vcpu, h, 4), 1);			/* the second read exits */
	vcpu_expect_sync(vcpu, &uc);
	expect_hit(t, &h[0], WADDR, R, ld_b);
	EXPECT_EQ(uc.args[0], 0x77);
	EXPECT_EQ(uc.args[1], 0x77);
	vcpu_run_done(vcpu);
}

/* ---- fetches ---- */

static uint64_t GUEST_CODE __attribute__((aligned(64))) watched_fn(uint64_t v)
{
	return v * 3;
}

static void GUEST_CODE guest_calls(void)
{
	uint64_t (*volatile fn)(uint64_t) = watched_fn;
	uint64_t a = fn(1), b = fn(2);

	GUEST_SYNC(a, b);
}

TEST_VMXMON_ONLY(ept_watch_exec_exits_on_each_fetch_of_the_watched_instruction)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_calls), 0);
	uint8_t *code = vm_gva2hva(vcpu->vm, (uint64_t)watched_fn);
	uint64_t gpa;
	struct hit h[4];
	struct ucall uc;

	ASSERT_TRUE(code != NULL);
	gpa = code - vcpu->vm->mem;
	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, gpa, 1, X), 0);
	ASSERT_EQ(run_hits(t, vcpu, h, 4), 2);
	vcpu_expect_sync(vcpu, &uc);
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(h[i].gpa, gpa);
		EXPECT_EQ(h[i].access, X);
		EXPECT_EQ(h[i].rip, (uint64_t)watched_fn);
		EXPECT_EQ(h[i].gla, (uint64_t)watched_fn);
	}
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[1], 6);
	vcpu_run_done(vcpu);
}

/*
 * MOV RAX, imm64 (10 bytes) at 3 bytes before a page whose first byte is watched for
 * execution, then RET on that page: the fetch that crosses into the page exits with the
 * instruction's RIP on the page before; the RET on the watched page, outside the range,
 * does not.
 */
#define XPAGE	(WPAGE + 0x2000)

static void GUEST_CODE guest_cross_fetch(void)
{
	uint64_t (*volatile fn)(void) = (uint64_t (*)(void))(XPAGE - 3);

	GUEST_SYNC(fn());
}

TEST_VMXMON_ONLY(ept_watch_exec_sees_a_fetch_that_crosses_into_the_page)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_cross_fetch), 0);
	static const uint8_t insn[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 0xc3 };
	struct hit h[4];
	struct ucall uc;

	memcpy(whva(vcpu->vm, XPAGE - 3), insn, sizeof(insn));
	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, XPAGE, 1, X), 0);
	ASSERT_EQ(run_hits(t, vcpu, h, 4), 1);
	vcpu_expect_sync(vcpu, &uc);
	EXPECT_EQ(h[0].gpa, XPAGE);
	EXPECT_EQ(h[0].access, X);
	EXPECT_EQ(h[0].rip, XPAGE - 3);
	EXPECT_EQ(uc.args[0], 0x0807060504030201ull);
	vcpu_run_done(vcpu);
}

/* ---- an access across two watched pages ---- */

extern const char st_cross[];

static void GUEST_CODE guest_cross_write(void)
{
	__asm__ volatile(".global st_cross\nst_cross: movq %1, (%0)"
			 : : "r"(XPAGE - 4), "r"(0x1122334455667788ull) : "memory");
	GUEST_SYNC(*(volatile uint64_t *)(XPAGE - 4));
}

TEST_VMXMON_ONLY(ept_watch_write_across_two_watched_pages_exits_for_each)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_cross_write), 0);
	struct hit h[4];
	struct ucall uc;
	int n;

	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, XPAGE - 4, 4, W), 0);
	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, XPAGE, 4, W), 0);
	n = run_hits(t, vcpu, h, 4);
	vcpu_expect_sync(vcpu, &uc);
	ASSERT_EQ(n, 2);
	/* One exit per page, in the order the CPU checks them; the same instruction. */
	EXPECT_EQ(h[0].gpa + h[1].gpa, (XPAGE - 4) + XPAGE);
	EXPECT_NE(h[0].gpa, h[1].gpa);
	EXPECT_EQ(h[0].rip, (uint64_t)st_cross);
	EXPECT_EQ(h[1].rip, (uint64_t)st_cross);
	EXPECT_EQ(uc.args[0], 0x1122334455667788ull);
	vcpu_run_done(vcpu);
}

/* ---- removal, zap ---- */

static void GUEST_CODE guest_write_loop(uint64_t n)
{
	for (uint64_t i = 1; i <= n; i++) {
		*(volatile uint64_t *)WADDR = i;
		GUEST_SYNC(i);
	}
}

TEST_VMXMON_ONLY(ept_watch_removed_exits_no_more)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_write_loop), 3);
	struct hit h[4];
	struct ucall uc;

	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, W), 0);
	EXPECT_EQ(run_hits(t, vcpu, h, 4), 1);
	vcpu_expect_sync(vcpu, &uc);
	EXPECT_EQ(run_hits(t, vcpu, h, 4), 1);		/* still armed */
	vcpu_expect_sync(vcpu, &uc);
	EXPECT_EQ(watch(vcpu->vm, VMXMON_DEL_EPT_WATCH, WADDR, 8, 0), 0);
	EXPECT_EQ(watch(vcpu->vm, VMXMON_DEL_EPT_WATCH, WADDR, 8, 0), -ENOENT);
	EXPECT_EQ(run_hits(t, vcpu, h, 4), 0);
	vcpu_expect_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(*(uint64_t *)whva(vcpu->vm, WADDR), 3);
	vcpu_run_done(vcpu);
}

/* The host mm drops the page (the notifier zaps its leaf): faulted back in, still watched. */
TEST_VMXMON_ONLY(ept_watch_stays_armed_after_the_page_is_zapped)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_write_loop), 3);
	struct hit h[4];
	struct ucall uc;

	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, W), 0);
	for (int i = 1; i <= 3; i++) {
		EXPECT_EQ(run_hits(t, vcpu, h, 4), 1);
		vcpu_expect_sync(vcpu, &uc);
		EXPECT_EQ(uc.args[0], (uint64_t)i);
		EXPECT_EQ(h[0].gpa, WADDR);
		EXPECT_EQ(*(uint64_t *)whva(vcpu->vm, WADDR), (uint64_t)i);
		ASSERT_EQ(madvise(whva(vcpu->vm, WPAGE), 4096, MADV_DONTNEED), 0);
	}
	vcpu_run_done(vcpu);
}

/* ---- event delivery onto a watched stack ---- */

static volatile uint64_t isr_hits, isr_rip;

void GUEST_CODE watch_isr(uint64_t rip)
{
	isr_hits++;
	isr_rip = rip;
}
GUEST_ISR(watch_isr_stub, watch_isr);

extern const char intn_rip[], intn_next[];

static void GUEST_CODE guest_int_on_watched_stack(void)
{
	__asm__ volatile(".global intn_rip\nintn_rip: int $0x41\n.global intn_next\nintn_next:"
			 : : : "memory");
	GUEST_SYNC(isr_hits, isr_rip);
	GUEST_SYNC(isr_hits, isr_rip);		/* the host injects an interrupt before this */
	GUEST_SYNC(isr_hits);
}

/*
 * INT 0x41 delivers onto IST1, whose top 40 bytes (the interrupt frame) are watched: the
 * delivery's write exits (SDM Vol. 3C 28.2.4: an EPT violation during event delivery, with
 * the IDT-vectoring information), flagged as event delivery, with the INT's RIP; the next
 * KVM_RUN delivers the event, once. The same for an interrupt from KVM_INTERRUPT.
 */
TEST_VMXMON_ONLY(ept_watch_on_the_stack_of_an_event_delivers_the_event_once)
{
	struct vcpu *vcpu = watch_guest(t, GUEST_FN(guest_int_on_watched_stack), 0);
	struct hit h[4];
	struct ucall uc;
	int n;

	vm_set_tss_ist(vcpu->vm, 1, WPAGE + 4096);
	vm_set_idt_gate(vcpu->vm, SOFT_VEC, watch_isr_stub, 1);
	ASSERT_EQ(watch(vcpu->vm, VMXMON_ADD_EPT_WATCH, WPAGE + 4096 - 40, 40, W), 0);
	n = run_hits(t, vcpu, h, 4);
	vcpu_expect_sync(vcpu, &uc);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(h[0].access, W);
	EXPECT_EQ(h[0].flags & VMXMON_EPT_WATCH_EXIT_EVENT, VMXMON_EPT_WATCH_EXIT_EVENT);
	EXPECT_GE(h[0].gpa, WPAGE + 4096 - 40);
	EXPECT_GT(WPAGE + 4096, h[0].gpa);
	EXPECT_EQ(h[0].rip, (uint64_t)intn_rip);
	EXPECT_EQ(uc.args[0], 1);			/* delivered, once */
	EXPECT_EQ(uc.args[1], (uint64_t)intn_next);

	/* An external interrupt (no in-kernel APIC: KVM_INTERRUPT) onto the same stack. */
	{
		struct kvm_interrupt irq = { .irq = SOFT_VEC };

		ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_INTERRUPT, (unsigned long)&irq), 0);
	}
	n = run_hits(t, vcpu, h, 4);
	vcpu_expect_sync(vcpu, &uc);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(h[0].flags & VMXMON_EPT_WATCH_EXIT_EVENT, VMXMON_EPT_WATCH_EXIT_EVENT);
	EXPECT_EQ(uc.args[0], 2);
	EXPECT_EQ(run_hits(t, vcpu, h, 4), 0);
	vcpu_expect_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 2);
	vcpu_run_done(vcpu);
}

/* ---- two vCPUs ---- */

extern const char st_vcpu[];

static void GUEST_CODE guest_vcpu_writes(uint64_t id)
{
	__asm__ volatile(".global st_vcpu\nst_vcpu: movq %1, (%0)"
			 : : "r"(WADDR), "r"(0x100 + id) : "memory");
	GUEST_SYNC(id, *(volatile uint64_t *)WADDR);
}

/*
 * vCPU 0 and vCPU 1 both stop on the watched page before their write; each KVM_RUN then
 * completes that vCPU's own write (run from one thread, in turn: no open window).
 */
TEST_VMXMON_ONLY(ept_watch_two_vcpus_stopped_on_one_page_each_complete_their_write)
{
	struct vm *vm = t_vm_new_mem(t, MEM_SIZE);
	struct vcpu *v[2] = { t_vcpu_add(vm, 0), t_vcpu_add(vm, 1) };
	struct hit h[4];
	struct ucall uc;

	for (int i = 0; i < 2; i++)
		vcpu_enter_long_mode(v[i], GUEST_FN(guest_vcpu_writes), i, 0);
	ASSERT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, W), 0);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(__vcpu_run(v[i]), 0);
		ASSERT_EQ(v[i]->run->exit_reason, VMXMON_EXIT_EPT_WATCH);
		EXPECT_EQ(vmxmon_run_ept_watch(v[i]->run)->rip, (uint64_t)st_vcpu);
	}
	EXPECT_EQ(*(uint64_t *)whva(vm, WADDR), 0);	/* neither write happened yet */
	EXPECT_EQ(run_hits(t, v[1], h, 4), 0);
	vcpu_expect_sync(v[1], &uc);
	EXPECT_EQ(uc.args[1], 0x101);
	EXPECT_EQ(run_hits(t, v[0], h, 4), 0);
	vcpu_expect_sync(v[0], &uc);
	EXPECT_EQ(uc.args[1], 0x100);
	vcpu_run_done(v[0]);
	vcpu_run_done(v[1]);
}

/* ---- arguments ---- */

TEST_VMXMON_ONLY(ept_watch_rejects_invalid_arguments)
{
	struct vm *vm = t_vm_new_mem(t, MEM_SIZE);
	struct vmxmon_ept_watch w = { .gpa = WADDR, .len = 8, .flags = W };
	int i;

	EXPECT_EQ(dev_ioctl(vm->fd, KVM_CHECK_EXTENSION, VMXMON_CAP_EPT_WATCH),
		  VMXMON_MAX_EPT_WATCHES);
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, 0), -EINVAL);	/* no kind */
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, W | 8), -EINVAL);
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, WADDR, 0, W), -EINVAL);
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, ~0ull - 4, 8, W), -EINVAL);	/* wraps */
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, 0, VMXMON_MAX_EPT_WATCH_LEN + 1, W), -E2BIG);
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, MEM_SIZE - 4, 8, W), -EINVAL); /* past RAM */
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, 0xfee00000, 8, W), -EINVAL);	/* not RAM */
	w.pad = 1;
	EXPECT_EQ(dev_ioctl(vm->fd, VMXMON_ADD_EPT_WATCH, (unsigned long)&w), -EINVAL);
	w.pad = 0;
	w.reserved[1] = 1;
	EXPECT_EQ(dev_ioctl(vm->fd, VMXMON_ADD_EPT_WATCH, (unsigned long)&w), -EINVAL);
	EXPECT_EQ(dev_ioctl(vm->fd, VMXMON_ADD_EPT_WATCH, 0), -EFAULT);
	EXPECT_EQ(watch(vm, VMXMON_DEL_EPT_WATCH, WADDR, 8, 0), -ENOENT);

	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, WADDR, 8, W), 0);
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, WADDR + 4, 8, R), -EEXIST);
	EXPECT_EQ(watch(vm, VMXMON_DEL_EPT_WATCH, WADDR, 8, W), -EINVAL);	/* flags */
	EXPECT_EQ(watch(vm, VMXMON_DEL_EPT_WATCH, WADDR, 4, 0), -ENOENT);	/* not exact */
	for (i = 1; i < VMXMON_MAX_EPT_WATCHES; i++)
		ASSERT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, REGION + i * 64, 8, R | W | X), 0);
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, REGION + i * 64, 8, W), -ENOSPC);
	EXPECT_EQ(watch(vm, VMXMON_DEL_EPT_WATCH, WADDR, 8, 0), 0);
	EXPECT_EQ(watch(vm, VMXMON_ADD_EPT_WATCH, REGION + i * 64, 8, W), 0);

	/* Deleting the memslot takes its watches along. */
	ASSERT_EQ(vm_set_region(vm->fd, 0, 0, 0, 0, NULL), 0);
	EXPECT_EQ(watch(vm, VMXMON_DEL_EPT_WATCH, REGION + 64, 8, 0), -ENOENT);
}
