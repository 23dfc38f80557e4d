/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxmon's tracepoints (system "vmxmon" in tracefs): what a VM exit, an injection, an EPT
 * fault, a return to userspace, the APIC timer and IPIs did, for trace-cmd, perf and
 * /sys/kernel/tracing. kmod/trace.c instantiates them (CREATE_TRACE_POINTS); the code
 * that calls them includes this header.
 *
 * A disabled tracepoint is a patched-out jump (static key): nothing runs, not even its
 * arguments, as long as these are plain values. Where an argument costs a VMREAD, the
 * caller tests trace_<event>_enabled() first (vmx/exit.c, vmx/vcpu.c).
 *
 * The events follow KVM's (kvm_entry, kvm_exit, kvm_pio, kvm_msr, kvm_cr, kvm_inj_*,
 * kvm_userspace_exit), with the vCPU id first in every one.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmxmon

#if !defined(VMXMON_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define VMXMON_TRACE_H

#include <linux/kvm.h>
#include <linux/tracepoint.h>
#include <asm/vmx.h>

#include "include/kvm_exit_names.h"

/* What an EPT violation turned out to be (trace_vmxmon_ept_violation). */
#define VMXMON_EPT_MAPPED	0	/* guest RAM: faulted in, the access retried */
#define VMXMON_EPT_MMIO_KERNEL	1	/* MMIO an in-kernel device (or the emulator) finished */
#define VMXMON_EPT_MMIO_USER	2	/* MMIO: KVM_EXIT_MMIO to userspace */
#define VMXMON_EPT_ERROR	3	/* KVM_RUN fails, or KVM_EXIT_INTERNAL_ERROR */

#define VMXMON_KVM_EXIT_SYM(n)	{ KVM_EXIT_##n, #n },

TRACE_EVENT(vmxmon_entry,
	TP_PROTO(unsigned int vcpu_id, unsigned long rip),
	TP_ARGS(vcpu_id, rip),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(unsigned long, rip)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->rip = rip;
	),
	TP_printk("vcpu %u rip 0x%lx", __entry->vcpu_id, __entry->rip)
);

/* Every VM exit: the reason (bit 31: the entry failed), RIP, qualification, interrupt info. */
TRACE_EVENT(vmxmon_exit,
	TP_PROTO(unsigned int vcpu_id, u32 reason, unsigned long rip, unsigned long qual,
		 u32 intr_info),
	TP_ARGS(vcpu_id, reason, rip, qual, intr_info),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u32, reason)
		__field(unsigned long, rip)
		__field(unsigned long, qual)
		__field(u32, intr_info)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->reason = reason;
		__entry->rip = rip;
		__entry->qual = qual;
		__entry->intr_info = intr_info;
	),
	TP_printk("vcpu %u reason %s%s rip 0x%lx qual 0x%lx intr_info 0x%x", __entry->vcpu_id,
		  __print_symbolic(__entry->reason & 0xffff, VMX_EXIT_REASONS),
		  __entry->reason & VMX_EXIT_REASONS_FAILED_VMENTRY ? " (entry failed)" : "",
		  __entry->rip, __entry->qual, __entry->intr_info)
);

/* An IN/OUT/INS/OUTS exit, decoded from the qualification (SDM Vol. 3C table 28-5). */
TRACE_EVENT(vmxmon_pio,
	TP_PROTO(unsigned int vcpu_id, u16 port, u8 size, bool in, bool string, bool rep),
	TP_ARGS(vcpu_id, port, size, in, string, rep),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u16, port)
		__field(u8, size)
		__field(bool, in)
		__field(bool, string)
		__field(bool, rep)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->port = port;
		__entry->size = size;
		__entry->in = in;
		__entry->string = string;
		__entry->rep = rep;
	),
	TP_printk("vcpu %u %s%s%s port 0x%x size %u", __entry->vcpu_id,
		  __entry->rep ? "rep " : "", __entry->in ? "in" : "out",
		  __entry->string ? "s" : "", __entry->port, __entry->size)
);

