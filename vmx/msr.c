// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers: the ones a Linux guest uses, for RDMSR/WRMSR in the guest and
 * KVM_GET/SET_MSRS from userspace; every other index is #GP in the guest and a failed entry
 * for userspace. Where each guest value lives:
 *   - in the VMCS, loaded/saved by VM entry/exit: EFER, PAT, SYSENTER_*, FS/GS base, DEBUGCTL;
 *   - in the CPU while the vCPU is loaded (vmx_msrs_load()/vmx_msrs_put(), swapped with the
 *     host's): STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE, TSC_AUX — SYSCALL, SWAPGS and
 *     RDTSCP in the guest use the real registers;
 *   - only here: MISC_ENABLE, MTRRs, APIC_BASE (until the in-kernel APIC), and the
 *     machine-check banks (x86/mce.c).
 * The MSR bitmap lets the guest access FS/GS/KERNEL_GS base and SYSENTER_* directly (all of
 * them switched as above); every other access exits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/msr.h>
#include <asm/mtrr.h>
#include <asm/processor.h>
#include <asm/traps.h>

#include "kmod/trace.h"
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

#define MTRR_CAP_VALUE		(0x500 | 8)	/* WC, fixed ranges, 8 variable ranges */
#define MTRR_DEF_TYPE_VALID	(0xff | BIT(10) | BIT(11))
#define MISC_ENABLE_RESET	(MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL | MSR_IA32_MISC_ENABLE_BTS_UNAVAIL)
#define APIC_BASE_VALID		(GENMASK_ULL(51, 12) | MSR_IA32_APICBASE_ENABLE | \
				 MSR_IA32_APICBASE_BSP | X2APIC_ENABLE)
#define EFER_GUEST_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/* MSRs whose guest value is in the CPU while the vCPU is loaded. */
static const u32 vmx_swapped_msrs[VMX_NR_SWAPPED_MSRS] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
};
static u64 vmx_host_syscall_msrs[4];	/* STAR..SFMASK: the same on every CPU */
static bool vmx_host_has_tsc_aux;	/* the CPU has IA32_TSC_AUX (RDTSCP or RDPID) */

/* Every MSR KVM_GET_MSR_INDEX_LIST reports (what a migration would save). */
static const u32 vmx_msr_index_list[] = {
	MSR_EFER, MSR_IA32_CR_PAT, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_TSC, MSR_TSC_AUX,
	MSR_IA32_MISC_ENABLE, MSR_IA32_APICBASE, MSR_MTRRdefType,
	MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000,
	MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000, MSR_MTRRfix4K_D8000,
	MSR_MTRRfix4K_E0000, MSR_MTRRfix4K_E8000, MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
	MTRRphysBase_MSR(0), MTRRphysMask_MSR(0), MTRRphysBase_MSR(1), MTRRphysMask_MSR(1),
	MTRRphysBase_MSR(2), MTRRphysMask_MSR(2), MTRRphysBase_MSR(3), MTRRphysMask_MSR(3),
	MTRRphysBase_MSR(4), MTRRphysMask_MSR(4), MTRRphysBase_MSR(5), MTRRphysMask_MSR(5),
	MTRRphysBase_MSR(6), MTRRphysMask_MSR(6), MTRRphysBase_MSR(7), MTRRphysMask_MSR(7),
	MSR_IA32_DEBUGCTLMSR,
	/* As KVM's emulated_msrs: userspace saves the banks themselves after MCG_CAP. */
	MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL,
};

int vmx_msr_index_list_get(u32 *indices, u32 max)
{
	u32 n = ARRAY_SIZE(vmx_msr_index_list);

	if (indices)
		memcpy(indices, vmx_msr_index_list, min(n, max) * sizeof(u32));
	return n;
}

void vmx_msrs_setup(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_host_syscall_msrs); i++)
		rdmsrl(vmx_swapped_msrs[i], vmx_host_syscall_msrs[i]);
	vmx_host_has_tsc_aux = boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID);
}

