// SPDX-License-Identifier: GPL-2.0
/*
 * Observability: KVM_GET_STATS_FD (KVM's binary statistics: the file's layout, counters
 * that equal a guest's known exits, reads at any offset) and vmxmon's tracepoints (the
 * events of a guest with a known exit sequence, read from tracefs). The stats file is read
 * with the same reader as `vmxctl stat` (userspace/stats/kvm_stats.c), on /dev/kvm too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_stats.h"
#include "t_stats.h"
#include "util.h"
#include "vm.h"

#define NR_OUTS		100
#define NR_CPUIDS	1000
#define TEST_PORT	0x80
#define TEST_LEAF	0x4711		/* above the maximum: any answer will do */

static void check_layout(struct test_ctx *t, int sfd)
{
	const struct kvm_stats_header *h;
	struct kvm_stats s;
	int fl = fcntl(sfd, F_GETFL), fdfl = fcntl(sfd, F_GETFD);

	EXPECT_EQ(fl & O_ACCMODE, O_RDONLY);
	EXPECT_TRUE(fdfl & FD_CLOEXEC);
	t_stats_open(t, &s, sfd);
	h = &s.hdr;
	/* KVM's layout: header, id, descriptors, data, each right after the other. */
	EXPECT_EQ(h->flags, 0);
	EXPECT_EQ(h->name_size, 48);		/* KVM_STATS_NAME_SIZE */
	EXPECT_EQ(h->id_offset, sizeof(*h));
	EXPECT_EQ(h->desc_offset, h->id_offset + h->name_size);
	EXPECT_EQ(h->data_offset, h->desc_offset + h->num_desc * s.desc_size);
	EXPECT_GT(h->num_desc, 0);
	for (uint32_t i = 0; i < h->num_desc; i++) {
		const struct kvm_stats_desc *d = kvm_stats_desc(&s, i);

		/* Histograms aside, every statistic is one u64, and no two overlap. */
		if ((d->flags & KVM_STATS_TYPE_MASK) <= KVM_STATS_TYPE_PEAK) {
			EXPECT_EQ(d->size, 1);
			EXPECT_EQ(d->bucket_size, 0);
		}
		for (uint32_t j = 0; j < i; j++)
			if (kvm_stats_desc(&s, j)->offset == d->offset ||
			    !strcmp(kvm_stats_desc(&s, j)->name, d->name))
				t_fail(t, __FILE__, __LINE__, "%s and %s share an offset or name",
				       kvm_stats_desc(&s, j)->name, d->name);
		if ((d->flags & KVM_STATS_UNIT_MASK) == KVM_STATS_UNIT_SECONDS)
			EXPECT_LE(d->exponent, 0);
	}
	kvm_stats_free(&s);
}

TEST_KVM_IDENTICAL(stats_fd_vm_and_vcpu_files_have_kvm_binary_layout)
{
	struct vm *vm = t_vm_new(t);
	struct vcpu *vcpu = t_vcpu_add(vm, 0);
	int vsfd = t_stats_fd(t, vm->fd), csfd = t_stats_fd(t, vcpu->fd);
	struct kvm_stats s;

	check_layout(t, vsfd);
	check_layout(t, csfd);
	t_stats_open(t, &s, csfd);
	EXPECT_GE(kvm_stats_find(&s, "exits"), 0);
	EXPECT_GE(kvm_stats_find(&s, "io_exits"), 0);
	EXPECT_GE(kvm_stats_find(&s, "halt_exits"), 0);
	EXPECT_GE(kvm_stats_find(&s, "signal_exits"), 0);
	kvm_stats_free(&s);
	close(vsfd);
	close(csfd);
}

static void GUEST_CODE guest_outs_then_cpuids(void)
{
	uint32_t r[4];

	GUEST_SYNC(0);
	for (int i = 0; i < NR_OUTS; i++)
		guest_outb(TEST_PORT, i);
	GUEST_SYNC(1);
	for (int i = 0; i < NR_CPUIDS; i++)
		guest_cpuid(TEST_LEAF, 0, r);
	GUEST_SYNC(2);
}

/* 100 OUTs to userspace: io_exits grows by exactly that (+1: the ucall is an OUT too). */
TEST_KVM_IDENTICAL(stats_io_exits_count_each_port_io_exit)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_outs_then_cpuids), 0, 0);
	int sfd = t_stats_fd(t, vcpu->fd);
	uint64_t io0, exits0;
	struct kvm_stats s;

	t_stats_open(t, &s, sfd);
	vcpu_run_sync(vcpu, NULL);
	io0 = stat_now(t, &s, "io_exits");
	exits0 = stat_now(t, &s, "exits");
	for (int i = 0; i < NR_OUTS; i++) {
		vcpu_run_expect(vcpu, KVM_EXIT_IO);
		ASSERT_EQ(vcpu->run->io.port, TEST_PORT);
	}
	vcpu_run_sync(vcpu, NULL);
	EXPECT_EQ(stat_now(t, &s, "io_exits") - io0, NR_OUTS + 1);
	EXPECT_GE(stat_now(t, &s, "exits") - exits0, NR_OUTS + 1);
	kvm_stats_free(&s);
	close(sfd);
}

