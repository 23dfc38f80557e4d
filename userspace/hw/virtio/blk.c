// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (virtio 1.2, 5.2) on a raw image: read, write, flush (fdatasync before the
 * request completes), discard and write-zeroes (fallocate), get-id. The device thread takes
 * requests off the queue and checks their layout (header readable, data in the direction
 * of the operation, status the last writable byte); BLK_WORKERS threads do the I/O with
 * preadv/pwritev straight into guest memory and complete them, so no vCPU ever waits for the
 * disk. aio=io_uring (built when liburing is there) hands reads, writes and flushes to one
 * io_uring per disk instead, a reaper thread completing them. (The thread pool stays the
 * default: no new dependency, works where io_uring is off, and make bench measures both the
 * same in the testbed, where the guest's exits cost far more than the host's submission.)
 * The image is locked with an OFD lock: read-write excludes every other user, read-only
 * excludes writers; a read-only disk fails writes with VIRTIO_BLK_S_IOERR.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../vm/vm.h"
#include "blk.h"

int blk__parse(const char *spec, struct blk_opts *o, char *err, size_t errlen)
{
	char *s = strdup(spec), *save = NULL, *w;
	int r = 0;

	memset(o, 0, sizeof(*o));
	if (!s)
		return -1;
	w = strtok_r(s, ",", &save);
	if (!w || !*w) {
		snprintf(err, errlen, "vmxrun: --disk %s: no image path", spec);
		free(s);
		return -1;
	}
	o->path = spec;			/* the path is the text before the first comma */
	while ((w = strtok_r(NULL, ",", &save))) {
		if (!strcmp(w, "ro")) {
			o->ro = true;
		} else if (!strcmp(w, "cache=none")) {
			o->cache_none = true;
		} else if (!strcmp(w, "cache=writeback")) {
			o->cache_none = false;
		} else if (!strncmp(w, "serial=", 7) && strlen(w + 7) <= BLK_SERIAL_LEN) {
			snprintf(o->serial, sizeof(o->serial), "%s", w + 7);
		} else if (!strcmp(w, "aio=threads")) {
			o->aio_uring = false;
		} else if (!strcmp(w, "aio=io_uring")) {
#ifndef HAVE_LIBURING
			snprintf(err, errlen, "vmxrun: --disk %s: aio=io_uring: this vmxrun was built without liburing (install liburing-dev, e.g. scripts/deps build, and rebuild; or use aio=threads)",
				 spec);
			r = -1;
			break;
#endif
			o->aio_uring = true;
		} else {
			snprintf(err, errlen, "vmxrun: --disk %s: '%s' is not ro, cache=none, cache=writeback, serial=S (at most %d characters) or aio=threads|io_uring",
				 spec, w, BLK_SERIAL_LEN);
			r = -1;
			break;
		}
	}
	free(s);
	return r;
}

/* The image path alone (before the options). */
static char *blk__path(const char *spec)
{
	return strndup(spec, strcspn(spec, ","));
}

