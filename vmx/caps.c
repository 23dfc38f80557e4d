// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capability discovery: what this CPU's VT-x can do, read from the capability MSRs
 * (SDM Vol. 3D appendix A), and the check that it can do everything vmxmon needs:
 * VMX usable outside SMX, TRUE_* controls or not, secondary controls with EPT (4-level
 * walk, write-back, INVEPT) and unrestricted guest. VPID is used when present.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"

struct vmx_caps vmx_caps;

#define VMX_REQUIRED_EPT_CAPS	(VMX_EPT_PAGE_WALK_4_BIT | VMX_EPTP_WB_BIT | VMX_EPT_INVEPT_BIT)

static bool allowed1(u64 ctl_msr, u32 bits)
{
	return ((u32)(ctl_msr >> 32) & bits) == bits;
}

/* Read the capability MSRs of the calling CPU. -EIO if any of them is not readable. */
int vmx_caps_read(struct vmx_caps *c)
{
	bool true_ctls;
	int err = 0;

	memset(c, 0, sizeof(*c));
	err |= rdmsrl_safe(MSR_IA32_VMX_BASIC, &c->basic);
	if (err)
		return -EIO;
	true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->revision_id = c->basic & VMX_BASIC_REVISION_MASK;
	c->vmcs_size = VMX_BASIC_VMCS_SIZE(c->basic);

	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			   MSR_IA32_VMX_PINBASED_CTLS, &c->pinbased);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			   MSR_IA32_VMX_PROCBASED_CTLS, &c->procbased);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			   MSR_IA32_VMX_EXIT_CTLS, &c->exit);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			   MSR_IA32_VMX_ENTRY_CTLS, &c->entry);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED0, &c->cr0_fixed0);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED1, &c->cr0_fixed1);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED0, &c->cr4_fixed0);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED1, &c->cr4_fixed1);
	if (err)
		return -EIO;

	/* Secondary controls and EPT/VPID capabilities exist only if their enable bit can be 1. */
	if (allowed1(c->procbased, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &c->procbased2))
		return -EIO;
	if ((allowed1(c->procbased2, SECONDARY_EXEC_ENABLE_EPT) ||
	     allowed1(c->procbased2, SECONDARY_EXEC_ENABLE_VPID)) &&
	    rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &c->ept_vpid))
		return -EIO;
	c->has_vpid = allowed1(c->procbased2, SECONDARY_EXEC_ENABLE_VPID) &&
		      ((c->ept_vpid >> 32) & VMX_VPID_INVVPID_BIT) &&
		      ((c->ept_vpid >> 32) & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT);
	return 0;
}

static const char *vmx_vendor_name(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_INTEL:	return "Intel";
	case X86_VENDOR_AMD:	return "AMD";
	case X86_VENDOR_HYGON:	return "Hygon";
	case X86_VENDOR_CENTAUR: return "Centaur";
	case X86_VENDOR_ZHAOXIN: return "Zhaoxin";
	default:		return "unknown";
	}
}

/*
 * Can vmxmon run on this machine? Fills @c from the boot CPU; one log line says what is
 * missing and what is needed. Called at load, before anything is allocated.
 */
int vmx_caps_check(struct vmx_caps *c)
{
	static const char need[] = "vmxmon needs Intel VT-x with EPT and unrestricted guest";
	u64 feat;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL)
			pr_err("VT-x (VMX) not available: this is an %s CPU without VMX; %s\n",
			       vmx_vendor_name(), need);
		else
			pr_err("VT-x (VMX) not available: not supported by this CPU or disabled by firmware (IA32_FEATURE_CONTROL); %s\n",
			       need);
		return -EOPNOTSUPP;
	}
	/* Linux clears X86_FEATURE_VMX when firmware locked VMX off; check anyway. */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) || !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VT-x (VMX) disabled by firmware (IA32_FEATURE_CONTROL=%#llx); enable VT-x in the BIOS setup\n",
		       feat);
		return -EOPNOTSUPP;
	}
	if (vmx_caps_read(c)) {
		pr_err("VT-x (VMX) capability MSRs are not readable; %s\n", need);
		return -EOPNOTSUPP;
	}
	if (c->vmcs_size > PAGE_SIZE || (c->basic & VMX_BASIC_PHYS_ADDR_32BIT) ||
	    VMX_BASIC_MEMTYPE(c->basic) != VMX_BASIC_MEMTYPE_WB) {
		pr_err("VT-x (VMX) with an unsupported VMCS layout (IA32_VMX_BASIC=%#llx)\n",
		       c->basic);
		return -EOPNOTSUPP;
	}
	if (!allowed1(c->procbased, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) ||
	    !allowed1(c->procbased2, SECONDARY_EXEC_ENABLE_EPT) ||
	    (c->ept_vpid & VMX_REQUIRED_EPT_CAPS) != VMX_REQUIRED_EPT_CAPS ||
	    !(c->ept_vpid & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT))) {
		pr_err("VT-x lacks EPT (extended page tables with a 4-level walk, write-back and INVEPT); %s (Intel Nehalem or newer)\n",
		       need);
		return -EOPNOTSUPP;
	}
	if (!allowed1(c->procbased2, SECONDARY_EXEC_UNRESTRICTED_GUEST)) {
		pr_err("VT-x lacks unrestricted guest; %s (Intel Westmere or newer)\n", need);
		return -EOPNOTSUPP;
	}
	/*
	 * String I/O exits take the address size and segment from the VM-exit instruction
	 * information, which the CPU fills for INS/OUTS only with IA32_VMX_BASIC bit 54 (SDM
	 * Vol. 3D A.1). Every CPU with unrestricted guest has it; checked after EPT and
	 * unrestricted guest so that older CPUs keep the message that names what they lack.
	 */
	if (!(c->basic & VMX_BASIC_INOUT)) {
		pr_err("VT-x does not report INS/OUTS exit information (IA32_VMX_BASIC bit 54); %s\n",
		       need);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Does the calling CPU have the same VMX capabilities as the boot CPU? */
bool vmx_caps_match_this_cpu(const struct vmx_caps *boot)
{
	struct vmx_caps here;

	if (!this_cpu_has(X86_FEATURE_VMX) || vmx_caps_read(&here))
		return false;
	return !memcmp(&here, boot, sizeof(here));
}
