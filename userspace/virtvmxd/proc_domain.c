// SPDX-License-Identifier: GPL-2.0
/* Domain procedures: lookups, lists, define/undefine, lifecycle, info, XML. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "virtvmxd.h"

static int no_domain(struct call *c, const char *what)
{
	return call_error(c, ERR_NO_DOMAIN, "Domain not found: no domain with matching %s", what);
}

/* A lookup's reply: the domain, or the error. */
static int reply_dom(struct call *c, struct domain *dom, const char *what)
{
	struct daemon *d = c->conn->d;

	if (!dom)
		return no_domain(c, what);
	pthread_mutex_lock(&d->lock);
	put_dom(&c->out, dom);
	pthread_mutex_unlock(&d->lock);
	dom_put(d, dom);
	return 0;
}

static int lookup_by_name(struct call *c)
{
	char *name = get_str(&c->in, RPC_STRING_MAX), what[300];
	struct domain *dom;

	if (c->in.err)
		return bad_args(c);
	snprintf(what, sizeof(what), "name '%.256s'", name);
	dom = dom_find_ref(c->conn->d, name, NULL, -1);
	free(name);
	return reply_dom(c, dom, what);
}

static int lookup_by_uuid(struct call *c)
{
	uint8_t uuid[16];
	char u[37], what[64];

	get_bytes(&c->in, uuid, 16);
	if (c->in.err)
		return bad_args(c);
	uuid_format(uuid, u);
	snprintf(what, sizeof(what), "uuid '%s'", u);
	return reply_dom(c, dom_find_ref(c->conn->d, NULL, uuid, -1), what);
}

static int lookup_by_id(struct call *c)
{
	int id = get_i32(&c->in);
	char what[64];

	if (c->in.err)
		return bad_args(c);
	snprintf(what, sizeof(what), "id %d", id);
	return reply_dom(c, id < 0 ? NULL : dom_find_ref(c->conn->d, NULL, NULL, id), what);
}

bool dom_list_match(const struct domain *dom, unsigned int f)
{
	bool active = dom->id >= 0;

	if ((f & (LIST_ACTIVE | LIST_INACTIVE)) &&
	    !((f & LIST_ACTIVE && active) || (f & LIST_INACTIVE && !active)))
		return false;
	if ((f & (LIST_PERSISTENT | LIST_TRANSIENT)) &&
	    !((f & LIST_PERSISTENT && dom->persistent) || (f & LIST_TRANSIENT && !dom->persistent)))
		return false;
	if ((f & (LIST_RUNNING | LIST_PAUSED | LIST_SHUTOFF | LIST_OTHER)) &&
	    !((f & LIST_RUNNING && dom->state == ST_RUNNING) ||
	      (f & LIST_PAUSED && dom->state == ST_PAUSED) ||
	      (f & LIST_SHUTOFF && dom->state == ST_SHUTOFF) ||
	      (f & LIST_OTHER && dom->state != ST_RUNNING && dom->state != ST_PAUSED &&
	       dom->state != ST_SHUTOFF)))
		return false;
	if ((f & (LIST_AUTOSTART | LIST_NO_AUTOSTART)) &&
	    !((f & LIST_AUTOSTART && dom->autostart) || (f & LIST_NO_AUTOSTART && !dom->autostart)))
		return false;
	if (f & (LIST_MANAGEDSAVE | LIST_HAS_SNAPSHOT | LIST_HAS_CHECKPOINT))
		return (f & LIST_NO_MANAGEDSAVE) || (f & LIST_NO_SNAPSHOT) || (f & LIST_NO_CHECKPOINT);
	return true;
}

/* 273: need_results, flags; ret: domains<>, count. */
static int list_all_domains(struct call *c)
{
	struct daemon *d = c->conn->d;
	int need = get_i32(&c->in);
	unsigned int flags = get_u32(&c->in), n = 0;
	size_t count_off;

	if (c->in.err)
		return bad_args(c);
	count_off = c->out.len;
	put_u32(&c->out, 0);
	pthread_mutex_lock(&d->lock);
	for (struct domain *dom = d->domains; dom; dom = dom->next) {
		if (!dom_list_match(dom, flags))
			continue;
		if (need)
			put_dom(&c->out, dom);
		n++;
	}
	pthread_mutex_unlock(&d->lock);
	if (!need)
		c->out.len = count_off;
	if (need)
		patch_u32(&c->out, count_off, n);
	else
		put_u32(&c->out, 0);
	put_u32(&c->out, n);
	return 0;
}

