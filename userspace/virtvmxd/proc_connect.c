// SPDX-License-Identifier: GPL-2.0
/*
 * Connection and host procedures: authentication, open/close, features, versions,
 * hostname, node info, capabilities, domain capabilities, event (de)registration.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "domxml.h"
#include "virtvmxd.h"

/* Only REMOTE_AUTH_NONE: access is the socket's file mode (rw root-only, ro for all). */
static int auth_list(struct call *c)
{
	put_u32(&c->out, 1);
	put_u32(&c->out, 0);
	return 0;
}

static int supports_feature(struct call *c)
{
	int f = get_i32(&c->in);

	if (c->in.err)
		return bad_args(c);
	put_i32(&c->out, f == FEATURE_TYPED_PARAM_STRING || f == FEATURE_PROGRAM_KEEPALIVE ||
			 f == FEATURE_REMOTE_EVENT_CALLBACK || f == FEATURE_REMOTE_CLOSE_CALLBACK);
	return 0;
}

static int connect_open(struct call *c)
{
	char *name = get_optstr(&c->in, RPC_STRING_MAX);
	unsigned int flags = get_u32(&c->in);

	(void)flags;
	if (c->in.err) {
		free(name);
		return bad_args(c);
	}
	/* The client sends the URI it was given ("vmx:///system", or with ?socket=...). */
	if (name && *name && strncmp(name, "vmx", 3)) {
		c->err_domain = FROM_REMOTE;
		call_error(c, ERR_NO_SUPPORT, "virtvmxd serves vmx:// URIs only, not %s", name);
		free(name);
		return -1;
	}
	free(name);
	c->conn->opened = true;
	return 0;
}

static int connect_close(struct call *c)
{
	c->conn->opened = false;
	return 0;
}

static int get_type(struct call *c)
{
	put_str(&c->out, "VMX");
	return 0;
}

/* The hypervisor version: vmxrun's (0.1 as major * 1000000 + minor * 1000). */
static int get_version(struct call *c)
{
	put_u64(&c->out, 1000);
	return 0;
}

static int get_lib_version(struct call *c)
{
	put_u64(&c->out, LIBVIRT_COMPAT_VERSION);
	return 0;
}

static int get_hostname(struct call *c)
{
	char host[256] = "localhost";

	gethostname(host, sizeof(host) - 1);
	put_str(&c->out, host);
	return 0;
}

static int get_uri(struct call *c)
{
	put_str(&c->out, c->conn->d->uri);
	return 0;
}

static int is_secure(struct call *c)
{
	put_i32(&c->out, 1);		/* a local Unix socket (or ssh in front of one) */
	return 0;
}

static int get_max_vcpus(struct call *c)
{
	free(get_optstr(&c->in, RPC_STRING_MAX));
	if (c->in.err)
		return bad_args(c);
	put_i32(&c->out, DOMXML_MAX_VCPUS);
	return 0;
}

/* remote_node_get_info_ret: char model[32] (a 4-byte unit each), memory KiB, cpus, MHz,
 * NUMA nodes, sockets, cores, threads. */
static int node_get_info(struct call *c)
{
	char model[32] = "x86_64";
	struct sysinfo si;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int mhz = 0;
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "cpu MHz", 7) && strchr(line, ':')) {
			mhz = (unsigned int)atof(strchr(line, ':') + 1);
			break;
		}
	if (f)
		fclose(f);
	sysinfo(&si);
	for (int i = 0; i < 32; i++)
		put_u32(&c->out, (uint8_t)model[i]);
	put_u64(&c->out, (uint64_t)si.totalram * si.mem_unit / 1024);
	put_i32(&c->out, (int)cpus);
	put_i32(&c->out, (int)mhz);
	put_i32(&c->out, 1);
	put_i32(&c->out, 1);
	put_i32(&c->out, (int)cpus);
	put_i32(&c->out, 1);
	return 0;
}

static int node_free_memory(struct call *c)
{
	struct sysinfo si;

	sysinfo(&si);
	put_u64(&c->out, (uint64_t)si.freeram * si.mem_unit);
	return 0;
}

static int get_capabilities(struct call *c)
{
	char *xml = caps_xml(c->conn->d->vmxrun);

	put_str(&c->out, xml);
	free(xml);
	return 0;
}

static int get_domain_capabilities(struct call *c)
{
	char *emulator = get_optstr(&c->in, RPC_STRING_MAX);
	char *arch = get_optstr(&c->in, RPC_STRING_MAX);
	char *machine = get_optstr(&c->in, RPC_STRING_MAX);
	char *virttype = get_optstr(&c->in, RPC_STRING_MAX);
	int r = 0;

	get_u32(&c->in);
	if (c->in.err)
		r = bad_args(c);
	else if (arch && strcmp(arch, "x86_64"))
		r = call_error(c, ERR_CONFIG_UNSUPPORTED, "architecture %s is not supported (vmxmon runs x86_64 guests)", arch);
	else if (virttype && strcmp(virttype, "kvm"))
		r = call_error(c, ERR_CONFIG_UNSUPPORTED, "virttype %s is not supported (use kvm)", virttype);
	else if (machine && strcmp(machine, "pc"))
		r = call_error(c, ERR_CONFIG_UNSUPPORTED, "machine %s is not supported (vmxrun has one machine, pc)", machine);
	if (!r) {
		char *xml = domcaps_xml(emulator ? emulator : c->conn->d->vmxrun);

		put_str(&c->out, xml);
		free(xml);
	}
	free(emulator);
	free(arch);
	free(machine);
	free(virttype);
	return r;
}