/* RDMSR/WRMSR as handled: the value read or written, and whether it was #GP. */
TRACE_EVENT(vmxmon_msr,
	TP_PROTO(unsigned int vcpu_id, bool write, u32 index, u64 data, bool fault),
	TP_ARGS(vcpu_id, write, index, data, fault),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(bool, write)
		__field(u32, index)
		__field(u64, data)
		__field(bool, fault)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->write = write;
		__entry->index = index;
		__entry->data = data;
		__entry->fault = fault;
	),
	TP_printk("vcpu %u %s msr 0x%x data 0x%llx%s", __entry->vcpu_id,
		  __entry->write ? "wrmsr" : "rdmsr", __entry->index, __entry->data,
		  __entry->fault ? " #GP" : "")
);

/* A control-register exit (SDM Vol. 3C table 28-3): the CR, the access, the GPR's value. */
TRACE_EVENT(vmxmon_cr,
	TP_PROTO(unsigned int vcpu_id, u8 cr, u8 access, unsigned long val),
	TP_ARGS(vcpu_id, cr, access, val),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u8, cr)
		__field(u8, access)
		__field(unsigned long, val)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->cr = cr;
		__entry->access = access;
		__entry->val = val;
	),
	TP_printk("vcpu %u cr%u %s 0x%lx", __entry->vcpu_id, __entry->cr,
		  __print_symbolic(__entry->access, { 0, "write" }, { 1, "read" },
				   { 2, "clts" }, { 3, "lmsw" }), __entry->val)
);

/* An EPT violation and what became of it (VMXMON_EPT_*). */
TRACE_EVENT(vmxmon_ept_violation,
	TP_PROTO(unsigned int vcpu_id, u64 gpa, unsigned long qual, u8 result),
	TP_ARGS(vcpu_id, gpa, qual, result),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u64, gpa)
		__field(unsigned long, qual)
		__field(u8, result)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->gpa = gpa;
		__entry->qual = qual;
		__entry->result = result;
	),
	TP_printk("vcpu %u gpa 0x%llx access %s%s%s qual 0x%lx -> %s", __entry->vcpu_id,
		  __entry->gpa, __entry->qual & 1 ? "r" : "-", __entry->qual & 2 ? "w" : "-",
		  __entry->qual & 4 ? "x" : "-", __entry->qual,
		  __print_symbolic(__entry->result, { VMXMON_EPT_MAPPED, "mapped" },
				   { VMXMON_EPT_MMIO_KERNEL, "mmio-kernel" },
				   { VMXMON_EPT_MMIO_USER, "mmio-userspace" },
				   { VMXMON_EPT_ERROR, "error" }))
);

/* A hypercall (VMCALL): its number (RAX), first argument (RBX) and result, as KVM's. */
TRACE_EVENT(vmxmon_hypercall,
	TP_PROTO(unsigned int vcpu_id, unsigned long nr, unsigned long a0, unsigned long ret),
	TP_ARGS(vcpu_id, nr, a0, ret),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(unsigned long, nr)
		__field(unsigned long, a0)
		__field(long, ret)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->nr = nr;
		__entry->a0 = a0;
		__entry->ret = ret;
	),
	TP_printk("vcpu %u nr 0x%lx a0 0x%lx ret %ld", __entry->vcpu_id, __entry->nr,
		  __entry->a0, __entry->ret)
);