static int list_ids(struct call *c)		/* 37: maxids; ret ids<> */
{
	struct daemon *d = c->conn->d;
	int max = get_i32(&c->in), n = 0;
	size_t off = c->out.len;

	if (c->in.err)
		return bad_args(c);
	put_u32(&c->out, 0);
	pthread_mutex_lock(&d->lock);
	for (struct domain *dom = d->domains; dom && n < max; dom = dom->next)
		if (dom->id >= 0) {
			put_i32(&c->out, dom->id);
			n++;
		}
	pthread_mutex_unlock(&d->lock);
	patch_u32(&c->out, off, (uint32_t)n);
	return 0;
}

static int list_defined(struct call *c)		/* 21: maxnames; ret names<> */
{
	struct daemon *d = c->conn->d;
	int max = get_i32(&c->in), n = 0;
	size_t off = c->out.len;

	if (c->in.err)
		return bad_args(c);
	put_u32(&c->out, 0);
	pthread_mutex_lock(&d->lock);
	for (struct domain *dom = d->domains; dom && n < max; dom = dom->next)
		if (dom->id < 0) {
			put_str(&c->out, dom->name);
			n++;
		}
	pthread_mutex_unlock(&d->lock);
	patch_u32(&c->out, off, (uint32_t)n);
	return 0;
}

static int count(struct call *c, bool active)
{
	struct daemon *d = c->conn->d;
	int n = 0;

	pthread_mutex_lock(&d->lock);
	for (struct domain *dom = d->domains; dom; dom = dom->next)
		n += (dom->id >= 0) == active;
	pthread_mutex_unlock(&d->lock);
	put_i32(&c->out, n);
	return 0;
}

static int num_of_domains(struct call *c) { return count(c, true); }
static int num_of_defined(struct call *c) { return count(c, false); }

/*
 * Define (11, 350) or, transient, create (10). A new definition of an existing domain (same
 * name and UUID) replaces it; a running domain keeps running what it started with.
 */
static struct domain *define(struct call *c, const char *xml, bool persistent, bool *updated)
{
	struct daemon *d = c->conn->d;
	struct domdef *def;
	struct domain *dom, *other;
	char err[1024], u[37];
	int code;

