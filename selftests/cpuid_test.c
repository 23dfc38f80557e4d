// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID control: a table set with KVM_SET_CPUID2 is what the guest reads (present leaves,
 * leaves missing below the maximum, leaves above it), KVM_GET_CPUID2 returns it (-E2BIG when
 * the array is too small), and after the first KVM_RUN only the same table may be set; the
 * supported table offers nothing the host kernel has turned off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vm.h"
#include "x86.h"

struct probe {
	uint32_t fn, idx;
	uint32_t r[4];
};

static struct probe probes[] = {
	{ 2, 0, { 0 } },		/* present */
	{ 3, 0, { 0 } },		/* missing, below the maximum: zeros */
	{ 4, 7, { 0 } },		/* present, index not significant */
	{ 5, 0, { 0 } },		/* above the basic maximum: the highest basic leaf */
	{ 0x80000005, 0, { 0 } },	/* above the extended maximum: the same */
	{ 0x80000000, 0, { 0 } },
	{ KVM_CPUID_SIGNATURE, 0, { 0 } },	/* a class of its own */
};

static void GUEST_CODE guest_cpuid_probe(void)
{
	for (uint64_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		guest_cpuid(probes[i].fn, probes[i].idx, probes[i].r);
}

#define LEAF4 { 0x44440000, 0x44441111, 0x44442222, 0x44443333 }

/*
 * The supported table cut down: basic leaves 0 (maximum 4), 1, 2 and 4, no leaf 3; extended
 * leaves up to 0x80000001 (LM, NX: the guest is 64-bit); the hypervisor leaves.
 */
static struct kvm_cpuid2 *custom_table(struct vm *vm)
{
	struct kvm_cpuid2 *c = t_cpuid_copy(vm, 4);
	struct kvm_cpuid_entry2 *e;
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->nent; i++) {
		uint32_t fn = c->entries[i].function;

		if (fn <= 1 || (fn >= KVM_CPUID_SIGNATURE && fn <= KVM_CPUID_FEATURES) ||
		    fn == 0x80000000 || fn == 0x80000001)
			c->entries[n++] = c->entries[i];
	}
	c->nent = n;
	cpuid_entry(c, 0, 0)->eax = 4;
	cpuid_entry(c, 0x80000000, 0)->eax = 0x80000001;
	e = &c->entries[c->nent++];
	*e = (struct kvm_cpuid_entry2){ .function = 2, .eax = 0x22220000, .ebx = 0x22221111,
					.ecx = 0x22222222, .edx = 0x22223333 };
	e = &c->entries[c->nent++];
	*e = (struct kvm_cpuid_entry2){ .function = 4, .eax = 0x44440000, .ebx = 0x44441111,
					.ecx = 0x44442222, .edx = 0x44443333 };
	return c;
}

static void expect_regs(struct test_ctx *t, const struct probe *p, const uint32_t want[4])
{
	for (int r = 0; r < 4; r++)
		if (p->r[r] != want[r])
			t_fail(t, __FILE__, __LINE__, "CPUID %#x.%u reg %d: %#x, expected %#x",
			       p->fn, p->idx, r, p->r[r], want[r]);
}

TEST_KVM_IDENTICAL(cpuid_custom_table_present_missing_and_out_of_range_leaves)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_cpuid2 *c = custom_table(vcpu->vm);
	const uint32_t leaf2[4] = { 0x22220000, 0x22221111, 0x22222222, 0x22223333 };
	const uint32_t leaf4[4] = LEAF4, zero[4] = { 0 };
	const uint32_t ext[4] = { 0x80000001, 0, 0, 0 };
	struct kvm_cpuid_entry2 *sig = cpuid_entry(c, KVM_CPUID_SIGNATURE, 0);
	struct probe *p;

	ASSERT_TRUE(sig != NULL);
	ASSERT_EQ(vcpu_set_cpuid(vcpu, c), 0);
	vcpu_enter_long_mode(vcpu, GUEST_FN(guest_cpuid_probe), 0, 0);
	vcpu_run_done(vcpu);
	p = GUEST_VAR(vcpu->vm, probes);
	expect_regs(t, &p[0], leaf2);
	expect_regs(t, &p[1], zero);
	expect_regs(t, &p[2], leaf4);
	expect_regs(t, &p[3], leaf4);
	expect_regs(t, &p[4], leaf4);
	EXPECT_EQ(p[5].r[0], ext[0]);
	expect_regs(t, &p[6], (const uint32_t[4]){ sig->eax, sig->ebx, sig->ecx, sig->edx });
	free(c);
}

