// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: CPUID adjustment, the machine-check setup (MCG_CAP as QEMU asks for it),
 * the guest command line, the host TSC rate parser.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "x86_defs.h"
#include "loader/loader.h"
#include "util/host.h"
#include "vm/cpuid.h"
#include "vm/mce.h"
#include "vm/vm.h"

static struct kvm_cpuid_entry2 *leaf(struct kvm_cpuid2 *c, u32 fn, u32 idx)
{
	for (u32 i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

TEST_HOST(cpuid_is_pic_only_single_cpu_hypervisor)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 8 * sizeof(c->entries[0]));
	static const struct kvm_cpuid_entry2 in[] = {
		{ .function = 1, .eax = 0x306c3, .ebx = 0x05100800, .ecx = 0x7ffafbff,
		  .edx = 0xbfebfbff },
		{ .function = 4, .index = 0, .eax = 0x1c004121 },
		{ .function = 0xa, .eax = 0x07300402, .edx = 0x603 },
		{ .function = 0xb, .index = 0, .eax = 1, .ebx = 2, .ecx = 0x100, .edx = 7 },
		{ .function = 0xb, .index = 1, .eax = 4, .ebx = 8, .ecx = 0x201, .edx = 7 },
		{ .function = KVM_CPUID_FEATURES, .eax = 0x01ffffff, .edx = 1 },
	};

	ASSERT_TRUE(c);
	c->nent = sizeof(in) / sizeof(in[0]);
	memcpy(c->entries, in, sizeof(in));
	cpuid__adjust(c, 0, 1, 0);
	EXPECT_EQ(leaf(c, 1, 0)->ecx & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR);
	EXPECT_EQ(leaf(c, 1, 0)->ecx & CPUID_1_ECX_X2APIC, 0);
	EXPECT_EQ(leaf(c, 1, 0)->ecx & CPUID_1_ECX_TSC_DEADLINE, 0);
	EXPECT_EQ(leaf(c, 1, 0)->edx & CPUID_1_EDX_APIC, 0);
	EXPECT_EQ(leaf(c, 1, 0)->edx & CPUID_1_EDX_HTT, 0);
	EXPECT_EQ(leaf(c, 1, 0)->ebx, 0x00010800);		/* APIC ID 0, 1 CPU, CLFLUSH 8 */
	EXPECT_EQ(leaf(c, 4, 0)->eax >> 26, 0);			/* 1 core */
	EXPECT_EQ(leaf(c, 4, 0)->eax & 0x3fff, 0x0121);
	EXPECT_EQ(leaf(c, 0xa, 0)->eax, 0);			/* no PMU */
	EXPECT_EQ(leaf(c, 0xb, 0)->ebx, 1);
	EXPECT_EQ(leaf(c, 0xb, 0)->edx, 0);
	EXPECT_EQ(leaf(c, 0xb, 1)->ebx, 1);
	EXPECT_EQ(leaf(c, 0xb, 1)->eax, 0);
	EXPECT_EQ(leaf(c, 0xb, 1)->ecx, 0x201);
	EXPECT_EQ(leaf(c, KVM_CPUID_FEATURES, 0)->eax, 0x0100000b);	/* clock + no I/O delay only */
	EXPECT_EQ(leaf(c, KVM_CPUID_FEATURES, 0)->edx, 0);
	free(c);
}

