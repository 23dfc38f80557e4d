// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU state ioctls with variable-size or large arguments: CPUID, MSRs, FPU/XSAVE/XCRS,
 * and the machine-check ioctls.
 * Each copies its argument in once, checks sizes and reserved fields, loads the vCPU for the
 * backend and copies the result out. Called with vcpu->mutex held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kmod/vmxmon.h"

#define VMXMON_MAX_CPUID_ENTRIES	256	/* KVM_MAX_CPUID_ENTRIES */
#define VMXMON_MAX_IO_MSRS		256	/* as KVM: more is -E2BIG */

/* KVM_GET_SUPPORTED_CPUID (system fd) and KVM_GET_CPUID2 share this copy-out. */
static long vmxmon_cpuid_out(struct kvm_cpuid2 __user *ucpuid, struct vmxmon_vcpu *vcpu)
{
	struct kvm_cpuid_entry2 *entries;
	struct kvm_cpuid2 hdr;
	int max, r;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < 1)
		return -E2BIG;
	max = min_t(u32, hdr.nent, VMXMON_MAX_CPUID_ENTRIES);
	entries = kvcalloc(max, sizeof(*entries), GFP_KERNEL_ACCOUNT);
	if (!entries)
		return -ENOMEM;
	if (vcpu) {
		vmxmon_vcpu_load(vcpu);
		r = vmxmon_ops->get_cpuid(vcpu, entries, max);
		vmxmon_vcpu_put(vcpu);
	} else {
		r = vmxmon_ops->get_supported_cpuid(entries, max);
	}
	if (r >= 0) {
		hdr.nent = r;
		r = 0;
		if (copy_to_user(ucpuid, &hdr, sizeof(hdr)) ||
		    copy_to_user(ucpuid->entries, entries, hdr.nent * sizeof(*entries)))
			r = -EFAULT;
	}
	kvfree(entries);
	return r;
}

long vmxmon_get_supported_cpuid(void __user *uarg)
{
	return vmxmon_cpuid_out(uarg, NULL);
}

