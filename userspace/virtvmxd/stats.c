// SPDX-License-Identifier: GPL-2.0
/*
 * virConnectGetAllDomainStats (procedure 344, what virsh domstats calls): state, CPU time
 * (vmxrun's threads, from /proc), balloon (the configured memory: there is no balloon),
 * vCPUs, and the block and interface counters vmxrun's query-vmxrun-stats reports. A
 * vmxrun that reports no counters for a disk or NIC gets its name and path only, not zeros.
 * virDomainMemoryStats (159, virsh dommemstat): the memory the guest has (no balloon) and
 * vmxrun's resident set.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "virtvmxd.h"

#define STATS_ENFORCE	0x80000000u
#define STATS_ALL	(STATS_STATE | STATS_CPU_TOTAL | STATS_BALLOON | STATS_VCPU | \
			 STATS_INTERFACE | STATS_BLOCK)

struct params {
	struct xdr *x;
	size_t count_off;
	unsigned int n;
};

static void tp_head(struct params *p, const char *field, int type)
{
	put_str(p->x, field);
	put_i32(p->x, type);
	p->n++;
}

static void tp_ull(struct params *p, const char *field, unsigned long long v)
{
	tp_head(p, field, TP_ULLONG);
	put_u64(p->x, v);
}

static void tp_int(struct params *p, const char *field, int v)
{
	tp_head(p, field, TP_INT);
	put_i32(p->x, v);
}

static void tp_uint(struct params *p, const char *field, unsigned int v)
{
	tp_head(p, field, TP_UINT);
	put_u32(p->x, v);
}

static void tp_str(struct params *p, const char *field, const char *v)
{
	tp_head(p, field, TP_STRING);
	put_str(p->x, v);
}

/* A counter from a vmxrun stats object, if it has it. */
static void tp_counter(struct params *p, const char *field, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		tp_ull(p, field, (unsigned long long)json_integer_value(v));
}

/* The i-th entry of vmxrun's "block"/"net" array whose "name" or "path" matches. */
static json_t *find_dev(json_t *stats, const char *list, const char *name, const char *path)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(stats, list), i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *pa = json_string_value(json_object_get(e, "path"));

		if ((n && name && !strcmp(n, name)) || (pa && path && !strcmp(pa, path)))
			return e;
	}
	return NULL;
}

static void dom_stats(struct daemon *d, struct domain *dom, unsigned int groups, struct xdr *x)
{
	struct params p = { .x = x };
	const struct domdef *def;
	json_t *vs = NULL;
	char f[64], err[256];
	bool active;
	pid_t pid;

	pthread_mutex_lock(&d->lock);
	active = dom->id >= 0;
	pid = active ? dom->pid : 0;
	pthread_mutex_unlock(&d->lock);
	if (active && (groups & (STATS_CPU_TOTAL | STATS_BLOCK | STATS_INTERFACE)))
		vm_command(d, dom, "query-vmxrun-stats", (void **)&vs, err, sizeof(err));
	pthread_mutex_lock(&d->lock);
	def = dom->live ? dom->live : dom->def;
	put_dom(x, dom);
	p.count_off = x->len;
	put_u32(x, 0);
	if (groups & STATS_STATE) {
		tp_int(&p, "state.state", active ? dom->state : ST_SHUTOFF);
		tp_int(&p, "state.reason", dom->reason);
	}
	if ((groups & STATS_CPU_TOTAL) && active) {
		tp_ull(&p, "cpu.time", vm_cpu_time_ns(pid));
		if (vs) {
			tp_counter(&p, "vmxrun.exits", vs, "total");
			tp_counter(&p, "vmxrun.interrupts_injected", vs, "interrupts_injected");
		}
	}
	if (groups & STATS_BALLOON) {
		tp_ull(&p, "balloon.current", active ? def->cur_mem_kib : 0);
		tp_ull(&p, "balloon.maximum", def->mem_kib);
	}
	if ((groups & STATS_VCPU) && active) {
		tp_uint(&p, "vcpu.current", def->vcpus);
		tp_uint(&p, "vcpu.maximum", def->vcpus);
	}
	if ((groups & STATS_INTERFACE) && active) {
		tp_uint(&p, "net.count", (unsigned int)def->nnics);
		for (int i = 0; i < def->nnics; i++) {
			json_t *e = find_dev(vs, "net", def->nic[i].ifname, NULL);

			snprintf(f, sizeof(f), "net.%d.name", i);
			tp_str(&p, f, def->nic[i].ifname ? def->nic[i].ifname : "");
#define NET(key, name) do { snprintf(f, sizeof(f), "net.%d." name, i); tp_counter(&p, f, e, key); } while (0)
			NET("rx_bytes", "rx.bytes");
			NET("rx_packets", "rx.pkts");
			NET("rx_errs", "rx.errs");
			NET("rx_drop", "rx.drop");
			NET("tx_bytes", "tx.bytes");
			NET("tx_packets", "tx.pkts");
			NET("tx_errs", "tx.errs");
			NET("tx_drop", "tx.drop");
#undef NET
		}
	}
	if ((groups & STATS_BLOCK) && active) {
		tp_uint(&p, "block.count", (unsigned int)def->ndisks);
		for (int i = 0; i < def->ndisks; i++) {
			json_t *e = find_dev(vs, "block", def->disk[i].target, def->disk[i].path);

			snprintf(f, sizeof(f), "block.%d.name", i);
			tp_str(&p, f, def->disk[i].target ? def->disk[i].target : "");
			snprintf(f, sizeof(f), "block.%d.path", i);
			tp_str(&p, f, def->disk[i].path);
#define BLK(key, name) do { snprintf(f, sizeof(f), "block.%d." name, i); tp_counter(&p, f, e, key); } while (0)
			BLK("rd_reqs", "rd.reqs");
			BLK("rd_bytes", "rd.bytes");
			BLK("wr_reqs", "wr.reqs");
			BLK("wr_bytes", "wr.bytes");
			BLK("fl_reqs", "fl.reqs");
#undef BLK
		}
	}
	pthread_mutex_unlock(&d->lock);
	patch_u32(x, p.count_off, p.n);
	json_decref(vs);
}

