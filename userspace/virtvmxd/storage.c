// SPDX-License-Identifier: GPL-2.0
/*
 * Storage pools of type 'dir': a directory of raw images, what virt-install needs for
 * --disk path=DIR/IMAGE (it looks the path up as a volume, and defines, builds and starts a
 * pool for the directory when none has it). Volumes are the regular files in the directory;
 * a new volume is a sparse raw file. Definitions persist in pool_dir/NAME.xml; the pools
 * that are started are marked in run_dir (pool-NAME.active), autostart ones in pool_dir.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "domxml.h"
#include "storage.h"
#include "virtvmxd.h"


static void pool_free(struct pool *p)
{
	free(p->name);
	free(p->path);
	free(p);
}

struct pool *pool_find(struct daemon *d, const char *name, const uint8_t *uuid)
{
	for (struct pool *p = d->pools; p; p = p->next)
		if ((name && !strcmp(p->name, name)) || (uuid && !memcmp(p->uuid, uuid, 16)))
			return p;
	return NULL;
}

static void marker(struct daemon *d, const struct pool *p, bool autostart, char *out, size_t len)
{
	if (autostart)
		snprintf(out, len, "%s/%s.autostart", d->pool_dir, p->name);
	else
		snprintf(out, len, "%s/pool-%s.active", d->run_dir, p->name);
}

static void set_marker(struct daemon *d, const struct pool *p, bool autostart, bool on)
{
	char path[PATH_MAX], err[256];

	marker(d, p, autostart, path, sizeof(path));
	if (on)
		write_file_atomic(path, "", 0, err, sizeof(err));
	else
		unlink(path);
}

static char *pool_xml(const struct pool *p)
{
	struct statvfs vfs = { 0 };
	unsigned long long cap = 0, avail = 0;
	char u[37], *out;

	if (p->active && !statvfs(p->path, &vfs)) {
		cap = (unsigned long long)vfs.f_blocks * vfs.f_frsize;
		avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	}
	uuid_format(p->uuid, u);
	if (asprintf(&out,
		     "<pool type='dir'>\n  <name>%s</name>\n  <uuid>%s</uuid>\n"
		     "  <capacity unit='bytes'>%llu</capacity>\n  <allocation unit='bytes'>%llu</allocation>\n"
		     "  <available unit='bytes'>%llu</available>\n  <source>\n  </source>\n"
		     "  <target>\n    <path>%s</path>\n  </target>\n</pool>\n",
		     p->name, u, cap, cap - avail, avail, p->path) < 0)
		return strdup("");
	return out;
}

static int pool_save(struct daemon *d, const struct pool *p, char *err, size_t errlen)
{
	struct pool tmp = *p;
	char path[PATH_MAX], *xml;
	int r;

	tmp.active = false;		/* the definition, without the sizes of the moment */
	xml = pool_xml(&tmp);
	snprintf(path, sizeof(path), "%s/%s.xml", d->pool_dir, p->name);
	r = write_file_atomic(path, xml, strlen(xml), err, errlen);
	free(xml);
	return r;
}

/* <pool type='dir'><name/><uuid/><target><path/></target></pool>; NULL with err. */
static struct pool *pool_parse(const char *xml, char *err, size_t errlen)
{
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "pool.xml", NULL, XML_PARSE_NONET);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	struct pool *p = calloc(1, sizeof(*p));
	char *type = root ? (char *)xmlGetProp(root, (const xmlChar *)"type") : NULL;
	bool have_uuid = false;

	if (!p || !root || strcmp((const char *)root->name, "pool")) {
		snprintf(err, errlen, "XML error: expected a <pool> element");
		goto bad;
	}
	if (!type || strcmp(type, "dir")) {
		snprintf(err, errlen, "unsupported configuration: <pool type='%s'>: virtvmxd has directory pools only (type='dir')",
			 type ? type : "");
		goto bad;
	}
	for (xmlNode *n = root->children; n; n = n->next) {
		char *v;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, "name")) {
			v = (char *)xmlNodeGetContent(n);
			free(p->name);
			p->name = strdup(v ? v : "");
			xmlFree(v);
		} else if (!strcmp((const char *)n->name, "uuid")) {
			v = (char *)xmlNodeGetContent(n);
			have_uuid = v && !uuid_parse(v, p->uuid);
			xmlFree(v);
		} else if (!strcmp((const char *)n->name, "target")) {
			for (xmlNode *t = n->children; t; t = t->next) {
				if (t->type != XML_ELEMENT_NODE || strcmp((const char *)t->name, "path"))
					continue;
				v = (char *)xmlNodeGetContent(t);
				free(p->path);
				p->path = strdup(v ? v : "");
				xmlFree(v);
			}
		}
	}
	if (!p->name || !domxml_name_ok(p->name) || !p->path || p->path[0] != '/') {
		snprintf(err, errlen, "XML error: a pool needs <name> and <target><path>/absolute/dir</path></target>");
		goto bad;
	}
	while (strlen(p->path) > 1 && p->path[strlen(p->path) - 1] == '/')
		p->path[strlen(p->path) - 1] = 0;
	if (!have_uuid)
		uuid_generate(p->uuid);
	xmlFree(type);
	xmlFreeDoc(doc);
	return p;
