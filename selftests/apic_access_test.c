// SPDX-License-Identifier: GPL-2.0
/*
 * The xAPIC page with the CPU's help: where VT-x has "virtualize APIC accesses" (the
 * APIC-access page), vmxmon lets the CPU virtualize the TPR at 0xfee00080 (no exit) and
 * turns every other access into an APIC-access exit that it decodes; a vCPU in x2APIC mode,
 * with its APIC disabled or moved, runs without it. KVM 6.1 (flexpriority without APICv)
 * emulates every access instead: the guest must not see a difference. So the KVM-identical
 * tests here check what the guest sees across those paths: the TPR written through memory
 * and read through CR8 (and the other way round), a vector held back by the TPR arriving as
 * soon as a memory write lowers it, EOI and ICR through memory, the page as a hole in x2APIC
 * mode and while disabled and as the APIC again afterwards, a relocated APIC base, the
 * base and mode through KVM_GET/SET_SREGS.apic_base. The
 * vmxmon-only ones check that the TPR really stays in the guest, and the page's lifetime.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apic.h"
#include "kvm_util.h"
#include "status.h"
#include "util.h"
#include "x86.h"

#define NLOG 8
#define MOVED_BASE 0xfed00000ul		/* a relocated APIC base, for one test */

static volatile uint64_t isr_log[NLOG], isr_n, isr_isr, no_eoi;

/* One vector handler: logs the vector, reads the ISR word of 0x80-0x9f, EOIs by memory. */
void GUEST_CODE isr_record(uint64_t vec)
{
	uint64_t n = isr_n;

	if (n < NLOG)
		isr_log[n] = vec;
	isr_isr = xapic_read(APIC_ISR + 0x40);
	isr_n = n + 1;
	if (!no_eoi)
		xapic_eoi();
}

VEC_ISR(41);
VEC_ISR(55);
VEC_ISR(61);
VEC_ISR(70);
VEC_ISR(71);
VEC_ISR(90);

/* A split-irqchip VM with one vCPU (APIC ID @id) running @fn in 64-bit mode. */
static struct vcpu *apic_guest(struct test_ctx *t, unsigned int id, void (*fn)(void))
{
	static const struct apic_gate gates[] = {
		{ 0x41, isr_41 }, { 0x55, isr_55 }, { 0x61, isr_61 }, { 0x70, isr_70 },
		{ 0x71, isr_71 }, { 0x90, isr_90 },
	};

	return t_apic_guest(t, id, fn, gates, sizeof(gates) / sizeof(gates[0]));
}

GUEST_INLINE uint64_t get_cr8(void)
{
	uint64_t cr8;

	__asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
	return cr8;
}

GUEST_INLINE void set_cr8(uint64_t cr8)
{
	__asm__ volatile("mov %0, %%cr8" : : "r"(cr8) : "memory");
}

/* Run @vcpu to its next GUEST_SYNC; its first @n arguments must be @want. */
static void sync_expect(struct test_ctx *t, struct vcpu *vcpu, const char *file, int line,
			const uint64_t *want, unsigned int n)
{
	struct ucall uc;

	vcpu_run_ucall_at(vcpu, UCALL_SYNC, &uc, file, line);
	for (unsigned int i = 0; i < n; i++)
		if (uc.args[i] != want[i])
			t_fail(t, file, line, "GUEST_SYNC argument %u: %#llx, expected %#llx", i,
			       (unsigned long long)uc.args[i], (unsigned long long)want[i]);
}

