// SPDX-License-Identifier: GPL-2.0
/* Host-side x86 helpers: CPUID tables, single MSRs and vCPU events (see x86.h). */
#include <stdlib.h>
#include <string.h>

#include "kvm_util.h"
#include "x86.h"

struct kvm_cpuid2 *t_cpuid_copy(struct vm *vm, unsigned int extra)
{
	const struct kvm_cpuid2 *sup = vm_supported_cpuid(vm);
	size_t size = sizeof(*sup) + sup->nent * sizeof(sup->entries[0]);
	struct kvm_cpuid2 *c = calloc(1, size + extra * sizeof(sup->entries[0]));
	struct test_ctx *t = vm->t;

	ASSERT_TRUE(c != NULL);
	memcpy(c, sup, size);
	return c;
}

void cpuid_remove(struct kvm_cpuid2 *c, uint32_t fn)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function != fn)
			c->entries[n++] = c->entries[i];
	c->nent = n;
}

long vcpu_set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *c)
{
	return dev_ioctl(vcpu->fd, KVM_SET_CPUID2, (unsigned long)c);
}

struct one_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e;
};

long vcpu_get_msr(struct vcpu *vcpu, uint32_t index, uint64_t *val)
{
	struct one_msr m = { .hdr.nmsrs = 1, .e.index = index };
	long r = dev_ioctl(vcpu->fd, KVM_GET_MSRS, (unsigned long)&m);

	*val = m.e.data;
	return r;
}

long vcpu_set_msr(struct vcpu *vcpu, uint32_t index, uint64_t val)
{
	struct one_msr m = { .hdr.nmsrs = 1, .e.index = index, .e.data = val };

	return dev_ioctl(vcpu->fd, KVM_SET_MSRS, (unsigned long)&m);
}

struct kvm_vcpu_events get_events(struct test_ctx *t, struct vcpu *vcpu)
{
	struct kvm_vcpu_events e;

	ASSERT_EQ(dev_ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, (unsigned long)&e), 0);
	return e;
}
