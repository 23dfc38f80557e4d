// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation on each CPU: the VMXON region, entering and leaving VMX root mode, and the
 * per-CPU list of loaded VMCSs that must be VMCLEARed before the CPU leaves VMX operation.
 *
 * Entering VMX operation (SDM Vol. 3C 24.7 "Enabling and entering VMX operation"):
 * IA32_FEATURE_CONTROL must allow VMXON outside SMX, CR0 and CR4 must satisfy the
 * IA32_VMX_CR{0,4}_FIXED{0,1} MSRs (CR4.VMXE included), and VMXON takes the physical address
 * of a 4 KiB-aligned region whose first word is the VMCS revision identifier.
 *
 * CR4.VMXE is set and cleared with cr4_set_bits()/cr4_clear_bits(), which keep the kernel's
 * CR4 shadow in sync: kvm_intel decides whether VMX is free from cr4_read_shadow(), so a raw
 * CR4 write would let both hypervisors believe they own VMX.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/io.h>
#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/*
 * Per-CPU VMX state. Only the owning CPU touches it, with IRQs off (or during hotplug),
 * except the list of loaded VMCSs: lock protects loaded_vmcss and nr_loaded, so that a
 * VMCS whose CPU went offline can be taken off that CPU's list from another CPU
 * (vmx_loaded_vmcs_clear()).
 */
struct vmx_cpu {
	struct page *vmxon_region;
	struct page *scratch_vmcs;	/* current in a failed section instead of the owner's */
	bool vmx_on;			/* we executed VMXON here (and will VMXOFF) */
	bool shared;			/* another hypervisor's VMXON: never VMXOFF (vmx/share.c) */
	bool local_on;			/* our VMXON for one section only (vmx_local=1) */
	struct vmcs *current_vmcs;	/* the VMCS VMPTRLD made current here, if any */
	raw_spinlock_t lock;
	struct list_head loaded_vmcss;	/* struct vmx_loaded_vmcs.loaded_list */
	unsigned int nr_loaded;
	unsigned long vmxon_count;
	unsigned long vmxoff_count;
	unsigned long shared_count;	/* times this CPU was enabled in share mode */
	unsigned long takeover_count;	/* times the owner left and we took VMX over */
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);
static atomic_long_t vmx_pages = ATOMIC_LONG_INIT(0);

struct page *vmx_alloc_page(int node)
{
	struct page *page = alloc_pages_node(node, GFP_KERNEL_ACCOUNT | __GFP_ZERO, 0);

	if (page)
		atomic_long_inc(&vmx_pages);
	return page;
}

void vmx_free_page(struct page *page)
{
	if (!page)
		return;
	__free_page(page);
	atomic_long_dec(&vmx_pages);
}

long vmx_pages_held(void)
{
	return atomic_long_read(&vmx_pages);
}

/* Allocate every possible CPU's VMXON region at load: enabling runs in IPI context. */
int vmx_cpus_alloc(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
		struct vmcs *region;

		raw_spin_lock_init(&vc->lock);
		INIT_LIST_HEAD(&vc->loaded_vmcss);
		vc->vmxon_region = vmx_alloc_page(cpu_to_node(cpu));
		if (!vc->vmxon_region) {
			vmx_cpus_free();
			return -ENOMEM;
		}
		region = page_address(vc->vmxon_region);
		region->hdr.revision_id = vmx_caps.revision_id;
		vc->scratch_vmcs = vmx_alloc_page(cpu_to_node(cpu));
		if (!vc->scratch_vmcs) {
			vmx_cpus_free();
			return -ENOMEM;
		}
		region = page_address(vc->scratch_vmcs);
		region->hdr.revision_id = vmx_caps.revision_id;
	}
	return 0;
}

void vmx_cpus_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		vmx_free_page(vc->vmxon_region);
		vc->vmxon_region = NULL;
		vmx_free_page(vc->scratch_vmcs);
		vc->scratch_vmcs = NULL;
	}
}

static bool vmx_fixed_bits_ok(unsigned long val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}

