// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_exit_names.h"
#include "uapi/vmxmon.h"
#include "x86_defs.h"

#include "../gdb/gdb.h"
#include "../hw/ioapic.h"
#include "../hw/pic.h"
#include "../loader/loader.h"
#include "vcpu.h"
#include "vm.h"

#define KICK_SIGNAL		SIGUSR1

static void vcpu__fail(struct vcpu *v, char *msg, size_t msglen, const char *what)
{
	snprintf(msg, msglen, "vmxrun: %s: vCPU %u: %s: %s", v->vm->hv->path, v->id, what,
		 strerror(errno));
}

/* A vCPU ioctl that answers 0 on success; on failure -errno, with msg naming the ioctl. */
static int vcpu__ioctl(struct vcpu *v, unsigned long req, void *arg, const char *what,
		       char *msg, size_t msglen)
{
	int err;

	if (!ioctl(v->fd, req, arg))
		return 0;
	err = errno;
	vcpu__fail(v, msg, msglen, what);
	return -err;
}

int vcpu__create(struct vcpu *v, struct vm *vm, unsigned int id, char *msg, size_t msglen)
{
	long size;

	*v = (struct vcpu){ .vm = vm, .id = id, .fd = -1, .stats_fd = -1, .extint = -1 };
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		vcpu__fail(v, msg, msglen, "KVM_CREATE_VCPU");
		return -errno;
	}
	/* Kept open for `vmxctl stat PID` (KVM's VM file has no exit counters; vmxmon's sums). */
	v->stats_fd = ioctl(v->fd, KVM_GET_STATS_FD, 0UL);
	size = ioctl(vm->hv->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (long)sizeof(struct kvm_run)) {
		vcpu__fail(v, msg, msglen, "KVM_GET_VCPU_MMAP_SIZE");
		return -EINVAL;
	}
	v->run_size = (size_t)size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		vcpu__fail(v, msg, msglen, "mmap of kvm_run");
		return -errno;
	}
	return 0;
}

int vcpu__set_cpuid(struct vcpu *v, const struct kvm_cpuid2 *cpuid, char *msg, size_t msglen)
{
	return vcpu__ioctl(v, KVM_SET_CPUID2, (void *)cpuid, "KVM_SET_CPUID2", msg, msglen);
}

