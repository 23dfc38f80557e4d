/* SPDX-License-Identifier: GPL-2.0 */
/* vmx/: internal declarations of the VT-x backend. */
#ifndef VMXMON_VMX_H
#define VMXMON_VMX_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/build_bug.h>
#include <asm/msr-index.h>

#include "kmod/backend.h"

/*
 * IA32_VMX_BASIC (SDM Vol. 3D A.1); <asm/msr-index.h> names bit 48 (VMX_BASIC_64: physical
 * addresses limited to 32 bits), the memory type field and bit 55 (VMX_BASIC_TRUE_CTLS).
 */
#define VMX_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMX_BASIC_VMCS_SIZE(b)		((u32)(((b) >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff))
#define VMX_BASIC_MEMTYPE(b)		(((b) & VMX_BASIC_MEM_TYPE_MASK) >> VMX_BASIC_MEM_TYPE_SHIFT)

/*
 * A VMCS region or the VMXON region: the first 32 bits hold the revision identifier
 * (bit 31 = shadow-VMCS indicator), then the VMX-abort indicator, then data whose layout
 * is the processor's (SDM Vol. 3C 25.2 "Format of the VMCS region").
 */
struct vmcs_hdr {
	u32 revision_id:31;
	u32 shadow_vmcs:1;
};

struct vmcs {
	struct vmcs_hdr hdr;
	u32 abort;
	char data[];
};
static_assert(sizeof(struct vmcs_hdr) == 4);
static_assert(sizeof(struct vmcs) == 8);

/* The VMX capabilities vmxmon relies on, read once at load (vmx/caps.c). */
struct vmx_caps {
	u64 basic;
	u32 revision_id;
	u32 vmcs_size;
	/* Capability MSRs as (allowed-0 in low half, allowed-1 in high half), TRUE_* if present. */
	u64 pinbased, procbased, procbased2, exit, entry;
	u64 ept_vpid;			/* IA32_VMX_EPT_VPID_CAP */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool has_vpid;
};

extern struct vmx_caps vmx_caps;

int vmx_caps_read(struct vmx_caps *caps);
int vmx_caps_check(struct vmx_caps *caps);
bool vmx_caps_match_this_cpu(const struct vmx_caps *boot);

/*
 * A VMCS and where it is loaded. A VMCS may be current/active on at most one CPU; it sits on
 * that CPU's list (vmx/cpu.c) from VMPTRLD until VMCLEAR, so that taking a CPU offline (or
 * out of VMX operation) can VMCLEAR every VMCS still loaded there first.
 */
struct vmx_loaded_vmcs {
	struct vmcs *vmcs;
	int cpu;			/* -1 when not loaded on any CPU */
	bool launched;
	struct list_head loaded_list;	/* on per-CPU vmx_cpu.loaded_vmcss; that CPU only */
};

/* Pages owned by the backend: always zeroed, counted for the leak checks. */
struct page *vmx_alloc_page(int node);
void vmx_free_page(struct page *page);

enum vmxmon_enable_error vmx_cpu_enable(void);
void vmx_cpu_disable(void);
void vmx_cpu_stats(int cpu, struct vmxmon_cpu_stats *stats);
int vmx_cpus_alloc(void);
void vmx_cpus_free(void);
long vmx_pages_held(void);

#endif /* VMXMON_VMX_H */
