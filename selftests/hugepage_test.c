// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM on huge host pages, as KVM maps it: where the launcher's memory is a
 * transparent huge page (anonymous, MADV_HUGEPAGE) or a hugetlbfs page, and the slot's
 * guest and host addresses agree in their 2 MiB offset, one EPT leaf maps the whole 2 MiB.
 *  - the guest reads exactly what the launcher wrote, across the whole 2 MiB page, and the
 *    launcher (and a second mapping of a hugetlbfs memfd) sees what the guest wrote;
 *  - MADV_DONTNEED of one 4 KiB page inside a 2 MiB page the guest has mapped gives the
 *    guest zeros there and keeps the rest (the host splits its huge page; vmxmon zaps the
 *    2 MiB leaf, and the rest faults back in);
 *  - fork() (the huge page becomes copy-on-write) while the guest writes into it keeps the
 *    guest's and the launcher's views one and the child's copy untouched;
 *  - on vmxmon (debugfs "memory"): the 2 MiB leaves are there, and the partial
 *    MADV_DONTNEED removes the one it hit.
 * Where the L1 has no THP (or cannot reserve hugetlbfs pages), those parts skip. Modules
 * before huge-page support map 4 KiB leaves only: the debugfs test fails there (no
 * "memory" file; no 2 MiB leaf); the data tests pass on both (they check behaviour that
 * must not change), and on the pinned module before demand paging the MADV_DONTNEED one
 * fails (the guest keeps the old page).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/vmxmon.h>

#include "util.h"
#include "vm.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB	(21U << 26)
#endif

#define SLOT_GPA	0x40000000ull	/* 1 GiB: 2 MiB-aligned, above slot 0 */
#define HUGE		(2ull << 20)
#define DROP_OFF	0x42000ull	/* the 4 KiB page dropped inside the first 2 MiB */
#define MEMORY_PATH	"/sys/kernel/debug/vmxmon/memory"

#define PAT(off)	(0x9e57000000000000ull ^ ((off) * 0x9e3779b97f4a7c15ull))
#define PAT2(off)	(0x5a5a000000000000ull | (off))

/*
 * Scan [base, base + size) word by word, then report: words holding PAT, words holding 0,
 * the first zero word's offset and the first word that is neither (~0 if none); then
 * write PAT2 into the first word of each 4 KiB page and report again; then start over.
 */
static void GUEST_CODE guest_scan(uint64_t base, uint64_t size)
{
	for (;;) {
		uint64_t match = 0, zero = 0, first_zero = ~0ull, first_bad = ~0ull;

		for (uint64_t off = 0; off < size; off += 8) {
			uint64_t v = *(volatile uint64_t *)(base + off);

			if (v == PAT(off)) {
				match++;
			} else if (!v) {
				zero++;
				if (first_zero == ~0ull)
					first_zero = off;
			} else if (first_bad == ~0ull) {
				first_bad = off;
			}
		}
		GUEST_SYNC(match, zero, first_zero, first_bad);
		for (uint64_t off = 0; off < size; off += GUEST_PAGE_SIZE)
			*(volatile uint64_t *)(base + off) = PAT2(off);
		GUEST_SYNC(0);
	}
}

static void fill(uint8_t *mem, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += 8)
		*(uint64_t *)(mem + off) = PAT(off);
}

/* A guest running guest_scan() over slot 1 of @size at SLOT_GPA, backed by @hva. */
static struct vcpu *scanner(struct test_ctx *t, void *hva, uint64_t size)
{
	return t_guest_over_slot(t, GUEST_FN(guest_scan), SLOT_GPA, size, hva, GUEST_PAGE_SIZE);
}

/* One scan: every word PAT, but the [zero_from, zero_to) ones zero. */
static void expect_scan(struct test_ctx *t, struct vcpu *vcpu, uint64_t size, uint64_t zero_from,
			uint64_t zero_to)
{
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], (size - (zero_to - zero_from)) / 8);
	EXPECT_EQ(uc.args[1], (zero_to - zero_from) / 8);
	EXPECT_EQ(uc.args[2], zero_to > zero_from ? zero_from : ~0ull);
	EXPECT_EQ(uc.args[3], ~0ull);
}

