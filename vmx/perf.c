// SPDX-License-Identifier: GPL-2.0
/*
 * The host's performance counters while a guest runs. perf may have counters (and PEBS)
 * armed for the host: left as they are they would count the guest, and PEBS assists in
 * non-root mode would write records through the host's IA32_DS_AREA, a host virtual
 * address, translated by the guest's paging (guest memory corruption, a host address leak,
 * lost host samples). Before every VM entry perf says which MSRs must differ in the guest
 * (perf_guest_get_msrs(): PERF_GLOBAL_CTRL without the PEBS and host-only counters,
 * PEBS_ENABLE on CPUs without PEBS isolation, the EVENTSELs on old Core CPUs); each one that
 * differs goes into the VM-entry MSR-load list with the guest's value and into the VM-exit
 * MSR-load list with the host's (SDM Vol. 3C 25.7.2, 25.8.2, 27.4, 28.6), so the switch is
 * atomic with the transition, as KVM 6.1's atomic_switch_perf_msrs() does.
 *
 * Differences from KVM: vmxmon has no guest PMU, so it passes no kvm_pmu to perf (NULL: perf
 * then leaves guest PEBS out, intel_guest_get_msrs()), and it always uses the MSR-load lists,
 * also for PERF_GLOBAL_CTRL where KVM prefers the "load IA32_PERF_GLOBAL_CTRL" entry/exit
 * controls (the lists work on every CPU, including those whose controls KVM must not use
 * because of errata; they cost a few more cycles per transition while perf has counters).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/perf_event.h>
#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"
#include "vmx/vmcs.h"

/*
 * Test hook (msr_test: perf_msr_switch_loads_the_guest_value_at_entry): Bochs has no PMU,
 * so perf never asks for a switch there. While this is a canonical address, every entry
 * also gets a switch for IA32_SYSENTER_EIP as if perf had reported one (guest: this value,
 * host: the current one), which the guest sees with RDMSR and the VMCS saves at exit.
 */
static ulong perf_switch_test;
module_param(perf_switch_test, ulong, 0644);
MODULE_PARM_DESC(perf_switch_test, "testing only: fake a perf MSR switch of SYSENTER_EIP");

int vmx_perf_switch_init(struct vmx_vcpu *vmx)
{
	struct page *page = vmx_alloc_page(NUMA_NO_NODE);

	if (!page)
		return -ENOMEM;
	vmx->perf.guest = page_address(page);
	vmx->perf.host = (struct vmx_msr_entry *)((u8 *)vmx->perf.guest + PAGE_SIZE / 2);
	return 0;
}

/* VMCS loaded (vmx_vcpu_create()): where the lists are; both empty. */
void vmx_perf_switch_vmcs_init(struct vmx_vcpu *vmx)
{
	vmcs_write64(VM_ENTRY_MSR_LOAD_ADDR, __pa(vmx->perf.guest));
	vmcs_write64(VM_EXIT_MSR_LOAD_ADDR, __pa(vmx->perf.host));
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmx->perf.nr = 0;
}

void vmx_perf_switch_free(struct vmx_vcpu *vmx)
{
	if (vmx->perf.guest)
		vmx_free_page(virt_to_page(vmx->perf.guest));
	vmx->perf.guest = vmx->perf.host = NULL;
}

static void perf_switch_add(struct vmx_vcpu *vmx, u32 *n, u32 msr, u64 guest, u64 host)
{
	if (*n == VMX_PERF_MAX_MSRS) {
		pr_warn_once("more than %d perf MSRs to switch: MSR %#x left as it is\n",
			     VMX_PERF_MAX_MSRS, msr);
		return;
	}
	/*
	 * PEBS needs a quiet period after it is disabled to write its last record: the
	 * MSR-load list gives none, so turn it off here first, as KVM does.
	 */
	if (msr == MSR_IA32_PEBS_ENABLE && !guest)
		wrmsrl(MSR_IA32_PEBS_ENABLE, 0);
	vmx->perf.guest[*n] = (struct vmx_msr_entry){ .index = msr, .value = guest };
	vmx->perf.host[*n] = (struct vmx_msr_entry){ .index = msr, .value = host };
	(*n)++;
}

/* IRQs off, VMCS loaded, just before VM entry: what perf wants switched on this CPU now. */
void vmx_perf_switch_before_entry(struct vmx_vcpu *vmx)
{
	struct perf_guest_switch_msr *msrs;
	ulong test = READ_ONCE(perf_switch_test);
	int i, nr = 0;
	u32 n = 0;

	msrs = perf_guest_get_msrs(&nr, NULL);	/* no PMU driver: NULL, nr untouched */
	for (i = 0; msrs && i < nr; i++)
		if (msrs[i].host != msrs[i].guest)
			perf_switch_add(vmx, &n, msrs[i].msr, msrs[i].guest, msrs[i].host);
	if (unlikely(test) && __is_canonical_address(test, 48)) {
		u64 host;

		rdmsrl(MSR_IA32_SYSENTER_EIP, host);
		perf_switch_add(vmx, &n, MSR_IA32_SYSENTER_EIP, test, host);
	}
	if (n != vmx->perf.nr) {
		vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, n);
		vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, n);
		vmx->perf.nr = n;
	}
}
