/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 8250/16550A UART at 0x3f8 (COM1), IRQ 4: the guest's console. Transmitted bytes go
 * to the console backend at once; received bytes come from it through serial__rx(). The UART
 * has its own lock (hw/serial.c): call these with no lock held.
 */
#ifndef VMXRUN_HW_SERIAL_H
#define VMXRUN_HW_SERIAL_H

#include "../util/types.h"

#define SERIAL_BASE	0x3f8
#define SERIAL_IRQ	4

struct vm;

int serial__init(struct vm *vm);
void serial__reset(struct vm *vm);
void serial__exit(struct vm *vm);

/* Queue input for the guest; returns how many bytes fitted. */
size_t serial__rx(struct vm *vm, const u8 *buf, size_t len);
/* Free space in the receive queue. */
size_t serial__rx_room(struct vm *vm);
/* Where transmitted bytes go (the console; tests capture them). */
void serial__set_output(struct vm *vm, void (*out)(void *, u8), void *opaque);

#endif