/* All of len at off, through short transfers; 0 or -errno. */
static int blk__rw(struct blk *b, struct iovec *iov, unsigned int n, u64 off, bool write)
{
	while (n) {
		ssize_t r = write ? pwritev(b->fd, iov, (int)n, (off_t)off) :
				    preadv(b->fd, iov, (int)n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		off += (u64)r;
		while (n && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (u8 *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

static int blk__zero(struct blk *b, u64 off, u64 len, bool unmap)
{
	static const u8 zeros[64 * 1024];

	if (unmap && !fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
				(off_t)len))
		return 0;
	if (!fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len))
		return 0;
	while (len) {
		u64 n = MIN(len, sizeof(zeros));
		struct iovec v = { (void *)zeros, n };
		int r = blk__rw(b, &v, 1, off, true);

		if (r)
			return r;
		off += n;
		len -= n;
	}
	return 0;
}

/* Discard / write-zeroes segments (the data part, readable). */
static u8 blk__segments(struct blk *b, struct blk_req *q)
{
	struct virtio_blk_discard_write_zeroes seg;
	u64 nseg = (q->c.out_len - sizeof(struct virtio_blk_outhdr)) / sizeof(seg);

	if (b->o.ro)
		return VIRTIO_BLK_S_IOERR;
	if (nseg != 1 || (q->c.out_len - sizeof(struct virtio_blk_outhdr)) % sizeof(seg))
		return VIRTIO_BLK_S_UNSUPP;		/* max_*_seg is 1 */
	vq__read(&q->c, sizeof(struct virtio_blk_outhdr), &seg, sizeof(seg));
	if (seg.num_sectors > MAX_DISCARD || seg.sector > b->size / SECTOR ||
	    seg.num_sectors > b->size / SECTOR - seg.sector)
		return VIRTIO_BLK_S_IOERR;
	if (q->type == VIRTIO_BLK_T_DISCARD) {
		/* Best effort: a file system without hole punching just keeps the data. */
		fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  (off_t)(seg.sector * SECTOR), (off_t)(seg.num_sectors * SECTOR));
		return VIRTIO_BLK_S_OK;
	}
	return blk__zero(b, seg.sector * SECTOR, seg.num_sectors * SECTOR,
			 seg.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ? VIRTIO_BLK_S_IOERR :
									  VIRTIO_BLK_S_OK;
}

u8 blk__execute(struct blk *b, struct blk_req *q)
{
	u64 off = q->sector * SECTOR;

	switch (q->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (q->type == VIRTIO_BLK_T_OUT && b->o.ro)
			return VIRTIO_BLK_S_IOERR;
		if (q->len % SECTOR || q->sector > b->size / SECTOR || q->len > b->size - off)
			return VIRTIO_BLK_S_IOERR;
		if (blk__rw(b, q->iov, q->n, off, q->type == VIRTIO_BLK_T_OUT))
			return VIRTIO_BLK_S_IOERR;
		if (q->type == VIRTIO_BLK_T_IN)
			q->written += (u32)q->len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		return fdatasync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: {
		char id[BLK_SERIAL_LEN] = { 0 };

		memcpy(id, b->o.serial, strnlen(b->o.serial, BLK_SERIAL_LEN));
		q->written += (u32)vq__write(&q->c, 0, id, MIN(q->len, sizeof(id)));
		return VIRTIO_BLK_S_OK;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return blk__segments(b, q);
	}
	return VIRTIO_BLK_S_UNSUPP;
}

void blk__finish(struct blk *b, struct blk_req *q, u8 st)
{
	if (q->gen == b->gen) {
		*q->status = st;
		virtio__complete(&b->vd, 0, q->c.head, q->written + 1);
	}
	free(q);
	if (!--b->inflight)
		pthread_cond_broadcast(&b->vd.cond);
}

static void *blk__worker(void *arg)
{
	struct blk *b = arg;
	struct virtio_dev *vd = &b->vd;

	virtio__lock(vd);
	for (;;) {
		struct blk_req *q;
		u8 st;

		while (!b->head && !b->quit) {
			if (vd->intx_changed) {	/* drive INTx before sleeping on it */
				virtio__unlock(vd);
				virtio__lock(vd);
				continue;
			}
			pthread_cond_wait(&b->work, &vd->lock);
		}
		if (b->quit)
			break;
		q = b->head;
		b->head = q->next;
		if (!b->head)
			b->tail = NULL;
		virtio__unlock(vd);
		st = blk__execute(b, q);
		virtio__lock(vd);
		blk__finish(b, q, st);
	}
	virtio__unlock(vd);
	return NULL;
}

/*
 * The layout of a request chain (virtio 1.2, 5.2.6): a readable 16-byte header, then data
 * (writable for IN and GET_ID, readable for OUT, DISCARD, WRITE_ZEROES), then the status
 * byte, the last writable one. False (with *why) if the driver got it wrong.
 */
static bool blk__layout(struct blk_req *q, const char **why)
{
	struct vq_chain *c = &q->c;
	struct virtio_blk_outhdr h;
	struct iovec *last;
	bool data_in;

	if (c->out_len < sizeof(h) || !c->n_in) {
		*why = !c->n_in ? "request without a writable status byte" :
				  "request header shorter than 16 bytes";
		return false;
	}
	vq__read(c, 0, &h, sizeof(h));
	q->type = h.type;
	q->sector = h.sector;
	last = &c->iov[c->n_out + c->n_in - 1];
	q->status = (u8 *)last->iov_base + last->iov_len - 1;
	data_in = h.type == VIRTIO_BLK_T_IN || h.type == VIRTIO_BLK_T_GET_ID;
	if (data_in && c->out_len != sizeof(h)) {
		*why = "read request with device-readable data buffers";
		return false;
	}
	if (!data_in && c->in_len != 1) {
		*why = "write request with device-writable data buffers";
		return false;
	}
	q->n = 0;
	q->len = 0;
	if (data_in) {
		for (unsigned int i = c->n_out; i < c->n_out + c->n_in; i++) {
			size_t l = c->iov[i].iov_len - (i == c->n_out + c->n_in - 1);

			if (l)
				q->iov[q->n++] = (struct iovec){ c->iov[i].iov_base, l };
			q->len += l;
		}
		return true;
	}
	/* The header's descriptor may carry data after it (a driver may merge them). */
	for (unsigned int i = 0, skip = sizeof(h); i < c->n_out; i++) {
		size_t l = c->iov[i].iov_len;

		if (skip >= l) {
			skip -= (unsigned int)l;
			continue;
		}
		q->iov[q->n++] = (struct iovec){ (u8 *)c->iov[i].iov_base + skip, l - skip };
		q->len += l - skip;
		skip = 0;
	}
	return true;
}

static void blk__kick(struct virtio_dev *vd, unsigned int qi)
{
	struct blk *b = vd->priv;
	struct blk_req *q = NULL;

	virtio__lock(vd);
	for (;;) {
		const char *why;

		if (!q && !(q = malloc(sizeof(*q))))
			break;
		if (!virtio__pop(vd, qi, &q->c))
			break;
		if (!blk__layout(q, &why)) {
			virtio__fail(vd, "%s", why);
			break;
		}
		q->written = 0;
		q->gen = b->gen;
		q->next = NULL;
#ifdef HAVE_LIBURING
		if (b->uring) {
			blk_uring__start(b, q);
			q = NULL;
			continue;
		}
#endif
		if (b->tail)
			b->tail->next = q;
		else
			b->head = q;
		b->tail = q;
		b->inflight++;
		q = NULL;
		pthread_cond_signal(&b->work);
	}
	virtio__unlock(vd);
	free(q);
}

/* Drop queued requests, wait for the ones in workers (lock held). */
static void blk__reset(struct virtio_dev *vd)
{
	struct blk *b = vd->priv;

	if (!b)
		return;
	b->gen++;
	while (b->head) {
		struct blk_req *q = b->head;

		b->head = q->next;
		free(q);
		b->inflight--;
	}
	b->tail = NULL;
	while (b->inflight)
		pthread_cond_wait(&vd->cond, &vd->lock);
}

static void blk__free(struct virtio_dev *vd)
{
	struct blk *b = vd->priv;

	virtio__exit_thread(vd);		/* no new requests */
	pthread_mutex_lock(&vd->lock);
	b->quit = true;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&vd->lock);
	for (unsigned int i = 0; i < b->nr_workers; i++)
		pthread_join(b->worker[i], NULL);
#ifdef HAVE_LIBURING
	blk_uring__exit(b);
#endif
	while (b->head) {
		struct blk_req *q = b->head;

		b->head = q->next;
		free(q);
	}
	virtio__exit(vd);
	pthread_cond_destroy(&b->work);
	if (b->fd >= 0)
		close(b->fd);
	free((char *)b->o.path);
	free(b);
}

static const struct virtio_dev_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.class_code = 0x010000,		/* mass storage, as QEMU's */
	.kick = blk__kick,
	.reset = blk__reset,
	.free = blk__free,
};

/* Open and lock the image; its size. 0 or -1 with *msg. */
static int blk__open(struct blk *b, char *msg, size_t msglen)
{
	struct flock lk = { .l_type = b->o.ro ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET };
	int flags = (b->o.ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | (b->o.cache_none ? O_DIRECT : 0);
	struct stat st;
	u64 size;

	b->fd = open(b->o.path, flags);
	if (b->fd < 0) {
		snprintf(msg, msglen, "vmxrun: --disk %s: %s%s", b->o.path, strerror(errno),
			 errno == EINVAL && b->o.cache_none ?
			 " (this file system has no O_DIRECT: drop cache=none)" : "");
		return -1;
	}
	if (fcntl(b->fd, F_OFD_SETLK, &lk)) {
		snprintf(msg, msglen, "vmxrun: --disk %s: in use by another process (%s lock held: another vmxrun has it open%s)",
			 b->o.path, b->o.ro ? "a write" : "a", b->o.ro ? " read-write" : "");
		return -1;
	}
	if (fstat(b->fd, &st) ||
	    (S_ISBLK(st.st_mode) ? ioctl(b->fd, BLKGETSIZE64, &size) : (size = (u64)st.st_size, 0))) {
		snprintf(msg, msglen, "vmxrun: --disk %s: %s", b->o.path, strerror(errno));
		return -1;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		snprintf(msg, msglen, "vmxrun: --disk %s: not a regular file or block device",
			 b->o.path);
		return -1;
	}
	b->size = ALIGN_DOWN(size, SECTOR);
	return 0;
}

static void blk__config(struct blk *b)
{
	struct virtio_blk_config c = {
		.capacity = b->size / SECTOR,
		.seg_max = VQ_MAX_SEGS - 2,
		.blk_size = SECTOR,
		.max_discard_sectors = MAX_DISCARD,
		.max_discard_seg = 1,
		.discard_sector_alignment = 4096 / SECTOR,
		.max_write_zeroes_sectors = MAX_DISCARD,
		.max_write_zeroes_seg = 1,
		.write_zeroes_may_unmap = 1,
	};

	memcpy(b->vd.config, &c, MIN(sizeof(c), sizeof(b->vd.config)));
}

struct virtio_dev *blk__new(struct vm *vm, const struct blk_opts *o, char *msg, size_t msglen)
{
	struct blk *b = calloc(1, sizeof(*b));
	u64 features = 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
		       1ULL << VIRTIO_BLK_F_FLUSH;

	if (!b) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return NULL;
	}
	b->o = *o;
	b->o.path = blk__path(o->path);
	b->fd = -1;
	b->vd.priv = b;
	pthread_cond_init(&b->work, NULL);
	if (!b->o.path || blk__open(b, msg, msglen))
		goto fail_early;
	features |= o->ro ? 1ULL << VIRTIO_BLK_F_RO :
			    1ULL << VIRTIO_BLK_F_DISCARD | 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
	blk__config(b);
	if (virtio__init(&b->vd, vm, &blk_ops, 1, features, sizeof(struct virtio_blk_config),
			 msg, msglen))
		goto fail;
	blk__config(b);
#ifdef HAVE_LIBURING
	if (o->aio_uring && blk_uring__init(b, msg, msglen))
		goto fail;
#endif
	for (; !o->aio_uring && b->nr_workers < BLK_WORKERS; b->nr_workers++)
		if (pthread_create(&b->worker[b->nr_workers], NULL, blk__worker, b))
			goto fail;
	if (virtio__start_thread(&b->vd))
		goto fail;
	return &b->vd;
fail_early:
	b->vd.vm = NULL;
fail:
	blk__free(&b->vd);
	return NULL;
}
