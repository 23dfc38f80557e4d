// SPDX-License-Identifier: GPL-2.0
/*
 * The GDB stub's commands, and stopping and resuming vCPUs (gdb.h). Breakpoints are the
 * stub's: INT3s it writes into guest memory (KVM_GUESTDBG_USE_SW_BP; reads show the
 * original bytes) and the four debug registers (KVM_GUESTDBG_USE_HW_BP); on a device with
 * VMXMON_CAP_EPT_WATCH (/dev/vmxmon) watchpoints are EPT watches instead (ept_break()).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../vm/vcpu.h"
#include "../vm/vm.h"
#include "stub.h"

/* ---- vCPUs ---- */

static bool all_parked(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].started && !vm->vcpu[i].parked && !vm->vcpu[i].quit)
			return false;
	return true;
}

/*
 * vm->lock held: hold every vCPU and wait until each thread is parked (or ending: the
 * wait looks again now and then, as a thread that quits does not signal).
 */
void hold_all_locked(struct gdb *g)
{
	struct vm *vm = g->vm;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpu[i].debug_hold = true;
	vcpu__kick_all(vm);
	while (!all_parked(vm) && !vm->finished) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
	}
}

/*
 * Stop everything now, unless stopped already: Ctrl-C (@sigint: reported as SIGINT), a new
 * connection (as SIGTRAP, as QEMU does).
 */
void stop_all(struct gdb *g, bool sigint)
{
	pthread_mutex_lock(&g->vm->lock);
	if (!g->stopped) {
		g->stopped = true;
		g->stop_debug = !sigint;
		memset(&g->stop_arch, 0, sizeof(g->stop_arch));
		g->stop_vcpu = 0;
		g->stop_watch = -1;
	}
	hold_all_locked(g);
	pthread_mutex_unlock(&g->vm->lock);
}

void gdb__debug_exit(struct vcpu *v)
{
	struct gdb *g;
	int w;

	pthread_mutex_lock(&v->vm->lock);
	g = v->vm->gdb;		/* cleared under the lock before the stub goes */
	w = v->gdb_watch - 1;
	v->gdb_watch = 0;
	if (g && !g->stopped) {
		g->stopped = true;
		g->stop_debug = true;
		g->stop_vcpu = v->id;
		g->stop_watch = w;
		g->stop_arch = v->run->debug.arch;
		for (unsigned int i = 0; i < v->vm->nr_vcpus; i++)
			v->vm->vcpu[i].debug_hold = true;
		vcpu__kick_all(v->vm);
		if (write(g->pipe[1], "s", 1) < 0)
			perror("vmxrun: gdb");
	}
	/* else: another vCPU stopped first; an INT3 runs again when resumed. */
	pthread_mutex_unlock(&v->vm->lock);
}

/* KVM_SET_GUEST_DEBUG for every vCPU (all parked), stepping @step (or none: -1). */
static int set_debug(struct gdb *g, int step)
{
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE };
	int r = 0;

	for (int i = 0; i < MAX_SW_BP; i++)
		if (g->sw[i].used)
			dbg.control |= KVM_GUESTDBG_USE_SW_BP;
	for (int i = 0; i < 4; i++) {
		static const u64 rw[] = { [HW_EXEC] = 0, [HW_WRITE] = 1, [HW_READ] = 3,
					  [HW_ACCESS] = 3 };
		u64 len;

		if (!g->hw[i].used)
			continue;
		len = g->hw[i].type == HW_EXEC ? 0 : g->hw[i].len == 8 ? 2 : g->hw[i].len - 1;
		dbg.control |= KVM_GUESTDBG_USE_HW_BP;
		dbg.arch.debugreg[i] = g->hw[i].addr;
		dbg.arch.debugreg[7] |= DR7_LOCAL(i) | rw[g->hw[i].type] << (16 + 4 * i) |
					len << (18 + 4 * i);
	}
	g->dbg = dbg;
	for (unsigned int i = 0; i < g->vm->nr_vcpus; i++) {
		struct kvm_guest_debug d = dbg;

		if ((int)i == step)
			d.control |= KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_BLOCKIRQ;
		if (d.control == KVM_GUESTDBG_ENABLE)
			d.control = 0;
		if (ioctl(g->vm->vcpu[i].fd, KVM_SET_GUEST_DEBUG, &d))
			r = -errno;
	}
	return r;
}

/* Let the vCPUs go: all of them, or only @step for a single step. */
void resume(struct gdb *g, int step)
{
	struct vm *vm = g->vm;

	if (set_debug(g, step))
		fprintf(stderr, "vmxrun: gdb: KVM_SET_GUEST_DEBUG: %s\n", strerror(errno));
	pthread_mutex_lock(&vm->lock);
	g->stopped = false;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpu[i].debug_hold = step >= 0 && (int)i != step;
		vm->vcpu[i].gdb_watch = 0;	/* set_debug() ended that step */
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	g->running = true;
}

