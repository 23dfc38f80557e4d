// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the bzImage and multiboot loaders, e820 and the entry state. */
#include <asm/bootparam.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "host_vm.h"
#include "loader/loader.h"

#define SETUP_SECTS	4
#define KERNEL_LEN	0x10000

/* A synthetic bzImage: setup sectors with a 2.15 header, then a patterned kernel. */
static u8 *fake_bzimage(size_t *len, u16 version, u16 xloadflags)
{
	size_t setup = (SETUP_SECTS + 1) * 512;
	u8 *b = calloc(1, setup + KERNEL_LEN);
	struct setup_header *h = (struct setup_header *)(b + 0x1f1);

	*len = setup + KERNEL_LEN;
	h->setup_sects = SETUP_SECTS;
	h->boot_flag = 0xaa55;
	h->header = 0x53726448;
	h->version = version;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = xloadflags;
	h->cmdline_size = 2047;
	h->init_size = 4 * MiB;
	b[0x201] = 0x264 - 0x202;			/* end of the header (jump offset) */
	for (size_t i = 0; i < KERNEL_LEN; i++)
		b[setup + i] = (u8)(i * 7);
	return b;
}

TEST_HOST(bzimage_loads_kernel_zero_page_cmdline_initrd_e820)
{
	struct vm *vm = host_vm_new(64 * MiB);
	u8 initrd[8192], *k;
	struct boot_state bs;
	struct boot_params *bp;
	char msg[256] = "";
	size_t len;

	ASSERT_TRUE(vm);
	k = fake_bzimage(&len, 0x20f, XLF_KERNEL_64);
	memset(initrd, 0x5a, sizeof(initrd));
	vm->rsdp = 0xe0000;
	ASSERT_TRUE(bzimage__probe(k, len));
	ASSERT_EQ(bzimage__load(vm, k, len, initrd, sizeof(initrd), "console=ttyS0 quiet", &bs,
				msg, sizeof(msg)), 0);
	EXPECT_TRUE(!memcmp(vm__gpa(vm, 0x100000, KERNEL_LEN), k + (SETUP_SECTS + 1) * 512,
			    KERNEL_LEN));
	bp = vm__gpa(vm, BOOT_PARAMS, sizeof(*bp));
	EXPECT_EQ(bp->hdr.header, 0x53726448);
	EXPECT_EQ(bp->hdr.type_of_loader, 0xff);
	EXPECT_EQ(bp->hdr.cmd_line_ptr, BOOT_CMDLINE);
	EXPECT_TRUE(!strcmp(vm__gpa(vm, BOOT_CMDLINE, 32), "console=ttyS0 quiet"));
	vm->tsc_khz = 2500000;				/* Linux gets its TSC rate */
	ASSERT_EQ(bzimage__load(vm, k, len, initrd, sizeof(initrd), "quiet -- sh", &bs, msg,
				sizeof(msg)), 0);
	EXPECT_TRUE(!strcmp(vm__gpa(vm, BOOT_CMDLINE, 64), "quiet tsc_early_khz=2500000 -- sh"));
	EXPECT_EQ(bp->hdr.ramdisk_size, sizeof(initrd));
	EXPECT_EQ(bp->hdr.ramdisk_image, 64 * MiB - sizeof(initrd));	/* top of RAM, aligned */
	EXPECT_EQ(*(u8 *)vm__gpa(vm, bp->hdr.ramdisk_image, 1), 0x5a);
	EXPECT_EQ(bp->acpi_rsdp_addr, 0xe0000);
	EXPECT_EQ(bp->e820_entries, 4);
	EXPECT_EQ(bp->e820_table[0].addr, 0);
	EXPECT_EQ(bp->e820_table[0].size, 0x9fc00);
	EXPECT_EQ(bp->e820_table[0].type, 1);
	EXPECT_EQ(bp->e820_table[2].addr, 0xe0000);
	EXPECT_EQ(bp->e820_table[2].type, 2);
	EXPECT_EQ(bp->e820_table[3].addr, 0x100000);
	EXPECT_EQ(bp->e820_table[3].size, 63 * MiB);
	EXPECT_EQ(bs.mode, BOOT_LONG64);
	EXPECT_EQ(bs.rip, 0x100200);			/* 64-bit entry: code32_start + 0x200 */
	EXPECT_EQ(bs.rsi, BOOT_PARAMS);
	free(k);
	host_vm_free(vm);
}