TEST_HOST(cpuid_with_apic_shows_x2apic_deadline_and_per_vcpu_apic_ids)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 4 * sizeof(c->entries[0]));
	static const struct kvm_cpuid_entry2 in[] = {
		{ .function = 0, .eax = 0xd },
		{ .function = 1, .eax = 0x306c3, .ebx = 0x0800, .ecx = 0x80200000 | 0x1,
		  .edx = 0x200 },				/* vmxmon's: no leaf 0xb */
		{ .function = KVM_CPUID_SIGNATURE, .eax = KVM_CPUID_FEATURES },
	};

	ASSERT_TRUE(c);
	c->nent = sizeof(in) / sizeof(in[0]);
	memcpy(c->entries, in, sizeof(in));
	c = cpuid__with_topology(c);
	ASSERT_TRUE(c);
	ASSERT_EQ(c->nent, 6);
	ASSERT_TRUE(leaf(c, 0xb, 2));
	cpuid__adjust(c, 0, 2, CPUID_APIC | CPUID_TSC_DEADLINE);
	cpuid__adjust(c, 1, 2, CPUID_APIC | CPUID_TSC_DEADLINE);	/* again, for vCPU 1 */
	EXPECT_EQ(leaf(c, 1, 0)->edx & CPUID_1_EDX_APIC, CPUID_1_EDX_APIC);
	EXPECT_EQ(leaf(c, 1, 0)->ecx & CPUID_1_ECX_X2APIC, CPUID_1_ECX_X2APIC);	/* as supported */
	EXPECT_EQ(leaf(c, 1, 0)->ecx & CPUID_1_ECX_TSC_DEADLINE, CPUID_1_ECX_TSC_DEADLINE);
	EXPECT_EQ(leaf(c, 1, 0)->edx & CPUID_1_EDX_HTT, CPUID_1_EDX_HTT);	/* 2 logical CPUs */
	EXPECT_EQ(leaf(c, 1, 0)->ebx, 0x01020800);		/* APIC ID 1 of 2 */
	EXPECT_EQ(leaf(c, 0xb, 0)->edx, 1);			/* x2APIC ID 1 */
	EXPECT_EQ(leaf(c, 0xb, 0)->ecx, 0x100);		/* level 0: SMT, 1 thread */
	EXPECT_EQ(leaf(c, 0xb, 1)->ebx, 2);			/* level 1: core, 2 CPUs */
	EXPECT_EQ(leaf(c, 0xb, 1)->eax, 1);			/* APIC ID shift */
	EXPECT_EQ(leaf(c, 0xb, 2)->ecx, 2);			/* level 2: invalid, ends */
	EXPECT_EQ(leaf(c, 0xb, 2)->flags, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	cpuid__adjust(c, 0, 1, CPUID_APIC);			/* no deadline: hidden */
	EXPECT_EQ(leaf(c, 1, 0)->ecx & CPUID_1_ECX_TSC_DEADLINE, 0);
	free(c);
}

static void expect_cmdline(struct test_ctx *t, const char *append, const char *want)
{
	char *s = loader__cmdline(append, 100000);

	if (!s || strcmp(s, want))
		t_fail(t, __FILE__, __LINE__, "\"%s\": expected \"%s\", got \"%s\"", append, want,
		       s ? s : "(null)");
	free(s);
}

TEST_HOST(cmdline_gets_tsc_early_khz_before_init_arguments)
{
	expect_cmdline(t, "", "tsc_early_khz=100000");
	expect_cmdline(t, "console=ttyS0", "console=ttyS0 tsc_early_khz=100000");
	expect_cmdline(t, "console=ttyS0 -- uname -a", "console=ttyS0 tsc_early_khz=100000 -- uname -a");
	expect_cmdline(t, "-- sh", "tsc_early_khz=100000 -- sh");
	expect_cmdline(t, "quiet --", "quiet tsc_early_khz=100000 --");
	expect_cmdline(t, "a --b", "a --b tsc_early_khz=100000");
	expect_cmdline(t, "tsc_early_khz=5 quiet", "tsc_early_khz=5 quiet");
}

TEST_HOST(host_cpuinfo_mhz_parses_to_khz)
{
	EXPECT_EQ(host__cpuinfo_khz("\nprocessor\t: 0\ncpu MHz\t\t: 2304.012\ncache size\t: 1 KB\n"),
		  2304012);
	EXPECT_EQ(host__cpuinfo_khz("\ncpu MHz\t\t: 100.000\n"), 100000);
	EXPECT_EQ(host__cpuinfo_khz("\ncpu MHz\t\t: 99.5\n"), 99500);
	EXPECT_EQ(host__cpuinfo_khz("\nprocessor\t: 0\n"), 0);
}

/* QEMU's default IA32_MCG_CAP, within what the device supports (KVM: CMCI and LMCE too). */
TEST_HOST(mce_mcg_cap_is_qemus_default_within_the_device_limits)
{
	const uint64_t kvm_intel = MCG_CTL_P | MCG_SER_P | (1ull << 10) | (1ull << 27);

	EXPECT_EQ(mce__mcg_cap(kvm_intel, 32), MCG_CTL_P | MCG_SER_P | 10);
	EXPECT_EQ(mce__mcg_cap(MCG_CTL_P | MCG_SER_P, 32),
		  MCG_CTL_P | MCG_SER_P | 10);
	EXPECT_EQ(mce__mcg_cap(0, 32), 10);		/* no MCG_CTL: still the banks */
	EXPECT_EQ(mce__mcg_cap(MCG_CTL_P, 4), MCG_CTL_P | 4);	/* fewer banks */
	EXPECT_EQ(mce__mcg_cap(kvm_intel, 0), 0);	/* no KVM_CAP_MCE: no setup */
}
