// SPDX-License-Identifier: GPL-2.0
/*
 * One call: find its procedure, enforce the connection's state (CONNECT_OPEN first, then
 * only read-only procedures on the read-only socket) and send the reply. A procedure
 * virtvmxd does not implement gets VIR_ERR_NO_SUPPORT, which the clients handle (virsh and
 * libvirt-python fall back or report "this function is not supported").
 */
#include <stdio.h>

#include "virtvmxd.h"

/* Procedures a client may call before CONNECT_OPEN. */
static bool before_open(uint32_t proc)
{
	return proc == PROC_AUTH_LIST || proc == PROC_CONNECT_OPEN ||
	       proc == PROC_CONNECT_SUPPORTS_FEATURE || proc == PROC_CONNECT_CLOSE;
}

void dispatch_call(struct call *c)
{
	proc_fn fn;
	bool ro_ok = false;
	int r;

	fn = proc_connect(c->proc, &ro_ok);
	if (!fn)
		fn = proc_domain(c->proc, &ro_ok);
	if (!fn)
		fn = proc_storage(c->proc, &ro_ok);
	if (c->conn->d->verbose)
		logmsg("call %u serial %u%s", c->proc, c->serial, fn ? "" : ": not supported");
	if (!fn) {
		c->err_domain = FROM_RPC;
		call_error(c, ERR_NO_SUPPORT, "unknown procedure: %u (not supported by virtvmxd)",
			   c->proc);
		call_reply_error(c);
		return;
	}
	if (!c->conn->opened && !before_open(c->proc)) {
		c->err_domain = FROM_RPC;
		call_error(c, ERR_RPC, "connection not open (CONNECT_OPEN first)");
		call_reply_error(c);
		return;
	}
	if (c->conn->readonly && !ro_ok) {
		c->err_domain = FROM_RPC;
		call_error(c, ERR_OPERATION_DENIED,
			   "operation forbidden: read only access prevents this (procedure %u; connect to the read-write socket as root)",
			   c->proc);
		call_reply_error(c);
		return;
	}
	r = fn(c);
	if (r == 0 && c->in.err) {	/* the arguments were short or malformed */
		c->err_domain = FROM_RPC;
		r = call_error(c, ERR_RPC, "cannot decode the arguments of procedure %u", c->proc);
	}
	if (r < 0)
		call_reply_error(c);
	else if (!c->replied)
		call_reply(c);
}

int bad_args(struct call *c)
{
	c->err_domain = FROM_RPC;
	return call_error(c, ERR_RPC, "cannot decode the arguments of procedure %u", c->proc);
}
