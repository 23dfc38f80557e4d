/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A split virtqueue (virtio 1.2, 2.7), device side, with indirect descriptors and EVENT_IDX.
 * The driver is untrusted: every index, descriptor and guest-physical range is checked before
 * use, each descriptor is read once into host memory (the guest may rewrite it while we
 * look), a chain is at most VQ_MAX_SEGS buffers and the size of its table, readable buffers
 * come before writable ones, and every buffer lies inside one memslot (vm__gpa). A chain that
 * breaks a rule is an error: the caller marks the device DEVICE_NEEDS_RESET and stops using
 * the queue. Nothing here takes a lock: the device holds its own.
 */
#ifndef VMXRUN_VIRTIO_QUEUE_H
#define VMXRUN_VIRTIO_QUEUE_H

#include <linux/virtio_ring.h>
#include <sys/uio.h>

#include "../util/types.h"

#define VQ_MAX_SIZE	256	/* queue size we offer */
#define VQ_MAX_SEGS	256	/* buffers in one chain */

struct vm;

struct vq_chain {
	u16 head;
	unsigned int n_out, n_in;	/* device-readable buffers, then device-writable ones */
	u64 out_len, in_len;
	struct iovec iov[VQ_MAX_SEGS];	/* iov[0..n_out) readable, iov[n_out..n_out+n_in) writable */
};

struct virtq {
	struct vm *vm;
	u16 size;			/* entries (power of two, <= VQ_MAX_SIZE) */
	bool ready;			/* enabled by the driver and its rings checked */
	bool event_idx, indirect;	/* negotiated features */
	u64 desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	u16 last_avail;			/* next avail entry to take */
	u16 used_idx;			/* next used entry to fill (our copy of used->idx) */
	u16 signalled_used;		/* used_idx at the last interrupt */
	bool signalled_valid;
	u16 msix_vector;
	int kick_fd;			/* eventfd: the driver notified this queue */
};

/* Check and map the rings the driver gave (queue_enable); 0 or -EINVAL. */
int vq__enable(struct virtq *q);
/* Forget the rings (reset). */
void vq__disable(struct virtq *q);
/*
 * Take the next available chain into *c: 1, 0 if the ring is empty, -EINVAL (with *why) if
 * the driver broke a rule. With EVENT_IDX, an empty ring asks the driver for a notification
 * on the next buffer (and looks once more, so none is missed).
 */
int vq__pop(struct virtq *q, struct vq_chain *c, const char **why);
/* Give back the last chain taken (not used: e.g. a packet did not come after all). */
void vq__unpop(struct virtq *q);
/* Whether the ring has a chain to take (no side effects). */
bool vq__has_avail(struct virtq *q);
/* Put chain head on the used ring with written bytes. */
void vq__push(struct virtq *q, u16 head, u32 written);
/* After pushes: whether the driver wants an interrupt now (EVENT_IDX or NO_INTERRUPT). */
bool vq__need_interrupt(struct virtq *q);

/* Copy from a chain's readable part (skip bytes first) / to its writable part; bytes done. */
size_t vq__read(const struct vq_chain *c, size_t skip, void *buf, size_t len);
size_t vq__write(const struct vq_chain *c, size_t skip, const void *buf, size_t len);

#endif