/*
 * vmxmon's own counters: per exit reason, per kvm_run reason, and the VM's file as the
 * sum of its vCPUs'.
 */
TEST_VMXMON_ONLY(stats_per_reason_counters_equal_guest_exits)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_outs_then_cpuids), 0, 0);
	int sfd = t_stats_fd(t, vcpu->fd), vsfd = t_stats_fd(t, vcpu->vm->fd);
	uint64_t user0, cpuid0, vm_cpuid0, run0;
	struct kvm_stats s, vs;

	t_stats_open(t, &s, sfd);
	t_stats_open(t, &vs, vsfd);
	vcpu_run_sync(vcpu, NULL);
	user0 = stat_now(t, &s, "user_exits_io");
	for (int i = 0; i < NR_OUTS; i++)
		vcpu_run_expect(vcpu, KVM_EXIT_IO);
	vcpu_run_sync(vcpu, NULL);
	EXPECT_EQ(stat_now(t, &s, "user_exits_io") - user0, NR_OUTS + 1);
	cpuid0 = stat_now(t, &s, "exits_cpuid");
	vm_cpuid0 = stat_now(t, &vs, "exits_cpuid");
	run0 = stat_now(t, &s, "user_exits");
	vcpu_run_sync(vcpu, NULL);		/* the CPUIDs: all in one KVM_RUN */
	EXPECT_EQ(stat_now(t, &s, "exits_cpuid") - cpuid0, NR_CPUIDS);
	EXPECT_EQ(stat_now(t, &vs, "exits_cpuid") - vm_cpuid0, NR_CPUIDS);
	EXPECT_EQ(stat_now(t, &s, "user_exits") - run0, 1);
	EXPECT_GE(stat_now(t, &s, "max_exits_per_run"), NR_CPUIDS);
	EXPECT_GT(stat_now(t, &s, "guest_cycles"), 0);
	EXPECT_GT(stat_now(t, &s, "host_cycles"), 0);
	EXPECT_EQ(stat_now(t, &vs, "vcpus"), 1);
	kvm_stats_free(&s);
	kvm_stats_free(&vs);
	close(sfd);
	close(vsfd);
}

/* read() and pread() as KVM's kvm_stats_read(): any offset, any size, 0 past the end. */
TEST_KVM_IDENTICAL(stats_fd_reads_at_offsets_partial_and_past_end)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	int sfd = t_stats_fd(t, vcpu->fd);
	struct kvm_stats_header h;
	size_t total, got = 0;
	uint8_t *whole, *pieces;
	char c;

	ASSERT_EQ(pread(sfd, &h, sizeof(h), 0), sizeof(h));
	/* Nothing runs: the counters stand still, so any two reads agree. */
	total = h.data_offset + 8 * 4096;
	whole = calloc(1, total);
	pieces = calloc(1, total);
	ASSERT_TRUE(whole && pieces);
	total = pread(sfd, whole, total, 0);
	EXPECT_GT(total, h.data_offset);
	EXPECT_EQ((total - h.data_offset) % 8, 0);
	/* read() in odd pieces moves the position and sees the same bytes. */
	for (ssize_t n; (n = read(sfd, pieces + got, 7)) > 0;)
		got += n;
	EXPECT_EQ(got, total);
	EXPECT_EQ(memcmp(whole, pieces, total), 0);
	EXPECT_EQ(read(sfd, &c, 1), 0);				/* at the end */
	/* pread at an offset inside the data, across the descriptor/data boundary. */
	EXPECT_EQ(pread(sfd, pieces, 16, h.data_offset - 8), 16);
	EXPECT_EQ(memcmp(pieces, whole + h.data_offset - 8, 16), 0);
	EXPECT_EQ(pread(sfd, pieces, 100, total - 3), 3);	/* partial at the end */
	EXPECT_EQ(pread(sfd, &c, 1, total), 0);
	EXPECT_EQ(pread(sfd, &c, 1, total + 4096), 0);
	EXPECT_EQ(pread(sfd, &c, 1, -1), -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(write(sfd, &c, 1), -1);			/* read-only */
	EXPECT_EQ(errno, EBADF);
	EXPECT_EQ(pread(sfd, &c, 0, 0), 0);
	free(whole);
	free(pieces);
	close(sfd);
}

/* The stats fd keeps its VM: it reads on after every other fd of the VM is closed. */
TEST_KVM_IDENTICAL(stats_fd_outlives_vm_and_vcpu_fds)
{
	int sys = t_open_dev(t), vmfd = t_dev_create_vm(t, sys);
	int cfd = ioctl(vmfd, KVM_CREATE_VCPU, 0), vsfd, csfd;
	struct kvm_stats s;

	ASSERT_GE(cfd, 0);
	vsfd = t_stats_fd(t, vmfd);
	csfd = t_stats_fd(t, cfd);
	close(cfd);
	close(vmfd);
	close(sys);
	t_stats_open(t, &s, csfd);
	EXPECT_EQ(stat_now(t, &s, "exits"), 0);
	kvm_stats_free(&s);
	t_stats_open(t, &s, vsfd);
	EXPECT_EQ(kvm_stats_read(&s), 0);
	kvm_stats_free(&s);
	close(csfd);
	close(vsfd);
}

