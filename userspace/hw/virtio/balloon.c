// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-balloon (virtio 1.2, 5.5). The host sets a target (num_pages, 4 KiB pages the
 * guest should give back: the control socket's balloon command) and raises a config
 * interrupt; the driver answers on its queues:
 *  - inflate: page frame numbers it gave up. Each must be a whole 4 KiB page of guest RAM
 *    (not the MMIO hole, not beyond RAM: else DEVICE_NEEDS_RESET); it is discarded
 *    (ram__discard: MADV_DONTNEED, or a hole punched in the memfd), so the host frees it and
 *    the guest reads zeros if it touches the page again;
 *  - deflate: pages it takes back: nothing to do, the hypervisor faults them in on the next
 *    access (demand paging, MMU notifiers);
 *  - stats (F_STATS_VQ): the driver's memory statistics; we keep the latest and hold its
 *    buffer, and return it every stats=SECONDS to ask for fresh ones (QEMU's protocol);
 *  - reporting (F_REPORTING, free-page-reporting=on): free ranges (2 MiB and up under Linux),
 *    as writable buffers; discarded like inflated pages.
 * Queues of features the driver did not accept do not exist: 0 inflate, 1 deflate, then
 * stats, then reporting (Linux's numbering, and QEMU's whenever the stats queue is there).
 * The guest writes `actual` (pages in its balloon) in the config; num_pages is ours alone.
 * Guest RAM on hugetlbfs cannot give back 4 KiB pages: --balloon is refused with it.
 */
#include <errno.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../../options.h"
#include "../../util/parse.h"
#include "../../vm/vm.h"
#include "devices.h"

#define Q_INFLATE	0
#define Q_DEFLATE	1
#define PAGE		4096ULL
#define CFG_NUM_PAGES	0
#define CFG_ACTUAL	4
#define CFG_LEN		8	/* num_pages, actual: no free page hints, no poison value */
#define STAT_LEN	10	/* struct virtio_balloon_stat: le16 tag, le64 val, packed */
#define BALLOON_STATS_MAX_SECS	86400

enum role { R_INFLATE, R_DEFLATE, R_STATS, R_REPORTING, R_NONE };

struct balloon {
	struct virtio_dev vd;
	struct balloon_opts opts;
	int timer_fd;			/* stats=SECONDS: return the stats buffer; else -1 */
	u32 target;			/* (lock) num_pages */
	bool stats_held;		/* (lock) we hold the driver's stats buffer ... */
	u16 stats_head;			/* (lock) ... this chain */
	struct balloon_stats stats;	/* (lock) the latest statistics */
	u64 discard_errors;		/* (lock) ram__discard failures (logged once) */
	struct vq_chain chain;
};

int balloon__parse(const char *spec, struct balloon_opts *o, char *err, size_t errlen)
{
	char *s, *save = NULL, *w;
	int r = 0;

	memset(o, 0, sizeof(*o));
	if (!spec || !*spec)
		return 0;
	s = strdup(spec);
	if (!s)
		return -1;
	for (w = strtok_r(s, ",", &save); w && !r; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "deflate-on-oom=on") || !strcmp(w, "deflate-on-oom=off")) {
			o->deflate_on_oom = !strcmp(w, "deflate-on-oom=on");
		} else if (!strcmp(w, "free-page-reporting=on") ||
			   !strcmp(w, "free-page-reporting=off")) {
			o->reporting = !strcmp(w, "free-page-reporting=on");
		} else if (strncmp(w, "stats=", 6) ||
			   parse_uint_range(w + 6, 0, BALLOON_STATS_MAX_SECS, &o->stats_secs)) {
			snprintf(err, errlen, "vmxrun: --balloon %s: '%s' is not deflate-on-oom=on|off, stats=SECONDS (0-%d) or free-page-reporting=on|off",
				 spec, w, BALLOON_STATS_MAX_SECS);
			r = -1;
		}
	}
	free(s);
	return r;
}

/* What queue q is, given the features the driver accepted (lock held). */
static enum role balloon__role(struct virtio_dev *vd, unsigned int q)
{
	unsigned int next = 2;

	if (q < 2)
		return q == Q_INFLATE ? R_INFLATE : R_DEFLATE;
	if (virtio__has(vd, VIRTIO_BALLOON_F_STATS_VQ) && q == next++)
		return R_STATS;
	if (virtio__has(vd, VIRTIO_BALLOON_F_REPORTING) && q == next)
		return R_REPORTING;
	return R_NONE;
}

/* Give [p, p + len) of guest RAM back to the host (lock held). */
static void balloon__discard(struct balloon *b, u8 *p, u64 len)
{
	int r = ram__discard(b->vd.vm, p, len);

	if (r && !b->discard_errors++)
		fprintf(stderr, "vmxrun: virtio-balloon: cannot discard guest RAM: %s (the pages stay in use)\r\n",
			strerror(-r));
}

/*
 * Inflate and deflate chains: readable arrays of le32 page frame numbers, each a page of
 * guest RAM. Inflated pages are discarded, adjacent ones in one call (lock held).
 */
