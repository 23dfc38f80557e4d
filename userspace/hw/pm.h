/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI fixed hardware (ACPI 6.4, chapter 4.8): the PM1a event block (status + enable), the
 * PM1a control block (SLP_TYP/SLP_EN: S5 powers the machine off), the 32-bit PM timer and
 * the SCI on IRQ 9 (level-triggered through the ELCR). The power button is the fixed-feature
 * one: pm__power_button() sets PWRBTN_STS.
 */
#ifndef VMXRUN_HW_PM_H
#define VMXRUN_HW_PM_H

#include "../util/types.h"

#define PM1A_EVT_BLK	0x600	/* 4 bytes: PM1_STS, PM1_EN */
#define PM1A_CNT_BLK	0x604	/* 2 bytes: PM1_CNT */
#define PM_TMR_BLK	0x608	/* 4 bytes: PM_TMR */
#define PM_SCI_IRQ	9
#define PM_SLP_TYP_S5	5	/* must match \_S5 in acpi/dsdt.asl */
#define PM_TMR_HZ	3579545ULL

struct vm;

int pm__init(struct vm *vm);
void pm__reset(struct vm *vm);
void pm__exit(struct vm *vm);

/* Press the power button (system_powerdown): PWRBTN_STS, and an SCI if enabled. */
void pm__power_button(struct vm *vm);

#endif