bad:
	xmlFree(type);
	xmlFreeDoc(doc);
	if (p)
		pool_free(p);
	return NULL;
}

void pools_load(struct daemon *d)
{
	DIR *dir = opendir(d->pool_dir);
	struct dirent *e;

	while (dir && (e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		char path[PATH_MAX], err[512], *xml;
		struct pool *p;

		if (len < 5 || strcmp(e->d_name + len - 4, ".xml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d->pool_dir, e->d_name);
		xml = read_file(path, 1 << 20);
		p = xml ? pool_parse(xml, err, sizeof(err)) : NULL;
		free(xml);
		if (!p) {
			logmsg("%s: not a usable pool definition: skipped", path);
			continue;
		}
		marker(d, p, true, path, sizeof(path));
		p->autostart = !access(path, F_OK);
		marker(d, p, false, path, sizeof(path));
		p->active = p->autostart || !access(path, F_OK);
		p->next = d->pools;
		d->pools = p;
	}
	if (dir)
		closedir(dir);
}

static void put_pool(struct xdr *x, const struct pool *p)
{
	put_str(x, p->name);
	put_bytes(x, p->uuid, 16);
}

/* remote_nonnull_storage_pool from the arguments; (d) held on success. */
struct pool *pool_arg(struct call *c)
{
	struct daemon *d = c->conn->d;
	char *name = get_str(&c->in, RPC_STRING_MAX);
	uint8_t uuid[16];
	struct pool *p;

	get_bytes(&c->in, uuid, 16);
	if (c->in.err) {
		free(name);
		bad_args(c);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	p = pool_find(d, NULL, uuid);
	if (!p) {
		pthread_mutex_unlock(&d->lock);
		c->err_domain = FROM_STORAGE;
		call_error(c, ERR_NO_STORAGE_POOL, "Storage pool not found: no storage pool with matching uuid (%s)", name);
	}
	free(name);
	return p;
}

bool is_image(const char *dir, const char *name, struct stat *st)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return name[0] != '.' && !stat(path, st) && S_ISREG(st->st_mode);
}

void put_vol(struct xdr *x, const struct pool *p, const char *name)
{
	char key[PATH_MAX];

	snprintf(key, sizeof(key), "%s/%s", p->path, name);
	put_str(x, p->name);
	put_str(x, name);
	put_str(x, key);
}

static int list_all_pools(struct call *c)	/* 281 */
{
	struct daemon *d = c->conn->d;
	int need = get_i32(&c->in);
	unsigned int n = 0;
	size_t off = c->out.len;

	get_u32(&c->in);
	put_u32(&c->out, 0);
	pthread_mutex_lock(&d->lock);
	for (struct pool *p = d->pools; p; p = p->next, n++)
		if (need)
			put_pool(&c->out, p);
	pthread_mutex_unlock(&d->lock);
	if (need)
		patch_u32(&c->out, off, n);
	put_u32(&c->out, n);
	return 0;
}

static int pool_names(struct call *c, bool active, bool count_only)	/* 71-74 */
{
	struct daemon *d = c->conn->d;
	int max = count_only ? 0 : get_i32(&c->in), n = 0;
	size_t off = c->out.len;

	put_u32(&c->out, 0);
	pthread_mutex_lock(&d->lock);
	for (struct pool *p = d->pools; p; p = p->next) {
		if (p->active != active)
			continue;
		if (!count_only && n < max)
			put_str(&c->out, p->name);
		n++;
	}
	pthread_mutex_unlock(&d->lock);
	if (count_only) {
		c->out.len = off;
		put_i32(&c->out, n);
	} else {
		patch_u32(&c->out, off, (uint32_t)(n < max ? n : max));
	}
	return 0;
}
static int num_pools(struct call *c) { return pool_names(c, true, true); }
static int list_pools(struct call *c) { return pool_names(c, true, false); }
static int num_defined_pools(struct call *c) { return pool_names(c, false, true); }
static int list_defined_pools(struct call *c) { return pool_names(c, false, false); }

static int lookup_by_name(struct call *c)	/* 84 */
{
	struct daemon *d = c->conn->d;
	char *name = get_str(&c->in, RPC_STRING_MAX);
	struct pool *p;

	if (c->in.err)
		return bad_args(c);
	pthread_mutex_lock(&d->lock);
	p = pool_find(d, name, NULL);
	if (p)
		put_pool(&c->out, p);
	pthread_mutex_unlock(&d->lock);
	c->err_domain = FROM_STORAGE;
	if (!p)
		call_error(c, ERR_NO_STORAGE_POOL, "Storage pool not found: no storage pool with matching name '%s'", name);
	free(name);
	return p ? 0 : -1;
}

static int lookup_by_uuid(struct call *c)	/* 85 */
{
	struct daemon *d = c->conn->d;
	uint8_t uuid[16];
	struct pool *p;

	get_bytes(&c->in, uuid, 16);
	if (c->in.err)
		return bad_args(c);
	pthread_mutex_lock(&d->lock);
	p = pool_find(d, NULL, uuid);
	if (p)
		put_pool(&c->out, p);
	pthread_mutex_unlock(&d->lock);
	c->err_domain = FROM_STORAGE;
	return p ? 0 : call_error(c, ERR_NO_STORAGE_POOL, "Storage pool not found: no storage pool with matching uuid");
}

static int lookup_by_volume(struct call *c)	/* 86 */
{
	char *name;
	struct pool *p = vol_arg(c, &name);

	if (!p)
		return -1;
	put_pool(&c->out, p);
	pthread_mutex_unlock(&c->conn->d->lock);
	free(name);
	return 0;
}

static int define_pool(struct call *c)		/* 77, 76 */
{
	struct daemon *d = c->conn->d;
	char *xml = get_str(&c->in, RPC_STRING_MAX), err[1024];
	bool create = c->proc == PROC_STORAGE_POOL_CREATE_XML;
	struct pool *p, *other;

	get_u32(&c->in);
	if (c->in.err) {
		free(xml);
		return bad_args(c);
	}
	c->err_domain = FROM_STORAGE;
	p = pool_parse(xml, err, sizeof(err));
	free(xml);
	if (!p)
		return call_error(c, ERR_XML_ERROR, "%s", err);
	pthread_mutex_lock(&d->lock);
	other = pool_find(d, p->name, p->uuid);
	if (other) {
		pthread_mutex_unlock(&d->lock);
		call_error(c, ERR_OPERATION_FAILED, "pool '%s' already exists", other->name);
		pool_free(p);
		return -1;
	}
	if (!create && pool_save(d, p, err, sizeof(err))) {
		pthread_mutex_unlock(&d->lock);
		pool_free(p);
		return call_error(c, ERR_OPERATION_FAILED, "cannot save the pool: %s", err);
	}
	if (create) {
		struct stat st;

		if (stat(p->path, &st) || !S_ISDIR(st.st_mode)) {
			pthread_mutex_unlock(&d->lock);
			call_error(c, ERR_OPERATION_FAILED, "cannot open directory '%s': %s", p->path,
				   strerror(errno ? errno : ENOTDIR));
			pool_free(p);
			return -1;
		}
		p->active = true;
		set_marker(d, p, false, true);
	}
	p->next = d->pools;
	d->pools = p;
	put_pool(&c->out, p);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* Pool operations on one pool: start, build, stop, undefine, refresh, autostart. */
enum pool_op { OP_START, OP_BUILD, OP_STOP, OP_UNDEFINE, OP_REFRESH, OP_GET_AUTOSTART,
	       OP_SET_AUTOSTART, OP_IS_ACTIVE, OP_IS_PERSISTENT, OP_INFO, OP_XML, OP_NUM_VOLS,
	       OP_LIST_VOLS, OP_LIST_ALL_VOLS };

static int pool_vols(struct call *c, struct pool *p, enum pool_op op, int arg)
{
	DIR *dir = p->active ? opendir(p->path) : NULL;
	size_t off = c->out.len;
	struct dirent *e;
	struct stat st;
	unsigned int n = 0;

	if (op != OP_NUM_VOLS)
		put_u32(&c->out, 0);
	while (dir && (e = readdir(dir))) {
		if (!is_image(p->path, e->d_name, &st))
			continue;
		if (op == OP_LIST_VOLS && (int)n < arg)
			put_str(&c->out, e->d_name);
		else if (op == OP_LIST_ALL_VOLS && arg)
			put_vol(&c->out, p, e->d_name);
		n++;
	}
	if (dir)
		closedir(dir);
	if (op == OP_NUM_VOLS)
		put_i32(&c->out, (int)n);
	else if (op == OP_LIST_VOLS)
		patch_u32(&c->out, off, n < (unsigned int)arg ? n : (unsigned int)arg);
	else {
		if (arg)
			patch_u32(&c->out, off, n);
		put_u32(&c->out, n);
	}
	return 0;
}

static int pool_op(struct call *c, enum pool_op op)
{
	struct daemon *d = c->conn->d;
	struct pool *p = pool_arg(c);
	int arg = 0, r = 0;
	struct stat st;
	char *xml;

	if (!p)
		return -1;
	if (op != OP_IS_ACTIVE && op != OP_IS_PERSISTENT && op != OP_UNDEFINE && op != OP_STOP &&
	    op != OP_GET_AUTOSTART && op != OP_INFO && op != OP_NUM_VOLS)
		arg = get_i32(&c->in);	/* flags, autostart, maxnames or need_results */
	if (op == OP_LIST_ALL_VOLS)
		get_u32(&c->in);
	switch (op) {
	case OP_START:
		if (stat(p->path, &st) || !S_ISDIR(st.st_mode))
			r = call_error(c, ERR_OPERATION_FAILED, "cannot open directory '%s': %s (build the pool first)",
				       p->path, strerror(errno ? errno : ENOTDIR));
		else if (p->active)
			r = call_error(c, ERR_OPERATION_INVALID, "storage pool '%s' is already active", p->name);
		else {
			p->active = true;
			set_marker(d, p, false, true);
		}
		break;
	case OP_BUILD:
		if (mkdir(p->path, 0755) && errno != EEXIST)
			r = call_error(c, ERR_OPERATION_FAILED, "cannot create directory '%s': %s",
				       p->path, strerror(errno));
		break;
	case OP_STOP:
		p->active = false;
		set_marker(d, p, false, false);
		break;
	case OP_UNDEFINE: {
		char path[PATH_MAX];

		if (p->active) {
			r = call_error(c, ERR_OPERATION_INVALID, "storage pool '%s' is still active", p->name);
			break;
		}
		snprintf(path, sizeof(path), "%s/%s.xml", d->pool_dir, p->name);
		unlink(path);
		set_marker(d, p, true, false);
		for (struct pool **pp = &d->pools; *pp; pp = &(*pp)->next) {
			if (*pp == p) {
				*pp = p->next;
				pool_free(p);
				break;
			}
		}
		break;
	}
	case OP_REFRESH:
		break;			/* the directory is read at each call */
	case OP_GET_AUTOSTART:
		put_i32(&c->out, p->autostart);
		break;
	case OP_SET_AUTOSTART:
		p->autostart = arg != 0;
		set_marker(d, p, true, p->autostart);
		break;
	case OP_IS_ACTIVE:
		put_i32(&c->out, p->active);
		break;
	case OP_IS_PERSISTENT:
		put_i32(&c->out, 1);
		break;
	case OP_INFO: {		/* uchar state (4 bytes), capacity, allocation, available */
		struct statvfs vfs = { 0 };

		statvfs(p->path, &vfs);
		put_u32(&c->out, p->active ? 2 : 0);	/* VIR_STORAGE_POOL_RUNNING : INACTIVE */
		put_u64(&c->out, p->active ? (uint64_t)vfs.f_blocks * vfs.f_frsize : 0);
		put_u64(&c->out, p->active ? (uint64_t)(vfs.f_blocks - vfs.f_bavail) * vfs.f_frsize : 0);
		put_u64(&c->out, p->active ? (uint64_t)vfs.f_bavail * vfs.f_frsize : 0);
		break;
	}
	case OP_XML:
		xml = pool_xml(p);
		put_str(&c->out, xml);
		free(xml);
		break;
	case OP_NUM_VOLS:
	case OP_LIST_VOLS:
	case OP_LIST_ALL_VOLS:
		if (!p->active)
			r = call_error(c, ERR_OPERATION_INVALID, "storage pool '%s' is not active", p->name);
		else
			r = pool_vols(c, p, op, arg);
		break;
	}
	pthread_mutex_unlock(&d->lock);
	return r;
}

#define POOL_OP(fn, op) static int fn(struct call *c) { c->err_domain = FROM_STORAGE; return pool_op(c, op); }
POOL_OP(pool_start, OP_START)
POOL_OP(pool_build, OP_BUILD)
POOL_OP(pool_destroy, OP_STOP)
POOL_OP(pool_undefine, OP_UNDEFINE)
POOL_OP(pool_refresh, OP_REFRESH)
POOL_OP(pool_get_autostart, OP_GET_AUTOSTART)
POOL_OP(pool_set_autostart, OP_SET_AUTOSTART)
POOL_OP(pool_is_active, OP_IS_ACTIVE)
POOL_OP(pool_is_persistent, OP_IS_PERSISTENT)
POOL_OP(pool_info, OP_INFO)
POOL_OP(pool_get_xml, OP_XML)
POOL_OP(pool_num_vols, OP_NUM_VOLS)
POOL_OP(pool_list_vols, OP_LIST_VOLS)
POOL_OP(pool_list_all_vols, OP_LIST_ALL_VOLS)

static const struct {
	uint32_t proc;
	proc_fn fn;
	bool ro;
} procs[] = {
	{ PROC_CONNECT_LIST_ALL_STORAGE_POOLS, list_all_pools, true },
	{ PROC_CONNECT_NUM_OF_STORAGE_POOLS, num_pools, true },
	{ PROC_CONNECT_LIST_STORAGE_POOLS, list_pools, true },
	{ PROC_CONNECT_NUM_OF_DEFINED_STORAGE_POOLS, num_defined_pools, true },
	{ PROC_CONNECT_LIST_DEFINED_STORAGE_POOLS, list_defined_pools, true },
	{ PROC_STORAGE_POOL_LOOKUP_BY_NAME, lookup_by_name, true },
	{ PROC_STORAGE_POOL_LOOKUP_BY_UUID, lookup_by_uuid, true },
	{ PROC_STORAGE_POOL_LOOKUP_BY_VOLUME, lookup_by_volume, true },
	{ PROC_STORAGE_POOL_DEFINE_XML, define_pool, false },
	{ PROC_STORAGE_POOL_CREATE_XML, define_pool, false },
	{ PROC_STORAGE_POOL_CREATE, pool_start, false },
	{ PROC_STORAGE_POOL_BUILD, pool_build, false },
	{ PROC_STORAGE_POOL_DESTROY, pool_destroy, false },
	{ PROC_STORAGE_POOL_UNDEFINE, pool_undefine, false },
	{ PROC_STORAGE_POOL_REFRESH, pool_refresh, false },
	{ PROC_STORAGE_POOL_GET_AUTOSTART, pool_get_autostart, true },
	{ PROC_STORAGE_POOL_SET_AUTOSTART, pool_set_autostart, false },
	{ PROC_STORAGE_POOL_IS_ACTIVE, pool_is_active, true },
	{ PROC_STORAGE_POOL_IS_PERSISTENT, pool_is_persistent, true },
	{ PROC_STORAGE_POOL_GET_INFO, pool_info, true },
	{ PROC_STORAGE_POOL_GET_XML_DESC, pool_get_xml, true },
	{ PROC_STORAGE_POOL_NUM_OF_VOLUMES, pool_num_vols, true },
	{ PROC_STORAGE_POOL_LIST_VOLUMES, pool_list_vols, true },
	{ PROC_STORAGE_POOL_LIST_ALL_VOLUMES, pool_list_all_vols, true },
	{ PROC_STORAGE_VOL_LOOKUP_BY_NAME, vol_lookup_by_name, true },
	{ PROC_STORAGE_VOL_LOOKUP_BY_KEY, vol_lookup_by_path, true },
	{ PROC_STORAGE_VOL_LOOKUP_BY_PATH, vol_lookup_by_path, true },
	{ PROC_STORAGE_VOL_GET_INFO, vol_op, true },
	{ PROC_STORAGE_VOL_GET_INFO_FLAGS, vol_op, true },
	{ PROC_STORAGE_VOL_GET_PATH, vol_op, true },
	{ PROC_STORAGE_VOL_GET_XML_DESC, vol_op, true },
	{ PROC_STORAGE_VOL_DELETE, vol_op, false },
	{ PROC_STORAGE_VOL_CREATE_XML, vol_create, false },
};

proc_fn proc_storage(uint32_t proc, bool *ro_ok)
{
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		if (procs[i].proc == proc) {
			*ro_ok = procs[i].ro;
			return procs[i].fn;
		}
	}
	return NULL;
}
