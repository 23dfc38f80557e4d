// SPDX-License-Identifier: GPL-2.0
/*
 * Domain procedures that change things: define, create (transient), start, destroy,
 * undefine, shutdown/reboot/suspend/resume through vmxrun's control socket, autostart, and
 * opening the console. Each holds the domain's job lock for its whole operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "virtvmxd.h"

int reply_dom(struct call *c, struct domain *dom, const char *what);

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

int define_xml(struct call *c)
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

int create_xml(struct call *c)		/* 10: xml, flags; a transient domain */
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
int create(struct call *c)
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

int destroy(struct call *c)		/* 12, 234 */
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

int undefine(struct call *c)		/* 35, 231 */
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

int shutdown_(struct call *c) { return command(c, "system_powerdown", false, true); }
int reboot(struct call *c) { return command(c, "system_reset", false, false); }
int suspend(struct call *c) { return command(c, "stop", false, true); }
int resume(struct call *c) { return command(c, "cont", true, false); }

int set_autostart(struct call *c)		/* 29: dom, autostart */
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

int open_console(struct call *c)		/* 201: dom, dev_name, flags */
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