static enum vmxmon_enable_error vmx_cpu_vmxon(struct vmx_cpu *vc, bool flush)
{
	u64 feat;
	int r;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) || !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return VMXMON_ENABLE_FEATURE_CONTROL;
	if (!vmx_fixed_bits_ok(read_cr0(), vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1) ||
	    !vmx_fixed_bits_ok(__read_cr4() | X86_CR4_VMXE, vmx_caps.cr4_fixed0,
			       vmx_caps.cr4_fixed1))
		return VMXMON_ENABLE_FIXED_BITS;

	intel_pt_handle_vmx(1);
	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(page_to_phys(vc->vmxon_region));
	if (r) {
		cr4_clear_bits(X86_CR4_VMXE);
		intel_pt_handle_vmx(0);
		/* VMfail: someone else is in VMX operation without CR4 in our shadow. */
		return r == -EIO ? VMXMON_ENABLE_IN_USE : VMXMON_ENABLE_FAULT;
	}
	/*
	 * Drop any EPT-derived translation left from before VMXOFF (SDM Vol. 3C 29.4.3.1).
	 * Not for a section's VMXON (vmx_local=1): a vCPU flushes its EPTP on a CPU it did not
	 * enter last (vmx/share.c), and kvm_intel flushes each new root before using it.
	 */
	if (flush)
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	vc->vmx_on = true;
	vc->vmxon_count++;
	return VMXMON_ENABLE_OK;
}

/*
 * Enter VMX operation on this CPU, or find it already on (another hypervisor's: share it,
 * vmx/share.c). IRQs are off.
 */
enum vmxmon_enable_error vmx_cpu_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	lockdep_assert_irqs_disabled();
	if (vc->vmx_on)
		return VMXMON_ENABLE_OK;
	if (vc->shared)
		return VMXMON_ENABLE_SHARED;
	if (!vmx_caps_match_this_cpu(&vmx_caps))
		return VMXMON_ENABLE_INCOMPATIBLE;
	/*
	 * In share mode a CPU that comes (back) online or out of suspend is shared lazily: the
	 * owner may enable it after us (its hotplug state or syscore resume may run later),
	 * and the first section decides (vmx_cpu_section_check()): the owner's, or ours.
	 */
	if ((cr4_read_shadow() & X86_CR4_VMXE) || vmx_share_on()) {
		vc->shared = true;
		vc->shared_count++;
		return VMXMON_ENABLE_SHARED;
	}
	return vmx_cpu_vmxon(vc, true);
}

/*
 * A section is about to start here (IRQs off, vmx/share.c): 0 if this CPU is in VMX
 * operation, ours or shared. A shared CPU whose owner left (CR4.VMXE clear: KVM's VMXOFF
 * clears it with cr4_clear_bits()) is taken over with our own VMXON.
 */
int vmx_cpu_section_check(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	enum vmxmon_enable_error why;

	if (vc->vmx_on)
		return 0;
	if (!vc->shared)
		return -EIO;	/* not enabled: offline teardown, reboot */
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return 0;
	if (vmx_share_local()) {
		/* VMX only for this section: VMXOFF in vmx_cpu_section_done(). */
		why = vmx_cpu_vmxon(vc, false);
		vc->local_on = why == VMXMON_ENABLE_OK;
		return vc->local_on ? 0 : -EIO;
	}
	vc->shared = false;
	why = vmx_cpu_vmxon(vc, true);
	if (why != VMXMON_ENABLE_OK) {
		pr_err_ratelimited("cpu%d: the other hypervisor left VMX operation and VMXON failed (%d)\n",
				   smp_processor_id(), why);
		return -EIO;
	}
	vc->takeover_count++;
	pr_info_ratelimited("cpu%d: the other hypervisor left VMX operation: vmxmon owns it now\n",
			    smp_processor_id());
	return 0;
}

/* A section ended (IRQs off, nothing of ours active): leave a section's own VMXON. */
void vmx_cpu_section_done(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (!vc->local_on)
		return;
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	vc->local_on = false;
	vc->vmx_on = false;
	vc->vmxoff_count++;
}

/*
 * A section could not load its VMCS (IRQs off): make the scratch VMCS current so that the
 * operation's VMREAD/VMWRITE never reach the owner's. false when VMX is off here (they
 * then fault, harmlessly, vmx/vmx_ops.h).
 */
bool vmx_cpu_scratch_load(u64 *owner)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	u64 pa = page_to_phys(vc->scratch_vmcs);

	if (vmx_vmptrst(owner)) {
		*owner = -1ull;
		return false;
	}
	return !vmx_vmclear(pa) && !vmx_vmptrld(pa);
}

void vmx_cpu_scratch_put(void)
{
	vmx_vmclear(page_to_phys(this_cpu_ptr(&vmx_cpu)->scratch_vmcs));
}

