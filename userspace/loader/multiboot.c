// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 (the Multiboot Specification 0.6.96): the header in the first 8 KiB, an ELF
 * image (program headers, loaded at their physical addresses) or the a.out kludge (flag
 * 16), one module (--initrd), the info structure with memory sizes, the memory map, the
 * command line and the loader name; entry in 32-bit protected mode, EAX = 0x2BADB002,
 * EBX = the info structure.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "../vm/vm.h"
#include "loader.h"

#define MB_MAGIC		0x1badb002u
#define MB_BOOT_MAGIC		0x2badb002u
#define MB_SEARCH		8192
#define MB_FLAG_PAGE_ALIGN	(1u << 0)
#define MB_FLAG_MEMINFO		(1u << 1)
#define MB_FLAG_VIDEO		(1u << 2)
#define MB_FLAG_AOUT		(1u << 16)
#define MBI_MEM			(1u << 0)
#define MBI_CMDLINE		(1u << 2)
#define MBI_MODS		(1u << 3)
#define MBI_MMAP		(1u << 6)
#define MBI_LOADER_NAME		(1u << 9)

struct mb_header {
	u32 magic, flags, checksum;
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;	/* a.out kludge */
} __attribute__((packed));

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr, config_table, boot_loader_name;
} __attribute__((packed));

struct mb_mod {
	u32 mod_start, mod_end, string, reserved;
} __attribute__((packed));

struct mb_mmap {
	u32 size;		/* of the rest of the entry: 20 */
	u64 addr, len;
	u32 type;
} __attribute__((packed));

/* Offset of a valid header in buf, or -1. */
static long mb__find(const u8 *buf, size_t len)
{
	for (size_t off = 0; off + sizeof(struct mb_header) <= MIN(len, MB_SEARCH); off += 4) {
		const struct mb_header *h = (const void *)(buf + off);

		if (h->magic == MB_MAGIC && h->magic + h->flags + h->checksum == 0)
			return (long)off;
	}
	return -1;
}

bool multiboot__probe(const u8 *buf, size_t len)
{
	return mb__find(buf, len) >= 0;
}

/* Copy file bytes to guest memory and zero the rest up to memsz. */
static int mb__place(struct vm *vm, u64 addr, const u8 *src, u64 filesz, u64 memsz,
		     char *msg, size_t msglen)
{
	u8 *dst = vm__gpa(vm, addr, memsz);

	if (!dst || addr < HIGH_RAM_START || filesz > memsz) {
		snprintf(msg, msglen, "multiboot: segment %#llx-%#llx is outside guest RAM above 1 MiB",
			 (unsigned long long)addr, (unsigned long long)(addr + memsz));
		return -1;
	}
	memcpy(dst, src, filesz);
	memset(dst + filesz, 0, memsz - filesz);
	return 0;
}

static int mb__load_aout(struct vm *vm, const u8 *buf, size_t len, long off,
			 const struct mb_header *h, u64 *entry, u64 *end, char *msg, size_t msglen)
{
	long file_off = off - (long)(h->header_addr - h->load_addr);
	u64 load_end = h->load_end_addr ? h->load_end_addr : h->load_addr + (len - file_off);
	u64 bss_end = MAX((u64)h->bss_end_addr, load_end);

	if (h->header_addr < h->load_addr || file_off < 0 || load_end < h->load_addr ||
	    (u64)file_off + (load_end - h->load_addr) > len) {
		snprintf(msg, msglen, "multiboot: a.out kludge addresses do not fit the file");
		return -1;
	}
	*entry = h->entry_addr;
	*end = bss_end;
	return mb__place(vm, h->load_addr, buf + file_off, load_end - h->load_addr,
			 bss_end - h->load_addr, msg, msglen);
}

/* Program header i of an ELF32 or ELF64 file, as ELF64 fields. */
static bool elf__phdr(const u8 *buf, size_t len, unsigned int i, Elf64_Phdr *p)
{
	if (buf[EI_CLASS] == ELFCLASS32) {
		const Elf32_Ehdr *e = (const void *)buf;
		Elf32_Phdr q;

		if (e->e_phoff + (u64)(i + 1) * sizeof(q) > len)
			return false;
		memcpy(&q, buf + e->e_phoff + i * sizeof(q), sizeof(q));
		*p = (Elf64_Phdr){ q.p_type, q.p_flags, q.p_offset, q.p_vaddr, q.p_paddr,
				   q.p_filesz, q.p_memsz, q.p_align };
		return true;
	}
	const Elf64_Ehdr *e = (const void *)buf;

	if (e->e_phoff + (u64)(i + 1) * sizeof(*p) > len)
		return false;
	memcpy(p, buf + e->e_phoff + i * sizeof(*p), sizeof(*p));
	return true;
}

