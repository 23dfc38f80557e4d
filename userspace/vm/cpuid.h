/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID: what the device supports (KVM_GET_SUPPORTED_CPUID), adjusted for the
 * machine vmxrun builds: the hypervisor bit and the KVM signature leaf (so Linux treats the
 * device as KVM and enables x2APIC without interrupt remapping), one package of nr_vcpus
 * single-thread cores with APIC IDs 0..nr_vcpus-1 (leaf 1 EBX, leaf 0xb), the local APIC
 * and x2APIC unless PIC-only, TSC-deadline when the device has it, no PMU, and only the
 * KVM PV features vmxrun's machine supports.
 */
#ifndef VMXRUN_VM_CPUID_H
#define VMXRUN_VM_CPUID_H

#include <linux/kvm.h>

struct hv;

#define CPUID_APIC		(1u << 0)	/* in-kernel LAPIC: APIC, x2APIC (if supported) */
#define CPUID_TSC_DEADLINE	(1u << 1)	/* KVM_CAP_TSC_DEADLINE_TIMER */

/* KVM_GET_SUPPORTED_CPUID into a malloc'ed table; NULL with errno set on failure. */
struct kvm_cpuid2 *cpuid__supported(const struct hv *d);
/*
 * Add leaf 0xb (subleaves 0-2) if the table lacks it and its basic range reaches it
 * (vmxmon's does not list it): c is freed, the result is a new table. NULL stays NULL.
 */
struct kvm_cpuid2 *cpuid__with_topology(struct kvm_cpuid2 *c);
/* Adjust in place for vCPU id of nr_vcpus; flags CPUID_*. Can be applied again for another id. */
void cpuid__adjust(struct kvm_cpuid2 *c, unsigned int id, unsigned int nr_vcpus,
		   unsigned int flags);

#endif
