// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio PCI transport, modern only (virtio 1.2, 4.1): vendor 0x1af4, device 0x1040 +
 * the virtio device ID, revision 1. BAR 4 (64-bit, prefetchable, 16 KiB) holds the common
 * configuration at 0x0000, the ISR at 0x1000, the device configuration at 0x2000 and the
 * notification addresses at 0x3000 (queue n at 0x3000 + 4n); BAR 1 holds the MSI-X table
 * and PBA. Accesses that do not match a register (offset or width) are ignored.
 */
#include <errno.h>
#include <linux/kvm.h>
#define VIRTIO_PCI_NO_LEGACY
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../pci/msix.h"
#include "../vm/vm.h"
#include "virtio.h"

#define VENDOR_REDHAT		0x1af4
#define DEVICE_MODERN_BASE	0x1040
#define BAR_MSIX		1
#define BAR_VIRTIO		4
#define BAR_VIRTIO_SIZE		0x4000
#define OFF_COMMON		0x0000
#define OFF_ISR			0x1000
#define OFF_DEVICE		0x2000
#define OFF_NOTIFY		0x3000
#define COMMON_LEN		0x38
#define NOTIFY_MULT		4

static u64 common_read(struct virtio_dev *vd, u32 off)
{
	struct virtq *q = vd->queue_select < vd->nr_queues ? &vd->vq[vd->queue_select] : NULL;

	switch (off) {
	case 0x00: return vd->dfselect;
	case 0x04: return vd->dfselect < 2 ? (u32)(vd->host_features >> (32 * vd->dfselect)) : 0;
	case 0x08: return vd->gfselect;
	case 0x0c: return vd->gfselect < 2 ? (u32)(vd->guest_features >> (32 * vd->gfselect)) : 0;
	case 0x10: return vd->msix_config;
	case 0x12: return vd->nr_queues;
	case 0x14: return vd->status;
	case 0x15: return vd->config_generation;
	case 0x16: return vd->queue_select;
	case 0x18: return q ? q->size : 0;
	case 0x1a: return q ? q->msix_vector : MSIX_NO_VECTOR;
	case 0x1c: return q ? q->ready : 0;
	case 0x1e: return q ? vd->queue_select : 0;
	case 0x20: return q ? q->desc_gpa : 0;
	case 0x28: return q ? q->avail_gpa : 0;
	case 0x30: return q ? q->used_gpa : 0;
	}
	return 0;
}

/* The width of the common-config register at off (64-bit ones may be split in two). */
static u32 common_width(u32 off)
{
	static const u8 w[COMMON_LEN] = {
		[0x00] = 4, [0x04] = 4, [0x08] = 4, [0x0c] = 4, [0x10] = 2, [0x12] = 2,
		[0x14] = 1, [0x15] = 1, [0x16] = 2, [0x18] = 2, [0x1a] = 2, [0x1c] = 2,
		[0x1e] = 2, [0x20] = 8, [0x28] = 8, [0x30] = 8,
	};

	return off < COMMON_LEN ? w[off] : 0;
}

static u16 vector_or_none(struct virtio_dev *vd, u16 v)
{
	return v < msix__nr(vd->pci.msix) ? v : MSIX_NO_VECTOR;
}

void virtio_pci__reset_state(struct virtio_dev *vd)
{
	if (vd->ops->reset)
		vd->ops->reset(vd);
	for (unsigned int i = 0; i < vd->nr_queues; i++) {
		struct virtq *q = &vd->vq[i];

		vq__disable(q);
		q->size = VQ_MAX_SIZE;
		q->msix_vector = MSIX_NO_VECTOR;
		q->desc_gpa = q->avail_gpa = q->used_gpa = 0;
		q->event_idx = q->indirect = false;
	}
	vd->guest_features = 0;
	vd->dfselect = vd->gfselect = 0;
	vd->queue_select = 0;
	vd->msix_config = MSIX_NO_VECTOR;
	vd->status = 0;
	vd->isr = 0;
	vd->intx_changed |= pci__intx_store(&vd->pci, false);
}

static void status_write(struct virtio_dev *vd, u8 val)
{
	u8 old = vd->status;

	if (!val) {
		virtio_pci__reset_state(vd);
		return;
	}
	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/* Only what we offered, and version 1: else FEATURES_OK does not stick. */
		if ((vd->guest_features & ~vd->host_features) ||
		    !virtio__has(vd, VIRTIO_F_VERSION_1)) {
			val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		} else {
			for (unsigned int i = 0; i < vd->nr_queues; i++) {
				vd->vq[i].event_idx = virtio__has(vd, VIRTIO_RING_F_EVENT_IDX);
				vd->vq[i].indirect = virtio__has(vd, VIRTIO_RING_F_INDIRECT_DESC);
			}
		}
	}
	vd->status = val | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
	if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    vd->ops->start && !(vd->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		vd->ops->start(vd);
}

