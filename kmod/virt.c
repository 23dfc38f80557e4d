// SPDX-License-Identifier: GPL-2.0
/*
 * When the CPUs are in VMX operation: on every online CPU while at least one VM exists,
 * and for vmx_idle_ms after the last one is gone (then nowhere, so that another hypervisor
 * such as kvm_intel can take VMX). The hold is what keeps a loop of KVM_CREATE_VM and
 * close, which any member of the kvm group can run, from interrupting every CPU twice per
 * VM: VMXON and VMXOFF run on all CPUs (isolated and real-time ones included) at most once
 * per idle period, not once per VM. kvm_intel on 6.1 turns VMX on at the first VM and off
 * after the last, every time; on 6.12 it may keep it for the module's whole life
 * (enable_virt_at_load). This file follows the CPUs through hotplug, suspend/resume and
 * reboot; the backend does the per-CPU work.
 *
 * Locking: vmxmon_virt_count and vmxmon_virt_on change only with cpus_read_lock() and
 * vmxmon_virt_lock held, so the CPU-hotplug callbacks (which run with the hotplug lock held
 * for write) and the syscore callbacks (one CPU, IRQs off, everything else frozen) read
 * them without a lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/mutex.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include <asm/reboot.h>

#include "kmod/compat.h"
#include "kmod/vmxmon.h"

static DEFINE_MUTEX(vmxmon_virt_lock);	/* serializes vmxmon_virt_get()/put()/release */
static unsigned int vmxmon_virt_count;	/* VMs holding VMX; see the locking note above */
static bool vmxmon_virt_on;		/* VMX on everywhere: for VMs, or held while idle */
bool vmxmon_virt_shared;		/* share mode (vmx/share.c), decided at enable */
static bool vmxmon_vmx_local;		/* the vmx_local parameter, read at each enable */
static bool vmxmon_virt_partial;		/* held while idle, but some CPU could not take it */
static bool vmxmon_rebooting;		/* set once by the reboot notifier, never cleared */
static enum cpuhp_state vmxmon_cpuhp_state;

static void vmxmon_virt_idle_release(struct work_struct *work);
static DECLARE_DELAYED_WORK(vmxmon_virt_release_work, vmxmon_virt_idle_release);

/* Written through vmxmon_idle_ms_set() only; read with READ_ONCE(). */
static unsigned int vmxmon_idle_ms = 2000;

struct vmxmon_enable_all {
	atomic_t failed;
	struct cpumask *shared;			/* CPUs in another hypervisor's VMX operation */
	int cpu;				/* first CPU that failed */
	enum vmxmon_enable_error why;
};

static const char *const vmxmon_enable_why[] = {
	[VMXMON_ENABLE_IN_USE]		= "VMXON failed with CR4.VMXE clear (another hypervisor that bypasses the kernel's CR4 shadow?)",
	[VMXMON_ENABLE_SHARE_LATE]	= "another hypervisor holds VMX there, and vmxmon's VMs run without sharing",
	[VMXMON_ENABLE_FEATURE_CONTROL]	= "IA32_FEATURE_CONTROL does not allow VMXON",
	[VMXMON_ENABLE_FIXED_BITS]	= "CR0/CR4 do not satisfy the VMX fixed-bit MSRs",
	[VMXMON_ENABLE_INCOMPATIBLE]	= "its VMX capabilities differ from the boot CPU's",
	[VMXMON_ENABLE_FAULT]		= "VMXON faulted",
};

static int vmxmon_enable_errno(enum vmxmon_enable_error why)
{
	return why == VMXMON_ENABLE_IN_USE || why == VMXMON_ENABLE_SHARE_LATE ? -EBUSY : -EIO;
}

static void vmxmon_virt_enable_one(void *data)
{
	struct vmxmon_enable_all *e = data;
	enum vmxmon_enable_error why = vmxmon_ops->cpu_enable();

	if (why == VMXMON_ENABLE_SHARED)
		cpumask_set_cpu(smp_processor_id(), e->shared);
	else if (why != VMXMON_ENABLE_OK && atomic_inc_return(&e->failed) == 1) {
		e->cpu = smp_processor_id();
		e->why = why;
	}
}

static void vmxmon_virt_disable_one(void *unused)
{
	vmxmon_ops->cpu_disable();
}

/*
 * No vCPU exists: enable every CPU, and decide the share mode (vmx/share.c) from what was
 * found. The one log line says when that changes.
 */
