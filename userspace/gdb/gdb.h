/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxrun's GDB stub (--gdb tcp:HOST:PORT, --gdb-wait): GDB's remote protocol on one TCP
 * connection, all-stop, each vCPU a thread. Breakpoints, watchpoints and single-step go
 * through KVM_SET_GUEST_DEBUG, so the same stub works on /dev/vmxmon and /dev/kvm.
 *
 * Threads: the stub has its own; it touches a vCPU (registers, guest debug) only while that
 * vCPU's thread is parked. A vCPU is held (struct vcpu.debug_hold, vm->lock) from a stop
 * until GDB resumes it; a KVM_EXIT_DEBUG on a vCPU thread stops them all (gdb__debug_exit).
 */
#ifndef VMXRUN_GDB_GDB_H
#define VMXRUN_GDB_GDB_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/types.h"

struct vm;
struct vcpu;
struct gdb;

/*
 * Listen on @spec ("tcp:HOST:PORT", "tcp::PORT" or "tcp:PORT": HOST defaults to 127.0.0.1)
 * and start the stub's thread; with @wait every vCPU is held until GDB resumes it. Call
 * after the vCPUs exist, before their threads start. NULL with *msg on failure.
 */
struct gdb *gdb__open(struct vm *vm, const char *spec, bool wait, char *msg, size_t msglen);
void gdb__close(struct gdb *g);
/* A vCPU thread got KVM_EXIT_DEBUG (no lock held). */
void gdb__debug_exit(struct vcpu *v);
/* A vCPU thread got VMXMON_EXIT_EPT_WATCH (no lock held): a watchpoint on /dev/vmxmon. */
void gdb__ept_watch_exit(struct vcpu *v);
/* Parse @spec (for --gdb): 0, or -1 with *msg. */
int gdb__parse_spec(const char *spec, char *host, size_t hostlen, unsigned int *port,
		    char *msg, size_t msglen);

/* target.c: registers and memory as GDB sees them. */
struct gdb_vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
};

extern const char gdb_target_xml[];
int gdb_reg_count(void);
int gdb_vcpu_state(struct gdb_vcpu_state *st, int fd);
size_t gdb_reg_get(const struct gdb_vcpu_state *st, int n, u8 *out);
int gdb_reg_set(struct gdb_vcpu_state *st, int n, const u8 *in);
/* A guest-physical range inside one 4 KiB page. */
struct gdb_gpa_range {
	u64 gpa, len;
};
int gdb_gva_ranges(struct vm *vm, const struct kvm_sregs *s, u64 gva, u64 len,
		   struct gdb_gpa_range *r, int max);
size_t gdb_mem_access(struct vm *vm, const struct kvm_sregs *s, u64 gva, u8 *buf, size_t len,
		      bool write);

#endif
