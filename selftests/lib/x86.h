/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side helpers for x86 vCPU state the tests of MSRs, control registers, CPUID and
 * events share: CPUID tables (copies of KVM_GET_SUPPORTED_CPUID to edit), single MSRs, the
 * vCPU's events. The t_/vcpu_ ones and get_events() fail the test (and end it) when the
 * ioctl fails.
 */
#ifndef VMXMON_SELFTESTS_X86_H
#define VMXMON_SELFTESTS_X86_H

#include <stdint.h>
#include <linux/kvm.h>

#include "vm.h"

/* A copy of the supported CPUID with room for `extra` more entries (nent as supported). */
struct kvm_cpuid2 *t_cpuid_copy(struct vm *vm, unsigned int extra);
/* cpuid_entry(), the lookup: kvm_util.h. */
/* Remove every entry of leaf fn. */
void cpuid_remove(struct kvm_cpuid2 *c, uint32_t fn);
/* KVM_SET_CPUID2: 0 or -errno. */
long vcpu_set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *c);

/* One MSR through KVM_GET_MSRS/KVM_SET_MSRS: the ioctl's result (entries done) or -errno. */
long vcpu_get_msr(struct vcpu *vcpu, uint32_t index, uint64_t *val);
long vcpu_set_msr(struct vcpu *vcpu, uint32_t index, uint64_t val);

/* KVM_GET_VCPU_EVENTS (the name event_test's and exception_test's tests call it by). */
struct kvm_vcpu_events get_events(struct test_ctx *t, struct vcpu *vcpu);

#endif
