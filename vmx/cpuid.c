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
#include <asm/fpu/xstate.h>
#include <asm/processor.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define F(x)			BIT(x)
#define CPUID_1_ECX_OK		(F(0) | F(1) | F(9) | F(13) | F(19) | F(20) | F(22) | F(23) | \
				 F(25) | F(30))		/* SSE3..SSE4.2, MOVBE, POPCNT, AES, RDRAND */
#define CPUID_1_ECX_AVX		(F(12) | F(28) | F(29))	/* FMA, AVX, F16C: need YMM state */
#define CPUID_1_ECX_XSAVE	F(26)
#define CPUID_1_ECX_OSXSAVE	F(27)
#define CPUID_1_ECX_HYPERVISOR	F(31)
/* MCE and MCA (bits 7, 14): the guest's own machine-check banks (vmx/mce.c), as KVM. */
#define CPUID_1_EDX_OK		(F(0) | F(1) | F(2) | F(3) | F(4) | F(5) | F(6) | F(7) | \
				 F(8) | F(11) | F(12) | F(13) | F(14) | F(15) | F(16) | F(17) | \
				 F(19) | F(23) | F(24) | F(25) | F(26))
#define CPUID_7_EBX_OK		(F(0) | F(3) | F(7) | F(8) | F(9) | F(18) | F(19) | F(20) | F(23))
#define CPUID_7_EBX_AVX2	F(5)
#define CPUID_7_EBX_FSGSBASE	F(0)
#define CPUID_7_EBX_SMEP	F(7)
#define CPUID_7_EBX_SMAP	F(20)
#define CPUID_D1_EAX_OK		F(0)				/* XSAVEOPT */
#define CPUID_81_ECX_OK		(F(0) | F(5) | F(8))		/* LAHF, LZCNT, PREFETCHW */
#define CPUID_81_EDX_OK		(F(11) | F(20) | F(26) | F(29))	/* SYSCALL NX 1G LM */
#define CPUID_81_EDX_RDTSCP	F(27)

#define KVM_CPUID_SIGNATURE	0x40000000
#define KVM_CPUID_FEATURES	0x40000001
#define VMX_CPUID_MAX_BASIC	0xd
#define VMX_CPUID_MAX_EXT	0x80000008
#define VMX_GUEST_XFEATURES	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)
#define VMX_CPUID_MAX_ENTRIES	256			/* KVM_MAX_CPUID_ENTRIES */

static struct kvm_cpuid_entry2 vmx_supported[32];
static int vmx_supported_nent;
u64 vmx_host_xcr0;
bool vmx_host_xsave;

