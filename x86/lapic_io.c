// SPDX-License-Identifier: GPL-2.0
/*
 * How the in-kernel APIC is reached: the guest's xAPIC page (the vCPU's own MMIO range on
 * the I/O bus, x86/iobus.h), its x2APIC registers, IA32_APIC_BASE and IA32_TSC_DEADLINE
 * (MSRs), and from userspace KVM_GET/SET_LAPIC, KVM_SET_SREGS.apic_base and KVM_SIGNAL_MSI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "x86/lapic.h"
#include "x86/lapic_internal.h"

/* x2APIC MSRs: APIC_BASE_MSR + xAPIC offset / 16 (SDM Vol. 3A 11.12.1.2). */
#define X2APIC_MSR_END		(APIC_BASE_MSR + 0xff)

/*
 * The xAPIC page, as KVM's: 32-bit accesses to 16-byte aligned registers; other accesses
 * read 0 and write nothing. While it is a hole (x2APIC mode, or the APIC disabled in
 * IA32_APIC_BASE) it reads all ones and ignores writes (KVM's LAPIC_MMIO_HOLE quirk).
 */
static int lapic_mmio_read(struct vmxmon_vcpu *vcpu, struct x86_io_device *dev, u64 gpa,
			   unsigned int len, void *val)
{
	struct x86_lapic *a = container_of(dev, struct x86_lapic, mmio);
	u32 off = gpa & (PAGE_SIZE - 1);
	u64 v = 0;

	if (x86_lapic_mmio_hole(a))
		v = ~0ull;
	else if (len == 4 && !(off & 0xf) && x86_lapic_read(a, off, &v))
		v = 0;
	memcpy(val, &v, min_t(unsigned int, len, sizeof(v)));
	if (len > sizeof(v))
		memset(val + sizeof(v), x86_lapic_mmio_hole(a) ? 0xff : 0, len - sizeof(v));
	return 0;
}

static int lapic_mmio_write(struct vmxmon_vcpu *vcpu, struct x86_io_device *dev, u64 gpa,
			    unsigned int len, const void *val)
{
	struct x86_lapic *a = container_of(dev, struct x86_lapic, mmio);
	u32 off = gpa & (PAGE_SIZE - 1), v;

	if (x86_lapic_mmio_hole(a) || len != 4 || (off & 0xf))
		return 0;
	memcpy(&v, val, sizeof(v));
	/* A level-triggered EOI that the userspace IOAPIC must hear of: after the write. */
	return x86_lapic_write(a, off, v) == 0 ? X86_IO_EXIT : 0;
}

static const struct x86_io_device_ops lapic_mmio_ops = {
	.read = lapic_mmio_read,
	.write = lapic_mmio_write,
};

/* The xAPIC page is the vCPU's own range: at its APIC base, in every APIC mode. */
void x86_lapic_mmio_init(struct x86_lapic *a)
{
	struct x86_io_range *r = &vcpu_x86(a->vcpu)->local_mmio;

	a->mmio.ops = &lapic_mmio_ops;
	r->len = PAGE_SIZE;
	x86_lapic_mmio_update(a);
	r->dev = &a->mmio;
}

/* IA32_APIC_BASE changed: the page moves with it (only the vCPU's thread reads the range). */
void x86_lapic_mmio_update(struct x86_lapic *a)
{
	vcpu_x86(a->vcpu)->local_mmio.addr = a->base & MSR_IA32_APICBASE_BASE;
}

/*
 * x2APIC registers, IA32_APIC_BASE and IA32_TSC_DEADLINE: 0 done, 1 #GP, -1 not an APIC
 * MSR. A write of EOI that the IOAPIC must hear about returns 2 (exit to userspace).
 */
