// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng (virtio 1.2, 5.4): one request queue; each chain's writable buffers are filled
 * from the host's getrandom(). A chain with nothing to write to is a driver error.
 */
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "../../vm/vm.h"
#include "devices.h"

#define RNG_MAX_PER_REQUEST	(64 * 1024)

struct rng {
	struct virtio_dev vd;
	struct vq_chain chain;
};

static void rng__kick(struct virtio_dev *vd, unsigned int q)
{
	struct rng *r = vd->priv;
	struct vq_chain *c = &r->chain;

	virtio__lock(vd);
	while (virtio__pop(vd, q, c)) {
		size_t done = 0, want = MIN(c->in_len, RNG_MAX_PER_REQUEST);

		if (c->n_out || !c->n_in) {
			virtio__fail(vd, "request without a writable buffer");
			break;
		}
		for (unsigned int i = 0; i < c->n_in && done < want; i++) {
			struct iovec *v = &c->iov[c->n_out + i];
			size_t len = MIN(v->iov_len, want - done);
			ssize_t n = getrandom(v->iov_base, len, 0);

			if (n <= 0)
				break;
			done += (size_t)n;
			if ((size_t)n < len)
				break;
		}
		virtio__complete(vd, q, c->head, (u32)done);
	}
	virtio__unlock(vd);
}

static const struct virtio_dev_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.class_code = 0x00ff00,
	.kick = rng__kick,
	.free = rng__free,
};

struct virtio_dev *rng__new(struct vm *vm, char *msg, size_t msglen)
{
	struct rng *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(msg, msglen, "vmxrun: virtio-rng: out of memory");
		return NULL;
	}
	r->vd.priv = r;
	if (virtio__init(&r->vd, vm, &rng_ops, 1, 0, 0, msg, msglen) ||
	    virtio__start_thread(&r->vd)) {
		rng__free(&r->vd);
		return NULL;
	}
	return &r->vd;
}

void rng__free(struct virtio_dev *vd)
{
	virtio__exit(vd);
	free(vd->priv);
}