#define SYNC_EXPECT(vcpu, ...)								\
	sync_expect(t, vcpu, __FILE__, __LINE__, (const uint64_t[]){ __VA_ARGS__ },	\
		    sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

/* ---- the TPR: memory, CR8, KVM_GET/SET_LAPIC and kvm_run->cr8 are one register ---- */

static void GUEST_CODE guest_tpr_memory_and_cr8(void)
{
	xapic_enable();
	xapic_write(APIC_TASKPRI, 0x50);
	GUEST_SYNC(get_cr8(), xapic_read(APIC_TASKPRI), xapic_read(APIC_PROCPRI));
	set_cr8(3);
	GUEST_SYNC(xapic_read(APIC_TASKPRI), xapic_read(APIC_PROCPRI));
	xapic_write(APIC_TASKPRI, 0xffffff7b);		/* only bits 7:0 are the TPR */
	GUEST_SYNC(xapic_read(APIC_TASKPRI), get_cr8(), xapic_read(APIC_PROCPRI));
	GUEST_SYNC(xapic_read(APIC_TASKPRI), get_cr8());	/* after KVM_SET_LAPIC */
}

TEST_KVM_IDENTICAL(xapic_tpr_written_through_memory_is_cr8_and_the_other_way_round)
{
	struct vcpu *vcpu = apic_guest(t, 0, guest_tpr_memory_and_cr8);
	struct kvm_lapic_state s;
	uint32_t *r = (uint32_t *)s.regs;

	SYNC_EXPECT(vcpu, 5, 0x50, 0x50);		/* PPR follows (nothing in service) */
	SYNC_EXPECT(vcpu, 0x30, 0x30);
	SYNC_EXPECT(vcpu, 0x7b, 7, 0x7b);
	EXPECT_EQ(vcpu->run->cr8, 7);
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_LAPIC, (unsigned long)&s), 0);
	EXPECT_EQ(r[APIC_TASKPRI / 4], 0x7b);
	r[APIC_TASKPRI / 4] = 0x20;
	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_SET_LAPIC, (unsigned long)&s), 0);
	SYNC_EXPECT(vcpu, 0x20, 2);
	vcpu_run_done(vcpu);
}

/*
 * A vector the TPR holds back arrives right after the write that lowers the TPR below its
 * class, before the next instruction: through memory (with the APIC-access page, the CPU's
 * TPR-below-threshold exit) as through CR8, whichever raised it.
 */
static void GUEST_CODE guest_tpr_lowered(void)
{
	uint64_t n[3];

	xapic_enable();
	xapic_write(APIC_TASKPRI, 0x60);		/* raised by memory ... */
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x55);
	GUEST_ASSERT_EQ(isr_n, 0);
	xapic_write(APIC_TASKPRI, 0x40);		/* ... lowered by memory */
	n[0] = isr_n;
	set_cr8(6);					/* raised by CR8 ... */
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x61);
	GUEST_ASSERT_EQ(isr_n, 1);
	xapic_write(APIC_TASKPRI, 0);			/* ... lowered by memory */
	n[1] = isr_n;
	xapic_write(APIC_TASKPRI, 0x70);		/* raised by memory ... */
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x71);
	GUEST_ASSERT_EQ(isr_n, 2);
	set_cr8(0);					/* ... lowered by CR8 */
	n[2] = isr_n;
	GUEST_SYNC(n[0], n[1], n[2], isr_log[0], isr_log[1], isr_log[2]);
}

TEST_KVM_IDENTICAL(xapic_tpr_lowered_through_memory_lets_a_held_back_vector_in_at_once)
{
	struct vcpu *vcpu = apic_guest(t, 0, guest_tpr_lowered);

	SYNC_EXPECT(vcpu, 1, 2, 3, 0x55, 0x61, 0x71);
	vcpu_run_done(vcpu);
}

/* ---- EOI and ICR through memory ---- */

static void GUEST_CODE guest_icr_eoi(void)
{
	xapic_enable();
	no_eoi = 1;
	xapic_icr(3, 0x90);				/* fixed, physical: ourselves */
	GUEST_SYNC(isr_n, isr_isr, xapic_read(APIC_ICR), xapic_read(APIC_ICR2),
		   xapic_read(APIC_PROCPRI));
	xapic_eoi();
	GUEST_SYNC(xapic_read(APIC_ISR + 0x40), xapic_read(APIC_PROCPRI));
	no_eoi = 0;
	GUEST_SYNC(1);					/* the host sends a level MSI 0x70 */
	GUEST_SYNC(isr_n, isr_log[1]);			/* its EOI went to userspace first */
}

