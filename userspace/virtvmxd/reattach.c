// SPDX-License-Identifier: GPL-2.0
/*
 * A restarted daemon finds the VMs that kept running (run_dir/UUID.state, written by
 * vmproc.c at start and at each pause or resume): it checks that the process is the same
 * (pid and start time) and that its control socket answers, and re-attaches; a VM that
 * ended while the daemon was down is reported and its state removed.
 */
#include <dirent.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domxml.h"
#include "virtvmxd.h"
#include "vmproc.h"

/* One state file: re-attach to its vmxrun, or report it gone. */
static void vm_reattach(struct daemon *d, const char *path)
{
	char *text = read_file(path, 16 << 20), *xml = NULL, err[512];
	xmlDoc *doc = text ? xmlReadMemory(text, (int)strlen(text), "state", NULL, XML_PARSE_NONET) : NULL;
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *n;
	struct domdef *def = NULL;
	unsigned long long start = 0, want;
	struct domain *dom;
	char *a[7] = { 0 };
	static const char *const names[7] = { "pid", "id", "starttime", "ctl", "con", "persistent", "paused" };
	int code, fd = -1;
	pid_t pid;

	for (int i = 0; root && i < 7; i++)
		a[i] = (char *)xmlGetProp(root, (const xmlChar *)names[i]);
	for (n = root ? root->children : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	if (n) {
		xmlBuffer *b = xmlBufferCreate();

		xmlNodeDump(b, doc, n, 0, 0);
		xml = strdup((const char *)xmlBufferContent(b));
		xmlBufferFree(b);
		def = domxml_parse(xml, &code, err, sizeof(err));
	}
	if (!def || !a[0] || !a[1] || !a[2] || !a[3] || !a[4]) {
		logmsg("%s: unreadable run state: removed", path);
		unlink(path);
		goto out;
	}
	pid = atoi(a[0]);
	want = strtoull(a[2], NULL, 10);
	if (proc_stat(pid, NULL, &start) || start != want || (fd = connect_unix(a[3])) < 0) {
		logmsg("%s: its vmxrun (pid %d) is gone while virtvmxd was down: shut off", def->name, (int)pid);
		unlink(path);
		goto out;
	}
	dom = dom_find_ref(d, NULL, def->uuid, -1);
	pthread_mutex_lock(&d->lock);
	if (!dom) {		/* a transient domain: only the state file knew it */
		char *x2 = domxml_format(def, -1);
		struct domdef *copy = domxml_parse(x2, &code, err, sizeof(err));

		free(x2);
		dom = copy ? dom_new(d, copy) : NULL;
		if (!dom) {
			pthread_mutex_unlock(&d->lock);
			close(fd);
			goto out;
		}
		dom_link(d, dom);
		dom->refs++;
	}
	dom->pid = pid;
	dom->child = false;
	dom->starttime = start;
	dom->id = atoi(a[1]);
	if (dom->id >= d->next_id)
		d->next_id = dom->id + 1;
	dom->ctl_path = strdup(a[3]);
	dom->con_path = strdup(a[4]);
	dom->live = def;
	def = NULL;
	dom->state = a[6] && !strcmp(a[6], "1") ? ST_PAUSED : ST_RUNNING;
	dom->reason = dom->state == ST_PAUSED ? PAUSED_USER : RUNNING_BOOTED;
	pthread_mutex_unlock(&d->lock);
	if (vm_attach(d, dom, fd))
		close(fd);
	else {
		json_t *st = NULL;

		/* Its state may have changed while nobody listened. */
		if (!vm_command(d, dom, "query-status", (void **)&st, err, sizeof(err))) {
			const char *s = json_string_value(json_object_get(st, "status"));

			pthread_mutex_lock(&d->lock);
			if (s && !strcmp(s, "paused")) {
				dom->state = ST_PAUSED;
				dom->reason = PAUSED_USER;
			} else if (s && !strcmp(s, "running")) {
				dom->state = ST_RUNNING;
			}
			pthread_mutex_unlock(&d->lock);
			json_decref(st);
		}
		logmsg("%s: re-attached to its vmxrun (pid %d, id %d)", dom->name, (int)pid, dom->id);
	}
	dom_put(d, dom);
out:
	for (int i = 0; i < 7; i++)
		xmlFree(a[i]);
	domxml_free(def);
	free(xml);
	xmlFreeDoc(doc);
	free(text);
}

void vm_reattach_all(struct daemon *d)
{
	DIR *dir = opendir(d->run_dir);
	struct dirent *e;

	while (dir && (e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		char path[PATH_MAX];

		if (len < 7 || strcmp(e->d_name + len - 6, ".state"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d->run_dir, e->d_name);
		vm_reattach(d, path);
	}
	if (dir)
		closedir(dir);
}
