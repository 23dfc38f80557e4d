/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one interface between the Linux glue (kmod/) and the hardware backend (vmx/).
 *
 * kmod/ never executes a VMX instruction: it decides *when* (first VM, CPU hotplug, suspend,
 * reboot) and the backend does *how*. Per-CPU hooks run on the CPU concerned with interrupts
 * disabled, from IPI, CPU-hotplug, syscore or reboot context, and must not sleep.
 */
#ifndef VMXMON_BACKEND_H
#define VMXMON_BACKEND_H

#include <linux/types.h>

/* What the backend reports about one CPU, for debugfs. */
struct vmxmon_cpu_stats {
	bool vmx_on;			/* this CPU is in VMX operation for us */
	unsigned long vmxon_count;	/* cumulative since load */
	unsigned long vmxoff_count;
	unsigned int loaded_vmcs;	/* VMCSs currently loaded (active) on this CPU */
};

/* Why enabling a CPU failed; filled by ->cpu_enable() so the caller can log one line. */
enum vmxmon_enable_error {
	VMXMON_ENABLE_OK = 0,
	VMXMON_ENABLE_IN_USE,		/* CR4.VMXE already set or VMXON failed: another hypervisor */
	VMXMON_ENABLE_FEATURE_CONTROL,	/* IA32_FEATURE_CONTROL does not allow VMXON */
	VMXMON_ENABLE_FIXED_BITS,	/* CR0/CR4 violate IA32_VMX_CR{0,4}_FIXED{0,1} */
	VMXMON_ENABLE_INCOMPATIBLE,	/* this CPU's VMX capabilities differ from the boot CPU's */
	VMXMON_ENABLE_FAULT,		/* VMXON faulted */
};

struct vmxmon_backend_ops {
	const char *name;

	/* Module load: check the hardware (-EOPNOTSUPP with one clear log line) and allocate. */
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);

	/* Enter/leave VMX operation on the calling CPU (IRQs off). */
	enum vmxmon_enable_error (*cpu_enable)(void);
	void (*cpu_disable)(void);

	void (*cpu_stats)(int cpu, struct vmxmon_cpu_stats *stats);
	/* Pages the backend currently holds (VMXON regions, VMCSs, EPT tables...). */
	long (*pages_held)(void);
};

extern const struct vmxmon_backend_ops vmx_backend_ops;

#endif /* VMXMON_BACKEND_H */