TEST_KVM_IDENTICAL(xapic_eoi_and_icr_written_through_memory_reach_the_apic)
{
	struct vcpu *vcpu = apic_guest(t, 3, guest_icr_eoi);
	const uint32_t level = APIC_INT_LEVELTRIG | APIC_INT_ASSERT | 0x70;
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} rt = {
		.r.nr = 1,
		.e[0] = { .gsi = 5, .type = KVM_IRQ_ROUTING_MSI,
			  .u.msi = { .address_lo = APIC_DEFAULT_PHYS_BASE | 3 << 12, .data = level } },
	};

	ASSERT_EQ(dev_ioctl(vcpu->vm->fd, KVM_SET_GSI_ROUTING, (unsigned long)&rt), 0);
	/* In its handler 0x90 is in service; ICR with delivery status idle; PPR 0x90. */
	SYNC_EXPECT(vcpu, 1, 1u << 16, 0x90, 3u << 24, 0x90);
	SYNC_EXPECT(vcpu, 0, 0);			/* the EOI retired it */
	SYNC_EXPECT(vcpu, 1);
	EXPECT_EQ(vm_signal_msi(vcpu->vm, 3, level), 1);
	vcpu_run_expect(vcpu, KVM_EXIT_IOAPIC_EOI);	/* from the handler's EOI by memory */
	EXPECT_EQ(vcpu->run->eoi.vector, 0x70);
	SYNC_EXPECT(vcpu, 2, 0x70);
	vcpu_run_done(vcpu);
}

/* ---- modes: x2APIC, disabled, back to xAPIC; a relocated base ---- */

static void GUEST_CODE guest_x2apic_and_back(void)
{
	uint64_t base = guest_rdmsr(MSR_IA32_APICBASE);

	xapic_enable();
	xapic_write(APIC_TASKPRI, 0x20);
	GUEST_SYNC(get_cr8());
	x2apic_enable();
	xapic_write(APIC_TASKPRI, 0x70);		/* dropped: not the APIC any more */
	GUEST_SYNC(xapic_read(APIC_TASKPRI), xapic_read(APIC_ID),
		   guest_rdmsr(X2APIC_MSR(APIC_TASKPRI)), get_cr8());
	guest_wrmsr(MSR_IA32_APICBASE, base & ~(MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE));
	xapic_write(APIC_TASKPRI, 0x70);
	GUEST_SYNC(xapic_read(APIC_TASKPRI), xapic_read(APIC_LVR));
	guest_wrmsr(MSR_IA32_APICBASE, base);		/* xAPIC again */
	GUEST_SYNC(xapic_read(APIC_ID), xapic_read(APIC_TASKPRI), xapic_read(APIC_LVR));
	xapic_write(APIC_TASKPRI, 0x30);
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x41);
	GUEST_SYNC(get_cr8(), isr_n, isr_log[0], xapic_read(APIC_ISR + 0x20));
}

TEST_KVM_IDENTICAL(xapic_page_is_a_hole_in_x2apic_and_disabled_and_the_apic_again_after)
{
	struct vcpu *vcpu = apic_guest(t, 3, guest_x2apic_and_back);

	SYNC_EXPECT(vcpu, 2);
	SYNC_EXPECT(vcpu, 0xffffffff, 0xffffffff, 0x20, 2);	/* x2APIC: ones, writes dropped */
	SYNC_EXPECT(vcpu, 0xffffffff, 0xffffffff);		/* disabled: the same */
	SYNC_EXPECT(vcpu, 3u << 24, 0x20, 0x01050014);		/* xAPIC: its ID back, 31:24 */
	SYNC_EXPECT(vcpu, 3, 1, 0x41, 0);
	vcpu_run_done(vcpu);
}

/*
 * Two vCPUs, one VM, modes apart: while the AP is in x2APIC mode (the page a hole for it),
 * the BSP's xAPIC page works as before; once the AP is back in xAPIC mode, for both.
 */
static void GUEST_CODE guest_mixed_bsp(void)
{
	xapic_enable();
	xapic_write(APIC_TASKPRI, 0x20);
	GUEST_SYNC(get_cr8());
	xapic_write(APIC_TASKPRI, 0x30);		/* the AP is in x2APIC mode now */
	xapic_write(APIC_ICR, APIC_DEST_SELF | 0x41);
	GUEST_SYNC(get_cr8(), xapic_read(APIC_TASKPRI), xapic_read(APIC_LVR), isr_n);
	xapic_write(APIC_TASKPRI, 0x40);		/* both in xAPIC mode again */
	GUEST_SYNC(get_cr8(), xapic_read(APIC_TASKPRI));
}

