// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of the selftest library's parsers (no device needed). */
#include <errno.h>
#include <string.h>

#include "kmsg.h"
#include "meminfo.h"
#include "status.h"
#include "util.h"

static const char status_good[] =
	"vms: 2\n"
	"vmx_users: 1\n"
	"pages: 3\n"
	"cpu0: vmx=on vmxon=5 vmxoff=4 loaded_vmcs=0\n"
	"cpu2: vmx=off vmxon=18446744073709551615 vmxoff=0 loaded_vmcs=7\n";

TEST_HOST(status_parse_reads_every_field)
{
	struct vmxmon_status s;
	char err[256] = "";

	ASSERT_EQ(status_parse(status_good, &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.vms, 2);
	EXPECT_EQ(s.vmx_users, 1);
	EXPECT_EQ(s.pages, 3);
	ASSERT_EQ(s.nr_cpus, 2);
	EXPECT_EQ(s.cpu[0].cpu, 0);
	EXPECT_TRUE(s.cpu[0].vmx_on);
	EXPECT_EQ(s.cpu[0].vmxon, 5);
	EXPECT_EQ(s.cpu[0].vmxoff, 4);
	EXPECT_EQ(s.cpu[1].cpu, 2);
	EXPECT_TRUE(!s.cpu[1].vmx_on);
	EXPECT_TRUE(s.cpu[1].vmxon == ~0ULL);
	EXPECT_EQ(s.cpu[1].loaded_vmcs, 7);
	EXPECT_TRUE(status_cpu(&s, 2) == &s.cpu[1]);
	EXPECT_TRUE(status_cpu(&s, 1) == NULL);
	EXPECT_TRUE(!s.has_guest_pages);
}

/* Issue 17: the per-CPU mode (own, shared with another hypervisor) and its counters. */
TEST_HOST(status_parse_reads_the_share_mode)
{
	static const char text[] =
		"vms: 1\nvmx_users: 1\npages: 9\n"
		"cpu0: vmx=on vmxon=0 vmxoff=0 loaded_vmcs=0 mode=shared shared=3 takeover=0\n"
		"cpu1: vmx=on vmxon=2 vmxoff=1 loaded_vmcs=1 mode=own shared=1 takeover=1\n";
	static const char bad[] =
		"vms: 1\nvmx_users: 1\npages: 9\n"
		"cpu0: vmx=on vmxon=0 vmxoff=0 loaded_vmcs=0 mode=borrowed shared=3 takeover=0\n";
	struct vmxmon_status s;
	char err[256] = "";

	ASSERT_EQ(status_parse(text, &s, err, sizeof(err)), 0);
	ASSERT_EQ(s.nr_cpus, 2);
	EXPECT_TRUE(s.cpu[0].shared);
	EXPECT_EQ(s.cpu[0].shared_count, 3);
	EXPECT_TRUE(!s.cpu[1].shared);
	EXPECT_EQ(s.cpu[1].takeovers, 1);
	EXPECT_EQ(status_parse(bad, &s, err, sizeof(err)), -EPROTO);
}

TEST_HOST(status_parse_reads_guest_pages_and_notifiers)
{
	static const char text[] =
		"vms: 1\nvmx_users: 1\npages: 9\nguest_pages_mapped: 256\nmmu_notifiers: 2\n"
		"cpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=1\n";
	static const char half[] =
		"vms: 1\nvmx_users: 1\npages: 9\nguest_pages_mapped: 256\n"
		"cpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=1\n";
	struct vmxmon_status s;
	char err[256] = "";

	ASSERT_EQ(status_parse(text, &s, err, sizeof(err)), 0);
	EXPECT_TRUE(s.has_guest_pages);
	EXPECT_EQ(s.guest_pages_mapped, 256);
	EXPECT_EQ(s.mmu_notifiers, 2);
	EXPECT_EQ(s.nr_cpus, 1);
	/* one line without the other: not reported as there */
	ASSERT_EQ(status_parse(half, &s, err, sizeof(err)), 0);
	EXPECT_TRUE(!s.has_guest_pages);
}

TEST_HOST(status_parse_rejects_format_drift)
{
	static const char *const bad[] = {
		"",
		"vms: 0\nvmx_users: 0\npages: 0\n",				/* no cpu line */
		"vms: 0\nvmx_users: 0\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0", /* no \n */
		"vmx_users: 0\nvms: 0\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0\n",
		"vms: 0\nvmx_users: 2\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0\n",
		"vms:0\nvmx_users: 0\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0\n",
		"vms: -1\nvmx_users: 0\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0\n",
		"vms: 0\nvmx_users: 0\npages: 0\ncpu0: vmx=yes vmxon=1 vmxoff=0 loaded_vmcs=0\n",
		"vms: 0\nvmx_users: 0\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0\n",
		"vms: 0\nvmx_users: 0\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0 x\n",
		"vms: 0\nvmx_users: 0\npages: 0\ncpu0: vmx=on  vmxon=1 vmxoff=0 loaded_vmcs=0\n",
		"vms: 0\nvmx_users: 0\npages: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0\n"
		"cpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0\n",		/* CPU twice */
		"vms: 0\nvmx_users: 0\npages: 0\ncpu0: vmx=on vmxon=18446744073709551616 vmxoff=0 loaded_vmcs=0\n",
		"vms: 0\nvmx_users: 0\npages: 0\nvcpus: 0\ncpu0: vmx=on vmxon=1 vmxoff=0 loaded_vmcs=0\n",
	};
	struct vmxmon_status s;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char err[256] = "";
		int r = status_parse(bad[i], &s, err, sizeof(err));

		if (r != -EPROTO)
			t_fail(t, __FILE__, __LINE__, "sample %zu: expected -EPROTO, got %d", i, r);
		else if (!err[0])
			t_fail(t, __FILE__, __LINE__, "sample %zu: no description of the error", i);
	}
}