static void queue_addr_write(struct virtq *q, u64 *field, u32 off, u32 len, u64 val)
{
	if (q->ready)
		return;
	if (len == 8)
		*field = val;
	else if (off & 4)
		*field = (*field & 0xffffffffULL) | val << 32;
	else
		*field = (*field & ~0xffffffffULL) | (u32)val;
}

static void common_write(struct virtio_dev *vd, u32 off, u32 len, u64 val)
{
	struct virtq *q = vd->queue_select < vd->nr_queues ? &vd->vq[vd->queue_select] : NULL;
	u32 base = off & ~7u;
	bool features_fixed = vd->status & VIRTIO_CONFIG_S_FEATURES_OK;

	if (off >= 0x20 && off < COMMON_LEN) {
		if (!q || (len != 4 && len != 8) || off % len)
			return;
		queue_addr_write(q, base == 0x20 ? &q->desc_gpa : base == 0x28 ? &q->avail_gpa :
				 &q->used_gpa, off, len, val);
		return;
	}
	if (common_width(off) != len)
		return;
	switch (off) {
	case 0x00: vd->dfselect = (u32)val; break;
	case 0x08: vd->gfselect = (u32)val; break;
	case 0x0c:
		if (vd->gfselect < 2 && !features_fixed) {
			u32 sh = 32 * vd->gfselect;

			vd->guest_features = (vd->guest_features & ~(0xffffffffULL << sh)) |
					     (val & 0xffffffffULL) << sh;
		}
		break;
	case 0x10: vd->msix_config = vector_or_none(vd, (u16)val); break;
	case 0x14: status_write(vd, (u8)val); break;
	case 0x16: vd->queue_select = (u16)val; break;
	case 0x18:
		if (q && !q->ready)
			q->size = (u16)val;
		break;
	case 0x1a:
		if (q)
			q->msix_vector = vector_or_none(vd, (u16)val);
		break;
	case 0x1c:
		if (q && val == 1 && !q->ready && vq__enable(q))
			virtio__fail(vd, "queue %u: size %u or rings %#llx/%#llx/%#llx not valid",
				     vd->queue_select, q->size, (unsigned long long)q->desc_gpa,
				     (unsigned long long)q->avail_gpa,
				     (unsigned long long)q->used_gpa);
		break;
	}
}

/* One access to BAR 4, lock held. */
static void bar4_locked(struct virtio_dev *vd, u64 off, u8 *data, u32 len, bool is_write)
{
	if (!is_write)
		memset(data, 0, len);
	if (off < OFF_COMMON + COMMON_LEN) {
		u32 o = (u32)off, w = common_width(o & ~7u) == 8 ? 8 : common_width(o);

		if (is_write) {
			common_write(vd, o, len, le_get(data, len));
		} else if (w == len || (w == 8 && len == 4 && !(o & 3))) {
			u32 field = w == 8 ? o & ~7u : o;

			le_put(data, len, common_read(vd, field) >> (8 * (o - field)));
		}
	} else if (off == OFF_ISR && len == 1) {
		if (!is_write) {
			data[0] = vd->isr;
			vd->isr = 0;			/* reading clears it (4.1.4.5) */
			vd->intx_changed |= pci__intx_store(&vd->pci, false);
		}
	} else if (off >= OFF_DEVICE && off < OFF_DEVICE + vd->config_len) {
		u32 o = (u32)(off - OFF_DEVICE), n = MIN(len, vd->config_len - o);

		if (!is_write) {
			memcpy(data, vd->config + o, n);
		} else if (vd->ops->config_write) {
			memcpy(vd->config + o, data, n);
			vd->ops->config_write(vd, o, n);
		}
	} else if (off >= OFF_NOTIFY && off < OFF_NOTIFY + (u64)NOTIFY_MULT * vd->nr_queues) {
		u64 one = 1;
		unsigned int q = (unsigned int)(off - OFF_NOTIFY) / NOTIFY_MULT;

		if (is_write && write(vd->vq[q].kick_fd, &one, sizeof(one)) < 0)
			perror("vmxrun: virtio kick");
	}
}

static void bar4_io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		    void *opaque)
{
	struct virtio_dev *vd = opaque;

	(void)vcpu;
	virtio__lock(vd);
	bar4_locked(vd, off, data, len, is_write);
	virtio__unlock(vd);
}