static void GUEST_CODE guest_mixed_ap(void)
{
	uint64_t base = guest_rdmsr(MSR_IA32_APICBASE);

	x2apic_enable();
	xapic_write(APIC_TASKPRI, 0x70);
	GUEST_SYNC(xapic_read(APIC_TASKPRI), guest_rdmsr(X2APIC_MSR(APIC_TASKPRI)));
	guest_wrmsr(MSR_IA32_APICBASE, base & ~MSR_IA32_APICBASE_ENABLE);
	guest_wrmsr(MSR_IA32_APICBASE, base);
	xapic_write(APIC_TASKPRI, 0x50);
	GUEST_SYNC(xapic_read(APIC_TASKPRI), get_cr8(), xapic_read(APIC_ID));
}

TEST_KVM_IDENTICAL(xapic_page_follows_each_vcpus_mode_with_the_other_in_x2apic)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *bsp = t_vcpu_add(vm, 0), *ap = t_vcpu_add(vm, 1);

	vm_set_idt_gate(vm, 0x41, isr_41, 0);
	ASSERT_EQ(vcpu_set_mp_state(ap, KVM_MP_STATE_RUNNABLE), 0);
	vcpu_enter_long_mode(bsp, GUEST_FN(guest_mixed_bsp), 0, 0);
	vcpu_enter_long_mode(ap, GUEST_FN(guest_mixed_ap), 0, 0);
	SYNC_EXPECT(bsp, 2);
	SYNC_EXPECT(ap, 0xffffffff, 0);			/* x2APIC: a hole */
	SYNC_EXPECT(bsp, 3, 0x30, 0x01050014, 1);
	SYNC_EXPECT(ap, 0x50, 5, 1u << 24);		/* xAPIC again */
	SYNC_EXPECT(bsp, 4, 0x40);
	vcpu_run_done(bsp);
	vcpu_run_done(ap);
}

static void GUEST_CODE guest_moved_base(void)
{
	xapic_enable();
	guest_wrmsr(MSR_IA32_APICBASE, MOVED_BASE | MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP);
	*(volatile uint32_t *)(MOVED_BASE + APIC_TASKPRI) = 0x40;
	GUEST_SYNC(get_cr8(), *(volatile uint32_t *)(MOVED_BASE + APIC_LVR),
		   xapic_read(APIC_LVR));		/* the last one: MMIO for userspace */
	xapic_write(APIC_TASKPRI, 0x50);		/* MMIO too */
	guest_wrmsr(MSR_IA32_APICBASE, APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP);
	xapic_write(APIC_TASKPRI, 0x60);
	GUEST_SYNC(get_cr8(), xapic_read(APIC_LVR));
}

TEST_KVM_IDENTICAL(relocated_apic_base_moves_the_xapic_page_and_back)
{
	struct vcpu *vcpu = apic_guest(t, 0, guest_moved_base);
	uint32_t val = 0x12345678;

	vm_map(vcpu->vm, MOVED_BASE, MOVED_BASE);
	vcpu_run_expect_mmio(vcpu, APIC_DEFAULT_PHYS_BASE + APIC_LVR, 4, false);
	memcpy(vcpu->run->mmio.data, &val, sizeof(val));
	SYNC_EXPECT(vcpu, 4, 0x01050014, 0x12345678);
	vcpu_run_expect_mmio(vcpu, APIC_DEFAULT_PHYS_BASE + APIC_TASKPRI, 4, true);
	EXPECT_EQ(*(uint32_t *)vcpu->run->mmio.data, 0x50);
	SYNC_EXPECT(vcpu, 6, 0x01050014);
	vcpu_run_done(vcpu);
}

/* ---- KVM_GET/SET_SREGS.apic_base is the APIC's IA32_APIC_BASE ---- */

#define BSP_XAPIC	(APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP)
#define BSP_MOVED	(MOVED_BASE | MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP)