int vcpu__set_boot(struct vcpu *v, const struct boot_state *bs, char *msg, size_t msglen)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} msrs = { .hdr.nmsrs = 1, .e = { { .index = MSR_IA32_MISC_ENABLE,
					      .data = MSR_IA32_MISC_ENABLE_FAST_STRING } } };
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int r;

	if ((r = vcpu__ioctl(v, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS", msg, msglen)))
		return r;
	x86__sregs(bs, &sregs, !v->vm->no_apic);
	x86__regs(bs, &regs);
	if ((r = vcpu__ioctl(v, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS", msg, msglen)))
		return r;
	if ((r = vcpu__ioctl(v, KVM_SET_REGS, &regs, "KVM_SET_REGS", msg, msglen)))
		return r;
	/* Fast strings is what firmware leaves on; a device without it still boots Linux. */
	if (ioctl(v->fd, KVM_SET_MSRS, &msrs) != 1)
		fprintf(stderr, "vmxrun: %s: note: IA32_MISC_ENABLE not accepted\n",
			v->vm->hv->path);
	if ((r = vcpu__ioctl(v, KVM_SET_FPU, &fpu, "KVM_SET_FPU", msg, msglen)))
		return r;
	v->halted = false;
	return 0;
}

static void lapic_put(struct kvm_lapic_state *s, u32 off, u32 val)
{
	memcpy(s->regs + off, &val, sizeof(val));
}

/* The local APIC as firmware hands it to the OS: xAPIC mode, the BSP in virtual-wire mode. */
static int vcpu__reset_lapic(struct vcpu *v, char *msg, size_t msglen)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} msrs = { .hdr.nmsrs = 2, .e = {
		/* Through disabled: x2APIC -> xAPIC is not a legal transition (SDM 11.12.5). */
		{ .index = MSR_IA32_APICBASE, .data = 0 },
		{ .index = MSR_IA32_APICBASE, .data = APIC_DEFAULT_PHYS_BASE |
						      MSR_IA32_APICBASE_ENABLE |
						      (v->id == 0 ? MSR_IA32_APICBASE_BSP : 0) } } };
	struct kvm_mp_state mp = { v->id == 0 ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED };
	struct kvm_lapic_state s, lapic;
	u32 lvr;
	int r;

	if (ioctl(v->fd, KVM_SET_MSRS, &msrs) != 2) {
		vcpu__fail(v, msg, msglen, "KVM_SET_MSRS(IA32_APIC_BASE)");
		return -EINVAL;
	}
	if ((r = vcpu__ioctl(v, KVM_GET_LAPIC, &lapic, "KVM_GET_LAPIC", msg, msglen)))
		return r;
	memcpy(&lvr, lapic.regs + APIC_LVR, sizeof(lvr));
	memset(&s, 0, sizeof(s));
	lapic_put(&s, APIC_ID, v->id << 24);
	lapic_put(&s, APIC_LVR, lvr);
	lapic_put(&s, APIC_DFR, 0xffffffff);
	lapic_put(&s, APIC_SPIV, 0xff);
	for (u32 off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
		lapic_put(&s, off, APIC_LVT_MASKED);
	if (v->id == 0) {
		lapic_put(&s, APIC_LVT0, APIC_DM_EXTINT);
		lapic_put(&s, APIC_LVT1, APIC_DM_NMI);
	}
	if ((r = vcpu__ioctl(v, KVM_SET_LAPIC, &s, "KVM_SET_LAPIC", msg, msglen)))
		return r;
	if ((r = vcpu__ioctl(v, KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE", msg, msglen)))
		return r;
	return 0;
}

int vcpu__reset(struct vcpu *v, char *msg, size_t msglen)
{
	int r = 0;

	v->extint = -1;
	v->halted = false;
	if (!v->vm->no_apic)
		r = vcpu__reset_lapic(v, msg, msglen);
	if (!r && v->id == 0)
		r = vcpu__set_boot(v, &v->vm->boot, msg, msglen);
	return r;
}

/*
 * Deliver the PIC's output (BSP only), or ask for an exit as soon as the guest can take it.
 * The vector is acknowledged on the PIC once and kept until KVM_INTERRUPT takes it: under
 * the split irqchip a previous ExtINT may still be pending (-EEXIST). No lock held (the PIC
 * takes its own).
 */
static void vcpu__inject(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct kvm_interrupt irq;

	if (v->id != 0 || (v->extint < 0 && !pic__pending(v->vm))) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection || !run->if_flag) {
		run->request_interrupt_window = 1;
		return;
	}
	if (v->extint < 0)
		v->extint = pic__ack(v->vm);
	irq.irq = (u32)v->extint;
	if (ioctl(v->fd, KVM_INTERRUPT, &irq)) {
		if (errno == EEXIST) {		/* the last one is not taken yet */
			run->request_interrupt_window = 1;
			return;
		}
		fprintf(stderr, "vmxrun: %s: KVM_INTERRUPT vector %u: %s\n", v->vm->hv->path,
			irq.irq, strerror(errno));
		vm__request(v->vm, REQ_EXIT, 1, "host-error");
		return;
	}
	v->extint = -1;
	__atomic_fetch_add(&v->vm->stats.injected, 1, __ATOMIC_RELAXED);
	run->request_interrupt_window = pic__pending(v->vm);
}

static void vcpu__dump(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) || ioctl(v->fd, KVM_GET_SREGS, &s))
		return;
	fprintf(stderr, "vmxrun: rip %#llx rsp %#llx rflags %#llx rax %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cs %#x\n",
		r.rip, r.rsp, r.rflags, r.rax, s.cr0, s.cr3, s.cr4, s.efer, s.cs.selector);
}

/* The exits KVM leaves to userspace; no lock held: each device takes its own (vm/vm.h). */
static void vcpu__handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		u8 *data = (u8 *)run + run->io.data_offset;

		for (u32 i = 0; i < run->io.count; i++, data += run->io.size)
			bus__access(&vm->pio, v, run->io.port, data, run->io.size,
				    run->io.direction == KVM_EXIT_IO_OUT);
		break;
	}
	case KVM_EXIT_MMIO:
		bus__access(&vm->mmio, v, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			    run->mmio.is_write);
		break;
	case KVM_EXIT_HLT:			/* PIC-only: no in-kernel LAPIC */
		v->halted = true;
		break;
	case KVM_EXIT_IOAPIC_EOI:
		ioapic__eoi(vm, run->eoi.vector);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN: case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_DEBUG:			/* a breakpoint or step of the GDB stub */
		gdb__debug_exit(v);
		break;
	case VMXMON_EXIT_EPT_WATCH:		/* a watchpoint of the GDB stub (vmxmon) */
		gdb__ept_watch_exit(v);
		break;
	case KVM_EXIT_SHUTDOWN:
		fprintf(stderr, "vmxrun: guest triple fault\r\n");
		vm__request(vm, REQ_RESET, 0, "guest-triple-fault");
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			vm__request(vm, REQ_RESET, 0, "guest-reset");
		else
			vm__request(vm, REQ_POWEROFF, 0, "guest-shutdown");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "vmxrun: VM entry failed: hardware reason %#llx\n",
			run->fail_entry.hardware_entry_failure_reason);
		vcpu__dump(v);
		vm__request(vm, REQ_EXIT, 1, "host-error");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "vmxrun: internal error in %s: suberror %u", vm->hv->path,
			run->internal.suberror);
		for (u32 i = 0; i < run->internal.ndata && i < 16; i++)
			fprintf(stderr, " %#llx", run->internal.data[i]);
		fprintf(stderr, "\n");
		vcpu__dump(v);
		vm__request(vm, REQ_EXIT, 1, "host-error");
		break;
	default:
		fprintf(stderr, "vmxrun: unexpected exit %u (KVM_EXIT_%s)\n", run->exit_reason,
			kvm_exit_name(run->exit_reason) ?: "?");
		vcpu__dump(v);
		vm__request(vm, REQ_EXIT, 1, "host-error");
	}
}

