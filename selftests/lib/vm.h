/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The asserting layer of the selftest library, the one tests use: a VM with guest RAM,
 * vCPUs that run guest code written in C (64-bit mode) or small real-mode blobs, and the
 * ucall channel (lib/guest.h). Built on the raw layer (kvm_util.h: struct vm, struct vcpu,
 * __vm_create(), __vcpu_add(), __vcpu_run(), ...), which fuzzers, stress programs and the
 * exit benchmark use directly. It uses only the KVM API, so everything built on it runs
 * unchanged on /dev/kvm.
 *
 * Guest physical memory: one memslot (slot 0) of GUEST_MEM_SIZE at GPA 0.
 *   0x1000  REAL_MODE_CODE_GPA: real-mode code (vcpu_enter_real_mode)
 *   0xf000  REAL_MODE_STACK: real-mode SP
 *   0x10000 and up: pages handed out by vm_alloc() (page tables, GDT, IDT, TSS, stack,
 *           the copy of the test binary)
 * 64-bit mode (vcpu_enter_long_mode): 4-level paging, 4 KiB pages; the slot is
 * identity-mapped (guest virtual == guest physical) except page 0, and the test binary's
 * loaded segments are copied into guest RAM and mapped at their own addresses, so guest
 * code, its string literals and its globals have the same addresses as in the host.
 * GUEST_VAR() reaches a global's guest copy from the host.
 *
 * The t_/vcpu_ helpers fail the test (and end it) when a step fails, naming the step.
 */
#ifndef VMXMON_SELFTESTS_VM_H
#define VMXMON_SELFTESTS_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "guest.h"
#include "harness.h"
#include "kvm_util.h"
#include "x86_defs.h"

#define GUEST_PAGE_SIZE		4096ul
#define GUEST_MEM_SIZE		(4ul << 20)
#define REAL_MODE_CODE_GPA	0x1000ul
#define REAL_MODE_STACK		0xf000ul
#define GUEST_ALLOC_START	0x10000ul
#define GUEST_STACK_SIZE	(16 * 1024ul)

/* Segment selectors of the GDT vm.c builds for 64-bit mode. */
#define GDT_CODE64	0x08
#define GDT_DATA	0x10
#define GDT_TSS		0x18

/* ---- devices and VMs (vm.c) ---- */

/* Open t->dev (or path) and create a VM fd (dev_create_vm()), or fail the test. */
int t_open_dev(struct test_ctx *t);
int t_open_path(struct test_ctx *t, const char *path);
int t_dev_create_vm(struct test_ctx *t, int sys_fd);
void t_close(struct test_ctx *t, int fd);

/* __vm_create() on t->dev; free with vm_free(). */
struct vm *t_vm_new(struct test_ctx *t);			/* GUEST_MEM_SIZE of RAM */
struct vm *t_vm_new_mem(struct test_ctx *t, uint64_t mem_size);
/* __bare_guest() (kvm_util.h) on t->dev: its vCPU 0. */
struct vcpu *t_bare_guest(struct test_ctx *t, size_t mem_size);

/* Anonymous shared memory for a memslot (zeroed), or the test fails. */
void *t_guest_ram(struct test_ctx *t, size_t size);
/* Private anonymous guest RAM without THP (a touch costs 4 KiB, not 2 MiB); aborts on failure. */
void *t_private_ram(struct test_ctx *t, size_t size);

uint64_t vm_alloc(struct vm *vm, uint64_t bytes);	/* zeroed pages in slot 0: their GPA */
void *vm_gpa2hva(struct vm *vm, uint64_t gpa);		/* slot 0 only; NULL outside */
void vm_load(struct vm *vm, uint64_t gpa, const void *src, size_t len);

/* 64-bit mode address space (built on first use by vcpu_enter_long_mode()). */
void vm_setup_long_mode(struct vm *vm);
void vm_map(struct vm *vm, uint64_t gva, uint64_t gpa);	/* one 4 KiB page */
void vm_map_ro(struct vm *vm, uint64_t gva, uint64_t gpa);	/* the same, read-only */
void *vm_gva2hva(struct vm *vm, uint64_t gva);		/* NULL if unmapped or not RAM */
int vm_read_gva(struct vm *vm, uint64_t gva, void *buf, size_t len);	/* 0 or -EFAULT */
/* The host address of a guest object (contiguous in guest RAM), or the test fails. */
void *t_vm_gva2hva(struct vm *vm, const volatile void *gva, size_t size);
/* The guest's copy of a global of the test binary, as an lvalue. */
#define GUEST_VAR(vm, var) (*(__typeof__(var) *)t_vm_gva2hva(vm, &(var), sizeof(var)))