static long vmxmon_vcpu_set_cpuid2(struct vmxmon_vcpu *vcpu, struct kvm_cpuid2 __user *u)
{
	struct kvm_cpuid_entry2 *entries;
	struct kvm_cpuid2 hdr;
	int r;

	if (copy_from_user(&hdr, u, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > VMXMON_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.padding)
		return -EINVAL;
	entries = memdup_user(u->entries, hdr.nent * sizeof(*entries));
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	vmxmon_vcpu_load(vcpu);
	r = vmxmon_ops->set_cpuid(vcpu, entries, hdr.nent);
	vmxmon_vcpu_put(vcpu);
	if (r)
		kfree(entries);
	return r;
}

/* KVM_GET_MSR_INDEX_LIST: -E2BIG (with the count written back) if the array is short. */
long vmxmon_get_msr_index_list(struct kvm_msr_list __user *u)
{
	struct kvm_msr_list hdr;
	u32 n = vmxmon_ops->msr_index_list(NULL, 0), *idx;
	long r = 0;

	if (copy_from_user(&hdr, u, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nmsrs < n)
		r = -E2BIG;
	hdr.nmsrs = n;
	if (copy_to_user(u, &hdr, sizeof(hdr)))
		return -EFAULT;
	if (r)
		return r;
	idx = kcalloc(n, sizeof(*idx), GFP_KERNEL);
	if (!idx)
		return -ENOMEM;
	vmxmon_ops->msr_index_list(idx, n);
	if (copy_to_user(u->indices, idx, n * sizeof(*idx)))
		r = -EFAULT;
	kfree(idx);
	return r;
}

/* KVM_GET_MSRS/KVM_SET_MSRS: returns how many entries succeeded, stopping at the first. */
static long vmxmon_vcpu_msrs(struct vmxmon_vcpu *vcpu, struct kvm_msrs __user *u, bool set)
{
	struct kvm_msr_entry *e;
	struct kvm_msrs hdr;
	u32 i;
	long r;

	if (copy_from_user(&hdr, u, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nmsrs >= VMXMON_MAX_IO_MSRS)
		return -E2BIG;
	e = memdup_user(u->entries, hdr.nmsrs * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	vmxmon_vcpu_load(vcpu);
	for (i = 0; i < hdr.nmsrs; i++) {
		if (set ? vmxmon_ops->set_msr(vcpu, e[i].index, e[i].data, true) :
			  vmxmon_ops->get_msr(vcpu, e[i].index, &e[i].data, true))
			break;
	}
	vmxmon_vcpu_put(vcpu);
	r = i;
	if (!set && copy_to_user(u->entries, e, i * sizeof(*e)))
		r = -EFAULT;
	kfree(e);
	return r;
}

/* Fixed-size state: copied through a kernel buffer (struct kvm_xsave is 4 KiB). */
static long vmxmon_vcpu_fixed_state(struct vmxmon_vcpu *vcpu, unsigned int ioctl,
				  void __user *uarg)
{
	size_t size = _IOC_SIZE(ioctl);
	void *buf;
	long r = 0;

	buf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	if ((_IOC_DIR(ioctl) & _IOC_WRITE) && copy_from_user(buf, uarg, size)) {
		r = -EFAULT;
		goto out;
	}
	switch (ioctl) {
	case KVM_GET_FPU:
		vmxmon_ops->get_fpu(vcpu, buf);
		break;
	case KVM_SET_FPU:
		r = vmxmon_ops->set_fpu(vcpu, buf);
		break;
	case KVM_GET_XSAVE:
		vmxmon_ops->get_xsave(vcpu, buf);
		break;
	case KVM_SET_XSAVE:
		r = vmxmon_ops->set_xsave(vcpu, buf);
		break;
	case KVM_GET_XCRS:
		vmxmon_ops->get_xcrs(vcpu, buf);
		break;
	case KVM_SET_XCRS:
		r = vmxmon_ops->set_xcrs(vcpu, buf);
		break;
	case KVM_GET_VCPU_EVENTS:
		vmxmon_vcpu_load(vcpu);
		vmxmon_ops->get_vcpu_events(vcpu, buf);
		vmxmon_vcpu_put(vcpu);
		break;
	case KVM_GET_MP_STATE:
		vmxmon_vcpu_load(vcpu);
		r = vmxmon_ops->get_mp_state(vcpu, buf);
		vmxmon_vcpu_put(vcpu);
		break;
	case KVM_SET_MP_STATE:
		vmxmon_vcpu_load(vcpu);
		r = vmxmon_ops->set_mp_state(vcpu, buf);
		vmxmon_vcpu_put(vcpu);
		break;
	case KVM_GET_LAPIC:
		r = vmxmon_ops->get_lapic(vcpu, buf);
		break;
	case KVM_SET_LAPIC:
		r = vmxmon_ops->set_lapic(vcpu, buf);
		break;
	case KVM_GET_DEBUGREGS:
		vmxmon_vcpu_load(vcpu);
		vmxmon_ops->get_debugregs(vcpu, buf);
		vmxmon_vcpu_put(vcpu);
		break;
	case KVM_SET_DEBUGREGS:
		vmxmon_vcpu_load(vcpu);
		r = vmxmon_ops->set_debugregs(vcpu, buf);
		vmxmon_vcpu_put(vcpu);
		break;
	case KVM_SET_VCPU_EVENTS:
		vmxmon_vcpu_load(vcpu);
		r = vmxmon_ops->set_vcpu_events(vcpu, buf);
		vmxmon_vcpu_put(vcpu);
		break;
	}
	if (!r && (_IOC_DIR(ioctl) & _IOC_READ) && copy_to_user(uarg, buf, size))
		r = -EFAULT;
out:
	kfree(buf);
	return r;
}

/* KVM_X86_SETUP_MCE (a u64: IA32_MCG_CAP) and KVM_X86_SET_MCE (struct kvm_x86_mce). */
static long vmxmon_vcpu_mce(struct vmxmon_vcpu *vcpu, unsigned int ioctl, void __user *uarg)
{
	struct kvm_x86_mce mce;
	u64 mcg_cap;
	long r;

	if (ioctl == KVM_X86_SETUP_MCE) {
		if (vmxmon_copy_in(&mcg_cap, uarg))
			return -EFAULT;
		return vmxmon_ops->setup_mce(vcpu, mcg_cap);
	}
	if (vmxmon_copy_in(&mce, uarg))
		return -EFAULT;
	vmxmon_vcpu_load(vcpu);
	r = vmxmon_ops->set_mce(vcpu, &mce);
	vmxmon_vcpu_put(vcpu);
	return r;
}

/* Returns -ENOIOCTLCMD for ioctls that are not about this state. */
long vmxmon_vcpu_state_ioctl(struct vmxmon_vcpu *vcpu, unsigned int ioctl, void __user *uarg)
{
	switch (ioctl) {
	case KVM_SET_CPUID2:
		return vmxmon_vcpu_set_cpuid2(vcpu, uarg);
	case KVM_GET_CPUID2:
		return vmxmon_cpuid_out(uarg, vcpu);
	case KVM_GET_MSRS:
		return vmxmon_vcpu_msrs(vcpu, uarg, false);
	case KVM_SET_MSRS:
		return vmxmon_vcpu_msrs(vcpu, uarg, true);
	case KVM_GET_FPU:
	case KVM_SET_FPU:
	case KVM_GET_XSAVE:
	case KVM_SET_XSAVE:
	case KVM_GET_XCRS:
	case KVM_SET_XCRS:
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
	case KVM_GET_DEBUGREGS:
	case KVM_SET_DEBUGREGS:
		return vmxmon_vcpu_fixed_state(vcpu, ioctl, uarg);
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
		return vmxmon_vcpu_fixed_state(vcpu, ioctl, uarg);
	case KVM_X86_SETUP_MCE:
	case KVM_X86_SET_MCE:
		return vmxmon_vcpu_mce(vcpu, ioctl, uarg);
	default:
		return -ENOIOCTLCMD;
	}
}
