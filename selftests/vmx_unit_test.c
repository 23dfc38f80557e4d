// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of module code pure enough to build in userspace (no device needed).
 *
 * vmx/exit_irqoff.h: which VM exits hand an event to the host's NMI entry or machine-check
 * handler right after the exit. Neither the testbed (Bochs raises no machine checks) nor a
 * test on real hardware can make a machine check on demand, so this is where the routing of
 * #MC exits and of exit reason 41 (VM-entry failure due to a machine check) is tested
 * (issue 12, item 3); the exception bitmap that makes #MC exit is checked in the testbed
 * (intercept_test: exception_bitmap_always_intercepts_db_ac_and_mc).
 */
#include <stdint.h>
#include <asm/vmx.h>		/* EXIT_REASON_*, VMX_EXIT_REASONS_FAILED_VMENTRY (uapi) */

#include "harness.h"

typedef uint32_t u32;

/* VM-exit interruption information (SDM Vol. 3C 25.9.2), named as the kernel's <asm/vmx.h>. */
#define INTR_INFO_VECTOR_MASK		0xff
#define INTR_INFO_INTR_TYPE_MASK	0x700
#define INTR_INFO_DELIVER_CODE_MASK	0x800
#define INTR_INFO_UNBLOCK_NMI		0x1000
#define INTR_INFO_VALID_MASK		0x80000000u
#define INTR_TYPE_EXT_INTR		(0 << 8)
#define INTR_TYPE_NMI_INTR		(2 << 8)
#define INTR_TYPE_HARD_EXCEPTION	(3 << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION	(5 << 8)
#define INTR_TYPE_SOFT_EXCEPTION	(6 << 8)

#include "../vmx/exit_irqoff.h"

#define INFO(type, vector) (INTR_INFO_VALID_MASK | (type) | (vector))
#define FAILED VMX_EXIT_REASONS_FAILED_VMENTRY

TEST_HOST(machine_check_during_vm_entry_goes_to_the_host_mce_handler)
{
	/* Reason 41 is a VM-entry failure: bit 31 is set; the interruption info is not valid. */
	EXPECT_EQ(vmx_exit_irqoff_event(FAILED | EXIT_REASON_MCE_DURING_VMENTRY, 0), VMX_IRQOFF_MCE);
	EXPECT_EQ(vmx_exit_irqoff_event(FAILED | EXIT_REASON_MCE_DURING_VMENTRY, 0xffffffff),
		  VMX_IRQOFF_MCE);
	EXPECT_EQ(vmx_exit_irqoff_event(EXIT_REASON_MCE_DURING_VMENTRY, 0), VMX_IRQOFF_MCE);
	/* Bits 16-30 are flags (enclave mode, pending MTF, ...), not part of the reason. */
	EXPECT_EQ(vmx_exit_irqoff_event(FAILED | (1u << 27) | EXIT_REASON_MCE_DURING_VMENTRY, 0),
		  VMX_IRQOFF_MCE);
}

TEST_HOST(machine_check_exception_exit_goes_to_the_host_mce_handler)
{
	EXPECT_EQ(vmx_exit_irqoff_event(EXIT_REASON_EXCEPTION_NMI, INFO(INTR_TYPE_HARD_EXCEPTION, 18)),
		  VMX_IRQOFF_MCE);
	/* Bit 12 (NMI unblocking due to IRET) does not change what the exit is. */
	EXPECT_EQ(vmx_exit_irqoff_event(EXIT_REASON_EXCEPTION_NMI,
					INFO(INTR_TYPE_HARD_EXCEPTION, 18) | INTR_INFO_UNBLOCK_NMI),
		  VMX_IRQOFF_MCE);
}

TEST_HOST(nmi_exit_goes_to_the_host_nmi_entry)
{
	EXPECT_EQ(vmx_exit_irqoff_event(EXIT_REASON_EXCEPTION_NMI, INFO(INTR_TYPE_NMI_INTR, 2)),
		  VMX_IRQOFF_NMI);
	EXPECT_EQ(vmx_exit_irqoff_event(EXIT_REASON_EXCEPTION_NMI,
					INFO(INTR_TYPE_NMI_INTR, 2) | INTR_INFO_UNBLOCK_NMI),
		  VMX_IRQOFF_NMI);
}

TEST_HOST(guest_exceptions_and_other_exits_stay_with_vmxmon)
{
	static const struct { u32 reason, info; } none[] = {
		{ EXIT_REASON_EXCEPTION_NMI, INFO(INTR_TYPE_HARD_EXCEPTION, 1) },	/* #DB */
		{ EXIT_REASON_EXCEPTION_NMI, INFO(INTR_TYPE_PRIV_SW_EXCEPTION, 1) },	/* ICEBP */
		{ EXIT_REASON_EXCEPTION_NMI,
		  INFO(INTR_TYPE_HARD_EXCEPTION, 17) | INTR_INFO_DELIVER_CODE_MASK },	/* #AC */
		{ EXIT_REASON_EXCEPTION_NMI, INFO(INTR_TYPE_SOFT_EXCEPTION, 3) },	/* INT3 */
		{ EXIT_REASON_EXCEPTION_NMI, INTR_TYPE_HARD_EXCEPTION | 18 },	/* not valid */
		{ EXIT_REASON_EXCEPTION_NMI, INTR_TYPE_NMI_INTR | 2 },		/* not valid */
		{ EXIT_REASON_EXTERNAL_INTERRUPT, INFO(INTR_TYPE_NMI_INTR, 2) },
		{ EXIT_REASON_EXTERNAL_INTERRUPT, INFO(INTR_TYPE_EXT_INTR, 18) },
		{ EXIT_REASON_TRIPLE_FAULT, 0 },
		{ EXIT_REASON_INIT_SIGNAL, 0 },
		{ FAILED | EXIT_REASON_INVALID_STATE, INFO(INTR_TYPE_HARD_EXCEPTION, 18) },
		{ FAILED | EXIT_REASON_MSR_LOAD_FAIL, INFO(INTR_TYPE_NMI_INTR, 2) },
	};

	for (unsigned int i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		EXPECT_EQ(vmx_exit_irqoff_event(none[i].reason, none[i].info), VMX_IRQOFF_NONE);
}
