// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU on VT-x: its VMCS, loading it on a CPU (and off another one), the host state a VM
 * exit does not restore, and one trip into the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <linux/types.h>
#include <asm/fpu/xcr.h>
#include <asm/mmu_context.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "kmod/trace.h"
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"
#include "x86/lapic.h"

/* VPIDs tag the guest's TLB entries; 0 is the host's (SDM Vol. 3C 29.1). */
#define VMX_NR_VPIDS	(1 << 16)
static DECLARE_BITMAP(vmx_vpid_bitmap, VMX_NR_VPIDS);
static DEFINE_SPINLOCK(vmx_vpid_lock);	/* protects vmx_vpid_bitmap */

static u16 vmx_vpid_alloc(void)
{
	unsigned long vpid;

	if (!(vmcs_config.proc2 & SECONDARY_EXEC_ENABLE_VPID))
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_next_zero_bit(vmx_vpid_bitmap, VMX_NR_VPIDS, 1);
	if (vpid < VMX_NR_VPIDS)
		__set_bit(vpid, vmx_vpid_bitmap);
	else
		vpid = 0;	/* none left: run untagged, flushing on every entry */
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

/*
 * An indirect branch prediction barrier whenever a CPU enters another vCPU's guest than the
 * one it entered last, so that no guest runs on branch predictions another guest trained
 * (each tag belongs to one vCPU, for ever; 0 is no vCPU). kvm_intel 6.1 issues it when a CPU
 * loads another VMCS (vmx_vcpu_load_vmcs()), also for ioctls that never enter the guest;
 * here it comes right before the entry that needs it. indirect_branch_prediction_barrier()
 * is a no-op unless the kernel's Spectre v2 mitigation uses IBPB (X86_FEATURE_USE_IBPB).
 */
static atomic64_t vmx_ibpb_tags = ATOMIC64_INIT(0);
static DEFINE_PER_CPU(u64, vmx_last_guest);	/* ibpb_tag of the guest entered last here */
/* Share mode: our guest ran while the owner's VMCS was current (vmx/share.c, rule 8). */
static DEFINE_PER_CPU(bool, vmx_share_ibpb);

void vmx_share_ibpb_due(void)
{
	__this_cpu_write(vmx_share_ibpb, true);
}

static void vmx_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
}

/*
 * The in-kernel APIC (split irqchip): x86/lapic.c, on a page of ours, which is also the
 * virtual-APIC page of the TPR shadow (vmx/vmcs.c).
 */
static int vmx_lapic_create(struct vmxmon_vcpu *vcpu)
{
	struct page *page = vmx_alloc_page(NUMA_NO_NODE);
	int r;

	if (!page)
		return -ENOMEM;
	r = x86_lapic_create(vcpu, page_address(page));
	if (r)
		vmx_free_page(page);
	return r;
}

static void vmx_lapic_free(struct vmxmon_vcpu *vcpu)
{
	void *regs = x86_lapic_free(vcpu);

	if (regs)
		vmx_free_page(virt_to_page(regs));
}

int vmx_vcpu_create(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;
	struct page *page;
	int cpu, r = -ENOMEM;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vcpu->arch = vmx;
	if (x86_vcpu_init(vcpu))
		goto out_free;
	if (vmx_perf_switch_init(vmx))
		goto out_x86;
	page = vmx_alloc_page(NUMA_NO_NODE);
	if (!page)
		goto out_x86;
	vmx->vmcs.vmcs = page_address(page);
	vmx->vmcs.vmcs->hdr.revision_id = vmx_caps.revision_id;
	vmx->vmcs.cpu = -1;
	INIT_LIST_HEAD(&vmx->vmcs.loaded_list);
	vmx->share.vcpu = vcpu;
	vmx->share.host_cpu = -1;
	vmx->vpid = vmx_vpid_alloc();
	vmx->ibpb_tag = atomic64_inc_return(&vmx_ibpb_tags);
	vmx->ucode_rev = UCODE_REV_DEFAULT;
	if (vcpu->vm->split_irqchip) {
		r = vmx_lapic_create(vcpu);
		if (!r)
			r = vmx_apic_access_vcpu_init(vcpu);
		if (r)
			goto out_vpid;
		/* Application processors wait for INIT and SIPI, as on hardware. */
		if (vcpu->id) {
			vmx->x86.mp_state = KVM_MP_STATE_UNINITIALIZED;
			vcpu->check_state = true;
		}
		r = -ENOMEM;
	}

	/*
	 * VMCLEAR initializes the VMCS's launch state (SDM 25.11.3), then program it here. In
	 * share mode inside the first section: VMX may be on only there (vmx_local=1).
	 */
	vmx->share.fresh = vmx_share_on();
	r = vmx->share.fresh ? 0 : vmx_vmclear(page_to_phys(page));
	if (r)
		goto out_vpid;
	cpu = get_cpu();
	if (vmx_share_on()) {
		local_irq_disable();
		r = vmx_share_enter(vcpu);	/* sets the per-CPU host fields */
	} else {
		r = vmx_loaded_vmcs_load(&vmx->vmcs);
		if (r >= 0)
			vmx_vmcs_set_host_percpu(cpu);
		vmx->share.host_cpu = cpu;
	}
	if (r >= 0) {
		vmx_vmcs_init(vcpu);
		vmx_perf_switch_vmcs_init(vmx);
		r = 0;
	}
	if (vmx_share_on()) {
		vmx_share_exit(vcpu);
		local_irq_enable();
	}
	put_cpu();
	if (r)
		goto out_clear;
	/* Translations of this VM that other vCPUs left on CPUs (vmx_ept_unmap_apic_access()). */
	vmx->flush_on_entry = true;
	return 0;

out_clear:
	vmx_loaded_vmcs_clear(&vmx->vmcs);
out_vpid:
	vmx_lapic_free(vcpu);
	vmx_vpid_free(vmx->vpid);
	vmx_free_page(page);
out_x86:
	vmx_perf_switch_free(vmx);
	x86_vcpu_free(vcpu);
out_free:
	vcpu->arch = NULL;
	kfree(vmx);
	return r;
}

