// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "x86_defs.h"

#include "hv.h"
#include "mce.h"
#include "vcpu.h"
#include "vm.h"

uint64_t mce__mcg_cap(uint64_t supported, long max_banks)
{
	uint64_t banks = MCE_DEFAULT_BANKS;

	if (max_banks <= 0)
		return 0;
	if ((uint64_t)max_banks < banks)
		banks = (uint64_t)max_banks;
	return ((MCG_CTL_P | MCG_SER_P) & supported) | banks;
}

static bool cpuid_has_mca(const struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			return (c->entries[i].edx & (CPUID_1_EDX_MCE | CPUID_1_EDX_MCA)) ==
			       (CPUID_1_EDX_MCE | CPUID_1_EDX_MCA);
	return false;
}

int mce__setup(struct vcpu *v, const struct kvm_cpuid2 *cpuid, char *msg, size_t msglen)
{
	const struct hv *d = v->vm->hv;
	long banks = hv__check_extension(d, KVM_CAP_MCE);
	uint64_t supported = 0, cap;

	if (banks <= 0 || !cpuid_has_mca(cpuid))
		return 0;		/* no machine-check architecture for this guest */
	if (ioctl(d->fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &supported)) {
		snprintf(msg, msglen, "vmxrun: %s: KVM_X86_GET_MCE_CAP_SUPPORTED: %s", d->path,
			 strerror(errno));
		return -errno;
	}
	cap = mce__mcg_cap(supported, banks);
	if (ioctl(v->fd, KVM_X86_SETUP_MCE, &cap)) {
		snprintf(msg, msglen, "vmxrun: %s: vCPU %u: KVM_X86_SETUP_MCE(%#llx): %s", d->path,
			 v->id, (unsigned long long)cap, strerror(errno));
		return -errno;
	}
	return 0;
}
