// SPDX-License-Identifier: GPL-2.0
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

#include "../../options.h"
#include "../../vm/vm.h"
#include "devices.h"

static int add(struct vm *vm, struct virtio_dev *vd)
{
	if (!vd)
		return -1;
	vm->virtio[vm->nr_virtio++] = vd;
	return 0;
}

int virtio_devices__create(struct vm *vm, const struct vmxrun_opts *o, char *msg, size_t msglen)
{
	for (unsigned int i = 0; i < o->nr_disks; i++) {
		struct blk_opts b;

		if (blk__parse(o->disks[i], &b, msg, msglen) ||
		    add(vm, blk__new(vm, &b, msg, msglen)))
			return -1;
	}
	for (unsigned int i = 0; i < o->nr_nets; i++) {
		struct net_opts n;

		if (net__parse(o->nets[i], &n, msg, msglen))
			return -1;
		if (n.vhost && o->no_ioeventfd) {
			snprintf(msg, msglen, "vmxrun: --net %s: vhost-net needs KVM_IOEVENTFD and KVM_IRQFD, which --no-ioeventfd turns off (use vhost=off)",
				 o->nets[i]);
			return -1;
		}
		if (n.vhost && (!vm->cap_ioeventfd || !vm->cap_irqfd)) {
			snprintf(msg, msglen, "vmxrun: --net %s: vhost-net needs %s%s%s, which %s does not offer (use vhost=off)",
				 o->nets[i], vm->cap_ioeventfd ? "" : "KVM_CAP_IOEVENTFD",
				 !vm->cap_ioeventfd && !vm->cap_irqfd ? " and " : "",
				 vm->cap_irqfd ? "" : "KVM_CAP_IRQFD",
				 vm->hv ? vm->hv->path : "the device");
			return -1;
		}
		if (add(vm, net__new(vm, &n, i, msg, msglen)))
			return -1;
	}
	if (o->rng && add(vm, rng__new(vm, msg, msglen)))
		return -1;
	if (o->balloon) {
		struct balloon_opts b;

		if (balloon__parse(o->balloon_spec, &b, msg, msglen) ||
		    add(vm, balloon__new(vm, &b, msg, msglen)))
			return -1;
	}
	if (o->console && !strcmp(o->console, "virtio")) {
		if (add(vm, vcon__new(vm, msg, msglen)))
			return -1;
		vm->vcon = vm->virtio[vm->nr_virtio - 1];
	}
	return 0;
}

int virtio_devices__attach(struct vm *vm, char *msg, size_t msglen)
{
	(void)msg, (void)msglen;
	for (unsigned int i = 0; i < vm->nr_virtio; i++)
		virtio__attach(vm->virtio[i]);
	return 0;
}

int virtio_devices__init(struct vm *vm)
{
	(void)vm;			/* made from the options by virtio_devices__create() */
	return 0;
}

void virtio_devices__reset(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_virtio; i++)
		virtio__reset(vm->virtio[i]);
	if (vm->pci)
		pci__intx_update(vm);
}

void virtio_devices__exit(struct vm *vm)
{
	while (vm->nr_virtio) {
		struct virtio_dev *vd = vm->virtio[--vm->nr_virtio];

		vd->ops->free(vd);
	}
	vm->vcon = NULL;
}