void vmx_vcpu_free(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_lapic_free(vcpu);
	/* The VMCS may still be current on some CPU: VMCLEAR it there before freeing it. */
	vmx_loaded_vmcs_clear(&vmx->vmcs);
	vmx_free_page(virt_to_page(vmx->vmcs.vmcs));
	vmx_vpid_free(vmx->vpid);
	vmx_perf_switch_free(vmx);
	x86_vcpu_free(vcpu);
	kfree(vmx);
	vcpu->arch = NULL;
}

/* Preemption off. The VMCS moves here; on a new CPU refresh what depends on the CPU. */
void vmx_vcpu_load(struct vmxmon_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r;

	if (vmx_share_on()) {
		/* Loaded only inside sections (vmx/share.c); never left active in own mode. */
		if (unlikely(READ_ONCE(vmx->vmcs.cpu) >= 0))
			vmx_loaded_vmcs_clear(&vmx->vmcs);
		vcpu->cpu = cpu;
		return;
	}
	r = vmx_loaded_vmcs_load(&vmx->vmcs);
	if (r > 0) {
		vmx_vmcs_set_host_percpu(cpu);
		vmx->share.host_cpu = cpu;
		/* Translations this CPU cached for the guest before may be stale. */
		vmx->flush_on_entry = true;
	}
	vcpu->cpu = r < 0 ? -1 : cpu;
}

/*
 * Save what a VM exit clobbers and Linux does not reload by itself: the user DS/ES/FS/GS
 * selectors, the LDT, the FS base. Once after each load, before the first entry.
 */
static void vmx_prepare_switch_to_guest(struct vmx_vcpu *vmx)
{
	struct vmx_host_state *h = &vmx->host;

	if (h->saved)
		return;
	savesegment(ds, h->ds_sel);
	savesegment(es, h->es_sel);
	current_save_fsgs();
	h->fs_sel = current->thread.fsindex;
	h->gs_sel = current->thread.gsindex;
	h->fs_base = current->thread.fsbase;
	store_ldt(h->ldt_sel);
	vmx_msrs_load(vmx);
	h->saved = true;
}

/* Preemption off: give the CPU back to Linux as it was before the first VM entry. */
void vmx_vcpu_put(struct vmxmon_vcpu *vcpu)
{
	struct vmx_host_state *h = &to_vmx(vcpu)->host;

	if (vmx_share_on()) {
		/* Another task may run a guest of the owner's here next (vmx/share.c, rule 8). */
		if (__this_cpu_read(vmx_share_ibpb)) {
			__this_cpu_write(vmx_share_ibpb, false);
			indirect_branch_prediction_barrier();
		}
		__this_cpu_write(vmx_last_guest, 0);
	}
	if (!h->saved)
		return;
	if (h->ldt_sel)
		vmx_load_ldt(h->ldt_sel);
	if (h->gs_sel)
		load_gs_index(h->gs_sel);
	if (h->fs_sel) {
		loadsegment(fs, h->fs_sel);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->ds_sel | h->es_sel) {
		loadsegment(ds, h->ds_sel);
		loadsegment(es, h->es_sel);
	}
	vmx_msrs_put(to_vmx(vcpu));
	/* VM exit sets the TR limit to 0x67 and the GDT limit to 0xffff (SDM 28.5.2). */
	invalidate_tss_limit();
	load_fixmap_gdt(smp_processor_id());
	h->saved = false;
	vcpu->cpu = -1;
}

