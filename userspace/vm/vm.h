/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtual machine: the VM fd, guest RAM, the buses and devices, the vCPU and the state of
 * its life (running, paused, shutting down). Everything mutable the launcher has lives here
 * (house rule: no global mutable state outside the struct vm).
 *
 * Threads: the main thread runs the event loop (console input, timers, control socket); each
 * vCPU has a thread running KVM_RUN; each virtio device has a worker thread (and virtio-blk
 * a pool for its I/O). vCPU state is set (boot, reset) only while every vCPU thread is parked
 * or before they start.
 *
 * Locks. Each device model has a pthread mutex in its struct guarding all its state: it
 * registers its ranges with bus__register_locked(..., &dev->lock, ...) and the bus holds the
 * lock around every callback (or, as virtio's BARs do, registers with bus__register and the
 * callback takes its lock itself); its other entry points (serial__rx, pit__expire, the
 * resets, vcon__input, the virtio workers, ...) take it themselves. The interrupt controllers
 * are devices like the others: the PIC's lock and the IOAPIC's; irq__set (hw/board.h) takes
 * one, then the other. vm->lock keeps only what is global: the fields marked (lock) below
 * (the lifecycle: state, request, exit status, resets) and the vCPUs' park/kick protocol
 * (vm->cond, struct vcpu's (lock) fields, kvm_run.immediate_exit). Lock order, outermost
 * first, and never another:
 *
 *	PCI conf1 (CONFIG_ADDRESS)  ->  device (UART, PIT, RTC, i8042, ACPI PM, a PCI/virtio
 *	device)  ->  PCI INTx  ->  PIC or IOAPIC  ->  vm->lock
 *
 * so a device may raise its IRQ and request a reset or power-off (vm__request takes vm->lock)
 * with its lock held, and the PIC kicks the BSP (vcpu__kick takes vm->lock) with its own;
 * nothing takes a device's lock with vm->lock held (the event loop drops vm->lock to reset
 * the machine), and the PIC's and IOAPIC's are never held together. The PCI INTx lock
 * (pci/intx.c) computes the shared lines (the OR of their devices) and drives the PIC and
 * IOAPIC under it. Leaves, taken last and holding nothing: the console's (vm/console.c, under
 * the UART's), the GSI table's (vm/gsi.h: under the IOAPIC's or a PCI device's) and each
 * bus's range-table rwlock (never held across a callback). A new device declares a mutex,
 * registers it with its ranges and calls out only in this order. No lock is held across
 * KVM_RUN: a vCPU thread holds vm->lock only to decide whether to wait, and handles its
 * exits with none. The vCPU array and nr_vcpus are written before the threads start and
 * only read after.
 */
#ifndef VMXRUN_VM_VM_H
#define VMXRUN_VM_VM_H

#include <linux/kvm.h>
#include <pthread.h>

#include "../loader/loader.h"
#include "../util/types.h"
#include "bus.h"
#include "hv.h"

struct vmxrun_opts;
struct vcpu;
struct loop;
struct console;
struct control;
struct gdb;
struct pic;
struct ioapic;
struct pit;
struct serial;
struct rtc;
struct i8042;
struct pci;
struct pm;
struct gsi;
struct virtio_dev;

#define VM_MAX_VIRTIO	16	/* virtio devices (disks, NICs, rng, console) */

/* Guest-physical layout below 1 MiB and the 32-bit hole (see loader/ and acpi/). */
#define LOW_RAM_END	0x9fc00ULL	/* conventional memory ends; EBDA above */
#define BIOS_START	0xe0000ULL	/* reserved: ACPI tables live here */
#define HIGH_RAM_START	0x100000ULL
#define PCI_HOLE_START	0xc0000000ULL	/* RAM above this goes above 4 GiB */
#define HIGH_MEM_START	0x100000000ULL

enum vm_state { VM_RUNNING, VM_PAUSED, VM_SHUTDOWN };

/* What the vCPU thread or the event loop asked for; handled by the event loop. */
enum vm_request {
	REQ_NONE,
	REQ_POWEROFF,		/* ACPI S5: exit 0 */
	REQ_RESET,		/* guest reboot, triple fault or system_reset */
	REQ_EXIT,		/* exit with vm->exit_status (debug-exit port, quit, signal, error) */
};

/* Exit counts, from the launcher's side (query-vmxrun-stats). */
#define VM_STAT_EXIT_REASONS	64
struct vm_stats {
	u64 exits[VM_STAT_EXIT_REASONS];	/* by kvm_run.exit_reason */
	u64 eintr;				/* KVM_RUN returned -EINTR (a kick) */
	u64 injected;				/* KVM_INTERRUPT calls */
};

