// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: what vmxmon can show a guest (KVM_GET_SUPPORTED_CPUID: the host's features that
 * vmxmon virtualizes, the hypervisor bit and the KVM signature leaf so Linux guests treat
 * vmxmon as KVM; the APIC and x2APIC as KVM shows them; VMX, PMU, MONITOR/MWAIT, the
 * TSC-deadline timer (KVM_CAP_TSC_DEADLINE_TIMER) and everything unhandled hidden), what
 * one vCPU shows (KVM_SET_CPUID2, or the supported table until userspace sets one) and what
 * follows from it: the CR4 bits and XCR0 features the guest may enable, RDTSCP.
 * Lookups follow KVM (and Intel): a leaf above its class's maximum answers like the
 * highest basic leaf.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <asm/fpu/xcr.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xstate.h>
#include <asm/kvm_para.h>
#include <asm/processor.h>

#include "x86/lapic.h"
#include "x86/x86.h"

/*
 * A CPUID bit by the kernel's name for it (X86_FEATURE_*, <asm/cpufeatures.h>), checked at
 * build time to live in the register @word names (enum cpuid_leafs), as KVM's F().
 */
#define F(word, name)	(BUILD_BUG_ON_ZERO(X86_FEATURE_##name / 32 != CPUID_##word) + \
			 BIT(X86_FEATURE_##name & 31))

/* CPUID.1:ECX the guest may see, where the host has it. */
#define CPUID_1_ECX_OK		(F(1_ECX, XMM3) |		/* SSE3 */		\
				 F(1_ECX, PCLMULQDQ) |					\
				 F(1_ECX, SSSE3) |					\
				 F(1_ECX, CX16) |					\
				 F(1_ECX, XMM4_1) |		/* SSE4.1 */		\
				 F(1_ECX, XMM4_2) |		/* SSE4.2 */		\
				 F(1_ECX, MOVBE) |					\
				 F(1_ECX, POPCNT) |					\
				 F(1_ECX, AES) |					\
				 F(1_ECX, RDRAND))
/* ... and with YMM state in XCR0. */
#define CPUID_1_ECX_AVX		(F(1_ECX, FMA) |					\
				 F(1_ECX, AVX) |					\
				 F(1_ECX, F16C))
/*
 * CPUID.1:EDX. MCE and MCA: the guest's own machine-check banks (x86/mce.c), as KVM. APIC
 * follows IA32_APIC_BASE.EN (x86_cpuid()).
 */
#define CPUID_1_EDX_OK		(F(1_EDX, FPU) | F(1_EDX, VME) | F(1_EDX, DE) |		\
				 F(1_EDX, PSE) | F(1_EDX, TSC) | F(1_EDX, MSR) |	\
				 F(1_EDX, PAE) | F(1_EDX, MCE) | F(1_EDX, CX8) |	\
				 F(1_EDX, SEP) | F(1_EDX, MTRR) | F(1_EDX, PGE) |	\
				 F(1_EDX, MCA) | F(1_EDX, CMOV) | F(1_EDX, PAT) |	\
				 F(1_EDX, PSE36) | F(1_EDX, CLFLUSH) | F(1_EDX, MMX) |	\
				 F(1_EDX, FXSR) |					\
				 F(1_EDX, XMM) |		/* SSE */		\
				 F(1_EDX, XMM2))		/* SSE2 */
/* CPUID.(7,0):EBX. */
#define CPUID_7_EBX_OK		(F(7_0_EBX, FSGSBASE) |					\
				 F(7_0_EBX, BMI1) |					\
				 F(7_0_EBX, SMEP) |					\
				 F(7_0_EBX, BMI2) |					\
				 F(7_0_EBX, ERMS) |					\
				 F(7_0_EBX, RDSEED) |					\
				 F(7_0_EBX, ADX) |					\
				 F(7_0_EBX, SMAP) |					\
				 F(7_0_EBX, CLFLUSHOPT))
/* CPUID.(0xd,1):EAX. */
#define CPUID_D1_EAX_OK		F(D_1_EAX, XSAVEOPT)
/* CPUID.0x80000001:ECX and EDX. */
#define CPUID_81_ECX_OK		(F(8000_0001_ECX, LAHF_LM) |				\
				 F(8000_0001_ECX, ABM) |	/* LZCNT */		\
				 F(8000_0001_ECX, 3DNOWPREFETCH))	/* PREFETCHW */
