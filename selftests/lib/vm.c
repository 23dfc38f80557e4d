// SPDX-License-Identifier: GPL-2.0
/*
 * VMs for the selftests (asserting layer): devices and VMs that fail the test when they
 * cannot be had, a page allocator inside guest RAM, and the 64-bit address space guest C
 * code runs in (see vm.h for the layout).
 */
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "vm.h"

/* 64-bit GDT descriptors (SDM Vol. 3A 3.4.5): flat code (L=1) and data, ring 0. */
#define TSS_LIMIT	0x67
#define IDT_VECTORS	32

extern const char guest_exc_stubs[];

/* A step of the raw layer failed: "open DEV: why" or "WHAT on DEV: why". */
static void __attribute__((noreturn)) t_die(struct test_ctx *t, const char *what, int err)
{
	if (!strcmp(what, "open"))
		t_fail(t, __FILE__, __LINE__, "open %s: %s", t->dev, strerror(-err));
	else
		t_fail(t, __FILE__, __LINE__, "%s on %s: %s", what, t->dev, strerror(-err));
	t_abort(t);
}

void *t_guest_ram(struct test_ctx *t, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		t_fail(t, __FILE__, __LINE__, "mmap %zu bytes of guest RAM: %s", size,
		       strerror(errno));
		t_abort(t);
	}
	return p;
}

void *t_private_ram(struct test_ctx *t, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		t_fail(t, __FILE__, __LINE__, "mmap %zu bytes of private guest RAM: %s", size,
		       strerror(errno));
		t_abort(t);
	}
	madvise(p, size, MADV_NOHUGEPAGE);
	return p;
}

int t_open_path(struct test_ctx *t, const char *path)
{
	int fd = dev_open(path);

	if (fd < 0) {
		t_fail(t, __FILE__, __LINE__, "open %s: %s", path, strerror(-fd));
		t_abort(t);
	}
	return fd;
}

int t_open_dev(struct test_ctx *t)
{
	return t_open_path(t, t->dev);
}

int t_dev_create_vm(struct test_ctx *t, int sys_fd)
{
	int fd = dev_create_vm(sys_fd, 0);

	if (fd < 0) {
		t_fail(t, __FILE__, __LINE__, "KVM_CREATE_VM on %s: %s", t->dev, strerror(-fd));
		t_abort(t);
	}
	return fd;
}

void t_close(struct test_ctx *t, int fd)
{
	if (close(fd)) {
		t_fail(t, __FILE__, __LINE__, "close(%d): %s", fd, strerror(errno));
		t_abort(t);
	}
}

struct vm *t_vm_new_mem(struct test_ctx *t, uint64_t mem_size)
{
	const char *what;
	struct vm *vm;
	int r = __vm_create(t->dev, mem_size, &vm, &what);

	if (r)
		t_die(t, what, r);
	vm->t = t;
	vm->next_gpa = GUEST_ALLOC_START;
	return vm;
}

struct vm *t_vm_new(struct test_ctx *t)
{
	return t_vm_new_mem(t, GUEST_MEM_SIZE);
}

struct vcpu *t_bare_guest(struct test_ctx *t, size_t mem_size)
{
	const char *what;
	struct vcpu *g;
	int r = __bare_guest(t->dev, mem_size, &g, &what);

	if (r) {
		t_fail(t, __FILE__, __LINE__, "bare guest with %zu KiB: %s: %s", mem_size >> 10,
		       what, strerror(-r));
		t_abort(t);
	}
	g->vm->t = t;
	g->vm->next_gpa = GUEST_ALLOC_START;
	return g;
}

uint64_t vm_alloc(struct vm *vm, uint64_t bytes)
{
	uint64_t gpa = vm->next_gpa;
	uint64_t len = (bytes + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1);

	if (gpa + len > vm->mem_size) {
		t_fail(vm->t, __FILE__, __LINE__, "guest RAM exhausted (%#lx bytes)",
		       (unsigned long)vm->mem_size);
		t_abort(vm->t);
	}
	vm->next_gpa += len;
	memset(vm->mem + gpa, 0, len);
	return gpa;
}

