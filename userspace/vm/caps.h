/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM capabilities the launcher asks the device about: what it needs to boot and run
 * guests (design.md, "ABI"). `vmxrun --info` prints each answer; the selftests use the same
 * list to check that vmxmon answers 0 for everything it does not implement yet.
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

#endif
