// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vmxmon/status — what the module holds right now, for tests and people:
 *
 *   vms: <live VMs>
 *   vmx_users: <1 while VMX operation is held (for VMs, or vmx_idle_ms after the last), else 0>
 *   pages: <pages the backend holds: VMXON regions, VMCSs, EPT tables, APIC pages>
 *   cpu<N>: vmx=<on|off> vmxon=<count> vmxoff=<count> loaded_vmcs=<n>   (per online CPU)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "kmod/vmxmon.h"

static struct dentry *vmxmon_debugfs_dir;

static int vmxmon_status_show(struct seq_file *m, void *unused)
{
	struct vmxmon_cpu_stats st;
	int cpu;

	seq_printf(m, "vms: %u\n", vmxmon_vm_count());
	seq_printf(m, "vmx_users: %u\n", vmxmon_hw_users() ? 1 : 0);
	seq_printf(m, "pages: %ld\n", vmxmon_ops->pages_held());
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		vmxmon_ops->cpu_stats(cpu, &st);
		seq_printf(m, "cpu%d: vmx=%s vmxon=%lu vmxoff=%lu loaded_vmcs=%u\n", cpu,
			   st.vmx_on ? "on" : "off", st.vmxon_count, st.vmxoff_count,
			   st.loaded_vmcs);
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmxmon_status);

void vmxmon_debugfs_init(void)
{
	/* debugfs is optional: errors are ignored, as debugfs wants. */
	vmxmon_debugfs_dir = debugfs_create_dir("vmxmon", NULL);
	debugfs_create_file("status", 0444, vmxmon_debugfs_dir, NULL, &vmxmon_status_fops);
}

void vmxmon_debugfs_exit(void)
{
	debugfs_remove_recursive(vmxmon_debugfs_dir);
}
