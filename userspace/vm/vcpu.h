/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU: its fd, the mmapped struct kvm_run, and the thread running KVM_RUN. Exits are
 * handled here with no lock held (each device takes its own, vm/vm.h): port I/O and MMIO go
 * to the buses, IOAPIC EOIs to the IOAPIC, the PIC's output is injected into the BSP with
 * KVM_INTERRUPT when the guest can take it. The thread holds vm->lock only to decide whether
 * to wait (paused, a request pending, halted with no PIC output) and while it waits. Fields
 * marked (lock) are vm->lock's; (thread) ones are the vCPU thread's own, which a reset sets
 * only while the thread is parked. With the in-kernel LAPIC (the default) HLT and the wait of application processors
 * for INIT/SIPI happen in the kernel; PIC-only (--no-apic), HLT exits and waits for the PIC.
 */
#ifndef VMXRUN_VM_VCPU_H
#define VMXRUN_VM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>

#include "../util/types.h"

struct vm;
struct boot_state;
struct kvm_cpuid2;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	int stats_fd;			/* KVM_GET_STATS_FD, for `vmxctl stat PID`; or -1 */
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;			/* (lock) written by the main thread */
	bool halted;			/* (thread) in HLT: wait for the PIC (PIC-only) */
	int extint;			/* (thread) PIC vector acknowledged, not injected yet; -1 */
	bool quit;			/* (lock) the thread must end */
	bool parked;			/* (lock) waiting, not in KVM_RUN (for a reset) */
	bool debug_hold;		/* (lock) the GDB stub keeps it stopped (gdb/gdb.h) */
	int gdb_watch;			/* (lock) 1 + the EPT watchpoint being stepped over */
};

/* KVM_CREATE_VCPU and mmap of kvm_run; *msg says what failed. 0 or -errno. */
int vcpu__create(struct vcpu *v, struct vm *vm, unsigned int id, char *msg, size_t msglen);
/* KVM_SET_CPUID2, once, before the first KVM_RUN. */
int vcpu__set_cpuid(struct vcpu *v, const struct kvm_cpuid2 *cpuid, char *msg, size_t msglen);
/* Registers, segments, MSRs and FPU for the loader's entry state (again on reset). */
int vcpu__set_boot(struct vcpu *v, const struct boot_state *bs, char *msg, size_t msglen);
/*
 * Power-on state (first boot and every reset; thread not running): the BSP gets the
 * loader's entry state; with the in-kernel LAPIC every local APIC is reset (xAPIC, the BSP's
 * LINT0 ExtINT and LINT1 NMI, as firmware leaves them) and application processors wait for
 * INIT/SIPI (KVM_MP_STATE_UNINITIALIZED).
 */
int vcpu__reset(struct vcpu *v, char *msg, size_t msglen);
int vcpu__start(struct vcpu *v);
/* End the thread (lock not held) and wait for it. */
void vcpu__stop(struct vcpu *v);
void vcpu__destroy(struct vcpu *v);

/*
 * Get a vCPU, or every vCPU, out of KVM_RUN and out of its waits to look again. vcpu__kick
 * takes vm->lock (the PIC calls it with its own lock held); vcpu__kick_all wants it held.
 */
void vcpu__kick(struct vcpu *v);
void vcpu__kick_all(struct vm *vm);

#endif
