// SPDX-License-Identifier: GPL-2.0
/*
 * The processor state a loader hands over: a flat GDT, identity page tables for the 64-bit
 * Linux entry (Documentation/x86/boot.rst, "64-bit Boot Protocol"), and the segment, control
 * and general registers for long mode or 32-bit protected mode (multiboot, "Machine state").
 */
#include <string.h>

#include "x86_defs.h"

#include "../vm/vm.h"
#include "loader.h"

/* Descriptor for base 0, limit 4 GiB (G=1), with access byte and flags (SDM Vol. 3 3.4.5). */
#define GDT_ENTRY(access, flags) \
	(0xffffULL | (u64)(access) << 40 | 0xfULL << 48 | (u64)(flags) << 52)

static const u64 boot_gdt[] = {
	0,
	GDT_ENTRY(0x9b, 0xc),		/* 0x08: 32-bit code, D=1 G=1 */
	GDT_ENTRY(0x9b, 0xa),		/* 0x10: 64-bit code, L=1 G=1 */
	GDT_ENTRY(0x93, 0xc),		/* 0x18: data, B=1 G=1 */
	0x0000890000000067ULL,		/* 0x20: TSS (available), base 0, limit 0x67 */
	0,				/*       upper half of the 16-byte system descriptor */
};

int x86__setup_tables(struct vm *vm, enum boot_mode mode)
{
	u64 *gdt = vm__gpa(vm, BOOT_GDT, sizeof(boot_gdt));
	u64 *pml4 = vm__gpa(vm, BOOT_PML4, 6 * 4096);

	if (!gdt || !pml4)
		return -1;
	memcpy(gdt, boot_gdt, sizeof(boot_gdt));
	if (mode != BOOT_LONG64)
		return 0;
	/* PML4[0] -> PDPT, PDPT[0..3] -> 4 page directories of 2 MiB pages: 0-4 GiB. */
	memset(pml4, 0, 6 * 4096);
	pml4[0] = (BOOT_PML4 + 0x1000) | PTE_P | PTE_W;
	for (u64 i = 0; i < 4; i++)
		pml4[512 + i] = (BOOT_PML4 + 0x2000 + i * 0x1000) | PTE_P | PTE_W;
	for (u64 i = 0; i < 4 * 512; i++)
		pml4[1024 + i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
	return 0;
}

static struct kvm_segment seg(u16 sel, u8 type, bool code64, bool db)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = db, .s = 1, .l = code64, .g = 1,
	};
}

void x86__sregs(const struct boot_state *bs, struct kvm_sregs *s, bool apic)
{
	bool lm = bs->mode == BOOT_LONG64;
	struct kvm_segment data = seg(SEL_DATA, 0x3, false, true);

	s->cs = lm ? seg(SEL_CODE64, 0xb, true, false) : seg(SEL_CODE32, 0xb, false, true);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct kvm_segment){ .selector = SEL_TSS, .limit = 0x67, .type = 0xb,
				      .present = 1 };	/* busy TSS: VM entry requires one */
	s->ldt = (struct kvm_segment){ .type = 0x2, .present = 1, .unusable = 1 };
	s->gdt = (struct kvm_dtable){ .base = BOOT_GDT, .limit = sizeof(boot_gdt) - 1 };
	s->idt = (struct kvm_dtable){ .base = 0, .limit = 0 };
	s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | (lm ? X86_CR0_PG : 0);
	s->cr2 = 0;
	s->cr3 = lm ? BOOT_PML4 : 0;
	s->cr4 = lm ? X86_CR4_PAE : 0;
	s->efer = lm ? EFER_LME | EFER_LMA : 0;
	/*
	 * KVM_SET_SREGS writes IA32_APIC_BASE. PIC-only machine: the local APIC is globally
	 * disabled (bit 11 clear), which also clears CPUID.1:EDX.APIC on KVM, so the guest does
	 * not poke at it. With the in-kernel LAPIC it must stay enabled, or KVM hides it too.
	 */
	s->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_BSP |
		       (apic ? MSR_IA32_APICBASE_ENABLE : 0);
	memset(s->interrupt_bitmap, 0, sizeof(s->interrupt_bitmap));
}

void x86__regs(const struct boot_state *bs, struct kvm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rflags = 0x2;		/* reserved bit 1; IF=0 */
	r->rip = bs->rip;
	r->rsp = bs->rsp;
	r->rsi = bs->rsi;
	r->rax = bs->rax;
	r->rbx = bs->rbx;
}
