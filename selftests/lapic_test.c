// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC of the split irqchip, one vCPU: KVM_CAP_SPLIT_IRQCHIP rules, the
 * xAPIC page at reset and in use (self IPIs, priorities, TPR and CR8, EOI, string moves),
 * x2APIC MSRs and the IA32_APIC_BASE transitions (#GP where the SDM and KVM say so), the
 * xAPIC page after x2APIC is on, and KVM_GET/SET_LAPIC. Interrupts from outside the APIC
 * (ExtINT, MSIs, the IOAPIC's EOI), CPUID.1:EDX.APIC and pending NMIs are in
 * lapic_irq_test.c, timers and a halted vCPU's CPU time in apic_timer_test.c, several vCPUs
 * in smp_test.c. The recording interrupt handlers both use are lib/apic_isr.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apic_isr.h"
#include "util.h"

/* ---- KVM_CAP_SPLIT_IRQCHIP and what needs it ---- */

TEST_KVM_IDENTICAL(split_irqchip_only_once_and_only_before_vcpus)
{
	struct vm *vm = t_vm_new(t);
	struct vcpu *vcpu;
	struct kvm_lapic_state s;

	EXPECT_EQ(vm_enable_split_irqchip(vm, 4097), -EINVAL);	/* > 4096 pins */
	vcpu = t_vcpu_add(vm, 0);
	EXPECT_EQ(vm_signal_msi(vm, 0, 0x30), -EINVAL);		/* no irqchip */
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_LAPIC, (unsigned long)&s), -EINVAL);
	EXPECT_EQ(vcpu_get_mp_state(vcpu), KVM_MP_STATE_RUNNABLE);
	EXPECT_EQ(vm_enable_split_irqchip(vm, 24), -EEXIST);	/* a vCPU exists */

	vm = t_vm_new(t);
	EXPECT_EQ(vm_enable_split_irqchip(vm, 24), 0);
	EXPECT_EQ(vm_enable_split_irqchip(vm, 24), -EEXIST);
	EXPECT_EQ(vm_signal_msi(vm, 0, 0x30), -EPERM);		/* no vCPU at all: KVM's -1 */
	vcpu = t_vcpu_add(vm, 0);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_LAPIC, (unsigned long)&s), 0);
	EXPECT_EQ(vcpu_get_mp_state(vcpu), KVM_MP_STATE_RUNNABLE);	/* the BSP */
	EXPECT_EQ(vcpu_get_mp_state(t_vcpu_add(vm, 1)), KVM_MP_STATE_UNINITIALIZED);
	EXPECT_EQ(vm_signal_msi(vm, 7, 0x30), 0);		/* no such APIC */
}

/* ---- the xAPIC page ---- */

static volatile uint64_t seen[20];

static void GUEST_CODE guest_xapic_reset_state(void)
{
	static const uint16_t off[] = {
		APIC_ID, APIC_LVR, APIC_TASKPRI, APIC_PROCPRI, APIC_LDR, APIC_DFR, APIC_SPIV,
		APIC_ESR, APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
		APIC_TMICT, APIC_TMCCT, APIC_TDCR,
	};

	for (unsigned int i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		seen[i] = xapic_read(off[i]);
	seen[17] = guest_rdmsr(MSR_IA32_APICBASE);
}

TEST_KVM_IDENTICAL(xapic_registers_at_reset)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_xapic_reset_state);
	volatile uint64_t *v = GUEST_VAR(vcpu->vm, seen);

	vcpu_run_done(vcpu);
	EXPECT_EQ(v[0], 0);				/* ID: vCPU 0 in bits 31:24 */
	EXPECT_EQ(v[1], 0x01050014);			/* version 0x14, 6 LVTs, directed EOI */
	EXPECT_EQ(v[2], 0);
	EXPECT_EQ(v[3], 0);
	EXPECT_EQ(v[4], 0);
	EXPECT_EQ(v[5], 0xffffffff);			/* DFR: flat model */
	EXPECT_EQ(v[6], 0xff);				/* SVR: software-disabled */
	EXPECT_EQ(v[7], 0);
	for (int i = 8; i <= 13; i++)
		EXPECT_EQ(v[i], i == 11 ? APIC_DM_EXTINT : APIC_LVT_MASKED);	/* BSP: LINT0 */
	EXPECT_EQ(v[14], 0);
	EXPECT_EQ(v[15], 0);
	EXPECT_EQ(v[16], 0);
	EXPECT_EQ(v[17], APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP);
}

