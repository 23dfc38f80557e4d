// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID a guest sees until userspace sets its own: the host's identity with only the
 * features vmxmon virtualizes today (everything else hidden: VMX, MONITOR/MWAIT, XSAVE and
 * AVX, PMU, x2APIC/APIC, RDTSCP...), the hypervisor bit, and the KVM signature leaf so that
 * Linux guests treat vmxmon as KVM. Leaves above the maximum answer like the highest basic
 * leaf, as Intel CPUs (and KVM) do.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/processor.h>

#include "vmx/vmx.h"

#define CPUID_1_ECX_OK	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | \
			 BIT(22) | BIT(23) | BIT(25) | BIT(30))	/* SSE3..SSE4.2, AES, RDRAND */
#define CPUID_1_ECX_HYPERVISOR	BIT(31)
#define CPUID_1_EDX_OK	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | \
			 BIT(7) | BIT(8) | BIT(11) | BIT(13) | BIT(15) | BIT(16) | \
			 BIT(17) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26))
#define CPUID_8_1_ECX_OK	(BIT(0) | BIT(5) | BIT(8))	/* LAHF, LZCNT, PREFETCHW */
#define CPUID_8_1_EDX_OK	(BIT(11) | BIT(20) | BIT(26) | BIT(29))	/* SYSCALL NX 1G LM */

#define VMX_CPUID_MAX_BASIC	1
#define VMX_CPUID_MAX_EXT	0x80000008
#define KVM_CPUID_SIGNATURE	0x40000000
#define KVM_CPUID_FEATURES	0x40000001

void vmx_cpuid(struct vmxmon_vcpu *vcpu, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
	       u32 *ecx, u32 *edx)
{
	*eax = *ebx = *ecx = *edx = 0;

	if ((leaf > VMX_CPUID_MAX_BASIC && leaf < KVM_CPUID_SIGNATURE) ||
	    (leaf > KVM_CPUID_FEATURES && leaf < 0x80000000) || leaf > VMX_CPUID_MAX_EXT)
		leaf = VMX_CPUID_MAX_BASIC;

	switch (leaf) {
	case 0:
		cpuid(0, eax, ebx, ecx, edx);
		*eax = VMX_CPUID_MAX_BASIC;
		break;
	case 1:
		cpuid(1, eax, ebx, ecx, edx);
		/* Initial APIC id = vCPU id, one logical processor, host CLFLUSH line size. */
		*ebx = (vcpu->id << 24) | (1 << 16) | (*ebx & 0xff00);
		*ecx = (*ecx & CPUID_1_ECX_OK) | CPUID_1_ECX_HYPERVISOR;
		*edx &= CPUID_1_EDX_OK;
		break;
	case KVM_CPUID_SIGNATURE:
		*eax = KVM_CPUID_FEATURES;
		memcpy(ebx, "KVMK", 4);
		memcpy(ecx, "VMKV", 4);
		memcpy(edx, "M\0\0\0", 4);
		break;
	case KVM_CPUID_FEATURES:	/* no paravirtual features yet */
		break;
	case 0x80000000:
		cpuid(leaf, eax, ebx, ecx, edx);
		*eax = min_t(u32, *eax, VMX_CPUID_MAX_EXT);
		break;
	case 0x80000001:
		cpuid(leaf, eax, ebx, ecx, edx);
		*ebx = 0;
		*ecx &= CPUID_8_1_ECX_OK;
		*edx &= CPUID_8_1_EDX_OK;
		break;
	case 0x80000002 ... 0x80000004:	/* brand string */
	case 0x80000006:		/* L2 cache */
		cpuid(leaf, eax, ebx, ecx, edx);
		break;
	case 0x80000008:		/* address sizes */
		cpuid(leaf, eax, ebx, ecx, edx);
		*eax &= 0xffff;
		*ebx = *ecx = *edx = 0;
		break;
	}
}
