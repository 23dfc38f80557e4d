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
int reply_dom(struct call *c, struct domain *dom, const char *what)
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

/* LIST_DOMAINS (37, running: their ids) and LIST_DEFINED_DOMAINS (21, the others: names). */
static int list_some(struct call *c, bool running)
{
	struct daemon *d = c->conn->d;
	int max = get_i32(&c->in), n = 0;
	size_t off = c->out.len;

	if (c->in.err)
		return bad_args(c);
	put_u32(&c->out, 0);
	pthread_mutex_lock(&d->lock);
	for (struct domain *dom = d->domains; dom && n < max; dom = dom->next) {
		if ((dom->id >= 0) != running)
			continue;
		if (running)
			put_i32(&c->out, dom->id);
		else
			put_str(&c->out, dom->name);
		n++;
	}
	pthread_mutex_unlock(&d->lock);
	patch_u32(&c->out, off, (uint32_t)n);
	return 0;
}

static int list_ids(struct call *c)		/* 37: maxids; ret ids<> */
{
	return list_some(c, true);
}

static int list_defined(struct call *c)		/* 21: maxnames; ret names<> */
{
	return list_some(c, false);
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
/* 426 (virsh dominfo's "Messages:"): vmxmon records no taint or deprecation messages, so
 * the list (ret msgs<>) is empty. */
static int get_messages(struct call *c) { return getter(c, G_ZERO); }

static int get_os_type(struct call *c)
{
	struct domain *dom = dom_lookup_wire(c);

	if (!dom)
		return -1;
	put_str(&c->out, "hvm");
	dom_put(c->conn->d, dom);
	return 0;
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

int stats_all(struct call *c);
int memory_stats(struct call *c);
/* proc_lifecycle.c */
int define_xml(struct call *c);
int create_xml(struct call *c);
int create(struct call *c);
int destroy(struct call *c);
int undefine(struct call *c);
int shutdown_(struct call *c);
int reboot(struct call *c);
int suspend(struct call *c);
int resume(struct call *c);
int set_autostart(struct call *c);
int open_console(struct call *c);


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
	{ PROC_DOMAIN_GET_MESSAGES, get_messages, true },
	{ PROC_DOMAIN_GET_CONTROL_INFO, get_control_info, true },
	{ PROC_DOMAIN_GET_SECURITY_LABEL_LIST, security_label_list, true },
	{ PROC_DOMAIN_OPEN_CONSOLE, open_console, false },
	{ PROC_CONNECT_GET_ALL_DOMAIN_STATS, stats_all, true },
	{ PROC_DOMAIN_MEMORY_STATS, memory_stats, true },
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