TEST_HOST(bzimage_initrd_respects_initrd_addr_max)
{
	struct vm *vm = host_vm_new(64 * MiB);
	struct setup_header *h;
	struct boot_params *bp;
	struct boot_state bs;
	char msg[256] = "";
	u8 initrd[100] = { 0 };
	size_t len;
	u8 *k;

	ASSERT_TRUE(vm);
	k = fake_bzimage(&len, 0x20f, XLF_KERNEL_64);
	h = (struct setup_header *)(k + 0x1f1);
	h->initrd_addr_max = 32 * MiB - 1;
	ASSERT_EQ(bzimage__load(vm, k, len, initrd, sizeof(initrd), "", &bs, msg, sizeof(msg)), 0);
	bp = vm__gpa(vm, BOOT_PARAMS, sizeof(*bp));
	EXPECT_EQ(bp->hdr.ramdisk_image, 32 * MiB - 4096);
	free(k);
	host_vm_free(vm);
}

static void expect_reject(struct test_ctx *t, struct vm *vm, u8 *k, size_t len, u64 initrd_len,
			  const char *cmdline, const char *want)
{
	u8 *rd = calloc(1, initrd_len ? initrd_len : 1);
	struct boot_state bs;
	char msg[256] = "";

	EXPECT_EQ(bzimage__load(vm, k, len, rd, initrd_len, cmdline, &bs, msg, sizeof(msg)), -1);
	if (!strstr(msg, want))
		t_fail(t, __FILE__, __LINE__, "message \"%s\" lacks \"%s\"", msg, want);
	free(rd);
}

TEST_HOST(bzimage_rejections_name_the_problem)
{
	struct vm *vm = host_vm_new(16 * MiB);
	char longcmd[3000];
	size_t len;
	u8 *k;

	ASSERT_TRUE(vm);
	k = fake_bzimage(&len, 0x205, XLF_KERNEL_64);
	expect_reject(t, vm, k, len, 0, "", "boot protocol older than 2.06");
	free(k);
	k = fake_bzimage(&len, 0x20f, 0);
	expect_reject(t, vm, k, len, 0, "", "no 64-bit entry point");
	free(k);
	k = fake_bzimage(&len, 0x20f, XLF_KERNEL_64);
	((struct setup_header *)(k + 0x1f1))->init_size = 32 * MiB;
	expect_reject(t, vm, k, len, 0, "", "guest memory too small: the kernel needs 33 MiB");
	((struct setup_header *)(k + 0x1f1))->init_size = 4 * MiB;
	expect_reject(t, vm, k, len, 12 * MiB, "", "too small for the kernel (5 MiB) and the initrd (13 MiB)");
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = 0;
	expect_reject(t, vm, k, len, 0, longcmd, "command line too long: 2999 bytes, the kernel takes 2047");
	free(k);
	host_vm_free(vm);
}

/* A multiboot ELF32: header right after the ELF header, one PT_LOAD at 2 MiB. */
static u8 *fake_multiboot_elf(size_t *len, u32 mb_flags)
{
	size_t off = 0x1000, size = 0x3000;
	u8 *b = calloc(1, size);
	Elf32_Ehdr *e = (Elf32_Ehdr *)b;
	Elf32_Phdr *p = (Elf32_Phdr *)(b + sizeof(*e));
	u32 *mb = (u32 *)(b + 0x80);

	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS32;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_type = ET_EXEC;
	e->e_machine = EM_386;
	e->e_entry = 0x200010;
	e->e_phoff = sizeof(*e);
	e->e_phentsize = sizeof(*p);
	e->e_phnum = 1;
	p->p_type = PT_LOAD;
	p->p_offset = off;
	p->p_paddr = p->p_vaddr = 0x200000;
	p->p_filesz = 0x1000;
	p->p_memsz = 0x3000;			/* 8 KiB of bss */
	mb[0] = 0x1badb002;
	mb[1] = mb_flags;
	mb[2] = -(mb[0] + mb[1]);
	memset(b + off, 0x90, 0x1000);
	*len = size;
	return b;
}

