// SPDX-License-Identifier: GPL-2.0
/*
 * Guest architectural state as KVM_GET/SET_REGS and KVM_GET/SET_SREGS see it: reset values,
 * segment access-rights conversion, the CR0/CR4 the guest sees (read shadows) versus the
 * ones the CPU runs with, and the small helpers exit handlers share (skip an instruction,
 * inject an exception, current privilege level).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

/* Segment access rights in the VMCS (SDM Vol. 3C 25.4.1, table 25-2): <asm/vmx.h> names. */
#define VMX_AR_S		VMX_AR_S_MASK
#define VMX_AR_P		VMX_AR_P_MASK
#define VMX_AR_AVL		BIT(12)
#define VMX_AR_L		VMX_AR_L_MASK
#define VMX_AR_DB		VMX_AR_DB_MASK
#define VMX_AR_G		VMX_AR_G_MASK
#define VMX_AR_UNUSABLE		VMX_AR_UNUSABLE_MASK

#define VMX_EFER_VALID		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

struct vmx_seg_fields {
	unsigned long sel, base, limit, ar;
};

#define SEG(s) { GUEST_##s##_SELECTOR, GUEST_##s##_BASE, GUEST_##s##_LIMIT, GUEST_##s##_AR_BYTES }
static const struct vmx_seg_fields vmx_segs[] = {
	SEG(ES), SEG(CS), SEG(SS), SEG(DS), SEG(FS), SEG(GS), SEG(TR), SEG(LDTR),
};
#undef SEG
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR };

/*
 * As KVM: every attribute is kept, and a segment that is unusable or not present gets the
 * unusable bit (a usable segment must be present, SDM 26.3.1.2).
 */
static u32 vmx_seg_to_ar(const struct kvm_segment *s)
{
	return (s->type & VMX_AR_TYPE_MASK) | (s->s ? VMX_AR_S : 0) |
	       ((s->dpl & 3) << VMX_AR_DPL_SHIFT) | (s->present ? VMX_AR_P : 0) |
	       (s->avl ? VMX_AR_AVL : 0) | (s->l ? VMX_AR_L : 0) | (s->db ? VMX_AR_DB : 0) |
	       (s->g ? VMX_AR_G : 0) | (s->unusable || !s->present ? VMX_AR_UNUSABLE : 0);
}

static void vmx_get_segment(int seg, struct kvm_segment *s)
{
	const struct vmx_seg_fields *f = &vmx_segs[seg];
	u32 ar = __vmcs_readl(f->ar);

	memset(s, 0, sizeof(*s));
	s->selector = __vmcs_readl(f->sel);
	s->base = __vmcs_readl(f->base);
	s->limit = __vmcs_readl(f->limit);
	s->unusable = !!(ar & VMX_AR_UNUSABLE);
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S);
	s->dpl = (ar >> VMX_AR_DPL_SHIFT) & 3;
	s->present = !s->unusable;
	s->avl = !!(ar & VMX_AR_AVL);
	s->l = !!(ar & VMX_AR_L);
	s->db = !!(ar & VMX_AR_DB);
	s->g = !!(ar & VMX_AR_G);
}

static void vmx_set_segment(int seg, const struct kvm_segment *s)
{
	const struct vmx_seg_fields *f = &vmx_segs[seg];
	struct kvm_segment fixed = *s;

	/*
	 * As KVM does with unrestricted guest: set the "accessed" bit that old userspace
	 * forgets (the architectural reset value has it) except for LDTR, whose type 2 has
	 * no such bit.
	 */
	if (seg != SEG_LDTR)
		fixed.type |= 1;
	__vmcs_writel(f->sel, fixed.selector);
	__vmcs_writel(f->base, fixed.base);
	__vmcs_writel(f->limit, fixed.limit);
	__vmcs_writel(f->ar, vmx_seg_to_ar(&fixed));
}

void vmx_set_cr0(unsigned long cr0)
{
	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, (cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | X86_CR0_NE);
}

void vmx_set_cr4(unsigned long cr4)
{
	vmcs_writel(CR4_READ_SHADOW, cr4);
	/* Keep the host's CR4.MCE so that a machine check in the guest is not a shutdown. */
	vmcs_writel(GUEST_CR4, (cr4 & ~X86_CR4_MCE) | (cr4_read_shadow() & X86_CR4_MCE) |
		    X86_CR4_VMXE);
}