static int vmxmon_virt_enable_all(void)
{
	static bool logged_shared;
	static struct cpumask shared_cpus;	/* vmxmon_virt_lock */
	struct vmxmon_enable_all e = { .failed = ATOMIC_INIT(0), .shared = &shared_cpus };
	bool shared;

	bool local = READ_ONCE(vmxmon_vmx_local);

	cpumask_clear(&shared_cpus);
	if (local)	/* every CPU shared lazily: VMXON only inside sections */
		vmxmon_ops->set_share_mode(true, true);
	on_each_cpu(vmxmon_virt_enable_one, &e, 1);
	if (!atomic_read(&e.failed)) {
		shared = !cpumask_empty(&shared_cpus);
		vmxmon_ops->set_share_mode(shared, local);
		vmxmon_virt_shared = shared;
		if (local && !logged_shared)
			pr_info("vmx_local=1: VMX operation only inside vmxmon's run sections (or shared)\n");
		else if (shared && !logged_shared)
			pr_info("VMX root operation on cpus %*pbl belongs to another hypervisor (kvm_intel): sharing it\n",
				cpumask_pr_args(&shared_cpus));
		else if (!shared && logged_shared)
			pr_info("VMX root operation is vmxmon's own again\n");
		logged_shared = shared;
		return 0;
	}
	on_each_cpu(vmxmon_virt_disable_one, NULL, 1);
	vmxmon_virt_shared = false;
	vmxmon_ops->set_share_mode(false, false);
	/* A user can retry at will: keep the log quiet. */
	pr_warn_ratelimited("cannot enable VMX on cpu%d: %s\n", e.cpu, vmxmon_enable_why[e.why]);
	return vmxmon_enable_errno(e.why);
}

/* Take VMX operation for a new VM: the first one turns VMX on everywhere, unless held. */
int vmxmon_virt_get(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&vmxmon_virt_lock);
	if (READ_ONCE(vmxmon_rebooting)) {
		r = -EBUSY;
	} else if (!vmxmon_virt_on || vmxmon_virt_partial) {
		r = vmxmon_virt_enable_all();
		vmxmon_virt_on = !r;
		vmxmon_virt_partial = false;
	}
	if (!r)
		vmxmon_virt_count++;
	mutex_unlock(&vmxmon_virt_lock);
	cpus_read_unlock();
	return r;
}

/* vmxmon_virt_lock and cpus_read_lock() held: leave VMX everywhere if no VM holds it. */
static void vmxmon_virt_release_idle_locked(void)
{
	lockdep_assert_held(&vmxmon_virt_lock);
	if (vmxmon_virt_on && !vmxmon_virt_count) {
		on_each_cpu(vmxmon_virt_disable_one, NULL, 1);
		vmxmon_virt_on = false;
		vmxmon_virt_partial = false;
		vmxmon_virt_shared = false;	/* decided again by the next enable */
		vmxmon_ops->set_share_mode(false, false);
	}
}

static void vmxmon_virt_release_idle(void)
{
	cpus_read_lock();
	mutex_lock(&vmxmon_virt_lock);
	vmxmon_virt_release_idle_locked();
	mutex_unlock(&vmxmon_virt_lock);
	cpus_read_unlock();
}

/* The idle hold ran out (a VM created since then made this a no-op). */
static void vmxmon_virt_idle_release(struct work_struct *work)
{
	vmxmon_virt_release_idle();
}

/*
 * Drop it when a VM goes away: after the last one VMX stays on for vmx_idle_ms (each last
 * VM restarts the wait), then goes off everywhere; at once with vmx_idle_ms=0.
 */
void vmxmon_virt_put(void)
{
	unsigned int ms = READ_ONCE(vmxmon_idle_ms);

	cpus_read_lock();
	mutex_lock(&vmxmon_virt_lock);
	if (--vmxmon_virt_count == 0) {
		if (ms)
			mod_delayed_work(system_wq, &vmxmon_virt_release_work, msecs_to_jiffies(ms));
		else
			vmxmon_virt_release_idle_locked();
	}
	mutex_unlock(&vmxmon_virt_lock);
	cpus_read_unlock();
}

/* 1 while VMX operation is held (for VMs or in the idle hold), else 0: for debugfs. */
unsigned int vmxmon_virt_held(void)
{
	return READ_ONCE(vmxmon_virt_on);
}

/*
 * vmx_idle_ms: writable at run time. A new value applies to a hold in progress as if it
 * had started now; 0 releases VMX at once when no VM exists (for an administrator about
 * to start kvm_intel guests, or a test).
 */
