/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI host bridge, configuration mechanism #1 (0xcf8 address, 0xcfc-0xcff data). Bus 0
 * holds only the host bridge (00:00.0); every other function reads as absent (all ones).
 */
#ifndef VMXRUN_HW_PCI_H
#define VMXRUN_HW_PCI_H

struct vm;

int pci__init(struct vm *vm);
void pci__reset(struct vm *vm);
void pci__exit(struct vm *vm);

#endif