static struct kvm_cpuid_entry2 *add_leaf(u32 fn, u32 idx)
{
	struct kvm_cpuid_entry2 *e = &vmx_supported[vmx_supported_nent++];

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

/* Build the supported table once, at load. */
void vmx_cpuid_setup(void)
{
	bool xsave = boot_cpu_has(X86_FEATURE_XSAVE) && boot_cpu_has(X86_FEATURE_OSXSAVE);
	struct kvm_cpuid_entry2 *e;
	u32 fn;

	/*
	 * Without XSAVE in the host (a CPU without it, or Linux booted with "noxsave") there
	 * is no XCR0 to switch: XSETBV/XGETBV would #UD in the host. Then the guest gets no
	 * XSAVE either and vmx_vcpu_run() never touches XCR0, as KVM.
	 */
	vmx_host_xsave = xsave;
	vmx_host_xcr0 = xsave ? xgetbv(XCR_XFEATURE_ENABLED_MASK) : XFEATURE_MASK_FPSSE;
	vmx_supported_nent = 0;

	e = add_leaf(0, 0);
	e->eax = min_t(u32, e->eax, VMX_CPUID_MAX_BASIC);
	e = add_leaf(1, 0);
	e->ebx &= 0xff00;				/* CLFLUSH size; APIC id set per vCPU */
	e->ecx &= CPUID_1_ECX_OK | (xsave ? CPUID_1_ECX_XSAVE : 0) |
		  (vmx_host_xcr0 & XFEATURE_MASK_YMM ? CPUID_1_ECX_AVX : 0);
	/*
	 * x2APIC always, as KVM 6.1 (kvm_set_cpu_caps(): "KVM emulates x2apic in software"):
	 * the in-kernel APIC has it; a VM without one must not show it (KVM's rule too, its
	 * x2APIC MSRs #GP there). The TSC-deadline timer is not here: as in KVM, userspace adds
	 * it when KVM_CAP_TSC_DEADLINE_TIMER says the in-kernel APIC has it.
	 */
	e->ecx |= CPUID_1_ECX_HYPERVISOR | F(21);
	e->edx = (e->edx & CPUID_1_EDX_OK) | F(9);
	e = add_leaf(7, 0);
	e->eax = 0;
	e->ebx &= CPUID_7_EBX_OK | (vmx_host_xcr0 & XFEATURE_MASK_YMM ? CPUID_7_EBX_AVX2 : 0);
	e->ecx = e->edx = 0;
	if (xsave) {
		e = add_leaf(0xd, 0);
		e->eax = vmx_host_xcr0 & VMX_GUEST_XFEATURES;
		e->ebx = e->ecx = xstate_size(e->eax);
		e->edx = 0;
		e = add_leaf(0xd, 1);
		e->eax &= CPUID_D1_EAX_OK;
		e->ebx = e->ecx = e->edx = 0;
		if (vmx_host_xcr0 & XFEATURE_MASK_YMM)
			add_leaf(0xd, 2);
	}
	e = &vmx_supported[vmx_supported_nent++];
	*e = (struct kvm_cpuid_entry2){ .function = KVM_CPUID_SIGNATURE, .eax = KVM_CPUID_FEATURES };
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);
	vmx_supported[vmx_supported_nent++] =	/* no paravirtual features yet */
		(struct kvm_cpuid_entry2){ .function = KVM_CPUID_FEATURES };
	e = add_leaf(0x80000000, 0);
	e->eax = min_t(u32, e->eax, VMX_CPUID_MAX_EXT);
	e->ebx = e->ecx = e->edx = 0;
	e = add_leaf(0x80000001, 0);
	e->eax = e->ebx = 0;
	e->ecx &= CPUID_81_ECX_OK;
	e->edx &= CPUID_81_EDX_OK |
		  (vmcs_config_allows_rdtscp() ? CPUID_81_EDX_RDTSCP : 0);
	for (fn = 0x80000002; fn <= 0x80000004; fn++)
		add_leaf(fn, 0);			/* brand string */
	add_leaf(0x80000006, 0);			/* L2 cache */
	e = add_leaf(0x80000008, 0);			/* address sizes */
	e->eax &= 0xffff;
	e->ebx = e->ecx = e->edx = 0;
}

int vmx_get_supported_cpuid(struct kvm_cpuid_entry2 *entries, int max)
{
	if (max < vmx_supported_nent)
		return -E2BIG;
	memcpy(entries, vmx_supported, vmx_supported_nent * sizeof(*entries));
	return vmx_supported_nent;
}

static const struct kvm_cpuid_entry2 *vmx_table(struct vmx_vcpu *vmx, int *n)
{
	if (vmx->cpuid) {
		*n = vmx->cpuid_nent;
		return vmx->cpuid;
	}
	*n = vmx_supported_nent;
	return vmx_supported;
}

