// SPDX-License-Identifier: GPL-2.0
/*
 * The GDB stub's watchpoints as EPT watches, on a device with VMXMON_CAP_EPT_WATCH
 * (/dev/vmxmon; include/uapi/vmxmon.h): Z2/Z3/Z4 become VMXMON_ADD_EPT_WATCH ranges, and a
 * VMXMON_EXIT_EPT_WATCH becomes GDB's watch/rwatch/awatch stop, after the access. Elsewhere
 * watchpoints are debug registers (gdb.c: set_debug()).
 */
#include <stdio.h>
#include <sys/ioctl.h>

#include "../vm/vcpu.h"
#include "../vm/vm.h"
#include "stub.h"
#include "uapi/vmxmon.h"

static int ept_watch_ioctl(struct gdb *g, unsigned long req, const struct gdb_gpa_range *r,
			   enum hw_type type)
{
	struct vmxmon_ept_watch w = {
		.gpa = r->gpa, .len = r->len,
		.flags = req == VMXMON_DEL_EPT_WATCH ? 0 :
			 type == HW_WRITE ? VMXMON_EPT_WATCH_WRITE :
			 type == HW_READ ? VMXMON_EPT_WATCH_READ :
			 VMXMON_EPT_WATCH_READ | VMXMON_EPT_WATCH_WRITE,
	};

	return ioctl(g->vm->fd, req, &w);
}

static void ept_watch_del(struct gdb *g, int i)
{
	for (int j = 0; j < g->ept[i].n; j++)
		ept_watch_ioctl(g, VMXMON_DEL_EPT_WATCH, &g->ept[i].r[j], 0);
	g->ept[i].used = false;
}

void ept_watch_del_all(struct gdb *g)
{
	for (int i = 0; i < MAX_EPT_WP; i++)
		if (g->ept[i].used)
			ept_watch_del(g, i);
}

/*
 * Z2/Z3/Z4 on a device with EPT watches: watch the guest-physical pages the guest-virtual
 * range maps to now, one EPT watch per page. The translation is taken here, once: if the
 * guest maps the range elsewhere later, the watch stays on the old guest-physical memory
 * (GDB's debug-register watchpoints follow the linear address instead). Any length, any
 * alignment, reads too (Z3): what debug registers cannot do. -EEXIST (two watchpoints on
 * the same bytes) and the module's other errors fail the insert (E0e).
 */
const char *ept_break(struct gdb *g, enum hw_type type, u64 addr, u64 len, bool insert)
{
	struct kvm_sregs s;
	int i, j, n;

	for (i = 0; i < MAX_EPT_WP; i++)
		if (g->ept[i].used && g->ept[i].addr == addr && g->ept[i].len == len &&
		    g->ept[i].type == type)
			break;
	if (!insert) {
		if (i < MAX_EPT_WP)
			ept_watch_del(g, i);
		return "OK";
	}
	if (i < MAX_EPT_WP)
		return "OK";
	for (i = 0; i < MAX_EPT_WP && g->ept[i].used; i++)
		;
	if (i == MAX_EPT_WP || ioctl(g->vm->vcpu[g->g_vcpu < g->vm->nr_vcpus ? g->g_vcpu : 0].fd, KVM_GET_SREGS, &s))
		return "E0e";
	n = gdb_gva_ranges(g->vm, &s, addr, len, g->ept[i].r, EPT_WP_PAGES);
	if (n < 0)
		return "E0e";
	for (j = 0; j < n; j++)
		if (ept_watch_ioctl(g, VMXMON_ADD_EPT_WATCH, &g->ept[i].r[j], type))
			break;
	if (j < n) {
		while (j--)
			ept_watch_ioctl(g, VMXMON_DEL_EPT_WATCH, &g->ept[i].r[j], 0);
		return "E0e";
	}
	g->ept[i].addr = addr;
	g->ept[i].len = len;
	g->ept[i].type = type;
	g->ept[i].n = n;
	g->ept[i].used = true;
	return "OK";
}

/*
 * An EPT watch exit comes before the access; GDB wants the stop after it (it compares the
 * old and new values). So the access completes first: the vCPU steps the instruction
 * (KVM_GUESTDBG_SINGLESTEP; the next KVM_RUN performs the access, the step's
 * KVM_EXIT_DEBUG follows it) and gdb__debug_exit() reports that stop as the watchpoint's.
 * An access while the stub is stopped already, or to a watch not GDB's, just completes.
 */
void gdb__ept_watch_exit(struct vcpu *v)
{
	struct vmxmon_ept_watch_exit *x = vmxmon_run_ept_watch(v->run);
	struct kvm_guest_debug d;
	struct gdb *g;
	int w = -1;

	pthread_mutex_lock(&v->vm->lock);
	g = v->vm->gdb;
	/* ept[] changes only while stopped (commands), so it holds still here. */
	for (int i = 0; g && !g->stopped && i < MAX_EPT_WP && w < 0; i++)
		for (int j = 0; g->ept[i].used && j < g->ept[i].n; j++)
			if (g->ept[i].r[j].gpa == x->watch_gpa && g->ept[i].r[j].len == x->watch_len)
				w = i;
	if (w >= 0) {
		d = g->dbg;
		d.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_BLOCKIRQ;
		if (!ioctl(v->fd, KVM_SET_GUEST_DEBUG, &d))
			v->gdb_watch = w + 1;
	}
	pthread_mutex_unlock(&v->vm->lock);
}
