// SPDX-License-Identifier: GPL-2.0
/* Bare guests (see kvm_util.h): raw layer, no assertions. */
#include <string.h>

#include "kvm_util.h"
#include "x86_defs.h"

/*
 * The guest's CPUID is what the device supports, set before the vCPU first runs (later,
 * both devices take only the same table again): long mode needs CPUID.80000001H:EDX.LM
 * there, as KVM 6.12 checks EFER against it in KVM_SET_SREGS (kvm_valid_efer()).
 */
static int bare_set_supported_cpuid(struct vcpu *g, const char **what)
{
	const struct kvm_cpuid2 *cpuid;
	int r = __vm_supported_cpuid(g->vm, &cpuid);

	if (!r)
		r = (int)dev_ioctl(g->fd, KVM_SET_CPUID2, (unsigned long)cpuid);
	if (r)
		*what = "KVM_SET_CPUID2";
	return r;
}

int __bare_guest(const char *dev, size_t mem_size, struct vcpu **vcpup, const char **what)
{
	struct vm *vm;
	int r = __vm_create(dev, mem_size, &vm, what);

	*vcpup = NULL;
	if (r)
		return r;
	r = __vcpu_add(vm, 0, vcpup, what);
	if (!r)
		r = bare_set_supported_cpuid(*vcpup, what);
	if (r) {
		if (*vcpup)
			vcpu_free(*vcpup);
		*vcpup = NULL;
		vm_free(vm);
	}
	return r;
}

int bare_enter_real_mode(struct vcpu *g)
{
	return __vcpu_enter_real_mode(g, BARE_CODE_GPA, 0xf000, 2);
}

int bare_enter_long_mode(struct vcpu *g)
{
	uint8_t *mem = g->vm->mem;
	uint64_t *pml4 = (uint64_t *)(mem + BARE_PT_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
	uint64_t *gdt = (uint64_t *)(mem + BARE_GDT_GPA);
	struct kvm_regs regs = { .rip = BARE_CODE64_GPA, .rsp = BARE_MIN_MEM - 16, .rflags = 2 };
	struct kvm_sregs s = g->reset_sregs;
	long r;

	if (g->vm->mem_size < BARE_MIN_MEM)
		return -EINVAL;
	memset(pml4, 0, BARE_GDT_GPA + 4096 - BARE_PT_GPA);
	pml4[0] = (BARE_PT_GPA + 0x1000) | PTE_P | PTE_W;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (BARE_PT_GPA + 0x2000 + i * 0x1000ul) | PTE_P | PTE_W;
	for (int i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;	/* 2 MiB pages */
	gdt[1] = GDT_DESC_CODE64;
	gdt[2] = GDT_DESC_DATA;
	s.cs = flat_segment(0x08, true);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(0x10, false);
	s.gdt.base = BARE_GDT_GPA;
	s.gdt.limit = 3 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = X86_CR0_PG | X86_CR0_NE | X86_CR0_ET | X86_CR0_PE;
	s.cr3 = BARE_PT_GPA;
	s.cr4 = X86_CR4_PAE;
	s.efer = EFER_LMA | EFER_LME | EFER_SCE;
	r = dev_ioctl(g->fd, KVM_SET_SREGS, (unsigned long)&s);
	return (int)(r ? r : dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs));
}
