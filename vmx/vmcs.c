// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS: which controls every guest runs with (computed from the capability MSRs, never
 * hard-coded), the host state a VM exit loads, and a dump for post-mortems.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <asm/tsc.h>
#include <linux/sched.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/special_insns.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

struct vmcs_config vmcs_config;

/*
 * A guest never runs longer than this without a VM exit (0: no limit). Real CPUs exit on
 * every host interrupt anyway; Bochs 2.7 does not while the guest runs with RFLAGS.IF=0,
 * so a guest spinning with interrupts off (Linux decompressing itself) would starve its
 * host CPU of timer interrupts. The VMX-preemption timer bounds that; an exit a
 * millisecond costs nothing measurable.
 */
static unsigned int preemption_timer_us = 1000;
module_param(preemption_timer_us, uint, 0444);
MODULE_PARM_DESC(preemption_timer_us, "longest guest run without a VM exit, in microseconds (0: unbounded)");
/* As kvm_intel's: the APIC-access page, where the CPU has it (read back: whether it is used). */
static bool flexpriority = true;
module_param(flexpriority, bool, 0444);
MODULE_PARM_DESC(flexpriority, "virtualize xAPIC page accesses with the APIC-access page and TPR shadow, when the CPU can");
/*
 * The notify VM exit (SDM Vol. 3C 26.2), where the CPU has it: an exit when the guest holds
 * the CPU for this many crystal-clock cycles without an event window (no interrupt, NMI or
 * preemption timer can get in), which only a microcode loop like the #AC/#DB delivery
 * loops can do. The CPU adds an internal threshold, so 0 is safe, as QEMU's default for
 * kvm_intel (where userspace opts in, KVM_CAP_X86_NOTIFY_VMEXIT). -1: off.
 */
static int notify_window;
module_param(notify_window, int, 0444);
MODULE_PARM_DESC(notify_window, "notify VM exit after this many cycles without an event window, where the CPU can (-1: off)");
static struct page *vmx_msr_bitmap;	/* every bit set: every RDMSR/WRMSR exits */

/* VM exit lands here (vmx/vmenter.S). */
extern const char vmx_vmexit[];

/*
 * A control is allowed to be 0 where the capability MSR's low half has a 0 and allowed to be
 * 1 where its high half has a 1 (SDM Vol. 3D A.3-A.5). Returns -EOPNOTSUPP if a required
 * control cannot be 1.
 */
static int vmx_adjust_ctls(u32 required, u32 optional, u64 cap, u32 *out)
{
	u32 ctl = (required | optional) & (u32)(cap >> 32);

	ctl |= (u32)cap;
	if ((ctl & required) != required)
		return -EOPNOTSUPP;
	*out = ctl;
	return 0;
}

