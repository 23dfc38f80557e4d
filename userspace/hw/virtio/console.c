// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (virtio 1.2, 5.3), one port, no multiport: the guest's hvc0. What the guest
 * transmits goes to the console backend (the terminal or file:PATH); with --console virtio
 * the backend's input comes here (vcon__input, from the event loop) instead of the UART,
 * through a 4 KiB buffer drained into the receive queue by the device thread.
 */
#include <errno.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../../vm/console.h"
#include "../../vm/vm.h"
#include "devices.h"

#define Q_RX		0
#define Q_TX		1
#define IN_BUF		4096

struct vcon {
	struct virtio_dev vd;
	int in_fd;			/* eventfd: input arrived */
	u8 in[IN_BUF];			/* (lock) input not yet given to the guest */
	size_t in_len;
	struct vq_chain chain;
	u8 out[IN_BUF];
};

static void vcon__rx(struct virtio_dev *vd, int fd, void *opaque)
{
	struct vcon *v = opaque;
	struct vq_chain *c = &v->chain;
	bool any = false;
	u64 cnt;

	if (fd >= 0 && read(fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return;
	virtio__lock(vd);
	while (v->in_len && virtio__pop(vd, Q_RX, c)) {
		size_t n;

		if (c->n_out || !c->n_in) {
			virtio__fail(vd, "receive buffer not writable");
			break;
		}
		n = vq__write(c, 0, v->in, v->in_len);
		memmove(v->in, v->in + n, v->in_len - n);
		v->in_len -= n;
		vq__push(&vd->vq[Q_RX], c->head, (u32)n);
		any = true;
	}
	if (any)
		virtio__notify(vd, Q_RX);
	virtio__unlock(vd);
}

static void vcon__tx(struct vcon *v)
{
	struct virtio_dev *vd = &v->vd;
	struct vq_chain *c = &v->chain;
	bool any = false;

	virtio__lock(vd);
	while (virtio__pop(vd, Q_TX, c)) {
		if (c->n_in) {
			virtio__fail(vd, "transmit buffer writable");
			break;
		}
		for (size_t done = 0; done < c->out_len;) {
			size_t n = vq__read(c, done, v->out, sizeof(v->out));

			if (!n)
				break;
			if (vd->vm->con)
				console__write(vd->vm->con, v->out, n);
			done += n;
		}
		vq__push(&vd->vq[Q_TX], c->head, 0);
		any = true;
	}
	if (any)
		virtio__notify(vd, Q_TX);
	virtio__unlock(vd);
}

static void vcon__kick(struct virtio_dev *vd, unsigned int q)
{
	if (q == Q_TX)
		vcon__tx(vd->priv);
	else
		vcon__rx(vd, -1, vd->priv);
}

size_t vcon__input(struct virtio_dev *vd, const u8 *buf, size_t len)
{
	struct vcon *v = vd->priv;
	u64 one = 1;
	size_t n;

	pthread_mutex_lock(&vd->lock);
	n = MIN(len, IN_BUF - v->in_len);	/* typing ahead of the guest overruns, as on a UART */
	memcpy(v->in + v->in_len, buf, n);
	v->in_len += n;
	pthread_mutex_unlock(&vd->lock);
	if (n && write(v->in_fd, &one, sizeof(one)) < 0)
		perror("vmxrun: virtio-console");
	return n;
}

static void vcon__reset(struct virtio_dev *vd)
{
	(void)vd;			/* unread input stays for the next driver */
}

static void vcon__free(struct virtio_dev *vd)
{
	struct vcon *v = vd->priv;

	virtio__exit(vd);
	if (v->in_fd >= 0)
		close(v->in_fd);
	free(v);
}

static const struct virtio_dev_ops vcon_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.class_code = 0x078000,		/* simple communication controller, as QEMU's */
	.kick = vcon__kick,
	.reset = vcon__reset,
	.free = vcon__free,
};

struct virtio_dev *vcon__new(struct vm *vm, char *msg, size_t msglen)
{
	struct vcon *v = calloc(1, sizeof(*v));
	struct virtio_console_config cfg = { .cols = 80, .rows = 25, .max_nr_ports = 1 };

	if (!v) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return NULL;
	}
	v->vd.priv = v;
	v->in_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->in_fd < 0 ||
	    virtio__init(&v->vd, vm, &vcon_ops, 2, 0, sizeof(cfg), msg, msglen))
		goto fail;
	memcpy(v->vd.config, &cfg, sizeof(cfg));
	if (virtio__watch(&v->vd, v->in_fd, vcon__rx, v) || virtio__start_thread(&v->vd)) {
		snprintf(msg, msglen, "vmxrun: virtio-console: cannot start its thread");
		goto fail;
	}
	return &v->vd;
fail:
	vcon__free(&v->vd);
	return NULL;
}
