// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM (--mem-backend): one mapping of ram_size bytes, 2 MiB-aligned so that the
 * guest-physical and host addresses of every slot share their 2 MiB offset (slot 0 at GPA
 * 0, slot 1 at 4 GiB, split at PCI_HOLE_START: all 1 GiB-aligned), which lets KVM and
 * vmxmon map 2 MiB EPT pages wherever the host has a huge page:
 *  - anon: private anonymous memory, MADV_HUGEPAGE (transparent huge pages where the host
 *    enables them); untouched pages cost nothing (NORESERVE, demand-faulted);
 *  - memfd: a memfd (shmem) mapped shared, for sharing guest RAM with another process;
 *  - hugetlbfs: a memfd on hugetlbfs pages of 2 MiB or 1 GiB (MFD_HUGETLB). The mapping
 *    reserves the pages at once: a host without enough free ones fails here, with what to
 *    do, rather than with SIGBUS when the guest touches RAM.
 * None is written before the guest runs: fresh memory is zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../options.h"
#include "vm.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif
#define RAM_MFD_HUGE(shift)	((unsigned int)(shift) << 26)	/* MFD_HUGE_2MB, _1GB */
#define RAM_ALIGN		(2ull << 20)

/* free_hugepages of the host's pool of @page-byte pages, or -1 if it has no such pool. */
static long ram__free_huge(u64 page)
{
	char path[96], buf[32];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/free_hugepages",
		 (unsigned long long)(page >> 10));
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f))
		n = atol(buf);
	if (f)
		fclose(f);
	return n;
}

/* @size bytes of address space at a RAM_ALIGN boundary, reserved (PROT_NONE), or NULL. */
static u8 *ram__reserve(u64 size)
{
	u8 *p = mmap(NULL, size + RAM_ALIGN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	u8 *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (u8 *)(((uintptr_t)p + RAM_ALIGN - 1) & ~(uintptr_t)(RAM_ALIGN - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + size + RAM_ALIGN - (a + size));
	return a;
}

static int ram__hugetlbfs(struct vm *vm, const struct vmxrun_opts *o, u64 size, char *msg,
			  size_t msglen)
{
	const char *unit = o->mem_page >> 30 ? "1 GiB" : "2 MiB";
	unsigned long long need = size / o->mem_page;
	long avail = ram__free_huge(o->mem_page);

	vm->ram_fd = memfd_create("vmxrun-ram",
				  MFD_CLOEXEC | MFD_HUGETLB | RAM_MFD_HUGE(o->mem_page >> 30 ? 30 : 21));
	if (vm->ram_fd < 0) {
		snprintf(msg, msglen, "vmxrun: --mem-backend %s: no hugetlbfs pages of %s on this host (%s)%s",
			 o->mem_backend_arg, unit, strerror(errno),
			 o->mem_page >> 30 ? ": 1 GiB pages need hugepagesz=1G on the host's kernel command line" : "");
		return -1;
	}
	if (ftruncate(vm->ram_fd, size)) {
		snprintf(msg, msglen, "vmxrun: --mem-backend %s: -m %s: %s", o->mem_backend_arg,
			 o->mem_arg, strerror(errno));
		return -1;
	}
	vm->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->ram_fd, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		snprintf(msg, msglen, "vmxrun: --mem-backend %s: -m %s needs %llu huge pages of %s, the host has %ld free (%s); reserve them as root: echo %llu > /sys/kernel/mm/hugepages/hugepages-%llukB/nr_hugepages",
			 o->mem_backend_arg, o->mem_arg, need, unit, avail < 0 ? 0 : avail,
			 strerror(errno), need, (unsigned long long)(o->mem_page >> 10));
		return -1;
	}
	return 0;
}

int ram__map(struct vm *vm, u64 size, char *msg, size_t msglen)
{
	const struct vmxrun_opts *o = vm->opts;
	int backend = o ? (int)o->mem_backend : MEM_ANON;
	u8 *at;

	vm->ram_fd = -1;
	if (backend == MEM_HUGETLBFS)
		return ram__hugetlbfs(vm, o, size, msg, msglen);
	at = ram__reserve(size);
	if (at && backend == MEM_MEMFD) {
		vm->ram_fd = memfd_create("vmxrun-ram", MFD_CLOEXEC);
		if (vm->ram_fd < 0 || ftruncate(vm->ram_fd, size)) {
			snprintf(msg, msglen, "vmxrun: --mem-backend memfd: %s", strerror(errno));
			munmap(at, size);
			return -1;
		}
		vm->ram = mmap(at, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			       vm->ram_fd, 0);
	} else if (at) {
		vm->ram = mmap(at, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	}
	if (!at || vm->ram == MAP_FAILED) {
		if (at)
			munmap(at, size);
		vm->ram = NULL;
		snprintf(msg, msglen, "vmxrun: cannot map %llu MiB of guest RAM: %s",
			 (unsigned long long)(size >> 20), strerror(errno));
		return -1;
	}
	madvise(vm->ram, size, MADV_HUGEPAGE);	/* 2 MiB EPT pages where possible */
	return 0;
}

void ram__unmap(struct vm *vm)
{
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
	if (vm->ram_fd >= 0)
		close(vm->ram_fd);
	vm->ram_fd = -1;
}

/*
 * Back to the host, and zero for the guest: private anonymous memory with MADV_DONTNEED, a
 * memfd by punching out its pages; hugetlbfs pages cannot go page by page (-EOPNOTSUPP).
 * The hypervisor follows the host mm (MMU notifiers), so the guest reads zeros after.
 */
int ram__discard(struct vm *vm, u8 *p, u64 len)
{
	u64 off = (u64)(p - vm->ram);

	if (p < vm->ram || off > vm->ram_size || len > vm->ram_size - off)
		return -EINVAL;
	if (vm->ram_fd < 0)
		return madvise(p, len, MADV_DONTNEED) ? -errno : 0;
	if (!vm->opts || vm->opts->mem_backend != MEM_MEMFD)
		return -EOPNOTSUPP;
	return fallocate(vm->ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			 (off_t)len) ? -errno : 0;
}

/* All guest RAM back to zero, and (except hugetlbfs, whose pages stay reserved) to the host. */
void ram__zero(struct vm *vm)
{
	if (ram__discard(vm, vm->ram, vm->ram_size))
		memset(vm->ram, 0, vm->ram_size);
}