static void GUEST_CODE guest_self_ipi_and_priorities(void)
{
	uint64_t cr8;

	xapic_enable();
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x50);
	GUEST_ASSERT_EQ(isr_n, 1);			/* delivered at once */
	GUEST_ASSERT_EQ(isr_isr50, 1u << 16);		/* in service in its handler */
	GUEST_ASSERT_EQ(isr_ppr, 0x50);
	GUEST_ASSERT_EQ(xapic_read(APIC_ISR + 0x20), 0);	/* EOI retired it */
	GUEST_ASSERT_EQ(xapic_read(APIC_PROCPRI), 0);

	xapic_write(APIC_TASKPRI, 0x60);		/* blocks class 5 */
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x55);
	GUEST_ASSERT_EQ(isr_n, 1);
	GUEST_ASSERT_EQ(xapic_read(APIC_IRR + 0x20), 1u << 0x15);
	GUEST_ASSERT_EQ(xapic_read(APIC_PROCPRI), 0x60);
	__asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
	GUEST_ASSERT_EQ(cr8, 6);			/* CR8 is TPR[7:4] */
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x61);	/* class 6 is not above TPR 0x60 */
	GUEST_ASSERT_EQ(isr_n, 1);
	__asm__ volatile("mov %0, %%cr8" : : "r"(4ul) : "memory");
	GUEST_ASSERT_EQ(xapic_read(APIC_TASKPRI), 0x40);
	GUEST_ASSERT_EQ(isr_n, 3);			/* 0x61 then 0x55 */
	GUEST_ASSERT_EQ(isr_log[1], 0x61);
	GUEST_ASSERT_EQ(isr_log[2], 0x55);
	xapic_write(APIC_TASKPRI, 0);

	/* CR8 raised (no exit with a TPR shadow) holds a vector back; lowered, lets it in. */
	__asm__ volatile("mov %0, %%cr8" : : "r"(5ul) : "memory");
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x50);
	GUEST_ASSERT_EQ(isr_n, 3);
	GUEST_ASSERT_EQ(xapic_read(APIC_TASKPRI), 0x50);
	__asm__ volatile("mov %0, %%cr8" : : "r"(0ul) : "memory");
	GUEST_ASSERT_EQ(isr_n, 4);
	xapic_write(APIC_ESR, 0);
	GUEST_SYNC(xapic_read(APIC_ESR), isr_n);
}

TEST_KVM_IDENTICAL(xapic_self_ipi_priorities_tpr_cr8_and_eoi)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_self_ipi_and_priorities);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);			/* no error */
	EXPECT_EQ(uc.args[1], 4);
	vcpu_run_done(vcpu);
}

static volatile uint32_t str_in = 0x3, str_out[2];

/*
 * LODS from the version register, MOVS from RAM into the timer's divide configuration and
 * back out: string moves that reach the xAPIC page (KVM's emulator runs them; vmxmon's
 * before its I/O bus stopped them with an emulation failure).
 */
static void GUEST_CODE guest_xapic_string_moves(void)
{
	uint64_t src = APIC_DEFAULT_PHYS_BASE + APIC_LVR, dst;
	uint32_t lvr;

	__asm__ volatile("cld; lodsl" : "=a"(lvr), "+S"(src) : : "memory");
	str_out[0] = lvr;
	src = (uint64_t)&str_in;
	dst = APIC_DEFAULT_PHYS_BASE + APIC_TDCR;
	__asm__ volatile("movsl" : "+S"(src), "+D"(dst) : : "memory");
	src = APIC_DEFAULT_PHYS_BASE + APIC_TDCR;
	dst = (uint64_t)&str_out[1];
	__asm__ volatile("movsl" : "+S"(src), "+D"(dst) : : "memory");
	GUEST_DONE();
}