/* Load the guest's values before the first entry after a load (preemption off). */
void vmx_msrs_load(struct vmx_vcpu *vmx)
{
	int i;

	vmx->host_kernel_gs_base = current->thread.gsbase;	/* saved by current_save_fsgs() */
	/*
	 * Share mode: another hypervisor's guest values may be in the SYSCALL MSRs (KVM's
	 * user-return MSRs, its vCPU thread preempted in the kernel): put back what is there.
	 */
	if (vmx_share_on())
		for (i = 0; i < ARRAY_SIZE(vmx_host_syscall_msrs); i++)
			rdmsrl(vmx_swapped_msrs[i], vmx->host_syscall[i]);
	if (vmx_host_has_tsc_aux)
		rdmsrl(MSR_TSC_AUX, vmx->host_tsc_aux);
	/*
	 * vmx_set_msr() let only values in that the CPU takes; should one fault all the same,
	 * the host's value stays, as KVM's user-return MSRs do (kvm_set_user_return_msr()).
	 */
	for (i = 0; i < VMX_NR_SWAPPED_MSRS; i++)
		if (vmx_swapped_msrs[i] != MSR_TSC_AUX || vmx_host_has_tsc_aux)
			wrmsrl_safe(vmx_swapped_msrs[i], vmx->swapped[i]);
}

/* Give the host its values back; the guest may have changed KERNEL_GS_BASE directly. */
void vmx_msrs_put(struct vmx_vcpu *vmx)
{
	int i;

	const u64 *host = vmx_share_on() ? vmx->host_syscall : vmx_host_syscall_msrs;

	rdmsrl(MSR_KERNEL_GS_BASE, vmx->swapped[VMX_MSR_KERNEL_GS_BASE]);
	for (i = 0; i < ARRAY_SIZE(vmx_host_syscall_msrs); i++)
		wrmsrl(vmx_swapped_msrs[i], host[i]);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
	if (vmx_host_has_tsc_aux)
		wrmsrl(MSR_TSC_AUX, vmx->host_tsc_aux);
}

static int vmx_swapped_index(u32 index)
{
	int i;

	for (i = 0; i < VMX_NR_SWAPPED_MSRS; i++)
		if (vmx_swapped_msrs[i] == index)
			return i;
	return -1;
}

/* MTRR state: def_type, 11 fixed-range, 16 variable-range registers (SDM Vol. 3A 12.11). */
static u64 *vmx_mtrr_slot(struct vmx_vcpu *vmx, u32 index)
{
	if (index == MSR_MTRRdefType)
		return &vmx->mtrr_def_type;
	if (index == MSR_MTRRfix64K_00000)
		return &vmx->mtrr_fixed[0];
	if (index == MSR_MTRRfix16K_80000 || index == MSR_MTRRfix16K_A0000)
		return &vmx->mtrr_fixed[1 + index - MSR_MTRRfix16K_80000];
	if (index >= MSR_MTRRfix4K_C0000 && index <= MSR_MTRRfix4K_F8000)
		return &vmx->mtrr_fixed[3 + index - MSR_MTRRfix4K_C0000];
	if (index >= MTRRphysBase_MSR(0) && index <= MTRRphysMask_MSR(7))
		return &vmx->mtrr_var[index - MTRRphysBase_MSR(0)];
	return NULL;
}

/* Memory types an MTRR may hold: UC, WC, WT, WP, WB (SDM table 12-8). */
static bool vmx_mtrr_type_ok(u8 type)
{
	return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

static bool vmx_mtrr_valid(u32 index, u64 data)
{
	int i;

	if (index == MSR_MTRRdefType)
		return !(data & ~MTRR_DEF_TYPE_VALID) && vmx_mtrr_type_ok(data & 0xff);
	/* Variable: base (type + address), mask. */
	if (index >= MTRRphysBase_MSR(0) && index <= MTRRphysMask_MSR(7)) {
		u64 addr = GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 12);

		return index & 1 ? !(data & ~(addr | BIT(11))) :
				   !(data & ~(addr | 0xff)) && vmx_mtrr_type_ok(data & 0xff);
	}
	for (i = 0; i < 8; i++)		/* fixed: eight one-byte types */
		if (!vmx_mtrr_type_ok(data >> (i * 8)))
			return false;
	return true;
}

