// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "host_vm.h"

struct vm *host_vm_new(u64 ram_size)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	char msg[256];

	if (!vm)
		return NULL;
	vm->fd = -1;
	vm->notify_fd = -1;
	if (vm__init_machine(vm, ram_size, msg, sizeof(msg))) {
		fprintf(stderr, "# %s\n", msg);
		free(vm);
		return NULL;
	}
	return vm;
}

void host_vm_free(struct vm *vm)
{
	if (!vm)
		return;
	vm__free_machine(vm);
	free(vm);
}

void outp(struct vm *vm, u16 port, u32 len, u32 val)
{
	u8 data[4];

	le_put(data, len, val);
	bus__access(&vm->pio, NULL, port, data, len, true);
}

u32 inp(struct vm *vm, u16 port, u32 len)
{
	u8 data[4] = { 0 };

	bus__access(&vm->pio, NULL, port, data, len, false);
	return (u32)le_get(data, len);
}

void host_vm_pic_init(struct vm *vm)
{
	static const u8 master[] = { 0x11, 0x30, 0x04, 0x01 }, slave[] = { 0x11, 0x38, 0x02, 0x01 };

	outb_(vm, 0x20, master[0]);
	for (int i = 1; i < 4; i++)
		outb_(vm, 0x21, master[i]);
	outb_(vm, 0xa0, slave[0]);
	for (int i = 1; i < 4; i++)
		outb_(vm, 0xa1, slave[i]);
	outb_(vm, 0x21, 0);
	outb_(vm, 0xa1, 0);
}