/* The guest writes PAT2 into each page: the launcher reads it at @mem. */
static void expect_guest_writes(struct test_ctx *t, struct vcpu *vcpu, const uint8_t *mem,
				uint64_t size)
{
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	for (uint64_t off = 0; off < size; off += GUEST_PAGE_SIZE)
		if (*(const volatile uint64_t *)(mem + off) != PAT2(off)) {
			t_fail(t, __FILE__, __LINE__, "the launcher does not see the guest's write at +%#llx",
			       (unsigned long long)off);
			return;
		}
}

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define THP_DEFRAG	"/sys/kernel/mm/transparent_hugepage/defrag"

static char thp_was[2][64];

static void thp_restore(void)
{
	if (thp_was[0][0])
		write_file(THP_ENABLED, thp_was[0]);
	if (thp_was[1][0])
		write_file(THP_DEFRAG, thp_was[1]);
}

/* The word in [brackets] of a sysfs choice file, or "". */
static void thp_mode(const char *path, char *mode, size_t len)
{
	char buf[256], *a, *b;

	mode[0] = 0;
	if (read_file(path, buf, sizeof(buf)) || !(a = strchr(buf, '[')) || !(b = strchr(a, ']')) ||
	    (size_t)(b - a) > len)
		return;
	memcpy(mode, a + 1, b - a - 1);
	mode[b - a - 1] = 0;
}

/*
 * THP for MADV_HUGEPAGE regions: the kernel turns THP off on machines under 512 MiB (the
 * testbed's L1), which root may turn back on; thp_restore() at the end of the test.
 */
static void thp_on(struct test_ctx *t)
{
	char mode[64];

	thp_mode(THP_ENABLED, mode, sizeof(mode));
	if (!strcmp(mode, "never") && !write_file(THP_ENABLED, "madvise"))
		strcpy(thp_was[0], mode);
	thp_mode(THP_DEFRAG, mode, sizeof(mode));
	if (!strcmp(mode, "never") && !write_file(THP_DEFRAG, "madvise"))
		strcpy(thp_was[1], mode);
	t_log(t, "THP enabled for MADV_HUGEPAGE%s", thp_was[0][0] ? " (was never: set for this test)" : "");
}

/*
 * @size bytes of 2 MiB-aligned private anonymous memory, MADV_HUGEPAGE, filled with PAT. A
 * kernel without THP (the debug kernel of scripts/debug-kernel) refuses the madvise
 * (EINVAL): then 4 KiB pages, which the data tests check as well.
 */