#define CPUID_81_EDX_OK		(F(8000_0001_EDX, SYSCALL) |				\
				 F(8000_0001_EDX, NX) |					\
				 F(8000_0001_EDX, GBPAGES) |	/* 1-GByte pages */	\
				 F(8000_0001_EDX, LM))

#define X86_CPUID_MAX_BASIC	0xd
#define X86_CPUID_MAX_EXT	0x80000008
#define X86_GUEST_XFEATURES	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)

static struct kvm_cpuid_entry2 x86_supported[32];
static int x86_supported_nent;
u64 x86_host_xcr0;
bool x86_host_xsave;

static struct kvm_cpuid_entry2 *add_leaf(u32 fn, u32 idx)
{
	struct kvm_cpuid_entry2 *e = &x86_supported[x86_supported_nent++];

	e->function = fn;
	e->index = idx;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
	if (fn == 7 || fn == 0xd)
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	return e;
}

/* XSAVE area size for the given XCR0 features (legacy area + header + AVX). */
static u32 xstate_size(u64 xcr0)
{
	u32 eax, ebx, ecx, edx;

	if (!(xcr0 & XFEATURE_MASK_YMM))
		return 512 + 64;
	cpuid_count(0xd, 2, &eax, &ebx, &ecx, &edx);
	return ebx + eax;
}

/*
 * A capability word as the host kernel sees it: the raw CPUID bits less what Linux turned
 * off (clearcpuid=, errata, and ERMS and REP_GOOD when firmware left fast strings off in
 * IA32_MISC_ENABLE, arch/x86/kernel/cpu/intel.c). KVM starts its capabilities from this
 * same boot_cpu_data (kvm_set_cpu_caps()), so a feature the host does not use is never
 * offered to a guest; raw CPUID alone showed guests features their host had disabled.
 */
static u32 host_caps(enum cpuid_leafs word)
{
	return boot_cpu_data.x86_capability[word];
}

/* Build the supported table once, at load; @rdtscp: the backend can offer RDTSCP. */
void x86_cpuid_setup(bool rdtscp)
{
	bool xsave = boot_cpu_has(X86_FEATURE_XSAVE) && boot_cpu_has(X86_FEATURE_OSXSAVE);
	struct kvm_cpuid_entry2 *e;
	u32 fn;

	/*
	 * Without XSAVE in the host (a CPU without it, or Linux booted with "noxsave") there
	 * is no XCR0 to switch: XSETBV/XGETBV would #UD in the host. Then the guest gets no
	 * XSAVE either and the backend never touches XCR0, as KVM.
	 */
	x86_host_xsave = xsave;
	x86_host_xcr0 = xsave ? xgetbv(XCR_XFEATURE_ENABLED_MASK) : XFEATURE_MASK_FPSSE;
	x86_supported_nent = 0;

	e = add_leaf(0, 0);
	e->eax = min_t(u32, e->eax, X86_CPUID_MAX_BASIC);
	e = add_leaf(1, 0);
	e->ebx &= 0xff00;				/* CLFLUSH size; APIC id set per vCPU */
	e->ecx &= (CPUID_1_ECX_OK | (xsave ? F(1_ECX, XSAVE) : 0) |
		   (x86_host_xcr0 & XFEATURE_MASK_YMM ? CPUID_1_ECX_AVX : 0)) & host_caps(CPUID_1_ECX);
	/*
	 * x2APIC always, as KVM 6.1 (kvm_set_cpu_caps(): "KVM emulates x2apic in software"):
	 * the in-kernel APIC has it; a VM without one must not show it (KVM's rule too, its
	 * x2APIC MSRs #GP there). The TSC-deadline timer is not here: as in KVM, userspace adds
	 * it when KVM_CAP_TSC_DEADLINE_TIMER says the in-kernel APIC has it.
	 */
	e->ecx |= F(1_ECX, HYPERVISOR) | F(1_ECX, X2APIC);
	e->edx = (e->edx & CPUID_1_EDX_OK & host_caps(CPUID_1_EDX)) | F(1_EDX, APIC);
	e = add_leaf(7, 0);
	e->eax = 0;
	e->ebx &= (CPUID_7_EBX_OK | (x86_host_xcr0 & XFEATURE_MASK_YMM ? F(7_0_EBX, AVX2) : 0)) &
		  host_caps(CPUID_7_0_EBX);
	e->ecx = e->edx = 0;
	if (xsave) {
		e = add_leaf(0xd, 0);
		e->eax = x86_host_xcr0 & X86_GUEST_XFEATURES;
		e->ebx = e->ecx = xstate_size(e->eax);
		e->edx = 0;
		e = add_leaf(0xd, 1);
		e->eax &= CPUID_D1_EAX_OK & host_caps(CPUID_D_1_EAX);
		e->ebx = e->ecx = e->edx = 0;
		if (x86_host_xcr0 & XFEATURE_MASK_YMM)
			add_leaf(0xd, 2);
	}
	e = &x86_supported[x86_supported_nent++];
	*e = (struct kvm_cpuid_entry2){ .function = KVM_CPUID_SIGNATURE, .eax = KVM_CPUID_FEATURES };
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);
	x86_supported[x86_supported_nent++] =	/* no paravirtual features yet */
		(struct kvm_cpuid_entry2){ .function = KVM_CPUID_FEATURES };
	e = add_leaf(0x80000000, 0);
	e->eax = min_t(u32, e->eax, X86_CPUID_MAX_EXT);
	e->ebx = e->ecx = e->edx = 0;
	e = add_leaf(0x80000001, 0);
	e->eax = e->ebx = 0;
	e->ecx &= CPUID_81_ECX_OK & host_caps(CPUID_8000_0001_ECX);
	e->edx &= (CPUID_81_EDX_OK | (rdtscp ? F(8000_0001_EDX, RDTSCP) : 0)) &
		  host_caps(CPUID_8000_0001_EDX);
	for (fn = 0x80000002; fn <= 0x80000004; fn++)
		add_leaf(fn, 0);			/* brand string */
	add_leaf(0x80000006, 0);			/* L2 cache */
	e = add_leaf(0x80000008, 0);			/* address sizes */
	e->eax &= 0xffff;
	e->ebx = e->ecx = e->edx = 0;
}

