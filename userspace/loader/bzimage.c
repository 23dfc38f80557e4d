// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux x86 boot protocol (Documentation/x86/boot.rst), 64-bit entry: the protected-mode
 * kernel at 1 MiB, the zero page (struct boot_params) with the setup header copied from the
 * file, the command line, the e820 map, the initrd as high as initrd_addr_max allows, and
 * the vCPU in long mode at code32_start + 0x200 with %rsi pointing at the zero page.
 */
#include <asm/bootparam.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"
#include "loader.h"

#define SETUP_HDR_OFF	0x1f1
#define HDRS_MAGIC	0x53726448	/* "HdrS" */
#define KERNEL_LOAD	0x100000ULL

static const struct setup_header *hdr_of(const u8 *buf)
{
	return (const struct setup_header *)(buf + SETUP_HDR_OFF);
}

bool bzimage__probe(const u8 *buf, size_t len)
{
	return len >= 0x250 && hdr_of(buf)->header == HDRS_MAGIC;
}

/* What is wrong with this bzImage for a 64-bit boot, or NULL. */
static const char *bzimage__unsupported(const struct setup_header *h, size_t len,
					size_t setup_size)
{
	if (h->boot_flag != 0xaa55)
		return "no 0xAA55 boot flag";
	if (h->version < 0x206)
		return "boot protocol older than 2.06";
	if (!(h->loadflags & LOADED_HIGH))
		return "a zImage (loaded low), not a bzImage";
	if (h->version < 0x20c || !(h->xloadflags & XLF_KERNEL_64))
		return "no 64-bit entry point (XLF_KERNEL_64)";
	if (setup_size >= len)
		return "truncated: no protected-mode kernel after the setup sectors";
	return NULL;
}

/* The e820 map into the zero page. */
static void bzimage__e820(const struct vm *vm, struct boot_params *bp)
{
	struct e820_entry e[E820_MAX_ENTRIES_ZEROPAGE];
	unsigned int n = e820__map(vm, e, E820_MAX_ENTRIES_ZEROPAGE);

	for (unsigned int i = 0; i < n; i++) {
		bp->e820_table[i].addr = e[i].addr;
		bp->e820_table[i].size = e[i].size;
		bp->e820_table[i].type = e[i].type;
	}
	bp->e820_entries = n;
}

/*
 * Whether a bzImage of len bytes (header h), an initrd and a command line fit a guest with
 * low_size bytes of RAM below the PCI hole: 0, or -1 with *msg. *initrd_addr gets where the
 * initrd goes (0: no initrd). Called with just the file's header before anything is set up
 * (loader__check), and again when the kernel is loaded.
 */
static int bzimage__fits(const struct setup_header *h, u64 len, u64 initrd_len, size_t cmd_len,
			 u64 low_size, u64 *initrd_addr, char *msg, size_t msglen)
{
	size_t setup_size = ((size_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	u64 need = MAX(len > setup_size ? len - setup_size : 0, (u64)h->init_size);
	const char *why = bzimage__unsupported(h, len, setup_size);

	*initrd_addr = 0;
	if (why) {
		snprintf(msg, msglen, "not a bootable 64-bit bzImage: %s", why);
		return -1;
	}
	if (KERNEL_LOAD + need > low_size) {
		snprintf(msg, msglen, "guest memory too small: the kernel needs %llu MiB above 1 MiB",
			 (unsigned long long)(need >> 20) + 1);
		return -1;
	}
	if (cmd_len > h->cmdline_size + 1ULL || cmd_len > BOOT_CMDLINE_MAX) {
		snprintf(msg, msglen, "command line too long: %zu bytes, the kernel takes %u",
			 cmd_len - 1, h->cmdline_size);
		return -1;
	}
	if (initrd_len) {
		u64 top = MIN((u64)h->initrd_addr_max + 1, low_size);

		*initrd_addr = top > initrd_len ? ALIGN_DOWN(top - initrd_len, 4096) : 0;
		if (*initrd_addr < KERNEL_LOAD + need) {
			snprintf(msg, msglen, "guest memory too small for the kernel (%llu MiB) and the initrd (%llu MiB): try -m %lluM",
				 (unsigned long long)(need >> 20) + 1,
				 (unsigned long long)(initrd_len >> 20) + 1,
				 (unsigned long long)((KERNEL_LOAD + need + initrd_len) >> 20) + 16);
			return -1;
		}
	}
	return 0;
}

int bzimage__check(const u8 *head, size_t head_len, u64 len, u64 initrd_len, size_t cmd_len,
		   u64 low_size, char *msg, size_t msglen)
{
	u64 initrd_addr;

	if (head_len < SETUP_HDR_OFF + sizeof(struct setup_header)) {
		snprintf(msg, msglen, "not a bootable 64-bit bzImage: truncated setup header");
		return -1;
	}
	return bzimage__fits(hdr_of(head), len, initrd_len, cmd_len, low_size, &initrd_addr, msg,
			     msglen);
}

static int bzimage__place(struct vm *vm, const u8 *buf, size_t len, const u8 *initrd,
			  size_t initrd_len, const char *cmdline, struct boot_state *bs, char *msg,
			  size_t msglen)
{
	const struct setup_header *h = hdr_of(buf);
	size_t setup_size = ((size_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	size_t hdr_len = MIN(0x202 + (size_t)buf[0x201] - SETUP_HDR_OFF, sizeof(*h));
	u64 kernel_len = len - setup_size, initrd_addr = 0;
	size_t cmd_len = strlen(cmdline) + 1;
	struct boot_params *bp;
	void *dst;

	if (bzimage__fits(h, len, initrd_len, cmd_len, vm->low_size, &initrd_addr, msg, msglen))
		return -1;
	if (initrd_len)
		memcpy(vm__gpa(vm, initrd_addr, initrd_len), initrd, initrd_len);
	dst = vm__gpa(vm, KERNEL_LOAD, kernel_len);
	memcpy(dst, buf + setup_size, kernel_len);

	bp = vm__gpa(vm, BOOT_PARAMS, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, h, hdr_len);
	bp->hdr.type_of_loader = 0xff;			/* undefined loader */
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00 - 0x200;
	bp->hdr.code32_start = KERNEL_LOAD;
	bp->hdr.cmd_line_ptr = BOOT_CMDLINE;
	bp->hdr.ramdisk_image = (u32)initrd_addr;
	bp->hdr.ramdisk_size = (u32)initrd_len;
	bp->acpi_rsdp_addr = vm->rsdp;
	memcpy(vm__gpa(vm, BOOT_CMDLINE, cmd_len), cmdline, cmd_len);
	bzimage__e820(vm, bp);

	*bs = (struct boot_state){ .mode = BOOT_LONG64, .rip = KERNEL_LOAD + 0x200,
				   .rsi = BOOT_PARAMS, .rsp = BOOT_STACK_TOP };
	return x86__setup_tables(vm, BOOT_LONG64);
}

int bzimage__load(struct vm *vm, const u8 *buf, size_t len, const u8 *initrd, size_t initrd_len,
		  const char *cmdline, struct boot_state *bs, char *msg, size_t msglen)
{
	/* Linux's clock needs the TSC rate (tsc_early_khz=), before any init arguments. */
	char *full = loader__cmdline(cmdline, vm->tsc_khz);
	int r;

	if (!full) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	r = bzimage__place(vm, buf, len, initrd, initrd_len, full, bs, msg, msglen);
	free(full);
	return r;
}
