/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i8259A interrupt controller pair (master 0x20, slave 0xa0 cascaded on IRQ2, ELCR at
 * 0x4d0/0x4d1). Its output goes to the BSP (vCPU 0): the vCPU loop injects it with
 * KVM_INTERRUPT when the guest can take it (kvm_run.ready_for_interrupt_injection; with the
 * in-kernel LAPIC that means LINT0 is unmasked ExtINT), else it asks for an interrupt window.
 * The pair has its own lock (hw/pic.c); every function here may be called with no lock held,
 * or with a device's lock held (lock order: vm/vm.h), never with vm->lock held, except
 * pic__pending, which takes no lock.
 */
#ifndef VMXRUN_HW_PIC_H
#define VMXRUN_HW_PIC_H

#include "../util/types.h"

struct vm;

int pic__init(struct vm *vm);
void pic__reset(struct vm *vm);
void pic__exit(struct vm *vm);

/*
 * Set the PIC's input irq (0-15) to level; the output's rise kicks the BSP. Devices use the
 * board's irq__set() (hw/board.h), which drives the IOAPIC's pin too.
 */
void pic__set_irq(struct vm *vm, unsigned int irq, bool level);

/*
 * The PIC's INTR output: an unmasked request of higher priority than the one in service, as
 * of the PIC's last change. Takes no lock: the BSP reads it while it waits under vm->lock.
 */
bool pic__pending(struct vm *vm);
/* The interrupt acknowledge cycle: the vector to inject (a spurious IRQ7/15 if none). */
u8 pic__ack(struct vm *vm);

#endif