int vmx_setup_vmcs_config(void)
{
	struct vmcs_config *c = &vmcs_config;
	int r = 0;

	/* Virtual NMIs give NMI-window exiting: a pending NMI waits for the guest's IRET. */
	r |= vmx_adjust_ctls(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			     PIN_BASED_VIRTUAL_NMIS |
			     (preemption_timer_us ? PIN_BASED_VMX_PREEMPTION_TIMER : 0),
			     vmx_caps.pinbased, &c->pin);
	/*
	 * Port I/O and HLT always exit; MONITOR/MWAIT (hidden from CPUID) and RDPMC (no PMU)
	 * exit to inject #UD/#GP; MOV DR and MOV CR8 exit because vmxmon owns the debug
	 * registers and (without a TPR shadow) the real TPR.
	 */
	r |= vmx_adjust_ctls(CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			     CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
			     CPU_BASED_MOV_DR_EXITING | CPU_BASED_MWAIT_EXITING |
			     CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
			     CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
			     CPU_BASED_USE_TSC_OFFSETTING, 0,
			     vmx_caps.procbased, &c->proc);
	/*
	 * RDTSCP is enabled per vCPU, when its CPUID shows it (vmx_set_rdtscp()). WBINVD
	 * exits to be skipped (vmx/intercept.c); without the control a guest's WBINVD runs.
	 */
	r |= vmx_adjust_ctls(SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
			     (vmx_caps.has_vpid ? SECONDARY_EXEC_ENABLE_VPID : 0) |
			     SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_WBINVD_EXITING |
			     (notify_window >= 0 ? SECONDARY_EXEC_NOTIFY_VM_EXITING : 0),
			     vmx_caps.procbased2, &c->proc2);
	c->exception_bitmap = VMX_EXCEPTION_BITMAP;
	r |= vmx_adjust_ctls(VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
			     VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT,
			     VM_EXIT_SAVE_DEBUG_CONTROLS, vmx_caps.exit, &c->exit);
	r |= vmx_adjust_ctls(VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT,
			     VM_ENTRY_LOAD_DEBUG_CONTROLS, vmx_caps.entry, &c->entry);
	/* A TPR shadow keeps CR8 accesses in the guest (with the in-kernel APIC only). */
	c->tpr_shadow = ((u32)(vmx_caps.procbased >> 32) & CPU_BASED_TPR_SHADOW) &&
			!((u32)vmx_caps.procbased &
			  (CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING));
	/*
	 * "Virtualize APIC accesses" is per vCPU (on in xAPIC mode at the default base), so it
	 * is not in c->proc2; without the TPR shadow the CPU would not virtualize the TPR.
	 */
	c->apic_access = flexpriority && c->tpr_shadow &&
			 ((u32)(vmx_caps.procbased2 >> 32) & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	flexpriority = c->apic_access;
	if (r) {
		pr_err("VT-x lacks a VM-execution control vmxmon needs (pin %#llx proc %#llx proc2 %#llx exit %#llx entry %#llx)\n",
		       vmx_caps.pinbased, vmx_caps.procbased, vmx_caps.procbased2,
		       vmx_caps.exit, vmx_caps.entry);
		return -EOPNOTSUPP;
	}
	/* Controls that must never be on, whatever the default-1 settings say. */
	if (c->proc & (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING |
		       CPU_BASED_INVLPG_EXITING) ||
	    c->entry & (VM_ENTRY_SMM | VM_ENTRY_DEACT_DUAL_MONITOR | VM_ENTRY_IA32E_MODE)) {
		pr_err("VT-x without TRUE controls forces CR3/INVLPG exiting; not supported\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

bool vmcs_config_allows_rdtscp(void)
{
	return vmcs_config.proc2 & SECONDARY_EXEC_ENABLE_RDTSCP;
}

/* RDTSCP executes in the guest only if its CPUID has it; otherwise it is #UD. */
void vmx_set_rdtscp(bool on)
{
	if (on && vmcs_config_allows_rdtscp())
		vmcs_set_bits32(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_RDTSCP);
	else
		vmcs_clear_bits32(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_RDTSCP);
}

int vmx_msr_bitmap_alloc(void)
{
	vmx_msr_bitmap = vmx_alloc_page(NUMA_NO_NODE);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	memset(page_address(vmx_msr_bitmap), 0xff, PAGE_SIZE);
	vmx_msr_bitmap_init(page_address(vmx_msr_bitmap));
	return 0;
}

void vmx_msr_bitmap_free(void)
{
	vmx_free_page(vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
}

/* Host state that depends on the CPU: written whenever a VMCS is loaded on a new CPU. */
void vmx_vmcs_set_host_percpu(int cpu)
{
	u64 msr;

	vmcs_writel(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	rdmsrl(MSR_IA32_SYSENTER_ESP, msr);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, msr);
	rdmsrl(MSR_GS_BASE, msr);	/* kernel mode: this CPU's per-CPU area */
	vmcs_writel(HOST_GS_BASE, msr);
}

/* Host state that is the same on every CPU and for the VMCS's whole life. */
static void vmx_vmcs_set_host_constant(void)
{
	struct desc_ptr idt;
	u64 msr;

	vmcs_writel(HOST_CR0, read_cr0() & ~X86_CR0_TS);
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	/* 64-bit Linux runs with null DS/ES/FS/GS in the kernel; user values come back at put. */
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)vmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write32(HOST_IA32_SYSENTER_CS, msr);
	rdmsrl(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, msr);
	rdmsrl(MSR_EFER, msr);
	vmcs_write64(HOST_IA32_EFER, msr);
	rdmsrl(MSR_IA32_CR_PAT, msr);
	vmcs_write64(HOST_IA32_PAT, msr);
}

/* Program a fresh VMCS (current on this CPU) with the controls and the guest's reset state. */
void vmx_vmcs_init(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmcs_write64(VMCS_LINK_POINTER, -1ull);
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmcs_config.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmcs_config.proc);
	if (vmx->x86.lapic && vmcs_config.tpr_shadow) {
		/* CR8 is the virtual-APIC page's TPR; no exit unless it drops below the threshold. */
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, (vmcs_config.proc | CPU_BASED_TPR_SHADOW) &
			     ~(CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING));
		vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, x86_lapic_page(vmx->x86.lapic));
		vmcs_write32(TPR_THRESHOLD, 0);
		vmx->tpr_threshold = 0;
	}
	/* Out of VPIDs: run this vCPU untagged (VM entry and exit then flush its TLB). */
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL,
		     vmx->vpid ? vmcs_config.proc2 : vmcs_config.proc2 & ~SECONDARY_EXEC_ENABLE_VPID);
	vmx_apic_access_vmcs_init(vcpu);
	vmcs_write32(VM_EXIT_CONTROLS, vmcs_config.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, vmcs_config.entry);
	if (vmcs_config.pin & PIN_BASED_VMX_PREEMPTION_TIMER) {
		/* Counts down at the TSC rate >> IA32_VMX_MISC[4:0]; reloaded at every entry. */
		u64 rate;

		rdmsrl(MSR_IA32_VMX_MISC, rate);
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE,
			     min_t(u64, U32_MAX, ((u64)preemption_timer_us * tsc_khz / 1000) >>
						 VMX_MISC_TIMER_RATE(rate)));
	}
	vmcs_write32(EXCEPTION_BITMAP, vmcs_config.exception_bitmap);
	if (vmcs_config.proc2 & SECONDARY_EXEC_NOTIFY_VM_EXITING)
		vmcs_write32(NOTIFY_WINDOW, notify_window);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(MSR_BITMAP, page_to_phys(vmx_msr_bitmap));
	vmcs_write64(EPT_POINTER, to_vmx_vm(vcpu->vm)->eptp);
	/* One offset for the whole VM: its vCPUs' TSCs start near 0 and agree. */
	vmcs_write64(TSC_OFFSET, to_vmx_vm(vcpu->vm)->tsc_offset);
	if (vmx->vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmx_vmcs_set_host_constant();
	x86_cpuid_apply(vcpu);
	vmx_vcpu_reset(vcpu);
}