TEST_KVM_IDENTICAL(xapic_registers_take_string_moves_in_the_kernel)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_xapic_string_moves);
	volatile uint32_t *out = GUEST_VAR(vcpu->vm, str_out);

	vcpu_run_done(vcpu);
	EXPECT_EQ(out[0], 0x01050014);			/* LVR, as at reset */
	EXPECT_EQ(out[1], 3);				/* TDCR: divide by 16 */
}

static void GUEST_CODE guest_xapic_read_then_sync(void)
{
	str_out[0] = xapic_read(APIC_LVR);
	GUEST_SYNC(0);
	GUEST_DONE();
}

/*
 * A read the in-kernel APIC answers never shows in kvm_run: its mmio fields keep what was
 * there (vmxmon's emulator used to complete such reads through kvm_run.mmio, and left
 * len and is_write behind). The ucall's KVM_EXIT_IO covers only the union's first 16
 * bytes; mmio.len and mmio.is_write lie past them.
 */
TEST_KVM_IDENTICAL(xapic_read_in_the_kernel_leaves_kvm_run_mmio_alone)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_xapic_read_then_sync);
	volatile uint32_t *out = GUEST_VAR(vcpu->vm, str_out);

	memset(&vcpu->run->mmio, 0xa5, sizeof(vcpu->run->mmio));
	vcpu_run_sync(vcpu, NULL);
	EXPECT_EQ(out[0], 0x01050014);
	EXPECT_EQ(vcpu->run->mmio.len, 0xa5a5a5a5u);
	EXPECT_EQ(vcpu->run->mmio.is_write, 0xa5);
	vcpu_run_done(vcpu);
}

/* ---- x2APIC ---- */

/* Guest MSR accesses and the exception each one raised (GUEST_NO_EXCEPTION: none). */
struct msr_probe {
	uint32_t msr;
	bool write;
	uint64_t val;		/* written, or read back */
	uint64_t vec;
};

static volatile struct msr_probe probes[32];
static volatile uint64_t nprobes;

static void GUEST_CODE guest_probe_msrs(void)
{
	for (uint64_t i = 0; i < nprobes; i++) {
		uint64_t v = probes[i].val;

		if (probes[i].write) {
			probes[i].vec = guest_wrmsr_safe(probes[i].msr, v);
		} else {
			probes[i].vec = guest_rdmsr_safe(probes[i].msr, &v);
			probes[i].val = v;
		}
	}
}

#define NOEXC GUEST_NO_EXCEPTION
#define GP 13
#define RD(m, e) { .msr = (m), .vec = (e) }
#define WR(m, v, e) { .msr = (m), .write = true, .val = (v), .vec = (e) }

/* Run the probes in order on vCPU id; check each vector (and reads against want_val). */
static void run_probes(struct test_ctx *t, unsigned int id, const struct msr_probe *p,
		       const uint64_t *want_val, unsigned int n)
{
	struct vcpu *vcpu = lapic_guest(t, id, guest_probe_msrs);
	volatile struct msr_probe *g = GUEST_VAR(vcpu->vm, probes);

	for (unsigned int i = 0; i < n; i++) {
		g[i].msr = p[i].msr;
		g[i].write = p[i].write;
		g[i].val = p[i].val;
		g[i].vec = ~0ull;
	}
	GUEST_VAR(vcpu->vm, nprobes) = n;
	GUEST_VAR(vcpu->vm, x2) = 1;			/* after the switch, EOI by MSR */
	vcpu_run_done(vcpu);
	for (unsigned int i = 0; i < n; i++) {
		if (g[i].vec != p[i].vec)
			t_log(t, "probe %u: %s %#x", i, p[i].write ? "wrmsr" : "rdmsr", p[i].msr);
		EXPECT_EQ(g[i].vec, p[i].vec);
		if (!p[i].write && want_val && want_val[i] != ~0ull) {
			if (g[i].val != want_val[i])
				t_log(t, "probe %u: rdmsr %#x", i, p[i].msr);
			EXPECT_EQ(g[i].val, want_val[i]);
		}
	}
	GUEST_VAR(vcpu->vm, isr_n) = 0;
}

