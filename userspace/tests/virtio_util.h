/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host unit tests of virtio devices: a machine (host_vm) with a device on its PCI bus, and a
 * driver made of MMIO accesses to the device's BARs and descriptors written into guest RAM.
 */
#ifndef VMXRUN_TESTS_VIRTIO_UTIL_H
#define VMXRUN_TESTS_VIRTIO_UTIL_H

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "host_vm.h"
#include "virtio/virtio.h"

#define QSIZE		8
#define DESC_GPA	0x100000ULL
#define AVAIL_GPA	0x101000ULL
#define USED_GPA	0x102000ULL
#define BUF_GPA		0x200000ULL
#define TABLE_GPA	0x300000ULL

struct msi_log {
	unsigned int n;
	u32 data[32];
};

static inline u64 bar4(struct virtio_dev *vd)
{
	return pci__bar_addr(&vd->pci, 4);
}

static inline void vw(struct vm *vm, u64 addr, u32 len, u64 val)
{
	u8 d[8];

	le_put(d, len, val);
	bus__access(&vm->mmio, NULL, addr, d, len, true);
}

static inline u64 vr(struct vm *vm, u64 addr, u32 len)
{
	u8 d[8] = { 0 };

	bus__access(&vm->mmio, NULL, addr, d, len, false);
	return le_get(d, len);
}

static inline u8 vstatus(struct virtio_dev *vd)
{
	return (u8)vr(vd->vm, bar4(vd) + 0x14, 1);
}

/* The driver's side of initialisation (virtio 1.2, 3.1.1) with queue 0 of QSIZE entries. */
static inline void driver_init(struct virtio_dev *vd, u64 features)
{
	struct vm *vm = vd->vm;
	u64 b = bar4(vd);

	vw(vm, b + 0x14, 1, 0);
	vw(vm, b + 0x14, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vw(vm, b + 0x08, 4, 0);
	vw(vm, b + 0x0c, 4, (u32)features);
	vw(vm, b + 0x08, 4, 1);
	vw(vm, b + 0x0c, 4, (u32)(features >> 32));
	vw(vm, b + 0x14, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	   VIRTIO_CONFIG_S_FEATURES_OK);
	vw(vm, b + 0x16, 2, 0);
	vw(vm, b + 0x18, 2, QSIZE);
	vw(vm, b + 0x20, 8, DESC_GPA);
	vw(vm, b + 0x28, 8, AVAIL_GPA);
	vw(vm, b + 0x30, 8, USED_GPA);
	vw(vm, b + 0x1c, 2, 1);
	vw(vm, b + 0x14, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

static inline struct vring_desc *desc(struct vm *vm, u64 table, unsigned int i)
{
	return (struct vring_desc *)vm__gpa(vm, table + 16 * i, 16);
}

static inline void set_desc(struct vm *vm, u64 table, unsigned int i, u64 addr, u32 len,
			    u16 flags, u16 next)
{
	*desc(vm, table, i) = (struct vring_desc){ addr, len, flags, next };
}

static inline struct vring_avail *avail(struct vm *vm)
{
	return vm__gpa(vm, AVAIL_GPA, 6 + 2 * QSIZE);
}

static inline struct vring_used *used(struct vm *vm)
{
	return vm__gpa(vm, USED_GPA, 6 + 8 * QSIZE);
}

/* Offer chain head as the next available entry. */
static inline void offer(struct vm *vm, u16 head)
{
	struct vring_avail *a = avail(vm);

	a->ring[a->idx % QSIZE] = head;
	a->idx++;
}

#endif