/*
 * The IDT of the 64-bit address space has all 256 vectors (exceptions 0-31 report a test
 * failure, unless GUEST_ASM_SAFE expects them; the others are not present until set here).
 * vm_set_idt_gate(): an interrupt gate to handler (a GUEST_ISR stub, or any guest_text
 * address) on IST stack ist (0: none); vm_set_tss_ist(): that stack's top (a GVA).
 */
void vm_set_idt_gate(struct vm *vm, unsigned int vector, const void *handler, unsigned int ist);
void vm_set_tss_ist(struct vm *vm, unsigned int ist, uint64_t rsp);

/* KVM_GET_SUPPORTED_CPUID of the VM's device (cached). */
const struct kvm_cpuid2 *vm_supported_cpuid(struct vm *vm);

/* ---- vCPUs (vcpu.c) ---- */

/* __vcpu_add(), then KVM_SET_CPUID2 with the supported CPUID. */
struct vcpu *t_vcpu_add(struct vm *vm, unsigned int id);

/* Start guest function fn(a0, a1) in 64-bit mode; when it returns the guest sends DONE. */
void vcpu_enter_long_mode(struct vcpu *vcpu, void (*fn)(uint64_t, uint64_t), uint64_t a0,
			  uint64_t a1);
/* Guest functions take zero to two uint64_t arguments (the ABI passes RDI and RSI). */
#define GUEST_FN(fn) ((void (*)(uint64_t, uint64_t))(void (*)(void))(fn))
/* Start real-mode code at gpa (CS base 0, SP REAL_MODE_STACK), from the reset state. */
void vcpu_enter_real_mode(struct vcpu *vcpu, uint64_t gpa);
/* A new VM with one vCPU running fn(a0, a1) in 64-bit mode. */
struct vcpu *t_guest_new(struct test_ctx *t, void (*fn)(uint64_t, uint64_t), uint64_t a0,
			 uint64_t a1);
/*
 * t_guest_new(fn, @gpa, @size) with memslot 1 of @size at @gpa backed by @hva, identity-mapped
 * in the guest's page tables every @stride bytes (a guest that scans or touches that slot).
 */
struct vcpu *t_guest_over_slot(struct test_ctx *t, void (*fn)(uint64_t, uint64_t), uint64_t gpa,
			       uint64_t size, void *hva, uint64_t stride);

void vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
void vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs);
void vcpu_get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs);
void vcpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs);
uint64_t vcpu_rip(struct vcpu *vcpu);

/* The ucall behind the current exit (UCALL_NONE if it is not one); uc may be NULL. */
uint64_t vcpu_get_ucall(struct vcpu *vcpu, struct ucall *uc);

/* One line about the current exit, for diagnostics. */
void vcpu_describe_exit(struct vcpu *vcpu, char *buf, size_t len);

/*
 * Run and expect a given outcome; anything else (another exit, a failing KVM_RUN, a guest
 * assertion or exception) fails the test with the details and ends it.
 */
void vcpu_run_expect_at(struct vcpu *vcpu, uint32_t exit_reason, const char *file, int line);
void vcpu_expect_exit_at(struct vcpu *vcpu, uint32_t exit_reason, const char *file, int line);
void vcpu_run_ucall_at(struct vcpu *vcpu, uint64_t cmd, struct ucall *uc, const char *file,
		       int line);
void vcpu_expect_ucall_at(struct vcpu *vcpu, uint64_t cmd, struct ucall *uc, const char *file,
			  int line);
void vcpu_run_expect_mmio_at(struct vcpu *vcpu, uint64_t gpa, uint32_t len, bool is_write,
			     const char *file, int line);
#define vcpu_run_expect(vcpu, reason) vcpu_run_expect_at(vcpu, reason, __FILE__, __LINE__)
/* KVM_EXIT_MMIO of len bytes at gpa, a write or a read. */
#define vcpu_run_expect_mmio(vcpu, gpa, len, is_write)					\
	vcpu_run_expect_mmio_at(vcpu, gpa, len, is_write, __FILE__, __LINE__)
#define vcpu_expect_exit(vcpu, reason) vcpu_expect_exit_at(vcpu, reason, __FILE__, __LINE__)
#define vcpu_run_sync(vcpu, uc) vcpu_run_ucall_at(vcpu, UCALL_SYNC, uc, __FILE__, __LINE__)
#define vcpu_run_done(vcpu) vcpu_run_ucall_at(vcpu, UCALL_DONE, NULL, __FILE__, __LINE__)
#define vcpu_expect_sync(vcpu, uc)							\
	vcpu_expect_ucall_at(vcpu, UCALL_SYNC, uc, __FILE__, __LINE__)
#define vcpu_expect_done(vcpu) vcpu_expect_ucall_at(vcpu, UCALL_DONE, NULL, __FILE__, __LINE__)

#endif
