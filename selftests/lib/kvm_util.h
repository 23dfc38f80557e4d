/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw layer of the selftest library: the KVM API through the library's VM and vCPU
 * objects, returning -errno and never ending a test, with no test harness underneath.
 * Fuzzers, stress programs and the exit benchmark use it where a failure is an outcome to
 * count or report; the asserting layer the tests use (vm.h: t_vm_new(), t_vcpu_add(),
 * vcpu_run_expect(), ...) is built on it, as KVM selftests' vm_create() is on __vm_create().
 *
 *   __name()  the raw half of an asserting name() or t_name(): 0 (or a value) or -errno;
 *             a failed create leaves nothing behind and *what names the step that failed
 *   others    return what their comment says, -errno on failure
 *
 * Everything here runs unchanged on /dev/kvm.
 */
#ifndef VMXMON_SELFTESTS_KVM_UTIL_H
#define VMXMON_SELFTESTS_KVM_UTIL_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

/* Unused by KVM and vmxmon in every fd's ioctl space: both must answer "unknown". */
#define KVM_IOCTL_UNKNOWN	_IO(KVMIO, 0xff)

/* ---- file descriptors ---- */

int dev_open(const char *path);				/* fd or -errno */
long dev_ioctl(int fd, unsigned long req, unsigned long arg);	/* result or -errno */
int dev_create_vm(int sys_fd, unsigned long type);	/* KVM_CREATE_VM: VM fd or -errno */

/* ---- VMs and vCPUs ---- */

struct test_ctx;
struct vcpu;

struct vm {
	struct test_ctx *t;		/* its test (asserting layer); NULL from __vm_create() */
	int sys_fd, fd;
	uint8_t *mem;			/* slot 0, GPA 0 .. mem_size */
	uint64_t mem_size;
	int run_size;			/* KVM_GET_VCPU_MMAP_SIZE */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID, once asked for */
	struct vcpu *vcpus;		/* every vCPU __vcpu_add() made, freed with the VM */
	/* The asserting layer's page allocator and 64-bit address space (vm.h). */
	uint64_t next_gpa;		/* vm_alloc(): next free page */
	uint64_t pml4;			/* 0 until the first vcpu_enter_long_mode() */
	uint64_t gdt, idt, tss;
};

struct vcpu {
	struct vm *vm;
	int fd;
	unsigned int id;
	struct kvm_run *run;
	struct kvm_sregs reset_sregs;	/* KVM_GET_SREGS at creation: the power-on state */
	struct vcpu *next;		/* in vm->vcpus */
};

/*
 * Open dev, KVM_CREATE_VM, and mem_size bytes of anonymous shared memory (zeroed) as slot 0
 * at GPA 0. vm_free() closes and unmaps everything, the vCPUs too, and skips fds and
 * mappings a test already closed and set to -1 / NULL.
 */
int __vm_create(const char *dev, uint64_t mem_size, struct vm **vmp, const char **what);
void vm_free(struct vm *vm);

/* KVM_SET_USER_MEMORY_REGION: 0 or -errno. */
long vm_set_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
		   const void *hva);
/* KVM_GET_SUPPORTED_CPUID on a system fd into a malloc'ed table (grown on E2BIG). */
int dev_supported_cpuid(int sys_fd, struct kvm_cpuid2 **cpuid);
/* KVM_GET_SUPPORTED_CPUID of the VM's device, fetched once into vm->cpuid. */
int __vm_supported_cpuid(struct vm *vm, const struct kvm_cpuid2 **cpuid);
/* The entry for (fn, idx), or NULL; idx only counts where the entry says it does. */
struct kvm_cpuid_entry2 *cpuid_entry(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx);
/* KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP) with pins IOAPIC pins: 0 or -errno. */
long vm_enable_split_irqchip(struct vm *vm, uint64_t pins);

