/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio devices of the machine (userspace/hw/virtio/, one file each): made from the
 * options (--disk, --net, --rng, --balloon, --console virtio) by virtio_devices__create(),
 * reset with the machine, freed at its end.
 */
#ifndef VMXRUN_HW_VIRTIO_DEVICES_H
#define VMXRUN_HW_VIRTIO_DEVICES_H

#include "../../virtio/virtio.h"

#define VM_MAX_DISKS	8
#define VM_MAX_NICS	4
#define BLK_SERIAL_LEN	20	/* VIRTIO_BLK_ID_BYTES */

struct vmxrun_opts;

struct blk_opts {
	const char *path;
	bool ro;
	bool cache_none;		/* O_DIRECT (host page cache bypassed) */
	bool aio_uring;			/* aio=io_uring (blk_uring.c), else the thread pool */
	char serial[BLK_SERIAL_LEN + 1];
};

struct net_opts {
	char ifname[16];		/* IFNAMSIZ; empty: the kernel names it (tapN) */
	u8 mac[6];
	bool mac_set;
	bool vhost;
};

struct balloon_opts {
	bool deflate_on_oom;		/* offer VIRTIO_BALLOON_F_DEFLATE_ON_OOM */
	bool reporting;			/* free page reporting (VIRTIO_BALLOON_F_REPORTING) */
	unsigned int stats_secs;	/* ask for the guest's statistics this often; 0: never */
};

#define BALLOON_STATS_NR	10	/* the statistics we know (VIRTIO_BALLOON_S_*, Linux 6.1) */

/* The guest's latest memory statistics (VIRTIO_BALLOON_S_*: bytes, or counts). */
struct balloon_stats {
	u64 val[BALLOON_STATS_NR];
	u32 valid;			/* bit per tag received */
	s64 updated;			/* when (time(NULL)); 0: never */
};

struct balloon_info {
	u64 actual;			/* guest RAM minus what the guest has in the balloon */
	u64 target;			/* what the host asked for (guest RAM, bytes) */
	struct balloon_stats stats;
};

/* "PATH[,ro][,cache=none|writeback][,serial=S]": 0, or -1 with *err. */
int blk__parse(const char *spec, struct blk_opts *o, char *err, size_t errlen);
/* "tap[,ifname=NAME][,mac=MAC][,vhost=on|off]": 0, or -1 with *err. */
int net__parse(const char *spec, struct net_opts *o, char *err, size_t errlen);

struct virtio_dev *blk__new(struct vm *vm, const struct blk_opts *o, char *msg, size_t msglen);
struct virtio_dev *net__new(struct vm *vm, const struct net_opts *o, unsigned int index,
			    char *msg, size_t msglen);
struct virtio_dev *rng__new(struct vm *vm, char *msg, size_t msglen);
void rng__free(struct virtio_dev *vd);
/* "[deflate-on-oom=on|off][,stats=SECONDS][,free-page-reporting=on|off]" (NULL: defaults). */
int balloon__parse(const char *spec, struct balloon_opts *o, char *err, size_t errlen);
struct virtio_dev *balloon__new(struct vm *vm, const struct balloon_opts *o, char *msg,
				size_t msglen);
/* The machine's balloon, or NULL. */
struct virtio_dev *balloon__find(struct vm *vm);
/* Ask the guest to shrink to (or grow back to) bytes of RAM: config interrupt (takes vd->lock). */
void balloon__set_target(struct virtio_dev *vd, u64 bytes);
void balloon__query(struct virtio_dev *vd, struct balloon_info *bi);
/* QEMU's name of statistic tag ("stat-free-memory"), or NULL. */
const char *balloon__stat_name(unsigned int tag);
struct virtio_dev *vcon__new(struct vm *vm, char *msg, size_t msglen);
/* Console input for the virtio console (event loop, no lock held; takes vd->lock): bytes taken. */
size_t vcon__input(struct virtio_dev *vd, const u8 *buf, size_t len);

/* The machine's virtio devices from the options; 0 or -1 with *msg. */
int virtio_devices__create(struct vm *vm, const struct vmxrun_opts *o, char *msg, size_t msglen);
/* After the VM fd exists (ioeventfds); vhost needs ioeventfd/irqfd: -1 with *msg without. */
int virtio_devices__attach(struct vm *vm, char *msg, size_t msglen);
/* hw_devices entries (vm/vm.c). */
int virtio_devices__init(struct vm *vm);
void virtio_devices__reset(struct vm *vm);
void virtio_devices__exit(struct vm *vm);

#endif