void vmx_vmread_error(unsigned long field)
{
	pr_err_ratelimited("VMREAD of field %#lx failed (VM-instruction error %u)\n", field,
			   (u32)__vmcs_readl(VM_INSTRUCTION_ERROR));
}

void vmx_vmwrite_error(unsigned long field, unsigned long value)
{
	pr_err_ratelimited("VMWRITE of %#lx to field %#lx failed (VM-instruction error %u)\n",
			   value, field, (u32)__vmcs_readl(VM_INSTRUCTION_ERROR));
}

/* The guest and control state that explains most exits, for a ratelimited post-mortem. */
void vmx_vmcs_dump(struct vmxmon_vcpu *vcpu)
{
	static const struct { const char *name; unsigned long field; } fields[] = {
#define F(f) { #f, f }
		F(GUEST_RIP), F(GUEST_RSP), F(GUEST_RFLAGS), F(GUEST_CR0), F(GUEST_CR3),
		F(GUEST_CR4), F(GUEST_IA32_EFER), F(GUEST_CS_SELECTOR), F(GUEST_CS_BASE),
		F(GUEST_CS_LIMIT), F(GUEST_CS_AR_BYTES), F(GUEST_SS_AR_BYTES),
		F(GUEST_TR_AR_BYTES), F(GUEST_INTERRUPTIBILITY_INFO), F(GUEST_ACTIVITY_STATE),
		F(VM_EXIT_REASON), F(EXIT_QUALIFICATION), F(GUEST_PHYSICAL_ADDRESS),
		F(VM_EXIT_INTR_INFO), F(IDT_VECTORING_INFO_FIELD), F(VM_INSTRUCTION_ERROR),
		F(PIN_BASED_VM_EXEC_CONTROL), F(CPU_BASED_VM_EXEC_CONTROL),
		F(SECONDARY_VM_EXEC_CONTROL), F(VM_ENTRY_CONTROLS), F(VM_EXIT_CONTROLS),
		F(EXCEPTION_BITMAP),
#undef F
	};
	int i;

	if (!printk_ratelimit())
		return;
	pr_err("vcpu %u VMCS dump:\n", vcpu->id);
	for (i = 0; i < ARRAY_SIZE(fields); i++)
		pr_err("  %-28s %#lx\n", fields[i].name, __vmcs_readl(fields[i].field));
}
