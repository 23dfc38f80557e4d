/* SPDX-License-Identifier: GPL-2.0 */
/* vhost-net for virtio-net (hw/virtio/vhost_net.c). */
#ifndef VMXRUN_HW_VIRTIO_VHOST_NET_H
#define VMXRUN_HW_VIRTIO_VHOST_NET_H

#include "devices.h"

/* /dev/vhost-net, owned by us: its fd, or -1 with *msg. */
int vhost_net__open(char *msg, size_t msglen);
/* DRIVER_OK (lock held): hand the enabled queues to vhost on tap. 0 or -1 (logged). */
int vhost_net__start(struct virtio_dev *vd, int vfd, int tap);
/* Reset (lock held): take them back. */
void vhost_net__stop(struct virtio_dev *vd, int vfd);

#endif
