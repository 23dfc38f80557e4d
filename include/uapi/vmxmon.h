/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmxmon — the ABI /dev/vmxmon promises.
 *
 * /dev/vmxmon speaks a subset of the KVM API: the same ioctl numbers and structures as the
 * kernel's own <linux/kvm.h>, which this header does not redefine. A program written for
 * /dev/kvm runs unchanged as long as it only uses what is listed below; everything else is
 * answered honestly:
 *
 *  - KVM_CHECK_EXTENSION returns 0 for every capability that is not implemented;
 *  - an ioctl that is not implemented returns -ENOTTY on every fd (KVM itself answers
 *    -EINVAL on the system and vCPU fds: a documented difference);
 *  - unknown flags, types or nonzero padding return -EINVAL;
 *  - a VM fd used from a process other than the one that created it returns -EIO, as KVM.
 *
 * Implemented so far (see README.md "Status" for the plan):
 *
 *   system fd (/dev/vmxmon)
 *     KVM_GET_API_VERSION     returns VMXMON_KVM_API_VERSION (12); a nonzero argument is -EINVAL
 *     KVM_CHECK_EXTENSION     (also on VM fds) the answers and the reason for each are the
 *                             table in include/uapi/vmxmon_caps.h; nonzero exactly for: HLT,
 *                             USER_MEMORY, SET_TSS_ADDR, EXT_CPUID, NR_VCPUS, NR_MEMSLOTS,
 *                             MP_STATE, DESTROY_MEMORY_REGION_WORKS, USER_NMI, IRQ_ROUTING,
 *                             JOIN_MEMORY_REGIONS_WORKS, MCE, SET_IDENTITY_MAP_ADDR,
 *                             INTERNAL_ERROR_DATA, VCPU_EVENTS, DEBUGREGS, XSAVE, XCRS (with
 *                             XSAVE in the host), MAX_VCPUS, TSC_DEADLINE_TIMER, SIGNAL_MSI,
 *                             READONLY_MEM, ENABLE_CAP_VM, CHECK_EXTENSION_VM, SPLIT_IRQCHIP,
 *                             MAX_VCPU_ID, IMMEDIATE_EXIT, IRQFD, IOEVENTFD,
 *                             IOEVENTFD_NO_LENGTH, IOEVENTFD_ANY_LENGTH, SET_GUEST_DEBUG,
 *                             X86_ROBUST_SINGLESTEP, SET_GUEST_DEBUG2 (34;
 *                             selftests/caps_test.c checks this list against the table)
 *     KVM_CREATE_VM           machine type 0 only (-EINVAL otherwise); returns a VM fd.
 *                             The first VM turns VMX on on every online CPU and the last one
 *                             closed turns it off. -EBUSY when another hypervisor (kvm_intel
 *                             with a running VM) already owns VMX; the kernel log says which CPU.
 *     KVM_GET_VCPU_MMAP_SIZE  two pages: struct kvm_run, then the port-I/O data page
 *     KVM_GET_SUPPORTED_CPUID (x2APIC as KVM; the TSC-deadline bit is userspace's to set
 *                             when KVM_CAP_TSC_DEADLINE_TIMER says so), KVM_GET_MSR_INDEX_LIST
 *     KVM_X86_GET_MCE_CAP_SUPPORTED  MCG_CTL_P | MCG_SER_P (no CMCI, no LMCE)
 *   VM fd
 *     KVM_SET_USER_MEMORY_REGION  KVM_MEM_READONLY (no dirty logging yet), address space 0
 *                             only, slots < 32
 *     KVM_CREATE_VCPU, KVM_SET_TSS_ADDR, KVM_SET_IDENTITY_MAP_ADDR (accepted, unused),
 *     KVM_CHECK_EXTENSION (as on the system fd)
 *     KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP, args[0] = IOAPIC pins <= 4096, KVM's
 *       KVM_MAX_IRQ_ROUTES; before vCPUs):
 *       in-kernel local APICs (xAPIC MMIO, x2APIC MSRs, timer one-shot/periodic/
 *       TSC-deadline, IPIs, INIT/SIPI), HLT sleeps in the kernel, APs start UNINITIALIZED
 *     KVM_SET_GSI_ROUTING (MSI routes, one per GSI; level-triggered IOAPIC vectors end in
 *       KVM_EXIT_IOAPIC_EOI), KVM_SIGNAL_MSI
 *     KVM_IRQFD (split irqchip; injects the GSI's MSI route; no KVM_IRQFD_FLAG_RESAMPLE,
 *       -EINVAL as in KVM under a split irqchip; non-zero pad is -EINVAL)
 *     KVM_IOEVENTFD (PIO and MMIO, length 0/1/2/4/8, datamatch; ranges at different
 *       addresses may not overlap (-EEXIST); non-zero pad is -EINVAL)
 *   vCPU fd
 *     mmap (struct kvm_run), KVM_RUN, KVM_GET/SET_REGS, KVM_GET/SET_SREGS,
 *     KVM_SET_CPUID2, KVM_GET_CPUID2, KVM_GET/SET_MSRS, KVM_GET/SET_FPU, KVM_GET/SET_XSAVE,
 *     KVM_GET/SET_XCRS (-EINVAL / none without XSAVE in the host, as KVM),
 *     KVM_X86_SETUP_MCE, KVM_X86_SET_MCE (the guest's machine-check banks, as KVM;
 *     non-zero padding is -EINVAL), KVM_INTERRUPT (while one is pending: -EEXIST with
 *     the split irqchip, as KVM; -ENXIO without, where KVM replaces it), KVM_NMI,
 *     KVM_GET/SET_VCPU_EVENTS, KVM_GET/SET_MP_STATE (RUNNABLE only without the in-kernel
 *     APIC), KVM_GET/SET_DEBUGREGS, KVM_GET/SET_LAPIC (split irqchip),
 *     KVM_SET_GUEST_DEBUG (KVM_GUESTDBG_ENABLE, SINGLESTEP, USE_SW_BP, USE_HW_BP,
 *     INJECT_DB, INJECT_BP, BLOCKIRQ; other bits, a nonzero pad or DR7 bits 63:32 are
 *     -EINVAL, where KVM 6.1 ignores them)
 *   exits: KVM_EXIT_IO, KVM_EXIT_MMIO (decoded MOV/MOVZX/MOVSX/MOVNTI, MOVS/STOS/LODS
 *     with or without REP, SSE/MMX moves and MOVD/MOVQ, with KVM's exit sequence; others are
 *     KVM_EXIT_INTERNAL_ERROR with the instruction bytes), KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN,
 *     KVM_EXIT_FAIL_ENTRY, KVM_EXIT_IRQ_WINDOW_OPEN, KVM_EXIT_INTR, KVM_EXIT_IOAPIC_EOI,
 *     KVM_EXIT_DEBUG
 *
 * vmxmon-only interfaces: none yet. Diagnostics live in debugfs, not in the ABI:
 * /sys/kernel/debug/vmxmon/status (format documented in README.md).
 */
#ifndef _UAPI_VMXMON_H
#define _UAPI_VMXMON_H

#include <linux/kvm.h>

/* The KVM API version we speak (KVM_GET_API_VERSION). */
#define VMXMON_KVM_API_VERSION	12

/* Limits, as KVM_CHECK_EXTENSION reports them. */
#define VMXMON_MAX_VCPUS	64	/* KVM_CAP_NR_VCPUS, KVM_CAP_MAX_VCPUS */
#define VMXMON_MAX_VCPU_ID	1024	/* KVM_CAP_MAX_VCPU_ID: vCPU ids are below this */
#define VMXMON_USER_MEMSLOTS	32	/* KVM_CAP_NR_MEMSLOTS */
#define VMXMON_MAX_MCE_BANKS	32	/* KVM_CAP_MCE: machine-check banks per vCPU, as KVM */
#define VMXMON_MAX_IRQ_ROUTES	4096	/* KVM_CAP_IRQ_ROUTING: KVM_MAX_IRQ_ROUTES */

#endif /* _UAPI_VMXMON_H */