/* ---- replies ---- */

void send_raw(struct gdb *g, const char *buf, size_t len)
{
	while (len && g->fd >= 0) {
		ssize_t n = send(g->fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			close(g->fd);
			g->fd = -1;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void reply_len(struct gdb *g, const char *data, size_t len)
{
	size_t n = gdb_frame(data, len, g->frame, sizeof(g->frame));

	if (n)
		send_raw(g, g->frame, n);
}

static void reply(struct gdb *g, const char *s)
{
	reply_len(g, s, strlen(s));
}

/* The stop reply for the last stop ("T05thread:1;swbreak:;", ...). */
void reply_stop(struct gdb *g)
{
	const struct kvm_debug_exit_arch *a = &g->stop_arch;
	char *o = g->out;
	int sig = 5;

	pthread_mutex_lock(&g->vm->lock);
	if (!g->stop_debug)
		sig = 2;
	o += sprintf(o, "T%02xthread:%x;", sig, g->stop_vcpu + 1);
	if (g->stop_debug && g->stop_watch >= 0 && g->ept[g->stop_watch].used) {
		enum hw_type t = g->ept[g->stop_watch].type;

		o += sprintf(o, "%s:%llx;", t == HW_WRITE ? "watch" : t == HW_READ ? "rwatch" :
			     "awatch", (unsigned long long)g->ept[g->stop_watch].addr);
	} else if (g->stop_debug && a->exception == 3) {
		o += sprintf(o, "swbreak:;");
	} else if (g->stop_debug && a->exception == 1 && (a->dr6 & 0xf)) {
		for (int i = 0; i < 4; i++) {
			if (!(a->dr6 & (1u << i)) || !g->hw[i].used)
				continue;
			if (g->hw[i].type == HW_EXEC)
				o += sprintf(o, "hwbreak:;");
			else
				o += sprintf(o, "%s:%llx;", g->hw[i].type == HW_WRITE ? "watch" :
					     g->hw[i].type == HW_READ ? "rwatch" : "awatch",
					     (unsigned long long)g->hw[i].addr);
			break;
		}
	}
	g->g_vcpu = g->stop_vcpu;
	pthread_mutex_unlock(&g->vm->lock);
	reply(g, g->out);
}

/* ---- commands ---- */

static struct vcpu *g_vcpu(struct gdb *g)
{
	return &g->vm->vcpu[g->g_vcpu < g->vm->nr_vcpus ? g->g_vcpu : 0];
}

static void cmd_regs(struct gdb *g)
{
	struct gdb_vcpu_state st;
	char *o = g->out;
	u8 buf[16];

	if (gdb_vcpu_state(&st, g_vcpu(g)->fd))
		return reply(g, "E05");
	for (int n = 0; n < gdb_reg_count(); n++) {
		size_t len = gdb_reg_get(&st, n, buf);

		gdb_hex_encode(buf, len, o);
		o += 2 * len;
	}
	reply(g, g->out);
}

static void cmd_reg(struct gdb *g, const char *p)
{
	struct gdb_vcpu_state st;
	u64 n;
	u8 buf[16];
	size_t len;

	if (!gdb_parse_hex(&p, &n) || *p || n >= (u64)gdb_reg_count() ||
	    gdb_vcpu_state(&st, g_vcpu(g)->fd))
		return reply(g, "E16");
	len = gdb_reg_get(&st, (int)n, buf);
	gdb_hex_encode(buf, len, g->out);
	reply(g, g->out);
}

static void cmd_set_reg(struct gdb *g, const char *p)
{
	struct gdb_vcpu_state st;
	u8 buf[16];
	u64 n;
	size_t len;

	if (!gdb_parse_hex(&p, &n) || *p++ != '=' || n >= (u64)gdb_reg_count() ||
	    gdb_vcpu_state(&st, g_vcpu(g)->fd))
		return reply(g, "E16");
	len = gdb_reg_get(&st, (int)n, buf);
	if (strlen(p) != 2 * len || !gdb_hex_decode(p, 2 * len, buf) ||
	    gdb_reg_set(&st, (int)n, buf) || ioctl(g_vcpu(g)->fd, KVM_SET_REGS, &st.regs))
		return reply(g, "E16");
	reply(g, "OK");
}

/* 'G': only what 'P' can write changes; the rest must come back as it was. */
static void cmd_set_regs(struct gdb *g, const char *p)
{
	struct gdb_vcpu_state st;
	u8 buf[16];

	if (gdb_vcpu_state(&st, g_vcpu(g)->fd))
		return reply(g, "E16");
	for (int n = 0; n < gdb_reg_count(); n++) {
		size_t len = gdb_reg_get(&st, n, buf);

		if (strlen(p) < 2 * len || !gdb_hex_decode(p, 2 * len, buf))
			return reply(g, "E16");
		gdb_reg_set(&st, n, buf);
		p += 2 * len;
	}
	if (ioctl(g_vcpu(g)->fd, KVM_SET_REGS, &st.regs))
		return reply(g, "E16");
	reply(g, "OK");
}

static bool parse_addr_len(const char **p, u64 *addr, u64 *len, char sep)
{
	return gdb_parse_hex(p, addr) && *(*p)++ == ',' && gdb_parse_hex(p, len) &&
	       **p == sep;
}

size_t mem(struct gdb *g, u64 addr, u8 *buf, size_t len, bool write)
{
	struct kvm_sregs s;

	if (ioctl(g_vcpu(g)->fd, KVM_GET_SREGS, &s))
		return 0;
	return gdb_mem_access(g->vm, &s, addr, buf, len, write);
}

static void cmd_read_mem(struct gdb *g, const char *p)
{
	u8 buf[GDB_PKT_MAX / 2];
	u64 addr, len;
	size_t n;

	if (!parse_addr_len(&p, &addr, &len, '\0'))
		return reply(g, "E16");
	n = mem(g, addr, buf, MIN(len, sizeof(buf) - 2), false);
	/* Show the guest's bytes, not our INT3s. */
	for (int i = 0; i < MAX_SW_BP; i++)
		if (g->sw[i].used && g->sw[i].addr - addr < n)
			buf[g->sw[i].addr - addr] = g->sw[i].orig;
	if (!n && len)
		return reply(g, "E14");
	gdb_hex_encode(buf, n, g->out);
	reply(g, g->out);
}

static void cmd_write_mem(struct gdb *g, const char *p)
{
	u8 buf[GDB_PKT_MAX / 2];
	u64 addr, len;

	if (!parse_addr_len(&p, &addr, &len, ':') || len > sizeof(buf) ||
	    strlen(p + 1) != 2 * len || !gdb_hex_decode(p + 1, 2 * len, buf))
		return reply(g, "E16");
	reply(g, mem(g, addr, buf, len, true) == len ? "OK" : "E14");
}

/* Z/z: breakpoints (0 software, 1 hardware) and watchpoints (2 write, 3 read, 4 access). */
static void cmd_break(struct gdb *g, const char *p, bool insert)
{
	u64 type, addr, kind;
	int i;

	/* "type,addr,kind", perhaps ";cond..." after it (ignored: no target-side conditions) */
	if (!gdb_parse_hex(&p, &type) || *p++ != ',' || !gdb_parse_hex(&p, &addr) ||
	    *p++ != ',' || !gdb_parse_hex(&p, &kind) || (*p && *p != ';'))
		return reply(g, "E16");
	if (type == 0) {
		for (i = 0; i < MAX_SW_BP; i++)
			if (g->sw[i].used && g->sw[i].addr == addr)
				break;
		if (!insert) {
			if (i < MAX_SW_BP) {
				mem(g, addr, &g->sw[i].orig, 1, true);
				g->sw[i].used = false;
			}
			return reply(g, "OK");
		}
		if (i < MAX_SW_BP)
			return reply(g, "OK");
		for (i = 0; i < MAX_SW_BP && g->sw[i].used; i++)
			;
		if (i == MAX_SW_BP || mem(g, addr, &g->sw[i].orig, 1, false) != 1 ||
		    mem(g, addr, (u8 *)"\xcc", 1, true) != 1)
			return reply(g, "E0e");
		g->sw[i].addr = addr;
		g->sw[i].used = true;
		return reply(g, "OK");
	}
	if (type >= HW_WRITE && type <= HW_ACCESS && g->ept_watch)
		return reply(g, ept_break(g, (enum hw_type)type, addr, kind, insert));
	if (type > 4 || type == HW_READ)	/* x86 has no read-only watchpoints */
		return reply(g, "");
	if (type != HW_EXEC && (kind != 1 && kind != 2 && kind != 4 && kind != 8))
		return reply(g, "E16");
	if (type != HW_EXEC && (addr & (kind - 1)))
		return reply(g, "E16");		/* DR7 lengths need aligned addresses */
	for (i = 0; i < 4; i++)
		if (g->hw[i].used && g->hw[i].addr == addr && g->hw[i].type == type)
			break;
	if (!insert) {
		if (i < 4)
			g->hw[i].used = false;
		return reply(g, "OK");
	}
	if (i == 4)
		for (i = 0; i < 4 && g->hw[i].used; i++)
			;
	if (i == 4)
		return reply(g, "E0e");
	g->hw[i].addr = addr;
	g->hw[i].len = type == HW_EXEC ? 1 : (unsigned int)kind;
	g->hw[i].type = (enum hw_type)type;
	g->hw[i].used = true;
	reply(g, "OK");
}

static void cmd_resume(struct gdb *g, const char *p, bool step)
{
	u64 addr;

	if (*p) {
		struct kvm_regs r;

		if (!gdb_parse_hex(&p, &addr) || ioctl(g_vcpu(g)->fd, KVM_GET_REGS, &r))
			return reply(g, "E16");
		r.rip = addr;
		if (ioctl(g_vcpu(g)->fd, KVM_SET_REGS, &r))
			return reply(g, "E16");
	}
	if (step)
		resume(g, g->c_vcpu >= 0 ? g->c_vcpu : (int)g->g_vcpu);
	else
		resume(g, -1);
}

/* A thread id: 1.. = vCPU 0..; 0 = any, -1 = all. */
static bool parse_thread(struct gdb *g, const char *p, int *id)
{
	u64 v;

	if (!strcmp(p, "-1")) {
		*id = -1;
		return true;
	}
	if (!gdb_parse_hex(&p, &v) || *p || v > g->vm->nr_vcpus)
		return false;
	*id = v ? (int)v - 1 : 0;
	return true;
}

#define XFER_TARGET	"qXfer:features:read:target.xml:"

static void cmd_query(struct gdb *g, const char *p)
{
	u64 off, len;

	if (!strncmp(p, "qSupported", 10))
		return reply(g, "PacketSize=1000;qXfer:features:read+;swbreak+;hwbreak+");
	if (!strncmp(p, XFER_TARGET, strlen(XFER_TARGET))) {
		size_t total = strlen(gdb_target_xml);

		p += strlen(XFER_TARGET);
		if (!parse_addr_len(&p, &off, &len, '\0'))
			return reply(g, "E16");
		if (off >= total)
			return reply(g, "l");
		len = MIN(len, MIN(total - off, (u64)GDB_PKT_MAX - 2));
		g->out[0] = off + len < total ? 'm' : 'l';
		memcpy(g->out + 1, gdb_target_xml + off, len);
		return reply_len(g, g->out, len + 1);
	}
	if (!strcmp(p, "qfThreadInfo")) {
		char *o = g->out;

		*o++ = 'm';
		for (unsigned int i = 0; i < g->vm->nr_vcpus && o < g->out + GDB_PKT_MAX - 12; i++)
			o += sprintf(o, "%s%x", i ? "," : "", i + 1);
		return reply(g, g->out);
	}
	if (!strcmp(p, "qsThreadInfo"))
		return reply(g, "l");
	if (!strcmp(p, "qC")) {
		sprintf(g->out, "QC%x", g->g_vcpu + 1);
		return reply(g, g->out);
	}
	if (!strcmp(p, "qAttached"))
		return reply(g, "1");
	reply(g, "");
}

/* One packet, all vCPUs stopped (or, for '?', whatever the state). */
void handle_packet(struct gdb *g, const char *p)
{
	int id;

	switch (p[0]) {
	case '?':
		return reply_stop(g);
	case 'g':
		return cmd_regs(g);
	case 'G':
		return cmd_set_regs(g, p + 1);
	case 'p':
		return cmd_reg(g, p + 1);
	case 'P':
		return cmd_set_reg(g, p + 1);
	case 'm':
		return cmd_read_mem(g, p + 1);
	case 'M':
		return cmd_write_mem(g, p + 1);
	case 'Z': case 'z':
		return cmd_break(g, p + 1, p[0] == 'Z');
	case 'c':
		return cmd_resume(g, p + 1, false);
	case 's':
		return cmd_resume(g, p + 1, true);
	case 'H':
		if ((p[1] != 'g' && p[1] != 'c') || !parse_thread(g, p + 2, &id))
			return reply(g, "E16");
		if (p[1] == 'g')
			g->g_vcpu = id < 0 ? 0 : (unsigned int)id;
		else
			g->c_vcpu = id;
		return reply(g, "OK");
	case 'T':
		return reply(g, parse_thread(g, p + 1, &id) && id >= 0 ? "OK" : "E16");
	case 'q':
		return cmd_query(g, p);
	case 'D':
		reply(g, "OK");
		close(g->fd);
		g->fd = -1;
		return;
	case 'k':
		vm__request(g->vm, REQ_EXIT, 0, "gdb-kill");
		close(g->fd);
		g->fd = -1;
		return;
	}
	reply(g, "");
}