	def = domxml_parse(xml, &code, err, sizeof(err));
	if (!def) {
		c->err_domain = FROM_DOMAIN;
		call_error(c, code, "%s%s", code == ERR_XML_ERROR ? "XML error: " :
			   code == ERR_CONFIG_UNSUPPORTED ? "unsupported configuration: " : "", err);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	dom = NULL;
	for (other = d->domains; other; other = other->next) {
		bool same_name = !strcmp(other->name, def->name);
		bool same_uuid = !memcmp(other->uuid, def->uuid, 16);

		if (same_name && same_uuid) {
			dom = other;
			break;
		}
		if (same_name || same_uuid) {
			uuid_format(other->uuid, u);
			pthread_mutex_unlock(&d->lock);
			call_error(c, ERR_OPERATION_FAILED, "domain '%s' already exists with uuid %s",
				   other->name, u);
			domxml_free(def);
			return NULL;
		}
	}
	if (dom && !persistent) {
		bool active = dom->id >= 0;

		pthread_mutex_unlock(&d->lock);
		call_error(c, active ? ERR_OPERATION_INVALID : ERR_OPERATION_FAILED,
			   active ? "domain '%s' is already active" : "domain '%s' already exists (start it with virsh start)",
			   def->name);
		domxml_free(def);
		return NULL;
	}
	*updated = dom != NULL;
	if (dom) {
		domxml_free(dom->def);
		dom->def = def;
		dom->persistent = true;
	} else {
		dom = dom_new(d, def);
		if (!dom) {
			pthread_mutex_unlock(&d->lock);
			domxml_free(def);
			call_error(c, ERR_INTERNAL_ERROR, "out of memory");
			return NULL;
		}
		dom->persistent = persistent;
		dom_link(d, dom);
	}
	dom->refs++;
	pthread_mutex_unlock(&d->lock);
	return dom;
}

static int define_xml(struct call *c)
{
	struct daemon *d = c->conn->d;
	char *xml = get_str(&c->in, RPC_STRING_MAX), err[1024];
	struct domain *dom;
	bool updated;

	if (c->proc == PROC_DOMAIN_DEFINE_XML_FLAGS)
		get_u32(&c->in);
	if (c->in.err) {
		free(xml);
		return bad_args(c);
	}
	dom = define(c, xml, true, &updated);
	free(xml);
	if (!dom)
		return -1;
	pthread_mutex_lock(&dom->job);
	if (dom_save_def(d, dom, err, sizeof(err))) {
		pthread_mutex_unlock(&dom->job);
		if (!updated) {		/* nothing was saved: forget it */
			pthread_mutex_lock(&d->lock);
			dom_unlink(d, dom);
			dom->refs--;
			pthread_mutex_unlock(&d->lock);
		}
		dom_put(d, dom);
		return call_error(c, ERR_OPERATION_FAILED, "cannot save the definition: %s", err);
	}
	pthread_mutex_unlock(&dom->job);
	logmsg("%s: defined%s", dom->name, updated ? " (updated)" : "");
	dom_event(d, dom, EV_DEFINED, updated ? EVD_DEFINED_UPDATED : EVD_DEFINED_ADDED);
	return reply_dom(c, dom, "");
}

static int create_xml(struct call *c)		/* 10: xml, flags; a transient domain */
{
	struct daemon *d = c->conn->d;
	char *xml = get_str(&c->in, RPC_STRING_MAX), err[1024];
	unsigned int flags = get_u32(&c->in);
	struct domain *dom;
	bool updated;

	if (c->in.err) {
		free(xml);
		return bad_args(c);
	}
	dom = define(c, xml, false, &updated);
	free(xml);
	if (!dom)
		return -1;
	pthread_mutex_lock(&dom->job);
	if (vm_start(d, dom, flags, err, sizeof(err))) {
		pthread_mutex_unlock(&dom->job);
		pthread_mutex_lock(&d->lock);
		if (!dom->removed) {
			dom_unlink(d, dom);
			dom->refs--;
		}
		pthread_mutex_unlock(&d->lock);
		dom_put(d, dom);
		return call_error(c, ERR_OPERATION_FAILED, "%s", err);
	}
	pthread_mutex_unlock(&dom->job);
	return reply_dom(c, dom, "");
}

/* 9, 196: start a defined domain. */
static int create(struct call *c)
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	unsigned int flags = c->proc == PROC_DOMAIN_CREATE_WITH_FLAGS ? get_u32(&c->in) : 0;
	char err[1024];
	int r = 0;

	if (!dom)
		return -1;
	if (c->in.err) {
		dom_put(d, dom);
		return bad_args(c);
	}
	pthread_mutex_lock(&dom->job);
	if (dom->id >= 0)
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: domain is already running");
	else if (vm_start(d, dom, flags, err, sizeof(err)))
		r = call_error(c, ERR_OPERATION_FAILED, "%s", err);
	pthread_mutex_unlock(&dom->job);
	if (!r && c->proc == PROC_DOMAIN_CREATE_WITH_FLAGS)
		return reply_dom(c, dom, "");
	dom_put(d, dom);
	return r;
}

static int destroy(struct call *c)		/* 12, 234 */
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	char err[1024];
	int r = 0;

	if (!dom)
		return -1;
	if (c->proc == PROC_DOMAIN_DESTROY_FLAGS)
		get_u32(&c->in);
	pthread_mutex_lock(&dom->job);
	if (dom->id < 0)
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: domain is not running");
	else if (vm_destroy(d, dom, err, sizeof(err)))
		r = call_error(c, ERR_OPERATION_FAILED, "%s", err);
	pthread_mutex_unlock(&dom->job);
	dom_put(d, dom);
	return r;
}

