/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel loaders: the Linux x86 boot protocol (bzImage, 64-bit entry) and multiboot v1
 * (ELF or a.out kludge). A loader fills guest memory and says how the vCPU enters it.
 */
#ifndef VMXRUN_LOADER_LOADER_H
#define VMXRUN_LOADER_LOADER_H

#include <linux/kvm.h>

#include "../util/types.h"

struct vm;

enum boot_mode {
	BOOT_LONG64,		/* 64-bit, paging on (identity map of the first 4 GiB) */
	BOOT_PROT32,		/* 32-bit protected mode, paging off (multiboot) */
};

struct boot_state {
	enum boot_mode mode;
	u64 rip, rsp, rsi, rax, rbx;
};

/* What to load: the kernel file, an initrd (a multiboot module), the command line. */
struct boot_files {
	const char *kernel;
	const char *initrd;	/* NULL: none */
	const char *cmdline;
};

/* Guest-physical places the loaders use below 1 MiB. */
#define BOOT_GDT		0x500ULL
#define BOOT_PARAMS		0x7000ULL	/* Linux zero page */
#define BOOT_STACK_TOP		0x9000ULL
#define BOOT_PML4		0x9000ULL	/* then PDPT, and 4 page directories */
#define BOOT_CMDLINE		0x20000ULL
#define BOOT_CMDLINE_MAX	0x10000ULL
#define MB_INFO			0x30000ULL	/* multiboot info, memory map, strings */
#define MB_INFO_SIZE		0x10000ULL

/* GDT selectors (the Linux boot protocol wants __BOOT_CS 0x10 and __BOOT_DS 0x18). */
#define SEL_CODE32		0x08
#define SEL_CODE64		0x10
#define SEL_DATA		0x18
#define SEL_TSS			0x20

/*
 * Before anything is set up: that the files can be read and the kernel is one we boot, into
 * ram_size bytes of guest RAM with this initrd and command line. 0, or -1 with *msg.
 */
int loader__check(const struct boot_files *files, u64 ram_size, char *msg, size_t msglen);
/* Load the kernel that files->kernel names (format from its header). 0 or -errno + *msg. */
int loader__load(struct vm *vm, const struct boot_files *files, struct boot_state *bs,
		 char *msg, size_t msglen);

/*
 * The guest's command line (malloc'ed): append plus tsc_early_khz=tsc_khz unless append sets
 * it, placed before a "--" (the words after it are init's arguments).
 */
char *loader__cmdline(const char *append, u64 tsc_khz);

/* The formats, for loader__load and the tests; buf is the whole file. */
bool bzimage__probe(const u8 *buf, size_t len);
/* The checks of bzimage__load on the file's first head_len bytes and its length len. */
int bzimage__check(const u8 *head, size_t head_len, u64 len, u64 initrd_len, size_t cmd_len,
		   u64 low_size, char *msg, size_t msglen);
int bzimage__load(struct vm *vm, const u8 *buf, size_t len, const u8 *initrd, size_t initrd_len,
		  const char *cmdline, struct boot_state *bs, char *msg, size_t msglen);
bool multiboot__probe(const u8 *buf, size_t len);
int multiboot__load(struct vm *vm, const u8 *buf, size_t len, const u8 *mod, size_t mod_len,
		    const char *mod_name, const char *cmdline, struct boot_state *bs, char *msg,
		    size_t msglen);

/* E820 map of the VM (type 1 RAM, 2 reserved); returns the number of entries. */
struct e820_entry {
	u64 addr, size;
	u32 type;
};
unsigned int e820__map(const struct vm *vm, struct e820_entry *e, unsigned int max);

/* The GDT (and for BOOT_LONG64 the identity page tables) in guest memory. */
int x86__setup_tables(struct vm *vm, enum boot_mode mode);
/*
 * The entry state in KVM's terms (sregs as read from KVM_GET_SREGS, updated in place); apic:
 * the BSP's local APIC enabled in IA32_APIC_BASE (in-kernel LAPIC), else globally disabled.
 */
void x86__sregs(const struct boot_state *bs, struct kvm_sregs *s, bool apic);
void x86__regs(const struct boot_state *bs, struct kvm_regs *r);

#endif
