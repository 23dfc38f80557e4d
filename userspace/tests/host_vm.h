/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A machine for host unit tests: RAM and the platform devices, no hypervisor device, no
 * threads; port I/O goes straight to the bus as a vCPU exit would.
 */
#ifndef VMXRUN_TESTS_HOST_VM_H
#define VMXRUN_TESTS_HOST_VM_H

#include "vm/vm.h"

/* NULL if the machine cannot be built (the test then fails on ASSERT). */
struct vm *host_vm_new(u64 ram_size);
void host_vm_free(struct vm *vm);

void outp(struct vm *vm, u16 port, u32 len, u32 val);
u32 inp(struct vm *vm, u16 port, u32 len);
static inline void outb_(struct vm *vm, u16 port, u8 v) { outp(vm, port, 1, v); }
static inline u8 inb_(struct vm *vm, u16 port) { return (u8)inp(vm, port, 1); }

/* Bring the PIC pair up as Linux does (vectors 0x30/0x38), all lines unmasked. */
void host_vm_pic_init(struct vm *vm);

#endif
