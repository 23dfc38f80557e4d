// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing VMX root operation with another hypervisor (kvm_intel), instead of refusing.
 *
 * When vmxmon needs VMX and a CPU already has CR4.VMXE set (kvm_intel with 6.12's
 * enable_virt_at_load, or any KVM VM on 6.1), vmxmon does not VMXON there: it runs its
 * VMCSs inside the other hypervisor's ("the owner's") VMX root operation. Then, on every
 * CPU (vmx_share_mode, decided when VMX is taken while no vCPU exists: kmod/virt.c), our
 * VMCS is current only inside a *section*: IRQs and preemption off from VMPTRLD to VMCLEAR.
 * The rules, with the SDM (Vol. 3C) and where they differ from KVM:
 *
 *  1. Section start (vmx_share_enter()): VMPTRST saves the owner's current-VMCS pointer
 *     (-1ull if none; 31.3 "VMPTRST"), then VMPTRLD makes ours current (25.1). The owner's
 *     VMCS stays *active* (its launch state and cached data stay; 25.1, 25.11.3), only no
 *     longer current: VMX allows many active VMCSs per logical processor.
 *  2. Section end (vmx_share_exit()): VMCLEAR ours (its data goes to memory, its launch
 *     state becomes "clear", the current-VMCS pointer becomes invalid; 25.11.3, 31.3
 *     "VMCLEAR"), then VMPTRLD the saved pointer unless it was -1ull. The owner finds the
 *     CPU exactly as it left it: KVM keeps its own idea of the current VMCS in a per-CPU
 *     variable (current_vmcs) and skips VMPTRLD when it matches, so the hardware pointer
 *     must be back before anything else can run here: before IRQs (an IPI may run KVM's
 *     hardware_disable: VMCLEAR of *its* VMCSs, then VMXOFF) or preemption (a KVM vCPU
 *     thread would VMREAD/VMWRITE whatever is current).
 *  3. So ours is never active outside a section: never active where the owner may VMXOFF
 *     (25.11.1: VMXOFF with active VMCSs may corrupt them), never active on another CPU
 *     (VMPTRLD of a VMCS active elsewhere is undefined, 25.11.1), and the next entry is a
 *     VMLAUNCH (launch state clear after VMCLEAR; VMRESUME would VMfail, 30.3 error 5).
 *     KVM keeps its VMCS active between entries and VMCLEARs only on migration; vmxmon
 *     pays a VMCLEAR/VMPTRLD pair and a VMLAUNCH per section (measured: see the report).
 *  4. Never VMXOFF what we did not VMXON: disabling a shared CPU (last VM, idle hold,
 *     hotplug offline, suspend, reboot/kexec, module unload) only forgets it
 *     (vmx_cpu_disable()). Crash and emergency reboot: Debian's 6.1 (6.1.192, which has
 *     the 6.5 rework backported) and 6.12 VMXOFF in the crash NMI (crash_nmi_callback())
 *     and on the crashing CPU only through the one callback registered with
 *     cpu_emergency_register_virt_callback(), kvm_intel's (vmx_emergency_disable():
 *     VMCLEAR of its own VMCSs, then VMXOFF if CR4.VMXE is set, whoever did the VMXON).
 *     With kvm_intel loaded that takes every CPU out of VMX operation, ours too; ours is
 *     active only inside a section, which that NMI alone can interrupt, so one of our
 *     VMCSs may be left active (stale in the vmcore; the crash kernel does not use that
 *     memory). The slot holds one callback and kvm_intel WARNs if it is taken when it
 *     loads, so vmxmon holds it only while no kvm_intel is loaded (kmod/virt.c: a
 *     module notifier hands it over) with vmx_emergency_disable() (vmx/cpu.c); without
 *     it a crash left vmxmon's own VMXON in place and kexec's relocate_kernel cleared
 *     CR4.VMXE in VMX operation: #GP, triple fault, no crash kernel (the testbed's
 *     scripts/shutdown/l1_shutdown.sh SHUTDOWN_CRASH_ALONE=1 showed it; it boots now).
 *  5. The owner may leave between two sections (rmmod kvm_intel, its last VM on 6.1):
 *     a section start on a shared CPU checks CR4.VMXE (KVM clears it with
 *     cr4_clear_bits() after VMXOFF) and then VMXONs itself (vmx_cpu_section_check()):
 *     the CPU is ours ("taken") and is VMXOFFed when we leave. Our VMCS was clear in
 *     memory, so nothing is lost. Should VMXON fail, the section fails and KVM_RUN returns
 *     -EIO with one log line, never a fault.
 *  6. A section that cannot be entered with VMX still on (this CPU not enabled for us)
 *     loads a per-CPU scratch VMCS instead of leaving the owner's current, so that the
 *     VMREADs/VMWRITEs of the operation in progress can never reach the owner's VMCS.
 *  7. Host state: the per-CPU host fields (TR, GDTR, GS base, SYSENTER_ESP) are rewritten
 *     when the VMCS enters a section on another CPU than last time, HOST_CR3/HOST_CR4/FS
 *     base are checked before every entry; the rest is constant (vmx/vmcs.c). The MSRs
 *     vmxmon swaps (STAR, LSTAR, CSTAR, SFMASK) are saved from the CPU at load and put back
 *     as found (vmx/msr.c), not from a copy taken at module load: KVM's user-return MSRs
 *     may hold its guest's values while its vCPU thread is preempted in the kernel, and
 *     KVM only rewrites them if its cached value differs.
 *  8. Branch predictions: KVM skips its IBPB when it finds its own VMCS current, so after
 *     our guest ran in a section that found an owner's VMCS current, an IBPB is due before
 *     any other task can run here (vmx_vcpu_put()), and our next entry after a put issues
 *     one too (vmx_last_guest is forgotten).
 *  9. VPIDs: both hypervisors allocate from 1 upwards, so a VPID may be in use by both;
 *     with EPT on both sides, guest TLB entries are also tagged with the EPTP (29.4.1,
 *     combined mappings), and both flush a new EPT root before its first use.
 *
 * 10. "Local" VMX (vmx_local=1, VirtualBox's answer to the same problem): where no other
 *     hypervisor is in VMX operation, vmxmon VMXONs at a section's start and VMXOFFs at its
 *     end, so kvm_intel may enable VMX at any time (its enabling IPI waits for the end of
 *     the section, and then finds CR4.VMXE clear). Costs a VMXON/VMXOFF pair per section.
 *
 * Sleeping inside a section (fault-in of guest memory, the emulator's copies, the APIC
 * page's mutex) ends it first (vmx_share_sleep_begin/end(), through the backend ops that
 * kmod/memslot.c calls): the VMCS may then come back on another CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

/* Sections on every CPU: set only while no vCPU exists (kmod/virt.c); vmx_share_on(). */
bool vmx_share_mode;
/* vmx_local=1: CPUs nobody else has in VMX operation are ours only inside sections. */
static bool vmx_share_local_mode;
/* The vCPU whose section is open on this CPU (for the sleep points). */
static DEFINE_PER_CPU(struct vmx_vcpu *, vmx_share_holder);

void vmx_share_set_mode(bool on, bool local)
{
	WRITE_ONCE(vmx_share_local_mode, on && local);
	WRITE_ONCE(vmx_share_mode, on);
}

bool vmx_share_local(void)
{
	return READ_ONCE(vmx_share_local_mode);
}

#ifdef CONFIG_PROVE_LOCKING
/* vmx/vmx_ops.h: a VMCS access in share mode outside a section is a vmxmon bug. */
void vmx_share_assert_section(unsigned long field)
{
	if (READ_ONCE(vmx_share_mode) && (!irqs_disabled() || !this_cpu_read(vmx_share_holder)))
		WARN_ONCE(1, "VMCS field %#lx accessed outside a share-mode section\n", field);
}
#endif

static u64 vmx_vmcs_pa(struct vmx_vcpu *vmx)
{
	return page_to_phys(virt_to_page(vmx->vmcs.vmcs));
}

/*
 * Open a section for @vcpu on this CPU (IRQs off): 0, or -EIO with the scratch VMCS (or no
 * VMCS at all, VMX being off) current.
 */
int vmx_share_enter(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int cpu = smp_processor_id();

	lockdep_assert_irqs_disabled();
	vmx->share.owner_vmcs = -1ull;
	if (vmx_cpu_section_check())
		goto scratch;
	if (vmx_vmptrst(&vmx->share.owner_vmcs))
		goto scratch;
	/* A new VMCS: launch state "clear" first (25.11.3); not current, so the owner's stays. */
	if (unlikely(vmx->share.fresh)) {
		if (vmx_vmclear(vmx_vmcs_pa(vmx)))
			goto scratch;
		vmx->share.fresh = false;
	}
	if (vmx_vmptrld(vmx_vmcs_pa(vmx))) {
		/* Cannot happen for a valid region (31.3 VMPTRLD): keep the owner's out of reach. */
		if (vmx->share.owner_vmcs != -1ull)
			vmx_vmptrld(vmx->share.owner_vmcs);
		goto scratch;
	}
	vmx->vmcs.launched = false;	/* VMCLEARed at the last section end */
	vmx->share.held = true;
	vmx->share.scratch = false;
	vmx->share.entered = false;
	__this_cpu_write(vmx_share_holder, vmx);
	if (vmx->share.host_cpu != cpu) {
		vmx_vmcs_set_host_percpu(cpu);
		vmx->share.host_cpu = cpu;
		/* Translations this CPU cached for the guest before may be stale. */
		vmx->flush_on_entry = true;
	}
	return 0;

scratch:
	vmx->share.held = true;
	vmx->share.scratch = vmx_cpu_scratch_load(&vmx->share.owner_vmcs);
	__this_cpu_write(vmx_share_holder, vmx);
	return -EIO;
}

/* Close the section (IRQs off): ours cleared, the owner's current again. */
void vmx_share_exit(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	lockdep_assert_irqs_disabled();
	if (!vmx->share.held)
		return;
	if (vmx->share.scratch)
		vmx_cpu_scratch_put();
	else
		vmx_vmclear(vmx_vmcs_pa(vmx));
	vmx->vmcs.launched = false;
	if (vmx->share.owner_vmcs != -1ull) {
		vmx_vmptrld(vmx->share.owner_vmcs);
		if (vmx->share.entered)
			vmx_share_ibpb_due();
	}
	vmx->share.held = false;
	__this_cpu_write(vmx_share_holder, NULL);
	vmx_cpu_section_done();
}

/*
 * Open a section where an operation's VMCS accesses follow (preemptible on entry; returns
 * with preemption and IRQs off). A CPU on its way offline (our teardown ran, the
 * scheduler has not moved us yet) is left for another; if no section can be had, the
 * operation runs on the scratch VMCS and the vCPU is broken: its state is no longer
 * trustworthy, KVM_RUN fails with -EIO from now on.
 */
static void vmx_share_enter_retry(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int tries = 0;

	for (;;) {
		preempt_disable();
		local_irq_disable();
		if (!vmx_share_enter(vcpu))
			return;
		if (cpu_active(smp_processor_id()) || ++tries > 100)
			break;
		vmx_share_exit(vcpu);
		local_irq_enable();
		preempt_enable();
		schedule_timeout_uninterruptible(1);
	}
	/* Not enabled here: reboot/kexec took VMX on purpose, or a failed takeover said so. */
	if (!vmx->share.broken && vmx_this_cpu_on())
		pr_err_ratelimited("cpu%d: no VMX operation for a vCPU's state here; its KVM_RUN fails with -EIO\n",
				   smp_processor_id());
	vmx->share.broken = true;
}

/*
 * Around an ioctl's use of the VMCS (kmod's vmxmon_vcpu_load()/put(); IRQs on): in share
 * mode, a section with preemption and IRQs off. The operation in between must not sleep
 * except through the sleep points below.
 */
void vmx_share_hold(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx_share_on())
		return;
	vmx_share_enter_retry(vcpu);
	vmx->share.hold = true;
}

void vmx_share_release(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx->share.hold)
		return;
	vmx_share_exit(vcpu);
	vmx->share.hold = false;
	local_irq_enable();
	preempt_enable();
}

/*
 * A sleep in the middle of a backend operation (kmod/memslot.c): end this CPU's section,
 * if any, and let interrupts and preemption in. Returns what vmx_share_sleep_end() needs.
 */
void *vmx_share_sleep_begin(void)
{
	struct vmx_vcpu *vmx;

	if (!vmx_share_on())
		return NULL;
	vmx = this_cpu_read(vmx_share_holder);
	if (!vmx)
		return NULL;
	vmx_share_exit(vmx->share.vcpu);
	local_irq_enable();
	preempt_enable();
	return vmx;
}

void vmx_share_sleep_end(void *token)
{
	struct vmx_vcpu *vmx = token;

	if (!vmx)
		return;
	vmx_share_enter_retry(vmx->share.vcpu);	/* possibly on another CPU now */
}
