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

static __always_inline unsigned long __vmcs_readl(unsigned long field)
{
	unsigned long value;

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

/*
 * The guest's XMM and MMX registers while its FPU state is loaded (vmx/emulate_mem.c):
 * legacy SSE moves, which leave the upper YMM halves alone, and MMX MOVQ, which sets the x87
 * tags as the guest's own MOVQ does. Caller holds fpregs_lock().
 */
#define VMX_XMM_READ(n)								\
	case n:									\
		asm volatile("movdqu %%xmm" #n ", %0" : "=m" (*v));		\
		break
#define VMX_XMM_WRITE(n)							\
	case n:									\
		asm volatile("movdqu %0, %%xmm" #n : : "m" (*v));		\
		break

#define VMX_MMX_READ(n)								\
	case n:									\
		asm volatile("movq %%mm" #n ", %0" : "=m" (*v));		\
		break
#define VMX_MMX_WRITE(n)							\
	case n:									\
		asm volatile("movq %0, %%mm" #n : : "m" (*v));			\
		break

static __always_inline void vmx_mmx_read(int reg, u8 *buf)
{
	u8 (*v)[8] = (void *)buf;

	switch (reg) {
	VMX_MMX_READ(0); VMX_MMX_READ(1); VMX_MMX_READ(2); VMX_MMX_READ(3);
	VMX_MMX_READ(4); VMX_MMX_READ(5); VMX_MMX_READ(6); VMX_MMX_READ(7);
	}
}

static __always_inline void vmx_mmx_write(int reg, const u8 *buf)
{
	const u8 (*v)[8] = (const void *)buf;

	switch (reg) {
	VMX_MMX_WRITE(0); VMX_MMX_WRITE(1); VMX_MMX_WRITE(2); VMX_MMX_WRITE(3);
	VMX_MMX_WRITE(4); VMX_MMX_WRITE(5); VMX_MMX_WRITE(6); VMX_MMX_WRITE(7);
	}
}

/* FWAIT: -1 if the guest's x87 state has an unmasked exception pending (#MF, fixed up). */
static __always_inline int vmx_fwait_safe(void)
{
	asm goto("1: fwait\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : : fault);
	return 0;
fault:
	return -1;
}

static __always_inline void vmx_xmm_read(int reg, u8 *buf)
{
	u8 (*v)[16] = (void *)buf;

	switch (reg) {
	VMX_XMM_READ(0); VMX_XMM_READ(1); VMX_XMM_READ(2); VMX_XMM_READ(3);
	VMX_XMM_READ(4); VMX_XMM_READ(5); VMX_XMM_READ(6); VMX_XMM_READ(7);
	VMX_XMM_READ(8); VMX_XMM_READ(9); VMX_XMM_READ(10); VMX_XMM_READ(11);
	VMX_XMM_READ(12); VMX_XMM_READ(13); VMX_XMM_READ(14); VMX_XMM_READ(15);
	}
}

static __always_inline void vmx_xmm_write(int reg, const u8 *buf)
{
	const u8 (*v)[16] = (const void *)buf;

	switch (reg) {
	VMX_XMM_WRITE(0); VMX_XMM_WRITE(1); VMX_XMM_WRITE(2); VMX_XMM_WRITE(3);
	VMX_XMM_WRITE(4); VMX_XMM_WRITE(5); VMX_XMM_WRITE(6); VMX_XMM_WRITE(7);
	VMX_XMM_WRITE(8); VMX_XMM_WRITE(9); VMX_XMM_WRITE(10); VMX_XMM_WRITE(11);
	VMX_XMM_WRITE(12); VMX_XMM_WRITE(13); VMX_XMM_WRITE(14); VMX_XMM_WRITE(15);
	}
}

#endif /* VMXMON_VMX_OPS_H */
