// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "x86_defs.h"

#include "../util/types.h"
#include "cpuid.h"
#include "hv.h"

/*
 * KVM PV features kept: the clock and no I/O delay. The ones that talk to KVM's own LAPIC
 * (PV EOI, PV IPIs, PV unhalt) stay hidden: vmxmon implements none of them.
 */
#define KVM_PV_KEEP	(1u << KVM_FEATURE_CLOCKSOURCE | 1u << KVM_FEATURE_NOP_IO_DELAY |	\
			 1u << KVM_FEATURE_CLOCKSOURCE2 | 1u << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT)

struct kvm_cpuid2 *cpuid__supported(const struct hv *d)
{
	for (u32 n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = n;
		if (!ioctl(d->fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

/* Topology leaves 0xb/0x1f: level 0 SMT (1 thread), level 1 core (nr_vcpus), then none. */
static void cpuid__topology(struct kvm_cpuid_entry2 *e, unsigned int id, unsigned int nr)
{
	unsigned int shift = 0;

	while ((1u << shift) < nr)
		shift++;
	e->edx = id;
	switch (e->index) {
	case 0:
		e->eax = 0;
		e->ebx = 1;
		e->ecx = 1 << 8 | 0;
		break;
	case 1:
		e->eax = shift;
		e->ebx = nr;
		e->ecx = 2 << 8 | 1;
		break;
	default:
		e->eax = e->ebx = 0;
		e->ecx = e->index;
	}
}

struct kvm_cpuid2 *cpuid__with_topology(struct kvm_cpuid2 *c)
{
	u32 max_basic = 0, n;
	struct kvm_cpuid2 *t;

	if (!c)
		return NULL;
	for (u32 i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 0xb)
			return c;
		if (c->entries[i].function == 0)
			max_basic = c->entries[i].eax;
	}
	if (max_basic < 0xb)
		return c;
	n = c->nent;
	t = realloc(c, sizeof(*c) + (n + 3) * sizeof(c->entries[0]));
	if (!t) {
		free(c);
		return NULL;
	}
	for (u32 i = 0; i < 3; i++)
		t->entries[n + i] = (struct kvm_cpuid_entry2){
			.function = 0xb, .index = i, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX };
	t->nent = n + 3;
	return t;
}

void cpuid__adjust(struct kvm_cpuid2 *c, unsigned int id, unsigned int nr, unsigned int flags)
{
	for (u32 i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (flags & CPUID_APIC) {
				e->edx |= CPUID_1_EDX_APIC;	/* x2APIC: as the device says */
			} else {
				e->ecx &= ~CPUID_1_ECX_X2APIC;
				e->edx &= ~CPUID_1_EDX_APIC;
			}
			if (flags & CPUID_TSC_DEADLINE)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			else
				e->ecx &= ~CPUID_1_ECX_TSC_DEADLINE;
			e->edx = nr > 1 ? e->edx | CPUID_1_EDX_HTT : e->edx & ~CPUID_1_EDX_HTT;
			/* EBX: APIC ID, logical processors per package, CLFLUSH size, brand. */
			e->ebx = id << 24 | (nr > 1 ? nr : 1) << 16 | (e->ebx & 0xffff);
			break;
		case 4:
			/* Cores per package - 1, threads sharing this cache - 1 (0: per core). */
			if (e->eax & 0x1f)
				e->eax = (e->eax & 0x3fff) | (nr - 1) << 26;
			break;
		case 0xa:
			e->eax = e->ebx = e->ecx = e->edx = 0;	/* no PMU */
			break;
		case 0xb: case 0x1f:
			cpuid__topology(e, id, nr);
			break;
		case KVM_CPUID_FEATURES:
			e->eax &= KVM_PV_KEEP;
			e->edx = 0;				/* no realtime hints */
			break;
		}
	}
}
