// SPDX-License-Identifier: GPL-2.0
/*
 * The domain table: lookups by what the wire carries, definitions on disk (one file per
 * domain, written to a temporary file, fsync'ed and renamed, so a crash leaves the old or the
 * new definition, never half of one), autostart markers, and lifecycle events to the clients
 * that registered for them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domxml.h"
#include "virtvmxd.h"

void uuid_format(const uint8_t *u, char *out)
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/* 32 hex digits, dashes anywhere (libvirt accepts them so). */
int uuid_parse(const char *s, uint8_t *u)
{
	int n = 0;

	for (; *s && n < 32; s++) {
		int v;

		if (*s == '-')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return -1;
		if (n % 2)
			u[n / 2] |= (uint8_t)v;
		else
			u[n / 2] = (uint8_t)(v << 4);
		n++;
	}
	return n == 32 && !*s ? 0 : -1;
}

void uuid_generate(uint8_t *u)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, u, 16) != 16)
		for (int i = 0; i < 16; i++)
			u[i] = (uint8_t)rand();
	if (fd >= 0)
		close(fd);
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;
}

int write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	size_t off = 0;
	int fd, dfd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t r = write(fd, data + off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(r < 0 ? errno : ENOSPC));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)r;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);		/* the rename itself */
		close(dfd);
	}
	return 0;
}

/* (d) held */
static struct domain *dom_find(struct daemon *d, const char *name, const uint8_t *uuid, int id)
{
	for (struct domain *dom = d->domains; dom; dom = dom->next) {
		if ((name && !strcmp(dom->name, name)) || (uuid && !memcmp(dom->uuid, uuid, 16)) ||
		    (id >= 0 && dom->id == id))
			return dom;
	}
	return NULL;
}

/*
 * remote_nonnull_domain from the arguments: the UUID decides (as libvirt's daemon does), the
 * name is the fallback. A reference is held; NULL with the error set in c.
 */
struct domain *dom_lookup_wire(struct call *c)
{
	struct daemon *d = c->conn->d;
	char *name = get_str(&c->in, RPC_STRING_MAX);
	uint8_t uuid[16];
	struct domain *dom;
	char u[37];

	get_bytes(&c->in, uuid, 16);
	get_i32(&c->in);
	if (c->in.err) {
		free(name);
		bad_args(c);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	dom = dom_find(d, NULL, uuid, -1);
	if (dom)
		dom->refs++;
	pthread_mutex_unlock(&d->lock);
	if (!dom) {
		uuid_format(uuid, u);
		call_error(c, ERR_NO_DOMAIN, "Domain not found: no domain with matching uuid '%s' (%s)",
			   u, name);
	}
	free(name);
	return dom;
}

struct domain *dom_find_ref(struct daemon *d, const char *name, const uint8_t *uuid, int id)
{
	struct domain *dom;

	pthread_mutex_lock(&d->lock);
	dom = dom_find(d, name, uuid, id);
	if (dom)
		dom->refs++;
	pthread_mutex_unlock(&d->lock);
	return dom;
}

void put_dom(struct xdr *x, struct domain *dom)
{
	put_str(x, dom->name);
	put_bytes(x, dom->uuid, 16);
	put_i32(x, dom->id);
}

void dom_put(struct daemon *d, struct domain *dom)
{
	bool last;

	pthread_mutex_lock(&d->lock);
	last = --dom->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (!last)
		return;
	domxml_free(dom->def);
	domxml_free(dom->live);
	free(dom->name);
	free(dom->ctl_path);
	free(dom->con_path);
	pthread_mutex_destroy(&dom->job);
	free(dom);
}

struct domain *dom_new(struct daemon *d, struct domdef *def)
{
	struct domain *dom = calloc(1, sizeof(*dom));