void vmx_set_efer(u64 efer)
{
	vmcs_write64(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_set_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
}

/* Architectural reset (SDM Vol. 3A 10.1.1, table 10-1) as KVM leaves a new vCPU. */
void vmx_vcpu_reset(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_segment seg = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	int i;

	memset(vmx->x86.regs, 0, sizeof(vmx->x86.regs));
	vmx->x86.regs[VCPU_RDX] = 0x600;	/* CPUID.1:EAX of a family-6 CPU, until CPUID is set */
	vmx->x86.cr2 = 0;
	vmx->x86.cr8 = 0;
	memset(vmx->swapped, 0, sizeof(vmx->swapped));
	vmx->misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL | MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	vmx->mtrr_def_type = 0;
	memset(vmx->mtrr_fixed, 0, sizeof(vmx->mtrr_fixed));
	memset(vmx->mtrr_var, 0, sizeof(vmx->mtrr_var));
	memset(vmx->dr, 0, sizeof(vmx->dr));
	vmx->dr6 = VMX_DR6_ACTIVE_LOW;
	vmx->x86.xcr0 = XFEATURE_MASK_FP;
	vmx->x86.apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			 (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);

	for (i = SEG_ES; i <= SEG_GS; i++)
		vmx_set_segment(i, &seg);
	seg.selector = 0xf000;
	seg.base = 0xffff0000;
	seg.type = 0xb;
	vmx_set_segment(SEG_CS, &seg);
	seg.selector = 0;
	seg.base = 0;
	seg.s = 0;
	vmx_set_segment(SEG_TR, &seg);		/* busy 32-bit TSS (type 11) */
	seg.type = 2;
	vmx_set_segment(SEG_LDTR, &seg);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmx_set_cr0(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_writel(CR0_GUEST_HOST_MASK, VMX_CR0_HOST_OWNED);
	vmx_set_cr4(0);
	vmcs_writel(CR4_GUEST_HOST_MASK, VMX_CR4_HOST_OWNED);
	vmcs_writel(GUEST_CR3, 0);
	vmx_set_efer(0);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ull);
	vmx_set_dr7(vmx, VMX_DR7_INIT);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

void vmx_get_regs(struct vmxmon_vcpu *vcpu, struct kvm_regs *r)
{
	unsigned long *g = vcpu_x86(vcpu)->regs;

	r->rax = g[VCPU_RAX]; r->rbx = g[VCPU_RBX]; r->rcx = g[VCPU_RCX]; r->rdx = g[VCPU_RDX];
	r->rsi = g[VCPU_RSI]; r->rdi = g[VCPU_RDI]; r->rbp = g[VCPU_RBP];
	r->r8 = g[VCPU_R8]; r->r9 = g[VCPU_R9]; r->r10 = g[VCPU_R10]; r->r11 = g[VCPU_R11];
	r->r12 = g[VCPU_R12]; r->r13 = g[VCPU_R13]; r->r14 = g[VCPU_R14]; r->r15 = g[VCPU_R15];
	r->rsp = vmcs_readl(GUEST_RSP);
	r->rip = vmcs_readl(GUEST_RIP);
	r->rflags = vmx_guest_debug_get_rflags(to_vmx(vcpu), vmcs_readl(GUEST_RFLAGS));
}

void vmx_set_regs(struct vmxmon_vcpu *vcpu, const struct kvm_regs *r)
{
	unsigned long *g = vcpu_x86(vcpu)->regs;

	g[VCPU_RAX] = r->rax; g[VCPU_RBX] = r->rbx; g[VCPU_RCX] = r->rcx; g[VCPU_RDX] = r->rdx;
	g[VCPU_RSI] = r->rsi; g[VCPU_RDI] = r->rdi; g[VCPU_RBP] = r->rbp;
	g[VCPU_R8] = r->r8; g[VCPU_R9] = r->r9; g[VCPU_R10] = r->r10; g[VCPU_R11] = r->r11;
	g[VCPU_R12] = r->r12; g[VCPU_R13] = r->r13; g[VCPU_R14] = r->r14; g[VCPU_R15] = r->r15;
	vmcs_writel(GUEST_RSP, r->rsp);
	vmcs_writel(GUEST_RIP, r->rip);
	/* Bit 1 is always 1, as KVM forces it; other reserved bits fail VM entry. */
	vmcs_writel(GUEST_RFLAGS,
		    vmx_guest_debug_set_rflags(to_vmx(vcpu), r->rflags | X86_EFLAGS_FIXED));
}

void vmx_get_sregs(struct vmxmon_vcpu *vcpu, struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int irq;

	memset(s, 0, sizeof(*s));
	vmx_get_segment(SEG_CS, &s->cs);
	vmx_get_segment(SEG_DS, &s->ds);
	vmx_get_segment(SEG_ES, &s->es);
	vmx_get_segment(SEG_FS, &s->fs);
	vmx_get_segment(SEG_GS, &s->gs);
	vmx_get_segment(SEG_SS, &s->ss);
	vmx_get_segment(SEG_TR, &s->tr);
	vmx_get_segment(SEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr0 = vmx_get_cr0();
	s->cr2 = vmx->x86.cr2;
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = vmx_get_cr4();
	s->cr8 = x86_get_cr8(&vmx->x86);
	s->efer = vmcs_read64(GUEST_IA32_EFER);
	/* The in-kernel APIC's base and mode, and the injected interrupt, as KVM's __get_sregs(). */
	s->apic_base = x86_get_apic_base(&vmx->x86);
	irq = vmx_events_injected_irq(vcpu);
	if (irq >= 0)
		__set_bit(irq, (unsigned long *)s->interrupt_bitmap);
}

/* The checks KVM makes (kvm_is_valid_sregs), so that the same input fails the same way. */
static bool vmx_sregs_valid(struct vmx_vcpu *vmx, const struct kvm_sregs *s)
{
	u64 maxphys = BIT_ULL(boot_cpu_data.x86_phys_bits);

	if ((s->cr0 & ~VMX_CR0_VALID) || (s->cr0 >> 32) ||
	    ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)) ||
	    ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)))
		return false;
	if (s->cr4 & ~vmx->x86.cr4_allowed)
		return false;
	if (s->efer & ~VMX_EFER_VALID)
		return false;
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA) || s->cr3 >= maxphys)
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	return true;
}

