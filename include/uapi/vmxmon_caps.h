/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmxmon — what KVM_CHECK_EXTENSION answers, on the system fd and on a VM fd: every
 * capability of the Linux 6.1 <linux/kvm.h>, in number order, with vmxmon's answer and why;
 * then vmxmon's own (VMXMON_CAP_*, from VMXMON_CAP_BASE in include/uapi/vmxmon.h).
 *
 * The rule (design.md, "ABI"): answer as KVM 6.1 (x86, kvm_intel) answers for the behaviour
 * vmxmon really has, and 0 for everything it lacks: a VMM that needs a capability must be
 * able to rely on it, and one that probes must not be lied to.
 *
 * This table is the one source: the module answers from it (kmod/dev.c), the launcher and
 * the selftests read it (userspace/vm/caps.c). `make check` fails when it misses a capability
 * of <linux/kvm.h>, when the list in include/uapi/vmxmon.h or README.md's table disagrees
 * with it (selftests/caps_test.c), or when the device answers otherwise (dev_test).
 *
 * CAP(name, answer, reason): answer is a number, or
 *   VMXMON_CAP_HOST_XSAVE   1 if the host uses XSAVE (not booted with "noxsave"), else 0
 *   VMXMON_CAP_ONLINE_CPUS  min(online CPUs, VMXMON_MAX_VCPUS)
 */
#ifndef _UAPI_VMXMON_CAPS_H
#define _UAPI_VMXMON_CAPS_H

#include "vmxmon.h"

#define VMXMON_CAP_HOST_XSAVE	(-1L)
#define VMXMON_CAP_ONLINE_CPUS	(-2L)