/* The PCI_CFG capability's data window: an access to the BAR its fields select. */
static bool cfg_hook(struct pci_dev *d, u32 off, void *data, u32 len, bool is_write)
{
	struct virtio_dev *vd = d->priv;
	u32 c = vd->cfg_cap, bar_off = (u32)le_get(d->cfg + c + 8, 4);
	u32 blen = (u32)le_get(d->cfg + c + 12, 4);

	if (off < c + 16 || off >= c + 20)
		return false;
	if (off != c + 16 || len != blen || d->cfg[c + 4] != BAR_VIRTIO ||
	    (u64)bar_off + len > BAR_VIRTIO_SIZE) {
		if (!is_write)
			memset(data, 0xff, len);
		return true;
	}
	bar4_locked(vd, bar_off, data, len, is_write);
	return true;
}

static void add_vcap(struct pci_dev *d, u8 type, u32 offset, u32 length, u8 extra)
{
	u8 c = pci__add_cap(d, PCI_CAP_ID_VNDR, 16 + extra);

	d->cfg[c + 2] = 16 + extra;			/* cap_len */
	d->cfg[c + 3] = type;
	d->cfg[c + 4] = type == VIRTIO_PCI_CAP_PCI_CFG ? 0 : BAR_VIRTIO;
	le_put(d->cfg + c + 8, 4, offset);
	le_put(d->cfg + c + 12, 4, length);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		le_put(d->cfg + c + 16, 4, NOTIFY_MULT);
	if (type == VIRTIO_PCI_CAP_PCI_CFG) {
		struct virtio_dev *vd = d->priv;

		vd->cfg_cap = c;
		d->wmask[c + 4] = 0xff;
		le_put(d->wmask + c + 8, 4, 0xffffffff);
		le_put(d->wmask + c + 12, 4, 0xffffffff);
	}
}

/* ioeventfds follow the notify addresses (bar_moved: device lock held). */
static void ioeventfd_set(struct virtio_dev *vd, u64 bar, bool assign)
{
	struct vm *vm = vd->vm;

	if (!bar || vm->fd < 0 || !vm->ioeventfd)
		return;
	for (unsigned int q = 0; q < vd->nr_queues; q++) {
		struct kvm_ioeventfd e = {
			.addr = bar + OFF_NOTIFY + (u64)NOTIFY_MULT * q, .len = 2,
			.fd = vd->vq[q].kick_fd, .flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
		};

		if (ioctl(vm->fd, KVM_IOEVENTFD, &e) && assign)
			fprintf(stderr, "vmxrun: %s: %s: KVM_IOEVENTFD at %#llx: %s (kicks exit instead)\n",
				vm->hv->path, vd->ops->name, (unsigned long long)e.addr,
				strerror(errno));
	}
}

static void bar_moved(struct pci_dev *d, unsigned int n, u64 old, u64 new_addr)
{
	if (n != BAR_VIRTIO)
		return;
	ioeventfd_set(d->priv, old, false);
	ioeventfd_set(d->priv, new_addr, true);
}

void virtio__attach(struct virtio_dev *vd)
{
	virtio__lock(vd);
	ioeventfd_set(vd, pci__bar_addr(&vd->pci, BAR_VIRTIO), true);
	virtio__unlock(vd);
}

int virtio_pci__init(struct virtio_dev *vd, char *msg, size_t msglen)
{
	struct pci_dev *d = &vd->pci;
	u16 id = vd->ops->device_id;

	pci__dev_init(d, vd->vm, vd->ops->name, &vd->lock, VENDOR_REDHAT, DEVICE_MODERN_BASE + id,
		      vd->ops->class_code, 1, VENDOR_REDHAT, 0x40 + id);
	d->priv = vd;
	d->cfg_hook = cfg_hook;
	d->bar_moved = bar_moved;
	if (!msix__new(d, vd->nr_queues + 1, BAR_MSIX)) {
		snprintf(msg, msglen, "vmxrun: %s: cannot set up MSI-X", vd->ops->name);
		return -1;
	}
	add_vcap(d, VIRTIO_PCI_CAP_COMMON_CFG, OFF_COMMON, COMMON_LEN, 0);
	add_vcap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, OFF_NOTIFY, NOTIFY_MULT * vd->nr_queues, 4);
	add_vcap(d, VIRTIO_PCI_CAP_ISR_CFG, OFF_ISR, 1, 0);
	if (vd->config_len)
		add_vcap(d, VIRTIO_PCI_CAP_DEVICE_CFG, OFF_DEVICE, vd->config_len, 0);
	add_vcap(d, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 4);
	pci__add_bar(d, BAR_MSIX, PCI_BAR_TYPE_MEM32, false, MSIX_BAR_SIZE, msix__io, d->msix,
		     NULL);
	pci__add_bar(d, BAR_VIRTIO, PCI_BAR_TYPE_MEM64, true, BAR_VIRTIO_SIZE, bar4_io, vd,
		     NULL);
	vd->notify_mult = NOTIFY_MULT;
	return pci__register(vd->vm, d, msg, msglen);
}
