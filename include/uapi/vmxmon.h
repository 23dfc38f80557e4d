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
 *                             IOEVENTFD_NO_LENGTH, IOEVENTFD_ANY_LENGTH, BINARY_STATS_FD,
 *                             SET_GUEST_DEBUG, X86_ROBUST_SINGLESTEP, SET_GUEST_DEBUG2,
 *                             VMXMON_CAP_EPT_WATCH (vmxmon's own) (36;
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
 *     KVM_GET_STATS_FD (KVM's binary statistics; the VM's file sums its vCPUs')
 *   vCPU fd
 *     mmap (struct kvm_run), KVM_RUN, KVM_GET/SET_REGS, KVM_GET/SET_SREGS,
 *     KVM_SET_CPUID2, KVM_GET_CPUID2, KVM_GET/SET_MSRS, KVM_GET/SET_FPU, KVM_GET/SET_XSAVE,
 *     KVM_GET/SET_XCRS (-EINVAL / none without XSAVE in the host, as KVM),
 *     KVM_X86_SETUP_MCE, KVM_X86_SET_MCE (the guest's machine-check banks, as KVM;
 *     non-zero padding is -EINVAL), KVM_INTERRUPT (while one is pending: -EEXIST with
 *     the split irqchip, as KVM; -ENXIO without, where KVM replaces it), KVM_NMI,
 *     KVM_GET/SET_VCPU_EVENTS, KVM_GET/SET_MP_STATE (RUNNABLE only without the in-kernel
 *     APIC), KVM_GET/SET_DEBUGREGS, KVM_GET/SET_LAPIC (split irqchip), KVM_GET_STATS_FD,
 *     KVM_SET_GUEST_DEBUG (KVM_GUESTDBG_ENABLE, SINGLESTEP, USE_SW_BP, USE_HW_BP,
 *     INJECT_DB, INJECT_BP, BLOCKIRQ; other bits, a nonzero pad or DR7 bits 63:32 are
 *     -EINVAL, where KVM 6.1 ignores them)
 *   exits: KVM_EXIT_IO, KVM_EXIT_MMIO (decoded MOV/MOVZX/MOVSX/MOVNTI, MOVS/STOS/LODS
 *     with or without REP, SSE/MMX moves and MOVD/MOVQ, with KVM's exit sequence; others are
 *     KVM_EXIT_INTERNAL_ERROR with the instruction bytes), KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN,
 *     KVM_EXIT_FAIL_ENTRY, KVM_EXIT_IRQ_WINDOW_OPEN, KVM_EXIT_INTR, KVM_EXIT_IOAPIC_EOI,
 *     KVM_EXIT_DEBUG
 *
 * vmxmon-only interfaces (below; on /dev/kvm their numbers are unknown ioctls, -ENOTTY):
 * ioctl numbers KVMIO 0xf0-0xff (KVM 6.12 uses up to 0xd5), exit reasons from
 * VMXMON_EXIT_BASE, capabilities from VMXMON_CAP_BASE (answered by KVM_CHECK_EXTENSION
 * like KVM's, from include/uapi/vmxmon_caps.h). Diagnostics live in debugfs, not in the
 * ABI: /sys/kernel/debug/vmxmon/status (format documented in README.md);
 * tracepoints (tracefs, events/vmxmon/: kmod/trace.h) are not ABI either.
 *
 *   VM fd
 *     VMXMON_ADD_EPT_WATCH, VMXMON_DEL_EPT_WATCH (struct vmxmon_ept_watch): EPT watchpoints,
 *       see below; KVM_CHECK_EXTENSION(VMXMON_CAP_EPT_WATCH) = VMXMON_MAX_EPT_WATCHES
 *   exits: VMXMON_EXIT_EPT_WATCH (struct vmxmon_ept_watch_exit in kvm_run's union)
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

/* vmxmon's own numbers (see the top of this file). */
#define VMXMON_CAP_BASE		0x10000	/* above every KVM_CAP_* */
#define VMXMON_EXIT_BASE	0x1000	/* above every KVM_EXIT_* */

/*
 * EPT watchpoints: the guest's accesses to a guest-physical byte range stop the vCPU before
 * they happen, and KVM_RUN returns VMXMON_EXIT_EPT_WATCH; the next KVM_RUN lets the access
 * complete (the instruction is single-stepped on an unprotected mapping of its page) and
 * the watch stays armed. The core of EPT-based introspection (HyperDbg, DRAKVUF).
 *
 * VMXMON_ADD_EPT_WATCH: watch [gpa, gpa + len) for the accesses in flags (any of READ,
 * WRITE, EXEC). Errors: -EINVAL for len 0, a range that wraps, unknown flags, no access
 * bit, nonzero reserved fields, or a range not inside one RAM memslot (KVM_MEM_READONLY
 * slots too; not MMIO: a device sees every access anyway); -EEXIST if it overlaps a watch
 * already there; -ENOSPC beyond VMXMON_MAX_EPT_WATCHES watches; -E2BIG for len over
 * VMXMON_MAX_EPT_WATCH_LEN. VMXMON_DEL_EPT_WATCH: remove the watch with exactly this gpa
 * and len (flags and reserved fields 0), -ENOENT if there is none.
 *
 * Granularity: the hardware protects 4 KiB pages. Every access to a watched page exits to
 * vmxmon; one whose kind is watched there and whose address (the guest-physical address the
 * CPU reports: the access's first byte on that page) lies in the range exits to userspace,
 * any other completes in the kernel (stepped too). So an access that begins before the
 * range and runs into it is seen only if it crosses into the range's page there. Watches
 * live as long as the VM; deleting or moving the memslot under a watch removes the watch.
 *
 * Reading needs the page unreadable, and EPT cannot make a page writable but not readable
 * (SDM Vol. 3C 29.3.3.1, a misconfiguration): a READ watch stops writes to the page too
 * (and fetches, without execute-only EPT support); those complete silently unless watched.
 *
 * While one vCPU steps over a watched page, the page is open to the whole VM for that one
 * instruction: another vCPU's access to it in that window is not seen (the EPT is shared;
 * HyperDbg and DRAKVUF avoid this with per-vCPU EPT views, which vmxmon does not have).
 */
#define VMXMON_EPT_WATCH_READ	(1u << 0)	/* as the EPT R/W/X bits and the exit */
#define VMXMON_EPT_WATCH_WRITE	(1u << 1)	/* qualification's access bits 2:0 */
#define VMXMON_EPT_WATCH_EXEC	(1u << 2)
#define VMXMON_EPT_WATCH_ACCESS	(VMXMON_EPT_WATCH_READ | VMXMON_EPT_WATCH_WRITE | \
				 VMXMON_EPT_WATCH_EXEC)
#define VMXMON_MAX_EPT_WATCHES	64
#define VMXMON_MAX_EPT_WATCH_LEN	(1ull << 21)	/* 2 MiB */

struct vmxmon_ept_watch {
	__u64 gpa;
	__u64 len;
	__u32 flags;		/* VMXMON_EPT_WATCH_* */
	__u32 pad;		/* 0 */
	__u64 reserved[2];	/* 0 */
};

#define VMXMON_ADD_EPT_WATCH	_IOW(KVMIO, 0xf0, struct vmxmon_ept_watch)
#define VMXMON_DEL_EPT_WATCH	_IOW(KVMIO, 0xf1, struct vmxmon_ept_watch)
#define VMXMON_CAP_EPT_WATCH	(VMXMON_CAP_BASE + 0)

/*
 * KVM_RUN returned with kvm_run.exit_reason VMXMON_EXIT_EPT_WATCH: an access hit a watch
 * and has not happened yet. The next KVM_RUN performs it (registers changed in between are
 * used). kvm_run's union holds:
 *   gpa     the guest-physical address the CPU reported for the access
 *   gla     the guest linear address (if VMXMON_EPT_WATCH_EXIT_GLA: exit qualification
 *           bit 7, SDM Vol. 3C 28.2.1)
 *   rip     the guest RIP of the instruction (with VMXMON_EPT_WATCH_EXIT_EVENT: of the
 *           instruction an event interrupted, or that raised it)
 *   access  what the access does: VMXMON_EPT_WATCH_READ/WRITE/EXEC (qualification bits 2:0;
 *           a read-modify-write may report both)
 *   flags   VMXMON_EPT_WATCH_EXIT_GLA: gla is valid; _PAGING: the access was the CPU's
 *           own walk of the guest's page tables (qualification bit 8 clear), not the
 *           access to the linear address itself; _EVENT: it happened while the CPU
 *           delivered an event (an IDT, GDT or stack access; the event is delivered when
 *           the access completes, at the next KVM_RUN)
 *   watch_gpa, watch_len, watch_flags: the watch that was hit
 */
#define VMXMON_EXIT_EPT_WATCH		(VMXMON_EXIT_BASE + 0)
#define VMXMON_EPT_WATCH_EXIT_GLA	(1u << 0)
#define VMXMON_EPT_WATCH_EXIT_PAGING	(1u << 1)
#define VMXMON_EPT_WATCH_EXIT_EVENT	(1u << 2)

struct vmxmon_ept_watch_exit {
	__u64 gpa;
	__u64 gla;
	__u64 rip;
	__u32 access;
	__u32 flags;
	__u64 watch_gpa;
	__u64 watch_len;
	__u32 watch_flags;
	__u32 pad;
};

/* Where the exit data lives in struct kvm_run. */
#define vmxmon_run_ept_watch(run)	((struct vmxmon_ept_watch_exit *)(void *)&(run)->padding)

#endif /* _UAPI_VMXMON_H */