void *vm_gpa2hva(struct vm *vm, uint64_t gpa)
{
	return gpa < vm->mem_size ? vm->mem + gpa : NULL;
}

void vm_load(struct vm *vm, uint64_t gpa, const void *src, size_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa) {
		t_fail(vm->t, __FILE__, __LINE__, "load %zu bytes at GPA %#lx: outside guest RAM",
		       len, (unsigned long)gpa);
		t_abort(vm->t);
	}
	memcpy(vm->mem + gpa, src, len);
}

/* The page-table entry for gva; intermediate tables are allocated if alloc. */
static uint64_t *vm_pte(struct vm *vm, uint64_t gva, bool alloc)
{
	uint64_t table = vm->pml4;

	for (int level = 3; level > 0; level--) {
		uint64_t *e = (uint64_t *)vm_gpa2hva(vm, table) + ((gva >> (12 + 9 * level)) & 511);

		if (!(*e & PTE_P)) {
			if (!alloc)
				return NULL;
			*e = vm_alloc(vm, GUEST_PAGE_SIZE) | PTE_P | PTE_W;
		}
		table = *e & PTE_ADDR;
	}
	return (uint64_t *)vm_gpa2hva(vm, table) + ((gva >> 12) & 511);
}

void vm_map(struct vm *vm, uint64_t gva, uint64_t gpa)
{
	*vm_pte(vm, gva, true) = (gpa & PTE_ADDR) | PTE_P | PTE_W;
}

void vm_map_ro(struct vm *vm, uint64_t gva, uint64_t gpa)
{
	*vm_pte(vm, gva, true) = (gpa & PTE_ADDR) | PTE_P;
}

void *vm_gva2hva(struct vm *vm, uint64_t gva)
{
	uint64_t *pte = vm->pml4 ? vm_pte(vm, gva, false) : NULL;

	if (!vm->pml4)			/* real mode: linear == physical */
		return vm_gpa2hva(vm, gva);
	if (!pte || !(*pte & PTE_P))
		return NULL;
	return vm_gpa2hva(vm, (*pte & PTE_ADDR) | (gva & (GUEST_PAGE_SIZE - 1)));
}

int vm_read_gva(struct vm *vm, uint64_t gva, void *buf, size_t len)
{
	while (len) {
		size_t chunk = GUEST_PAGE_SIZE - (gva & (GUEST_PAGE_SIZE - 1));
		const void *src = vm_gva2hva(vm, gva);

		if (!src)
			return -EFAULT;
		if (chunk > len)
			chunk = len;
		memcpy(buf, src, chunk);
		buf = (uint8_t *)buf + chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

void *t_vm_gva2hva(struct vm *vm, const volatile void *gva, size_t size)
{
	uint64_t start = (uintptr_t)gva;
	uint8_t *hva = vm_gva2hva(vm, start);

	/* The whole object must be in guest RAM, contiguous as seen from the host. */
	for (uint64_t off = GUEST_PAGE_SIZE - (start & (GUEST_PAGE_SIZE - 1));
	     hva && off < size; off += GUEST_PAGE_SIZE)
		if (vm_gva2hva(vm, start + off) != hva + off)
			hva = NULL;
	if (!hva) {
		t_fail(vm->t, __FILE__, __LINE__,
		       "guest object at %p (%zu bytes) is not in contiguous guest RAM", gva, size);
		t_abort(vm->t);
	}
	return hva;
}

/* Copy one PT_LOAD segment of the test binary into guest RAM, mapped at its address. */
static int map_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	struct vm *vm = data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t start = (info->dlpi_addr + ph->p_vaddr) & ~(GUEST_PAGE_SIZE - 1);
		uint64_t end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;

		if (ph->p_type != PT_LOAD)
			continue;
		for (uint64_t va = start; va < end; va += GUEST_PAGE_SIZE) {
			uint64_t *pte, gpa;

			if (va < vm->mem_size) {
				t_fail(vm->t, __FILE__, __LINE__,
				       "test binary at %#lx overlaps the identity-mapped guest RAM",
				       (unsigned long)va);
				t_abort(vm->t);
			}
			pte = vm_pte(vm, va, true);
			if (*pte & PTE_P)	/* a page shared by two segments */
				continue;
			gpa = vm_alloc(vm, GUEST_PAGE_SIZE);
			memcpy(vm->mem + gpa, (const void *)(uintptr_t)va, GUEST_PAGE_SIZE);
			*pte = gpa | PTE_P | PTE_W;
		}
	}
	return 1;	/* the executable comes first; a static binary has nothing else */
}