	if (!dom)
		return NULL;
	pthread_mutex_init(&dom->job, NULL);
	dom->name = strdup(def->name);
	memcpy(dom->uuid, def->uuid, 16);
	dom->def = def;
	dom->id = -1;
	dom->state = ST_SHUTOFF;
	dom->reason = SHUTOFF_UNKNOWN;
	dom->refs = 1;			/* the list */
	(void)d;
	return dom;
}

/* (d) held: add to the list. */
void dom_link(struct daemon *d, struct domain *dom)
{
	dom->next = d->domains;
	d->domains = dom;
}

/* (d) held: drop from the list (its reference is given up by the caller with dom_put). */
void dom_unlink(struct daemon *d, struct domain *dom)
{
	for (struct domain **p = &d->domains; *p; p = &(*p)->next) {
		if (*p == dom) {
			*p = dom->next;
			dom->removed = true;
			return;
		}
	}
}

static void dom_path(struct daemon *d, const char *name, const char *ext, char *out, size_t len)
{
	snprintf(out, len, "%s/%s%s", d->dom_dir, name, ext);
}

int dom_save_def(struct daemon *d, struct domain *dom, char *err, size_t errlen)
{
	char path[PATH_MAX], *xml;
	int r;

	pthread_mutex_lock(&d->lock);
	xml = domxml_format(dom->def, -1);
	pthread_mutex_unlock(&d->lock);
	dom_path(d, dom->name, ".xml", path, sizeof(path));
	r = write_file_atomic(path, xml, strlen(xml), err, errlen);
	free(xml);
	return r;
}

void dom_remove_files(struct daemon *d, const char *name)
{
	char path[PATH_MAX];

	dom_path(d, name, ".xml", path, sizeof(path));
	unlink(path);
	dom_path(d, name, ".autostart", path, sizeof(path));
	unlink(path);
}

int dom_set_autostart_file(struct daemon *d, const char *name, bool on, char *err, size_t errlen)
{
	char path[PATH_MAX];

	dom_path(d, name, ".autostart", path, sizeof(path));
	if (on)
		return write_file_atomic(path, "", 0, err, errlen);
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Read a whole file (malloc'ed, NUL-terminated) or NULL. */
char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = 0;
	return buf;
}

/*
 * Every NAME.xml in the definitions directory. One that does not parse (a file torn by a
 * crash of something other than us, or edited by hand) is reported and skipped; the others
 * load. Leftover NAME.xml.tmp files are from a write a crash interrupted (the NAME.xml
 * beside them is the previous, whole definition): they are removed.
 */
int dom_load_all(struct daemon *d)
{
	DIR *dir = opendir(d->dom_dir);
	struct dirent *e;
	int n = 0, bad = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		char path[PATH_MAX], err[512], *xml, *name;
		struct domdef *def;
		struct domain *dom;
		int code;

		snprintf(path, sizeof(path), "%s/%s", d->dom_dir, e->d_name);
		if (len > 8 && !strcmp(e->d_name + len - 8, ".xml.tmp")) {
			logmsg("%s: an unfinished write (a crash while saving?): removed; the definition before it stays",
			       path);
			unlink(path);
			continue;
		}
		if (len < 5 || strcmp(e->d_name + len - 4, ".xml"))
			continue;
		xml = read_file(path, 16 << 20);
		def = xml ? domxml_parse(xml, &code, err, sizeof(err)) : NULL;
		free(xml);
		name = strndup(e->d_name, len - 4);
		if (!def || strcmp(def->name, name)) {
			logmsg("%s: not a usable domain definition (%s): skipped, the file is left as it is (torn by a crash? fix or remove it)",
			       path, def ? "its <name> differs from the file name" : xml ? err : strerror(errno));
			domxml_free(def);
			free(name);
			bad++;
			continue;
		}
		pthread_mutex_lock(&d->lock);
		if (dom_find(d, def->name, def->uuid, -1)) {
			pthread_mutex_unlock(&d->lock);
			logmsg("%s: a domain with this name or UUID is loaded already: skipped", path);
			domxml_free(def);
			free(name);
			bad++;
			continue;
		}
		dom = dom_new(d, def);
		if (dom) {
			dom->persistent = true;
			dom_path(d, name, ".autostart", path, sizeof(path));
			dom->autostart = !access(path, F_OK);
			dom_link(d, dom);
			n++;
		}
		pthread_mutex_unlock(&d->lock);
		free(name);
	}
	closedir(dir);
	logmsg("%d domain definition(s) loaded from %s%s", n, d->dom_dir,
	       bad ? "; some were skipped, see above" : "");
	return 0;
}

void dom_autostart(struct daemon *d)
{
	struct domain *list[256];
	int n = 0;

	pthread_mutex_lock(&d->lock);
	for (struct domain *dom = d->domains; dom && n < 256; dom = dom->next) {
		if (dom->autostart && dom->id < 0) {
			dom->refs++;
			list[n++] = dom;
		}
	}
	pthread_mutex_unlock(&d->lock);
	for (int i = 0; i < n; i++) {
		char err[1024];

		pthread_mutex_lock(&list[i]->job);
		if (list[i]->id < 0 && vm_start(d, list[i], 0, err, sizeof(err)))
			logmsg("autostart of %s failed: %s", list[i]->name, err);
		pthread_mutex_unlock(&list[i]->job);
		dom_put(d, list[i]);
	}
}

static void send_event(struct conn *c, struct domain *dom, const struct callback *cb,
		       int event, int detail)
{
	struct xdr x;

	xdr_init(&x, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	if (cb->legacy) {
		put_dom(&x, dom);
		put_i32(&x, event);
		put_i32(&x, detail);
		conn_send(c, &x, REMOTE_PROGRAM, PROC_DOMAIN_EVENT_LIFECYCLE, RPC_MESSAGE, 0, RPC_OK);
	} else if (cb->event == EVENT_ID_LIFECYCLE) {
		put_i32(&x, cb->id);
		put_dom(&x, dom);
		put_i32(&x, event);
		put_i32(&x, detail);
		conn_send(c, &x, REMOTE_PROGRAM, PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, RPC_MESSAGE,
			  0, RPC_OK);
	} else {
		put_i32(&x, cb->id);
		put_dom(&x, dom);
		conn_send(c, &x, REMOTE_PROGRAM, PROC_DOMAIN_EVENT_CALLBACK_REBOOT, RPC_MESSAGE, 0,
			  RPC_OK);
	}
}

/* To every callback that wants it. event < 0: the reboot event. (d) must not be held. */
static void dom_broadcast(struct daemon *d, struct domain *dom, int event, int detail)
{
	int want = event < 0 ? EVENT_ID_REBOOT : EVENT_ID_LIFECYCLE;

	pthread_mutex_lock(&d->lock);
	for (struct conn *c = d->conns; c; c = c->next) {
		struct callback cbs[MAX_CALLBACKS];
		int n = 0;

		pthread_mutex_lock(&c->lock);
		for (int i = 0; i < c->ncb; i++) {
			const struct callback *cb = &c->cb[i];

			if ((cb->legacy ? EVENT_ID_LIFECYCLE : cb->event) == want &&
			    (!cb->has_dom || !memcmp(cb->uuid, dom->uuid, 16)))
				cbs[n++] = *cb;
		}
		pthread_mutex_unlock(&c->lock);
		for (int i = 0; i < n; i++)
			send_event(c, dom, &cbs[i], event, detail);
	}
	pthread_mutex_unlock(&d->lock);
}

void dom_event(struct daemon *d, struct domain *dom, int event, int detail)
{
	if (d->verbose)
		logmsg("%s: event %d detail %d", dom->name, event, detail);
	dom_broadcast(d, dom, event, detail);
}

void dom_reboot_event(struct daemon *d, struct domain *dom)
{
	dom_broadcast(d, dom, -1, 0);
}
