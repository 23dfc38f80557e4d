/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i8042 keyboard controller at 0x60/0x64, IRQ 1: enough for Linux to probe it (self
 * test, CTR, a keyboard that ACKs, no AUX port) and for `reboot=k` (command 0xfe pulses the
 * reset line: the machine resets).
 */
#ifndef VMXRUN_HW_I8042_H
#define VMXRUN_HW_I8042_H

struct vm;

int i8042__init(struct vm *vm);
void i8042__reset(struct vm *vm);
void i8042__exit(struct vm *vm);

#endif
