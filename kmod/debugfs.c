// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vmxmon/status — what the module holds right now, for tests and people:
 *
 *   vms: <live VMs>
 *   vmx_users: <1 while VMX operation is held (for VMs, or vmx_idle_ms after the last), else 0>
 *   pages: <pages the backend holds: VMXON regions, VMCSs, EPT tables, APIC pages>
 *   cpu<N>: vmx=<on|off> vmxon=<count> vmxoff=<count> loaded_vmcs=<n> mode=<off|own|shared>
 *           shared=<count> takeover=<count>   (per online CPU; vmx/share.c)
 *
 * /sys/kernel/debug/vmxmon/intercepts — what guests cannot do to the host, and exit counts
 * (all CPUs, since load; only reasons/vectors with a count):
 *
 *   exception_bitmap: <hex: exceptions that always exit, bit = vector>
 *   wbinvd_exiting: <0|1>
 *   notify_vmexit: <0|1>
 *   host_nmis: <NMIs that exited a guest and went to the host's NMI handler>
 *   host_mces: <machine checks that exited a guest or its entry, to the host's handler>
 *   exits: <reason>:<count> ...
 *   exceptions: <vector>:<count> ...
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "kmod/vmxmon.h"

static struct dentry *vmxmon_debugfs_dir;

static int vmxmon_status_show(struct seq_file *m, void *unused)
{
	struct vmxmon_cpu_stats st;
	int cpu;

	seq_printf(m, "vms: %u\n", vmxmon_vm_count());
	seq_printf(m, "vmx_users: %u\n", vmxmon_virt_held() ? 1 : 0);
	seq_printf(m, "pages: %ld\n", vmxmon_ops->pages_held());
	/* Guest RAM is never pinned: these are EPT leaves and slot notifiers, all VMs. */
	seq_printf(m, "guest_pages_mapped: %ld\n", vmxmon_ops->guest_pages_mapped());
	seq_printf(m, "mmu_notifiers: %d\n", vmxmon_memslot_notifiers());
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		vmxmon_ops->cpu_stats(cpu, &st);
		seq_printf(m, "cpu%d: vmx=%s vmxon=%lu vmxoff=%lu loaded_vmcs=%u mode=%s shared=%lu takeover=%lu\n",
			   cpu, st.vmx_on ? "on" : "off", st.vmxon_count, st.vmxoff_count,
			   st.loaded_vmcs, !st.vmx_on ? "off" : st.shared ? "shared" : "own",
			   st.shared_count, st.takeover_count);
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmxmon_status);

static void vmxmon_show_counts(struct seq_file *m, const char *name,
			       const unsigned long *counts, int n)
{
	int i;

	seq_printf(m, "%s:", name);
	for (i = 0; i < n; i++)
		if (counts[i])
			seq_printf(m, " %d:%lu", i, counts[i]);
	seq_putc(m, '\n');
}

static int vmxmon_intercepts_show(struct seq_file *m, void *unused)
{
	struct vmxmon_intercept_stats *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	vmxmon_ops->intercept_stats(st);
	seq_printf(m, "exception_bitmap: %#x\n", st->exception_bitmap);
	seq_printf(m, "wbinvd_exiting: %d\n", st->wbinvd_exiting);
	seq_printf(m, "notify_vmexit: %d\n", st->notify_vmexit);
	seq_printf(m, "host_nmis: %lu\n", st->host_nmis);
	seq_printf(m, "host_mces: %lu\n", st->host_mces);
	vmxmon_show_counts(m, "exits", st->exits, ARRAY_SIZE(st->exits));
	vmxmon_show_counts(m, "exceptions", st->exceptions, ARRAY_SIZE(st->exceptions));
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmxmon_intercepts);

/* KVM_IRQFD and KVM_IOEVENTFD objects alive in all VMs: 0 once every VM is gone. */
static int vmxmon_eventfds_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "irqfds: %d\n", atomic_read(&vmxmon_nr_irqfds));
	seq_printf(m, "ioeventfds: %d\n", atomic_read(&vmxmon_nr_ioeventfds));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmxmon_eventfds);

/*
 * Guest RAM in the EPTs of all VMs: 4 KiB units mapped, and the 2 MiB and 1 GiB leaves
 * (a file of its own: "status" has a strict format that older tests parse).
 */
static int vmxmon_memory_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "guest_pages_mapped: %ld\n", vmxmon_ops->guest_pages_mapped());
	seq_printf(m, "guest_2m_leaves: %ld\n", vmxmon_ops->guest_2m_leaves());
	seq_printf(m, "guest_1g_leaves: %ld\n", vmxmon_ops->guest_1g_leaves());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmxmon_memory);

void vmxmon_debugfs_init(void)
{
	/* debugfs is optional: errors are ignored, as debugfs wants. */
	vmxmon_debugfs_dir = debugfs_create_dir("vmxmon", NULL);
	debugfs_create_file("status", 0444, vmxmon_debugfs_dir, NULL, &vmxmon_status_fops);
	debugfs_create_file("eventfds", 0444, vmxmon_debugfs_dir, NULL, &vmxmon_eventfds_fops);
	debugfs_create_file("intercepts", 0444, vmxmon_debugfs_dir, NULL,
			    &vmxmon_intercepts_fops);
	debugfs_create_file("memory", 0444, vmxmon_debugfs_dir, NULL, &vmxmon_memory_fops);
}

void vmxmon_debugfs_exit(void)
{
	debugfs_remove_recursive(vmxmon_debugfs_dir);
}