static void set_idt_gate(uint8_t *idt, int vector, uint64_t handler, unsigned int ist)
{
	uint64_t lo = (handler & 0xffff) | ((uint64_t)GDT_CODE64 << 16) |
		      ((uint64_t)(ist & 7) << 32) |
		      (0x8eull << 40) |		/* present, DPL 0, 64-bit interrupt gate */
		      ((handler >> 16 & 0xffff) << 48);
	uint64_t hi = handler >> 32;

	memcpy(idt + vector * 16, &lo, 8);
	memcpy(idt + vector * 16 + 8, &hi, 8);
}

void vm_set_idt_gate(struct vm *vm, unsigned int vector, const void *handler, unsigned int ist)
{
	vm_setup_long_mode(vm);
	set_idt_gate(vm_gpa2hva(vm, vm->idt), vector & 0xff, (uintptr_t)handler, ist);
}

void vm_set_tss_ist(struct vm *vm, unsigned int ist, uint64_t rsp)
{
	vm_setup_long_mode(vm);
	/* 64-bit TSS (SDM Vol. 3A 9.7): IST1..7 at byte 36 + 8 * (n - 1). */
	memcpy((uint8_t *)vm_gpa2hva(vm, vm->tss) + 36 + 8 * (ist - 1), &rsp, 8);
}

/* Page tables, the test binary, a GDT with a TSS, an IDT that reports exceptions. */
void vm_setup_long_mode(struct vm *vm)
{
	uint64_t *gdt, tss_lo, tss_hi;
	uint8_t *idt;

	if (vm->pml4)
		return;
	vm->pml4 = vm_alloc(vm, GUEST_PAGE_SIZE);
	dl_iterate_phdr(map_segment, vm);
	for (uint64_t pa = GUEST_PAGE_SIZE; pa < vm->mem_size; pa += GUEST_PAGE_SIZE)
		vm_map(vm, pa, pa);

	vm->tss = vm_alloc(vm, GUEST_PAGE_SIZE);
	vm->gdt = vm_alloc(vm, GUEST_PAGE_SIZE);
	gdt = vm_gpa2hva(vm, vm->gdt);
	gdt[GDT_CODE64 / 8] = GDT_DESC_CODE64;
	gdt[GDT_DATA / 8] = GDT_DESC_DATA;
	/* 64-bit TSS descriptor, busy (type 11), as TR must be in IA-32e mode */
	tss_lo = TSS_LIMIT | (vm->tss & 0xffffff) << 16 | 0x8bull << 40 |
		 (vm->tss >> 24 & 0xff) << 56;
	tss_hi = vm->tss >> 32;
	gdt[GDT_TSS / 8] = tss_lo;
	gdt[GDT_TSS / 8 + 1] = tss_hi;

	vm->idt = vm_alloc(vm, GUEST_PAGE_SIZE);
	idt = vm_gpa2hva(vm, vm->idt);
	for (int v = 0; v < IDT_VECTORS; v++)
		set_idt_gate(idt, v, (uintptr_t)guest_exc_stubs + 16 * v, 0);

}

const struct kvm_cpuid2 *vm_supported_cpuid(struct vm *vm)
{
	const struct kvm_cpuid2 *c;
	int r = __vm_supported_cpuid(vm, &c);

	if (r)
		t_die(vm->t, "KVM_GET_SUPPORTED_CPUID", r);
	return c;
}