/* Whether the thread must wait before the next KVM_RUN (lock held). */
static bool vcpu__must_wait(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (v->quit)
		return false;
	if (v->debug_hold)
		return true;
	if (vm->request != REQ_NONE || vm->state != VM_RUNNING)
		return true;
	return v->halted && v->extint < 0 && !pic__pending(vm);
}

static void *vcpu__thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	bool quit;
	int r;

	for (;;) {
		pthread_mutex_lock(&vm->lock);
		v->run->immediate_exit = 0;	/* a kick from now on is seen below or in KVM_RUN */
		while (vcpu__must_wait(v)) {
			v->parked = true;
			pthread_cond_broadcast(&vm->cond);	/* a reset may wait for this */
			pthread_cond_wait(&vm->cond, &vm->lock);
		}
		v->parked = false;
		quit = v->quit;
		pthread_mutex_unlock(&vm->lock);
		if (quit)
			break;
		/* From here to the next wait no lock is held; never one across KVM_RUN. */
		v->halted = false;
		vcpu__inject(v);
		r = ioctl(v->fd, KVM_RUN, 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				__atomic_fetch_add(&vm->stats.eintr, 1, __ATOMIC_RELAXED);
				continue;
			}
			fprintf(stderr, "vmxrun: %s: KVM_RUN: %s\n", vm->hv->path, strerror(errno));
			vm__request(vm, REQ_EXIT, 1, "host-error");
			continue;
		}
		__atomic_fetch_add(&vm->stats.exits[MIN(v->run->exit_reason,
							VM_STAT_EXIT_REASONS - 1)],
				   1, __ATOMIC_RELAXED);
		vcpu__handle_exit(v);
	}
	return NULL;
}

static void kick_handler(int sig)
{
	(void)sig;			/* only interrupts KVM_RUN (-EINTR) */
}

int vcpu__start(struct vcpu *v)
{
	/*
	 * SA_RESTART: a kick may now land while the thread emulates a device (a console write);
	 * KVM_RUN still ends with -EINTR, which is never restarted.
	 */
	struct sigaction sa = { .sa_handler = kick_handler, .sa_flags = SA_RESTART };
	int r;

	sigaction(KICK_SIGNAL, &sa, NULL);
	r = pthread_create(&v->thread, NULL, vcpu__thread, v);
	if (r)
		return -r;
	pthread_mutex_lock(&v->vm->lock);
	v->started = true;
	pthread_mutex_unlock(&v->vm->lock);
	return 0;
}

/*
 * Out of KVM_RUN (a signal; immediate_exit if it is not there yet) and out of its waits.
 * vm->lock held: the waiter checks its condition under it, so the broadcast is not lost.
 */
static void vcpu__kick_one(struct vcpu *v)
{
	if (!v->run)
		return;
	v->run->immediate_exit = 1;
	if (v->started && !pthread_equal(v->thread, pthread_self()))
		pthread_kill(v->thread, KICK_SIGNAL);
}

void vcpu__kick(struct vcpu *v)
{
	pthread_mutex_lock(&v->vm->lock);
	vcpu__kick_one(v);
	pthread_cond_broadcast(&v->vm->cond);
	pthread_mutex_unlock(&v->vm->lock);
}

void vcpu__kick_all(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu__kick_one(&vm->vcpu[i]);
	pthread_cond_broadcast(&vm->cond);
}

void vcpu__stop(struct vcpu *v)
{
	if (!v->started)
		return;
	pthread_mutex_lock(&v->vm->lock);
	v->quit = true;
	vcpu__kick_all(v->vm);
	pthread_mutex_unlock(&v->vm->lock);
	pthread_join(v->thread, NULL);
	pthread_mutex_lock(&v->vm->lock);
	v->started = false;
	pthread_mutex_unlock(&v->vm->lock);
}

void vcpu__destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	if (v->stats_fd >= 0)
		close(v->stats_fd);
	v->run = NULL;
	v->fd = -1;
	v->stats_fd = -1;
}