TEST_HOST(meminfo_field_finds_exact_names)
{
	static const char text[] =
		"MemTotal:         506792 kB\n"
		"MemFree:          400000 kB\n"
		"MemAvailable:     420000 kB\n"
		"Slab:              20000 kB\n"
		"SReclaimable:       8000 kB\n"
		"SUnreclaim:        12000 kB\n";
	long long kb = -1;

	EXPECT_EQ(meminfo_field(text, "MemAvailable", &kb), 0);
	EXPECT_EQ(kb, 420000);
	EXPECT_EQ(meminfo_field(text, "SUnreclaim", &kb), 0);
	EXPECT_EQ(kb, 12000);
	EXPECT_EQ(meminfo_field(text, "Mem", &kb), -ENOENT);	/* not a prefix match */
	EXPECT_EQ(meminfo_field(text, "HugePages_Total", &kb), -ENOENT);
}

TEST_HOST(zoneinfo_pcp_sums_every_cpu_of_every_zone)
{
	static const char text[] =
		"Node 0, zone      DMA\n"
		"  pages free     3968\n"
		"  pagesets\n"
		"    cpu: 0\n"
		"              count: 0\n"
		"              high:  0\n"
		"Node 0, zone    DMA32\n"
		"  pagesets\n"
		"    cpu: 0\n"
		"              count: 78\n"
		"              high:  3321\n"
		"    cpu: 1\n"
		"              count: 22\n"
		"              batch: 63\n";

	EXPECT_EQ(zoneinfo_pcp_pages(text), 100);
}

TEST_HOST(cpuinfo_flag_is_a_whole_word_of_the_flags_line)
{
	static const char intel[] =
		"processor\t: 0\nmodel name\t: Intel(R) Core(TM) i7-4770\n"
		"flags\t\t: fpu vme de pse tsc msr vmx est tm2\nvmx flags\t: vnmi ept\n";
	static const char amd[] =
		"processor\t: 0\nflags\t\t: fpu svm vmxx avx\nvmx flags\t: ept\n";

	EXPECT_TRUE(cpuinfo_has_flag(intel, "vmx"));
	EXPECT_TRUE(cpuinfo_has_flag(intel, "tm2"));
	EXPECT_TRUE(!cpuinfo_has_flag(intel, "ept"));	/* only in "vmx flags" */
	EXPECT_TRUE(!cpuinfo_has_flag(amd, "vmx"));
	EXPECT_TRUE(cpuinfo_has_flag(amd, "svm"));
}

