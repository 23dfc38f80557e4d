// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "../vm/vm.h"
#include "queue.h"

/* The guest's rings are shared memory it may change at any time: load and store through these. */
static inline u16 ld16(const void *p)
{
	return __atomic_load_n((const u16 *)p, __ATOMIC_ACQUIRE);
}

static inline void st16(void *p, u16 v)
{
	__atomic_store_n((u16 *)p, v, __ATOMIC_RELEASE);
}

int vq__enable(struct virtq *q)
{
	u64 n = q->size;

	if (!n || n > VQ_MAX_SIZE || (n & (n - 1)) || q->desc_gpa % 16 || q->avail_gpa % 2 ||
	    q->used_gpa % 4)
		return -EINVAL;
	q->desc = vm__gpa(q->vm, q->desc_gpa, 16 * n);
	q->avail = vm__gpa(q->vm, q->avail_gpa, 6 + 2 * n);
	q->used = vm__gpa(q->vm, q->used_gpa, 6 + 8 * n);
	if (!q->desc || !q->avail || !q->used) {
		vq__disable(q);
		return -EINVAL;
	}
	q->last_avail = q->used_idx = ld16(&q->used->idx);
	q->signalled_valid = false;
	q->ready = true;
	return 0;
}

void vq__disable(struct virtq *q)
{
	q->ready = false;
	q->desc = NULL;
	q->avail = NULL;
	q->used = NULL;
	q->last_avail = q->used_idx = 0;
	q->signalled_valid = false;
}

/* One descriptor, read once (the copy is what we check and use). */
static struct vring_desc vq__desc(const struct vring_desc *table, u32 i)
{
	struct vring_desc d;

	memcpy(&d, (const void *)&table[i], sizeof(d));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return d;
}

/* Add buffer d to the chain; 0 or -EINVAL with *why. */
static int vq__add_buf(struct virtq *q, struct vq_chain *c, const struct vring_desc *d,
		       const char **why)
{
	bool write = d->flags & VRING_DESC_F_WRITE;
	unsigned int i = c->n_out + c->n_in;
	void *p;

	if (!d->len) {
		*why = "zero-length buffer";
		return -EINVAL;
	}
	if (i >= VQ_MAX_SEGS) {
		*why = "chain too long";
		return -EINVAL;
	}
	if (!write && c->n_in) {
		*why = "readable buffer after a writable one";
		return -EINVAL;
	}
	p = vm__gpa(q->vm, d->addr, d->len);
	if (!p) {
		*why = "buffer outside guest RAM";
		return -EINVAL;
	}
	c->iov[i] = (struct iovec){ p, d->len };
	if (write) {
		c->n_in++;
		c->in_len += d->len;
	} else {
		c->n_out++;
		c->out_len += d->len;
	}
	return 0;
}

/* The buffers of an indirect table (VIRTIO 1.2, 2.7.5.3). */
static int vq__indirect(struct virtq *q, struct vq_chain *c, const struct vring_desc *d,
			const char **why)
{
	const struct vring_desc *table;
	u32 n = d->len / 16, i = 0;

	if (!q->indirect || d->flags & VRING_DESC_F_NEXT || !d->len || d->len % 16 ||
	    n > VQ_MAX_SEGS) {
		*why = !q->indirect ? "indirect descriptor not negotiated" :
		       d->flags & VRING_DESC_F_NEXT ? "indirect descriptor with NEXT" :
		       "bad indirect table length";
		return -EINVAL;
	}
	table = vm__gpa(q->vm, d->addr, d->len);
	if (!table) {
		*why = "indirect table outside guest RAM";
		return -EINVAL;
	}
	for (u32 seen = 0;; seen++) {
		struct vring_desc e = vq__desc(table, i);

		if (seen >= n) {
			*why = "loop in an indirect table";
			return -EINVAL;
		}
		if (e.flags & VRING_DESC_F_INDIRECT) {
			*why = "nested indirect table";
			return -EINVAL;
		}
		if (vq__add_buf(q, c, &e, why))
			return -EINVAL;
		if (!(e.flags & VRING_DESC_F_NEXT))
			return 0;
		i = e.next;
		if (i >= n) {
			*why = "indirect next index out of the table";
			return -EINVAL;
		}
	}
}

bool vq__has_avail(struct virtq *q)
{
	return q->ready && ld16(&q->avail->idx) != q->last_avail;
}

/* Ask for a notification when the driver adds past what we took (EVENT_IDX). */
static void vq__set_avail_event(struct virtq *q)
{
	st16(&q->used->ring[q->size], q->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int vq__pop(struct virtq *q, struct vq_chain *c, const char **why)
{
	u16 avail_idx, head;
	u32 i;

	if (!q->ready)
		return 0;
	avail_idx = ld16(&q->avail->idx);
	if (avail_idx == q->last_avail && q->event_idx) {
		vq__set_avail_event(q);
		avail_idx = ld16(&q->avail->idx);
	}
	if (avail_idx == q->last_avail)
		return 0;
	if ((u16)(avail_idx - q->last_avail) > q->size) {
		*why = "available index moved beyond the ring size";
		return -EINVAL;
	}
	head = ld16(&q->avail->ring[q->last_avail & (q->size - 1)]);
	if (head >= q->size) {
		*why = "head index out of the ring";
		return -EINVAL;
	}
	c->head = head;
	c->n_out = c->n_in = 0;
	c->out_len = c->in_len = 0;
	i = head;
	for (u32 seen = 0;; seen++) {
		struct vring_desc d;

		if (seen >= q->size) {
			*why = "loop in a descriptor chain";
			return -EINVAL;
		}
		d = vq__desc(q->desc, i);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (vq__indirect(q, c, &d, why))
				return -EINVAL;
		} else if (vq__add_buf(q, c, &d, why)) {
			return -EINVAL;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= q->size) {
			*why = "next index out of the ring";
			return -EINVAL;
		}
	}
	q->last_avail++;
	if (q->event_idx)
		vq__set_avail_event(q);
	return 1;
}

void vq__unpop(struct virtq *q)
{
	q->last_avail--;
}

void vq__push(struct virtq *q, u16 head, u32 written)
{
	vring_used_elem_t *e;

	if (!q->ready)
		return;
	e = &q->used->ring[q->used_idx & (q->size - 1)];
	__atomic_store_n(&e->id, (u32)head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, written, __ATOMIC_RELAXED);
	st16(&q->used->idx, ++q->used_idx);
}

bool vq__need_interrupt(struct virtq *q)
{
	u16 old = q->signalled_used, now = q->used_idx;
	bool valid = q->signalled_valid;

	if (!q->ready)
		return false;
	/* Our used->idx store before the driver's flags/used_event load (virtio 1.2, 2.7.10). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(ld16(&q->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	q->signalled_used = now;
	q->signalled_valid = true;
	return !valid || vring_need_event(ld16(&q->avail->ring[q->size]), now, old);
}

size_t vq__read(const struct vq_chain *c, size_t skip, void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < c->n_out && done < len; i++) {
		size_t l = c->iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l = MIN(l - skip, len - done);
		memcpy((u8 *)buf + done, (u8 *)c->iov[i].iov_base + skip, l);
		done += l;
		skip = 0;
	}
	return done;
}

size_t vq__write(const struct vq_chain *c, size_t skip, const void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned int i = c->n_out; i < c->n_out + c->n_in && done < len; i++) {
		size_t l = c->iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l = MIN(l - skip, len - done);
		memcpy((u8 *)c->iov[i].iov_base + skip, (const u8 *)buf + done, l);
		done += l;
		skip = 0;
	}
	return done;
}