static int vmxmon_idle_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int r = kstrtouint(val, 0, &ms);

	if (r)
		return r;
	if (ms > 3600 * 1000)
		return -ERANGE;
	WRITE_ONCE(vmxmon_idle_ms, ms);
	mutex_lock(&vmxmon_virt_lock);
	if (vmxmon_virt_on && !vmxmon_virt_count)
		mod_delayed_work(system_wq, &vmxmon_virt_release_work, msecs_to_jiffies(ms));
	mutex_unlock(&vmxmon_virt_lock);
	if (!ms)
		flush_delayed_work(&vmxmon_virt_release_work);
	return 0;
}

module_param_named(vmx_local, vmxmon_vmx_local, bool, 0644);
MODULE_PARM_DESC(vmx_local,
		 "1: VMX operation only inside run sections, so kvm_intel can enable VMX at any time (costs a VMXON/VMXOFF per exit); applies from the next first VM");

static const struct kernel_param_ops vmxmon_idle_ms_ops = {
	.set = vmxmon_idle_ms_set,
	.get = param_get_uint,
};
module_param_cb(vmx_idle_ms, &vmxmon_idle_ms_ops, &vmxmon_idle_ms, 0644);
MODULE_PARM_DESC(vmx_idle_ms,
		 "milliseconds VMX operation stays on after the last VM is gone (0: off at once; default 2000)");

/* CPU hotplug: runs on @cpu, holding the hotplug lock for write. */
static int vmxmon_cpu_online(unsigned int cpu)
{
	enum vmxmon_enable_error why;

	if (!vmxmon_virt_on || READ_ONCE(vmxmon_rebooting))
		return 0;
	local_irq_disable();
	why = vmxmon_ops->cpu_enable();
	/* Shared with VMs running outside share mode: their VMCSs stay loaded across IRQs. */
	if (why == VMXMON_ENABLE_SHARED && !vmxmon_virt_shared) {
		vmxmon_ops->cpu_disable();
		why = VMXMON_ENABLE_SHARE_LATE;
	}
	local_irq_enable();
	if (why == VMXMON_ENABLE_OK || why == VMXMON_ENABLE_SHARED)
		return 0;
	if (!vmxmon_virt_count) {
		/* Only the idle hold: not worth refusing the CPU; the next VM tries again. */
		vmxmon_virt_partial = true;
		return 0;
	}
	pr_err("cpu%u cannot come online with VMs running: %s\n", cpu, vmxmon_enable_why[why]);
	return vmxmon_enable_errno(why);
}

/* Always, whatever the state: safe when VMX is off on @cpu (backend.h). */
static int vmxmon_cpu_offline(unsigned int cpu)
{
	local_irq_disable();
	vmxmon_ops->cpu_disable();
	local_irq_enable();
	return 0;
}

/*
 * Reboot, poweroff, halt and kexec: leave VMX everywhere and refuse new VMs. Under
 * vmxmon_virt_lock, so that a first VM's vmxmon_virt_get() that checked vmxmon_rebooting
 * just before cannot turn VMX on again behind us: the next kernel (kexec) would find a CPU
 * still in VMX operation, where INIT is blocked (SDM Vol. 3C "Restrictions on VMX
 * Operation") and its own VMXON fails. Not cpus_read_lock(): that nests outside the mutex
 * elsewhere, and on_each_cpu() needs no more. vCPU threads are not frozen for kexec: they keep running
 * until machine_shutdown() stops the other CPUs, and find VMX gone (KVM_RUN fails with -EIO,
 * vmx/share.c, vmx/cpu.c). kvm_intel's own notifier (6.1) or syscore shutdown (6.12) turns
 * its VMX off; a shared CPU is only forgotten here (never our VMXOFF).
 */
static int vmxmon_reboot(struct notifier_block *nb, unsigned long action, void *unused)
{
	mutex_lock(&vmxmon_virt_lock);
	WRITE_ONCE(vmxmon_rebooting, true);
	on_each_cpu(vmxmon_virt_disable_one, NULL, 1);
	mutex_unlock(&vmxmon_virt_lock);
	return NOTIFY_OK;
}

static struct notifier_block vmxmon_reboot_nb = {
	.notifier_call = vmxmon_reboot,
};

/* Suspend/resume: only the boot CPU is left, IRQs off; the others went through hotplug. */
static int vmxmon_suspend(void)
{
	vmxmon_ops->cpu_disable();
	return 0;
}