static struct kvm_cpuid2 *get_cpuid(struct vcpu *vcpu, uint32_t nent, long *r)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	c->nent = nent;
	*r = dev_ioctl(vcpu->fd, KVM_GET_CPUID2, (unsigned long)c);
	return c;
}

/* Leaves whose registers follow vCPU state (CR4.OSXSAVE, APIC_BASE.EN, XCR0). */
static bool dynamic_leaf(uint32_t fn)
{
	return fn == 1 || fn == 0xd || fn == 7;
}

TEST_KVM_IDENTICAL(get_cpuid2_returns_the_table_and_is_e2big_when_too_small)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_cpuid2 *c = custom_table(vcpu->vm), *got;
	long r;

	ASSERT_EQ(vcpu_set_cpuid(vcpu, c), 0);
	got = get_cpuid(vcpu, c->nent - 1, &r);
	EXPECT_EQ(r, -E2BIG);
	EXPECT_EQ(got->nent, c->nent - 1);	/* not written back */
	free(got);
	got = get_cpuid(vcpu, c->nent + 10, &r);
	ASSERT_EQ(r, 0);
	got->nent = c->nent;	/* KVM 6.1 leaves nent as passed on success; vmxmon sets it */
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *w = &c->entries[i];
		struct kvm_cpuid_entry2 *e = cpuid_entry(got, w->function, w->index);

		if (!e)
			t_fail(t, __FILE__, __LINE__, "leaf %#x.%u missing", w->function, w->index);
		else if (!dynamic_leaf(w->function) && memcmp(e, w, sizeof(*e)))
			t_fail(t, __FILE__, __LINE__, "leaf %#x.%u differs", w->function, w->index);
	}
	free(got);
	free(c);
}

TEST_KVM_IDENTICAL(supported_cpuid_too_small_and_set_cpuid2_too_large_are_e2big)
{
	struct vm *vm = t_vm_new(t);
	struct vcpu *vcpu = t_vcpu_add(vm, 0);
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 300 * sizeof(c->entries[0]));

	ASSERT_TRUE(c != NULL);
	c->nent = 1;
	EXPECT_EQ(dev_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)c), -E2BIG);
	c->nent = 0;
	EXPECT_EQ(dev_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)c), -E2BIG);
	c->nent = 257;				/* KVM_MAX_CPUID_ENTRIES + 1 */
	EXPECT_EQ(vcpu_set_cpuid(vcpu, c), -E2BIG);
	free(c);
}

static void GUEST_CODE guest_sync_twice(void)
{
	GUEST_SYNC(0);
	GUEST_SYNC(1);
}

TEST_KVM_IDENTICAL(set_cpuid2_after_kvm_run_only_accepts_the_same_table)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_cpuid2 *c = custom_table(vcpu->vm), *got;
	long r;

	ASSERT_EQ(vcpu_set_cpuid(vcpu, c), 0);
	vcpu_enter_long_mode(vcpu, GUEST_FN(guest_sync_twice), 0, 0);
	vcpu_run_sync(vcpu, NULL);
	EXPECT_EQ(vcpu_set_cpuid(vcpu, c), 0);			/* unchanged: fine */
	cpuid_entry(c, 2, 0)->eax ^= 1;
	EXPECT_EQ(vcpu_set_cpuid(vcpu, c), -EINVAL);
	cpuid_entry(c, 2, 0)->eax ^= 1;
	c->nent--;						/* one leaf fewer */
	EXPECT_EQ(vcpu_set_cpuid(vcpu, c), -EINVAL);
	got = get_cpuid(vcpu, c->nent + 10, &r);
	ASSERT_EQ(r, 0);
	got->nent = c->nent + 1;				/* the first table stays */
	EXPECT_TRUE(cpuid_entry(got, 4, 0) != NULL);
	EXPECT_EQ(cpuid_entry(got, 2, 0)->eax, 0x22220000);
	vcpu_run_sync(vcpu, NULL);
	vcpu_run_done(vcpu);
	free(got);
	free(c);
}

/*
 * CPUID.1:ECX: KVM 6.1 offers x2APIC always (it emulates it in software) and never the
 * TSC-deadline timer: userspace adds that bit when KVM_CAP_TSC_DEADLINE_TIMER says the
 * in-kernel APIC has the timer (a VM without it would see a timer whose MSR does not work).
 */
TEST_KVM_IDENTICAL(supported_cpuid_leaves_tsc_deadline_to_the_capability)
{
	struct vm *vm = t_vm_new(t);
	const struct kvm_cpuid_entry2 *e = cpuid_entry(vm_supported_cpuid(vm), 1, 0);

	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ecx & CPUID_1_ECX_TSC_DEADLINE, 0);
	EXPECT_EQ(e->ecx & CPUID_1_ECX_X2APIC, CPUID_1_ECX_X2APIC);
	EXPECT_EQ(dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER), 1);
}

