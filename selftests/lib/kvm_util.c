// SPDX-License-Identifier: GPL-2.0
/* The raw layer of the selftest library (see kvm_util.h): no harness, no assertions. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_exit_names.h"
#include "kvm_util.h"

int dev_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

long dev_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

int dev_create_vm(int sys_fd, unsigned long type)
{
	return (int)dev_ioctl(sys_fd, KVM_CREATE_VM, type);
}

long vm_set_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
		   const void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return dev_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&r);
}

int __vm_create(const char *dev, uint64_t mem_size, struct vm **vmp, const char **what)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	long r;

	*vmp = NULL;
	*what = "calloc";
	if (!vm)
		return -ENOMEM;
	vm->sys_fd = vm->fd = -1;
	*what = "open";
	r = vm->sys_fd = dev_open(dev);
	if (r < 0)
		goto fail;
	*what = "KVM_CREATE_VM";
	r = vm->fd = dev_create_vm(vm->sys_fd, 0);
	if (r < 0)
		goto fail;
	*what = "KVM_GET_VCPU_MMAP_SIZE";
	r = vm->run_size = (int)dev_ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r >= 0 && r < (long)sizeof(struct kvm_run))
		r = -EINVAL;
	if (r < 0)
		goto fail;
	*what = "mmap of guest RAM";
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		r = -errno;
		goto fail;
	}
	vm->mem_size = mem_size;
	*what = "KVM_SET_USER_MEMORY_REGION (slot 0)";
	r = vm_set_region(vm->fd, 0, 0, 0, mem_size, vm->mem);
	if (r)
		goto fail;
	*vmp = vm;
	return 0;
fail:
	vm_free(vm);
	return (int)r;
}

void vm_free(struct vm *vm)
{
	while (vm->vcpus)
		vcpu_free(vm->vcpus);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	free(vm->cpuid);
	free(vm);
}

int dev_supported_cpuid(int sys_fd, struct kvm_cpuid2 **cpuid)
{
	for (unsigned int nent = 64;; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		long r;

		if (!c)
			return -ENOMEM;
		c->nent = nent;
		r = dev_ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)c);
		if (!r) {
			*cpuid = c;
			return 0;
		}
		free(c);
		if (r != -E2BIG || nent >= 4096)
			return (int)r;
	}
}

int __vm_supported_cpuid(struct vm *vm, const struct kvm_cpuid2 **cpuid)
{
	int r = vm->cpuid ? 0 : dev_supported_cpuid(vm->sys_fd, &vm->cpuid);

	*cpuid = vm->cpuid;
	return r;
}

struct kvm_cpuid_entry2 *cpuid_entry(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == idx))
			return (struct kvm_cpuid_entry2 *)e;
	}
	return NULL;
}

long vm_enable_split_irqchip(struct vm *vm, uint64_t pins)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { pins } };

	return dev_ioctl(vm->fd, KVM_ENABLE_CAP, (unsigned long)&cap);
}

int __vcpu_add(struct vm *vm, unsigned int id, struct vcpu **vcpup, const char **what)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));
	long r;

	*vcpup = NULL;
	*what = "calloc";
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	*what = "KVM_CREATE_VCPU";
	r = vcpu->fd = (int)dev_ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (r < 0)
		goto fail;
	*what = "mmap of struct kvm_run";
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		r = -errno;
		goto fail;
	}
	*what = "KVM_GET_SREGS";
	r = dev_ioctl(vcpu->fd, KVM_GET_SREGS, (unsigned long)&vcpu->reset_sregs);
	if (r)
		goto fail;
	vcpu->next = vm->vcpus;
	vm->vcpus = vcpu;
	*vcpup = vcpu;
	return 0;
fail:
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vcpu);
	return (int)r;
}

void vcpu_free(struct vcpu *vcpu)
{
	for (struct vcpu **p = &vcpu->vm->vcpus; *p; p = &(*p)->next)
		if (*p == vcpu) {
			*p = vcpu->next;
			break;
		}
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vcpu);
}

void *vcpu_io_data(struct vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

int __vcpu_enter_real_mode(struct vcpu *vcpu, uint64_t ip, uint64_t sp, uint64_t rflags)
{
	struct kvm_regs regs = { .rip = ip, .rsp = sp, .rflags = rflags };
	struct kvm_sregs s = vcpu->reset_sregs;
	long r;

	s.cs.selector = 0;
	s.cs.base = 0;
	r = dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&s);
	return (int)(r ? r : dev_ioctl(vcpu->fd, KVM_SET_REGS, (unsigned long)&regs));
}

struct kvm_segment flat_segment(uint16_t selector, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = code64 ? 11 : 3,
		.present = 1, .dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

long vcpu_get_mp_state(struct vcpu *vcpu)
{
	struct kvm_mp_state mp;
	long r = dev_ioctl(vcpu->fd, KVM_GET_MP_STATE, (unsigned long)&mp);

	return r < 0 ? r : (long)mp.mp_state;
}

long vcpu_set_mp_state(struct vcpu *vcpu, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	return dev_ioctl(vcpu->fd, KVM_SET_MP_STATE, (unsigned long)&mp);
}

const char *exit_reason_name(uint32_t reason)
{
	return kvm_exit_name(reason) ?: "?";
}

static void kick_handler(int sig)
{
	(void)sig;
}

void kick_signal_install(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

bool kick_join(pthread_t thread, unsigned int timeout_ms)
{
	for (unsigned int ms = 0; !timeout_ms || ms < timeout_ms; ms++) {
		if (!pthread_tryjoin_np(thread, NULL))
			return true;
		pthread_kill(thread, SIGUSR1);
		usleep(1000);
	}
	return false;
}
