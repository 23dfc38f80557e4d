// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the guest-running library (lib/vm.c): the 64-bit address space it
 * builds in guest RAM, checked from the host without a device; the raw layer's error
 * paths (lib/kvm_util.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

extern const char guest_start[], guest_exc_stubs[];

static volatile uint64_t lib_test_global = 0x600dbeefcafe1234ull;

/* A struct vm with RAM but no device: enough for everything but ioctls. */
static struct vm *ram_only_vm(struct test_ctx *t)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	ASSERT_TRUE(vm != NULL);
	vm->t = t;
	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = aligned_alloc(GUEST_PAGE_SIZE, GUEST_MEM_SIZE);
	ASSERT_TRUE(vm->mem != NULL);
	vm->next_gpa = GUEST_ALLOC_START;
	vm_setup_long_mode(vm);
	return vm;
}

TEST_HOST(long_mode_maps_guest_ram_at_its_physical_addresses_except_page_0)
{
	struct vm *vm = ram_only_vm(t);

	EXPECT_TRUE(vm_gva2hva(vm, 0) == NULL);
	EXPECT_TRUE(vm_gva2hva(vm, 0xfff) == NULL);
	EXPECT_TRUE(vm_gva2hva(vm, 0x1000) == vm->mem + 0x1000);
	EXPECT_TRUE(vm_gva2hva(vm, GUEST_MEM_SIZE - 1) == vm->mem + GUEST_MEM_SIZE - 1);
	EXPECT_TRUE(vm_gva2hva(vm, 0xc0000000) == NULL);
	vm_map(vm, 0xc0000000, 0xc0000000);	/* mapped, but not guest RAM */
	EXPECT_TRUE(vm_gva2hva(vm, 0xc0000000) == NULL);
	EXPECT_TRUE(vm_gva2hva(vm, 0x1000) == vm->mem + 0x1000);
}

TEST_HOST(long_mode_maps_a_copy_of_the_test_binary_at_its_own_addresses)
{
	struct vm *vm = ram_only_vm(t);
	const uint8_t *code = vm_gva2hva(vm, (uintptr_t)guest_start);
	volatile uint64_t *copy = t_vm_gva2hva(vm, &lib_test_global, sizeof(lib_test_global));

	ASSERT_TRUE(code != NULL);
	EXPECT_EQ(memcmp(code, guest_start, 16), 0);
	EXPECT_TRUE((const void *)code != (const void *)guest_start);	/* a copy in guest RAM */
	EXPECT_TRUE((uint8_t *)copy >= vm->mem && (uint8_t *)copy < vm->mem + vm->mem_size);
	EXPECT_EQ(*copy, 0x600dbeefcafe1234ull);
	GUEST_VAR(vm, lib_test_global) = 7;
	EXPECT_EQ(*copy, 7);
	EXPECT_EQ(lib_test_global, 0x600dbeefcafe1234ull);
}

TEST_HOST(vm_read_gva_crosses_pages_and_stops_at_unmapped_ones)
{
	struct vm *vm = ram_only_vm(t);
	uint8_t buf[32];

	for (int i = 0; i < 32; i++)
		vm->mem[0x2ff0 + i] = (uint8_t)i;
	ASSERT_EQ(vm_read_gva(vm, 0x2ff0, buf, sizeof(buf)), 0);
	for (int i = 0; i < 32; i++)
		EXPECT_EQ(buf[i], i);
	EXPECT_EQ(vm_read_gva(vm, 0xff0, buf, sizeof(buf)), -14);	/* starts in page 0 */
	vm_map(vm, 0x80000000, 0x2000);			/* a lone page: the next is unmapped */
	EXPECT_EQ(vm_read_gva(vm, 0x80000ff0, buf, 16), 0);
	EXPECT_EQ(buf[0], 0);
	EXPECT_EQ(buf[15], 15);
	EXPECT_EQ(vm_read_gva(vm, 0x80000ff0, buf, sizeof(buf)), -14);
}

