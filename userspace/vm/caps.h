/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM capabilities. kvm_caps: the ones the launcher asks the device about, what it needs to
 * boot and run guests (design.md, "ABI"); `vmxrun --info` prints each answer. vmxmon_caps:
 * every capability of <linux/kvm.h> with vmxmon's answer and the reason, from the one table
 * include/uapi/vmxmon_caps.h that the module answers from; the selftests check the device,
 * the uapi header's list and the README against it.
 */
#ifndef VMXRUN_VM_CAPS_H
#define VMXRUN_VM_CAPS_H

#include <stddef.h>

struct kvm_cap_name {
	const char *name;
	unsigned int cap;
};

extern const struct kvm_cap_name kvm_caps[];
extern const size_t kvm_caps_count;

/* answer: a number, or VMXMON_CAP_HOST_XSAVE / VMXMON_CAP_ONLINE_CPUS (vmxmon_caps.h). */
struct vmxmon_cap {
	const char *name;
	unsigned int cap;
	long answer;
	const char *reason;
};

extern const struct vmxmon_cap vmxmon_caps[];
extern const size_t vmxmon_caps_count;

#endif
