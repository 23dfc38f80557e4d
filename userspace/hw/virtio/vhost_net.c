// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-net: virtio-net's queues handed to the host kernel (/dev/vhost-net), which then
 * moves frames between the rings and the tap with no launcher involvement. It is given the
 * guest's memory table, each queue's rings (host addresses), its kick eventfd (the ioeventfd
 * on the notify address) and a call eventfd (the irqfd of the queue's MSI-X vector). So it
 * needs KVM_IOEVENTFD and KVM_IRQFD (checked before the device is made) and MSI-X; the
 * device thread stops watching the kicks while vhost runs. MSI-X masking holds: while a
 * vector is masked its irqfd is deassigned from the VM, so vhost's signals become its
 * pending bit and go to the guest on unmask (pci/msix.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../pci/msix.h"
#include "../../vm/vm.h"
#include "vhost_net.h"

int vhost_net__open(char *msg, size_t msglen)
{
	int fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(msg, msglen, "vmxrun: --net ...,vhost=on: /dev/vhost-net: %s%s",
			 strerror(errno), errno == ENOENT ? " (load vhost_net: modprobe vhost_net)" : "");
		return -1;
	}
	if (ioctl(fd, VHOST_SET_OWNER)) {
		snprintf(msg, msglen, "vmxrun: --net ...,vhost=on: VHOST_SET_OWNER: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int vhost__fail(struct virtio_dev *vd, const char *what)
{
	fprintf(stderr, "vmxrun: %s: vhost-net: %s: %s\r\n", vd->ops->name, what, strerror(errno));
	return -1;
}

int vhost_net__start(struct virtio_dev *vd, int vfd, int tap)
{
	struct vm *vm = vd->vm;
	union {
		struct vhost_memory m;
		u8 buf[sizeof(struct vhost_memory) + 2 * sizeof(struct vhost_memory_region)];
	} mem = { 0 };
	u64 features, want;

	if (ioctl(vfd, VHOST_GET_FEATURES, &features))
		return vhost__fail(vd, "VHOST_GET_FEATURES");
	want = vd->guest_features & features & (1ULL << VIRTIO_F_VERSION_1 |
		1ULL << VIRTIO_RING_F_EVENT_IDX | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	if (ioctl(vfd, VHOST_SET_FEATURES, &want))
		return vhost__fail(vd, "VHOST_SET_FEATURES");
	mem.m.regions[mem.m.nregions++] = (struct vhost_memory_region){
		.guest_phys_addr = 0, .memory_size = vm->low_size,
		.userspace_addr = (u64)(uintptr_t)vm->ram };
	if (vm->ram_size > vm->low_size)
		mem.m.regions[mem.m.nregions++] = (struct vhost_memory_region){
			.guest_phys_addr = HIGH_MEM_START, .memory_size = vm->ram_size - vm->low_size,
			.userspace_addr = (u64)(uintptr_t)(vm->ram + vm->low_size) };
	if (ioctl(vfd, VHOST_SET_MEM_TABLE, &mem.m))
		return vhost__fail(vd, "VHOST_SET_MEM_TABLE");
	for (unsigned int i = 0; i < vd->nr_queues; i++) {
		struct virtq *q = &vd->vq[i];
		struct vhost_vring_state num = { i, q->size }, base = { i, q->last_avail };
		struct vhost_vring_addr addr = {
			.index = i, .desc_user_addr = (u64)(uintptr_t)q->desc,
			.avail_user_addr = (u64)(uintptr_t)q->avail,
			.used_user_addr = (u64)(uintptr_t)q->used,
		};
		struct vhost_vring_file kick = { i, q->kick_fd }, call = { i, -1 }, be = { i, tap };

		if (!q->ready)
			continue;
		call.fd = msix__vector_irqfd(vd->pci.msix, q->msix_vector);
		if (call.fd < 0) {
			fprintf(stderr, "vmxrun: %s: vhost-net: queue %u has no MSI-X vector with an irqfd\r\n",
				vd->ops->name, i);
			return -1;
		}
		virtio__kick_watch(vd, i, false);	/* the kicks are vhost's now */
		if (ioctl(vfd, VHOST_SET_VRING_NUM, &num) || ioctl(vfd, VHOST_SET_VRING_BASE, &base) ||
		    ioctl(vfd, VHOST_SET_VRING_ADDR, &addr) || ioctl(vfd, VHOST_SET_VRING_KICK, &kick) ||
		    ioctl(vfd, VHOST_SET_VRING_CALL, &call) || ioctl(vfd, VHOST_NET_SET_BACKEND, &be))
			return vhost__fail(vd, "setting up a queue");
	}
	return 0;
}

void vhost_net__stop(struct virtio_dev *vd, int vfd)
{
	for (unsigned int i = 0; i < vd->nr_queues; i++) {
		struct vhost_vring_file be = { i, -1 };

		ioctl(vfd, VHOST_NET_SET_BACKEND, &be);
		virtio__kick_watch(vd, i, true);
	}
}