TEST_HOST(long_mode_gdt_and_idt_describe_what_the_vcpu_is_given)
{
	struct vm *vm = ram_only_vm(t);
	const uint64_t *gdt = vm_gpa2hva(vm, vm->gdt);
	const uint8_t *idt = vm_gpa2hva(vm, vm->idt);
	uint64_t code = gdt[GDT_CODE64 / 8], tss = gdt[GDT_TSS / 8], gate, handler;

	EXPECT_EQ(code >> 40 & 0xff, 0x9b);	/* present, ring 0, code, execute/read, accessed */
	EXPECT_EQ(code >> 53 & 3, 1);		/* L=1, D=0 */
	EXPECT_EQ(gdt[GDT_DATA / 8] >> 40 & 0xff, 0x93);
	EXPECT_EQ(tss >> 40 & 0xff, 0x8b);	/* present busy 64-bit TSS */
	EXPECT_EQ((tss >> 16 & 0xffffff) | (tss >> 56 & 0xff) << 24 | gdt[GDT_TSS / 8 + 1] << 32,
		  vm->tss);
	for (int v = 0; v < 32; v++) {
		memcpy(&gate, idt + 16 * v, 8);
		handler = (gate & 0xffff) | (gate >> 48 & 0xffff) << 16;
		memcpy(&gate, idt + 16 * v + 8, 8);
		handler |= gate << 32;
		EXPECT_EQ(handler, (uintptr_t)guest_exc_stubs + 16 * v);
	}
	memcpy(&gate, idt + 16 * 14, 8);
	EXPECT_EQ(gate >> 16 & 0xffff, GDT_CODE64);
	EXPECT_EQ(gate >> 40 & 0xff, 0x8e);	/* present 64-bit interrupt gate */
}

/* Open file descriptors of this process (/proc/self/fd, less the one reading it). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = -1;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 2;		/* . and .. */
}

TEST_HOST(raw_vm_create_names_the_failing_step_and_leaves_nothing_open)
{
	int fds = open_fds();
	const char *what = NULL;
	struct vcpu *vcpu = (struct vcpu *)1;
	struct vm *vm = (struct vm *)1;

	ASSERT_TRUE(fds > 0);
	EXPECT_EQ(__vm_create("/nonexistent/vmxmon", GUEST_MEM_SIZE, &vm, &what), -ENOENT);
	EXPECT_TRUE(vm == NULL);
	EXPECT_TRUE(what && !strcmp(what, "open"));
	/* A device that is not a hypervisor: the first ioctl fails, the fd is closed again. */
	EXPECT_EQ(__vm_create("/dev/null", GUEST_MEM_SIZE, &vm, &what), -ENOTTY);
	EXPECT_TRUE(vm == NULL);
	EXPECT_TRUE(what && !strcmp(what, "KVM_CREATE_VM"));
	EXPECT_EQ(__bare_guest("/dev/null", BARE_MIN_MEM, &vcpu, &what), -ENOTTY);
	EXPECT_TRUE(vcpu == NULL);
	EXPECT_EQ(open_fds(), fds);
}

TEST_HOST(exit_reason_names_come_from_the_shared_table)
{
	EXPECT_TRUE(!strcmp(exit_reason_name(KVM_EXIT_IO), "IO"));
	EXPECT_TRUE(!strcmp(exit_reason_name(KVM_EXIT_IRQ_WINDOW_OPEN), "IRQ_WINDOW_OPEN"));
	EXPECT_TRUE(!strcmp(exit_reason_name(KVM_EXIT_X86_WRMSR), "X86_WRMSR"));
	EXPECT_TRUE(!strcmp(exit_reason_name(KVM_EXIT_S390_SIEIC), "?"));	/* not x86 */
	EXPECT_TRUE(!strcmp(exit_reason_name(1000), "?"));
}
