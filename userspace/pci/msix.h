/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2): the capability, the vector table and the pending-bit
 * array in one memory BAR (table at 0, PBA at MSIX_PBA_OFFSET). A vector fires as an MSI:
 * through an irqfd on a GSI route when the VM has KVM_CAP_IRQFD (and --no-ioeventfd is not
 * given), else with KVM_SIGNAL_MSI. A masked vector (its own mask bit or the function mask)
 * sets its pending bit instead, and fires when unmasked; an irqfd someone else signals
 * (vhost's call fd) is deassigned while its vector is masked, for the same effect. All calls with the device lock held.
 */
#ifndef VMXRUN_PCI_MSIX_H
#define VMXRUN_PCI_MSIX_H

#include "../util/types.h"

#define MSIX_MAX_VECTORS	64
#define MSIX_PBA_OFFSET		0x800
#define MSIX_BAR_SIZE		0x1000
#define MSIX_NO_VECTOR		0xffff

struct pci_dev;
struct msix;
struct vcpu;
struct vm;

/* Add the capability (table and PBA in BAR bar, which the caller declares with msix__io). */
struct msix *msix__new(struct pci_dev *d, unsigned int nr_vectors, unsigned int bar);
void msix__free(struct msix *m);
void msix__reset(struct msix *m);
/* The BAR's callback (opaque: the struct msix); takes the device lock. */
void msix__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write, void *opaque);

u8 msix__cap(const struct msix *m);
bool msix__enabled(const struct msix *m);
unsigned int msix__nr(const struct msix *m);
/* The capability's control word was written; true if INTx use may change. */
bool msix__cfg_written(struct msix *m);
/* Fire vector (or set its pending bit); false if MSI-X is off or vector is out of range. */
bool msix__notify(struct msix *m, unsigned int vector);
/* The irqfd of vector (made if needed; its route kept current), or -1 (vhost's call fd). */
int msix__vector_irqfd(struct msix *m, unsigned int vector);
/* Whether vector's pending bit is set, signals to its masked irqfd included (tests). */
bool msix__pending(struct msix *m, unsigned int vector);

/* Host unit tests: MSIs go to fn instead of the VM. */
typedef void (*msi_sink)(struct vm *vm, u32 addr_lo, u32 addr_hi, u32 data, void *opaque);
void msix__set_sink(struct msix *m, msi_sink fn, void *opaque);
/* Host unit tests: KVM_IRQFD assign (true) / deassign calls go to fn; 0 or -1. */
typedef int (*irqfd_ctl_fn)(void *opaque, u32 fd, u32 gsi, bool assign);
void msix__set_irqfd_ctl(struct msix *m, irqfd_ctl_fn fn, void *opaque);

#endif