#define VMXMON_CAPS(CAP) \
	CAP(KVM_CAP_IRQCHIP, 0, \
	    "no in-kernel PIC/IOAPIC (KVM_CREATE_IRQCHIP): split irqchip only") \
	CAP(KVM_CAP_HLT, 1, "HLT exits with KVM_EXIT_HLT without the in-kernel APIC") \
	CAP(KVM_CAP_MMU_SHADOW_CACHE_CONTROL, 0, "no KVM_SET/GET_NR_MMU_PAGES") \
	CAP(KVM_CAP_USER_MEMORY, 1, "KVM_SET_USER_MEMORY_REGION") \
	CAP(KVM_CAP_SET_TSS_ADDR, 1, "KVM_SET_TSS_ADDR (accepted, unused: unrestricted guest)") \
	CAP(KVM_CAP_VAPIC, 0, "no KVM_TPR_ACCESS_REPORTING, KVM_SET_VAPIC_ADDR") \
	CAP(KVM_CAP_EXT_CPUID, 1, "KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2, KVM_GET_CPUID2") \
	CAP(KVM_CAP_CLOCKSOURCE, 0, "no kvmclock (no paravirtual features in CPUID 0x40000001)") \
	CAP(KVM_CAP_NR_VCPUS, VMXMON_CAP_ONLINE_CPUS, \
	    "recommended vCPUs: min(online CPUs, MAX_VCPUS), as KVM") \
	CAP(KVM_CAP_NR_MEMSLOTS, VMXMON_USER_MEMSLOTS, "user memslots (KVM: 32764)") \
	CAP(KVM_CAP_PIT, 0, "no in-kernel PIT (the launcher emulates it)") \
	CAP(KVM_CAP_NOP_IO_DELAY, 0, \
	    "KVM_FEATURE_NOP_IO_DELAY is not in CPUID 0x40000001 (no paravirtual features)") \
	CAP(KVM_CAP_PV_MMU, 0, "obsolete: KVM answers 0 too") \
	CAP(KVM_CAP_MP_STATE, 1, "KVM_GET/SET_MP_STATE") \
	CAP(KVM_CAP_COALESCED_MMIO, 0, "no coalesced MMIO ring") \
	CAP(KVM_CAP_SYNC_MMU, 0, \
	    "guest RAM is pinned at KVM_SET_USER_MEMORY_REGION: later changes of the mapping " \
	    "are not seen (no MMU notifier)") \
	CAP(KVM_CAP_IOMMU, 0, "no device assignment (KVM 6.1 answers 0 too)") \
	CAP(KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1, \
	    "a slot set to size 0 is deleted (memslot_test)") \
	CAP(KVM_CAP_USER_NMI, 1, "KVM_NMI injects an NMI") \
	CAP(KVM_CAP_SET_GUEST_DEBUG, 1, \
	    "KVM_SET_GUEST_DEBUG: single-step (MTF, or TF without it), INT3 and debug-register " \
	    "breakpoints, BLOCKIRQ; KVM_EXIT_DEBUG") \
	CAP(KVM_CAP_REINJECT_CONTROL, 0, "no in-kernel PIT (KVM_REINJECT_CONTROL)") \
	CAP(KVM_CAP_IRQ_ROUTING, VMXMON_MAX_IRQ_ROUTES, \
	    "KVM_SET_GSI_ROUTING, MSI routes; as KVM_MAX_IRQ_ROUTES") \
	CAP(KVM_CAP_IRQ_INJECT_STATUS, 0, "no KVM_IRQ_LINE(_STATUS): no in-kernel irqchip") \
	CAP(KVM_CAP_ASSIGN_DEV_IRQ, 0, "no device assignment (KVM 6.1 answers 0 too)") \
	CAP(KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1, \
	    "slots can be deleted and re-created across old boundaries (memslot_test)") \
	CAP(KVM_CAP_MCE, VMXMON_MAX_MCE_BANKS, \
	    "KVM_X86_SETUP_MCE/SET_MCE, KVM_X86_GET_MCE_CAP_SUPPORTED: up to 32 banks, as KVM") \
	CAP(KVM_CAP_IRQFD, 1, "KVM_IRQFD: an eventfd signal injects its GSI's MSI route") \
	CAP(KVM_CAP_PIT2, 0, "no in-kernel PIT (KVM_CREATE_PIT2)") \
	CAP(KVM_CAP_SET_BOOT_CPU_ID, 0, "no KVM_SET_BOOT_CPU_ID: vCPU 0 is the BSP") \
	CAP(KVM_CAP_PIT_STATE2, 0, "no in-kernel PIT (KVM_GET/SET_PIT2)") \
	CAP(KVM_CAP_IOEVENTFD, 1, "KVM_IOEVENTFD: PIO and MMIO, with or without datamatch") \
	CAP(KVM_CAP_SET_IDENTITY_MAP_ADDR, 1, "KVM_SET_IDENTITY_MAP_ADDR (accepted, unused)") \
	CAP(KVM_CAP_XEN_HVM, 0, "no Xen emulation (KVM_XEN_HVM_CONFIG)") \
	CAP(KVM_CAP_ADJUST_CLOCK, 0, "no KVM_GET/SET_CLOCK (no kvmclock)") \
	CAP(KVM_CAP_INTERNAL_ERROR_DATA, 1, "KVM_EXIT_INTERNAL_ERROR fills internal.ndata/data") \
	CAP(KVM_CAP_VCPU_EVENTS, 1, "KVM_GET/SET_VCPU_EVENTS") \
	CAP(KVM_CAP_S390_PSW, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PPC_SEGSTATE, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_HYPERV, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_HYPERV_VAPIC, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_HYPERV_SPIN, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_PCI_SEGMENT, 0, "no device assignment") \
	CAP(KVM_CAP_PPC_PAIRED_SINGLES, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_INTR_SHADOW, 0, \
	    "KVM 6.1 never reports it: the shadow travels in kvm_vcpu_events " \
	    "(KVM_VCPUEVENT_VALID_SHADOW), which vmxmon has") \
	CAP(KVM_CAP_DEBUGREGS, 1, "KVM_GET/SET_DEBUGREGS") \
	CAP(KVM_CAP_X86_ROBUST_SINGLESTEP, 1, \
	    "a step over an instruction that exits stops right after it, as KVM") \
	CAP(KVM_CAP_PPC_OSI, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_UNSET_IRQ, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ENABLE_CAP, 0, "no KVM_ENABLE_CAP on the vCPU fd") \
	CAP(KVM_CAP_XSAVE, 1, "KVM_GET/SET_XSAVE") \
	CAP(KVM_CAP_XCRS, VMXMON_CAP_HOST_XSAVE, \
	    "KVM_GET/SET_XCRS: 1 if the host uses XSAVE, as KVM") \
	CAP(KVM_CAP_PPC_GET_PVINFO, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_IRQ_LEVEL, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ASYNC_PF, 0, "no asynchronous page faults (MSR_KVM_ASYNC_PF_EN)") \
	CAP(KVM_CAP_TSC_CONTROL, 0, "no KVM_SET_TSC_KHZ (no TSC scaling)") \
	CAP(KVM_CAP_GET_TSC_KHZ, 0, "no KVM_GET_TSC_KHZ") \
	CAP(KVM_CAP_PPC_BOOKE_SREGS, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_SPAPR_TCE, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_SMT, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_RMA, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_MAX_VCPUS, VMXMON_MAX_VCPUS, "vCPUs per VM (KVM: 1024)") \
	CAP(KVM_CAP_PPC_HIOR, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_PAPR, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_SW_TLB, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ONE_REG, 0, "not x86 (arm64, PowerPC, s390, MIPS, RISC-V)") \
	CAP(KVM_CAP_S390_GMAP, 0, "not x86 (s390)") \
	CAP(KVM_CAP_TSC_DEADLINE_TIMER, 1, \
	    "the in-kernel APIC (split irqchip) has the TSC-deadline timer; userspace sets the " \
	    "CPUID bit") \
	CAP(KVM_CAP_S390_UCONTROL, 0, "not x86 (s390)") \
	CAP(KVM_CAP_SYNC_REGS, 0, "no kvm_run.s.regs (kvm_valid_regs/kvm_dirty_regs are -EINVAL)") \
	CAP(KVM_CAP_PCI_2_3, 0, "no device assignment (KVM 6.1 answers 0 too)") \
	CAP(KVM_CAP_KVMCLOCK_CTRL, 0, "no KVM_KVMCLOCK_CTRL (no kvmclock)") \
	CAP(KVM_CAP_SIGNAL_MSI, 1, "KVM_SIGNAL_MSI (split irqchip)") \
	CAP(KVM_CAP_PPC_GET_SMMU_INFO, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_S390_COW, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PPC_ALLOC_HTAB, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_READONLY_MEM, 1, "KVM_MEM_READONLY slots") \
	CAP(KVM_CAP_IRQFD_RESAMPLE, 0, "no KVM_IRQFD_FLAG_RESAMPLE: INTx is the userspace IOAPIC's") \
	CAP(KVM_CAP_PPC_BOOKE_WATCHDOG, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_HTAB_FD, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_S390_CSS_SUPPORT, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PPC_EPR, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ARM_PSCI, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_ARM_SET_DEVICE_ADDR, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_DEVICE_CTRL, 0, "not x86 (arm64, PowerPC, s390 (KVM 6.1 on x86 answers 0))") \
	CAP(KVM_CAP_IRQ_MPIC, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_RTAS, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_IRQ_XICS, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ARM_EL1_32BIT, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_SPAPR_MULTITCE, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_EXT_EMUL_CPUID, 0, "no KVM_GET_EMULATED_CPUID") \
	CAP(KVM_CAP_HYPERV_TIME, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_IOAPIC_POLARITY_IGNORED, 0, "no in-kernel IOAPIC") \
	CAP(KVM_CAP_ENABLE_CAP_VM, 1, "KVM_ENABLE_CAP on the VM fd (KVM_CAP_SPLIT_IRQCHIP)") \
	CAP(KVM_CAP_S390_IRQCHIP, 0, "not x86 (s390)") \
	CAP(KVM_CAP_IOEVENTFD_NO_LENGTH, 1, "KVM_IOEVENTFD of length 0 on MMIO (any access length)") \
	CAP(KVM_CAP_VM_ATTRIBUTES, 0, "not x86 (arm64, s390 (KVM 6.1 on x86 answers 0))") \
	CAP(KVM_CAP_ARM_PSCI_0_2, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_PPC_FIXUP_HCALL, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_ENABLE_HCALL, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_CHECK_EXTENSION_VM, 1, "KVM_CHECK_EXTENSION answers on the VM fd too") \
	CAP(KVM_CAP_S390_USER_SIGP, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_VECTOR_REGISTERS, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_MEM_OP, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_USER_STSI, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_SKEYS, 0, "not x86 (s390)") \
	CAP(KVM_CAP_MIPS_FPU, 0, "not x86 (MIPS)") \
	CAP(KVM_CAP_MIPS_MSA, 0, "not x86 (MIPS)") \
	CAP(KVM_CAP_S390_INJECT_IRQ, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_IRQ_STATE, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PPC_HWRNG, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_DISABLE_QUIRKS, 0, "no KVM_ENABLE_CAP(KVM_CAP_DISABLE_QUIRKS)") \
	CAP(KVM_CAP_X86_SMM, 0, "no SMM (KVM_SMI, the SMM address space)") \
	CAP(KVM_CAP_MULTI_ADDRESS_SPACE, 0, \
	    "one address space (KVM reports it only when there are several: 2 with SMM)") \
	CAP(KVM_CAP_GUEST_DEBUG_HW_BPS, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_GUEST_DEBUG_HW_WPS, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_SPLIT_IRQCHIP, 1, \
	    "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): in-kernel local APICs") \
	CAP(KVM_CAP_IOEVENTFD_ANY_LENGTH, 1, "KVM_IOEVENTFD of length 0 on PIO and MMIO") \
	CAP(KVM_CAP_HYPERV_SYNIC, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_S390_RI, 0, "not x86 (s390)") \
	CAP(KVM_CAP_SPAPR_TCE_64, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ARM_PMU_V3, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_VCPU_ATTRIBUTES, 0, "no KVM_GET/SET/HAS_DEVICE_ATTR on the vCPU fd") \
	CAP(KVM_CAP_MAX_VCPU_ID, VMXMON_MAX_VCPU_ID, "vCPU ids are below this (KVM: 4096)") \
	CAP(KVM_CAP_X2APIC_API, 0, \
	    "no KVM_ENABLE_CAP(KVM_CAP_X2APIC_API): 32-bit x2APIC IDs in MSIs and " \
	    "KVM_GET/SET_LAPIC are not offered") \
	CAP(KVM_CAP_S390_USER_INSTR0, 0, "not x86 (s390)") \
	CAP(KVM_CAP_MSI_DEVID, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_PPC_HTM, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_SPAPR_RESIZE_HPT, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_MMU_RADIX, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_MMU_HASH_V3, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_IMMEDIATE_EXIT, 1, "kvm_run.immediate_exit") \
	CAP(KVM_CAP_MIPS_VZ, 0, "not x86 (MIPS)") \
	CAP(KVM_CAP_MIPS_TE, 0, "not x86 (MIPS)") \
	CAP(KVM_CAP_MIPS_64BIT, 0, "not x86 (MIPS)") \
	CAP(KVM_CAP_S390_GS, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_AIS, 0, "not x86 (s390)") \
	CAP(KVM_CAP_SPAPR_TCE_VFIO, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_X86_DISABLE_EXITS, 0, "no KVM_ENABLE_CAP(KVM_CAP_X86_DISABLE_EXITS)") \
	CAP(KVM_CAP_ARM_USER_IRQ, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_S390_CMMA_MIGRATION, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PPC_FWNMI, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_PPC_SMT_POSSIBLE, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_HYPERV_SYNIC2, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_HYPERV_VP_INDEX, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_S390_AIS_MIGRATION, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PPC_GET_CPU_CHAR, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_S390_BPB, 0, "not x86 (s390)") \
	CAP(KVM_CAP_GET_MSR_FEATURES, 0, "no KVM_GET_MSR_FEATURE_INDEX_LIST") \
	CAP(KVM_CAP_HYPERV_EVENTFD, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_HYPERV_TLBFLUSH, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_S390_HPAGE_1M, 0, "not x86 (s390)") \
	CAP(KVM_CAP_NESTED_STATE, 0, "no nested VMX (KVM_GET/SET_NESTED_STATE)") \
	CAP(KVM_CAP_ARM_INJECT_SERROR_ESR, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_MSR_PLATFORM_INFO, 0, "no MSR_PLATFORM_INFO") \
	CAP(KVM_CAP_PPC_NESTED_HV, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_HYPERV_SEND_IPI, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_COALESCED_PIO, 0, "no coalesced I/O ring") \
	CAP(KVM_CAP_HYPERV_ENLIGHTENED_VMCS, 0, "no Hyper-V emulation, no nested VMX") \
	CAP(KVM_CAP_EXCEPTION_PAYLOAD, 0, \
	    "no KVM_ENABLE_CAP(KVM_CAP_EXCEPTION_PAYLOAD): exceptions carry no payload in " \
	    "kvm_vcpu_events") \
	CAP(KVM_CAP_ARM_VM_IPA_SIZE, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT, 0, "no dirty logging") \
	CAP(KVM_CAP_HYPERV_CPUID, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0, "no dirty logging") \
	CAP(KVM_CAP_PPC_IRQ_XIVE, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ARM_SVE, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_ARM_PTRAUTH_ADDRESS, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_ARM_PTRAUTH_GENERIC, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_PMU_EVENT_FILTER, 0, "no guest PMU") \
	CAP(KVM_CAP_ARM_IRQ_LINE_LAYOUT_2, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_HYPERV_DIRECT_TLBFLUSH, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_PPC_GUEST_DEBUG_SSTEP, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_ARM_NISV_TO_USER, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_ARM_INJECT_EXT_DABT, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_S390_VCPU_RESETS, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_PROTECTED, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PPC_SECURE_GUEST, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_HALT_POLL, 0, "no halt polling (KVM_ENABLE_CAP(KVM_CAP_HALT_POLL))") \
	CAP(KVM_CAP_ASYNC_PF_INT, 0, "no asynchronous page faults") \
	CAP(KVM_CAP_LAST_CPU, 0, "no kvm_run field or stat with the last physical CPU") \
	CAP(KVM_CAP_SMALLER_MAXPHYADDR, 0, "no KVM_ENABLE_CAP(KVM_CAP_SMALLER_MAXPHYADDR)") \
	CAP(KVM_CAP_S390_DIAG318, 0, "not x86 (s390)") \
	CAP(KVM_CAP_STEAL_TIME, 0, "no steal time (MSR_KVM_STEAL_TIME)") \
	CAP(KVM_CAP_X86_USER_SPACE_MSR, 0, "no KVM_EXIT_X86_RDMSR/WRMSR: unknown MSRs are #GP") \
	CAP(KVM_CAP_X86_MSR_FILTER, 0, "no KVM_X86_SET_MSR_FILTER") \
	CAP(KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 0, "no paravirtual features to enforce") \
	CAP(KVM_CAP_SYS_HYPERV_CPUID, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_DIRTY_LOG_RING, 0, "no dirty logging") \
	CAP(KVM_CAP_X86_BUS_LOCK_EXIT, 0, "no bus-lock exits") \
	CAP(KVM_CAP_PPC_DAWR1, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_SET_GUEST_DEBUG2, 0x1f0003, \
	    "the KVM_GUESTDBG_* flags KVM_SET_GUEST_DEBUG accepts, as KVM 6.1") \
	CAP(KVM_CAP_SGX_ATTRIBUTE, 0, "no SGX in guests") \
	CAP(KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, 0, "no SEV (AMD)") \
	CAP(KVM_CAP_PTP_KVM, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_HYPERV_ENFORCE_CPUID, 0, "no Hyper-V emulation") \
	CAP(KVM_CAP_SREGS2, 0, "no KVM_GET/SET_SREGS2") \
	CAP(KVM_CAP_EXIT_HYPERCALL, 0, "no KVM_EXIT_HYPERCALL (no KVM_HC_MAP_GPA_RANGE)") \
	CAP(KVM_CAP_PPC_RPT_INVALIDATE, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_BINARY_STATS_FD, 1, \
	    "KVM_GET_STATS_FD on VM and vCPU fds, KVM's binary format (kmod/stats.c)") \
	CAP(KVM_CAP_EXIT_ON_EMULATION_FAILURE, 0, \
	    "no KVM_ENABLE_CAP(KVM_CAP_EXIT_ON_EMULATION_FAILURE)") \
	CAP(KVM_CAP_ARM_MTE, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, 0, "no SEV (AMD)") \
	CAP(KVM_CAP_VM_GPA_BITS, 0, "not x86 (RISC-V)") \
	CAP(KVM_CAP_XSAVE2, 0, \
	    "no KVM_GET_XSAVE2: KVM_GET/SET_XSAVE with the 4 KiB struct kvm_xsave") \
	CAP(KVM_CAP_SYS_ATTRIBUTES, 0, "no KVM_GET/HAS_DEVICE_ATTR on the system fd") \
	CAP(KVM_CAP_PPC_AIL_MODE_3, 0, "not x86 (PowerPC)") \
	CAP(KVM_CAP_S390_MEM_OP_EXTENSION, 0, "not x86 (s390)") \
	CAP(KVM_CAP_PMU_CAPABILITY, 0, "no guest PMU") \
	CAP(KVM_CAP_DISABLE_QUIRKS2, 0, "no KVM_ENABLE_CAP(KVM_CAP_DISABLE_QUIRKS2)") \
	CAP(KVM_CAP_VM_TSC_CONTROL, 0, "no KVM_SET_TSC_KHZ on the VM fd (no TSC scaling)") \
	CAP(KVM_CAP_SYSTEM_EVENT_DATA, 0, "vmxmon never exits with KVM_EXIT_SYSTEM_EVENT") \
	CAP(KVM_CAP_ARM_SYSTEM_SUSPEND, 0, "not x86 (arm64)") \
	CAP(KVM_CAP_S390_PROTECTED_DUMP, 0, "not x86 (s390)") \
	CAP(KVM_CAP_X86_TRIPLE_FAULT_EVENT, 0, \
	    "no KVM_ENABLE_CAP(KVM_CAP_X86_TRIPLE_FAULT_EVENT)") \
	CAP(KVM_CAP_X86_NOTIFY_VMEXIT, 0, "no KVM_ENABLE_CAP(KVM_CAP_X86_NOTIFY_VMEXIT)") \
	CAP(KVM_CAP_VM_DISABLE_NX_HUGE_PAGES, 0, \
	    "no KVM_ENABLE_CAP(KVM_CAP_VM_DISABLE_NX_HUGE_PAGES)") \
	CAP(KVM_CAP_S390_ZPCI_OP, 0, "not x86 (s390)") \
	CAP(KVM_CAP_S390_CPU_TOPOLOGY, 0, "not x86 (s390)") \
	CAP(KVM_CAP_DIRTY_LOG_RING_ACQ_REL, 0, "no dirty logging") \
	CAP(VMXMON_CAP_EPT_WATCH, VMXMON_MAX_EPT_WATCHES, \
	    "vmxmon only: EPT watchpoints per VM (VMXMON_ADD_EPT_WATCH)")

#endif /* _UAPI_VMXMON_CAPS_H */
