// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (virtio 1.2, 5.1) on a tap device: /dev/net/tun with IFF_VNET_HDR, the 12-byte
 * virtio_net_hdr_v1 passed through as the tap's vnet header. One receive and one transmit
 * queue, MAC and link status; no offloads (none offered to the guest, none enabled on the
 * tap), so every frame is a plain Ethernet frame of at most 1514 bytes both ways. RX and TX
 * run on the device's thread: TX on the transmit queue's kick, RX when the tap has a frame
 * and the guest has posted buffers (the tap fd is watched only while it has).
 * vhost=on hands the queues to /dev/vhost-net instead (hw/virtio/vhost_net.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../../vm/vm.h"
#include "devices.h"
#include "vhost_net.h"

#define Q_RX		0
#define Q_TX		1
#define VNET_HDR_LEN	((int)sizeof(struct virtio_net_hdr_v1))

struct net {
	struct virtio_dev vd;
	struct net_opts o;
	int tap;
	int vhost;			/* /dev/vhost-net with vhost=on, else -1 */
	bool vhost_running;		/* (lock) vhost has the queues */
	char ifname[IFNAMSIZ];
	bool rx_watched;		/* (lock) the tap fd is in the thread's epoll set */
	struct vq_chain chain;		/* (lock) scratch */
	u64 rx_frames, tx_frames, rx_dropped;
};

static int parse_mac(const char *s, u8 *mac)
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (u8)b[i];
	return mac[0] & 1 ? -1 : 0;		/* a multicast address is no station's */
}

int net__parse(const char *spec, struct net_opts *o, char *err, size_t errlen)
{
	char *s = strdup(spec), *save = NULL, *w;
	int r = 0;

	memset(o, 0, sizeof(*o));
	if (!s)
		return -1;
	w = strtok_r(s, ",", &save);
	if (!w || strcmp(w, "tap")) {
		snprintf(err, errlen, "vmxrun: --net %s: only tap networking exists (--net tap[,ifname=NAME][,mac=MAC][,vhost=on|off])",
			 spec);
		free(s);
		return -1;
	}
	while ((w = strtok_r(NULL, ",", &save)) && !r) {
		if (!strncmp(w, "ifname=", 7) && w[7] && strlen(w + 7) < IFNAMSIZ) {
			snprintf(o->ifname, sizeof(o->ifname), "%s", w + 7);
		} else if (!strncmp(w, "mac=", 4) && !parse_mac(w + 4, o->mac)) {
			o->mac_set = true;
		} else if (!strcmp(w, "vhost=on") || !strcmp(w, "vhost=off")) {
			o->vhost = !strcmp(w, "vhost=on");
		} else {
			snprintf(err, errlen, "vmxrun: --net %s: '%s' is not ifname=NAME (at most %d characters), mac=XX:XX:XX:XX:XX:XX (unicast) or vhost=on|off",
				 spec, w, IFNAMSIZ - 1);
			r = -1;
		}
	}
	free(s);
	return r;
}

static void net__rx_watch(struct net *n, bool on)
{
	if (n->rx_watched != on)
		virtio__watch_enable(&n->vd, n->tap, on);
	n->rx_watched = on;
}

/* Frames from the tap into the guest's receive buffers (device thread). */
static void net__rx(struct virtio_dev *vd, int fd, void *opaque)
{
	struct net *n = opaque;
	struct vq_chain *c = &n->chain;
	bool any = false;

	(void)fd;
	virtio__lock(vd);
	for (;;) {
		u16 one = 1;
		ssize_t r;

		if (!virtio__pop(vd, Q_RX, c)) {
			net__rx_watch(n, false);	/* until the guest posts buffers */
			break;
		}
		if (c->n_out || c->in_len < (u64)VNET_HDR_LEN) {
			virtio__fail(vd, "receive buffer not writable or shorter than its header");
			break;
		}
		r = readv(n->tap, &c->iov[0], (int)c->n_in);
		if (r < VNET_HDR_LEN) {
			vq__unpop(&vd->vq[Q_RX]);
			if (r >= 0)
				n->rx_dropped++;
			break;
		}
		/* The tap leaves num_buffers alone: one buffer per frame without MRG_RXBUF. */
		vq__write(c, offsetof(struct virtio_net_hdr_v1, num_buffers), &one, sizeof(one));
		vq__push(&vd->vq[Q_RX], c->head, (u32)r);
		n->rx_frames++;
		any = true;
	}
	if (any)
		virtio__notify(vd, Q_RX);
	virtio__unlock(vd);
}

static void net__tx(struct net *n)
{
	struct virtio_dev *vd = &n->vd;
	struct vq_chain *c = &n->chain;
	bool any = false;

	virtio__lock(vd);
	while (virtio__pop(vd, Q_TX, c)) {
		if (c->n_in || c->out_len < (u64)VNET_HDR_LEN) {
			virtio__fail(vd, "transmit buffer writable or shorter than its header");
			break;
		}
		/* A full tap queue or a malformed frame drops it, as a wire would. */
		if (writev(n->tap, c->iov, (int)c->n_out) >= 0)
			n->tx_frames++;
		vq__push(&vd->vq[Q_TX], c->head, 0);
		any = true;
	}
	if (any)
		virtio__notify(vd, Q_TX);
	virtio__unlock(vd);
}

