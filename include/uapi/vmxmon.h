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
 *     KVM_CHECK_EXTENSION     0 for every capability (none implemented yet)
 *     KVM_CREATE_VM           machine type 0 only (-EINVAL otherwise); returns a VM fd.
 *                             The first VM turns VMX on on every online CPU and the last one
 *                             closed turns it off. -EBUSY when another hypervisor (kvm_intel
 *                             with a running VM) already owns VMX; the kernel log says which CPU.
 *   VM fd
 *     (no ioctls yet: -ENOTTY)
 *
 * vmxmon-only interfaces: none yet. Diagnostics live in debugfs, not in the ABI:
 * /sys/kernel/debug/vmxmon/status (format documented in README.md).
 */
#ifndef _UAPI_VMXMON_H
#define _UAPI_VMXMON_H

#include <linux/kvm.h>

/* The KVM API version we speak (KVM_GET_API_VERSION). */
#define VMXMON_KVM_API_VERSION	12

#endif /* _UAPI_VMXMON_H */
