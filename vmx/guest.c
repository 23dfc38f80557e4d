// SPDX-License-Identifier: GPL-2.0
/*
 * The guest state that lives in the VMCS as exit handlers and x86/ see it: CR0/CR4 through
 * their read shadows, the CPL, 64-bit mode, segments, the PAE PDPTE registers, moving RIP
 * past an instruction and injecting an exception. vmx_x86_ops is x86/'s one way in
 * (x86/x86.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

static unsigned long vmx_read_cr(unsigned long guest, unsigned long shadow, unsigned long mask)
{
	return (vmcs_readl(guest) & ~mask) | (vmcs_readl(shadow) & mask);
}

/* CR0 and CR4 as the guest sees them. */
unsigned long vmx_get_cr0(void)
{
	return vmx_read_cr(GUEST_CR0, CR0_READ_SHADOW, VMX_CR0_HOST_OWNED);
}

unsigned long vmx_get_cr4(void)
{
	return vmx_read_cr(GUEST_CR4, CR4_READ_SHADOW, VMX_CR4_HOST_OWNED);
}

int vmx_guest_cpl(void)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> VMX_AR_DPL_SHIFT) & 3;
}

bool vmx_guest_64bit(void)
{
	return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

/* CS:RIP as a linear address (64-bit code ignores the CS base). */
unsigned long vmx_linear_rip(void)
{
	unsigned long rip = vmcs_readl(GUEST_RIP);

	return vmx_guest_64bit() ? rip : (u32)(vmcs_readl(GUEST_CS_BASE) + rip);
}

/*
 * The pending-debug-exceptions field after the last exit, as the SDM defines it (Vol. 3C
 * 28.3.4, "Saving Non-Register State"): saved clear for every VM exit except the trap-like
 * ones (TPR below threshold, EOI-induced, APIC write, MTF), INIT, machine checks, and exits
 * that come while MOV SS blocks debug exceptions (then it holds the single-step trap that
 * VM entry requires with TF set behind MOV SS, 27.3.1.5). Bochs 2.7 saves it after every
 * exit, so that an instruction that exits with TF set (CPUID, an OUT, an EPT violation
 * before the instruction ran) leaves a single-step trap pending that fires at the next
 * entry, before the next instruction or before the faulting one runs again (fixed in Bochs
 * after 2.7: "VMCS_GUEST_PENDING_DBG_EXCEPTIONS saved on VMEXIT (should be cleared after
 * most of VMEXITs)"). Both TF users hit it: a debugger's TF-stepping would report the same
 * RIP twice (vmx/debug.c), an EPT watch's step would end early and report its access twice
 * (vmx/watch.c). Clearing what the CPU must have saved clear costs nothing on hardware
 * (kvm_intel does not, so there the duplicate shows in Bochs). Called only while one of
 * them steps with TF.
 */
static bool vmx_exit_may_leave_pending_dbg(u32 reason, u32 intr)
{
	switch (reason & 0xffff) {
	case EXIT_REASON_TPR_BELOW_THRESHOLD:
	case EXIT_REASON_EOI_INDUCED:
	case EXIT_REASON_APIC_WRITE:
	case EXIT_REASON_MONITOR_TRAP_FLAG:
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_MCE_DURING_VMENTRY:
		return true;
	}
	return intr & GUEST_INTR_STATE_MOV_SS;
}

void vmx_drop_stale_pending_bs(struct vmx_vcpu *vmx)
{
	unsigned long pending = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);

	if ((pending & DR_STEP) &&
	    !vmx_exit_may_leave_pending_dbg(vmx->exit_reason,
					   vmcs_read32(GUEST_INTERRUPTIBILITY_INFO)))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, pending & ~(unsigned long)DR_STEP);
}

/* The monitor trap flag (SDM Vol. 3C 26.5.2): a VM exit after each guest instruction. */
bool vmx_has_mtf(void)
{
	return (u32)(vmx_caps.procbased >> 32) & CPU_BASED_MONITOR_TRAP_FLAG;
}

/*
 * The monitor trap flag has two users, an EPT watch's step (vmx/watch.c) and a debugger's
 * single-step (vmx/debug.c): it is set while either wants it, and only here.
 */