static void net__kick(struct virtio_dev *vd, unsigned int q)
{
	struct net *n = vd->priv;

	if (q == Q_TX) {
		net__tx(n);
		return;
	}
	virtio__lock(vd);
	net__rx_watch(n, true);			/* new buffers: look at the tap again */
	virtio__unlock(vd);
}

static void net__start(struct virtio_dev *vd)
{
	struct net *n = vd->priv;

	if (n->vhost >= 0) {
		if (vhost_net__start(vd, n->vhost, n->tap))
			virtio__fail(vd, "vhost-net cannot take the queues");
		else
			n->vhost_running = true;
		return;
	}
	net__rx_watch(n, true);
}

static void net__reset(struct virtio_dev *vd)
{
	struct net *n = vd->priv;

	if (n && n->vhost_running) {
		vhost_net__stop(vd, n->vhost);
		n->vhost_running = false;
	}
	if (n && n->tap >= 0)
		net__rx_watch(n, false);
}

static void net__free(struct virtio_dev *vd)
{
	struct net *n = vd->priv;

	virtio__exit(vd);
	if (n->vhost >= 0)
		close(n->vhost);
	if (n->tap >= 0)
		close(n->tap);
	free(n);
}

static const struct virtio_dev_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.class_code = 0x020000,
	.kick = net__kick,
	.start = net__start,
	.reset = net__reset,
	.free = net__free,
};

/* The tap device, with the 12-byte vnet header and no offloads. 0 or -1 with *msg. */
static int net__tap(struct net *n, char *msg, size_t msglen)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = VNET_HDR_LEN;

	n->tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (n->tap < 0) {
		snprintf(msg, msglen, "vmxrun: --net tap: /dev/net/tun: %s%s", strerror(errno),
			 errno == ENOENT ? " (load the tun module: modprobe tun)" : "");
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", n->o.ifname);
	if (ioctl(n->tap, TUNSETIFF, &ifr)) {
		snprintf(msg, msglen, "vmxrun: --net tap%s%s: TUNSETIFF: %s%s",
			 n->o.ifname[0] ? ",ifname=" : "", n->o.ifname, strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_ADMIN, or a tap made for this user: ip tuntap add ... user USER)" :
			 errno == EBUSY ? " (the tap is in use by another process)" : "");
		return -1;
	}
	snprintf(n->ifname, sizeof(n->ifname), "%s", ifr.ifr_name);
	if (ioctl(n->tap, TUNSETVNETHDRSZ, &hdr) || ioctl(n->tap, TUNSETOFFLOAD, 0UL)) {
		snprintf(msg, msglen, "vmxrun: --net tap: %s: vnet header setup: %s", n->ifname,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct virtio_dev *net__new(struct vm *vm, const struct net_opts *o, unsigned int index,
			    char *msg, size_t msglen)
{
	struct net *n = calloc(1, sizeof(*n));
	struct virtio_net_config cfg = { .status = VIRTIO_NET_S_LINK_UP };
	u64 features = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS;

	if (!n) {
		snprintf(msg, msglen, "vmxrun: out of memory");
		return NULL;
	}
	n->o = *o;
	n->tap = -1;
	n->vhost = -1;
	n->vd.priv = n;
	if (!o->mac_set) {		/* QEMU's locally administered prefix */
		static const u8 def[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

		memcpy(n->o.mac, def, 6);
		n->o.mac[5] = (u8)(def[5] + index);
	}
	memcpy(cfg.mac, n->o.mac, 6);
	if (net__tap(n, msg, msglen))
		goto fail;
	if (o->vhost && (n->vhost = vhost_net__open(msg, msglen)) < 0)
		goto fail;
	if (virtio__init(&n->vd, vm, &net_ops, 2, features, sizeof(cfg), msg, msglen))
		goto fail;
	memcpy(n->vd.config, &cfg, sizeof(cfg));
	if (virtio__watch(&n->vd, n->tap, net__rx, n) || virtio__start_thread(&n->vd)) {
		snprintf(msg, msglen, "vmxrun: virtio-net: cannot start its thread");
		goto fail;
	}
	virtio__watch_enable(&n->vd, n->tap, false);
	fprintf(stderr, "vmxrun: virtio-net %02x:%02x:%02x:%02x:%02x:%02x on %s%s\n", n->o.mac[0],
		n->o.mac[1], n->o.mac[2], n->o.mac[3], n->o.mac[4], n->o.mac[5], n->ifname,
		n->vhost >= 0 ? " (vhost-net)" : "");
	return &n->vd;
fail:
	net__free(&n->vd);
	return NULL;
}