static uint8_t *thp_ram(struct test_ctx *t, uint64_t size)
{
	uint8_t *p = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *a;

	ASSERT_TRUE(p != MAP_FAILED);
	a = (uint8_t *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
	if (madvise(a, size, MADV_HUGEPAGE))
		t_log(t, "madvise(MADV_HUGEPAGE): %s (no THP in this kernel): 4 KiB pages",
		      strerror(errno));
	fill(a, size);
	return a;
}

/* A "Name:   123 kB" line of @path, in KiB; -1 if absent. */
static long long kb_field(const char *path, const char *name)
{
	static char buf[8192];
	const char *p;

	if (read_file(path, buf, sizeof(buf)) || !(p = strstr(buf, name)))
		return -1;
	return atoll(p + strlen(name));
}

/* The process's anonymous memory in transparent huge pages, KiB. */
static long long anon_huge_kb(void)
{
	return kb_field("/proc/self/smaps_rollup", "AnonHugePages:");
}

/* vmxmon's 2 MiB (1 GiB) EPT leaves, all VMs; -1 without the debugfs file (older modules). */
static long long leaves_2m(void)
{
	return kb_field(MEMORY_PATH, "guest_2m_leaves:");
}

static long long leaves_1g(void)
{
	return kb_field(MEMORY_PATH, "guest_1g_leaves:");
}

/*
 * Free 2 MiB hugetlbfs pages, raising vm.nr_hugepages by @want if fewer are free (*@raised:
 * by how much, to undo with hugetlb_restore()). 0 if the L1 has none to give.
 */
static long long hugetlb_reserve(long long want, long long *raised)
{
	long long total = kb_field("/proc/meminfo", "HugePages_Total:");
	long long free_pages = kb_field("/proc/meminfo", "HugePages_Free:");
	char num[32];

	*raised = 0;
	if (total < 0 || kb_field("/proc/meminfo", "Hugepagesize:") != 2048)
		return 0;
	if (free_pages >= want)
		return free_pages;
	snprintf(num, sizeof(num), "%lld", total + want - free_pages);
	if (write_file("/proc/sys/vm/nr_hugepages", num))
		return 0;
	*raised = kb_field("/proc/meminfo", "HugePages_Total:") - total;
	return kb_field("/proc/meminfo", "HugePages_Free:");
}

static void hugetlb_restore(long long raised)
{
	char num[32];

	if (raised <= 0)
		return;
	snprintf(num, sizeof(num), "%lld", kb_field("/proc/meminfo", "HugePages_Total:") - raised);
	write_file("/proc/sys/vm/nr_hugepages", num);
}

/* A memfd of @size on 2 MiB hugetlbfs pages, mapped shared at *@mem; -1 if none. */
static int hugetlb_memfd(uint64_t size, uint8_t **mem)
{
	int fd = memfd_create("hugepage_test", MFD_HUGETLB | MFD_HUGE_2MB);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	*mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*mem == MAP_FAILED) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Two transparent huge pages of the launcher as slot 1: the guest reads every word the
 * launcher wrote, across both 2 MiB pages, and the launcher reads what the guest wrote.
 */
TEST_KVM_IDENTICAL(thp_backed_guest_ram_is_exact_across_the_2m_page)
{
	uint8_t *mem;
	struct vcpu *vcpu;

	thp_on(t);
	mem = thp_ram(t, 2 * HUGE);
	vcpu = scanner(t, mem, 2 * HUGE);
	t_log(t, "AnonHugePages: %lld kB", anon_huge_kb());
	expect_scan(t, vcpu, 2 * HUGE, 0, 0);
	expect_guest_writes(t, vcpu, mem, 2 * HUGE);
	thp_restore();
}

/*
 * The guest has read a transparent huge page; the launcher drops one 4 KiB page in it
 * (MADV_DONTNEED: the host splits the huge page and frees that page): the guest reads
 * zeros there and the launcher's data everywhere else, then writes through all of it.
 */
TEST_KVM_IDENTICAL(madv_dontneed_of_4k_inside_a_2m_page_zeroes_only_that_page)
{
	uint8_t *mem;
	struct vcpu *vcpu;
	struct ucall uc;

	thp_on(t);
	mem = thp_ram(t, HUGE);
	vcpu = scanner(t, mem, HUGE);
	expect_scan(t, vcpu, HUGE, 0, 0);
	vcpu_run_sync(vcpu, &uc);			/* the guest's PAT2 writes */
	fill(mem, HUGE);				/* PAT again, THP still whole */
	expect_scan(t, vcpu, HUGE, 0, 0);
	vcpu_run_sync(vcpu, &uc);			/* PAT2 writes, now mapped writable */
	fill(mem, HUGE);
	ASSERT_EQ(madvise(mem + DROP_OFF, GUEST_PAGE_SIZE, MADV_DONTNEED), 0);
	expect_scan(t, vcpu, HUGE, DROP_OFF, DROP_OFF + GUEST_PAGE_SIZE);
	expect_guest_writes(t, vcpu, mem, HUGE);
	thp_restore();
}

/* In a forked child: its copy of the huge page keeps PAT while the parent's guest writes. */
static int child_keeps_pat(const uint8_t *mem, uint64_t size)
{
	usleep(100 * 1000);
	for (uint64_t off = 0; off < size; off += 8)
		if (*(const volatile uint64_t *)(mem + off) != PAT(off))
			return 1;
	return 0;
}

/*
 * The guest has mapped a transparent huge page; the launcher forks (the page becomes
 * copy-on-write: the host write-protects it, the 2 MiB leaf goes) and the guest writes
 * into every 4 KiB page of it: the launcher sees the guest's writes and the guest the
 * launcher's, and the child's copy stays as it was at the fork.
 */
TEST_KVM_IDENTICAL(fork_of_a_thp_backed_guest_keeps_guest_and_launcher_views_one)
{
	uint8_t *mem;
	struct vcpu *vcpu;
	int status;
	pid_t pid;

	thp_on(t);
	mem = thp_ram(t, HUGE);
	vcpu = scanner(t, mem, HUGE);
	expect_scan(t, vcpu, HUGE, 0, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(child_keeps_pat(mem, HUGE));
	expect_guest_writes(t, vcpu, mem, HUGE);
	fill(mem, HUGE);
	expect_scan(t, vcpu, HUGE, 0, 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		t_fail(t, __FILE__, __LINE__, "the child's copy changed under it (status %#x)", status);
	thp_restore();
}

/*
 * A memfd on hugetlbfs (2 MiB pages; vm.nr_hugepages raised if none are free) as slot 1:
 * the guest reads the launcher's data and its writes show through a second mapping of
 * the file. Skips when the L1 cannot reserve two huge pages.
 */
TEST_KVM_IDENTICAL(hugetlbfs_backed_guest_ram_is_shared_with_the_launcher)
{
	long long raised, got = hugetlb_reserve(2, &raised);
	uint8_t *mem, *again;
	struct vcpu *vcpu;
	int fd;

	if (got < 2) {
		hugetlb_restore(raised);
		t_skip(t, "the L1 has no 2 MiB hugetlbfs pages to give (%lld free)", got);
	}
	fd = hugetlb_memfd(2 * HUGE, &mem);
	if (fd < 0) {
		hugetlb_restore(raised);
		t_skip(t, "memfd_create(MFD_HUGETLB | MFD_HUGE_2MB): %s", strerror(errno));
	}
	fill(mem, 2 * HUGE);
	vcpu = scanner(t, mem, 2 * HUGE);
	expect_scan(t, vcpu, 2 * HUGE, 0, 0);
	again = mmap(NULL, 2 * HUGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(again != MAP_FAILED);
	expect_guest_writes(t, vcpu, again, 2 * HUGE);
	vm_free(vcpu->vm);
	munmap(again, 2 * HUGE);
	munmap(mem, 2 * HUGE);
	close(fd);
	hugetlb_restore(raised);
}

/*
 * vmxmon's debugfs "memory" counts the 2 MiB EPT leaves: a guest reading two transparent
 * huge pages (or, without THP in the L1, two hugetlbfs pages) has two more while it runs;
 * MADV_DONTNEED of one 4 KiB page in one of them zaps that leaf (one fewer), and the
 * guest's next reads fault 4 KiB pages back where the host no longer maps 2 MiB.
 */
TEST_VMXMON_ONLY(huge_host_pages_are_mapped_with_2m_ept_leaves)
{
	long long before = leaves_2m(), during, raised = 0;
	const char *what = "transparent huge pages";
	struct vcpu *vcpu;
	uint8_t *mem;
	int fd = -1;

	ASSERT_GE(before, 0);		/* modules without huge pages: no such file */
	thp_on(t);
	mem = thp_ram(t, 2 * HUGE);
	if (anon_huge_kb() < 4096) {
		/* No THP here: hugetlbfs, if the L1 has pages to give. */
		if (hugetlb_reserve(2, &raised) < 2 || (fd = hugetlb_memfd(2 * HUGE, &mem)) < 0) {
			hugetlb_restore(raised);
			t_skip(t, "neither THP (AnonHugePages %lld kB) nor hugetlbfs pages in this L1",
			       anon_huge_kb());
		}
		fill(mem, 2 * HUGE);
		what = "hugetlbfs pages";
	}
	vcpu = scanner(t, mem, 2 * HUGE);
	expect_scan(t, vcpu, 2 * HUGE, 0, 0);
	during = leaves_2m();
	t_log(t, "%s: 2 MiB leaves %lld before the guest, %lld after its reads", what, before,
	      during);
	EXPECT_EQ(during, before + 2);
	if (fd < 0) {	/* hugetlbfs pages cannot be partly dropped */
		struct ucall uc;

		vcpu_run_sync(vcpu, &uc);		/* the guest's PAT2 writes */
		fill(mem, 2 * HUGE);
		ASSERT_EQ(madvise(mem + DROP_OFF, GUEST_PAGE_SIZE, MADV_DONTNEED), 0);
		EXPECT_EQ(leaves_2m(), before + 1);
		expect_scan(t, vcpu, 2 * HUGE, DROP_OFF, DROP_OFF + GUEST_PAGE_SIZE);
		/* The split page came back in 4 KiB leaves; the other stays 2 MiB. */
		EXPECT_EQ(leaves_2m(), before + 1);
	}
	vm_free(vcpu->vm);
	for (int i = 0; i < 100 && leaves_2m() != before; i++)
		usleep(20 * 1000);		/* the VM goes with its last fd */
	EXPECT_EQ(leaves_2m(), before);
	thp_restore();
	if (fd >= 0) {
		munmap(mem, 2 * HUGE);
		close(fd);
		hugetlb_restore(raised);
	}
}

/*
 * An EPT watchpoint on one 4 KiB page inside a 2 MiB page the guest has mapped with a 2 MiB
 * leaf (issue 19: "works at 4 KiB granularity under 2 MiB mappings"): adding the watch zaps
 * that leaf (the other 2 MiB stays), the guest's writes to every page then exit exactly once,
 * on the watched word, and land; the rest of the 2 MiB faults back in 4 KiB leaves. On
 * transparent huge pages, or on hugetlbfs pages where the L1 has no THP (the debug kernel
 * of scripts/debug-kernel: there the 4 KiB leaves then point into a hugetlb page).
 */
TEST_VMXMON_ONLY(ept_watch_inside_a_2m_leaf_splits_it_and_fires_on_the_watched_page)
{
	struct vmxmon_ept_watch w = {
		.gpa = SLOT_GPA + DROP_OFF, .len = 8, .flags = VMXMON_EPT_WATCH_WRITE,
	};
	long long before = leaves_2m(), raised = 0;
	struct vcpu *vcpu;
	struct ucall uc;
	uint8_t *mem;
	int hits = 0, fd = -1;

	ASSERT_GE(before, 0);
	thp_on(t);
	mem = thp_ram(t, 2 * HUGE);
	if (anon_huge_kb() < 4096) {
		/* No THP here: hugetlbfs, if the L1 has pages to give. */
		if (hugetlb_reserve(2, &raised) < 2 || (fd = hugetlb_memfd(2 * HUGE, &mem)) < 0) {
			hugetlb_restore(raised);
			thp_restore();
			t_skip(t, "neither THP (AnonHugePages %lld kB) nor hugetlbfs pages in this L1",
			       anon_huge_kb());
		}
		fill(mem, 2 * HUGE);
		t_log(t, "no THP in this L1: hugetlbfs pages");
	}
	vcpu = scanner(t, mem, 2 * HUGE);
	expect_scan(t, vcpu, 2 * HUGE, 0, 0);
	EXPECT_EQ(leaves_2m(), before + 2);
	ASSERT_EQ(ioctl(vcpu->vm->fd, VMXMON_ADD_EPT_WATCH, &w), 0);
	EXPECT_EQ(leaves_2m(), before + 1);		/* the watched page's leaf went */
	for (;;) {					/* the guest's PAT2 writes */
		const struct vmxmon_ept_watch_exit *x = vmxmon_run_ept_watch(vcpu->run);

		ASSERT_EQ(__vcpu_run(vcpu), 0);
		if (vcpu->run->exit_reason != VMXMON_EXIT_EPT_WATCH)
			break;
		EXPECT_EQ(x->gpa, SLOT_GPA + DROP_OFF);
		EXPECT_EQ(x->access, VMXMON_EPT_WATCH_WRITE);
		ASSERT_GT(10, ++hits);
	}
	EXPECT_EQ(vcpu_get_ucall(vcpu, &uc), UCALL_SYNC);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(*(volatile uint64_t *)(mem + DROP_OFF), PAT2(DROP_OFF));	/* it landed */
	EXPECT_EQ(leaves_2m(), before + 1);		/* the rest came back 4 KiB at a time */
	vm_free(vcpu->vm);
	thp_restore();
	if (fd >= 0) {
		munmap(mem, 2 * HUGE);
		close(fd);
		hugetlb_restore(raised);
	}
}

/* ---- 1 GiB pages ---- */

#define GIG		(1ull << 30)
#define PROBE_STRIDE	(64ull << 20)	/* 16 probes in 1 GiB */
#define GIG_POOL	"/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
#define GIG_FREE	"/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"

/* Read the word at every PROBE_STRIDE: how many hold PAT; then write PAT2 there. */
static void GUEST_CODE guest_probe(uint64_t base, uint64_t size)
{
	uint64_t match = 0;

	for (uint64_t off = 0; off < size; off += PROBE_STRIDE)
		match += *(volatile uint64_t *)(base + off) == PAT(off);
	for (uint64_t off = 0; off < size; off += PROBE_STRIDE)
		*(volatile uint64_t *)(base + off) = PAT2(off);
	GUEST_SYNC(match);
}

/*
 * A memfd on a 1 GiB hugetlbfs page (one reserved at boot, or the L1 allocates one if it
 * can: 1 GiB of contiguous free RAM, rarely there after boot) as a slot at a 1 GiB-aligned guest address: one 1 GiB EPT leaf,
 * and no 2 MiB ones, maps it; the guest reads and writes it through that leaf.
 */
TEST_VMXMON_ONLY(hugetlbfs_1g_page_is_mapped_with_one_1g_ept_leaf)
{
	long long before = leaves_1g(), before_2m = leaves_2m(), during;
	char was[32] = "", num[32], free_pages[32] = "";
	uint8_t *mem, *again;
	struct vcpu *vcpu;
	struct ucall uc;
	int fd;

	ASSERT_GE(before, 0);		/* modules without huge pages: no such line */
	if (read_file(GIG_POOL, was, sizeof(was)))
		t_skip(t, "the L1 has no 1 GiB huge pages (no %s)", GIG_POOL);
	/* One free (hugepagesz=1G hugepages=1 at boot), or try to allocate one now. */
	snprintf(num, sizeof(num), "%lld", atoll(was) + 1);
	if (read_file(GIG_FREE, free_pages, sizeof(free_pages)) || atoll(free_pages) < 1)
		write_file(GIG_POOL, num);
	fd = memfd_create("hugepage_test_1g", MFD_HUGETLB | (30U << 26));
	if (fd < 0 || ftruncate(fd, GIG) ||
	    (mem = mmap(NULL, GIG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		write_file(GIG_POOL, was);
		t_skip(t, "the L1 cannot reserve a 1 GiB huge page (%s)", strerror(errno));
	}
	for (uint64_t off = 0; off < GIG; off += PROBE_STRIDE)
		*(uint64_t *)(mem + off) = PAT(off);
	vcpu = t_guest_new(t, GUEST_FN(guest_probe), SLOT_GPA, GIG);
	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, SLOT_GPA, GIG, mem), 0);
	for (uint64_t off = 0; off < GIG; off += PROBE_STRIDE)
		vm_map(vcpu->vm, SLOT_GPA + off, SLOT_GPA + off);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], GIG / PROBE_STRIDE);
	during = leaves_1g();
	t_log(t, "1 GiB leaves %lld before the guest, %lld after; 2 MiB leaves %lld, %lld",
	      before, during, before_2m, leaves_2m());
	EXPECT_EQ(during, before + 1);
	EXPECT_EQ(leaves_2m(), before_2m);
	again = mmap(NULL, GIG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(again != MAP_FAILED);
	for (uint64_t off = 0; off < GIG; off += PROBE_STRIDE)
		EXPECT_EQ(*(volatile uint64_t *)(again + off), PAT2(off));
	vm_free(vcpu->vm);
	munmap(again, GIG);
	munmap(mem, GIG);
	close(fd);
	for (int i = 0; i < 100 && leaves_1g() != before; i++)
		usleep(20 * 1000);
	EXPECT_EQ(leaves_1g(), before);
	write_file(GIG_POOL, was);
}