static int undefine(struct call *c)		/* 35, 231 */
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	unsigned int flags = c->proc == PROC_DOMAIN_UNDEFINE_FLAGS ? get_u32(&c->in) : 0;
	int r = 0;

	if (!dom)
		return -1;
	/* No managed save, snapshots, checkpoints, NVRAM or TPM state exist: those flags
	 * ask to remove nothing, as libvirt allows. */
	(void)flags;
	pthread_mutex_lock(&dom->job);
	pthread_mutex_lock(&d->lock);
	if (!dom->persistent) {
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: cannot undefine transient domain");
	} else if (dom->id >= 0) {
		dom->persistent = false;	/* it goes when it stops, as in libvirt */
		dom->autostart = false;
	} else if (!dom->removed) {
		dom_unlink(d, dom);
		dom->refs--;
	}
	pthread_mutex_unlock(&d->lock);
	if (!r) {
		dom_remove_files(d, dom->name);
		logmsg("%s: undefined", dom->name);
	}
	pthread_mutex_unlock(&dom->job);
	if (!r)
		dom_event(d, dom, EV_UNDEFINED, EVD_UNDEFINED_REMOVED);
	dom_put(d, dom);
	return r;
}

/* A control-socket command on a running domain (shutdown, reboot, suspend, resume). */
static int command(struct call *c, const char *cmd, bool want_paused, bool want_running)
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	char err[1024];
	int r = 0, state;

	if (!dom)
		return -1;
	if (c->proc == PROC_DOMAIN_REBOOT || c->proc == PROC_DOMAIN_SHUTDOWN_FLAGS ||
	    c->proc == PROC_DOMAIN_RESET) {
		unsigned int flags = get_u32(&c->in);

		/* Only the ACPI way (flags 0 or ACPI_POWER_BTN = 1); no guest agent, no initctl. */
		if (flags & ~1u) {
			dom_put(d, dom);
			return call_error(c, ERR_ARGUMENT_UNSUPPORTED, "unsupported flags (%#x): vmxmon VMs shut down and reboot through ACPI only",
					  flags);
		}
	}
	pthread_mutex_lock(&dom->job);
	pthread_mutex_lock(&d->lock);
	state = dom->id < 0 ? ST_SHUTOFF : dom->state;
	pthread_mutex_unlock(&d->lock);
	if (state == ST_SHUTOFF)
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: domain is not running");
	else if (want_paused && state != ST_PAUSED)
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: domain is not paused");
	else if (want_running && state == ST_PAUSED && strcmp(cmd, "stop"))
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: domain is paused (resume it first)");
	else if (!(want_running && state == ST_PAUSED && !strcmp(cmd, "stop")) &&
		 vm_command(d, dom, cmd, NULL, err, sizeof(err)))
		r = call_error(c, ERR_OPERATION_FAILED, "%s", err);
	pthread_mutex_unlock(&dom->job);
	dom_put(d, dom);
	return r;
}

static int shutdown_(struct call *c) { return command(c, "system_powerdown", false, true); }
static int reboot(struct call *c) { return command(c, "system_reset", false, false); }
static int suspend(struct call *c) { return command(c, "stop", false, true); }
static int resume(struct call *c) { return command(c, "cont", true, false); }

/* 212: dom, flags; ret state, reason. */
static int get_state(struct call *c)
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);

	if (!dom)
		return -1;
	get_u32(&c->in);
	pthread_mutex_lock(&d->lock);
	put_i32(&c->out, dom->id < 0 ? ST_SHUTOFF : dom->state);
	put_i32(&c->out, dom->reason);
	pthread_mutex_unlock(&d->lock);
	dom_put(d, dom);
	return 0;
}

/* 16: ret state (uchar: a 4-byte unit), maxMem KiB, memory KiB, nrVirtCpu (ushort: 4
 * bytes), cpuTime ns (vmxrun's, from /proc: all of its threads). */
static int get_info(struct call *c)
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	const struct domdef *def;
	pid_t pid;

	if (!dom)
		return -1;
	pthread_mutex_lock(&d->lock);
	def = dom->live ? dom->live : dom->def;
	pid = dom->id >= 0 ? dom->pid : 0;
	put_u32(&c->out, (uint32_t)(dom->id < 0 ? ST_SHUTOFF : dom->state));
	put_u64(&c->out, def->mem_kib);
	put_u64(&c->out, dom->id >= 0 ? def->cur_mem_kib : 0);
	put_u32(&c->out, def->vcpus);
	pthread_mutex_unlock(&d->lock);
	put_u64(&c->out, vm_cpu_time_ns(pid));
	dom_put(d, dom);
	return 0;
}