/*
 * The loaded-VMCS lists, compared with KVM 6.1 (vmx_vcpu_load_vmcs(), loaded_vmcs_clear(),
 * vmclear_local_loaded_vmcss()): KVM leaves VMX operation on a dying CPU from
 * CPUHP_AP_KVM_STARTING, which runs on that CPU with IRQs off after every task has left
 * it, so no vCPU can be loaded there afterwards. A module has only the dynamic states of
 * the ONLINE section (CPUHP_AP_ONLINE_DYN, kmod/virt.c): after vmx_cpu_disable() ran there, a
 * vCPU thread still queued on the CPU is switched in once more (its preempt notifier loads
 * it) before the scheduler pushes it away. So a VMCS is linked on a CPU's list only after
 * VMPTRLD succeeded there, in VMX operation, with IRQs off: a VMCS on a CPU's list is then
 * always VMCLEARed by that CPU before it leaves VMX operation, and lv->cpu never names a
 * CPU that is offline. The crash-time VMCLEAR and VMXOFF belong to kvm_intel's emergency
 * callback (cpu_emergency_register_virt_callback(), one slot: vmx/share.c rule 4), or to
 * vmxmon's, vmx_emergency_disable(), while no kvm_intel is loaded (kmod/virt.c).
 */

/* Take @lv off @vc's list (vc->lock held); it is no longer loaded anywhere. */
static void vmx_loaded_vmcs_unlink(struct vmx_cpu *vc, struct vmx_loaded_vmcs *lv)
{
	lockdep_assert_held(&vc->lock);
	if (vc->current_vmcs == lv->vmcs)
		vc->current_vmcs = NULL;
	list_del_init(&lv->loaded_list);
	vc->nr_loaded--;
	lv->launched = false;
	/* Order the list removal before the VMCS can be picked up on another CPU. */
	smp_store_release(&lv->cpu, -1);
}

/*
 * VMCLEAR @lv on this CPU, which it is loaded on: its data goes to memory and it may then
 * be loaded elsewhere (SDM Vol. 3C 25.11.3). IRQs off. A fault means VMX is already gone
 * (emergency VMXOFF): nothing left to flush.
 */
static void __vmx_loaded_vmcs_clear(void *arg)
{
	struct vmx_loaded_vmcs *lv = arg;
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	raw_spin_lock(&vc->lock);
	/* Not (or no longer) loaded here: cleared by vmx_cpu_disable() meanwhile. */
	if (lv->cpu == smp_processor_id()) {
		vmx_vmclear(page_to_phys(virt_to_page(lv->vmcs)));
		vmx_loaded_vmcs_unlink(vc, lv);
	}
	raw_spin_unlock(&vc->lock);
}

void vmx_loaded_vmcs_clear(struct vmx_loaded_vmcs *lv)
{
	int cpu = READ_ONCE(lv->cpu);
	struct vmx_cpu *vc;
	unsigned long flags;

	if (cpu < 0 || !smp_call_function_single(cpu, __vmx_loaded_vmcs_clear, lv, 1))
		return;
	/*
	 * -ENXIO: @cpu is offline. Its teardown VMCLEARed every VMCS on its list before it
	 * left VMX operation, and nothing is linked on a CPU outside VMX operation, so @lv is
	 * normally off the list already. Should it still be there, the CPU that held its data
	 * is gone: take it off that list here (the lock keeps a returning CPU out of it) and
	 * let the next VMPTRLD start from the region in memory, launch state cleared.
	 */
	vc = per_cpu_ptr(&vmx_cpu, cpu);
	raw_spin_lock_irqsave(&vc->lock, flags);
	if (lv->cpu == cpu) {
		pr_err_once("a VMCS was still listed on offline cpu%d; cleared from cpu%d\n", cpu,
			    raw_smp_processor_id());
		vmx_vmclear(page_to_phys(virt_to_page(lv->vmcs)));	/* faults if VMX is off here */
		vmx_loaded_vmcs_unlink(vc, lv);
	}
	raw_spin_unlock_irqrestore(&vc->lock, flags);
}

/* VMPTRLD @lv here unless it is already current (IRQs may be on: see below). */
static __always_inline int vmx_loaded_vmcs_make_current(struct vmx_cpu *vc,
							struct vmx_loaded_vmcs *lv)
{
	/*
	 * An IPI that VMCLEARs another VMCS here may reset current_vmcs in between: that
	 * only costs a VMPTRLD next time, as VMCLEAR of a VMCS that is not current leaves the
	 * current-VMCS pointer alone.
	 */
	if (vc->current_vmcs == lv->vmcs)
		return 0;
	if (vmx_vmptrld(page_to_phys(virt_to_page(lv->vmcs))))
		return -EIO;
	vc->current_vmcs = lv->vmcs;
	return 0;
}