int stats_all(struct call *c)
{
	struct daemon *d = c->conn->d;
	struct domain *doms[1024];
	uint32_t ndoms = get_u32(&c->in), groups, flags;
	int n = 0, r = 0;

	if (ndoms > 1024)
		return call_error(c, ERR_INVALID_ARG, "at most 1024 domains per call");
	for (uint32_t i = 0; i < ndoms && !c->in.err; i++) {
		struct domain *dom = dom_lookup_wire(c);

		if (!dom) {
			r = -1;
			break;
		}
		doms[n++] = dom;
	}
	groups = get_u32(&c->in);
	flags = get_u32(&c->in);
	if (!r && c->in.err)
		r = bad_args(c);
	if (!r && (flags & STATS_ENFORCE) && (groups & ~STATS_ALL))
		r = call_error(c, ERR_ARGUMENT_UNSUPPORTED, "unsupported statistics groups %#x (virtvmxd has state, cpu-total, balloon, vcpu, interface, block)",
			       groups & ~STATS_ALL);
	if (!r && !ndoms) {
		pthread_mutex_lock(&d->lock);
		for (struct domain *dom = d->domains; dom && n < 1024; dom = dom->next) {
			if (dom_list_match(dom, flags & 0xffff)) {
				dom->refs++;
				doms[n++] = dom;
			}
		}
		pthread_mutex_unlock(&d->lock);
	}
	if (!r) {
		put_u32(&c->out, (uint32_t)n);
		for (int i = 0; i < n; i++)
			dom_stats(d, doms[i], groups ? groups & STATS_ALL : STATS_ALL, &c->out);
	}
	for (int i = 0; i < n; i++)
		dom_put(d, doms[i]);
	return r;
}

/* vmxrun's resident set in KiB (VmRSS of /proc/PID/status), 0 if it cannot be read. */
static unsigned long long vm_rss_kib(pid_t pid)
{
	unsigned long long kib = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* 159: dom, maxStats, flags; ret stats<> of { int tag; unsigned hyper val; } (KiB), at most
 * maxStats of them: ACTUAL_BALLOON (6; without a balloon, the guest's memory) and RSS (7).
 * Like libvirt's own drivers, a domain that is not running is OPERATION_INVALID. */
int memory_stats(struct call *c)
{
	struct daemon *d = c->conn->d;
	struct domain *dom = dom_lookup_wire(c);
	uint32_t max = get_u32(&c->in), n = 0;
	unsigned long long cur = 0;
	pid_t pid = 0;
	int r = 0;

	if (!dom)
		return -1;
	get_u32(&c->in);	/* flags: none defined for this call */
	pthread_mutex_lock(&d->lock);
	if (dom->id >= 0) {
		pid = dom->pid;
		cur = (dom->live ? dom->live : dom->def)->cur_mem_kib;
	}
	pthread_mutex_unlock(&d->lock);
	if (c->in.err)
		r = bad_args(c);
	else if (!pid)
		r = call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: domain is not running");
	else if (max > 1024)
		r = call_error(c, ERR_RPC, "maxStats %u over the limit of 1024", max);
	if (!r) {
		size_t off = c->out.len;

		put_u32(&c->out, 0);
		if (n < max) {
			put_i32(&c->out, MEMSTAT_ACTUAL_BALLOON);
			put_u64(&c->out, cur);
			n++;
		}
		if (n < max) {
			put_i32(&c->out, MEMSTAT_RSS);
			put_u64(&c->out, vm_rss_kib(pid));
			n++;
		}
		patch_u32(&c->out, off, n);
	}
	dom_put(d, dom);
	return r;
}
