/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i8254 programmable interval timer: channels 0-2 at 0x40-0x42, mode/command at 0x43,
 * channel 2's gate and output on port 0x61 (with the speaker bits). Channel 0's output
 * drives IRQ0 through a timerfd in the event loop. The PIT has its own lock (hw/pit.c): call
 * these with no lock held.
 */
#ifndef VMXRUN_HW_PIT_H
#define VMXRUN_HW_PIT_H

#include "../util/types.h"

#define PIT_HZ		1193182ULL

struct vm;

int pit__init(struct vm *vm);
void pit__reset(struct vm *vm);
void pit__exit(struct vm *vm);

/* The clock the PIT counts from (CLOCK_MONOTONIC ns); tests replace it. */
void pit__set_clock(struct vm *vm, u64 (*now)(void *), void *opaque);
/* When channel 0 next raises IRQ0 (absolute ns), 0 if never. */
u64 pit__next_irq(struct vm *vm);
/* Time has reached pit__next_irq(): pulse IRQ0 and schedule the next one. */
void pit__expire(struct vm *vm);

#endif