TEST_HOST(cpulist_parse_handles_ranges_and_lists)
{
	int ids[8];

	ASSERT_EQ(cpulist_parse("0\n", ids, 8), 1);
	EXPECT_EQ(ids[0], 0);
	ASSERT_EQ(cpulist_parse("0-2,5,7-8\n", ids, 8), 6);
	EXPECT_EQ(ids[2], 2);
	EXPECT_EQ(ids[3], 5);
	EXPECT_EQ(ids[5], 8);
	EXPECT_EQ(cpulist_parse("0-8", ids, 8), -ERANGE);
	EXPECT_EQ(cpulist_parse("3-1", ids, 8), -EINVAL);
	EXPECT_EQ(cpulist_parse("", ids, 8), -EINVAL);
	EXPECT_EQ(cpulist_parse("1,,2", ids, 8), -EINVAL);
	EXPECT_EQ(cpulist_parse("x", ids, 8), -EINVAL);
}

TEST_HOST(kmsg_record_message_strips_header_and_dict)
{
	static const char rec[] = "4,1234,5678901,-;vmxmon: VMX already in use by another hypervisor\n"
				  " SUBSYSTEM=misc\n";
	const char *msg;
	size_t len;

	ASSERT_EQ(kmsg_record_message(rec, sizeof(rec) - 1, &msg, &len), 0);
	EXPECT_EQ(len, strlen("vmxmon: VMX already in use by another hypervisor"));
	EXPECT_TRUE(!strncmp(msg, "vmxmon: VMX", 11));
	EXPECT_EQ(kmsg_record_message("no header", 9, &msg, &len), -EPROTO);
}

TEST_HOST(log_line_counting_and_trouble_detection)
{
	static const char log[] =
		"kvm: enabling virtualization on CPU0 failed\n"
		"vmxmon: VMX already in use by another hypervisor (kvm_intel?)\n"
		"vmxmon: VMX already in use by another hypervisor (kvm_intel?)\n";
	static const char oops[] = "ok\nWARNING: CPU: 0 PID: 1 at arch/x86/kvm/x86.c:1 foo\nok\n";
	const char *first;

	EXPECT_EQ(count_lines_containing(log, "already in use by another hypervisor", &first), 2);
	EXPECT_TRUE(first == log + strlen("kvm: enabling virtualization on CPU0 failed\n"));
	EXPECT_EQ(count_lines_containing(log, "Oops", &first), 0);
	EXPECT_TRUE(first == NULL);
	EXPECT_EQ(kmsg_count_trouble(log, &first), 0);
	EXPECT_EQ(kmsg_count_trouble(oops, &first), 1);
	EXPECT_TRUE(first && !strncmp(first, "WARNING:", 8));
}

TEST_HOST(errno_name_names_kernel_errors)
{
	EXPECT_TRUE(!strcmp(errno_name(-ENOTTY), "ENOTTY"));
	EXPECT_TRUE(!strcmp(errno_name(EBUSY), "EBUSY"));
	EXPECT_TRUE(errno_name(0) == NULL);
	EXPECT_TRUE(errno_name(-100000) == NULL);
}

TEST_HOST(interrupts_parse_reads_the_column_of_a_cpu)
{
	static const char text[] =
		"           CPU0       CPU2       \n"
		"  0:         44          0   IO-APIC   2-edge      timer\n"
		"CAL:      41208      31992   Function call interrupts\n"
		"TLB:        123        456   TLB shootdowns\n";
	unsigned long long v = 0;

	EXPECT_EQ(interrupts_parse(text, "CAL", 0, &v), 0);
	EXPECT_EQ(v, 41208);
	EXPECT_EQ(interrupts_parse(text, "CAL", 2, &v), 0);	/* the 2nd column: CPU2 */
	EXPECT_EQ(v, 31992);
	EXPECT_EQ(interrupts_parse(text, "0", 0, &v), 0);
	EXPECT_EQ(v, 44);
	EXPECT_EQ(interrupts_parse(text, "CAL", 1, &v), -ENOENT);	/* offline: no column */
	EXPECT_EQ(interrupts_parse(text, "CA", 0, &v), -ENOENT);
	EXPECT_EQ(interrupts_parse(text, "RES", 0, &v), -ENOENT);
}
