/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtvmxd: a daemon that speaks libvirt's RPC protocol, so that unmodified virsh,
 * libvirt-python and virt-install manage vmxmon VMs (vmx:///system). Each running domain is
 * a vmxrun process driven through its control socket; definitions live in files.
 *
 * Threads: one reader per client connection (it decodes calls and runs them in order) and
 * one writer (the only thread that writes to the socket: replies, events, stream data and
 * PONGs are whole frames queued in order); one monitor per running domain (reads vmxrun's
 * control socket: replies and events); one reader per open console stream.
 * Locks: daemon.lock protects the lists (domains, pools, connections) and every domain's
 * fields marked (d); dom->job serialises the operations on one domain (start, destroy, ...)
 * and is taken before daemon.lock, never while holding it; conn->lock protects a
 * connection's queue, event callbacks and streams.
 */
#ifndef VIRTVMXD_H
#define VIRTVMXD_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "xdr.h"

#define VIRTVMXD_VERSION	"0.1"
#define LIBVIRT_COMPAT_VERSION	9000000ull	/* the clients we follow: libvirt 9.0 */
#define MAX_CALLBACKS		64
#define OUT_QUEUE_MAX		(64u << 20)	/* a client that reads nothing is dropped */

struct domdef;
struct stream;

struct daemon {
	pthread_mutex_t lock;
	struct domain *domains;		/* (d) */
	struct pool *pools;		/* (d) */
	struct conn *conns;		/* (d) */
	unsigned int nconns[2];		/* (d) clients of the read-write [0], read-only [1] socket */
	unsigned int max_clients;	/* per socket */
	int next_id;			/* (d) the id of the next domain started */
	const char *vmxrun;		/* default emulator */
	const char *dev;		/* hypervisor device given to vmxrun */
	const char *uri;		/* vmx:///system or vmx:///session */
	bool verbose;
	char dom_dir[PATH_MAX], pool_dir[PATH_MAX], run_dir[PATH_MAX], log_dir[PATH_MAX];
	char sock[PATH_MAX], sock_ro[PATH_MAX];
	unsigned int start_timeout_s;	/* for vmxrun's control socket to answer */
};

struct callback {
	int id;				/* callbackID given to the client */
	int event;			/* EVENT_ID_* */
	bool legacy;			/* registered with the old REGISTER (procedure 105) */
	bool has_dom;
	uint8_t uuid[16];
};

struct outmsg {
	struct outmsg *next;
	size_t len;
	uint8_t data[];
};

struct conn {
	struct daemon *d;
	int fd;
	bool readonly;
	bool opened;			/* CONNECT_OPEN done */
	int refs;			/* (d) the list, the reader, each stream */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct outmsg *head, *tail;	/* (lock) */
	size_t queued;			/* (lock) bytes */
	bool dead;			/* (lock) the writer stops, the reader sees EOF */
	struct callback cb[MAX_CALLBACKS];	/* (lock) */
	int ncb, next_cb;		/* (lock) */
	struct stream *streams;		/* (lock) */
	pthread_t writer;
	struct conn *next;		/* (d) */
};

enum { JOB_NONE, JOB_START, JOB_STOP };

struct domain {
	struct domain *next;		/* (d) */
	int refs;			/* (d) */
	pthread_mutex_t job;		/* serialises start/stop/undefine on this domain */
	char *name;			/* (d) */
	uint8_t uuid[16];
	int id;				/* (d) -1 while inactive */
	struct domdef *def;		/* (d) the definition (persistent or transient) */
	struct domdef *live;		/* (d) while active: what it started with */
	bool persistent, autostart;	/* (d) */
	bool removed;			/* (d) gone from the list */
	int state, reason;		/* (d) */
	/* While active. */
	pid_t pid;			/* (d) vmxrun */
	bool child;			/* (d) our child (else re-attached after a restart) */
	unsigned long long starttime;	/* (d) of pid, from /proc (pid reuse check) */
	bool stopping;			/* (d) destroy asked for */
	char shutdown_reason[64];	/* (d) vmxrun's SHUTDOWN event reason, "" if none */
	struct qmp *qmp;		/* (d) the control socket, NULL if not connected */
	char *ctl_path, *con_path;	/* (d) */
};

/* An RPC call being answered. */
struct call {
	struct conn *conn;
	uint32_t prog, vers, proc, serial;
	struct xdr in;			/* the arguments */
	struct xdr out;			/* the reply payload (after the reserved frame header) */
	int err_code, err_domain;
	char err[1024];
	bool replied;			/* the procedure sent the reply itself */
};

/* main.c */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* rpc.c: frames and the per-connection writer. */
int conn_start_writer(struct conn *c);
void conn_kill(struct conn *c);
/* Queue a whole frame (header filled here); x->buf is taken over. */
void conn_send(struct conn *c, struct xdr *x, uint32_t prog, uint32_t proc, uint32_t type,
	       uint32_t serial, uint32_t status);
void call_reply(struct call *c);
void call_reply_error(struct call *c);
int call_error(struct call *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void put_error(struct xdr *x, int code, int domain, const char *msg);
void conn_get(struct conn *c);
void conn_put(struct conn *c);

/* dispatch.c */
void dispatch_call(struct call *c);
/* The arguments could not be decoded: an RPC error (returns -1). */
int bad_args(struct call *c);

/* Procedures: return 0 (reply with c->out), -1 (error in c) or 1 (already replied). */
typedef int (*proc_fn)(struct call *c);
proc_fn proc_connect(uint32_t proc, bool *ro_ok);
proc_fn proc_domain(uint32_t proc, bool *ro_ok);
proc_fn proc_storage(uint32_t proc, bool *ro_ok);
void pools_load(struct daemon *d);

/* domain.c */
struct domain *dom_lookup_wire(struct call *c);	/* reads remote_nonnull_domain; ref held */
void put_dom(struct xdr *x, struct domain *dom);	/* remote_nonnull_domain; (d) held */
void dom_put(struct daemon *d, struct domain *dom);
struct domain *dom_find_ref(struct daemon *d, const char *name, const uint8_t *uuid, int id);
struct domain *dom_new(struct daemon *d, struct domdef *def);
void dom_link(struct daemon *d, struct domain *dom);	/* (d) held */
void dom_unlink(struct daemon *d, struct domain *dom);	/* (d) held */
void dom_remove_files(struct daemon *d, const char *name);
int dom_set_autostart_file(struct daemon *d, const char *name, bool on, char *err, size_t errlen);
char *read_file(const char *path, size_t max);
/* Whether a domain passes virConnectListAllDomains' filter flags; (d) held. */
bool dom_list_match(const struct domain *dom, unsigned int flags);
void dom_event(struct daemon *d, struct domain *dom, int event, int detail);
void dom_reboot_event(struct daemon *d, struct domain *dom);
int dom_load_all(struct daemon *d);
void dom_autostart(struct daemon *d);
int dom_save_def(struct daemon *d, struct domain *dom, char *err, size_t errlen);

/* vmproc.c */
int vm_start(struct daemon *d, struct domain *dom, unsigned int flags, char *err, size_t errlen);
int vm_destroy(struct daemon *d, struct domain *dom, char *err, size_t errlen);
/* A control command; 0 with *reply (a json_t *, caller decrefs; may be NULL) or -1. */
int vm_command(struct daemon *d, struct domain *dom, const char *cmd, void **reply,
	       char *err, size_t errlen);
/* Wait (up to ms) until the domain is inactive; true if it is. */
bool vm_wait_stopped(struct daemon *d, struct domain *dom, int ms);
void vm_reattach_all(struct daemon *d);
unsigned long long vm_cpu_time_ns(pid_t pid);

/* stream.c */
int console_open(struct call *c, struct domain *dom, unsigned int flags);
bool stream_input(struct conn *c, uint32_t proc, uint32_t serial, uint32_t status,
		  const uint8_t *data, size_t len);
void streams_close_all(struct conn *c);
void streams_close_domain(struct daemon *d, struct domain *dom);

/* util */
int write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);
void uuid_format(const uint8_t *u, char *out);		/* 37 bytes */
int uuid_parse(const char *s, uint8_t *u);
void uuid_generate(uint8_t *u);

#endif
