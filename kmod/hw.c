// SPDX-License-Identifier: GPL-2.0
/*
 * When the CPUs are in VMX operation: on every online CPU while at least one VM exists,
 * nowhere otherwise (the kvm_intel model on 6.1: VMX is not held by an idle module, so
 * another hypervisor can use it in between). This file follows the CPUs through hotplug,
 * suspend/resume and reboot; the backend does the per-CPU work.
 *
 * Locking: vmxmon_hw_users changes only with cpus_read_lock() and vmxmon_hw_lock held, so
 * the CPU-hotplug callbacks (which run with the hotplug lock held for write) and the
 * syscore callbacks (one CPU, IRQs off, everything else frozen) read it without a lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>

#include "kmod/vmxmon.h"

static DEFINE_MUTEX(vmxmon_hw_lock);	/* serializes vmxmon_hw_get()/put() */
static unsigned int vmxmon_hw_count;	/* VMs holding VMX; see the locking note above */
static bool vmxmon_rebooting;		/* set once by the reboot notifier, never cleared */
static enum cpuhp_state vmxmon_cpuhp_state;

struct vmxmon_enable_all {
	atomic_t failed;
	int cpu;				/* first CPU that failed */
	enum vmxmon_enable_error why;
};

static const char *const vmxmon_enable_why[] = {
	[VMXMON_ENABLE_IN_USE]		= "already in use by another hypervisor (kvm_intel with a running VM?)",
	[VMXMON_ENABLE_FEATURE_CONTROL]	= "IA32_FEATURE_CONTROL does not allow VMXON",
	[VMXMON_ENABLE_FIXED_BITS]	= "CR0/CR4 do not satisfy the VMX fixed-bit MSRs",
	[VMXMON_ENABLE_INCOMPATIBLE]	= "its VMX capabilities differ from the boot CPU's",
	[VMXMON_ENABLE_FAULT]		= "VMXON faulted",
};

static int vmxmon_enable_errno(enum vmxmon_enable_error why)
{
	return why == VMXMON_ENABLE_IN_USE ? -EBUSY : -EIO;
}

static void vmxmon_hw_enable_one(void *data)
{
	struct vmxmon_enable_all *e = data;
	enum vmxmon_enable_error why = vmxmon_ops->cpu_enable();

	if (why != VMXMON_ENABLE_OK && atomic_inc_return(&e->failed) == 1) {
		e->cpu = smp_processor_id();
		e->why = why;
	}
}

static void vmxmon_hw_disable_one(void *unused)
{
	vmxmon_ops->cpu_disable();
}

static int vmxmon_hw_enable_all(void)
{
	struct vmxmon_enable_all e = { .failed = ATOMIC_INIT(0) };

	on_each_cpu(vmxmon_hw_enable_one, &e, 1);
	if (!atomic_read(&e.failed))
		return 0;
	on_each_cpu(vmxmon_hw_disable_one, NULL, 1);
	/* A user can retry at will while kvm_intel holds VMX: keep the log quiet. */
	pr_warn_ratelimited("cannot enable VMX on cpu%d: %s\n", e.cpu, vmxmon_enable_why[e.why]);
	return vmxmon_enable_errno(e.why);
}

/* Take VMX operation for a new VM: the first one turns VMX on everywhere. */
int vmxmon_hw_get(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&vmxmon_hw_lock);
	if (READ_ONCE(vmxmon_rebooting))
		r = -EBUSY;
	else if (vmxmon_hw_count == 0)
		r = vmxmon_hw_enable_all();
	if (!r)
		vmxmon_hw_count++;
	mutex_unlock(&vmxmon_hw_lock);
	cpus_read_unlock();
	return r;
}

/* Drop it when a VM goes away: the last one turns VMX off everywhere. */
void vmxmon_hw_put(void)
{
	cpus_read_lock();
	mutex_lock(&vmxmon_hw_lock);
	if (--vmxmon_hw_count == 0)
		on_each_cpu(vmxmon_hw_disable_one, NULL, 1);
	mutex_unlock(&vmxmon_hw_lock);
	cpus_read_unlock();
}

unsigned int vmxmon_hw_users(void)
{
	return READ_ONCE(vmxmon_hw_count);
}

/* CPU hotplug: runs on @cpu, holding the hotplug lock for write. */
static int vmxmon_cpu_online(unsigned int cpu)
{
	enum vmxmon_enable_error why;

	if (!vmxmon_hw_count || READ_ONCE(vmxmon_rebooting))
		return 0;
	local_irq_disable();
	why = vmxmon_ops->cpu_enable();
	local_irq_enable();
	if (why == VMXMON_ENABLE_OK)
		return 0;
	pr_err("cpu%u cannot come online with VMs running: %s\n", cpu, vmxmon_enable_why[why]);
	return vmxmon_enable_errno(why);
}

static int vmxmon_cpu_offline(unsigned int cpu)
{
	if (vmxmon_hw_count) {
		local_irq_disable();
		vmxmon_ops->cpu_disable();
		local_irq_enable();
	}
	return 0;
}

/* Reboot, poweroff, halt and kexec: leave VMX everywhere and refuse new VMs. */
static int vmxmon_reboot(struct notifier_block *nb, unsigned long action, void *unused)
{
	WRITE_ONCE(vmxmon_rebooting, true);
	on_each_cpu(vmxmon_hw_disable_one, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block vmxmon_reboot_nb = {
	.notifier_call = vmxmon_reboot,
};

/* Suspend/resume: only the boot CPU is left, IRQs off; the others went through hotplug. */
static int vmxmon_suspend(void)
{
	if (vmxmon_hw_count)
		vmxmon_ops->cpu_disable();
	return 0;
}

static void vmxmon_resume(void)
{
	enum vmxmon_enable_error why;

	if (!vmxmon_hw_count)
		return;
	why = vmxmon_ops->cpu_enable();
	if (why != VMXMON_ENABLE_OK)
		pr_err("cannot re-enable VMX on cpu%d after resume: %s; running VMs will fail\n",
		       smp_processor_id(), vmxmon_enable_why[why]);
}

static struct syscore_ops vmxmon_syscore_ops = {
	.suspend = vmxmon_suspend,
	.resume = vmxmon_resume,
};

int vmxmon_hw_init(void)
{
	int r;

	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vmxmon:online",
			      vmxmon_cpu_online, vmxmon_cpu_offline);
	if (r < 0)
		return r;
	vmxmon_cpuhp_state = r;
	r = register_reboot_notifier(&vmxmon_reboot_nb);
	if (r) {
		cpuhp_remove_state(vmxmon_cpuhp_state);
		return r;
	}
	register_syscore_ops(&vmxmon_syscore_ops);
	return 0;
}

/* Module exit: no VM exists (each holds a module reference), so VMX is off everywhere. */
void vmxmon_hw_exit(void)
{
	unregister_syscore_ops(&vmxmon_syscore_ops);
	unregister_reboot_notifier(&vmxmon_reboot_nb);
	cpuhp_remove_state(vmxmon_cpuhp_state);
}