static void GUEST_CODE guest_sregs_apic_base(void)
{
	xapic_enable();
	GUEST_SYNC(1);					/* the host moves the APIC */
	GUEST_SYNC(2, *(volatile uint32_t *)(MOVED_BASE + APIC_LVR),
		   guest_rdmsr(MSR_IA32_APICBASE));
	guest_wrmsr(MSR_IA32_APICBASE, BSP_MOVED & ~MSR_IA32_APICBASE_ENABLE);
	guest_wrmsr(MSR_IA32_APICBASE, BSP_XAPIC);
	x2apic_enable();
	GUEST_SYNC(3);					/* the host switches to xAPIC */
	GUEST_SYNC(4, xapic_read(APIC_LVR), guest_rdmsr(MSR_IA32_APICBASE));
}

/*
 * As KVM's __get_sregs()/__set_sregs(): KVM_GET_SREGS reports the APIC's base and mode,
 * and KVM_SET_SREGS moves and switches the APIC like a host write of IA32_APIC_BASE
 * (x2APIC -> xAPIC allowed), refusing reserved bits and x2APIC-without-enable with
 * -EINVAL: a VMM's save/restore keeps a relocated base and x2APIC mode.
 */
TEST_KVM_IDENTICAL(sregs_apic_base_is_the_apics_and_set_sregs_moves_and_switches_it)
{
	struct vcpu *vcpu = apic_guest(t, 0, guest_sregs_apic_base);
	struct kvm_sregs s, bad;
	uint64_t msr = 0;

	vm_map(vcpu->vm, MOVED_BASE, MOVED_BASE);
	SYNC_EXPECT(vcpu, 1);
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.apic_base, BSP_XAPIC);
	s.apic_base = BSP_MOVED;
	vcpu_set_sregs(vcpu, &s);
	EXPECT_EQ(vcpu_get_msr(vcpu, MSR_IA32_APICBASE, &msr), 1);
	EXPECT_EQ(msr, BSP_MOVED);
	bad = s;
	bad.apic_base = BSP_MOVED | 1;			/* reserved */
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&bad), -EINVAL);
	bad.apic_base = (BSP_MOVED & ~MSR_IA32_APICBASE_ENABLE) | X2APIC_ENABLE;	/* invalid mode */
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&bad), -EINVAL);
	EXPECT_EQ(vcpu_get_msr(vcpu, MSR_IA32_APICBASE, &msr), 1);
	EXPECT_EQ(msr, BSP_MOVED);
	SYNC_EXPECT(vcpu, 2, 0x01050014, BSP_MOVED);

	SYNC_EXPECT(vcpu, 3);
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.apic_base, BSP_XAPIC | X2APIC_ENABLE);
	s.apic_base = BSP_XAPIC;
	vcpu_set_sregs(vcpu, &s);
	SYNC_EXPECT(vcpu, 4, 0x01050014, BSP_XAPIC);
	vcpu_run_done(vcpu);
}

/* ---- vmxmon: the TPR stays in the guest; the page's lifetime ---- */

/* Is vmxmon using the APIC-access page (module parameter flexpriority, as kvm_intel's)? */
static bool vmxmon_flexpriority(struct test_ctx *t)
{
	char buf[8];

	if (read_file("/sys/module/vmxmon/parameters/flexpriority", buf, sizeof(buf)))
		t_skip(t, "no /sys/module/vmxmon/parameters/flexpriority");
	return buf[0] == 'Y';
}

#define TIMED 16

/* The cheapest of TIMED tries, in TSC ticks: a TPR write and read, and a PPR read. */
static void GUEST_CODE guest_time_tpr(void)
{
	uint64_t base = guest_rdmsr(MSR_IA32_APICBASE);

	xapic_enable();
	for (int round = 0; round < 2; round++) {
		uint64_t tpr = ~0ull, ppr = ~0ull;

		for (int i = 0; i < TIMED; i++) {
			uint64_t t0 = guest_rdtsc(), t1, t2;

			xapic_write(APIC_TASKPRI, 0x10);
			(void)xapic_read(APIC_TASKPRI);
			t1 = guest_rdtsc();
			(void)xapic_read(APIC_PROCPRI);
			t2 = guest_rdtsc();
			tpr = t1 - t0 < tpr ? t1 - t0 : tpr;
			ppr = t2 - t1 < ppr ? t2 - t1 : ppr;
		}
		GUEST_SYNC(tpr, ppr);
		x2apic_enable();			/* then back: the page comes back */
		guest_wrmsr(MSR_IA32_APICBASE, base & ~MSR_IA32_APICBASE_ENABLE);
		guest_wrmsr(MSR_IA32_APICBASE, base);
	}
}