static int get_xml_desc(struct call *c)		/* 14: dom, flags */
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	unsigned int flags = get_u32(&c->in);
	char *xml;

	if (!dom)
		return -1;
	pthread_mutex_lock(&d->lock);
	if (dom->live && !(flags & DOMAIN_XML_INACTIVE))
		xml = domxml_format(dom->live, dom->id);
	else
		xml = domxml_format(dom->def, dom->id >= 0 && !(flags & DOMAIN_XML_INACTIVE) ? dom->id : -1);
	pthread_mutex_unlock(&d->lock);
	put_str(&c->out, xml);
	free(xml);
	dom_put(d, dom);
	return 0;
}

/* Small getters: one int or u64 from the domain. */
enum getter { G_AUTOSTART, G_ACTIVE, G_PERSISTENT, G_UPDATED, G_MAXMEM, G_MAXVCPUS,
	      G_VCPUS_FLAGS, G_ZERO };

static int getter(struct call *c, enum getter g)
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	const struct domdef *def;

	if (!dom)
		return -1;
	pthread_mutex_lock(&d->lock);
	def = dom->live ? dom->live : dom->def;
	switch (g) {
	case G_AUTOSTART: put_i32(&c->out, dom->autostart); break;
	case G_ACTIVE: put_i32(&c->out, dom->id >= 0); break;
	case G_PERSISTENT: put_i32(&c->out, dom->persistent); break;
	case G_UPDATED: put_i32(&c->out, 0); break;
	case G_MAXMEM: put_u64(&c->out, def->mem_kib); break;
	case G_MAXVCPUS: case G_VCPUS_FLAGS: put_i32(&c->out, (int)def->vcpus); break;
	case G_ZERO: put_i32(&c->out, 0); break;
	}
	pthread_mutex_unlock(&d->lock);
	dom_put(d, dom);
	return 0;
}

static int get_autostart(struct call *c) { return getter(c, G_AUTOSTART); }
static int is_active(struct call *c) { return getter(c, G_ACTIVE); }
static int is_persistent(struct call *c) { return getter(c, G_PERSISTENT); }
static int is_updated(struct call *c) { return getter(c, G_UPDATED); }
static int get_max_memory(struct call *c) { return getter(c, G_MAXMEM); }
static int get_max_vcpus(struct call *c) { return getter(c, G_MAXVCPUS); }
static int get_vcpus_flags(struct call *c) { return getter(c, G_VCPUS_FLAGS); }
static int has_managed_save(struct call *c) { return getter(c, G_ZERO); }
static int snapshot_num(struct call *c) { return getter(c, G_ZERO); }

static int get_os_type(struct call *c)
{
	struct domain *dom = dom_lookup_wire(c);

	if (!dom)
		return -1;
	put_str(&c->out, "hvm");
	dom_put(c->conn->d, dom);
	return 0;
}

static int set_autostart(struct call *c)		/* 29: dom, autostart */
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	int on = get_i32(&c->in), r = 0;
	char err[1024];

	if (!dom)
		return -1;
	pthread_mutex_lock(&dom->job);
	if (!dom->persistent)
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: cannot set autostart for transient domain");
	else if (dom_set_autostart_file(d, dom->name, on != 0, err, sizeof(err)))
		r = call_error(c, ERR_OPERATION_FAILED, "%s", err);
	else {
		pthread_mutex_lock(&d->lock);
		dom->autostart = on != 0;
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_unlock(&dom->job);
	dom_put(d, dom);
	return r;
}

/* 229: ret state (ok), details, stateTime. */
static int get_control_info(struct call *c)
{
	struct domain *dom = dom_lookup_wire(c);

	if (!dom)
		return -1;
	get_u32(&c->in);
	put_u32(&c->out, 0);
	put_u32(&c->out, 0);
	put_u64(&c->out, 0);
	dom_put(c->conn->d, dom);
	return 0;
}

/* 278: no security driver: an empty list. */
static int security_label_list(struct call *c)
{
	struct domain *dom = dom_lookup_wire(c);

	if (!dom)
		return -1;
	put_u32(&c->out, 0);
	put_i32(&c->out, 0);
	dom_put(c->conn->d, dom);
	return 0;
}