int x86_get_supported_cpuid(struct kvm_cpuid_entry2 *entries, int max)
{
	if (max < x86_supported_nent)
		return -E2BIG;
	memcpy(entries, x86_supported, x86_supported_nent * sizeof(*entries));
	return x86_supported_nent;
}

static const struct kvm_cpuid_entry2 *cpuid_table(struct x86_vcpu *x, int *n)
{
	if (x->cpuid) {
		*n = x->cpuid_nent;
		return x->cpuid;
	}
	*n = x86_supported_nent;
	return x86_supported;
}

static const struct kvm_cpuid_entry2 *find(struct x86_vcpu *x, u32 fn, u32 idx)
{
	const struct kvm_cpuid_entry2 *t;
	int i, n;

	t = cpuid_table(x, &n);
	for (i = 0; i < n; i++)
		if (t[i].function == fn &&
		    (!(t[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || t[i].index == idx))
			return &t[i];
	return NULL;
}

/* Does the guest's CPUID offer RDTSCP (the backend lets it execute or #UD)? */
bool x86_cpuid_has_rdtscp(struct vmxmon_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e81 = find(vcpu_x86(vcpu), 0x80000001, 0);

	return e81 && (e81->edx & F(8000_0001_EDX, RDTSCP));
}


/* Derive what the guest may enable from its CPUID (at creation and KVM_SET_CPUID2). */
void x86_cpuid_apply(struct vmxmon_vcpu *vcpu)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	const struct kvm_cpuid_entry2 *e1 = find(x, 1, 0), *e7 = find(x, 7, 0);
	const struct kvm_cpuid_entry2 *ed = find(x, 0xd, 0);
	u32 ecx1 = e1 ? e1->ecx : 0, ebx7 = e7 ? e7->ebx : 0;

	x->cr4_allowed = X86_CR4_ALWAYS_VALID;
	if ((ecx1 & F(1_ECX, XSAVE)) && x86_host_xsave)	/* userspace may set the bit */
		x->cr4_allowed |= X86_CR4_OSXSAVE;
	if (ebx7 & F(7_0_EBX, FSGSBASE))
		x->cr4_allowed |= X86_CR4_FSGSBASE;
	if (ebx7 & F(7_0_EBX, SMEP))
		x->cr4_allowed |= X86_CR4_SMEP;
	if (ebx7 & F(7_0_EBX, SMAP))
		x->cr4_allowed |= X86_CR4_SMAP;
	x->xcr0_allowed = XFEATURE_MASK_FP |
		((ed ? ed->eax | ((u64)ed->edx << 32) : 0) & x86_host_xcr0 & X86_GUEST_XFEATURES);
	x86_call(cpuid_changed)(vcpu);
	if (x->lapic)
		x86_lapic_set_cpuid(x->lapic, ecx1 & F(1_ECX, X2APIC));
}

/* KVM_SET_CPUID2 (VMCS loaded). @entries was allocated by the caller and is now ours. */
int x86_set_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int nent)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	int i;

	for (i = 0; i < nent; i++) {
		const struct kvm_cpuid_entry2 *e = &entries[i];

		if ((e->flags & ~KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		    e->padding[0] || e->padding[1] || e->padding[2])
			return -EINVAL;
		if (e->function == 0xd && e->index == 0 &&
		    ((e->eax | ((u64)e->edx << 32)) & ~(x86_host_xcr0 & X86_GUEST_XFEATURES)))
			return -EINVAL;	/* XSAVE features the host cannot switch */
	}
	/* After the first KVM_RUN the CPUID may only be set again unchanged, as KVM. */
	if (x->ran && (nent != x->cpuid_nent || !x->cpuid ||
			 memcmp(entries, x->cpuid, nent * sizeof(*entries))))
		return -EINVAL;
	kfree(x->cpuid);
	x->cpuid = entries;
	x->cpuid_nent = nent;
	x86_cpuid_apply(vcpu);
	if (x86_set_xcr0(vcpu, x->xcr0 & x->xcr0_allowed))
		x->xcr0 = XFEATURE_MASK_FP;
	return 0;
}