/* Returns 0, or 1 if the access must fail (#GP in the guest, error for userspace). */
int vmx_get_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 *slot;
	int i;

	i = x86_lapic_msr(vcpu, index, data, false, false);
	if (i >= 0)
		return i;
	if (x86_mce_msr(index))
		return x86_mce_get_msr(vcpu, index, data, host);

	switch (index) {
	case MSR_EFER:			*data = vmcs_read64(GUEST_IA32_EFER); return 0;
	case MSR_IA32_CR_PAT:		*data = vmcs_read64(GUEST_IA32_PAT); return 0;
	case MSR_FS_BASE:		*data = vmcs_readl(GUEST_FS_BASE); return 0;
	case MSR_GS_BASE:		*data = vmcs_readl(GUEST_GS_BASE); return 0;
	case MSR_IA32_SYSENTER_CS:	*data = vmcs_read32(GUEST_SYSENTER_CS); return 0;
	case MSR_IA32_SYSENTER_ESP:	*data = vmcs_readl(GUEST_SYSENTER_ESP); return 0;
	case MSR_IA32_SYSENTER_EIP:	*data = vmcs_readl(GUEST_SYSENTER_EIP); return 0;
	case MSR_IA32_DEBUGCTLMSR:	*data = vmcs_read64(GUEST_IA32_DEBUGCTL); return 0;
	case MSR_IA32_TSC:		*data = rdtsc() + vmcs_read64(TSC_OFFSET); return 0;
	case MSR_IA32_MISC_ENABLE:	*data = vmx->misc_enable; return 0;
	case MSR_IA32_APICBASE:		*data = vmx->x86.apic_base; return 0;
	case MSR_IA32_UCODE_REV:	*data = vmx->ucode_rev; return 0;
	case MSR_MTRRcap:		*data = MTRR_CAP_VALUE; return 0;
	case MSR_TSC_AUX:
		if (!vmx_host_has_tsc_aux)	/* as KVM: no such MSR to switch */
			return 1;
		*data = vmx->swapped[VMX_MSR_TSC_AUX];
		return 0;
	case MSR_KERNEL_GS_BASE:
		if (vmx->host.saved)	/* live in the CPU, the guest may have changed it */
			rdmsrl(MSR_KERNEL_GS_BASE, vmx->swapped[VMX_MSR_KERNEL_GS_BASE]);
		fallthrough;
	default:
		i = vmx_swapped_index(index);
		if (i >= 0) {
			*data = vmx->swapped[i];
			return 0;
		}
		slot = vmx_mtrr_slot(vmx, index);
		if (!slot)
			return 1;
		*data = *slot;
		return 0;
	}
}

/* @host: KVM_SET_MSRS (may set what the guest may not, e.g. EFER.LMA, the TSC outright). */
int vmx_set_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 *slot;
	int i;

	i = x86_lapic_msr(vcpu, index, &data, true, host);
	if (i >= 0)
		return i == 2 ? 0 : i;	/* an EOI's userspace exit: only from the guest */
	if (x86_mce_msr(index))
		return x86_mce_set_msr(vcpu, index, data, host);

	switch (index) {
	case MSR_EFER:
		if (data & ~EFER_GUEST_VALID || (!host && !vmx_efer_write_ok(vcpu, data)))
			return 1;
		vmx_set_efer(host ? data : (data & ~EFER_LMA) |
				   (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA));
		return 0;
	case MSR_IA32_CR_PAT: {
		int b;

		for (b = 0; b < 8; b++) {	/* each entry: UC WC WT WP WB UC- */
			u8 t = data >> (b * 8);

			if (t > 7 || t == 2 || t == 3)
				return 1;
		}
		vmcs_write64(GUEST_IA32_PAT, data);
		return 0;
	}
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!__is_canonical_address(data, 48))
			return 1;
		if (index == MSR_FS_BASE)
			vmcs_writel(GUEST_FS_BASE, data);
		else if (index == MSR_GS_BASE)
			vmcs_writel(GUEST_GS_BASE, data);
		else if (index == MSR_IA32_SYSENTER_ESP)
			vmcs_writel(GUEST_SYSENTER_ESP, data);
		else if (index == MSR_IA32_SYSENTER_EIP)
			vmcs_writel(GUEST_SYSENTER_EIP, data);
		else
			goto swapped;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBR/BTS virtualization: only the architectural no-op value. */
		if (data)
			return 1;
		vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
		return 0;
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, data - rdtsc());
		return 0;
	case MSR_TSC_AUX:
		if (!vmx_host_has_tsc_aux || data >> 32)
			return 1;
		goto swapped;
	case MSR_SYSCALL_MASK:
		/* IA32_FMASK bits 63:32 are reserved: WRMSR of one is #GP (SDM Vol. 4 t. 2-2). */
		if (data >> 32)
			return 1;
		goto swapped;
	case MSR_STAR:
		/* Every bit is defined (SYSRET CS/SS, SYSCALL CS/SS, legacy EIP): any value. */
		goto swapped;
	case MSR_IA32_MISC_ENABLE:
		vmx->misc_enable = data;
		return 0;
	case MSR_IA32_APICBASE:
		if (data & ~APIC_BASE_VALID)
			return 1;
		vmx->x86.apic_base = data;
		return 0;
	case MSR_IA32_UCODE_REV:
		/*
		 * The launcher chooses the revision (a guest kernel checks it against its
		 * errata lists: Linux keeps the TSC-deadline timer off on a Haswell below
		 * 0x22); the guest's own writes are ignored (Linux writes 0 before
		 * reading it back), as on hardware and in KVM.
		 */
		if (host)
			vmx->ucode_rev = data;
		return 0;
	case MSR_MTRRcap:
		return !host || data != MTRR_CAP_VALUE;
	default:
		if (vmx_swapped_index(index) >= 0)
			goto swapped;
		slot = vmx_mtrr_slot(vmx, index);
		if (!slot || !vmx_mtrr_valid(index, data))
			return 1;
		*slot = data;
		return 0;
	}