TEST_HOST(multiboot_elf_loads_segments_info_mmap_and_module)
{
	struct vm *vm = host_vm_new(64 * MiB);
	u8 mod[5000], *k, *seg;
	struct boot_state bs;
	char msg[256] = "";
	u32 *mbi, *mods, *mmap;
	size_t len;

	ASSERT_TRUE(vm);
	k = fake_multiboot_elf(&len, 0x3);
	memset(mod, 0x42, sizeof(mod));
	ASSERT_TRUE(multiboot__probe(k, len));
	ASSERT_TRUE(!bzimage__probe(k, len));
	ASSERT_EQ(multiboot__load(vm, k, len, mod, sizeof(mod), "rd.img", "test arg", &bs, msg,
				  sizeof(msg)), 0);
	seg = vm__gpa(vm, 0x200000, 0x3000);
	EXPECT_EQ(seg[0], 0x90);
	EXPECT_EQ(seg[0x1fff], 0);			/* bss zeroed */
	EXPECT_EQ(bs.mode, BOOT_PROT32);
	EXPECT_EQ(bs.rip, 0x200010);
	EXPECT_EQ(bs.rax, 0x2badb002);
	EXPECT_EQ(bs.rbx, MB_INFO);
	mbi = vm__gpa(vm, MB_INFO, 88);
	EXPECT_EQ(mbi[0], (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9));
	EXPECT_EQ(mbi[1], 639);				/* mem_lower, KiB */
	EXPECT_EQ(mbi[2], 63 * 1024);			/* mem_upper, KiB above 1 MiB */
	EXPECT_TRUE(!strcmp(vm__gpa(vm, mbi[4], 9), "test arg"));
	EXPECT_EQ(mbi[5], 1);				/* one module */
	mods = vm__gpa(vm, mbi[6], 16);
	EXPECT_EQ(mods[0], 0x203000);			/* page-aligned after the bss */
	EXPECT_EQ(mods[1], 0x203000 + sizeof(mod));
	EXPECT_TRUE(!strcmp(vm__gpa(vm, mods[2], 7), "rd.img"));
	EXPECT_EQ(*(u8 *)vm__gpa(vm, mods[0], 1), 0x42);
	EXPECT_EQ(mbi[11], 4 * 24);			/* mmap_length: 4 entries */
	mmap = vm__gpa(vm, mbi[12], 24);
	EXPECT_EQ(mmap[0], 20);
	EXPECT_EQ(mmap[3], 0x9fc00);			/* first entry: low RAM */
	EXPECT_EQ(mmap[5], 1);
	EXPECT_TRUE(!strcmp(vm__gpa(vm, mbi[16], 7), "vmxrun"));
	free(k);
	host_vm_free(vm);
}