static void balloon__pfns(struct balloon *b, unsigned int q, bool inflate)
{
	struct virtio_dev *vd = &b->vd;
	struct vq_chain *c = &b->chain;

	while (virtio__pop(vd, q, c)) {
		u8 *run = NULL;
		u64 run_len = 0;
		u32 pfns[256];

		if (c->n_in || c->out_len % 4) {
			virtio__fail(vd, "queue %u: page frame numbers not a readable array of 32-bit numbers",
				     q);
			return;
		}
		for (u64 done = 0; done < c->out_len;) {
			size_t n = vq__read(c, done, pfns, MIN(sizeof(pfns), c->out_len - done));

			done += n;
			for (size_t i = 0; i < n / 4; i++) {
				u32 pfn = (u32)le_get(&pfns[i], 4);
				u8 *p = vm__gpa(vd->vm, (u64)pfn << VIRTIO_BALLOON_PFN_SHIFT, PAGE);

				if (!p) {
					virtio__fail(vd, "queue %u: page frame %#x is not guest RAM", q,
						     pfn);
					return;
				}
				if (!inflate)
					continue;
				if (run && p == run + run_len) {
					run_len += PAGE;
					continue;
				}
				if (run)
					balloon__discard(b, run, run_len);
				run = p;
				run_len = PAGE;
			}
		}
		if (run)
			balloon__discard(b, run, run_len);
		virtio__complete(vd, q, c->head, 0);
	}
}

/* The driver's statistics: keep them, and hold the buffer until we want new ones (lock). */
static void balloon__stats_in(struct balloon *b, unsigned int q)
{
	struct virtio_dev *vd = &b->vd;
	struct vq_chain *c = &b->chain;

	while (virtio__pop(vd, q, c)) {
		u8 st[STAT_LEN];

		if (c->n_in || c->out_len % STAT_LEN) {
			virtio__fail(vd, "statistics not a readable array of 10-byte entries");
			return;
		}
		if (b->stats_held)	/* a second buffer: give the first back */
			virtio__complete(vd, q, b->stats_head, 0);
		for (u64 off = 0; off < c->out_len && vq__read(c, off, st, STAT_LEN) == STAT_LEN;
		     off += STAT_LEN) {
			u16 tag = (u16)le_get(st, 2);

			if (tag >= BALLOON_STATS_NR)
				continue;		/* newer than we know: ignored, as QEMU does */
			b->stats.val[tag] = le_get(st + 2, 8);
			b->stats.valid |= 1u << tag;
		}
		b->stats.updated = time(NULL);
		b->stats_held = true;
		b->stats_head = c->head;
	}
}

/* Ask for new statistics: give the held buffer back (lock held). */
static void balloon__stats_request(struct balloon *b)
{
	struct virtio_dev *vd = &b->vd;

	for (unsigned int q = 2; q < vd->nr_queues && b->stats_held; q++) {
		if (balloon__role(vd, q) != R_STATS || !virtio__live(vd))
			continue;
		b->stats_held = false;
		virtio__complete(vd, q, b->stats_head, 0);
	}
}

static void balloon__timer(struct virtio_dev *vd, int fd, void *opaque)
{
	u64 n;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return;
	virtio__lock(vd);
	balloon__stats_request(opaque);
	virtio__unlock(vd);
}

/* Free page reporting: writable buffers, each a free range; the whole pages in it go. */
static void balloon__report(struct balloon *b, unsigned int q)
{
	struct virtio_dev *vd = &b->vd;
	struct vq_chain *c = &b->chain;

	while (virtio__pop(vd, q, c)) {
		if (c->n_out) {
			virtio__fail(vd, "free page report with a readable buffer");
			return;
		}
		for (unsigned int i = 0; i < c->n_in; i++) {
			u8 *p = c->iov[i].iov_base, *end = p + c->iov[i].iov_len;
			u64 off = (u64)(p - vd->vm->ram), first = ALIGN_UP(off, PAGE),
			    last = ALIGN_DOWN((u64)(end - vd->vm->ram), PAGE);

			if (last > first)
				balloon__discard(b, vd->vm->ram + first, last - first);
		}
		virtio__complete(vd, q, c->head, 0);
	}
}

static void balloon__kick(struct virtio_dev *vd, unsigned int q)
{
	struct balloon *b = vd->priv;

	virtio__lock(vd);
	switch (balloon__role(vd, q)) {
	case R_INFLATE:
		balloon__pfns(b, q, true);
		break;
	case R_DEFLATE:
		balloon__pfns(b, q, false);
		break;
	case R_STATS:
		balloon__stats_in(b, q);
		break;
	case R_REPORTING:
		balloon__report(b, q);
		break;
	case R_NONE:
		break;
	}
	virtio__unlock(vd);
}

/*
 * DRIVER_OK (lock held, vCPU thread). Linux primes the stats queue before it sets
 * DRIVER_OK, when the queues do not run yet: have the device thread look at every queue.
 */