/* KVM_CREATE_VCPU, the mmap of its struct kvm_run, its reset state; no CPUID set. */
int __vcpu_add(struct vm *vm, unsigned int id, struct vcpu **vcpup, const char **what);
void vcpu_free(struct vcpu *vcpu);

/*
 * An ioctl on the vCPU fd that answers 0 or -errno, and KVM_RUN. Inline: they are on the
 * exit benchmark's measured path, where a call more is a tick more.
 */
static inline int __vcpu_ioctl(struct vcpu *vcpu, unsigned long req, void *arg)
{
	return ioctl(vcpu->fd, req, arg) < 0 ? -errno : 0;
}

static inline int __vcpu_run(struct vcpu *vcpu)
{
	return __vcpu_ioctl(vcpu, KVM_RUN, NULL);
}

/* The port-I/O data of the current KVM_EXIT_IO (at io.data_offset). */
void *vcpu_io_data(struct vcpu *vcpu);

/*
 * Real mode from the vCPU's reset state: CS:IP 0:ip, SS:SP (SS as at reset) sp, rflags;
 * the other registers zero. 0 or -errno.
 */
int __vcpu_enter_real_mode(struct vcpu *vcpu, uint64_t ip, uint64_t sp, uint64_t rflags);
/* A flat 4 GiB segment at DPL 0 as KVM_SET_SREGS takes it: 64-bit code (L=1) or data. */
struct kvm_segment flat_segment(uint16_t selector, bool code64);

/* KVM_GET/SET_MP_STATE: the state, or -errno / 0 or -errno. */
long vcpu_get_mp_state(struct vcpu *vcpu);
long vcpu_set_mp_state(struct vcpu *vcpu, uint32_t state);

/* "IO" for KVM_EXIT_IO (include/kvm_exit_names.h), "?" if unnamed. */
const char *exit_reason_name(uint32_t reason);

/*
 * Getting a thread out of KVM_RUN. kick_signal_install(): SIGUSR1 with an empty handler and
 * no SA_RESTART, so that a KVM_RUN that gets it returns -EINTR. kick_join() ends a thread
 * that leaves its KVM_RUN loop once told to (its stop flag set first): SIGUSR1 to it every
 * millisecond until it has ended, for at most timeout_ms (0: no limit); true if it ended.
 */
void kick_signal_install(void);
bool kick_join(pthread_t thread, unsigned int timeout_ms);

/*
 * ---- Bare guests (bare.c) ----
 * A VM with one vCPU and nothing else: no CPUID table, no library address space, every
 * register and byte the test's. For hostile and randomized guests, which want full control
 * and are created by the hundred; free with vm_free(vcpu->vm).
 */
#define BARE_CODE_GPA	0x1000ul	/* real mode: CS base 0, IP here */
#define BARE_PT_GPA	0x100000ul	/* 64-bit mode: PML4, PDPT, 4 PDs (6 pages) */
#define BARE_GDT_GPA	0x106000ul	/* null, code64 (0x08), data (0x10) */
#define BARE_CODE64_GPA	0x107000ul	/* 64-bit mode: RIP here */
#define BARE_MIN_MEM	0x200000ul	/* 2 MiB: what bare_enter_long_mode() needs */

int __bare_guest(const char *dev, size_t mem_size, struct vcpu **vcpup, const char **what);
/*
 * Both start from the vCPU's reset state, so that nothing a previous guest left in the
 * segment, descriptor-table or control registers carries over.
 * Real mode at BARE_CODE_GPA, SP 0xf000, RFLAGS 2. 0 or -errno.
 */
int bare_enter_real_mode(struct vcpu *g);
/*
 * 64-bit mode at BARE_CODE64_GPA: CR0 PE|PG|ET|NE, CR4 PAE, EFER LME|LMA|SCE, a GDT with
 * flat code (L=1) and data segments, no IDT (any exception ends in a triple fault), 2 MiB
 * pages identity-mapping the first 4 GiB (beyond mem_size: MMIO exits). 0 or -errno.
 */
int bare_enter_long_mode(struct vcpu *g);

#endif