TEST_KVM_IDENTICAL(x2apic_msrs_need_x2apic_mode_and_follow_the_sdm)
{
	const uint64_t base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE;
	const struct msr_probe p[] = {
		RD(X2APIC_MSR(APIC_ID), GP),			/* xAPIC mode: no x2APIC MSRs */
		WR(MSR_IA32_APICBASE, base | X2APIC_ENABLE, NOEXC),
		RD(X2APIC_MSR(APIC_ID), NOEXC),			/* 5: the vCPU id */
		RD(X2APIC_MSR(APIC_LDR), NOEXC),		/* 6: cluster 0, bit 3 */
		RD(X2APIC_MSR(APIC_LVR), NOEXC),
		WR(X2APIC_MSR(APIC_ID), 7, GP),			/* read-only here */
		WR(X2APIC_MSR(APIC_LDR), 7, GP),
		RD(X2APIC_MSR(APIC_DFR), GP),			/* no DFR, ICR2, ARBPRI */
		RD(X2APIC_MSR(APIC_ICR2), GP),
		RD(X2APIC_MSR(APIC_ARBPRI), GP),
		RD(X2APIC_MSR(APIC_EOI), GP),			/* write-only */
		RD(X2APIC_MSR(APIC_SELF_IPI), GP),
		RD(0x801, GP),					/* reserved */
		WR(0x801, 0, GP),
		WR(X2APIC_MSR(APIC_TASKPRI), 1ull << 32, GP),	/* bits 63:32 reserved */
		WR(X2APIC_MSR(APIC_SPIV), APIC_SPIV_APIC_ENABLED | 0xff, NOEXC),
		WR(X2APIC_MSR(APIC_TASKPRI), 0x20, NOEXC),
		RD(X2APIC_MSR(APIC_TASKPRI), NOEXC),		/* 0x20 */
		RD(X2APIC_MSR(APIC_PROCPRI), NOEXC),		/* 0x20 */
		WR(X2APIC_MSR(APIC_TASKPRI), 0, NOEXC),
		WR(X2APIC_MSR(APIC_ICR), 5ull << 32 | 0x60, NOEXC),	/* one 64-bit ICR */
		RD(X2APIC_MSR(APIC_ICR), NOEXC),
		WR(X2APIC_MSR(APIC_SELF_IPI), 0x61, NOEXC),
		WR(X2APIC_MSR(APIC_EOI), 0, NOEXC),		/* none in service */
		RD(X2APIC_MSR(APIC_TMICT), NOEXC),
		RD(X2APIC_MSR(APIC_LVTCMCI), GP),		/* no CMCI: no LVT CMCI */
		WR(X2APIC_MSR(APIC_LVTCMCI), 0, GP),
		WR(X2APIC_MSR(APIC_SELF_IPI), 0x100, GP),	/* bits 31:8 reserved */
		WR(X2APIC_MSR(APIC_SELF_IPI), 0xff00, GP),
		WR(X2APIC_MSR(APIC_SELF_IPI), 0xff000000, GP),
		WR(MSR_IA32_APICBASE, base, GP),		/* x2APIC -> xAPIC directly */
		WR(MSR_IA32_APICBASE, base & ~MSR_IA32_APICBASE_ENABLE, NOEXC),	/* -> disabled */
		WR(MSR_IA32_APICBASE, base | X2APIC_ENABLE, GP),	/* disabled -> x2APIC */
		WR(MSR_IA32_APICBASE, (base & ~MSR_IA32_APICBASE_ENABLE) | X2APIC_ENABLE, GP), /* invalid */
		WR(MSR_IA32_APICBASE, base | 1, GP),		/* reserved bit 0 */
		WR(MSR_IA32_APICBASE, base, NOEXC),		/* -> xAPIC */
		RD(MSR_IA32_APICBASE, NOEXC),
	};
	uint64_t want[sizeof(p) / sizeof(p[0])];

	memset(want, 0xff, sizeof(want));
	want[2] = 5;
	want[3] = 1 << 5;
	want[4] = 0x01050014;
	want[17] = 0x20;
	want[18] = 0x20;
	want[21] = 5ull << 32 | 0x60;
	want[24] = 0;
	want[36] = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE;
	run_probes(t, 5, p, want, sizeof(p) / sizeof(p[0]));
}

