// SPDX-License-Identifier: GPL-2.0
/*
 * The debug-exit port (QEMU's isa-debug-exit convention, which kvm-unit-tests and small test
 * kernels use): writing V to port 0xf4 ends vmxrun with exit status (V << 1) | 1, so a test
 * kernel's "exit(0)" is status 1 and no guest write can fake a clean 0. It has no state, so
 * no lock of its own (bus__register): vm__request takes vm->lock.
 */
#include "../vm/vm.h"
#include "debug_exit.h"

static void debug_exit__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
			   void *opaque)
{
	struct vm *vm = opaque;

	(void)vcpu, (void)off;
	if (!is_write) {
		le_put(data, len, ~0ULL);
		return;
	}
	vm__request(vm, REQ_EXIT, (int)((le_get(data, len) << 1) | 1) & 0xff, "guest-debug-exit");
}

int debug_exit__init(struct vm *vm)
{
	return bus__register(&vm->pio, DEBUG_EXIT_PORT, 4, debug_exit__io, vm, "debug-exit");
}