static void GUEST_CODE guest_vmcalls(void)
{
	GUEST_SYNC(0);
	for (int i = 0; i < 5; i++)
		guest_vmcall(0x1234);		/* no such hypercall: -KVM_ENOSYS */
	GUEST_SYNC(1);
}

/* Every VMCALL is a hypercall to KVM's "hypercalls" counter, answered or not. */
TEST_KVM_IDENTICAL(stats_hypercalls_count_each_vmcall)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_vmcalls), 0, 0);
	int sfd = t_stats_fd(t, vcpu->fd);
	struct kvm_stats s;
	uint64_t before;

	t_stats_open(t, &s, sfd);
	vcpu_run_sync(vcpu, NULL);
	before = stat_now(t, &s, "hypercalls");
	vcpu_run_sync(vcpu, NULL);
	EXPECT_EQ(stat_now(t, &s, "hypercalls") - before, 5);
	kvm_stats_free(&s);
	close(sfd);
}

/* ---- tracepoints ---- */

#define TRACEFS "/sys/kernel/tracing"

static int tracefs_write(const char *file, const char *val)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -errno;
	close(fd);
	return r;
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void GUEST_CODE guest_traced(void)
{
	uint32_t r[4];
	uint64_t v;

	GUEST_SYNC(0);
	guest_outw(0x1f0, 0xbeef);
	for (int i = 0; i < 10; i++)
		guest_cpuid(TEST_LEAF, 0, r);
	guest_rdmsr_safe(0x1b, &v);		/* IA32_APIC_BASE: handled in the kernel */
	GUEST_SYNC(1);
}

/*
 * A guest with a known exit sequence, traced: the exit events name each reason, the pio
 * event decodes the port, size and direction, the msr event the index, the userspace exit
 * the kvm_run reason. Tracefs is mounted here if the L1 has not.
 */
TEST_VMXMON_ONLY(trace_events_record_a_known_exit_sequence)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_traced), 0, 0);
	size_t len = 0, cap = 1 << 20;
	char *text = malloc(cap);
	int fd;

	ASSERT_TRUE(text != NULL);
	if (access(TRACEFS "/trace", F_OK) && mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		t_skip(t, "no tracefs at " TRACEFS ": %s", strerror(errno));
	if (access(TRACEFS "/events/vmxmon", F_OK))
		t_fail(t, __FILE__, __LINE__, "no vmxmon events in " TRACEFS "/events");
	vcpu_run_sync(vcpu, NULL);
	ASSERT_EQ(tracefs_write("tracing_on", "0"), 0);
	ASSERT_EQ(tracefs_write("trace", ""), 0);		/* clear */
	ASSERT_EQ(tracefs_write("events/vmxmon/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("tracing_on", "1"), 0);
	vcpu_run_expect(vcpu, KVM_EXIT_IO);
	vcpu_run_sync(vcpu, NULL);
	tracefs_write("tracing_on", "0");
	tracefs_write("events/vmxmon/enable", "0");
	fd = open(TRACEFS "/trace", O_RDONLY);
	ASSERT_GE(fd, 0);
	for (ssize_t n; (n = read(fd, text + len, cap - len - 1)) > 0;)
		len += n;
	text[len] = 0;
	close(fd);
	tracefs_write("tracing_on", "1");	/* as tracefs starts: the buffer is left to read */
	t_trace(t, "%s", text);
	/* The OUT: an exit, decoded, and the return to userspace for it. */
	EXPECT_EQ(count_lines(text, "vmxmon_exit: vcpu 0 reason IO_INSTRUCTION"), 2);
	EXPECT_EQ(count_lines(text, "vmxmon_pio: vcpu 0 out port 0x1f0 size 2"), 1);
	EXPECT_EQ(count_lines(text, "vmxmon_pio: vcpu 0 out port 0x1000 size 4"), 1);
	EXPECT_EQ(count_lines(text, "vmxmon_userspace_exit: vcpu 0 reason IO ret 0"), 2);
	/* Ten CPUIDs, each one exit, none to userspace. */
	EXPECT_EQ(count_lines(text, "vmxmon_exit: vcpu 0 reason CPUID"), 10);
	EXPECT_EQ(count_lines(text, "vmxmon_msr: vcpu 0 rdmsr msr 0x1b data 0xfee00"), 1);
	EXPECT_GE(count_lines(text, "vmxmon_entry: vcpu 0 rip 0x"), 13);
	if (t_failed(t))
		t_log(t, "trace:\n%s", text);
	free(text);
}
