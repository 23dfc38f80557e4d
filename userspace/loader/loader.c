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

/*
 * The guest's command line: --append plus tsc_early_khz= unless the user set it, placed
 * before a " -- " (what follows it is init's arguments).
 */
char *loader__cmdline(const char *append, u64 tsc_khz)
{
	const char *cut = NULL, *p;
	size_t head;
	char *s;

	append = append ? append : "";
	if (strstr(append, "tsc_early_khz=") || !tsc_khz)
		return strdup(append);
	if (!strncmp(append, "--", 2) && (append[2] == ' ' || !append[2]))
		cut = append;
	else if ((p = strstr(append, " --")) && (p[3] == ' ' || !p[3]))
		cut = p;
	head = cut ? (size_t)(cut - append) : strlen(append);
	if (asprintf(&s, "%.*s%stsc_early_khz=%llu%s%s", (int)head, append, head ? " " : "",
		     (unsigned long long)tsc_khz, cut == append ? " " : "", cut ? cut : "") < 0)
		return NULL;
	return s;
}

int loader__check(const struct boot_files *f, u64 ram_size, char *msg, size_t msglen)
{
	u8 head[8192];			/* the setup header, or where a multiboot header may be */
	u64 size = 0, rd_size = 0;
	size_t got = 0, none;
	char why[256] = "";
	char *cmdline;
	int r = 0;

	if (file__head(f->kernel, head, sizeof(head), &got, &size, why, sizeof(why))) {
		snprintf(msg, msglen, "vmxrun: --kernel %s: %s", f->kernel, why);
		return -1;
	}
	if (f->initrd && file__head(f->initrd, NULL, 0, &none, &rd_size, why, sizeof(why))) {
		snprintf(msg, msglen, "vmxrun: --initrd %s: %s", f->initrd, why);
		return -1;
	}
	if (bzimage__probe(head, got)) {
		/* tsc_early_khz= is added at boot: count it at its longest (10 GHz). */
		cmdline = loader__cmdline(f->cmdline, 9999999);
		r = cmdline ? bzimage__check(head, got, size, rd_size, strlen(cmdline) + 1,
					     MIN(ram_size, PCI_HOLE_START), why, sizeof(why)) : 0;
		free(cmdline);
	} else if (!multiboot__probe(head, got)) {
		snprintf(why, sizeof(why), "not a bzImage (no \"HdrS\" boot header) and no multiboot header in its first 8 KiB");
		r = -1;
	}
	if (r)
		snprintf(msg, msglen, "vmxrun: --kernel %s: %s", f->kernel, why);
	return r;
}

/*
 * A multiboot kernel gets its own name in front of its arguments, as GRUB and QEMU pass it
 * ("KERNEL ARGS"): kernels that parse the line into argv (kvm-unit-tests) take the first word
 * for argv[0], so `--append cpuid` must not become their argv[0].
 */
static int multiboot__load_named(struct vm *vm, const struct file_buf *k,
				 const struct file_buf *rd, const char *rd_name,
				 const struct boot_files *f, struct boot_state *bs, char *msg,
				 size_t msglen)
{
	size_t n = strlen(f->kernel) + 1 + strlen(f->cmdline) + 1;
	char *line = malloc(n);
	int r;

	if (!line) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	snprintf(line, n, *f->cmdline ? "%s %s" : "%s", f->kernel, f->cmdline);
	r = multiboot__load(vm, k->data, k->len, rd->data, rd->len, rd_name, line, bs, msg,
			    msglen);
	free(line);
	return r;
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
		r = multiboot__load_named(vm, &k, &rd, rd_name, f, bs, why, sizeof(why));
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
