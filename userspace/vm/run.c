// SPDX-License-Identifier: GPL-2.0
/*
 * vm__run(): build the machine the options describe, boot it, run the event loop until the
 * guest powers off (or reboots, or the host ends it), tear down. The main thread owns the
 * event loop; one thread per vCPU runs the guest.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "../control/control.h"
#include "../gdb/gdb.h"
#include "../hw/ioapic.h"
#include "../hw/virtio/devices.h"
#include "../options.h"
#include "../util/host.h"
#include "console.h"
#include "cpuid.h"
#include "loop.h"
#include "mce.h"
#include "vcpu.h"
#include "vm.h"

#define TSS_ADDR	0xfffbd000UL	/* below the BIOS ROM; unused with unrestricted guest */

static int vm__memslots(struct vm *vm, char *msg, size_t msglen)
{
	struct kvm_userspace_memory_region r[2] = {
		{ .slot = 0, .guest_phys_addr = 0, .memory_size = vm->low_size,
		  .userspace_addr = (u64)(uintptr_t)vm->ram },
		{ .slot = 1, .guest_phys_addr = HIGH_MEM_START,
		  .memory_size = vm->ram_size - vm->low_size,
		  .userspace_addr = (u64)(uintptr_t)(vm->ram + vm->low_size) },
	};

	for (int i = 0; i < 2; i++) {
		if (r[i].memory_size && ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r[i])) {
			snprintf(msg, msglen, "vmxrun: %s: KVM_SET_USER_MEMORY_REGION (%llu MiB): %s%s",
				 vm->hv->path, r[i].memory_size >> 20, strerror(errno),
				 errno == ENOMEM ? " (raise RLIMIT_MEMLOCK: ulimit -l)" : "");
			return -1;
		}
	}
	return 0;
}

/* KVM_CAP_SPLIT_IRQCHIP (before any vCPU) and the IOAPIC's MSI routes. */
static int vm__setup_irqchip(struct vm *vm, char *msg, size_t msglen)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { IOAPIC_PINS } };

	if (vm->no_apic)
		return 0;
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap)) {
		snprintf(msg, msglen, "vmxrun: %s: KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): %s (no local APIC in this device? try --no-apic)",
			 vm->hv->path, strerror(errno));
		return -1;
	}
	if (ioapic__sync_routes(vm)) {
		snprintf(msg, msglen, "vmxrun: %s: cannot set the IOAPIC's MSI routes",
			 vm->hv->path);
		return -1;
	}
	return 0;
}

/* The vCPUs with their CPUID, in their power-on state. */
static int vm__setup_vcpus(struct vm *vm, unsigned int nr, char *msg, size_t msglen)
{
	long max = hv__check_extension(vm->hv, KVM_CAP_MAX_VCPUS);
	struct kvm_cpuid2 *cpuid;
	unsigned int flags = 0;
	int r = 0;

	if (max > 0 && nr > max) {
		snprintf(msg, msglen, "vmxrun: -c %u: %s runs at most %ld vCPUs", nr,
			 vm->hv->path, max);
		return -1;
	}
	vm->vcpu = calloc(nr, sizeof(*vm->vcpu));
	if (!vm->vcpu)
		return -1;
	for (unsigned int i = 0; i < nr; i++) {
		if (vcpu__create(&vm->vcpu[i], vm, i, msg, msglen))
			return -1;
		vm->nr_vcpus = i + 1;
	}
	cpuid = cpuid__with_topology(cpuid__supported(vm->hv));
	if (!cpuid) {
		snprintf(msg, msglen, "vmxrun: %s: KVM_GET_SUPPORTED_CPUID: %s", vm->hv->path,
			 strerror(errno));
		return -1;
	}
	if (!vm->no_apic)
		flags |= CPUID_APIC;
	if (!vm->no_apic && hv__check_extension(vm->hv, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		flags |= CPUID_TSC_DEADLINE;
	for (unsigned int i = 0; i < nr && !r; i++) {
		cpuid__adjust(cpuid, i, nr, flags);
		r = vcpu__set_cpuid(&vm->vcpu[i], cpuid, msg, msglen);
		if (!r)
			r = mce__setup(&vm->vcpu[i], cpuid, msg, msglen);	/* as QEMU */
		if (!r)
			r = vcpu__reset(&vm->vcpu[i], msg, msglen);
	}
	free(cpuid);
	return r;
}

/* Everything KVM-side: VM, TSS, memory, the irqchip, the vCPUs. */
static int vm__setup_kvm(struct vm *vm, char *msg, size_t msglen)
{
	if (vm__create(vm, vm->hv, msg, msglen))
		return -1;
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, TSS_ADDR) && errno != ENOTTY) {
		snprintf(msg, msglen, "vmxrun: %s: KVM_SET_TSS_ADDR: %s", vm->hv->path,
			 strerror(errno));
		return -1;
	}
	if (vm__memslots(vm, msg, msglen) || vm__setup_irqchip(vm, msg, msglen))
		return -1;
	return vm__setup_vcpus(vm, vm->opts->cpus, msg, msglen);
}