static const struct kvm_cpuid_entry2 *find(struct vmx_vcpu *vmx, u32 fn, u32 idx)
{
	const struct kvm_cpuid_entry2 *t;
	int i, n;

	t = vmx_table(vmx, &n);
	for (i = 0; i < n; i++)
		if (t[i].function == fn &&
		    (!(t[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || t[i].index == idx))
			return &t[i];
	return NULL;
}

/* Derive what the guest may enable from its CPUID (at creation and KVM_SET_CPUID2). */
void vmx_cpuid_apply(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct kvm_cpuid_entry2 *e1 = find(vmx, 1, 0), *e7 = find(vmx, 7, 0);
	const struct kvm_cpuid_entry2 *ed = find(vmx, 0xd, 0), *e81 = find(vmx, 0x80000001, 0);
	u32 ecx1 = e1 ? e1->ecx : 0, ebx7 = e7 ? e7->ebx : 0;

	vmx->cr4_allowed = VMX_CR4_GUEST_BITS;
	if ((ecx1 & CPUID_1_ECX_XSAVE) && vmx_host_xsave)	/* userspace may set the bit */
		vmx->cr4_allowed |= X86_CR4_OSXSAVE;
	if (ebx7 & CPUID_7_EBX_FSGSBASE)
		vmx->cr4_allowed |= X86_CR4_FSGSBASE;
	if (ebx7 & CPUID_7_EBX_SMEP)
		vmx->cr4_allowed |= X86_CR4_SMEP;
	if (ebx7 & CPUID_7_EBX_SMAP)
		vmx->cr4_allowed |= X86_CR4_SMAP;
	vmx->xcr0_allowed = XFEATURE_MASK_FP |
		((ed ? ed->eax | ((u64)ed->edx << 32) : 0) & vmx_host_xcr0 & VMX_GUEST_XFEATURES);
	vmx_set_rdtscp(e81 && (e81->edx & CPUID_81_EDX_RDTSCP));
	if (vmx->lapic)
		vmx_lapic_set_cpuid(vmx->lapic, ecx1 & BIT(21));	/* x2APIC */
}

/* KVM_SET_CPUID2 (VMCS loaded). @entries was allocated by the caller and is now ours. */
int vmx_set_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int nent)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int i;

	for (i = 0; i < nent; i++) {
		const struct kvm_cpuid_entry2 *e = &entries[i];

		if ((e->flags & ~KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		    e->padding[0] || e->padding[1] || e->padding[2])
			return -EINVAL;
		if (e->function == 0xd && e->index == 0 &&
		    ((e->eax | ((u64)e->edx << 32)) & ~(vmx_host_xcr0 & VMX_GUEST_XFEATURES)))
			return -EINVAL;	/* XSAVE features the host cannot switch */
	}
	/* After the first KVM_RUN the CPUID may only be set again unchanged, as KVM. */
	if (vmx->ran && (nent != vmx->cpuid_nent || !vmx->cpuid ||
			 memcmp(entries, vmx->cpuid, nent * sizeof(*entries))))
		return -EINVAL;
	kfree(vmx->cpuid);
	vmx->cpuid = entries;
	vmx->cpuid_nent = nent;
	vmx_cpuid_apply(vcpu);
	if (vmx_set_xcr0(vcpu, vmx->xcr0 & vmx->xcr0_allowed))
		vmx->xcr0 = XFEATURE_MASK_FP;
	return 0;
}

int vmx_get_cpuid(struct vmxmon_vcpu *vcpu, struct kvm_cpuid_entry2 *entries, int max)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx->cpuid)
		return 0;
	if (max < vmx->cpuid_nent)
		return -E2BIG;
	memcpy(entries, vmx->cpuid, vmx->cpuid_nent * sizeof(*entries));
	return vmx->cpuid_nent;
}

void vmx_cpuid(struct vmxmon_vcpu *vcpu, u32 fn, u32 idx, u32 *eax, u32 *ebx, u32 *ecx,
	       u32 *edx)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct kvm_cpuid_entry2 *e = find(vmx, fn, idx);

	if (!e) {
		const struct kvm_cpuid_entry2 *basic = find(vmx, 0, 0);
		u32 cls = fn >= 0x40000000 && fn <= 0x4fffffff ? fn & 0xffffff00 :
			  fn & 0x80000000;
		const struct kvm_cpuid_entry2 *c = find(vmx, cls, 0);

		if (basic && !(c && fn <= c->eax)) {
			fn = basic->eax;
			e = find(vmx, fn, idx);
		}
	}
	*eax = e ? e->eax : 0;
	*ebx = e ? e->ebx : 0;
	*ecx = e ? e->ecx : 0;
	*edx = e ? e->edx : 0;

	/* The parts of CPUID that follow the guest's state. */
	if (fn == 1 && e) {
		if (!vmx->cpuid)
			*ebx |= (vcpu->id << 24) | (1 << 16);
		*ecx &= ~CPUID_1_ECX_OSXSAVE;
		if (vmx_get_cr4() & X86_CR4_OSXSAVE)
			*ecx |= CPUID_1_ECX_OSXSAVE;
		/* APIC follows IA32_APIC_BASE.EN (SDM 11.4.3), as KVM's kvm_update_cpuid_runtime(). */
		*edx &= ~F(9);
		if (vmx_get_apic_base(vmx) & MSR_IA32_APICBASE_ENABLE)
			*edx |= F(9);
	} else if (fn == 0xd && idx == 0 && e) {
		*ebx = xstate_size(vmx->xcr0);
	}
}

