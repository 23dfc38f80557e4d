// SPDX-License-Identifier: GPL-2.0
/*
 * Volumes of directory pools: the regular files of the directory, raw images. Lookups by
 * name, key or path (the key is the path), info, XML, path, delete, and creation of a
 * sparse raw file of the requested capacity (other formats are refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage.h"
#include "virtvmxd.h"

/* A volume path: its pool (an active pool whose directory holds it); (d) held. */
struct pool *pool_of_path(struct daemon *d, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return NULL;
	for (struct pool *p = d->pools; p; p = p->next) {
		if (p->active && strlen(p->path) == (size_t)(slash - path) &&
		    !strncmp(p->path, path, (size_t)(slash - path))) {
			*name = slash + 1;
			return p;
		}
	}
	return NULL;
}

/* remote_nonnull_storage_vol: pool, name, key; its pool with (d) held and *name. */
struct pool *vol_arg(struct call *c, char **name)
{
	struct daemon *d = c->conn->d;
	char *pname = get_str(&c->in, RPC_STRING_MAX), *key;
	struct stat st;
	struct pool *p;

	*name = get_str(&c->in, RPC_STRING_MAX);
	key = get_str(&c->in, RPC_STRING_MAX);
	free(key);
	if (c->in.err) {
		free(pname);
		free(*name);
		*name = NULL;
		bad_args(c);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	p = pool_find(d, pname, NULL);
	free(pname);
	c->err_domain = FROM_STORAGE;
	if (!p || !p->active || strchr(*name, '/') || !is_image(p->path, *name, &st)) {
		pthread_mutex_unlock(&d->lock);
		call_error(c, ERR_NO_STORAGE_VOL, "Storage volume not found: no storage vol with matching name '%s'", *name);
		free(*name);
		*name = NULL;
		return NULL;
	}
	return p;
}

int vol_lookup_by_name(struct call *c)	/* 95: pool, name */
{
	struct pool *p = pool_arg(c);
	char *name;
	struct stat st;
	int r = 0;

	if (!p)
		return -1;
	name = get_str(&c->in, RPC_STRING_MAX);
	if (c->in.err)
		r = bad_args(c);
	else if (!p->active || strchr(name, '/') || !is_image(p->path, name, &st))
		r = call_error(c, ERR_NO_STORAGE_VOL, "Storage volume not found: no storage vol with matching name '%s'", name);
	else
		put_vol(&c->out, p, name);
	pthread_mutex_unlock(&c->conn->d->lock);
	free(name);
	return r;
}

int vol_lookup_by_path(struct call *c)	/* 96 (key), 97 (path): the key is the path */
{
	struct daemon *d = c->conn->d;
	char *path = get_str(&c->in, RPC_STRING_MAX);
	const char *name = NULL;
	struct pool *p;
	struct stat st;
	int r = 0;

	if (c->in.err)
		return bad_args(c);
	c->err_domain = FROM_STORAGE;
	pthread_mutex_lock(&d->lock);
	p = pool_of_path(d, path, &name);
	if (!p || !is_image(p->path, name, &st))
		r = call_error(c, ERR_NO_STORAGE_VOL, "Storage volume not found: no storage vol with matching path '%s'", path);
	else
		put_vol(&c->out, p, name);
	pthread_mutex_unlock(&d->lock);
	free(path);
	return r;
}

int vol_op(struct call *c)	/* 98, 378, 99, 100, 94 */
{
	char *name, path[PATH_MAX], *xml;
	struct pool *p = vol_arg(c, &name);
	struct stat st;
	int r = 0;

	if (!p)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", p->path, name);
	if (c->proc != PROC_STORAGE_VOL_GET_INFO && c->proc != PROC_STORAGE_VOL_GET_PATH)
		get_u32(&c->in);
	stat(path, &st);
	switch (c->proc) {
	case PROC_STORAGE_VOL_GET_INFO:
	case PROC_STORAGE_VOL_GET_INFO_FLAGS:	/* char type (4 bytes), capacity, allocation */
		put_u32(&c->out, 0);		/* VIR_STORAGE_VOL_FILE */
		put_u64(&c->out, (uint64_t)st.st_size);
		put_u64(&c->out, (uint64_t)st.st_blocks * 512);
		break;
	case PROC_STORAGE_VOL_GET_PATH:
		put_str(&c->out, path);
		break;
	case PROC_STORAGE_VOL_GET_XML_DESC:
		if (asprintf(&xml, "<volume type='file'>\n  <name>%s</name>\n  <key>%s</key>\n  <source>\n  </source>\n"
			     "  <capacity unit='bytes'>%llu</capacity>\n  <allocation unit='bytes'>%llu</allocation>\n"
			     "  <physical unit='bytes'>%llu</physical>\n  <target>\n    <path>%s</path>\n"
			     "    <format type='raw'/>\n  </target>\n</volume>\n", name, path,
			     (unsigned long long)st.st_size, (unsigned long long)st.st_blocks * 512,
			     (unsigned long long)st.st_size, path) < 0)
			xml = NULL;
		put_str(&c->out, xml ? xml : "");
		free(xml);
		break;
	case PROC_STORAGE_VOL_DELETE:
		if (unlink(path))
			r = call_error(c, ERR_OPERATION_FAILED, "cannot remove '%s': %s", path, strerror(errno));
		break;
	}
	pthread_mutex_unlock(&c->conn->d->lock);
	free(name);
	return r;
}

/* 93: pool, xml, flags: a sparse raw file of <capacity>. */
int vol_create(struct call *c)
{
	struct pool *p = pool_arg(c);
	char *xml, *name = NULL, path[PATH_MAX];
	unsigned long long cap = 0, mul = 1;
	xmlDoc *doc = NULL;
	int r = 0, fd;

	if (!p)
		return -1;
	xml = get_str(&c->in, RPC_STRING_MAX);
	get_u32(&c->in);
	if (c->in.err) {
		r = bad_args(c);
		goto out;
	}
	doc = xmlReadMemory(xml, (int)strlen(xml), "vol.xml", NULL, XML_PARSE_NONET);
	for (xmlNode *n = doc ? xmlDocGetRootElement(doc)->children : NULL; n; n = n->next) {
		char *v;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		v = (char *)xmlNodeGetContent(n);
		if (!strcmp((const char *)n->name, "name")) {
			free(name);
			name = strdup(v ? v : "");
		} else if (!strcmp((const char *)n->name, "capacity")) {
			char *u = (char *)xmlGetProp(n, (const xmlChar *)"unit");

			cap = strtoull(v ? v : "0", NULL, 10);
			mul = !u || !strcmp(u, "bytes") || !strcmp(u, "b") ? 1 :
			      !strcmp(u, "K") || !strcmp(u, "KiB") || !strcmp(u, "k") ? 1024 :
			      !strcmp(u, "M") || !strcmp(u, "MiB") ? 1 << 20 :
			      !strcmp(u, "G") || !strcmp(u, "GiB") ? 1 << 30 : 0;
			xmlFree(u);
		} else if (!strcmp((const char *)n->name, "target")) {
			for (xmlNode *t = n->children; t; t = t->next) {
				char *fmt = t->type == XML_ELEMENT_NODE && !strcmp((const char *)t->name, "format") ?
					    (char *)xmlGetProp(t, (const xmlChar *)"type") : NULL;

				if (fmt && strcmp(fmt, "raw"))
					r = call_error(c, ERR_CONFIG_UNSUPPORTED, "unsupported configuration: volume format '%s': only raw", fmt);
				xmlFree(fmt);
			}
		}
		xmlFree(v);
	}
	if (!r && (!name || !*name || strchr(name, '/') || name[0] == '.' || !mul))
		r = call_error(c, ERR_XML_ERROR, "XML error: a volume needs <name> (a file name) and <capacity unit='bytes|K|M|G'>");
	if (r)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", p->path, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)(cap * mul))) {
		r = call_error(c, ERR_OPERATION_FAILED, "cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		goto out;
	}
	close(fd);
	put_vol(&c->out, p, name);
out:
	pthread_mutex_unlock(&c->conn->d->lock);
	xmlFreeDoc(doc);
	free(xml);
	free(name);
	return r;
}