static void GUEST_CODE guest_x2apic_ipis(void)
{
	x2 = 1;
	x2apic_enable();
	guest_wrmsr(X2APIC_MSR(APIC_ICR), 5ull << 32 | 0x60);	/* physical: ourselves */
	guest_wrmsr(X2APIC_MSR(APIC_SELF_IPI), 0x61);
	guest_wrmsr(X2APIC_MSR(APIC_ICR), APIC_DEST_SELF | 0x70);
	guest_wrmsr(X2APIC_MSR(APIC_ICR), (uint64_t)(1 << 5) << 32 | APIC_DEST_LOGICAL | 0x71);
	guest_wrmsr(X2APIC_MSR(APIC_ICR), (uint64_t)(1 << 16 | 1 << 5) << 32 | APIC_DEST_LOGICAL |
		    0x80);
	GUEST_SYNC(isr_n, isr_log[0], isr_log[1], isr_log[2], isr_log[3]);
}

TEST_KVM_IDENTICAL(x2apic_icr_self_ipi_and_logical_destinations)
{
	struct vcpu *vcpu = lapic_guest(t, 5, guest_x2apic_ipis);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 4);			/* cluster 1 is not ours */
	EXPECT_EQ(uc.args[1], 0x60);
	EXPECT_EQ(uc.args[2], 0x61);
	EXPECT_EQ(uc.args[3], 0x70);
	EXPECT_EQ(uc.args[4], 0x71);
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_xapic_page_in_x2apic_mode(void)
{
	x2apic_enable();
	GUEST_SYNC(1);
	GUEST_SYNC(xapic_read(APIC_LVR));
	xapic_write(APIC_TASKPRI, 0x30);
	GUEST_SYNC(guest_rdmsr(X2APIC_MSR(APIC_TASKPRI)), xapic_read(APIC_TASKPRI));
}

/*
 * With x2APIC on, the xAPIC page is no longer the APIC. KVM (its LAPIC_MMIO_HOLE quirk)
 * keeps the page to itself: reads give all ones, writes are dropped, nothing reaches
 * userspace.
 */
TEST_KVM_IDENTICAL(xapic_page_after_x2apic_enable_reads_ones_and_drops_writes)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_xapic_page_in_x2apic_mode);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0xffffffff);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);
	EXPECT_EQ(uc.args[1], 0xffffffff);
	vcpu_run_done(vcpu);
}

/* ---- KVM_GET/SET_LAPIC ---- */

static void GUEST_CODE guest_lapic_state(void)
{
	xapic_enable();
	xapic_write(APIC_TDCR, 0xa);			/* divide by 128 */
	xapic_write(APIC_LVTT, 0x41);			/* one-shot, vector 0x41 */
	xapic_write(APIC_TMICT, 2000000000);		/* 256 s: it will not fire here */
	xapic_write(APIC_TASKPRI, 0x10);
	isr_sync = 1;
	isr_no_eoi = 0x90;
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x90);	/* in service, SYNC in the handler */
	isr_sync = 0;
	isr_no_eoi = 0;
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x80);	/* below PPR 0x90: stays in IRR */
	GUEST_SYNC(isr_n);
	xapic_write(APIC_EOI, 0);			/* 0x90 done: 0xa0 (host) then 0x80 */
	GUEST_SYNC(isr_n, isr_log[1], isr_log[2], xapic_read(APIC_PROCPRI));
	xapic_write(APIC_TMICT, 0);
}

