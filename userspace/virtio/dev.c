// SPDX-License-Identifier: GPL-2.0
/*
 * A virtio device's life: its worker thread (epoll over the queues' kick eventfds and the
 * device's own fds), interrupts (MSI-X vector, or ISR + INTx), DEVICE_NEEDS_RESET.
 */
#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../pci/msix.h"
#include "../vm/vm.h"
#include "virtio.h"

#define LOG_INTERVAL_NS	5000000000ULL	/* one guest-triggered message per 5 s per device */
#define EV_STOP		0xffffffffu
#define EV_FD_BASE	0x100u

void virtio__lock(struct virtio_dev *vd)
{
	pthread_mutex_lock(&vd->lock);
}

void virtio__unlock(struct virtio_dev *vd)
{
	bool sync = vd->intx_changed;

	vd->intx_changed = false;
	pthread_mutex_unlock(&vd->lock);
	if (sync)
		pci__intx_sync(&vd->pci);
}

bool virtio__live(const struct virtio_dev *vd)
{
	return (vd->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vd->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/* ISR bit, and INTx unless MSI-X is on. */
static void virtio__raise(struct virtio_dev *vd, u8 isr_bit, u16 vector)
{
	if (msix__enabled(vd->pci.msix)) {
		if (vector != MSIX_NO_VECTOR)
			msix__notify(vd->pci.msix, vector);
		return;
	}
	vd->isr |= isr_bit;
	vd->intx_changed |= pci__intx_store(&vd->pci, true);
}

void virtio__notify(struct virtio_dev *vd, unsigned int q)
{
	if (q < vd->nr_queues && vq__need_interrupt(&vd->vq[q]))
		virtio__raise(vd, 1, vd->vq[q].msix_vector);
}

void virtio__complete(struct virtio_dev *vd, unsigned int q, u16 head, u32 written)
{
	vq__push(&vd->vq[q], head, written);
	virtio__notify(vd, q);
}

void virtio__config_changed(struct virtio_dev *vd)
{
	vd->config_generation++;
	if (vd->status & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio__raise(vd, 2, vd->msix_config);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

void virtio__fail(struct virtio_dev *vd, const char *fmt, ...)
{
	u64 now = now_ns();
	va_list ap;

	if (now >= vd->log_next_ns) {
		fprintf(stderr, "vmxrun: %s (00:%02x.0): guest driver error: ", vd->ops->name,
			vd->pci.slot);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		if (vd->log_suppressed)
			fprintf(stderr, " (%u more suppressed)", vd->log_suppressed);
		fprintf(stderr, "; device needs reset\r\n");
		vd->log_next_ns = now + LOG_INTERVAL_NS;
		vd->log_suppressed = 0;
	} else {
		vd->log_suppressed++;
	}
	if (vd->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vd->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	virtio__config_changed(vd);
}

int virtio__pop(struct virtio_dev *vd, unsigned int q, struct vq_chain *c)
{
	const char *why = "?";
	int r;

	if (!virtio__live(vd))
		return 0;
	r = vq__pop(&vd->vq[q], c, &why);
	if (r < 0) {
		virtio__fail(vd, "queue %u: %s", q, why);
		return 0;
	}
	return r;
}

void virtio__kick_now(struct virtio_dev *vd, unsigned int q)
{
	if (vd->ops->kick)
		vd->ops->kick(vd, q);
}

int virtio__watch(struct virtio_dev *vd, int fd, virtio_fd_fn fn, void *opaque)
{
	for (unsigned int i = 0; i < VIRTIO_MAX_FDS; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = EV_FD_BASE + i };

		if (vd->fds[i].fn)
			continue;
		if (vd->epfd >= 0 && epoll_ctl(vd->epfd, EPOLL_CTL_ADD, fd, &ev))
			return -errno;
		vd->fds[i].fd = fd;
		vd->fds[i].fn = fn;
		vd->fds[i].opaque = opaque;
		return 0;
	}
	return -ENOSPC;
}

void virtio__watch_enable(struct virtio_dev *vd, int fd, bool on)
{
	for (unsigned int i = 0; i < VIRTIO_MAX_FDS; i++) {
		struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u32 = EV_FD_BASE + i };

		if (vd->fds[i].fn && vd->fds[i].fd == fd && vd->epfd >= 0)
			epoll_ctl(vd->epfd, EPOLL_CTL_MOD, fd, &ev);
	}
}

void virtio__kick_watch(struct virtio_dev *vd, unsigned int q, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u32 = q };

	if (q < vd->nr_queues && vd->epfd >= 0)
		epoll_ctl(vd->epfd, EPOLL_CTL_MOD, vd->vq[q].kick_fd, &ev);
}

static void *virtio__thread(void *arg)
{
	struct virtio_dev *vd = arg;
	struct epoll_event ev[16];

	for (;;) {
		int n = epoll_wait(vd->epfd, ev, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			u32 id = ev[i].data.u32;
			u64 cnt;

			if (id == EV_STOP)
				return NULL;
			if (id >= EV_FD_BASE) {
				id -= EV_FD_BASE;
				if (id < VIRTIO_MAX_FDS && vd->fds[id].fn)
					vd->fds[id].fn(vd, vd->fds[id].fd, vd->fds[id].opaque);
				continue;
			}
			if (id < vd->nr_queues && read(vd->vq[id].kick_fd, &cnt, sizeof(cnt)) > 0)
				virtio__kick_now(vd, id);
		}
	}
	return NULL;
}

int virtio__init(struct virtio_dev *vd, struct vm *vm, const struct virtio_dev_ops *ops,
		 unsigned int nr_queues, u64 features, u32 config_len, char *msg, size_t msglen)
{
	struct epoll_event ev = { .events = EPOLLIN };

	vd->vm = vm;
	vd->ops = ops;
	vd->nr_queues = MIN(nr_queues, VIRTIO_MAX_QUEUES);
	vd->config_len = MIN(config_len, VIRTIO_CONFIG_MAX);
	vd->host_features = features | 1ULL << VIRTIO_F_VERSION_1 |
			    1ULL << VIRTIO_RING_F_INDIRECT_DESC | 1ULL << VIRTIO_RING_F_EVENT_IDX;
	vd->epfd = vd->stop_fd = -1;
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vd->vq[i].kick_fd = -1;
	pthread_mutex_init(&vd->lock, NULL);
	pthread_cond_init(&vd->cond, NULL);
	for (unsigned int i = 0; i < vd->nr_queues; i++) {
		vd->vq[i].vm = vm;
		vd->vq[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vd->vq[i].kick_fd < 0)
			goto fail;
	}
	vd->epfd = epoll_create1(EPOLL_CLOEXEC);
	vd->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vd->epfd < 0 || vd->stop_fd < 0)
		goto fail;
	ev.data.u32 = EV_STOP;
	if (epoll_ctl(vd->epfd, EPOLL_CTL_ADD, vd->stop_fd, &ev))
		goto fail;
	for (unsigned int i = 0; i < vd->nr_queues; i++) {
		ev.data.u32 = i;
		if (epoll_ctl(vd->epfd, EPOLL_CTL_ADD, vd->vq[i].kick_fd, &ev))
			goto fail;
	}
	virtio__lock(vd);
	virtio_pci__reset_state(vd);
	virtio__unlock(vd);
	if (virtio_pci__init(vd, msg, msglen))
		return -1;
	return 0;
fail:
	snprintf(msg, msglen, "vmxrun: %s: cannot set up its eventfds: %s", ops->name,
		 strerror(errno));
	return -1;
}

/* The worker starts once the device is complete (its own fds watched). */
int virtio__start_thread(struct virtio_dev *vd)
{
	int r = pthread_create(&vd->thread, NULL, virtio__thread, vd);

	if (r)
		return -r;
	vd->thread_started = true;
	return 0;
}

void virtio__exit_thread(struct virtio_dev *vd)
{
	u64 one = 1;

	if (!vd->thread_started)
		return;
	if (write(vd->stop_fd, &one, sizeof(one)) < 0)
		perror("vmxrun: virtio stop");
	pthread_join(vd->thread, NULL);
	vd->thread_started = false;
}

void virtio__exit(struct virtio_dev *vd)
{
	if (!vd->ops)
		return;				/* virtio__init never ran */
	virtio__exit_thread(vd);
	if (vd->vm)
		pci__dev_exit(&vd->pci);
	for (unsigned int i = 0; i < vd->nr_queues; i++)
		if (vd->vq[i].kick_fd >= 0)
			close(vd->vq[i].kick_fd);
	if (vd->epfd >= 0)
		close(vd->epfd);
	if (vd->stop_fd >= 0)
		close(vd->stop_fd);
	pthread_cond_destroy(&vd->cond);
	pthread_mutex_destroy(&vd->lock);
}

void virtio__reset(struct virtio_dev *vd)
{
	pci__dev_reset(&vd->pci);
	pthread_mutex_lock(&vd->lock);
	virtio_pci__reset_state(vd);
	vd->intx_changed = false;		/* pci__reset recomputes the lines */
	pthread_mutex_unlock(&vd->lock);
}