static bool vm__all_parked(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].started && !vm->vcpu[i].parked)
			return false;
	return true;
}

/* Every vCPU to its power-on state, all threads parked (so no INIT/SIPI races the reset). */
static int vm__reset_vcpus(struct vm *vm, char *msg, size_t msglen)
{
	if (ioapic__sync_routes(vm)) {
		snprintf(msg, msglen, "vmxrun: %s: cannot set the IOAPIC's MSI routes",
			 vm->hv->path);
		return -1;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vcpu__reset(&vm->vcpu[i], msg, msglen))
			return -1;
	return 0;
}

/*
 * A request from a device, a vCPU or the control socket. Takes vm->lock; a reset runs with it
 * dropped (the devices take theirs after it, never inside it) while the vCPUs stay parked:
 * they wait as long as a request is pending.
 */
static void vm__on_request(struct vm *vm, int fd, void *opaque)
{
	char msg[512];
	int err;
	u64 n;

	(void)opaque;
	if (read(fd, &n, sizeof(n)) < 0)
		return;
	pthread_mutex_lock(&vm->lock);
	if (vm->request == REQ_NONE || vm->finished) {
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	if (vm->request == REQ_RESET) {
		control__event(vm->ctl, "RESET", vm->reason);
		if (vm->opts->reboot_restart) {
			while (!vm__all_parked(vm))
				pthread_cond_wait(&vm->cond, &vm->lock);
			pthread_mutex_unlock(&vm->lock);
			err = vm__reset_machine(vm, msg, sizeof(msg)) ||
			      vm__reset_vcpus(vm, msg, sizeof(msg));
			pthread_mutex_lock(&vm->lock);
			if (err) {
				fprintf(stderr, "%s\n", msg);
				vm->request = REQ_EXIT;
				vm->exit_status = 1;
			} else {
				fprintf(stderr, "vmxrun: %s: restarting the guest\r\n", vm->reason);
				vm->resets++;
				if (vm->request == REQ_RESET)	/* not overtaken by an exit */
					vm->request = REQ_NONE;
				pthread_cond_broadcast(&vm->cond);
				pthread_mutex_unlock(&vm->lock);
				return;
			}
		} else {
			vm->exit_status = 0;
		}
	}
	if (vm->request != REQ_POWEROFF || vm->exit_status)
		fprintf(stderr, "\r\nvmxrun: %s: exit status %d\r\n", vm->reason, vm->exit_status);
	control__event(vm->ctl, "SHUTDOWN", vm->reason);
	vm->state = VM_SHUTDOWN;
	vm->finished = true;
	pthread_mutex_unlock(&vm->lock);
}

static void vm__on_signal(struct vm *vm, int fd, void *opaque)
{
	struct signalfd_siginfo si;

	(void)opaque;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	fprintf(stderr, "\r\nvmxrun: %s: stopping the guest\r\n", strsignal((int)si.ssi_signo));
	vm__request(vm, REQ_EXIT, 128 + (int)si.ssi_signo, "host-signal");
}

/* Event sources of the main thread: requests and termination signals. */
static int vm__setup_events(struct vm *vm, sigset_t *sigs)
{
	int sfd;

	vm->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sigemptyset(sigs);
	sigaddset(sigs, SIGINT);
	sigaddset(sigs, SIGTERM);
	sigaddset(sigs, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	/* Blocked before any thread starts, so only the signalfd sees them. */
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
	sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->notify_fd < 0 || sfd < 0 ||
	    loop__add(vm->loop, vm->notify_fd, vm__on_request, NULL) ||
	    loop__add(vm->loop, sfd, vm__on_signal, NULL))
		return -1;
	return sfd;
}

/* Host memory check: no more guest RAM than the host has. */
static int vm__check_memory(const struct vmxrun_opts *o, char *msg, size_t msglen)
{
	struct sysinfo si;

	if (!sysinfo(&si) && o->mem_bytes > (u64)si.totalram * si.mem_unit) {
		snprintf(msg, msglen, "vmxrun: -m %s: more than the host's %llu MiB of RAM",
			 o->mem_arg, (unsigned long long)((u64)si.totalram * si.mem_unit >> 20));
		return -1;
	}
	return 0;
}

/* --console file:PATH: a file we will be able to create or write. */
static int vm__check_console(const char *spec, char *msg, size_t msglen)
{
	const char *path = spec + 5, *slash = strrchr(path, '/');
	char dir[4096];

	if (strncmp(spec, "file:", 5))
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (access(path, W_OK) && (errno != ENOENT || access(dir, W_OK | X_OK))) {
		snprintf(msg, msglen, "vmxrun: --console %s: %s", spec, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Every input, before the device is opened or guest RAM exists: a typo in a path or a busy
 * control socket costs nothing, and is not hidden behind a device error.
 */
static int vm__check_inputs(const struct vmxrun_opts *o, char *msg, size_t msglen)
{
	struct boot_files f = { o->kernel, o->initrd, o->append ? o->append : "" };

	for (unsigned int i = 0; i < o->nr_disks; i++) {
		struct blk_opts b;

		if (blk__parse(o->disks[i], &b, msg, msglen))
			return -1;
		b.path = strndup(o->disks[i], strcspn(o->disks[i], ","));
		if (b.path && access(b.path, b.ro ? R_OK : R_OK | W_OK)) {
			snprintf(msg, msglen, "vmxrun: --disk %s: %s", b.path, strerror(errno));
			free((char *)b.path);
			return -1;
		}
		free((char *)b.path);
	}

	if (vm__check_memory(o, msg, msglen) || loader__check(&f, o->mem_bytes, msg, msglen) ||
	    vm__check_console(o->console, msg, msglen))
		return -1;
	return o->control ? control__check(o->control, msg, msglen) : 0;
}

static int vm__boot(struct vm *vm, const struct vmxrun_opts *o, char *msg, size_t msglen)
{
	int r;

	vm->con = console__open(vm, o->console, msg, msglen);
	if (!vm->con || vm__init_machine(vm, o->mem_bytes, msg, msglen))
		return -1;
	vm->cap_ioeventfd = hv__check_extension(vm->hv, KVM_CAP_IOEVENTFD) > 0;
	vm->cap_irqfd = hv__check_extension(vm->hv, KVM_CAP_IRQFD) > 0 &&
			hv__check_extension(vm->hv, KVM_CAP_IRQ_ROUTING) > 0;
	vm->ioeventfd = vm->cap_ioeventfd && !o->no_ioeventfd;
	vm->irqfd = vm->cap_irqfd && !o->no_ioeventfd && !vm->no_apic;
	if (virtio_devices__create(vm, o, msg, msglen))
		return -1;
	if (vm->nr_virtio)
		fprintf(stderr, "vmxrun: virtio: ioeventfd %s, irqfd %s%s\n",
			vm->ioeventfd ? "on" : "off", vm->irqfd ? "on" : "off",
			o->no_ioeventfd ? " (--no-ioeventfd)" : "");
	vm->tsc_khz = host__tsc_khz();
	vm->files = (struct boot_files){ o->kernel, o->initrd, o->append ? o->append : "" };
	r = vm__reset_machine(vm, msg, msglen);
	if (!r)
		r = vm__setup_kvm(vm, msg, msglen);
	if (!r)
		r = virtio_devices__attach(vm, msg, msglen);
	if (!r && o->control)
		r = control__open(vm, o->control, msg, msglen) ? -1 : 0;
	return r;
}

int vm__run(const struct vmxrun_opts *o)
{
	struct vm vm = { .opts = o, .fd = -1, .notify_fd = -1, .no_apic = o->no_apic };
	char msg[512] = "";
	struct hv d = { .fd = -1 };
	int sfd = -1, status = 1;
	sigset_t sigs;

	if (vm__check_inputs(o, msg, sizeof(msg)) || hv__open(&d, o->dev, msg, sizeof(msg)))
		goto out;
	vm.hv = &d;
	vm.loop = loop__new(&vm);
	if (!vm.loop || (sfd = vm__setup_events(&vm, &sigs)) < 0) {
		snprintf(msg, sizeof(msg), "vmxrun: cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	if (vm__boot(&vm, o, msg, sizeof(msg)))
		goto out;
	if (o->gdb && !gdb__open(&vm, o->gdb, o->gdb_wait, msg, sizeof(msg)))
		goto out;
	for (unsigned int i = 0; i < vm.nr_vcpus; i++) {
		if (vcpu__start(&vm.vcpu[i])) {
			snprintf(msg, sizeof(msg), "vmxrun: cannot start the thread of vCPU %u", i);
			goto out;
		}
	}
	msg[0] = 0;
	status = 1;
	while (!vm.finished && !loop__run_once(vm.loop, -1))
		;
	pthread_mutex_lock(&vm.lock);
	if (vm.finished)
		status = vm.exit_status;
	pthread_mutex_unlock(&vm.lock);
out:
	if (msg[0])
		fprintf(stderr, "%s\n", msg);
	{	/* it may hold vCPUs: vcpu__stop's quit ends that */
		struct gdb *g;

		pthread_mutex_lock(&vm.lock);
		g = vm.gdb;
		vm.gdb = NULL;
		pthread_mutex_unlock(&vm.lock);
		gdb__close(g);
	}
	/* Every thread ends before any vCPU goes: a device may still kick the BSP until then. */
	for (unsigned int i = 0; i < vm.nr_vcpus; i++)
		vcpu__stop(&vm.vcpu[i]);
	for (unsigned int i = 0; i < vm.nr_vcpus; i++)
		vcpu__destroy(&vm.vcpu[i]);
	free(vm.vcpu);
	control__close(vm.ctl);
	console__close(vm.con);
	if (vm.ram)
		vm__free_machine(&vm);
	vm__destroy(&vm);
	if (sfd >= 0)
		close(sfd);
	if (vm.notify_fd >= 0)
		close(vm.notify_fd);
	loop__free(vm.loop);
	if (d.fd >= 0)
		hv__close(&d);
	return status;
}
