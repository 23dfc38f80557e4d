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
#include <linux/build_bug.h>
#include <asm/asm.h>

/*
 * One VMX instruction with a memory operand (a physical address, or an INVEPT/INVVPID
 * descriptor) and optionally a register operand: 0, -EIO on VMfail, -EFAULT on a fault.
 */
#define __vmx_insn(insn, operands, ...)					\
({									\
	__label__ __vmfail, __fault, __out;				\
	int __r = 0;							\
									\
	asm goto("1: " insn " " operands "\n\t"			\
		 "jna %l[__vmfail]\n\t"				\
		 _ASM_EXTABLE(1b, %l[__fault])				\
		 : : __VA_ARGS__ : "cc", "memory" : __vmfail, __fault);	\
	goto __out;							\
__vmfail:								\
	__r = -EIO;							\
	goto __out;							\
__fault:								\
	__r = -EFAULT;							\
__out:									\
	__r;								\
})

static __always_inline int vmx_vmxon(u64 vmxon_region_pa)
{
	return __vmx_insn("vmxon", "%[pa]", [pa] "m" (vmxon_region_pa));
}

static __always_inline int vmx_vmxoff(void)
{
	return __vmx_insn("vmxoff", "");
}

static __always_inline int vmx_vmclear(u64 vmcs_pa)
{
	return __vmx_insn("vmclear", "%[pa]", [pa] "m" (vmcs_pa));
}

static __always_inline int vmx_vmptrld(u64 vmcs_pa)
{
	return __vmx_insn("vmptrld", "%[pa]", [pa] "m" (vmcs_pa));
}

/* The current-VMCS pointer into *@pa (-1ull when there is none; SDM Vol. 3C 31.3). */
static __always_inline int vmx_vmptrst(u64 *pa)
{
	return __vmx_insn("vmptrst", "%[pa]", [pa] "m" (*pa));
}

/*
 * VM exit loads a null LDTR (SDM Vol. 3C 28.5.2); the host's comes back with LLDT.
 * (Linux's load_ldt() does not exist with CONFIG_PARAVIRT_XXL.)
 */
static __always_inline void vmx_load_ldt(u16 sel)
{
	asm volatile("lldt %0" : : "rm" (sel));
}

/*
 * VMREAD/VMWRITE. A VMfail here is a vmxmon bug (unsupported or read-only field), never
 * guest input: it is logged (ratelimited) by vmx_vmread_error()/vmx_vmwrite_error().
 * Use the typed accessors in vmx/vmcs.h, not these.
 */
void vmx_vmread_error(unsigned long field);
void vmx_vmwrite_error(unsigned long field, unsigned long value);

/*
 * Debug kernels (lockdep's, as scripts/debug-kernel builds): in share mode every VMREAD and
 * VMWRITE must come inside a section (vmx/share.c), where the current VMCS is ours; outside
 * one it is the other hypervisor's (a VMWRITE would corrupt its guest) or none. Checked
 * there, one call per access; nothing in other kernels.
 */
#ifdef CONFIG_PROVE_LOCKING
void vmx_share_assert_section(unsigned long field);
#else
static __always_inline void vmx_share_assert_section(unsigned long field) { }
#endif

static __always_inline unsigned long __vmcs_readl(unsigned long field)
{
	unsigned long value;

	vmx_share_assert_section(field);
	asm goto("1: vmread %[field], %[value]\n\t"
		 "jna %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : [value] "=r" (value) : [field] "r" (field) : "cc" : vmfail, fault);
	return value;
vmfail:
	vmx_vmread_error(field);
	return 0;
fault:
	return 0;
}

static __always_inline void __vmcs_writel(unsigned long field, unsigned long value)
{
	vmx_share_assert_section(field);
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jna %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [field] "r" (field), [value] "rm" (value) : "cc" : vmfail, fault);
	return;
vmfail:
	vmx_vmwrite_error(field, value);
fault:
	return;
}

/* INVEPT/INVVPID descriptors (SDM Vol. 3C 31.3, "INVEPT" and "INVVPID"). */
struct invept_desc {
	u64 eptp;
	u64 reserved;
};

struct invvpid_desc {
	u64 vpid:16;
	u64 reserved:48;
	u64 gla;
};
static_assert(sizeof(struct invept_desc) == 16);
static_assert(sizeof(struct invvpid_desc) == 16);

static __always_inline int vmx_invept(unsigned long type, u64 eptp)
{
	struct invept_desc desc = { .eptp = eptp };

	return __vmx_insn("invept", "%[desc], %[type]", [desc] "m" (desc), [type] "r" (type));
}

static __always_inline int vmx_invvpid(unsigned long type, u16 vpid, u64 gla)
{
	struct invvpid_desc desc = { .vpid = vpid, .gla = gla };

	return __vmx_insn("invvpid", "%[desc], %[type]", [desc] "m" (desc), [type] "r" (type));
}

#endif /* VMXMON_VMX_OPS_H */