/* @lv moves to this CPU: VMCLEAR on the old one, then VMPTRLD and link here. */
static noinline int vmx_loaded_vmcs_move(struct vmx_cpu *vc, struct vmx_loaded_vmcs *lv,
					 int cpu)
{
	unsigned long flags;
	int r;

	vmx_loaded_vmcs_clear(lv);
	local_irq_save(flags);
	/* This CPU left VMX operation (offline teardown, reboot): try again elsewhere. */
	r = vc->vmx_on ? vmx_loaded_vmcs_make_current(vc, lv) : -EIO;
	if (!r) {
		raw_spin_lock(&vc->lock);
		list_add(&lv->loaded_list, &vc->loaded_vmcss);
		vc->nr_loaded++;
		WRITE_ONCE(lv->cpu, cpu);
		raw_spin_unlock(&vc->lock);
	}
	local_irq_restore(flags);
	return r ? r : 1;
}

int vmx_loaded_vmcs_load(struct vmx_loaded_vmcs *lv)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	int cpu = smp_processor_id();

	/* Listed here, so this CPU is in VMX operation: leaving it empties the list first. */
	if (likely(smp_load_acquire(&lv->cpu) == cpu))
		return vmx_loaded_vmcs_make_current(vc, lv);
	return vmx_loaded_vmcs_move(vc, lv, cpu);
}

bool vmx_this_cpu_on(void)
{
	return this_cpu_read(vmx_cpu.vmx_on) || this_cpu_read(vmx_cpu.shared);
}

/* VMCLEAR every VMCS still loaded on this CPU before it leaves VMX operation. */
static void vmx_cpu_clear_loaded(struct vmx_cpu *vc)
{
	struct vmx_loaded_vmcs *v, *tmp;

	raw_spin_lock(&vc->lock);
	list_for_each_entry_safe(v, tmp, &vc->loaded_vmcss, loaded_list) {
		vmx_vmclear(page_to_phys(virt_to_page(v->vmcs)));
		vmx_loaded_vmcs_unlink(vc, v);
	}
	raw_spin_unlock(&vc->lock);
}

/*
 * The crash path (kdump, emergency restart), from the crash NMI or with IRQs off, as KVM's
 * vmx_emergency_disable(): VMCLEAR what is loaded here so that the vmcore holds its data,
 * then leave VMX operation if CR4.VMXE says this CPU is in it, whoever did VMXON (kexec's
 * relocate_kernel clears CR4.VMXE, which faults in VMX operation: the CPU triple-faults
 * and no crash kernel starts). No lock: the interrupted code may hold vc->lock; the list
 * changes only with IRQs off on this CPU (or for an offline one), as KVM's
 * loaded_vmcss_on_cpu. Instructions that fault (VMX already off) are skipped by their
 * fixups (vmx_ops.h).
 */
void vmx_emergency_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct vmx_loaded_vmcs *v;

	if (!(__read_cr4() & X86_CR4_VMXE))
		return;
	list_for_each_entry(v, &vc->loaded_vmcss, loaded_list)
		vmx_vmclear(page_to_phys(virt_to_page(v->vmcs)));
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
}

/* Leave VMX operation on this CPU. IRQs are off. Safe to call when VMX is off. */
void vmx_cpu_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	lockdep_assert_irqs_disabled();
	if (vc->shared) {
		/*
		 * Not our VMXON: never our VMXOFF. Nothing of ours is active here (sections end
		 * with VMCLEAR, vmx/share.c), so there is nothing to clear either.
		 */
		vc->shared = false;
		return;
	}
	if (!vc->vmx_on)
		return;
	vmx_cpu_clear_loaded(vc);
	/* A fault means an emergency path already ran VMXOFF; CR4.VMXE must still go. */
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	vc->current_vmcs = NULL;
	vc->vmx_on = false;
	vc->vmxoff_count++;
}

void vmx_cpu_stats(int cpu, struct vmxmon_cpu_stats *st)
{
	const struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

	st->vmx_on = READ_ONCE(vc->vmx_on) || READ_ONCE(vc->shared);
	st->shared = READ_ONCE(vc->shared);
	st->shared_count = READ_ONCE(vc->shared_count);
	st->takeover_count = READ_ONCE(vc->takeover_count);
	st->vmxon_count = READ_ONCE(vc->vmxon_count);
	st->vmxoff_count = READ_ONCE(vc->vmxoff_count);
	st->loaded_vmcs = READ_ONCE(vc->nr_loaded);
}
