// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation: a guest reaches only the memory its VMM gave it, and sees none of the host's
 * virtualization features. A memslot removed is no longer reachable (the access exits as
 * MMIO); guest-physical addresses outside every slot exit as MMIO with exactly that address
 * and read only what the VMM answers; CPUID (KVM_GET_SUPPORTED_CPUID and the guest's own
 * CPUID instruction) shows no VMX, SMX, MONITOR or PMU; the host-only MSRs (feature control,
 * VMX capabilities, SPEC_CTRL and friends, performance counters) #GP in the guest.
 * (Fresh guest memory is the VMM's own anonymous memory: its contents are not ours to test.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "probe.h"
#include "rng.h"
#include "util.h"
#include "vm.h"

#define SLOT1_GPA	0x40000000ul	/* 1 GiB: a second slot, away from slot 0 */
#define SLOT1_SIZE	0x10000ul

/* ---- memslots ---- */

struct mmio_answer {
	const uint64_t *addrs;
	long next, count, bad;
};

/* Each MMIO read must be the next address of the list, 8 bytes; answer ~address. */
static bool mmio_exit(struct vcpu *g, void *opaque)
{
	struct mmio_answer *a = opaque;
	struct kvm_run *run = g->run;
	uint64_t v;

	if (run->exit_reason != KVM_EXIT_MMIO || a->next >= a->count)
		return false;
	if (run->mmio.is_write || run->mmio.len != 8 || run->mmio.phys_addr != a->addrs[a->next])
		a->bad++;
	v = ~run->mmio.phys_addr;
	memcpy(run->mmio.data, &v, 8);
	a->next++;
	return true;
}

/* Read 8 bytes at each address from the guest; returns how many exited as MMIO. */
static long guest_reads(struct test_ctx *t, struct vcpu *g, const uint64_t *addrs, long n,
			uint64_t *out, struct mmio_answer *a)
{
	uint64_t *list = probe_buf(g, PROBE_BUF_GPA), *res = list + n;
	struct kvm_regs regs = { .rsi = n, .r9 = PROBE_BUF_GPA, .rdi = PROBE_BUF_GPA + n * 8 };

	*a = (struct mmio_answer){ .addrs = addrs, .count = n };
	memcpy(list, addrs, n * 8);
	t_probe_call(t, g, PROBE_READ, &regs, mmio_exit, a, n + 2);
	memcpy(out, res, n * 8);
	EXPECT_EQ(probe_data(g)->faults, 0);
	return a->next;
}

static long set_slot1(struct vcpu *g, uint64_t size, void *hva)
{
	return dev_ioctl(g->vm->fd, KVM_SET_USER_MEMORY_REGION,
			 (unsigned long)&(struct kvm_userspace_memory_region){
				 .slot = 1, .guest_phys_addr = SLOT1_GPA, .memory_size = size,
				 .userspace_addr = (uintptr_t)hva });
}

TEST_KVM_IDENTICAL(a_removed_slot_is_no_longer_reachable)
{
	uint64_t addrs[] = { SLOT1_GPA, SLOT1_GPA + 0x8000, SLOT1_GPA + SLOT1_SIZE - 8 }, out[3];
	struct vcpu *g = t_probe_vm(t);
	uint64_t *a = mmap(NULL, SLOT1_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t *b = mmap(NULL, SLOT1_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct mmio_answer ans;

	ASSERT_TRUE(a != MAP_FAILED && b != MAP_FAILED);
	for (size_t i = 0; i < SLOT1_SIZE / 8; i++) {
		a[i] = 0xaaaa000000000000ull | i;
		b[i] = 0xbbbb000000000000ull | i;
	}
	for (int round = 0; round < 3; round++) {
		ASSERT_EQ(set_slot1(g, SLOT1_SIZE, a), 0);
		EXPECT_EQ(guest_reads(t, g, addrs, 3, out, &ans), 0);	/* RAM: no exit */
		for (int i = 0; i < 3; i++)
			EXPECT_EQ(out[i], a[(addrs[i] - SLOT1_GPA) / 8]);

		ASSERT_EQ(set_slot1(g, 0, NULL), 0);			/* removed */
		EXPECT_EQ(guest_reads(t, g, addrs, 3, out, &ans), 3);	/* each one exits */
		EXPECT_EQ(ans.bad, 0);
		for (int i = 0; i < 3; i++)
			EXPECT_EQ(out[i], ~addrs[i]);			/* what the VMM said */

		ASSERT_EQ(set_slot1(g, SLOT1_SIZE, b), 0);		/* other memory, same GPA */
		EXPECT_EQ(guest_reads(t, g, addrs, 3, out, &ans), 0);
		for (int i = 0; i < 3; i++)
			EXPECT_EQ(out[i], b[(addrs[i] - SLOT1_GPA) / 8]);
		ASSERT_EQ(set_slot1(g, 0, NULL), 0);
	}
	munmap(a, SLOT1_SIZE);
	munmap(b, SLOT1_SIZE);
	vm_free(g->vm);
}

TEST_KVM_IDENTICAL(memory_outside_every_slot_exits_as_mmio_with_its_address)
{
	uint64_t seed = t_seed(t, "GPAs outside the slots");
	struct vcpu *g = t_probe_vm(t);
	uint64_t addrs[256], out[256];
	struct mmio_answer ans;
	struct rng r;
	long n = 0;

	rng_init(&r, seed);
	addrs[n++] = BARE_MIN_MEM;			/* the first byte after slot 0 */
	addrs[n++] = BARE_MIN_MEM + 0x1000 - 8;
	addrs[n++] = 0xfec00000;			/* where an IOAPIC would be */
	addrs[n++] = 0xffff0000;			/* the reset vector's page */
	addrs[n++] = 0xfffffff8;			/* the last qword below 4 GiB */
	while (n < (long)ARRAY_SIZE(addrs)) {		/* random, 8-aligned, above slot 0 */
		uint64_t gpa = (BARE_MIN_MEM + rng_below(&r, (4ull << 30) - BARE_MIN_MEM)) & ~7ull;

		if (gpa >> 12 != 0xfee00)		/* the local APIC page may be the kernel's */
			addrs[n++] = gpa;
	}
	EXPECT_EQ(guest_reads(t, g, addrs, n, out, &ans), n);
	EXPECT_EQ(ans.bad, 0);
	for (long i = 0; i < n; i++)
		if (out[i] != ~addrs[i] && !t_failed(t))
			t_fail(t, __FILE__, __LINE__, "read at GPA %#llx: got %#llx, the VMM answered %#llx",
			       (unsigned long long)addrs[i], (unsigned long long)out[i],
			       (unsigned long long)~addrs[i]);
	t_log(t, "%ld reads outside the slots: %ld MMIO exits, each with its address and answer",
	      n, ans.next);
	vm_free(g->vm);
}

/* ---- CPUID ---- */

static struct kvm_cpuid2 *supported_cpuid(struct test_ctx *t)
{
	struct kvm_cpuid2 *c = NULL;
	int sys = t_open_dev(t);

	ASSERT_EQ(dev_supported_cpuid(sys, &c), 0);
	close(sys);
	return c;
}

/* What a guest must not see: in leaf 1 and leaf 0xa (PMU version and counters). */
static void expect_no_host_features(struct test_ctx *t, const char *who, uint32_t ecx1,
				    uint32_t eax_a)
{
	if (ecx1 & (CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_MONITOR | CPUID_1_ECX_PDCM))
		t_fail(t, __FILE__, __LINE__, "%s: CPUID.1:ECX %#x has VMX/SMX/MONITOR/PDCM", who, ecx1);
	EXPECT_EQ(eax_a & 0xff, 0);		/* PMU version 0: no architectural PMU */
	EXPECT_EQ(eax_a >> 8 & 0xff, 0);	/* no general-purpose counters */
}

TEST_VMXMON_ONLY(cpuid_shows_no_vmx_smx_monitor_or_pmu)
{
	struct kvm_cpuid2 *c = supported_cpuid(t);
	const struct kvm_cpuid_entry2 *l1 = cpuid_entry(c, 1, 0), *la = cpuid_entry(c, 0xa, 0);

	ASSERT_TRUE(l1 != NULL);
	expect_no_host_features(t, "KVM_GET_SUPPORTED_CPUID", l1->ecx, la ? la->eax : 0);
	EXPECT_TRUE(cpuid_entry(c, 5, 0) == NULL || cpuid_entry(c, 5, 0)->eax == 0);	/* MONITOR leaf */

	/* The guest's own CPUID: with the vCPU's default CPUID, and with the supported one. */
	for (int set = 0; set < 2; set++) {
		struct vcpu *g = t_probe_vm(t);
		uint32_t *pairs = probe_buf(g, PROBE_BUF_GPA), *res = pairs + 16;
		struct kvm_regs regs = { .rsi = 3, .r9 = PROBE_BUF_GPA, .rdi = PROBE_BUF_GPA + 64 };

		if (set)	/* before the first KVM_RUN, as KVM wants it */
			ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_CPUID2, (unsigned long)c), 0);
		pairs[0] = 1, pairs[1] = 0;
		pairs[2] = 0xa, pairs[3] = 0;
		pairs[4] = 5, pairs[5] = 0;
		t_probe_call(t, g, PROBE_CPUID, &regs, NULL, NULL, 16);
		expect_no_host_features(t, set ? "guest CPUID (supported set)" : "guest CPUID (default)",
					res[2], res[4]);
		EXPECT_EQ(res[8] & 0xffff, 0);			/* leaf 5: no MONITOR line size */
		vm_free(g->vm);
	}
	free(c);
}

/* Even with VMX forced into the guest's CPUID by its VMM, CR4.VMXE stays out of reach. */
TEST_VMXMON_ONLY(cr4_vmxe_gp_even_when_cpuid_claims_vmx)
{
	struct kvm_cpuid2 *c = supported_cpuid(t);
	struct kvm_cpuid_entry2 *l1 = cpuid_entry(c, 1, 0);
	struct vcpu *g = t_probe_vm(t);
	uint64_t *vec = probe_buf(g, PROBE_BUF_GPA);
	struct kvm_regs regs = { .r11 = 4, .r10 = 0, .rdi = PROBE_BUF_GPA,
				 .r12 = PROBE_BUF_GPA + 64 * 8 };

	ASSERT_TRUE(l1 != NULL);
	l1->ecx |= CPUID_1_ECX_VMX | CPUID_1_ECX_SMX;
	ASSERT_EQ(dev_ioctl(g->fd, KVM_SET_CPUID2, (unsigned long)c), 0);
	t_probe_call(t, g, PROBE_CR, &regs, NULL, NULL, 16);
	EXPECT_EQ(vec[13], 13);		/* VMXE */
	EXPECT_EQ(vec[14], 13);		/* SMXE */
	vm_free(g->vm);
	free(c);
}

/* ---- MSRs ---- */

/* MSRs only the host may touch: each RDMSR and WRMSR must #GP in the guest. */
static const struct msr_range {
	uint32_t first, count;
	const char *name;
} host_only[] = {
	{ 0x3a, 1, "IA32_FEATURE_CONTROL" },
	{ 0x480, 0x12, "IA32_VMX_BASIC..IA32_VMX_VMFUNC" },
	{ 0x48, 1, "IA32_SPEC_CTRL" },
	{ 0x49, 1, "IA32_PRED_CMD" },
	{ 0x10b, 1, "IA32_FLUSH_CMD" },
	{ 0x9b, 1, "IA32_SMM_MONITOR_CTL" },
	{ 0xc1, 8, "IA32_PMC0..7" },
	{ 0x186, 8, "IA32_PERFEVTSEL0..7" },
	{ 0x309, 3, "IA32_FIXED_CTR0..2" },
	{ 0x38d, 4, "IA32_FIXED_CTR_CTRL, IA32_PERF_GLOBAL_STATUS/CTRL/OVF_CTRL" },
	{ 0x4b564d00, 8, "KVM paravirtual (not advertised)" },
};

TEST_VMXMON_ONLY(host_only_msrs_gp_in_the_guest)
{
	struct vcpu *g = t_probe_vm(t);
	uint8_t *bitmap = probe_buf(g, PROBE_BUF_GPA);

	for (size_t i = 0; i < ARRAY_SIZE(host_only); i++) {
		for (int mode = 0; mode < 2; mode++) {	/* RDMSR, then WRMSR of 0 */
			struct kvm_regs regs = { .rsi = host_only[i].count, .r9 = host_only[i].first,
						 .r11 = mode, .r10 = 0, .rdi = PROBE_BUF_GPA };

			memset(bitmap, 0, 8);
			t_probe_call(t, g, PROBE_MSR, &regs, NULL, NULL, 16);
			for (uint32_t k = 0; k < host_only[i].count; k++)
				if (!(bitmap[k / 8] >> (k % 8) & 1))
					t_fail(t, __FILE__, __LINE__, "%s of MSR %#x (%s) did not #GP",
					       mode ? "WRMSR" : "RDMSR", host_only[i].first + k,
					       host_only[i].name);
		}
	}
	EXPECT_EQ(probe_data(g)->vectors[13], probe_data(g)->faults);	/* all #GP */
	vm_free(g->vm);
}
