/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 architectural constants for everything in userspace: the launcher, the selftests (host
 * and guest code) and the exit benchmark. Where a uapi header names them they come from
 * there (control-register and EFLAGS bits: <asm/processor-flags.h>; KVM's paravirtual CPUID
 * leaves and features: <asm/kvm_para.h>; variable-range MTRRs: <asm/mtrr.h>; the UART is
 * <linux/serial_reg.h>, included where it is used). The rest is named as the kernel names
 * it (arch/x86/include/asm/msr-index.h, apicdef.h, trapnr.h, mce.h, fpu/types.h) so that
 * code reads the same on both sides; CPUID bits are CPUID_<leaf>_<register>_<feature>.
 * Values are from the Intel SDM; plain numbers, usable in C and in assembler expressions
 * (the ones without a U/ULL suffix).
 *
 * The kernel module does not use this header: it has the kernel's own.
 */
#ifndef VMXMON_X86_DEFS_H
#define VMXMON_X86_DEFS_H

#include <asm/kvm_para.h>
#include <asm/mtrr.h>
#include <asm/processor-flags.h>

/* ---- MSRs (SDM Vol. 4, chapter 2) ---- */

#define MSR_IA32_P5_MC_ADDR		0x00000000
#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_APICBASE		0x0000001b
#define MSR_IA32_APICBASE_BSP		(1ULL << 8)
#define X2APIC_ENABLE			(1ULL << 10)	/* IA32_APIC_BASE.EXTD */
#define MSR_IA32_APICBASE_ENABLE	(1ULL << 11)
#define MSR_IA32_UCODE_REV		0x0000008b
#define MSR_MTRRcap			0x000000fe
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_MCG_CAP		0x00000179
#define MSR_IA32_MCG_STATUS		0x0000017a
#define MSR_IA32_MCG_CTL		0x0000017b
#define MSR_IA32_MISC_ENABLE		0x000001a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING (1ULL << 0)
#define MSR_MTRRfix64K_00000		0x00000250
#define MSR_MTRRfix16K_80000		0x00000258
#define MSR_MTRRfix16K_A0000		0x00000259
#define MSR_MTRRfix4K_C0000		0x00000268
#define MSR_MTRRfix4K_F8000		0x0000026f
#define MSR_IA32_CR_PAT			0x00000277
#define MSR_IA32_MC0_CTL2		0x00000280
#define MSR_MTRRdefType			0x000002ff
#define MSR_IA32_MC0_CTL		0x00000400
#define MSR_IA32_MCx_CTL(x)		(MSR_IA32_MC0_CTL + 4 * (x))
#define MSR_IA32_MCx_STATUS(x)		(MSR_IA32_MC0_CTL + 4 * (x) + 1)
#define MSR_IA32_MCx_ADDR(x)		(MSR_IA32_MC0_CTL + 4 * (x) + 2)
#define MSR_IA32_MCx_MISC(x)		(MSR_IA32_MC0_CTL + 4 * (x) + 3)
#define MSR_IA32_TSC_DEADLINE		0x000006e0
#define APIC_BASE_MSR			0x00000800	/* x2APIC: register r at 0x800 + r / 16 */
#define X2APIC_MSR(reg)			(APIC_BASE_MSR + ((reg) >> 4))
#define MSR_EFER			0xc0000080
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SYSCALL_MASK		0xc0000084
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_KERNEL_GS_BASE		0xc0000102
#define MSR_TSC_AUX			0xc0000103

/* IA32_EFER */
#define EFER_SCE			(1ULL << 0)
#define EFER_LME			(1ULL << 8)
#define EFER_LMA			(1ULL << 10)
#define EFER_NX				(1ULL << 11)

/* Machine check (SDM Vol. 3B 16.3): IA32_MCG_CAP, IA32_MCG_STATUS, IA32_MCi_STATUS. */
#define MCG_BANKCNT_MASK		0xffULL
#define MCG_CTL_P			(1ULL << 8)
#define MCG_SER_P			(1ULL << 24)
#define MCG_STATUS_RIPV			(1ULL << 0)
#define MCG_STATUS_EIPV			(1ULL << 1)
#define MCG_STATUS_MCIP			(1ULL << 2)
#define MCI_STATUS_S			(1ULL << 56)
#define MCI_STATUS_EN			(1ULL << 60)
#define MCI_STATUS_UC			(1ULL << 61)
#define MCI_STATUS_OVER			(1ULL << 62)
#define MCI_STATUS_VAL			(1ULL << 63)

/* XCR0 (SDM Vol. 1 13.3) */
#define XFEATURE_MASK_FP		(1ULL << 0)
#define XFEATURE_MASK_SSE		(1ULL << 1)
#define XFEATURE_MASK_YMM		(1ULL << 2)

/* ---- the local APIC (SDM Vol. 3A chapter 11) ---- */