int vmx_set_sregs(struct vmxmon_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long irq;

	if (!vmx_sregs_valid(vmx, s))
		return -EINVAL;
	/* First, so that a refused value changes nothing (KVM's __set_sregs_common()). */
	if (x86_set_apic_base_host(vcpu, s->apic_base))
		return -EINVAL;
	vmx_set_segment(SEG_CS, &s->cs);
	vmx_set_segment(SEG_DS, &s->ds);
	vmx_set_segment(SEG_ES, &s->es);
	vmx_set_segment(SEG_FS, &s->fs);
	vmx_set_segment(SEG_GS, &s->gs);
	vmx_set_segment(SEG_SS, &s->ss);
	vmx_set_segment(SEG_TR, &s->tr);
	vmx_set_segment(SEG_LDTR, &s->ldt);
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	vmx_set_cr0(s->cr0);
	vmx->x86.cr2 = s->cr2;
	vmcs_writel(GUEST_CR3, s->cr3);
	vmx_set_cr4(s->cr4);
	x86_set_cr8(&vmx->x86, s->cr8 & 0xf);
	vmx_set_efer(s->efer);
	/*
	 * PAE paging: VM entry takes the PDPTE registers from the VMCS, so load them from the
	 * table at CR3, as KVM's __set_sregs() does; like it, keep the old ones (and succeed)
	 * when the table is not valid.
	 */
	if (vmx_pae_paging(s->cr0, s->cr4, s->efer))
		vmx_load_pdptrs(vcpu);
	/* The lowest vector in interrupt_bitmap becomes the injected interrupt (KVM's __set_sregs()). */
	irq = find_first_bit((const unsigned long *)s->interrupt_bitmap, 256);
	if (irq < 256)
		vmx_events_set_injected_irq(vcpu, irq);
	/* New paging state: drop the guest's cached translations before it runs again. */
	vmx->flush_on_entry = true;
	return 0;
}
