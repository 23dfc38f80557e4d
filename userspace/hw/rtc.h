/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MC146818 CMOS real-time clock at 0x70 (index, bit 7 masks NMI) / 0x71 (data): the
 * host's time (UTC), 24-hour BCD by default, 128 bytes of CMOS RAM. No periodic, alarm or
 * update interrupts (Linux does not need them to boot or to read the clock).
 */
#ifndef VMXRUN_HW_RTC_H
#define VMXRUN_HW_RTC_H

#include <time.h>

struct vm;

int rtc__init(struct vm *vm);
void rtc__reset(struct vm *vm);
void rtc__exit(struct vm *vm);
/* The wall clock the RTC shows (plus the guest's offset); tests replace it. */
void rtc__set_clock(struct vm *vm, time_t (*now)(void));

#endif