#define APIC_DEFAULT_PHYS_BASE		0xfee00000
/* xAPIC register offsets (table 11-1); x2APIC MSRs are X2APIC_MSR(offset). */
#define APIC_ID				0x020
#define APIC_LVR			0x030
#define APIC_TASKPRI			0x080
#define APIC_ARBPRI			0x090
#define APIC_PROCPRI			0x0a0
#define APIC_EOI			0x0b0
#define APIC_LDR			0x0d0
#define APIC_DFR			0x0e0
#define APIC_SPIV			0x0f0
#define APIC_ISR			0x100
#define APIC_TMR			0x180
#define APIC_IRR			0x200
#define APIC_ESR			0x280
#define APIC_LVTCMCI			0x2f0
#define APIC_ICR			0x300
#define APIC_ICR2			0x310
#define APIC_LVTT			0x320
#define APIC_LVTTHMR			0x330
#define APIC_LVTPC			0x340
#define APIC_LVT0			0x350
#define APIC_LVT1			0x360
#define APIC_LVTERR			0x370
#define APIC_TMICT			0x380
#define APIC_TMCCT			0x390
#define APIC_TDCR			0x3e0
#define APIC_SELF_IPI			0x3f0
/* Register bits */
#define APIC_SPIV_APIC_ENABLED		(1U << 8)
#define APIC_LVT_MASKED			(1U << 16)
#define APIC_LVT_TIMER_PERIODIC		(1U << 17)
#define APIC_LVT_TIMER_TSCDEADLINE	(2U << 17)
#define APIC_TDR_DIV_1			0xb
/* ICR and LVT delivery modes, destination and trigger bits */
#define APIC_DM_FIXED			0x00000
#define APIC_DM_LOWEST			0x00100
#define APIC_DM_NMI			0x00400
#define APIC_DM_INIT			0x00500
#define APIC_DM_STARTUP			0x00600
#define APIC_DM_EXTINT			0x00700
#define APIC_DEST_LOGICAL		0x00800
#define APIC_INT_ASSERT			0x04000
#define APIC_INT_LEVELTRIG		0x08000
#define APIC_DEST_SELF			0x40000
#define APIC_DEST_ALLINC		0x80000
#define APIC_DEST_ALLBUT		0xc0000

/* MSI address and data, as the IOAPIC and PCI devices send them (SDM Vol. 3A 11.11) */
#define MSI_ADDR_BASE_LO		0xfee00000
#define MSI_ADDR_DEST_ID(dest)		(((dest) & 0xffU) << 12)
#define MSI_ADDR_DEST_MODE_LOGICAL	(1U << 2)
#define MSI_DATA_LEVEL_ASSERT		(1U << 14)
#define MSI_DATA_TRIGGER_LEVEL		(1U << 15)

/* ---- CPUID bits (SDM Vol. 2A, CPUID) ---- */

#define CPUID_1_ECX_MONITOR		(1U << 3)
#define CPUID_1_ECX_VMX			(1U << 5)
#define CPUID_1_ECX_SMX			(1U << 6)
#define CPUID_1_ECX_PDCM		(1U << 15)	/* IA32_PERF_CAPABILITIES */
#define CPUID_1_ECX_X2APIC		(1U << 21)
#define CPUID_1_ECX_TSC_DEADLINE	(1U << 24)
#define CPUID_1_ECX_XSAVE		(1U << 26)
#define CPUID_1_ECX_OSXSAVE		(1U << 27)
#define CPUID_1_ECX_AVX			(1U << 28)
#define CPUID_1_ECX_HYPERVISOR		(1U << 31)
#define CPUID_1_EDX_MCE			(1U << 7)
#define CPUID_1_EDX_APIC		(1U << 9)
#define CPUID_1_EDX_MCA			(1U << 14)
#define CPUID_1_EDX_HTT			(1U << 28)
#define CPUID_7_EBX_SMEP		(1U << 7)
#define CPUID_80000001_EDX_RDTSCP	(1U << 27)

/* ---- exception vectors (SDM Vol. 3A 6.3.1) ---- */

#define X86_TRAP_DE			0
#define X86_TRAP_DB			1
#define X86_TRAP_NMI			2
#define X86_TRAP_BP			3
#define X86_TRAP_OF			4
#define X86_TRAP_BR			5
#define X86_TRAP_UD			6
#define X86_TRAP_NM			7
#define X86_TRAP_DF			8
#define X86_TRAP_TS			10
#define X86_TRAP_NP			11
#define X86_TRAP_SS			12
#define X86_TRAP_GP			13
#define X86_TRAP_PF			14
#define X86_TRAP_MF			16
#define X86_TRAP_AC			17
#define X86_TRAP_MC			18
#define X86_TRAP_XF			19

/* ---- paging and descriptors (SDM Vol. 3A 4.5, 3.4.5) ---- */

#define PTE_P				(1ULL << 0)	/* present */
#define PTE_W				(1ULL << 1)	/* writable */
#define PTE_U				(1ULL << 2)	/* user */
#define PTE_PWT				(1ULL << 3)
#define PTE_PCD				(1ULL << 4)
#define PTE_A				(1ULL << 5)	/* accessed */
#define PTE_D				(1ULL << 6)	/* dirty */
#define PTE_PS				(1ULL << 7)	/* a large page (PDE, PDPTE) */
#define PTE_ADDR			0x000ffffffffff000ULL
/* Flat 4 GiB segments at DPL 0: 64-bit code (L=1), data (read/write, B=1); accessed. */
#define GDT_DESC_CODE64			0x00af9b000000ffffULL
#define GDT_DESC_DATA			0x00cf93000000ffffULL

#endif