/*
 * With the APIC-access page the TPR is read and written without an exit, while the PPR
 * still exits: a factor of 4 between them is far below what an exit costs (in Bochs about
 * 1,900 ticks against 7; on hardware over a thousand cycles against tens). Again after a
 * round trip through x2APIC mode, which takes the page away for a while.
 */
TEST_VMXMON_ONLY(xapic_tpr_through_memory_makes_no_exit_with_the_apic_access_page)
{
	struct vcpu *vcpu;
	struct ucall uc;

	if (!vmxmon_flexpriority(t))
		t_skip(t, "flexpriority=N: the CPU (or the module parameter) has no APIC-access page");
	vcpu = apic_guest(t, 0, guest_time_tpr);
	for (int round = 0; round < 2; round++) {
		vcpu_run_sync(vcpu, &uc);
		t_log(t, "round %d: TPR write + read: %llu ticks, PPR read (an exit): %llu ticks",
		      round, (unsigned long long)uc.args[0], (unsigned long long)uc.args[1]);
		EXPECT_TRUE(uc.args[0] * 4 < uc.args[1]);
	}
	vcpu_run_done(vcpu);
}

static unsigned long long status_pages(struct test_ctx *t)
{
	struct vmxmon_status s;

	t_status(t, &s);
	return s.pages;
}

static void GUEST_CODE guest_modes(void)
{
	uint64_t base = guest_rdmsr(MSR_IA32_APICBASE);

	xapic_enable();
	xapic_write(APIC_TASKPRI, 0x10);
	x2apic_enable();
	guest_wrmsr(MSR_IA32_APICBASE, base & ~MSR_IA32_APICBASE_ENABLE);
	guest_wrmsr(MSR_IA32_APICBASE, base);
	xapic_write(APIC_TASKPRI, 0x20);
}

/*
 * One APIC-access page per split-irqchip VM, with its first vCPU, and the three EPT tables
 * that map it at 0xfee00000 (the VM's RAM is near 0, and mapped only once the guest runs);
 * none without the split irqchip. All of it goes with the VM, also after the guest took
 * the page out of the EPT and back.
 */
TEST_VMXMON_ONLY(apic_access_page_comes_with_the_first_vcpu_and_goes_with_the_vm)
{
	bool fp = vmxmon_flexpriority(t);
	unsigned long long base, p0, p1, p2;
	struct vcpu *vcpu, *ap;
	struct vm *vm;

	base = status_pages(t);
	vm = t_vm_new(t);				/* no split irqchip */
	p0 = status_pages(t);
	vcpu = t_vcpu_add(vm, 0);
	EXPECT_EQ(status_pages(t) - p0, 2);		/* the VMCS, the MSR-load lists */
	vcpu_free(vcpu);
	vm_free(vm);
	EXPECT_EQ(status_pages(t), base);

	vm = t_vm_new_split(t);
	p0 = status_pages(t);
	vcpu = t_vcpu_add(vm, 0);
	p1 = status_pages(t);
	ap = t_vcpu_add(vm, 1);
	p2 = status_pages(t);
	/*
	 * VMCS, MSR-load lists (vmx/perf.c), APIC registers (+ the page and its 3 EPT tables:
	 * RAM is mapped only as the guest touches it, so no table was there yet)
	 */
	EXPECT_EQ(p1 - p0, fp ? 3 + 4 : 3);
	EXPECT_EQ(p2 - p1, 3);
	vcpu_enter_long_mode(vcpu, GUEST_FN(guest_modes), 0, 0);
	vcpu_run_done(vcpu);
	/* Plus the EPT tables of the RAM the guest touched: faulted in as it runs. */
	EXPECT_GE(status_pages(t), p2);
	vcpu_free(ap);
	vcpu_free(vcpu);
	vm_free(vm);
	EXPECT_EQ(status_pages(t), base);
}