static void vmxmon_resume(void)
{
	enum vmxmon_enable_error why;

	if (!vmxmon_virt_on)
		return;
	why = vmxmon_ops->cpu_enable();
	if (why == VMXMON_ENABLE_SHARED && !vmxmon_virt_shared) {
		vmxmon_ops->cpu_disable();
		why = VMXMON_ENABLE_SHARE_LATE;
	} else if (why == VMXMON_ENABLE_SHARED) {
		why = VMXMON_ENABLE_OK;
	}
	if (why != VMXMON_ENABLE_OK && !vmxmon_virt_count)
		vmxmon_virt_partial = true;	/* only the idle hold: the next VM tries again */
	else if (why != VMXMON_ENABLE_OK)
		pr_err("cannot re-enable VMX on cpu%d after resume: %s; running VMs will fail\n",
		       smp_processor_id(), vmxmon_enable_why[why]);
}

VMXMON_SYSCORE(vmxmon_syscore, vmxmon_suspend, vmxmon_resume);

/*
 * The crash path. kdump's crash NMI and an emergency restart turn VMX off on each CPU only
 * through the kernel's one emergency-virtualization callback (Debian's 6.1.192, which has
 * 6.5's rework, and 6.12: cpu_emergency_register_virt_callback()). Without it a CPU left
 * in vmxmon's VMX operation triple-faults in kexec's relocate_kernel, which clears
 * CR4.VMXE, and no crash kernel starts. The slot holds one callback, and kvm_intel takes
 * it in its module init (with a WARN if it is taken): vmxmon holds it only while no
 * kvm_intel is loaded, and gives it up when one comes (a module notifier runs before the
 * module's init) and takes it back when it goes (after its exit). kvm_intel's callback
 * leaves VMX operation whoever entered it, so it covers vmxmon's CPUs too, own or shared.
 * A kvm_intel that is there already when vmxmon loads (a module, or built in) shows in
 * /sys/module; one that left between the notifier's registration and that look is
 * missed until it comes back: the crash path is then as it was without this.
 */
static DEFINE_MUTEX(vmxmon_emergency_lock);
static bool vmxmon_emergency_ours;	/* vmxmon_emergency_lock */

static void vmxmon_emergency_disable(void)
{
	vmxmon_ops->emergency_disable();
}

static void vmxmon_emergency_set(bool ours)
{
	lockdep_assert_held(&vmxmon_emergency_lock);
	if (ours == vmxmon_emergency_ours)
		return;
	if (ours)
		cpu_emergency_register_virt_callback(vmxmon_emergency_disable);
	else
		cpu_emergency_unregister_virt_callback(vmxmon_emergency_disable);
	vmxmon_emergency_ours = ours;
}

static int vmxmon_module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "kvm_intel"))
		return NOTIFY_DONE;
	mutex_lock(&vmxmon_emergency_lock);
	if (state == MODULE_STATE_COMING)
		vmxmon_emergency_set(false);
	else if (state == MODULE_STATE_GOING)
		vmxmon_emergency_set(true);
	mutex_unlock(&vmxmon_emergency_lock);
	return NOTIFY_DONE;
}

static struct notifier_block vmxmon_module_nb = {
	.notifier_call = vmxmon_module_event,
};

static bool vmxmon_kvm_intel_present(void)
{
	struct path path;

	if (kern_path("/sys/module/kvm_intel", LOOKUP_DIRECTORY, &path))
		return false;
	path_put(&path);
	return true;
}

static void vmxmon_emergency_init(void)
{
	register_module_notifier(&vmxmon_module_nb);
	mutex_lock(&vmxmon_emergency_lock);
	vmxmon_emergency_set(!vmxmon_kvm_intel_present());
	mutex_unlock(&vmxmon_emergency_lock);
	pr_info("crash path: %s\n", vmxmon_emergency_ours ?
		"vmxmon turns VMX off (the kernel's emergency callback)" :
		"kvm_intel's emergency callback turns VMX off");
}

static void vmxmon_emergency_exit(void)
{
	unregister_module_notifier(&vmxmon_module_nb);
	mutex_lock(&vmxmon_emergency_lock);
	vmxmon_emergency_set(false);		/* waits for callers (synchronize_rcu()) */
	mutex_unlock(&vmxmon_emergency_lock);
}

int vmxmon_virt_init(void)
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
	vmxmon_syscore_register(&vmxmon_syscore);
	vmxmon_emergency_init();
	return 0;
}

/*
 * Module exit: no VM exists (each holds a module reference) and no new one can, so end the
 * idle hold now; once vmxmon_virt_on is false nothing queues the release work again.
 */
void vmxmon_virt_exit(void)
{
	vmxmon_virt_release_idle();
	cancel_delayed_work_sync(&vmxmon_virt_release_work);
	vmxmon_emergency_exit();
	vmxmon_syscore_unregister(&vmxmon_syscore);
	unregister_reboot_notifier(&vmxmon_reboot_nb);
	cpuhp_remove_state(vmxmon_cpuhp_state);
}