static int mb__load_elf(struct vm *vm, const u8 *buf, size_t len, u64 *entry, u64 *end,
			char *msg, size_t msglen)
{
	bool is32 = len >= sizeof(Elf32_Ehdr) && buf[EI_CLASS] == ELFCLASS32;
	unsigned int phnum;
	Elf64_Phdr p;

	if (len < sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG) ||
	    (buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64)) {
		snprintf(msg, msglen, "multiboot: not an ELF file and no a.out kludge (flag 16)");
		return -1;
	}
	phnum = is32 ? ((const Elf32_Ehdr *)buf)->e_phnum : ((const Elf64_Ehdr *)buf)->e_phnum;
	*entry = is32 ? ((const Elf32_Ehdr *)buf)->e_entry : ((const Elf64_Ehdr *)buf)->e_entry;
	*end = 0;
	for (unsigned int i = 0; i < phnum; i++) {
		if (!elf__phdr(buf, len, i, &p)) {
			snprintf(msg, msglen, "multiboot: ELF program headers past the end of the file");
			return -1;
		}
		if (p.p_type != PT_LOAD || !p.p_memsz)
			continue;
		if (p.p_offset + p.p_filesz > len) {
			snprintf(msg, msglen, "multiboot: ELF segment %u past the end of the file", i);
			return -1;
		}
		if (mb__place(vm, p.p_paddr, buf + p.p_offset, p.p_filesz, p.p_memsz, msg, msglen))
			return -1;
		*end = MAX(*end, p.p_paddr + p.p_memsz);
	}
	if (*entry >= 1ULL << 32) {
		snprintf(msg, msglen, "multiboot: entry point %#llx above 4 GiB",
			 (unsigned long long)*entry);
		return -1;
	}
	return 0;
}

/* Append a string to the info area; returns its guest address. */
static u32 mb__string(u8 *area, u64 *used, const char *s)
{
	size_t n = strlen(s) + 1;
	u32 gpa = (u32)(MB_INFO + *used);

	memcpy(area + *used, s, n);
	*used = ALIGN_UP(*used + n, 8);
	return gpa;
}

/* The info structure, memory map and strings at MB_INFO. */
static void mb__info(struct vm *vm, const char *cmdline, u64 mod_addr, size_t mod_len,
		     const char *mod_name)
{
	u8 *area = vm__gpa(vm, MB_INFO, MB_INFO_SIZE);
	struct mb_info *mbi = (struct mb_info *)area;
	struct e820_entry e[32];
	unsigned int n = e820__map(vm, e, 32);
	u64 used = ALIGN_UP(sizeof(*mbi), 16);

	memset(area, 0, MB_INFO_SIZE);
	mbi->flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
	mbi->mem_lower = LOW_RAM_END >> 10;
	mbi->mem_upper = (u32)((vm->low_size - HIGH_RAM_START) >> 10);
	mbi->mmap_addr = (u32)(MB_INFO + used);
	for (unsigned int i = 0; i < n; i++) {
		struct mb_mmap m = { 20, e[i].addr, e[i].size, e[i].type };

		memcpy(area + used, &m, sizeof(m));
		used += sizeof(m);
	}
	mbi->mmap_length = n * sizeof(struct mb_mmap);
	used = ALIGN_UP(used, 16);
	mbi->cmdline = mb__string(area, &used, cmdline);
	mbi->boot_loader_name = mb__string(area, &used, "vmxrun");
	if (mod_len) {
		struct mb_mod mod = { (u32)mod_addr, (u32)(mod_addr + mod_len), 0, 0 };

		mod.string = mb__string(area, &used, mod_name);
		mbi->flags |= MBI_MODS;
		mbi->mods_count = 1;
		mbi->mods_addr = (u32)(MB_INFO + used);
		memcpy(area + used, &mod, sizeof(mod));
	}
}

int multiboot__load(struct vm *vm, const u8 *buf, size_t len, const u8 *mod, size_t mod_len,
		    const char *mod_name, const char *cmdline, struct boot_state *bs, char *msg,
		    size_t msglen)
{
	long off = mb__find(buf, len);
	const struct mb_header *h = (const void *)(buf + off);
	u64 entry, end, mod_addr = 0;
	int r;

	if (h->flags & MB_FLAG_VIDEO) {
		snprintf(msg, msglen, "multiboot: the kernel requires a video mode (flag 2): not supported");
		return -1;
	}
	if (h->flags & 0xfff8) {
		snprintf(msg, msglen, "multiboot: unknown required flags %#x", h->flags & 0xfff8);
		return -1;
	}
	if (strlen(cmdline) + strlen(mod_name) + 512 > MB_INFO_SIZE) {
		snprintf(msg, msglen, "multiboot: command line too long");
		return -1;
	}
	if (h->flags & MB_FLAG_AOUT) {
		if ((size_t)off + sizeof(*h) > len) {
			snprintf(msg, msglen, "multiboot: truncated header");
			return -1;
		}
		r = mb__load_aout(vm, buf, len, off, h, &entry, &end, msg, msglen);
	} else {
		r = mb__load_elf(vm, buf, len, &entry, &end, msg, msglen);
	}
	if (r)
		return r;
	if (mod_len) {
		mod_addr = ALIGN_UP(end, 4096);		/* page-aligned, as flag 0 may ask */
		if (mb__place(vm, mod_addr, mod, mod_len, mod_len, msg, msglen)) {
			snprintf(msg, msglen, "guest memory too small for the multiboot module");
			return -1;
		}
	}
	mb__info(vm, cmdline, mod_addr, mod_len, mod_name);
	*bs = (struct boot_state){ .mode = BOOT_PROT32, .rip = entry, .rax = MB_BOOT_MAGIC,
				   .rbx = MB_INFO, .rsp = BOOT_STACK_TOP };
	return x86__setup_tables(vm, BOOT_PROT32);
}
