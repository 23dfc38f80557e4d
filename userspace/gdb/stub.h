/* SPDX-License-Identifier: GPL-2.0 */
/* The GDB stub's state and the calls between its commands (gdb.c) and its server (server.c). */
#ifndef VMXRUN_GDB_STUB_H
#define VMXRUN_GDB_STUB_H

#include <linux/kvm.h>
#include <pthread.h>

#include "../vm/hv.h"
#include "gdb.h"
#include "proto.h"

#define MAX_SW_BP	64
#define MAX_EPT_WP	16		/* watchpoints as EPT watches (/dev/vmxmon) */
#define EPT_WP_PAGES	4		/* pages one of them may span */
#define DR7_LOCAL(i)	(1ull << (2 * (i)))

enum hw_type { HW_EXEC = 1, HW_WRITE = 2, HW_READ = 3, HW_ACCESS = 4 };	/* Z1..Z4 */

struct gdb {
	struct vm *vm;
	int lfd, fd;			/* listening socket, connection (-1: none) */
	int pipe[2];			/* "s": a vCPU stopped; "q": end the thread */
	pthread_t thread;
	bool thread_started;
	/* vm->lock */
	bool stopped;			/* every vCPU held */
	unsigned int stop_vcpu;
	bool stop_debug;		/* stopped by KVM_EXIT_DEBUG (stop_arch), else interrupted */
	struct kvm_debug_exit_arch stop_arch;
	int stop_watch;			/* ept[] that stopped it, -1: none */
	struct kvm_guest_debug dbg;	/* what vCPUs not stepping run with */
	bool ept_watch;			/* VMXMON_CAP_EPT_WATCH: Z2..Z4 are EPT watches */
	/* the stub's thread */
	bool running;			/* resumed, a stop reply owed */
	unsigned int g_vcpu;		/* Hg */
	int c_vcpu;			/* Hc: -1 all */
	struct { u64 addr; u8 orig; bool used; } sw[MAX_SW_BP];
	struct { u64 addr; unsigned int len; enum hw_type type; bool used; } hw[4];
	struct {
		u64 addr, len;
		enum hw_type type;
		int n;				/* ranges in r[] */
		struct gdb_gpa_range r[EPT_WP_PAGES];
		bool used;
	} ept[MAX_EPT_WP];
	struct gdb_rx rx;
	char out[GDB_PKT_MAX + 8], frame[2 * GDB_PKT_MAX + 16];
};

void stop_all(struct gdb *g, bool sigint);
void hold_all_locked(struct gdb *g);
void resume(struct gdb *g, int step);
void send_raw(struct gdb *g, const char *buf, size_t len);
void reply_stop(struct gdb *g);
size_t mem(struct gdb *g, u64 addr, u8 *buf, size_t len, bool write);
/* watch.c */
const char *ept_break(struct gdb *g, enum hw_type type, u64 addr, u64 len, bool insert);
void ept_watch_del_all(struct gdb *g);
void handle_packet(struct gdb *g, const char *p);

#endif
