/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's machine-check banks, set up as QEMU sets them up on KVM: when the device has
 * KVM_CAP_MCE and the guest's CPUID has MCE and MCA, KVM_X86_SETUP_MCE with QEMU's default
 * IA32_MCG_CAP (MCG_CTL_P | MCG_SER_P, 10 banks), limited to what the device supports
 * (KVM_X86_GET_MCE_CAP_SUPPORTED, KVM_CAP_MCE banks). The banks then hold what the device
 * logs with KVM_X86_SET_MCE; Linux guests find their machine-check architecture.
 */
#ifndef VMXRUN_VM_MCE_H
#define VMXRUN_VM_MCE_H

#include <stdint.h>
#include <stddef.h>
#include <linux/kvm.h>

struct vcpu;

#define MCE_DEFAULT_BANKS	10			/* QEMU's MCE_BANKS_DEF */

/* The IA32_MCG_CAP for the guest given the device's supported bits and bank count; 0: none. */
uint64_t mce__mcg_cap(uint64_t supported, long max_banks);
/* KVM_X86_SETUP_MCE for v if the device and the guest's CPUID have MCE/MCA. 0 or -errno. */
int mce__setup(struct vcpu *v, const struct kvm_cpuid2 *cpuid, char *msg, size_t msglen);

#endif