/* A supported-table bit and the name /proc/cpuinfo gives the feature. */
struct host_flag {
	uint32_t fn, idx;
	int reg;			/* 0 eax, 1 ebx, 2 ecx, 3 edx */
	int bit;
	const char *name;
};

static const struct host_flag host_flags[] = {
	{ 1, 0, 2, 0, "pni" }, { 1, 0, 2, 1, "pclmulqdq" }, { 1, 0, 2, 9, "ssse3" },
	{ 1, 0, 2, 12, "fma" }, { 1, 0, 2, 13, "cx16" }, { 1, 0, 2, 19, "sse4_1" },
	{ 1, 0, 2, 20, "sse4_2" }, { 1, 0, 2, 22, "movbe" }, { 1, 0, 2, 23, "popcnt" },
	{ 1, 0, 2, 25, "aes" }, { 1, 0, 2, 26, "xsave" }, { 1, 0, 2, 28, "avx" },
	{ 1, 0, 2, 29, "f16c" }, { 1, 0, 2, 30, "rdrand" },
	{ 1, 0, 3, 0, "fpu" }, { 1, 0, 3, 3, "pse" }, { 1, 0, 3, 4, "tsc" },
	{ 1, 0, 3, 6, "pae" }, { 1, 0, 3, 7, "mce" }, { 1, 0, 3, 12, "mtrr" },
	{ 1, 0, 3, 13, "pge" }, { 1, 0, 3, 14, "mca" }, { 1, 0, 3, 16, "pat" },
	{ 1, 0, 3, 19, "clflush" }, { 1, 0, 3, 25, "sse" }, { 1, 0, 3, 26, "sse2" },
	{ 7, 0, 1, 0, "fsgsbase" }, { 7, 0, 1, 3, "bmi1" }, { 7, 0, 1, 5, "avx2" },
	{ 7, 0, 1, 7, "smep" }, { 7, 0, 1, 8, "bmi2" }, { 7, 0, 1, 9, "erms" },
	{ 7, 0, 1, 18, "rdseed" }, { 7, 0, 1, 19, "adx" }, { 7, 0, 1, 20, "smap" },
	{ 7, 0, 1, 23, "clflushopt" },
	{ 0xd, 1, 0, 0, "xsaveopt" },
	{ 0x80000001, 0, 2, 0, "lahf_lm" }, { 0x80000001, 0, 2, 5, "abm" },
	{ 0x80000001, 0, 2, 8, "3dnowprefetch" },
	{ 0x80000001, 0, 3, 20, "nx" }, { 0x80000001, 0, 3, 26, "pdpe1gb" },
	{ 0x80000001, 0, 3, 27, "rdtscp" }, { 0x80000001, 0, 3, 29, "lm" },
};

/*
 * KVM offers only features the host kernel itself has on (kvm_set_cpu_caps() starts from
 * boot_cpu_data): one the host turned off (clearcpuid=, errata, ERMS when firmware left
 * fast strings off in IA32_MISC_ENABLE, as Bochs does) must not reach a guest, which would
 * then run other code than under KVM (a guest's rep stosb instead of rep stosq: in Bochs,
 * eight times the instructions for every page it clears).
 */
TEST_KVM_IDENTICAL(supported_cpuid_offers_no_feature_the_host_kernel_disabled)
{
	struct vm *vm = t_vm_new(t);
	const struct kvm_cpuid2 *c = vm_supported_cpuid(vm);
	char *line = NULL, flags[8192] = " ";
	size_t cap = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	ASSERT_TRUE(f != NULL);
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "flags", 5) && strchr(line, ':')) {
			snprintf(flags, sizeof(flags), " %s", strchr(line, ':') + 1);
			break;
		}
	}
	free(line);
	fclose(f);
	for (char *p = flags; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	ASSERT_TRUE(strlen(flags) > 8);
	for (size_t i = 0; i < sizeof(host_flags) / sizeof(host_flags[0]); i++) {
		const struct host_flag *h = &host_flags[i];
		const struct kvm_cpuid_entry2 *e = cpuid_entry(c, h->fn, h->idx);
		uint32_t regs[4];
		char word[32];

		if (!e)
			continue;
		regs[0] = e->eax, regs[1] = e->ebx, regs[2] = e->ecx, regs[3] = e->edx;
		snprintf(word, sizeof(word), " %s ", h->name);
		if (regs[h->reg] & (1u << h->bit) && !strstr(flags, word))
			t_fail(t, __FILE__, __LINE__, "CPUID %#x.%u offers %s, which the host kernel has off",
			       h->fn, h->idx, h->name);
	}
}
