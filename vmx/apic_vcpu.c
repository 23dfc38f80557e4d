// SPDX-License-Identifier: GPL-2.0
/*
 * What the in-kernel APIC means for a vCPU: HLT sleeps in the kernel until an interrupt
 * can wake it, application processors wait for INIT and SIPI (KVM_MP_STATE_*), the xAPIC
 * page and x2APIC MSRs are handled without leaving the kernel, and KVM_GET/SET_LAPIC,
 * KVM_GET/SET_MP_STATE and KVM_SIGNAL_MSI reach it from userspace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/apicdef.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define X2APIC_MSR_BASE		0x800
#define X2APIC_MSR_END		0x8ff
#define MSR_TSC_DEADLINE	0x6e0

/* Would a halted or waiting vCPU have something to do? Any context; no VMCS. */
bool vmx_vcpu_should_wake(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (READ_ONCE(vmx->init_pending) || READ_ONCE(vmx->sipi_pending))
		return true;
	if (vmx->mp_state != KVM_MP_STATE_RUNNABLE)
		return false;
	if (!READ_ONCE(vcpu->halted))
		return true;
	/* HLT ends with an NMI, or an interrupt the guest takes (IF was 1). */
	return READ_ONCE(vmx->ev.nmi_pending) || atomic_read(&vmx->ev.nmi_queued) ||
	       (vmx->halt_if && ((READ_ONCE(vmx->ev.irq_pending) &&
				  (vmx->ev.irq_injected || vmx_lapic_accepts_extint(vmx->lapic))) ||
				 vmx_lapic_deliverable(vmx->lapic) >= 0));
}

/* Apply a pending INIT, then a pending SIPI (VMCS loaded). */
static void vmx_vcpu_accept_events(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (unlikely(READ_ONCE(vmx->init_pending))) {
		WRITE_ONCE(vmx->init_pending, false);
		vmx_vcpu_reset(vcpu);
		vmx_events_init_signal(vcpu);
		vmx_lapic_reset(vmx->lapic, vcpu->id, vcpu->id == 0, true);
		vcpu->halted = false;
		vmx->mp_state = vcpu->id == 0 ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_INIT_RECEIVED;
	}
	if (unlikely(READ_ONCE(vmx->sipi_pending))) {
		WRITE_ONCE(vmx->sipi_pending, false);
		smp_rmb();
		if (vmx->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
			/* Start at vector:0000 in real mode (SDM 8.4.4.1). */
			vmcs_write16(GUEST_CS_SELECTOR, vmx->sipi_vector << 8);
			vmcs_writel(GUEST_CS_BASE, vmx->sipi_vector << 12);
			vmcs_writel(GUEST_RIP, 0);
			vmx->mp_state = KVM_MP_STATE_RUNNABLE;
		}
	}
}

/* Before entry (VMCS loaded): apply INIT and SIPI, then say whether the guest may run. */
bool vmx_vcpu_can_enter(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	/* Cleared before looking: an INIT or SIPI sent meanwhile sets it again. */
	WRITE_ONCE(vcpu->check_state, false);
	smp_mb();

	vmx_vcpu_accept_events(vcpu);
	if (vmx->mp_state != KVM_MP_STATE_RUNNABLE || (vcpu->halted && !vmx_vcpu_should_wake(vcpu))) {
		WRITE_ONCE(vcpu->check_state, true);
		return false;
	}
	vcpu->halted = false;
	return true;
}

/* HLT with an in-kernel APIC: the vCPU thread sleeps until an event (kmod/vcpu.c). */
int vmx_handle_hlt_in_kernel(struct vmxmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_skip_instruction(vcpu);
	/* Single-stepped: the #DB is delivered at once, and it ends the halt (as KVM). */
	if (unlikely(vmx->ev.handler_injected))
		return 1;
	vmx->halt_if = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;
	WRITE_ONCE(vcpu->halted, true);
	WRITE_ONCE(vcpu->check_state, true);
	return 1;
}

/* xAPIC page access decoded by the MMIO emulator: 32-bit, 16-byte aligned registers. */
void vmx_lapic_mmio(struct vmxmon_vcpu *vcpu, u64 gpa, bool write, u64 *val, int size,
		    int *ret)
{
	struct vmx_lapic *a = to_vmx(vcpu)->lapic;
	u32 off = gpa & 0xfff;

	*ret = 1;
	if (vmx_lapic_mmio_hole(a)) {		/* ones, writes dropped */
		if (!write)
			*val = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return;
	}
	if (size != 4 || (off & 0xf)) {		/* not a register access: ignored */
		if (!write)
			*val = 0;
		return;
	}
	if (write)
		*ret = vmx_lapic_write(a, off, (u32)*val) == 0 ? 0 : 1;
	else if (vmx_lapic_read(a, off, val))
		*val = 0;
}

/*
 * x2APIC registers, IA32_APIC_BASE and IA32_TSC_DEADLINE: 0 done, 1 #GP, -1 not an APIC
 * MSR. A write of EOI that the IOAPIC must hear about returns 2 (exit to userspace).
 */
