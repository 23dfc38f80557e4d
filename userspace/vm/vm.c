// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../acpi/acpi.h"
#include "../hw/debug_exit.h"
#include "../hw/i8042.h"
#include "../hw/ioapic.h"
#include "../hw/pic.h"
#include "../hw/pit.h"
#include "../hw/pm.h"
#include "../hw/rtc.h"
#include "../hw/serial.h"
#include "../hw/virtio/devices.h"
#include "../pci/pci.h"
#include "../options.h"
#include "../util/err.h"
#include "gsi.h"
#include "vcpu.h"
#include "vm.h"

/*
 * The platform, in init order: the interrupt controllers first, since the others raise IRQs
 * when they reset.
 */
static const struct hw_device {
	const char *name;
	int (*init)(struct vm *vm);
	void (*reset)(struct vm *vm);
	void (*exit)(struct vm *vm);
} hw_devices[] = {
	{ "pic", pic__init, pic__reset, pic__exit },
	{ "ioapic", ioapic__init, ioapic__reset, ioapic__exit },
	{ "pit", pit__init, pit__reset, pit__exit },
	{ "serial", serial__init, serial__reset, serial__exit },
	{ "rtc", rtc__init, rtc__reset, rtc__exit },
	{ "i8042", i8042__init, i8042__reset, i8042__exit },
	{ "pci", pci__init, pci__reset, pci__exit },
	{ "acpi-pm", pm__init, pm__reset, pm__exit },
	{ "debug-exit", debug_exit__init, NULL, NULL },
	{ "virtio", virtio_devices__init, virtio_devices__reset, virtio_devices__exit },
};

int vm__create(struct vm *vm, struct hv *hv, char *msg, size_t msglen)
{
	vm->hv = hv;
	vm->fd = ioctl(hv->fd, KVM_CREATE_VM, 0UL);
	if (vm->fd < 0) {
		int err = errno;

		if (msg)
			err__format_dev(msg, msglen, DEV_OP_CREATE_VM, hv->path, err);
		return -err;
	}
	/* Kept open so that `vmxctl stat PID` can take it (pidfd_getfd()): -1 if none. */
	vm->stats_fd = ioctl(vm->fd, KVM_GET_STATS_FD, 0UL);
	return 0;
}

void vm__destroy(struct vm *vm)
{
	if (vm->fd >= 0 && vm->stats_fd >= 0)
		close(vm->stats_fd);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
}

void *vm__gpa(struct vm *vm, u64 gpa, u64 len)
{
	u64 high = vm->ram_size - vm->low_size;

	if (gpa + len < gpa)
		return NULL;
	if (gpa + len <= vm->low_size)
		return vm->ram + gpa;
	if (gpa >= HIGH_MEM_START && gpa + len - HIGH_MEM_START <= high)
		return vm->ram + vm->low_size + (gpa - HIGH_MEM_START);
	return NULL;
}

void vm__request(struct vm *vm, enum vm_request req, int status, const char *reason)
{
	u64 one = 1;

	pthread_mutex_lock(&vm->lock);
	/* The first request wins, except that the host may always end the VM. */
	if (vm->request != REQ_NONE && req != REQ_EXIT) {
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	vm->request = req;
	vm->exit_status = status;
	vm->reason = reason;
	if (vm->notify_fd >= 0 && write(vm->notify_fd, &one, sizeof(one)) < 0)
		perror("vmxrun: eventfd");
	vcpu__kick_all(vm);
	pthread_mutex_unlock(&vm->lock);
}

bool vm__pause(struct vm *vm, bool pause)
{
	enum vm_state want = pause ? VM_PAUSED : VM_RUNNING;
	bool changed = false;

	pthread_mutex_lock(&vm->lock);
	if (vm->state != VM_SHUTDOWN && vm->state != want) {
		vm->state = want;
		vcpu__kick_all(vm);
		changed = true;
	}
	pthread_mutex_unlock(&vm->lock);
	return changed;
}

int vm__init_machine(struct vm *vm, u64 ram_size, char *msg, size_t msglen)
{
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	vm->pio.name = "pio";
	vm->mmio.name = "mmio";
	vm->ram_size = ram_size;
	vm->low_size = MIN(ram_size, PCI_HOLE_START);
	if (ram__map(vm, ram_size, msg, msglen))	/* --mem-backend (ram.c) */
		return -1;
	vm->ram_fresh = true;
	if (gsi__init(vm)) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(hw_devices); i++) {
		if (hw_devices[i].init(vm)) {
			snprintf(msg, msglen, "vmxrun: cannot set up device %s", hw_devices[i].name);
			return -1;
		}
	}
	return 0;
}

void vm__free_machine(struct vm *vm)
{
	for (size_t i = ARRAY_SIZE(hw_devices); i-- > 0;)
		if (hw_devices[i].exit)
			hw_devices[i].exit(vm);
	gsi__exit(vm);
	bus__free(&vm->pio);
	bus__free(&vm->mmio);
	ram__unmap(vm);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
}

int vm__reset_machine(struct vm *vm, char *msg, size_t msglen)
{
	for (size_t i = 0; i < ARRAY_SIZE(hw_devices); i++)
		if (hw_devices[i].reset)
			hw_devices[i].reset(vm);
	/*
	 * Fresh anonymous memory is zero already: the first boot does not touch it (-m 16G
	 * would cost seconds and all of it resident before the guest runs). On a reset the
	 * pages go back to the host (MADV_DONTNEED: private anonymous memory then reads as
	 * zeros): KVM and vmxmon both follow the host mm through MMU notifiers, so the guest
	 * sees the zeros too, and only what it touches again becomes resident.
	 */
	if (!vm->ram_fresh)
		ram__zero(vm);
	vm->ram_fresh = false;
	vm->rsdp = acpi__build(vm__gpa(vm, ACPI_TABLES_BASE, ACPI_TABLES_SIZE), ACPI_TABLES_BASE,
			       ACPI_TABLES_SIZE, vm->no_apic ? 0 : MAX(vm->opts ? vm->opts->cpus : 1, 1),
			       pci__mmio64_base(vm->ram_size, vm->low_size));
	if (!vm->rsdp) {
		snprintf(msg, msglen, "vmxrun: ACPI tables do not fit in %llu KiB",
			 ACPI_TABLES_SIZE >> 10);
		return -1;
	}
	return loader__load(vm, &vm->files, &vm->boot, msg, msglen);
}
