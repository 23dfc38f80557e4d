// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/file.h"
#include "../vm/vm.h"
#include "loader.h"

unsigned int e820__map(const struct vm *vm, struct e820_entry *e, unsigned int max)
{
	struct e820_entry all[] = {
		{ 0, LOW_RAM_END, 1 },
		{ LOW_RAM_END, 0xa0000 - LOW_RAM_END, 2 },		/* EBDA */
		{ BIOS_START, HIGH_RAM_START - BIOS_START, 2 },		/* BIOS area, ACPI */
		{ HIGH_RAM_START, vm->low_size - HIGH_RAM_START, 1 },
		{ HIGH_MEM_START, vm->ram_size - vm->low_size, 1 },
	};
	unsigned int n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(all) && n < max; i++)
		if (all[i].size)
			e[n++] = all[i];
	return n;
}

int loader__load(struct vm *vm, const struct boot_files *f, struct boot_state *bs, char *msg,
		 size_t msglen)
{
	struct file_buf k = { 0 }, rd = { 0 };
	const char *rd_name;
	char why[256] = "";
	int r = -1;

	if (file__read(f->kernel, &k, why, sizeof(why))) {
		snprintf(msg, msglen, "vmxrun: --kernel %s: %s", f->kernel, why);
		return -1;
	}
	if (f->initrd && file__read(f->initrd, &rd, why, sizeof(why))) {
		snprintf(msg, msglen, "vmxrun: --initrd %s: %s", f->initrd, why);
		goto out;
	}
	if (bzimage__probe(k.data, k.len)) {
		r = bzimage__load(vm, k.data, k.len, rd.data, rd.len, f->cmdline, bs, why,
				  sizeof(why));
	} else if (multiboot__probe(k.data, k.len)) {
		rd_name = f->initrd ? strrchr(f->initrd, '/') : NULL;
		rd_name = rd_name ? rd_name + 1 : f->initrd ? f->initrd : "";
		r = multiboot__load(vm, k.data, k.len, rd.data, rd.len, rd_name, f->cmdline, bs,
				    why, sizeof(why));
	} else {
		snprintf(why, sizeof(why), "not a bzImage (no \"HdrS\" boot header) and no multiboot header in its first 8 KiB");
	}
	if (r)
		snprintf(msg, msglen, "vmxrun: --kernel %s: %s", f->kernel, why);
out:
	free(k.data);
	free(rd.data);
	return r;
}