void vmx_update_mtf(struct vmx_vcpu *vmx)
{
	if (vmx->watch.mode == VMX_STEP_MTF || vmx_guest_debug_uses_mtf(vmx))
		vmcs_set_bits32(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	else
		vmcs_clear_bits32(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
}

/*
 * The instruction at RIP completed (executed by the exit handler, or emulated): move RIP
 * past its @len bytes, ending STI/MOV SS blocking with it (SDM Vol. 3C 25.4.2). The one
 * way RIP advances, for exits that report the length and the emulator that computes it.
 */
static __always_inline void advance_rip(unsigned int len)
{
	unsigned long rip = vmcs_readl(GUEST_RIP) + len;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	/*
	 * Outside 64-bit mode EIP wraps at 4 GiB; only then is the mode worth reading (VM entry
	 * requires RIP 63:32 clear there, SDM Vol. 3C 27.3.1.4).
	 */
	if (unlikely(rip >> 32) && !vmx_guest_64bit())
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
	if (unlikely(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * An instruction completed in the hypervisor's hands, exiting or emulated (MMIO, string
 * I/O): the single-step trap the CPU raises after an instruction that began with RFLAGS.TF
 * set (SDM Vol. 3B 18.3.1.4) is ours to raise, with DR6.BS, as KVM's
 * kvm_skip_emulated_instruction() and x86_emulate_instruction() do through
 * kvm_vcpu_do_singlestep(). A REP instruction gets here once, when RCX reaches 0 or its
 * last element completes. (ICEBP raises its own #DB instead: vmx_skip_instruction_no_step.)
 */
static __always_inline void advance_rip_step(struct vmxmon_vcpu *vcpu, unsigned int len)
{
	advance_rip(len);
	if (unlikely(to_vmx(vcpu)->watch.mode))	/* it stepped over an EPT watch: done */
		vmx_watch_insn_done(vcpu);
	/* A debugger that steps hears of it instead of the guest (vmx/debug.c), as in KVM. */
	if (unlikely(to_vmx(vcpu)->debug.control & KVM_GUESTDBG_SINGLESTEP) &&
	    vmx_guest_debug_note_step(vcpu))
		return;
	if (unlikely(vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF))
		vmx_inject_db(vcpu, DR_STEP);
}

void vmx_advance_rip(struct vmxmon_vcpu *vcpu, unsigned int len)
{
	advance_rip_step(vcpu, len);
}

/*
 * Resume after the exiting instruction. Only for exits that report its length (never EPT
 * violations: VM_EXIT_INSTRUCTION_LEN is undefined there). The field stays valid until the
 * next VM entry, so an IN completed by the next KVM_RUN may use it too.
 */
void vmx_skip_instruction_no_step(struct vmxmon_vcpu *vcpu)
{
	advance_rip(vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/* The exiting instruction completed in the hypervisor's hands (it single-steps). */
void vmx_skip_instruction(struct vmxmon_vcpu *vcpu)
{
	advance_rip_step(vcpu, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * Fault-class exceptions: every vector but the traps #DB, #BP, #OF, the aborts #DF, #MC and
 * the NMI (KVM's exception_type(); #DB counts as a trap, as in KVM 6.1).
 */
#define VMX_FAULT_VECTORS	(~(BIT(X86_TRAP_DB) | BIT(X86_TRAP_NMI) | BIT(X86_TRAP_BP) | \
				   BIT(X86_TRAP_OF) | BIT(X86_TRAP_DF) | BIT(X86_TRAP_MC)))

/*
 * Deliver a hardware exception at the next VM entry (SDM Vol. 3C 27.6). A fault the CPU
 * raises itself pushes RFLAGS with RF set, so that the restarted instruction does not hit
 * its own instruction breakpoint again (SDM Vol. 3B, "Instruction-Breakpoint Exception
 * Condition"); event injection pushes the guest's RFLAGS unchanged, whatever the event
 * ("Details of Vectored-Event Injection"), so for an injected fault the hypervisor sets RF
 * itself, as KVM's inject_pending_event() does. Delivery clears it again. (An event that
 * an exit interrupted is re-injected with the RFLAGS the exit saved: the CPU already put
 * the RF the delivery would have pushed there.)
 */
void vmx_inject_exception(struct vmxmon_vcpu *vcpu, u8 vector, bool has_error, u32 error_code)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	to_vmx(vcpu)->ev.handler_injected = true;
	/* Real mode has no error codes; VM entry would fail (SDM 27.2.1.3). */
	if (has_error && (vmcs_readl(GUEST_CR0) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	if (vector < 32 && (VMX_FAULT_VECTORS & BIT(vector)))
		vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) | X86_EFLAGS_RF);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	vmx_account_injection(vcpu, info, error_code);
}

/* ---- x86/'s accessors ---- */

struct seg_fields {
	unsigned long base, limit, ar;
};

#define SEG(s) { GUEST_##s##_BASE, GUEST_##s##_LIMIT, GUEST_##s##_AR_BYTES }
static const struct seg_fields seg_fields[] = {		/* enum x86_seg order */
	SEG(ES), SEG(CS), SEG(SS), SEG(DS), SEG(FS), SEG(GS),
};
#undef SEG

static void seg_from_ar(u32 ar, unsigned long base, u32 limit, struct x86_segment *s)
{
	*s = (struct x86_segment){
		.base = base,
		.limit = limit,
		.type = ar & VMX_AR_TYPE_MASK,
		.db = ar & VMX_AR_DB_MASK,
		.usable = !(ar & VMX_AR_UNUSABLE_MASK),
	};
}

static void vmx_x86_get_segment(struct vmxmon_vcpu *vcpu, int seg, struct x86_segment *s)
{
	const struct seg_fields *f = &seg_fields[seg];

	seg_from_ar(__vmcs_readl(f->ar), __vmcs_readl(f->base), __vmcs_readl(f->limit), s);
}

static void vmx_x86_get_state(struct vmxmon_vcpu *vcpu, struct x86_state *st)
{
	u32 cs_ar = vmcs_read32(GUEST_CS_AR_BYTES);

	st->rip = vmcs_readl(GUEST_RIP);
	st->rflags = vmcs_readl(GUEST_RFLAGS);
	st->cr0 = vmx_get_cr0();
	st->cr4 = vmx_get_cr4();
	st->efer = vmcs_read64(GUEST_IA32_EFER);
	st->cpl = vmx_guest_cpl();
	st->long64 = (st->efer & EFER_LMA) && (cs_ar & VMX_AR_L_MASK);
	seg_from_ar(cs_ar, vmcs_readl(GUEST_CS_BASE), vmcs_read32(GUEST_CS_LIMIT), &st->cs);
}

static const unsigned long pdptr_fields[4] = {
	GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3,
};

/* CR0/CR4/EFER (guest values) select PAE paging: the PDPTE registers are in use. */
bool vmx_pae_paging(unsigned long cr0, unsigned long cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

/* CR3; PAE: the PDPTE registers, which the CPU saved at the exit (SDM 28.3.4). */
static void vmx_x86_get_paging(struct vmxmon_vcpu *vcpu, struct x86_paging *pg)
{
	int i;

	pg->cr3 = vmcs_readl(GUEST_CR3);
	if (vmx_pae_paging(pg->cr0, pg->cr4, pg->efer))
		for (i = 0; i < 4; i++)
			pg->pdpte[i] = vmcs_read64(pdptr_fields[i]);
}

/*
 * Load the PDPTE registers from the table CR3 points to (SDM Vol. 3A 4.4.1), as MOV to
 * CR0/CR4 does when it lands in PAE paging: the CPU takes them from the VMCS at VM entry
 * (SDM Vol. 3C 27.3.2.4, with EPT), never from memory. 0, or -EINVAL when the table is
 * not in guest RAM or a present entry has a reserved bit set (the caller's #GP); the
 * registers then keep their old values, as KVM's load_pdptrs().
 */
int vmx_load_pdptrs(struct vmxmon_vcpu *vcpu)
{
	u64 pdpte[4], rsvd = x86_pdpte_reserved(boot_cpu_data.x86_phys_bits);
	/* PAE paging uses CR3 bits 31:5; the table is 32-byte aligned, in one page. */
	u64 table = vmcs_readl(GUEST_CR3) & GENMASK_ULL(31, 5);
	int i;

	if (x86_gpa_access(vcpu->vm, table, pdpte, sizeof(pdpte), false))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & rsvd))
			return -EINVAL;
	for (i = 0; i < 4; i++)
		vmcs_write64(pdptr_fields[i], pdpte[i]);
	return 0;
}

static unsigned long vmx_x86_get_rsp(struct vmxmon_vcpu *vcpu)
{
	return vmcs_readl(GUEST_RSP);
}

static void vmx_x86_set_rsp(struct vmxmon_vcpu *vcpu, unsigned long rsp)
{
	vmcs_writel(GUEST_RSP, rsp);
}

static unsigned long vmx_x86_get_rflags(struct vmxmon_vcpu *vcpu)
{
	return vmcs_readl(GUEST_RFLAGS);
}

static unsigned long vmx_x86_get_cr4(struct vmxmon_vcpu *vcpu)
{
	return vmx_get_cr4();
}

static unsigned long vmx_x86_linear_rip(struct vmxmon_vcpu *vcpu)
{
	return vmx_linear_rip();
}

static u64 vmx_x86_get_tsc_offset(struct vmxmon_vcpu *vcpu)
{
	return vmcs_read64(TSC_OFFSET);
}

static void vmx_x86_cpuid_changed(struct vmxmon_vcpu *vcpu)
{
	vmx_set_rdtscp(x86_cpuid_has_rdtscp(vcpu));
}

const struct x86_vcpu_ops vmx_x86_ops = {
	.get_state		= vmx_x86_get_state,
	.get_segment		= vmx_x86_get_segment,
	.get_paging		= vmx_x86_get_paging,
	.get_rsp		= vmx_x86_get_rsp,
	.set_rsp		= vmx_x86_set_rsp,
	.get_rflags		= vmx_x86_get_rflags,
	.get_cr4		= vmx_x86_get_cr4,
	.linear_rip		= vmx_x86_linear_rip,
	.advance_rip		= vmx_advance_rip,
	.inject_exception	= vmx_inject_exception,
	.queue_nmi		= vmx_queue_nmi,
	.get_tsc_offset		= vmx_x86_get_tsc_offset,
	.apic_base_changed	= vmx_apic_access_update,
	.cpuid_changed		= vmx_x86_cpuid_changed,
};