swapped:
	/*
	 * The guest's value is live in the CPU while the vCPU is loaded: write it there, with
	 * the exception fixup, so that a value the checks above missed is a #GP for the guest
	 * (or an error for KVM_SET_MSRS) and never an unchecked fault in the host, as KVM's
	 * kvm_set_user_return_msr() does.
	 */
	if (vmx->host.saved && wrmsrl_safe(index, data))
		return 1;
	vmx->swapped[vmx_swapped_index(index)] = data;
	return 0;
}

/* RDMSR/WRMSR exits: ECX index, EDX:EAX value (SDM Vol. 2B). */
int vmx_handle_rdmsr(struct vmxmon_vcpu *vcpu)
{
	unsigned long *regs = vcpu_x86(vcpu)->regs;
	u64 data;

	if (vmx_get_msr(vcpu, regs[VCPU_RCX], &data, false)) {
		trace_vmxmon_msr(vcpu->id, false, regs[VCPU_RCX], 0, true);
		vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	trace_vmxmon_msr(vcpu->id, false, regs[VCPU_RCX], data, false);
	regs[VCPU_RAX] = (u32)data;
	regs[VCPU_RDX] = data >> 32;
	vmx_skip_instruction(vcpu);
	return 1;
}

int vmx_handle_wrmsr(struct vmxmon_vcpu *vcpu)
{
	unsigned long *regs = vcpu_x86(vcpu)->regs;
	u64 data = (u32)regs[VCPU_RAX] | ((u64)(u32)regs[VCPU_RDX] << 32);
	int r = x86_lapic_msr(vcpu, regs[VCPU_RCX], &data, true, false);
	bool fault = r == 1 || (r < 0 && vmx_set_msr(vcpu, regs[VCPU_RCX], data, false));

	trace_vmxmon_msr(vcpu->id, true, regs[VCPU_RCX], data, fault);
	if (r == 2) {			/* x2APIC EOI of a level-triggered IOAPIC vector */
		vmx_skip_instruction(vcpu);
		return 0;
	}
	if (fault) {
		vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	vmx_skip_instruction(vcpu);
	return 1;
}

/* Let the guest reach the MSRs that VM entry/exit or vmx_msrs_load() switch. */
void vmx_msr_bitmap_init(unsigned long *bitmap)
{
	static const u32 passthrough[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_IA32_SYSENTER_CS,
		MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	};
	int i;

	/* Read bitmap for low MSRs at byte 0, high at 1024; write bitmaps at 2048 and 3072. */
	for (i = 0; i < ARRAY_SIZE(passthrough); i++) {
		u32 msr = passthrough[i];
		unsigned long bit = msr & 0x1fff;
		unsigned long base = msr >= 0xc0000000 ? 1024 * 8 : 0;

		__clear_bit(base + bit, bitmap);
		__clear_bit(base + 2048 * 8 + bit, bitmap);
	}
}