int vmx_lapic_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool write, bool host)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_lapic *a = vmx->lapic;
	u32 off = (index - X2APIC_MSR_BASE) << 4;
	int r;

	if (!a)
		return -1;
	if (index == MSR_IA32_APICBASE) {
		if (!write) {
			*data = vmx_lapic_get_base(a);
			return 0;
		}
		r = vmx_lapic_set_base(a, *data, vcpu->id, host);
		if (!r)
			vmx_apic_access_update(vcpu);
		return r;
	}
	if (index == MSR_TSC_DEADLINE) {
		if (write)
			vmx_lapic_set_tsc_deadline(a, *data, vmcs_read64(TSC_OFFSET));
		else
			*data = vmx_lapic_get_tsc_deadline(a);
		return 0;
	}
	if (index < X2APIC_MSR_BASE || index > X2APIC_MSR_END)
		return -1;
	if (!(vmx_lapic_get_base(a) & X2APIC_ENABLE) && !host)
		return 1;
	/*
	 * No CMCI (MCG_CAP.MCG_CMCI_P is 0): its LVT is not there, so MSR 0x82f is #GP (SDM
	 * Vol. 3A 11.12.1.2, table 11-6), as with KVM 6.1.
	 */
	if (off == APIC_LVTCMCI)
		return 1;
	if (!write)
		return vmx_lapic_read(a, off, data) ? 1 : 0;
	/* x2APIC: EOI and SELF_IPI take 0 high bits; ICR is 64 bits (SDM 11.12.1.2). */
	if (off != APIC_ICR && (*data >> 32))
		return 1;
	if (off == APIC_EOI && *data)
		return 1;
	if (off == APIC_SELF_IPI && (*data & ~(u64)APIC_VECTOR_MASK))	/* bits 31:8 reserved */
		return 1;
	r = vmx_lapic_write(a, off, *data);
	return r < 0 ? 1 : r == 0 ? 2 : 0;
}

/*
 * KVM_SET_SREGS.apic_base, as KVM's kvm_set_apic_base() from __set_sregs(): the in-kernel
 * APIC moves and switches mode as for a host MSR write; without one the value is kept
 * after the same reserved-bit checks. 0, or 1 for a value KVM refuses (-EINVAL).
 * VMCS loaded.
 */
int vmx_set_apic_base_host(struct vmxmon_vcpu *vcpu, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 eax, ebx, ecx, edx;
	u64 reserved;

	if (vmx->lapic)
		return vmx_lapic_msr(vcpu, MSR_IA32_APICBASE, &val, true, true);
	vmx_cpuid(vcpu, 1, 0, &eax, &ebx, &ecx, &edx);
	reserved = ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0) | 0x2ff |
		   (ecx & BIT(21) ? 0 : X2APIC_ENABLE);
	if ((val & reserved) ||
	    ((val & X2APIC_ENABLE) && !(val & MSR_IA32_APICBASE_ENABLE)))
		return 1;
	vmx->apic_base = val;
	return 0;
}

/* Without the in-kernel APIC these are -EINVAL, as in KVM. */
int vmx_get_lapic(struct vmxmon_vcpu *vcpu, struct kvm_lapic_state *s)
{
	if (!to_vmx(vcpu)->lapic)
		return -EINVAL;
	vmx_lapic_get_state(to_vmx(vcpu)->lapic, s);
	return 0;
}

int vmx_set_lapic(struct vmxmon_vcpu *vcpu, const struct kvm_lapic_state *s)
{
	if (!to_vmx(vcpu)->lapic)
		return -EINVAL;
	vmx_lapic_set_state(to_vmx(vcpu)->lapic, s);
	vmxmon_vcpu_kick(vcpu);
	return 0;
}

/* VMCS loaded: INIT and SIPI already sent take effect first, as in KVM. */
int vmx_get_mp_state(struct vmxmon_vcpu *vcpu, struct kvm_mp_state *mp)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vmx->lapic)
		vmx_vcpu_accept_events(vcpu);

	mp->mp_state = !vmx->lapic ? KVM_MP_STATE_RUNNABLE :
		       vmx->mp_state == KVM_MP_STATE_RUNNABLE && vcpu->halted ?
		       KVM_MP_STATE_HALTED : vmx->mp_state;
	return 0;
}

int vmx_set_mp_state(struct vmxmon_vcpu *vcpu, const struct kvm_mp_state *mp)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx->lapic)	/* no in-kernel APIC: always runnable, as KVM */
		return mp->mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
	switch (mp->mp_state) {
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		vmx->mp_state = mp->mp_state;
		vcpu->halted = false;
		break;
	case KVM_MP_STATE_HALTED:
		vmx->mp_state = KVM_MP_STATE_RUNNABLE;
		vmx->halt_if = true;
		vcpu->halted = true;
		break;
	default:
		return -EINVAL;
	}
	WRITE_ONCE(vcpu->check_state, true);
	vmxmon_vcpu_kick(vcpu);
	return 0;
}

int vmx_signal_msi(struct vmxmon_vm *vm, const struct kvm_msi *msi)
{
	struct vmxmon_vcpu *any = READ_ONCE(vm->vcpus[0]);

	if (msi->flags || msi->address_hi || memchr_inv(msi->pad, 0, sizeof(msi->pad)))
		return -EINVAL;
	/* No vCPU, so no APIC: KVM's slow path answers a bare -1. */
	return any ? vmx_lapic_msi(any, msi->address_lo, msi->data) : -EPERM;
}
