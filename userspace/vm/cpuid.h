/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID: what the device supports (KVM_GET_SUPPORTED_CPUID), adjusted for the
 * machine vmxrun builds: the hypervisor bit, one package of nr_vcpus single-thread cores,
 * no local APIC (PIC-only until the interrupts/SMP issue), no PMU, and only the KVM PV
 * features that work without an in-kernel LAPIC.
 */
#ifndef VMXRUN_VM_CPUID_H
#define VMXRUN_VM_CPUID_H

#include <linux/kvm.h>

struct dev;

/* KVM_GET_SUPPORTED_CPUID into a malloc'ed table; NULL with errno set on failure. */
struct kvm_cpuid2 *cpuid__supported(const struct dev *d);
/* Adjust in place for vCPU id of nr_vcpus. */
void cpuid__adjust(struct kvm_cpuid2 *c, unsigned int id, unsigned int nr_vcpus);

#endif