static int get_sysinfo(struct call *c)
{
	get_u32(&c->in);
	put_str(&c->out, "<sysinfo type='smbios'/>\n");
	return 0;
}

/* The security model: none (an empty model makes virsh skip security labels). */
static int node_security_model(struct call *c)
{
	put_u32(&c->out, 0);		/* char model<> */
	put_u32(&c->out, 0);		/* char doi<> */
	return 0;
}

static int close_callback(struct call *c)
{
	(void)c;
	return 0;			/* nothing to register: we close no connection by ourselves */
}

/* Register a lifecycle/reboot callback (316): eventID, optional domain; ret callbackID. */
static int event_register_any(struct call *c)
{
	struct conn *conn = c->conn;
	struct callback cb = { .event = get_i32(&c->in) };
	uint32_t has_dom = get_u32(&c->in);

	if (has_dom == 1) {
		free(get_str(&c->in, RPC_STRING_MAX));
		get_bytes(&c->in, cb.uuid, 16);
		get_i32(&c->in);
		cb.has_dom = true;
	}
	if (c->in.err || has_dom > 1)
		return bad_args(c);
	if (cb.event != EVENT_ID_LIFECYCLE && cb.event != EVENT_ID_REBOOT)
		return call_error(c, ERR_NO_SUPPORT,
				  "domain event %d is not supported (virtvmxd sends lifecycle and reboot events)",
				  cb.event);
	pthread_mutex_lock(&conn->lock);
	if (conn->ncb == MAX_CALLBACKS) {
		pthread_mutex_unlock(&conn->lock);
		return call_error(c, ERR_OPERATION_FAILED, "too many event callbacks on one connection (%d)",
				  MAX_CALLBACKS);
	}
	cb.id = ++conn->next_cb;
	conn->cb[conn->ncb++] = cb;
	pthread_mutex_unlock(&conn->lock);
	put_i32(&c->out, cb.id);
	return 0;
}

static int event_deregister_any(struct call *c)
{
	struct conn *conn = c->conn;
	int id = get_i32(&c->in);
	bool found = false;

	if (c->in.err)
		return bad_args(c);
	pthread_mutex_lock(&conn->lock);
	for (int i = 0; i < conn->ncb; i++) {
		if (conn->cb[i].id == id && !conn->cb[i].legacy) {
			conn->cb[i] = conn->cb[--conn->ncb];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&conn->lock);
	if (!found)
		return call_error(c, ERR_INVALID_ARG, "no event callback %d on this connection", id);
	return 0;
}

/* The old interface (105/106): lifecycle events as procedure 107, no callbackID. */
static int event_register(struct call *c)
{
	struct conn *conn = c->conn;

	pthread_mutex_lock(&conn->lock);
	if (conn->ncb < MAX_CALLBACKS)
		conn->cb[conn->ncb++] = (struct callback){ .id = -1, .legacy = true };
	pthread_mutex_unlock(&conn->lock);
	put_i32(&c->out, 1);
	return 0;
}

static int event_deregister(struct call *c)
{
	struct conn *conn = c->conn;

	pthread_mutex_lock(&conn->lock);
	for (int i = 0; i < conn->ncb; i++)
		if (conn->cb[i].legacy)
			conn->cb[i--] = conn->cb[--conn->ncb];
	pthread_mutex_unlock(&conn->lock);
	put_i32(&c->out, 0);
	return 0;
}

static const struct {
	uint32_t proc;
	proc_fn fn;
	bool ro;
} procs[] = {
	{ PROC_AUTH_LIST, auth_list, true },
	{ PROC_CONNECT_SUPPORTS_FEATURE, supports_feature, true },
	{ PROC_CONNECT_OPEN, connect_open, true },
	{ PROC_CONNECT_CLOSE, connect_close, true },
	{ PROC_CONNECT_GET_TYPE, get_type, true },
	{ PROC_CONNECT_GET_VERSION, get_version, true },
	{ PROC_CONNECT_GET_LIB_VERSION, get_lib_version, true },
	{ PROC_CONNECT_GET_HOSTNAME, get_hostname, true },
	{ PROC_CONNECT_GET_URI, get_uri, true },
	{ PROC_CONNECT_IS_SECURE, is_secure, true },
	{ PROC_CONNECT_GET_MAX_VCPUS, get_max_vcpus, true },
	{ PROC_NODE_GET_INFO, node_get_info, true },
	{ PROC_NODE_GET_FREE_MEMORY, node_free_memory, true },
	{ PROC_CONNECT_GET_CAPABILITIES, get_capabilities, true },
	{ PROC_CONNECT_GET_DOMAIN_CAPABILITIES, get_domain_capabilities, true },
	{ PROC_CONNECT_GET_SYSINFO, get_sysinfo, true },
	{ PROC_NODE_GET_SECURITY_MODEL, node_security_model, true },
	{ PROC_CONNECT_REGISTER_CLOSE_CALLBACK, close_callback, true },
	{ PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, close_callback, true },
	{ PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, event_register_any, true },
	{ PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, event_deregister_any, true },
	{ PROC_CONNECT_DOMAIN_EVENT_REGISTER, event_register, true },
	{ PROC_CONNECT_DOMAIN_EVENT_DEREGISTER, event_deregister, true },
};

proc_fn proc_connect(uint32_t proc, bool *ro_ok)
{
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		if (procs[i].proc == proc) {
			*ro_ok = procs[i].ro;
			return procs[i].fn;
		}
	}
	return NULL;
}
