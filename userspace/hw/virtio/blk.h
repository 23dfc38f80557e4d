/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-blk's state, shared by blk.c (the device, the thread pool) and blk_uring.c. */
#ifndef VMXRUN_HW_VIRTIO_BLK_H
#define VMXRUN_HW_VIRTIO_BLK_H

#include <sys/uio.h>

#include "devices.h"

#define BLK_WORKERS	4
#define SECTOR		512ULL
#define MAX_DISCARD	(1u << 22)	/* sectors per discard / write-zeroes segment */

struct blk_req {
	struct blk_req *next;
	unsigned int gen;		/* blk.gen when taken: stale after a reset */
	u32 type;
	u64 sector;
	u8 *status;
	unsigned int n;			/* data buffers in iov (without header and status) */
	u64 len;
	u32 written;			/* bytes for the used ring (io_uring: done so far) */
	struct vq_chain c;
	struct iovec iov[VQ_MAX_SEGS];
};

struct blk_uring;

struct blk {
	struct virtio_dev vd;
	struct blk_opts o;
	int fd;
	u64 size;			/* bytes (whole sectors) */
	/* Under vd.lock: */
	struct blk_req *head, *tail;	/* taken, waiting for a worker */
	unsigned int inflight;		/* taken and not finished (queued, in a worker or a ring) */
	unsigned int gen;
	bool quit;
	pthread_cond_t work;		/* workers wait here */
	pthread_t worker[BLK_WORKERS];
	unsigned int nr_workers;
	struct blk_uring *uring;	/* aio=io_uring, else NULL */
};

/* Run one request, no lock held (a worker, or the device thread for aio=io_uring); its status. */
u8 blk__execute(struct blk *b, struct blk_req *q);
/* Complete q with status st unless a reset came in between; free it (lock held). */
void blk__finish(struct blk *b, struct blk_req *q, u8 st);

#ifdef HAVE_LIBURING
/* aio=io_uring (blk_uring.c): the ring and its reaper thread. 0, or -1 with *msg. */
int blk_uring__init(struct blk *b, char *msg, size_t msglen);
/* Start a taken request (lock held): on the ring, or run here. */
void blk_uring__start(struct blk *b, struct blk_req *q);
/* After the device thread ended: wait for what is in flight, free the ring. */
void blk_uring__exit(struct blk *b);
#endif

#endif