static void balloon__start(struct virtio_dev *vd)
{
	u64 one = 1;

	for (unsigned int q = 0; q < vd->nr_queues; q++)
		if (write(vd->vq[q].kick_fd, &one, sizeof(one)) < 0)
			perror("vmxrun: virtio-balloon");
}

/* The driver wrote the config: only `actual` is its to write (lock held). */
static void balloon__config_write(struct virtio_dev *vd, u32 off, u32 len)
{
	struct balloon *b = vd->priv;

	(void)off, (void)len;
	le_put(vd->config + CFG_NUM_PAGES, 4, b->target);
}

static void balloon__reset(struct virtio_dev *vd)
{
	struct balloon *b = vd->priv;

	b->stats_held = false;			/* the next driver starts with an empty balloon */
	le_put(vd->config + CFG_ACTUAL, 4, 0);
	le_put(vd->config + CFG_NUM_PAGES, 4, b->target);
}

static void balloon__free(struct virtio_dev *vd)
{
	struct balloon *b = vd->priv;

	virtio__exit(vd);
	if (b->timer_fd >= 0)
		close(b->timer_fd);
	free(b);
}

static const struct virtio_dev_ops balloon_ops = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.class_code = 0xff0000,		/* "other" (PCI_CLASS_OTHERS), as QEMU's */
	.config_write = balloon__config_write,
	.kick = balloon__kick,
	.start = balloon__start,
	.reset = balloon__reset,
	.free = balloon__free,
};

struct virtio_dev *balloon__new(struct vm *vm, const struct balloon_opts *o, char *msg,
				size_t msglen)
{
	u64 features = 1ULL << VIRTIO_BALLOON_F_STATS_VQ;
	struct balloon *b;

	if (vm->opts && vm->opts->mem_backend == MEM_HUGETLBFS) {
		snprintf(msg, msglen, "vmxrun: --balloon: guest RAM on hugetlbfs pages (--mem-backend %s) cannot give back 4 KiB pages; use --mem-backend anon or memfd",
			 vm->opts->mem_backend_arg);
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(msg, msglen, "vmxrun: virtio-balloon: out of memory");
		return NULL;
	}
	b->vd.priv = b;
	b->opts = *o;
	b->timer_fd = -1;
	if (o->deflate_on_oom)
		features |= 1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	if (o->reporting)
		features |= 1ULL << VIRTIO_BALLOON_F_REPORTING;
	if (virtio__init(&b->vd, vm, &balloon_ops, o->reporting ? 4 : 3, features, CFG_LEN, msg,
			 msglen))
		goto fail;
	if (o->stats_secs) {
		struct itimerspec its = { .it_interval.tv_sec = o->stats_secs,
					  .it_value.tv_sec = o->stats_secs };

		b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (b->timer_fd < 0 || timerfd_settime(b->timer_fd, 0, &its, NULL) ||
		    virtio__watch(&b->vd, b->timer_fd, balloon__timer, b)) {
			snprintf(msg, msglen, "vmxrun: virtio-balloon: cannot set up its stats timer: %s",
				 strerror(errno));
			goto fail;
		}
	}
	if (virtio__start_thread(&b->vd)) {
		snprintf(msg, msglen, "vmxrun: virtio-balloon: cannot start its thread");
		goto fail;
	}
	return &b->vd;
fail:
	balloon__free(&b->vd);
	return NULL;
}

struct virtio_dev *balloon__find(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_virtio; i++)
		if (vm->virtio[i]->ops == &balloon_ops)
			return vm->virtio[i];
	return NULL;
}

void balloon__set_target(struct virtio_dev *vd, u64 bytes)
{
	struct balloon *b = vd->priv;
	u64 ram = vd->vm->ram_size;

	virtio__lock(vd);
	b->target = bytes >= ram ? 0 : (u32)MIN((ram - bytes) / PAGE, UINT32_MAX);
	le_put(vd->config + CFG_NUM_PAGES, 4, b->target);
	virtio__config_changed(vd);
	virtio__unlock(vd);
}

const char *balloon__stat_name(unsigned int tag)
{
	static const char *const names[BALLOON_STATS_NR] = {	/* QEMU's guest-stats names */
		"stat-swap-in", "stat-swap-out", "stat-major-faults", "stat-minor-faults",
		"stat-free-memory", "stat-total-memory", "stat-available-memory",
		"stat-disk-caches", "stat-htlb-pgalloc", "stat-htlb-pgfail",
	};

	return tag < BALLOON_STATS_NR ? names[tag] : NULL;
}

void balloon__query(struct virtio_dev *vd, struct balloon_info *bi)
{
	struct balloon *b = vd->priv;
	u64 ram = vd->vm->ram_size, actual;

	virtio__lock(vd);
	actual = le_get(vd->config + CFG_ACTUAL, 4) * PAGE;
	bi->actual = actual >= ram ? 0 : ram - actual;
	bi->target = ram - MIN((u64)b->target * PAGE, ram);
	bi->stats = b->stats;
	virtio__unlock(vd);
}
