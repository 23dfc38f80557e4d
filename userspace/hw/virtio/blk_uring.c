// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk's aio=io_uring (built only with liburing; Debian: liburing-dev): reads, writes
 * and flushes go to the kernel through one io_uring per disk instead of blk.c's thread pool.
 * A read or write that blk__execute would accept (whole sectors inside the disk, not a
 * write to a read-only one) or a flush is one SQE whose user_data is the request; a reaper
 * thread takes the CQEs, resubmits the rest of a short transfer and completes. Anything
 * else (get-id, discard, write-zeroes, a request that fails its checks) runs on the device
 * thread. The SQ is filled and submitted under vd.lock (by the device thread and the
 * reaper); only the reaper reads the CQ, waiting on it without the lock.
 */
#include <errno.h>
#include <liburing.h>
#include <linux/virtio_blk.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"

#define BLK_URING_ENTRIES	256	/* a queue's worth of requests in flight */

struct blk_uring {
	struct io_uring ring;
	pthread_t reaper;
	bool has_reaper;
};

/* A free SQE (lock held): submits what is queued when the SQ is full. */
static struct io_uring_sqe *blk_uring__sqe(struct blk_uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe) {
		io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
	}
	return sqe;
}

/* Submit q's transfer from where it is (written bytes done) or its flush (lock held). */
static void blk_uring__submit(struct blk *b, struct blk_req *q)
{
	struct io_uring_sqe *sqe = blk_uring__sqe(b->uring);
	u64 off = q->sector * SECTOR + q->written;

	if (q->type == VIRTIO_BLK_T_FLUSH)
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
	else if (q->type == VIRTIO_BLK_T_IN)
		io_uring_prep_readv(sqe, b->fd, q->iov, q->n, off);
	else
		io_uring_prep_writev(sqe, b->fd, q->iov, q->n, off);
	io_uring_sqe_set_data(sqe, q);
	io_uring_submit(&b->uring->ring);
}

void blk_uring__start(struct blk *b, struct blk_req *q)
{
	u64 off = q->sector * SECTOR;
	bool rw = q->type == VIRTIO_BLK_T_IN || q->type == VIRTIO_BLK_T_OUT;
	u8 st;

	b->inflight++;
	if (q->type == VIRTIO_BLK_T_FLUSH ||
	    (rw && !(q->type == VIRTIO_BLK_T_OUT && b->o.ro) && !(q->len % SECTOR) &&
	     q->sector <= b->size / SECTOR && q->len <= b->size - off && q->n)) {
		blk_uring__submit(b, q);
		return;
	}
	virtio__unlock(&b->vd);
	st = blk__execute(b, q);
	virtio__lock(&b->vd);
	blk__finish(b, q, st);
}

/* One CQE of q's (lock held): true with *st when q is done, false once resubmitted. */
static bool blk_uring__done(struct blk *b, struct blk_req *q, int res, u8 *st)
{
	*st = res < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	if (res < 0 || q->type == VIRTIO_BLK_T_FLUSH)
		return true;
	if (!res) {				/* end of file inside the disk: truncated under us */
		*st = VIRTIO_BLK_S_IOERR;
		return true;
	}
	q->written += (u32)res;
	if (q->written >= q->len) {
		if (q->type == VIRTIO_BLK_T_OUT)
			q->written = 0;		/* the used length counts what the device wrote */
		return true;
	}
	for (size_t r = (size_t)res; r;) {	/* short: drop what is done from the iovecs */
		size_t l = MIN(r, q->iov[0].iov_len);

		q->iov[0].iov_base = (u8 *)q->iov[0].iov_base + l;
		q->iov[0].iov_len -= l;
		r -= l;
		if (!q->iov[0].iov_len)
			memmove(q->iov, q->iov + 1, --q->n * sizeof(q->iov[0]));
	}
	blk_uring__submit(b, q);
	return false;
}

static void *blk_uring__reaper(void *arg)
{
	struct blk *b = arg;
	struct blk_uring *u = b->uring;
	bool end = false;

	while (!end) {
		struct io_uring_cqe *cqe;
		struct blk_req *q;
		int res;
		u8 st;

		res = io_uring_wait_cqe(&u->ring, &cqe);
		if (res == -EINTR)
			continue;
		if (res) {			/* the ring is broken: nothing completes any more */
			fprintf(stderr, "vmxrun: virtio-blk %s: io_uring: %s\r\n", b->o.path,
				strerror(-res));
			break;
		}
		q = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
		virtio__lock(&b->vd);
		if (q && blk_uring__done(b, q, res, &st))
			blk__finish(b, q, st);
		end = b->quit && !b->inflight;	/* blk_uring__exit's NOP came */
		virtio__unlock(&b->vd);
	}
	return NULL;
}

int blk_uring__init(struct blk *b, char *msg, size_t msglen)
{
	struct blk_uring *u = calloc(1, sizeof(*u));
	int r;

	if (!u) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return -1;
	}
	r = io_uring_queue_init(BLK_URING_ENTRIES, &u->ring, 0);
	if (r) {
		snprintf(msg, msglen, "vmxrun: --disk %s,aio=io_uring: io_uring_setup: %s (use aio=threads)",
			 b->o.path, strerror(-r));
		free(u);
		return -1;
	}
	b->uring = u;
	if (pthread_create(&u->reaper, NULL, blk_uring__reaper, b)) {
		snprintf(msg, msglen, "vmxrun: virtio-blk: cannot start its io_uring thread");
		return -1;
	}
	u->has_reaper = true;
	return 0;
}

void blk_uring__exit(struct blk *b)
{
	struct blk_uring *u = b->uring;

	if (!u)
		return;
	if (u->has_reaper) {		/* a NOP wakes it; it ends when nothing is in flight */
		pthread_mutex_lock(&b->vd.lock);
		b->quit = true;
		struct io_uring_sqe *sqe = blk_uring__sqe(u);

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data(sqe, NULL);
		io_uring_submit(&u->ring);
		pthread_mutex_unlock(&b->vd.lock);
		pthread_join(u->reaper, NULL);
	}
	io_uring_queue_exit(&u->ring);
	free(u);
	b->uring = NULL;
}
