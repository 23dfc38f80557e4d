// SPDX-License-Identifier: GPL-2.0
/*
 * The APIC-access page ("virtualize APIC accesses", SDM Vol. 3C 29.4) for the in-kernel
 * xAPIC, where the CPU has it and the TPR shadow (vmcs_config.apic_access).
 *
 * A VM with the split irqchip gets one zeroed page, mapped in its EPT at 0xfee00000. A vCPU
 * whose APIC is enabled, in xAPIC mode, at that base runs with the control on: its reads
 * and writes of the TPR (offset 0x80) go to the virtual-APIC page, which is the in-kernel
 * APIC's own register page (x86/lapic.c), so MOV CR8, the TPR through memory and the APIC
 * all see one TPR; every other access is an APIC-access VM exit, decoded by x86/emulate.c
 * (vmx/exit.c). The page itself is never read or written by anyone.
 *
 * A vCPU in x2APIC mode, with its APIC disabled or moved elsewhere runs with the control
 * off, as KVM's vmx_set_virtual_apic_mode(). At 0xfee00000 it must then see what it saw
 * before this page existed (x2APIC: ones, writes dropped; otherwise MMIO to userspace or
 * its own relocated APIC's hole), never the page. Since the EPT is one for the whole VM,
 * the page is mapped only while every vCPU of the VM runs with the control on: the first
 * vCPU to turn it off takes the page out of the EPT, and every vCPU flushes its cached
 * translations before it enters again (vmx_ept_unmap_apic_access()); then all vCPUs (also
 * those still in xAPIC mode) reach the APIC by EPT violations and the decoder, as on CPUs
 * without the feature. The last one to turn it on again maps it.
 * (KVM 6.1 without APICv never maps its page in the EPT at all: it emulates every access.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <asm/apicdef.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "x86/lapic.h"

static void apic_access_set_ctl(bool on)
{
	if (on)
		vmcs_set_bits32(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	else
		vmcs_clear_bits32(SECONDARY_VM_EXEC_CONTROL,
				  SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
}

/*
 * A new vCPU with an in-kernel APIC (vm->lock held): the VM's page comes with its first one
 * and stays until the VM is destroyed (vmx_vm_destroy()), whatever fails after this.
 */
int vmx_apic_access_vcpu_init(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_vm *v = to_vmx_vm(vcpu->vm);

	lockdep_assert_held(&vcpu->vm->lock);
	if (!vmcs_config.apic_access || !vmx->x86.lapic)
		return 0;
	if (!v->apic_access_page) {
		v->apic_access_page = vmx_alloc_page(NUMA_NO_NODE);
		if (!v->apic_access_page)
			return -ENOMEM;
		vmx_ept_map_apic_access(vcpu->vm, APIC_DEFAULT_PHYS_BASE, v->apic_access_page);
	}
	/* Out of reset the APIC is in xAPIC mode at 0xfee00000: on, so not counted as off. */
	vmx->apic_access = x86_lapic_xapic_at_default_base(vmx->x86.lapic);
	if (!vmx->apic_access)
		v->apic_access_off++;
	return 0;
}

/* Program a fresh VMCS (current on this CPU). */
void vmx_apic_access_vmcs_init(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vm *v = to_vmx_vm(vcpu->vm);

	if (!v->apic_access_page || !vcpu_x86(vcpu)->lapic)
		return;
	vmcs_write64(APIC_ACCESS_ADDR, page_to_phys(v->apic_access_page));
	apic_access_set_ctl(to_vmx(vcpu)->apic_access);
}

/*
 * IA32_APIC_BASE changed (vcpu->mutex held, VMCS loaded, may sleep): turn the control on or
 * off for this vCPU, and map or unmap the page for the VM when this vCPU is the first to
 * turn it off or the last to turn it on.
 */
void vmx_apic_access_update(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_vm *v = to_vmx_vm(vcpu->vm);
	bool on = v->apic_access_page && x86_lapic_xapic_at_default_base(vmx->x86.lapic);

	void *tok;

	if (on == vmx->apic_access)
		return;
	tok = vmxmon_sleep_begin();	/* the mutex, and IPIs that wait (EPT change) */
	mutex_lock(&vcpu->vm->lock);
	if (!on && v->apic_access_off++ == 0)
		vmx_ept_unmap_apic_access(vcpu->vm, APIC_DEFAULT_PHYS_BASE, v->apic_access_page);
	else if (on && --v->apic_access_off == 0)
		vmx_ept_map_apic_access(vcpu->vm, APIC_DEFAULT_PHYS_BASE, v->apic_access_page);
	mutex_unlock(&vcpu->vm->lock);
	vmxmon_sleep_end(tok);
	vmx->apic_access = on;
	apic_access_set_ctl(on);
	/*
	 * A translation this CPU cached while the control was off must not hide the page from
	 * it now (SDM 29.4.5; KVM flushes here too).
	 */
	if (on)
		vmx->flush_on_entry = true;
}
