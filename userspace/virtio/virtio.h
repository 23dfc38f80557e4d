/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio 1.x device on PCI (modern only, VIRTIO_F_VERSION_1): the transport (virtio/pci.c:
 * common, notify, ISR and device-config capabilities in BAR 4, MSI-X in BAR 1, the PCI_CFG
 * window), the device's worker thread and its interrupts (virtio/dev.c). Devices
 * (hw/virtio/) fill a struct virtio_dev_ops.
 *
 * Threads and locks: vd->lock guards the transport state, the queues and whatever the device
 * adds. The transport's BARs are called from vCPU threads with no lock held (registered
 * without one: their callbacks take vd->lock);
 * queue work runs on the device's own thread (kicks arrive there as eventfds: written by
 * the kernel when ioeventfd is in use, else by the notify handler), never on a vCPU. Lock
 * order (vm/vm.h): vd->lock, then the PCI INTx lock, the PIC's/IOAPIC's, vm->lock; INTx is
 * still driven in virtio__unlock(), after vd->lock is dropped, to keep the hold short.
 *
 * A driver that breaks the rules (a bad chain, rings outside RAM) gets DEVICE_NEEDS_RESET
 * (virtio__fail): the queues stop until it resets the device; one log line, ratelimited.
 */
#ifndef VMXRUN_VIRTIO_VIRTIO_H
#define VMXRUN_VIRTIO_VIRTIO_H

#include <pthread.h>

#include "../pci/pci.h"
#include "queue.h"

#define VIRTIO_MAX_QUEUES	4
#define VIRTIO_MAX_FDS		8	/* extra fds a device thread watches */
#define VIRTIO_CONFIG_MAX	64	/* device-specific config bytes */

struct virtio_dev;

struct virtio_dev_ops {
	const char *name;		/* "virtio-blk": messages, the PCI device name */
	u16 device_id;			/* VIRTIO_ID_* */
	u32 class_code;			/* PCI class */
	/* The driver wrote device config bytes [off, off + len) (vd->config updated; lock). */
	void (*config_write)(struct virtio_dev *vd, u32 off, u32 len);
	/* Queue q was notified (device thread, vd->lock not held). */
	void (*kick)(struct virtio_dev *vd, unsigned int q);
	/* The driver set DRIVER_OK (lock held). */
	void (*start)(struct virtio_dev *vd);
	/*
	 * Device reset (lock held): forget the queues' work; wait (on vd->cond) until no request
	 * still writes to guest memory.
	 */
	void (*reset)(struct virtio_dev *vd);
	/* Stop and free the device (virtio__exit included; vm->lock not held). */
	void (*free)(struct virtio_dev *vd);
};

typedef void (*virtio_fd_fn)(struct virtio_dev *vd, int fd, void *opaque);

struct virtio_dev {
	struct vm *vm;
	const struct virtio_dev_ops *ops;
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* a reset waits here for in-flight requests */
	struct pci_dev pci;
	void *priv;			/* the device's own state */

	u64 host_features;		/* offered (transport bits included) */
	u64 guest_features;		/* accepted by the driver */
	u32 dfselect, gfselect;
	u16 queue_select;
	u16 msix_config;
	u8 status;
	u8 isr;				/* bit 0 queue, bit 1 config change */
	u8 config_generation;
	u8 config[VIRTIO_CONFIG_MAX];
	u32 config_len;
	u8 cfg_cap;			/* offset of the PCI_CFG capability */
	bool intx_changed;		/* pci.intx changed under the lock: sync it after */

	unsigned int nr_queues;
	struct virtq vq[VIRTIO_MAX_QUEUES];

	u64 log_next_ns;		/* ratelimit of guest-triggered messages */
	unsigned int log_suppressed;

	/* The worker thread. */
	pthread_t thread;
	bool thread_started;
	int epfd, stop_fd;
	struct { int fd; virtio_fd_fn fn; void *opaque; } fds[VIRTIO_MAX_FDS];
	unsigned int notify_mult;	/* bytes between queues' notify addresses */
};

/*
 * Set up vd (ops, queues, features beyond the transport's, config length), its PCI function
 * and its worker thread, and plug it in. 0 or -1 with *msg.
 */
int virtio__init(struct virtio_dev *vd, struct vm *vm, const struct virtio_dev_ops *ops,
		 unsigned int nr_queues, u64 features, u32 config_len, char *msg, size_t msglen);
/* Stop the thread, unplug, free (vm->lock not held). */
void virtio__exit(struct virtio_dev *vd);
/* Stop the worker thread only (first step of a device's free). */
void virtio__exit_thread(struct virtio_dev *vd);
/* Machine reset (no lock held: takes vd->lock). */
void virtio__reset(struct virtio_dev *vd);
/* The VM fd exists now: register ioeventfds for the notify addresses. */
void virtio__attach(struct virtio_dev *vd);

/* Watch fd on the worker thread (before the device runs); 0 or -ENOSPC. */
int virtio__watch(struct virtio_dev *vd, int fd, virtio_fd_fn fn, void *opaque);
/* Whether the worker watches queue q's kick eventfd (off while vhost owns the queue). */
void virtio__kick_watch(struct virtio_dev *vd, unsigned int q, bool on);
/* Change whether fd is watched (input available only when the device can take it). */
void virtio__watch_enable(struct virtio_dev *vd, int fd, bool on);

void virtio__lock(struct virtio_dev *vd);
/* Drop vd->lock, then drive INTx if it changed (takes the INTx lock). */
void virtio__unlock(struct virtio_dev *vd);

/* Whether the driver accepted feature bit (lock held). */
static inline bool virtio__has(const struct virtio_dev *vd, unsigned int bit)
{
	return (vd->guest_features >> bit) & 1;
}
/* Whether the device runs (DRIVER_OK, not broken) (lock held). */
bool virtio__live(const struct virtio_dev *vd);
/* Interrupt for queue q if the driver wants one now (lock held). */
void virtio__notify(struct virtio_dev *vd, unsigned int q);
/* Push a used chain and notify (lock held). */
void virtio__complete(struct virtio_dev *vd, unsigned int q, u16 head, u32 written);
/* The driver broke a rule: DEVICE_NEEDS_RESET, a config interrupt, one log line (lock held). */
void virtio__fail(struct virtio_dev *vd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* vq__pop() that fails the device on a bad chain: 1, or 0 (empty or failed) (lock held). */
int virtio__pop(struct virtio_dev *vd, unsigned int q, struct vq_chain *c);
/* Config changed: bump the generation, config interrupt (lock held). */
void virtio__config_changed(struct virtio_dev *vd);

/* Start the worker thread (after virtio__init and the device's virtio__watch calls). */
int virtio__start_thread(struct virtio_dev *vd);

/* Inside virtio/: the transport's BAR callbacks and PCI setup (virtio/pci.c). */
int virtio_pci__init(struct virtio_dev *vd, char *msg, size_t msglen);
void virtio_pci__reset_state(struct virtio_dev *vd);

/* Host unit tests: process queue q now (what the thread does on a kick). */
void virtio__kick_now(struct virtio_dev *vd, unsigned int q);

#endif
