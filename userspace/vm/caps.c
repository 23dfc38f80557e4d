// SPDX-License-Identifier: GPL-2.0
#include <linux/kvm.h>

#include <uapi/vmxmon_caps.h>

#include "caps.h"

#define CAP(c) { #c, c }

const struct kvm_cap_name kvm_caps[] = {
	/* memory */
	CAP(KVM_CAP_USER_MEMORY),
	CAP(KVM_CAP_NR_MEMSLOTS),
	CAP(KVM_CAP_SYNC_MMU),
	CAP(KVM_CAP_READONLY_MEM),
	CAP(KVM_CAP_SET_TSS_ADDR),
	CAP(KVM_CAP_SET_IDENTITY_MAP_ADDR),
	/* vCPUs */
	CAP(KVM_CAP_NR_VCPUS),
	CAP(KVM_CAP_MAX_VCPUS),
	CAP(KVM_CAP_MAX_VCPU_ID),
	CAP(KVM_CAP_EXT_CPUID),
	CAP(KVM_CAP_GET_MSR_FEATURES),
	CAP(KVM_CAP_IMMEDIATE_EXIT),
	CAP(KVM_CAP_HLT),
	CAP(KVM_CAP_XSAVE),
	CAP(KVM_CAP_XCRS),
	CAP(KVM_CAP_DEBUGREGS),
	CAP(KVM_CAP_VCPU_EVENTS),
	CAP(KVM_CAP_MP_STATE),
	CAP(KVM_CAP_MCE),
	CAP(KVM_CAP_SET_GUEST_DEBUG),
	CAP(KVM_CAP_TSC_DEADLINE_TIMER),
	CAP(KVM_CAP_GET_TSC_KHZ),
	CAP(KVM_CAP_INTERNAL_ERROR_DATA),
	CAP(KVM_CAP_BINARY_STATS_FD),
	/* interrupts */
	CAP(KVM_CAP_IRQCHIP),
	CAP(KVM_CAP_SPLIT_IRQCHIP),
	CAP(KVM_CAP_X2APIC_API),
	CAP(KVM_CAP_IRQ_ROUTING),
	CAP(KVM_CAP_SIGNAL_MSI),
	CAP(KVM_CAP_USER_NMI),
	CAP(KVM_CAP_IRQFD),
	CAP(KVM_CAP_IOEVENTFD),
	/* VM-wide */
	CAP(KVM_CAP_ENABLE_CAP_VM),
	CAP(KVM_CAP_CHECK_EXTENSION_VM),
	CAP(KVM_CAP_COALESCED_MMIO),
	CAP(KVM_CAP_ADJUST_CLOCK),
	CAP(KVM_CAP_X86_SMM),
};

const size_t kvm_caps_count = sizeof(kvm_caps) / sizeof(kvm_caps[0]);

#undef CAP
#define CAP(c, answer, reason) { #c, c, answer, reason },

const struct vmxmon_cap vmxmon_caps[] = {
	VMXMON_CAPS(CAP)
};

const size_t vmxmon_caps_count = sizeof(vmxmon_caps) / sizeof(vmxmon_caps[0]);