static int open_console(struct call *c)		/* 201: dom, dev_name, flags */
{
	struct domain *dom = dom_lookup_wire(c);
	char *dev;
	unsigned int flags;
	int r;

	if (!dom)
		return -1;
	dev = get_optstr(&c->in, RPC_STRING_MAX);
	flags = get_u32(&c->in);
	if (c->in.err)
		r = bad_args(c);
	else if (dev && strcmp(dev, "serial0") && strcmp(dev, "console0"))
		r = call_error(c, ERR_INVALID_ARG, "cannot find character device %s (the domain has serial0, its console)", dev);
	else
		r = console_open(c, dom, flags);
	free(dev);
	dom_put(c->conn->d, dom);
	return r;
}

int stats_all(struct call *c);

static const struct {
	uint32_t proc;
	proc_fn fn;
	bool ro;
} procs[] = {
	{ PROC_DOMAIN_LOOKUP_BY_NAME, lookup_by_name, true },
	{ PROC_DOMAIN_LOOKUP_BY_UUID, lookup_by_uuid, true },
	{ PROC_DOMAIN_LOOKUP_BY_ID, lookup_by_id, true },
	{ PROC_CONNECT_LIST_ALL_DOMAINS, list_all_domains, true },
	{ PROC_CONNECT_LIST_DOMAINS, list_ids, true },
	{ PROC_CONNECT_LIST_DEFINED_DOMAINS, list_defined, true },
	{ PROC_CONNECT_NUM_OF_DOMAINS, num_of_domains, true },
	{ PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, num_of_defined, true },
	{ PROC_DOMAIN_DEFINE_XML, define_xml, false },
	{ PROC_DOMAIN_DEFINE_XML_FLAGS, define_xml, false },
	{ PROC_DOMAIN_CREATE_XML, create_xml, false },
	{ PROC_DOMAIN_CREATE, create, false },
	{ PROC_DOMAIN_CREATE_WITH_FLAGS, create, false },
	{ PROC_DOMAIN_DESTROY, destroy, false },
	{ PROC_DOMAIN_DESTROY_FLAGS, destroy, false },
	{ PROC_DOMAIN_UNDEFINE, undefine, false },
	{ PROC_DOMAIN_UNDEFINE_FLAGS, undefine, false },
	{ PROC_DOMAIN_SHUTDOWN, shutdown_, false },
	{ PROC_DOMAIN_SHUTDOWN_FLAGS, shutdown_, false },
	{ PROC_DOMAIN_REBOOT, reboot, false },
	{ PROC_DOMAIN_RESET, reboot, false },
	{ PROC_DOMAIN_SUSPEND, suspend, false },
	{ PROC_DOMAIN_RESUME, resume, false },
	{ PROC_DOMAIN_GET_STATE, get_state, true },
	{ PROC_DOMAIN_GET_INFO, get_info, true },
	{ PROC_DOMAIN_GET_XML_DESC, get_xml_desc, true },
	{ PROC_DOMAIN_GET_AUTOSTART, get_autostart, true },
	{ PROC_DOMAIN_SET_AUTOSTART, set_autostart, false },
	{ PROC_DOMAIN_IS_ACTIVE, is_active, true },
	{ PROC_DOMAIN_IS_PERSISTENT, is_persistent, true },
	{ PROC_DOMAIN_IS_UPDATED, is_updated, true },
	{ PROC_DOMAIN_GET_MAX_MEMORY, get_max_memory, true },
	{ PROC_DOMAIN_GET_MAX_VCPUS, get_max_vcpus, true },
	{ PROC_DOMAIN_GET_VCPUS_FLAGS, get_vcpus_flags, true },
	{ PROC_DOMAIN_GET_OS_TYPE, get_os_type, true },
	{ PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, has_managed_save, true },
	{ PROC_DOMAIN_SNAPSHOT_NUM, snapshot_num, true },
	{ PROC_DOMAIN_GET_CONTROL_INFO, get_control_info, true },
	{ PROC_DOMAIN_GET_SECURITY_LABEL_LIST, security_label_list, true },
	{ PROC_DOMAIN_OPEN_CONSOLE, open_console, false },
	{ PROC_CONNECT_GET_ALL_DOMAIN_STATS, stats_all, true },
};

proc_fn proc_domain(uint32_t proc, bool *ro_ok)
{
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		if (procs[i].proc == proc) {
			*ro_ok = procs[i].ro;
			return procs[i].fn;
		}
	}
	return NULL;
}