/*
 * The guest's FPU/SSE state is the task's FPU state for the whole KVM_RUN: a context switch
 * or a kernel_fpu_begin() saves it into the guest fpstate and leaves TIF_NEED_FPU_LOAD set,
 * and vmx_vcpu_run() loads it back before each entry (the FPU core only does that on the
 * way back to user mode, which a KVM_RUN loop does not take).
 */
int vmx_vcpu_run_begin(struct vmxmon_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&vcpu_x86(vcpu)->guest_fpu, true);
	return x86_run_prologue(vcpu);
}

/* kvm_run's outputs (VMCS loaded), then the host's FPU state back. */
void vmx_vcpu_run_end(struct vmxmon_vcpu *vcpu)
{
	bool share = vmx_share_on();

	if (unlikely(share))
		vmx_share_hold(vcpu);
	x86_run_epilogue(vcpu, vmcs_readl(GUEST_RFLAGS), vmx_ready_for_interrupt(vcpu));
	if (unlikely(share))
		vmx_share_release(vcpu);
	fpu_swap_kvm_fpstate(&vcpu_x86(vcpu)->guest_fpu, false);
}

static __always_inline int __vmx_vcpu_run(struct vmxmon_vcpu *vcpu);

/* Share mode: open the section (vmx/share.c). 0, or the result KVM_RUN gets. */
static noinline int vmx_vcpu_run_share_begin(struct vmxmon_vcpu *vcpu)
{
	int r;

	if (unlikely(to_vmx(vcpu)->share.broken))
		return -EIO;
	r = vmx_share_enter(vcpu);
	if (likely(!r))
		return 0;
	vmx_share_exit(vcpu);
	if (!cpu_active(smp_processor_id()))
		return -EAGAIN;		/* going offline: the run loop moves us */
	/*
	 * Not enabled here at all: the reboot notifier took VMX away from running vCPUs on
	 * purpose (kexec, reboot: no error then), or a takeover's VMXON failed, which
	 * vmx_cpu_section_check() reported.
	 */
	if (vmx_this_cpu_on())
		pr_err_ratelimited("cpu%d: VMX operation is gone and cannot be taken over; KVM_RUN fails with -EIO\n",
				   smp_processor_id());
	return -EIO;
}

/* Share mode: handle the exit inside the section, then close it. */
static noinline void vmx_vcpu_run_share_end(struct vmxmon_vcpu *vcpu, int r)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!r) {
		vmx->share.entered = true;
		WRITE_ONCE(vcpu->mode, VMXMON_OUTSIDE_GUEST_MODE);
		vmx->share.exit_r = vmx_handle_exit(vcpu);
		vmx->share.handled = true;
	}
	vmx_share_exit(vcpu);
}

/*
 * IRQs off, preemption off, VMCS loaded on this CPU. In share mode one section: load,
 * enter, exit, handle the exit (->handle_exit() then returns its result), clear. Owner
 * mode pays one load and two untaken branches for it.
 */
int vmx_vcpu_run(struct vmxmon_vcpu *vcpu)
{
	bool share = vmx_share_on();
	int r;

	if (unlikely(share)) {
		r = vmx_vcpu_run_share_begin(vcpu);
		if (r)
			return r;
	}
	r = __vmx_vcpu_run(vcpu);
	if (unlikely(share))
		vmx_vcpu_run_share_end(vcpu, r);
	return r;
}

