// SPDX-License-Identifier: GPL-2.0
/*
 * An EPT watchpoint on a guest variable, in as few lines as the KVM API allows: a real-mode
 * guest increments a 16-bit counter at guest-physical 0x2000 three times and halts; the
 * host watches those two bytes for writes and prints each write before it happens, then
 * lets it complete (the next KVM_RUN). Not a test (selftests/ept_watch_test.c is): run it in
 * L1 with vmxmon loaded,
 *   /vmxmon/selftests/ept_watch_example
 * and it prints
 *   write to 0x2000 by the instruction at 0x1003: counter is 0 before it
 *   ... (three times)
 *   the guest halted: counter = 3
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <uapi/vmxmon.h>

#include "kvm_util.h"

#define COUNTER_GPA	0x2000

static const uint8_t guest_code[] = {	/* at BARE_CODE_GPA (0x1000), real mode */
	0xb9, 0x03, 0x00,		/* mov cx, 3 */
	0xff, 0x06, 0x00, 0x20,		/* 1: inc word [0x2000] */
	0xe2, 0xfa,			/* loop 1b */
	0xf4,				/* hlt */
};

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/vmxmon", *what = "";
	struct vmxmon_ept_watch w = {
		.gpa = COUNTER_GPA, .len = 2, .flags = VMXMON_EPT_WATCH_WRITE,
	};
	struct vcpu *vcpu;
	uint16_t *counter;
	int r;

	r = __bare_guest(dev, BARE_MIN_MEM, &vcpu, &what);
	if (r || (r = bare_enter_real_mode(vcpu))) {
		fprintf(stderr, "ept_watch_example: %s: %s: %s\n", dev, what, strerror(-r));
		return 1;
	}
	memcpy(vcpu->vm->mem + BARE_CODE_GPA, guest_code, sizeof(guest_code));
	counter = (uint16_t *)(vcpu->vm->mem + COUNTER_GPA);
	r = dev_ioctl(vcpu->vm->fd, VMXMON_ADD_EPT_WATCH, (unsigned long)&w);
	if (r) {
		fprintf(stderr, "ept_watch_example: VMXMON_ADD_EPT_WATCH: %s\n", strerror(-r));
		return 1;
	}
	for (;;) {
		const struct vmxmon_ept_watch_exit *x = vmxmon_run_ept_watch(vcpu->run);

		r = __vcpu_run(vcpu);
		if (r) {
			fprintf(stderr, "ept_watch_example: KVM_RUN: %s\n", strerror(-r));
			return 1;
		}
		if (vcpu->run->exit_reason != VMXMON_EXIT_EPT_WATCH)
			break;
		printf("write to %#llx by the instruction at %#llx: counter is %u before it\n",
		       (unsigned long long)x->gpa, (unsigned long long)x->rip, *counter);
	}
	if (vcpu->run->exit_reason != KVM_EXIT_HLT) {
		fprintf(stderr, "ept_watch_example: unexpected exit %s\n",
			exit_reason_name(vcpu->run->exit_reason));
		return 1;
	}
	printf("the guest halted: counter = %u\n", *counter);
	vm_free(vcpu->vm);
	return 0;
}
