/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's GSI routing table (KVM_SET_GSI_ROUTING replaces the whole table at once, so its
 * users share one): GSIs 0-23 are the IOAPIC's pins, the ones above are allocated to MSI-X
 * vectors that are delivered through irqfds. Every route is an MSI (split irqchip). It has
 * its own lock, a leaf: the IOAPIC updates it under its own lock, PCI devices under theirs.
 */
#ifndef VMXRUN_VM_GSI_H
#define VMXRUN_VM_GSI_H

#include "../util/types.h"

#define GSI_IOAPIC_PINS		24
#define GSI_MAX			1024	/* KVM_MAX_IRQ_ROUTES is 4096; we need far fewer */

struct vm;

int gsi__init(struct vm *vm);
void gsi__exit(struct vm *vm);
/* Set the MSI a GSI delivers (not yet pushed). */
void gsi__set_msi(struct vm *vm, unsigned int gsi, u32 addr_lo, u32 addr_hi, u32 data);
/* A free GSI above the IOAPIC's, or -ENOSPC; gsi__put() gives it back (route removed). */
int gsi__get(struct vm *vm);
void gsi__put(struct vm *vm, unsigned int gsi);
/*
 * Push the table to the VM if it changed (after KVM_CAP_SPLIT_IRQCHIP: before, and in host
 * tests, nothing is pushed). 0 or -errno; force: push even if unchanged.
 */
int gsi__commit(struct vm *vm, bool force);
/* Start pushing (the irqchip exists now). */
void gsi__go_live(struct vm *vm);
/* How many tables were pushed (tests). */
unsigned int gsi__commits(struct vm *vm);

#endif