static __always_inline int __vmx_vcpu_run(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_state *h = &vmx->host;
	unsigned long cr3, cr4;
	u64 host_xcr0;
	bool guest_drs, switch_xcr0;
	int r;

	lockdep_assert_irqs_disabled();
	if (unlikely(vcpu->cpu != smp_processor_id() || !vmx_this_cpu_on()))
		/* This CPU is going offline (try another one) or VMX is gone (reboot). */
		return cpu_active(smp_processor_id()) ? -EIO : -EAGAIN;

	/*
	 * After a schedule() in the run loop (HLT, a preemption) or a kernel_fpu_begin(), the
	 * registers hold another context's FPU state: never enter the guest with it.
	 */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	vmx_prepare_switch_to_guest(vmx);
	if (vmx->flush_on_entry || test_and_clear_bit(VMXMON_REQ_TLB_FLUSH, &vcpu->requests)) {
		vmx_ept_flush_this_cpu(vcpu->vm);
		vmx->flush_on_entry = false;
	}

	cr3 = __get_current_cr3_fast();
	if (unlikely(cr3 != h->cr3)) {
		vmcs_writel(HOST_CR3, cr3);
		h->cr3 = cr3;
	}
	cr4 = cr4_read_shadow();
	if (unlikely(cr4 != h->cr4)) {
		vmcs_writel(HOST_CR4, cr4);
		h->cr4 = cr4;
	}
	vmcs_writel(HOST_FS_BASE, h->fs_base);
	get_debugreg(h->dr7, 7);
	if (vmcs_config.exit & VM_EXIT_SAVE_DEBUG_CONTROLS)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	if (vmx->x86.cr2 != native_read_cr2())
		native_write_cr2(vmx->x86.cr2);
	/* No XCR0 without XSAVE in the host: XSETBV would #UD here, IRQs off (SDM Vol. 2C). */
	host_xcr0 = x86_host_xcr0;
	switch_xcr0 = x86_host_xsave && vmx->x86.xcr0 != host_xcr0;
	if (unlikely(switch_xcr0))
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vmx->x86.xcr0);
	/* Anything to inject, or a window to open or close? (rarely) */
	if (unlikely(vmx->ev.reinject_info | vmx->ev.nmi_pending | vmx->ev.irq_pending |
		     atomic_read(&vmx->ev.nmi_queued) |
		     vmx->ev.window_ctls | vcpu->run->request_interrupt_window) ||
	    (vmx->x86.lapic && (vmx->tpr_threshold || x86_lapic_irr_any(vmx->x86.lapic))))
		vmx_events_before_entry(vcpu);
	if (unlikely(vmx->debug.control))
		vmx_guest_debug_before_entry(vcpu);
	vmx->ev.handler_injected = false;
	vmx->x86.ran = true;
	if (unlikely(__this_cpu_read(vmx_last_guest) != vmx->ibpb_tag)) {
		__this_cpu_write(vmx_last_guest, vmx->ibpb_tag);
		indirect_branch_prediction_barrier();
	}
	/* Host perf counters (PEBS above all) off in the guest, atomically (vmx/perf.c). */
	vmx_perf_switch_before_entry(vmx);
	guest_drs = vmx_guest_debugregs_load(vmx);
	if (trace_vmxmon_entry_enabled())
		trace_vmxmon_entry(vcpu->id, vmcs_readl(GUEST_RIP));

	r = __vmx_vcpu_enter(vmx->x86.regs, vmx->vmcs.launched);

	if (unlikely(guest_drs))
		vmx_guest_debugregs_save(vmx);
	if (unlikely(switch_xcr0))
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	vmx->x86.cr2 = native_read_cr2();
	/* VM exit clears DR7 and IA32_DEBUGCTL (SDM 28.5.1): give the host its own back. */
	if (h->dr7 != VMX_DR7_INIT)
		set_debugreg(h->dr7, 7);
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);

	if (unlikely(r)) {
		if (r != 1)
			return -EIO;	/* VMLAUNCH/VMRESUME faulted: VMX is gone */
		vmx->exit_reason = 0;
		vmx->entry_failed = vmcs_read32(VM_INSTRUCTION_ERROR);
		return 0;
	}
	vmx->entry_failed = 0;
	vmx->exit_reason = vmcs_read32(VM_EXIT_REASON);
	/*
	 * Host NMIs and machine checks first, IRQs still off (vmx/intercept.c). Before any
	 * return for a failed entry too: reason 41 is one (a machine check during entry).
	 */
	vmx_handle_exit_irqoff(vmx);
	/*
	 * A VM entry that failed while or after loading guest state (exit reason bit 31, SDM
	 * Vol. 3C 27.8) leaves the VMCS's launch state as it was (one that never entered
	 * needs VMLAUNCH again: VMRESUME would fail with error 5), and the exit has no
	 * IDT-vectoring information. KVM's vmx_vcpu_run() does the same.
	 */
	if (likely(!(vmx->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY))) {
		vmx->vmcs.launched = true;
		/* Was an event being delivered when the exit came? Then deliver it again. */
		vmx->ev.reinject_info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	} else {
		vmx->ev.reinject_info = 0;
	}
	if (unlikely(vmx->ev.reinject_info & VECTORING_INFO_VALID_MASK))
		vmx_events_after_exit(vmx);
	else
		vmx->ev.reinject_info = 0;
	return 0;
}