int x86_get_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int max)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);

	if (!x->cpuid)
		return 0;
	if (max < x->cpuid_nent)
		return -E2BIG;
	memcpy(entries, x->cpuid, x->cpuid_nent * sizeof(*entries));
	return x->cpuid_nent;
}

void x86_cpuid(struct vmxmon_vcpu *vcpu, u32 fn, u32 idx, u32 *eax, u32 *ebx, u32 *ecx,
	       u32 *edx)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	const struct kvm_cpuid_entry2 *e = find(x, fn, idx);

	if (!e) {
		const struct kvm_cpuid_entry2 *basic = find(x, 0, 0);
		u32 cls = fn >= 0x40000000 && fn <= 0x4fffffff ? fn & 0xffffff00 :
			  fn & 0x80000000;
		const struct kvm_cpuid_entry2 *c = find(x, cls, 0);

		if (basic && !(c && fn <= c->eax)) {
			fn = basic->eax;
			e = find(x, fn, idx);
		}
	}
	*eax = e ? e->eax : 0;
	*ebx = e ? e->ebx : 0;
	*ecx = e ? e->ecx : 0;
	*edx = e ? e->edx : 0;

	/* The parts of CPUID that follow the guest's state. */
	if (fn == 1 && e) {
		if (!x->cpuid)
			*ebx |= (vcpu->id << 24) | (1 << 16);
		*ecx &= ~F(1_ECX, OSXSAVE);
		if (x86_call(get_cr4)(vcpu) & X86_CR4_OSXSAVE)
			*ecx |= F(1_ECX, OSXSAVE);
		/* APIC follows IA32_APIC_BASE.EN (SDM 11.4.3), as kvm_update_cpuid_runtime(). */
		*edx &= ~F(1_EDX, APIC);
		if (x86_get_apic_base(x) & MSR_IA32_APICBASE_ENABLE)
			*edx |= F(1_EDX, APIC);
	} else if (fn == 0xd && idx == 0 && e) {
		*ebx = xstate_size(x->xcr0);
	}
}

/* Does the guest's CPUID offer x2APIC (IA32_APIC_BASE.EXTD may be set)? */
bool x86_cpuid_x2apic(struct vmxmon_vcpu *vcpu)
{
	u32 eax, ebx, ecx, edx;

	x86_cpuid(vcpu, 1, 0, &eax, &ebx, &ecx, &edx);
	return ecx & F(1_ECX, X2APIC);
}