int x86_lapic_msr(struct vmxmon_vcpu *vcpu, u32 index, u64 *data, bool write, bool host)
{
	struct x86_lapic *a = vcpu_x86(vcpu)->lapic;
	u32 off = (index - APIC_BASE_MSR) << 4;
	int r;

	if (!a)
		return -1;
	if (index == MSR_IA32_APICBASE) {
		if (!write) {
			*data = x86_lapic_get_base(a);
			return 0;
		}
		r = x86_lapic_set_base(a, *data, vcpu->id, host);
		if (!r)
			x86_call(apic_base_changed)(vcpu);
		return r;
	}
	if (index == MSR_IA32_TSC_DEADLINE) {
		if (write)
			x86_lapic_set_tsc_deadline(a, *data, x86_call(get_tsc_offset)(vcpu));
		else
			*data = x86_lapic_get_tsc_deadline(a);
		return 0;
	}
	if (index < APIC_BASE_MSR || index > X2APIC_MSR_END)
		return -1;
	if (!(x86_lapic_get_base(a) & X2APIC_ENABLE) && !host)
		return 1;
	/*
	 * No CMCI (MCG_CAP.MCG_CMCI_P is 0): its LVT is not there, so MSR 0x82f is #GP (SDM
	 * Vol. 3A 11.12.1.2, table 11-6), as with KVM 6.1.
	 */
	if (off == APIC_LVTCMCI)
		return 1;
	if (!write)
		return x86_lapic_read(a, off, data) ? 1 : 0;
	/* x2APIC: EOI and SELF_IPI take 0 high bits; ICR is 64 bits (SDM 11.12.1.2). */
	if (off != APIC_ICR && (*data >> 32))
		return 1;
	if (off == APIC_EOI && *data)
		return 1;
	if (off == APIC_SELF_IPI && (*data & ~(u64)APIC_VECTOR_MASK))	/* bits 31:8 reserved */
		return 1;
	r = x86_lapic_write(a, off, *data);
	return r < 0 ? 1 : r == 0 ? 2 : 0;
}

/*
 * KVM_SET_SREGS.apic_base, as KVM's kvm_set_apic_base() from __set_sregs(): the in-kernel
 * APIC moves and switches mode as for a host MSR write; without one the value is kept
 * after the same reserved-bit checks. 0, or 1 for a value KVM refuses (-EINVAL).
 */
int x86_set_apic_base_host(struct vmxmon_vcpu *vcpu, u64 val)
{
	struct x86_vcpu *x = vcpu_x86(vcpu);
	u64 reserved;

	if (x->lapic)
		return x86_lapic_msr(vcpu, MSR_IA32_APICBASE, &val, true, true);
	reserved = ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0) | 0x2ff |
		   (x86_cpuid_x2apic(vcpu) ? 0 : X2APIC_ENABLE);
	if ((val & reserved) ||
	    ((val & X2APIC_ENABLE) && !(val & MSR_IA32_APICBASE_ENABLE)))
		return 1;
	x->apic_base = val;
	return 0;
}

/* Without the in-kernel APIC these are -EINVAL, as in KVM. */
int x86_get_lapic(struct vmxmon_vcpu *vcpu, struct kvm_lapic_state *s)
{
	if (!vcpu_x86(vcpu)->lapic)
		return -EINVAL;
	x86_lapic_get_state(vcpu_x86(vcpu)->lapic, s);
	return 0;
}

int x86_set_lapic(struct vmxmon_vcpu *vcpu, const struct kvm_lapic_state *s)
{
	if (!vcpu_x86(vcpu)->lapic)
		return -EINVAL;
	x86_lapic_set_state(vcpu_x86(vcpu)->lapic, s);
	vmxmon_vcpu_kick(vcpu);
	return 0;
}

int x86_signal_msi(struct vmxmon_vm *vm, const struct kvm_msi *msi)
{
	struct vmxmon_vcpu *any = READ_ONCE(vm->vcpus[0]);

	if (msi->flags || msi->address_hi || memchr_inv(msi->pad, 0, sizeof(msi->pad)))
		return -EINVAL;
	/* No vCPU, so no APIC: KVM's slow path answers a bare -1. */
	return any ? x86_lapic_msi(any, msi->address_lo, msi->data) : -EPERM;
}