/* Write @len bytes to a new temporary file; its path (static buffer) or NULL. */
static const char *temp_file(const void *buf, size_t len)
{
	static char path[32];
	int fd;

	strcpy(path, "/tmp/loader_test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* GRUB and QEMU put the kernel's own name first: kvm-unit-tests read it as argv[0]. */
TEST_HOST(multiboot_command_line_starts_with_the_kernel_name)
{
	struct vm *vm = host_vm_new(64 * MiB);
	struct boot_state bs;
	char msg[256] = "", want[64];
	size_t len;
	u8 *k = fake_multiboot_elf(&len, 0x3);
	const char *path = temp_file(k, len);
	struct boot_files f = { path, NULL, "cpuid -v" };
	u32 *mbi;

	ASSERT_TRUE(vm && path);
	ASSERT_EQ(loader__load(vm, &f, &bs, msg, sizeof(msg)), 0);
	mbi = vm__gpa(vm, MB_INFO, 88);
	snprintf(want, sizeof(want), "%s cpuid -v", path);
	EXPECT_TRUE(!strcmp(vm__gpa(vm, mbi[4], strlen(want) + 1), want));
	f.cmdline = "";				/* no arguments: the name alone */
	ASSERT_EQ(loader__load(vm, &f, &bs, msg, sizeof(msg)), 0);
	mbi = vm__gpa(vm, MB_INFO, 88);
	EXPECT_TRUE(!strcmp(vm__gpa(vm, mbi[4], strlen(path) + 1), path));
	unlink(path);
	free(k);
	host_vm_free(vm);
}

TEST_HOST(multiboot_aout_kludge_and_rejections)
{
	struct vm *vm = host_vm_new(64 * MiB);
	u8 *k = calloc(1, 0x2000);
	u32 *mb = (u32 *)(k + 0x40);
	struct boot_state bs;
	char msg[256] = "";

	ASSERT_TRUE(vm && k);
	/* The file is loaded at 1 MiB, the header at file offset 0x40, 4 KiB of bss after it. */
	mb[0] = 0x1badb002;
	mb[1] = 1 << 16;
	mb[2] = -(mb[0] + mb[1]);
	mb[3] = 0x100040;			/* header_addr */
	mb[4] = 0x100000;			/* load_addr */
	mb[5] = 0;				/* load_end: the whole file */
	mb[6] = 0x103000;			/* bss_end */
	mb[7] = 0x100100;			/* entry */
	k[0x1fff] = 0xcc;
	ASSERT_EQ(multiboot__load(vm, k, 0x2000, NULL, 0, "", "", &bs, msg, sizeof(msg)), 0);
	EXPECT_EQ(bs.rip, 0x100100);
	EXPECT_EQ(*(u8 *)vm__gpa(vm, 0x101fff, 1), 0xcc);
	EXPECT_EQ(*(u32 *)vm__gpa(vm, 0x100040, 4), 0x1badb002);
	mb[1] = 1 << 2;				/* wants a video mode */
	mb[2] = -(mb[0] + mb[1]);
	EXPECT_EQ(multiboot__load(vm, k, 0x2000, NULL, 0, "", "", &bs, msg, sizeof(msg)), -1);
	EXPECT_TRUE(strstr(msg, "video mode") != NULL);
	mb[1] = 1 << 16;
	mb[2] = -(mb[0] + mb[1]);
	mb[4] = 0x1000;				/* below 1 MiB: refused */
	mb[3] = 0x1040;
	mb[7] = 0x1100;
	mb[6] = 0;
	EXPECT_EQ(multiboot__load(vm, k, 0x2000, NULL, 0, "", "", &bs, msg, sizeof(msg)), -1);
	EXPECT_TRUE(strstr(msg, "outside guest RAM") != NULL);
	free(k);
	host_vm_free(vm);
}

TEST_HOST(entry_state_long_mode_and_protected_mode)
{
	struct vm *vm = host_vm_new(16 * MiB);
	struct boot_state lm = { .mode = BOOT_LONG64, .rip = 0x100200, .rsi = BOOT_PARAMS };
	struct boot_state pm = { .mode = BOOT_PROT32, .rip = 0x100000, .rax = 0x2badb002 };
	struct kvm_sregs s;
	struct kvm_regs r;
	u64 *pt;

	ASSERT_TRUE(vm);
	ASSERT_EQ(x86__setup_tables(vm, BOOT_LONG64), 0);
	pt = vm__gpa(vm, BOOT_PML4, 6 * 4096);
	EXPECT_EQ(pt[0], BOOT_PML4 + 0x1003);
	EXPECT_EQ(pt[512 + 3], BOOT_PML4 + 0x5003);
	EXPECT_EQ(pt[1024 + 2047], (2047ULL << 21) | 0x83);	/* 2 MiB page below 4 GiB */
	memset(&s, 0, sizeof(s));
	x86__sregs(&lm, &s, false);
	x86__regs(&lm, &r);
	EXPECT_EQ(s.cs.selector, 0x10);
	EXPECT_EQ(s.cs.l, 1);
	EXPECT_EQ(s.ds.selector, 0x18);
	EXPECT_EQ(s.efer, (1 << 8) | (1 << 10));
	EXPECT_EQ(s.cr0 & 0x80000001, 0x80000001);
	EXPECT_EQ(s.cr3, BOOT_PML4);
	EXPECT_EQ(s.cr4 & (1 << 5), 1 << 5);
	EXPECT_EQ(s.tr.type, 0xb);
	EXPECT_EQ(s.apic_base, 0xfee00100);		/* BSP, globally disabled: PIC-only */
	x86__sregs(&lm, &s, true);
	EXPECT_EQ(s.apic_base, 0xfee00900);		/* BSP, enabled: in-kernel LAPIC */
	EXPECT_EQ(r.rip, 0x100200);
	EXPECT_EQ(r.rsi, BOOT_PARAMS);
	EXPECT_EQ(r.rflags, 2);
	x86__sregs(&pm, &s, false);
	x86__regs(&pm, &r);
	EXPECT_EQ(s.cs.selector, 0x08);
	EXPECT_EQ(s.cs.db, 1);
	EXPECT_EQ(s.cs.l, 0);
	EXPECT_EQ(s.efer, 0);
	EXPECT_EQ(s.cr0 & 0x80000001, 1);
	EXPECT_EQ(r.rax, 0x2badb002);
	host_vm_free(vm);
}

TEST_HOST(e820_splits_ram_around_the_pci_hole)
{
	struct vm vm = { .ram_size = 4 * GiB, .low_size = 3 * GiB };
	struct e820_entry e[8];

	ASSERT_EQ(e820__map(&vm, e, 8), 5);
	EXPECT_EQ(e[3].addr, 0x100000);
	EXPECT_EQ(e[3].addr + e[3].size, 3 * GiB);
	EXPECT_EQ(e[4].addr, 4 * GiB);
	EXPECT_EQ(e[4].size, 1 * GiB);
}

TEST_HOST(loader_names_files_that_are_no_kernel)
{
	struct vm *vm = host_vm_new(16 * MiB);
	struct boot_files f = { "/proc/self/exe", NULL, "" };
	struct boot_files missing = { "/nonexistent/bzImage", NULL, "" };
	struct boot_state bs;
	char msg[512] = "";

	ASSERT_TRUE(vm);
	f.kernel = "/etc/hostname";
	EXPECT_EQ(loader__load(vm, &f, &bs, msg, sizeof(msg)), -1);
	EXPECT_TRUE(strstr(msg, "vmxrun: --kernel /etc/hostname: not a bzImage") == msg);
	EXPECT_EQ(loader__load(vm, &missing, &bs, msg, sizeof(msg)), -1);
	EXPECT_TRUE(!strcmp(msg, "vmxrun: --kernel /nonexistent/bzImage: no such file or directory"));
	host_vm_free(vm);
}