/* An event VM entry delivers (VM-entry interruption information, SDM Vol. 3C 24.8.3). */
TRACE_EVENT(vmxmon_inject,
	TP_PROTO(unsigned int vcpu_id, u32 info, u32 error_code),
	TP_ARGS(vcpu_id, info, error_code),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u8, vector)
		__field(u8, type)
		__field(bool, has_error)
		__field(u32, error_code)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->vector = info & INTR_INFO_VECTOR_MASK;
		__entry->type = (info & INTR_INFO_INTR_TYPE_MASK) >> 8;
		__entry->has_error = info & INTR_INFO_DELIVER_CODE_MASK;
		__entry->error_code = error_code;
	),
	TP_printk("vcpu %u vector %u type %s error_code %s0x%x", __entry->vcpu_id,
		  __entry->vector,
		  __print_symbolic(__entry->type, { 0, "irq" }, { 2, "nmi" }, { 3, "exception" },
				   { 4, "soft-int" }, { 5, "priv-soft-exception" },
				   { 6, "soft-exception" }, { 7, "other" }),
		  __entry->has_error ? "" : "(none) ", __entry->error_code)
);

/* KVM_RUN returns: 0 with kvm_run.exit_reason, or -errno (-EINTR: a signal). */
TRACE_EVENT(vmxmon_userspace_exit,
	TP_PROTO(unsigned int vcpu_id, u32 exit_reason, int ret),
	TP_ARGS(vcpu_id, exit_reason, ret),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u32, exit_reason)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->exit_reason = exit_reason;
		__entry->ret = ret;
	),
	TP_printk("vcpu %u reason %s ret %d", __entry->vcpu_id,
		  __print_symbolic(__entry->exit_reason,
				   KVM_EXIT_REASONS(VMXMON_KVM_EXIT_SYM) { KVM_EXIT_NOTIFY, "NOTIFY" }),
		  __entry->ret)
);

/* The APIC timer armed (@mode: LVTT bits 18:17) to fire in @ns, and its expiry. */
TRACE_EVENT(vmxmon_timer_arm,
	TP_PROTO(unsigned int vcpu_id, u32 mode, u64 ns),
	TP_ARGS(vcpu_id, mode, ns),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u32, mode)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->mode = mode;
		__entry->ns = ns;
	),
	TP_printk("vcpu %u mode %s in %llu ns", __entry->vcpu_id,
		  __print_symbolic(__entry->mode, { 0, "one-shot" }, { 1, "periodic" },
				   { 2, "tsc-deadline" }, { 3, "reserved" }), __entry->ns)
);

TRACE_EVENT(vmxmon_timer_fire,
	TP_PROTO(unsigned int vcpu_id, u8 vector, bool masked),
	TP_ARGS(vcpu_id, vector, masked),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u8, vector)
		__field(bool, masked)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->vector = vector;
		__entry->masked = masked;
	),
	TP_printk("vcpu %u vector %u%s", __entry->vcpu_id, __entry->vector,
		  __entry->masked ? " (masked)" : "")
);

/* An ICR write that sends (SDM Vol. 3A 11.6.1), and how many APICs accepted it. */
TRACE_EVENT(vmxmon_ipi,
	TP_PROTO(unsigned int vcpu_id, u32 icr_lo, u32 dest, int accepted),
	TP_ARGS(vcpu_id, icr_lo, dest, accepted),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u32, icr_lo)
		__field(u32, dest)
		__field(int, accepted)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->icr_lo = icr_lo;
		__entry->dest = dest;
		__entry->accepted = accepted;
	),
	TP_printk("vcpu %u vector %u mode %s shorthand %u dest 0x%x%s accepted %d",
		  __entry->vcpu_id, __entry->icr_lo & 0xff,
		  __print_symbolic((__entry->icr_lo >> 8) & 7, { 0, "fixed" }, { 1, "lowest" },
				   { 2, "smi" }, { 3, "reserved" }, { 4, "nmi" }, { 5, "init" },
				   { 6, "sipi" }, { 7, "extint" }),
		  (__entry->icr_lo >> 18) & 3, __entry->dest,
		  __entry->icr_lo & BIT(11) ? " logical" : "", __entry->accepted)
);

#endif /* VMXMON_TRACE_H */

/* define_trace.h reads this file again from kmod/ (Kbuild: -I$(src)/kmod for trace.o). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