struct vm {
	const struct vmxrun_opts *opts;
	struct hv *hv;
	int fd;				/* VM fd; -1 in host unit tests */
	int stats_fd;			/* KVM_GET_STATS_FD, held for `vmxctl stat PID`; valid
					 * (or -1) only while fd is */

	u8 *ram;			/* all guest RAM, low part then high part */
	u64 ram_size;
	u64 low_size;			/* RAM below PCI_HOLE_START; the rest is at 4 GiB */
	bool ram_fresh;			/* RAM untouched since mmap (all zero) */
	int ram_fd;			/* --mem-backend memfd/hugetlbfs: the memfd; else -1 */

	struct bus pio, mmio;
	pthread_mutex_t lock;		/* the fields marked (lock), the vCPU park/kick protocol */
	pthread_cond_t cond;		/* a halted or paused vCPU waits here (with lock) */

	struct vcpu *vcpu;		/* vcpu[0] is the BSP; it alone takes the PIC's output */
	unsigned int nr_vcpus;

	bool no_apic;			/* --no-apic: PIC only, no LAPIC/IOAPIC/MADT */
	struct pic *pic;
	struct ioapic *ioapic;		/* NULL with no_apic */
	struct pit *pit;
	struct serial *serial;
	struct rtc *rtc;
	struct i8042 *i8042;
	struct pci *pci;
	struct pm *pm;
	struct gsi *gsi;		/* the GSI routing table (IOAPIC pins, MSI-X irqfds) */
	struct virtio_dev *virtio[VM_MAX_VIRTIO];	/* hw/virtio/ devices */
	unsigned int nr_virtio;
	struct virtio_dev *vcon;	/* --console virtio: takes the console's input */
	bool cap_ioeventfd, cap_irqfd;	/* what the device offers (KVM_CHECK_EXTENSION) */
	bool ioeventfd, irqfd;		/* what the devices use (not with --no-ioeventfd) */
	u64 rsdp;			/* guest address of the ACPI RSDP */
	struct boot_files files;	/* what the loader loads (again on reset) */
	struct boot_state boot;		/* how the vCPU enters it */
	u64 tsc_khz;			/* the guest's TSC rate, for tsc_early_khz= */

	struct loop *loop;
	struct console *con;
	struct control *ctl;
	struct gdb *gdb;		/* --gdb: the GDB stub (gdb/gdb.h), or NULL */
	int notify_fd;			/* eventfd: wakes the event loop for a request */

	enum vm_state state;		/* (lock) written only by the event loop's thread */
	enum vm_request request;	/* (lock) */
	int exit_status;		/* (lock) for REQ_EXIT */
	const char *reason;		/* (lock) why: "guest-shutdown", "host-qmp-quit", ... */
	unsigned int resets;		/* (lock) reboots done (--reboot=restart); event loop */
	bool finished;			/* (lock) the event loop is done (its thread writes it) */

	struct vm_stats stats;		/* updated with __atomic builtins */
};

/* KVM_CREATE_VM (type 0); on failure *msg gets the user-facing message. 0 or -errno. */
int vm__create(struct vm *vm, struct hv *hv, char *msg, size_t msglen);
void vm__destroy(struct vm *vm);

/* Boot the guest the options describe and run it to the end: the process exit status. */
int vm__run(const struct vmxrun_opts *o);

/* Host pointer for [gpa, gpa + len) of guest RAM, or NULL if any of it is not RAM. */
void *vm__gpa(struct vm *vm, u64 gpa, u64 len);

/*
 * Ask the event loop to end or reset the machine; takes vm->lock (call it with a device's
 * lock or none). The first request wins.
 */
void vm__request(struct vm *vm, enum vm_request req, int status, const char *reason);
/* Pause or resume the vCPUs (takes vm->lock); false if nothing changed. */
bool vm__pause(struct vm *vm, bool pause);

/*
 * The machine without the hypervisor: lock, RAM (ram_size bytes, split at the PCI hole),
 * buses and platform devices. vm->loop and vm->con, if set, are used by the devices.
 * Host unit tests use it alone (vm->fd stays -1). 0 or -1 with *msg.
 */
int vm__init_machine(struct vm *vm, u64 ram_size, char *msg, size_t msglen);
/* Guest RAM as --mem-backend says (ram.c): map (vm->ram), unmap, zero for a reset. */
int ram__map(struct vm *vm, u64 size, char *msg, size_t msglen);
void ram__unmap(struct vm *vm);
void ram__zero(struct vm *vm);
/* Give [p, p + len) of guest RAM (whole 4 KiB pages) back to the host; 0 or -errno. */
int ram__discard(struct vm *vm, u8 *p, u64 len);
void vm__free_machine(struct vm *vm);
/* Put every device in its power-on state, clear RAM, build ACPI, load the kernel again. */
int vm__reset_machine(struct vm *vm, char *msg, size_t msglen);

#endif
