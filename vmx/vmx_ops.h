/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every VMX instruction vmxmon executes, and the only inline assembly in the module.
 *
 * Each instruction:
 *  - has an exception-table fixup: VMX can vanish under us (an emergency reboot or a crash
 *    kexec runs VMXOFF on every CPU from NMI context), after which VMX instructions #UD;
 *  - checks VMfail (SDM Vol. 3C 31.2 "Conventions": VMfailInvalid sets CF, VMfailValid sets
 *    ZF; "jna" is taken on either).
 * Return values: 0 success, -EIO VMfail, -EFAULT the instruction faulted.
 */
#ifndef VMXMON_VMX_OPS_H
#define VMXMON_VMX_OPS_H

#include <linux/types.h>
#include <linux/errno.h>
#include <asm/asm.h>

static __always_inline int vmx_vmxon(u64 vmxon_region_pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jna %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (vmxon_region_pa) : "cc", "memory" : vmfail, fault);
	return 0;
vmfail:
	return -EIO;
fault:
	return -EFAULT;
}

static __always_inline int vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jna %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : vmfail, fault);
	return 0;
vmfail:
	return -EIO;
fault:
	return -EFAULT;
}

static __always_inline int vmx_vmclear(u64 vmcs_pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jna %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (vmcs_pa) : "cc", "memory" : vmfail, fault);
	return 0;
vmfail:
	return -EIO;
fault:
	return -EFAULT;
}

static __always_inline int vmx_vmptrld(u64 vmcs_pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jna %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (vmcs_pa) : "cc", "memory" : vmfail, fault);
	return 0;
vmfail:
	return -EIO;
fault:
	return -EFAULT;
}

#endif /* VMXMON_VMX_OPS_H */