TEST_KVM_IDENTICAL(get_set_lapic_round_trip_with_isr_irr_and_timer)
{
	struct vcpu *vcpu = lapic_guest(t, 0, guest_lapic_state);
	struct kvm_lapic_state s, s2;
	uint32_t *r = (uint32_t *)s.regs, *r2 = (uint32_t *)s2.regs;
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0x1090);			/* in the 0x90 handler */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_LAPIC, (unsigned long)&s), 0);
	EXPECT_EQ(r[APIC_ID / 4], 0);
	EXPECT_EQ(r[APIC_SPIV / 4], APIC_SPIV_APIC_ENABLED | 0xff);
	EXPECT_EQ(r[APIC_TASKPRI / 4], 0x10);
	EXPECT_EQ(r[APIC_PROCPRI / 4], 0x90);
	EXPECT_EQ(r[APIC_LVTT / 4], 0x41);
	EXPECT_EQ(r[APIC_TMICT / 4], 2000000000);
	EXPECT_TRUE(r[APIC_TMCCT / 4] > 0 && r[APIC_TMCCT / 4] < 2000000000);
	EXPECT_TRUE(apic_regs_vec(s.regs, APIC_ISR, 0x90));
	EXPECT_TRUE(apic_regs_vec(s.regs, APIC_IRR, 0x80));
	EXPECT_TRUE(!apic_regs_vec(s.regs, APIC_IRR, 0x90));

	/* Back unchanged, then with 0xa0 pending as well. */
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_LAPIC, (unsigned long)&s), 0);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_LAPIC, (unsigned long)&s2), 0);
	for (unsigned int off = 0; off < 0x400; off += 16) {
		if (off == APIC_TMCCT)
			continue;
		if (r[off / 4] != r2[off / 4])
			t_log(t, "register %#x: %#x before, %#x after", off, r[off / 4],
			      r2[off / 4]);
		EXPECT_EQ(r2[off / 4], r[off / 4]);
	}
	EXPECT_TRUE(r2[APIC_TMCCT / 4] > 0 && r2[APIC_TMCCT / 4] <= 2000000000);
	s2.regs[APIC_IRR + 0xa0 / 32 * 16] |= 1;	/* vector 0xa0 */
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_LAPIC, (unsigned long)&s2), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[1], 0xa0);
	EXPECT_EQ(uc.args[2], 0x80);
	EXPECT_EQ(uc.args[3], 0x10);
	vcpu_run_done(vcpu);
}

static void GUEST_CODE guest_x2apic_id_in_state(void)
{
	x2apic_enable();
}

/* Without KVM_CAP_X2APIC_API the ID of an x2APIC stays in xAPIC format in the state. */
TEST_KVM_IDENTICAL(get_lapic_in_x2apic_mode_has_the_id_in_bits_31_24)
{
	struct vcpu *vcpu = lapic_guest(t, 5, guest_x2apic_id_in_state);
	struct kvm_lapic_state s;
	uint32_t *r = (uint32_t *)s.regs;

	vcpu_run_done(vcpu);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_LAPIC, (unsigned long)&s), 0);
	EXPECT_EQ(r[APIC_ID / 4], 5u << 24);
	EXPECT_EQ(r[APIC_LDR / 4], 1u << 5);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_LAPIC, (unsigned long)&s), 0);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_LAPIC, (unsigned long)&s), 0);
	EXPECT_EQ(r[APIC_ID / 4], 5u << 24);
}
