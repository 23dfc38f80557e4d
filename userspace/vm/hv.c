// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hv.h"
#include "../util/err.h"

/* Whether fd is the misc device /sys/class/misc/vmxmon describes. */
static bool is_vmxmon_node(int fd)
{
	unsigned int maj, min;
	struct stat st;
	FILE *f = fopen("/sys/class/misc/vmxmon/dev", "re");
	int n;

	if (!f)
		return false;
	n = fscanf(f, "%u:%u", &maj, &min);
	fclose(f);
	return n == 2 && !fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(maj, min);
}

int hv__open(struct hv *d, const char *path, char *msg, size_t msglen)
{
	int err;

	d->path = path;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		err = errno;
		if (msg)
			err__format_dev(msg, msglen, DEV_OP_OPEN, path, err);
		return -err;
	}
	d->api_version = ioctl(d->fd, KVM_GET_API_VERSION, 0);
	if (d->api_version < 0) {
		err = errno;
		if (msg)
			err__format_dev(msg, msglen, DEV_OP_IOCTL, path, err);
		hv__close(d);
		return -err;
	}
	if (d->api_version != KVM_API_VERSION) {
		if (msg)
			err__format_api(msg, msglen, path, d->api_version);
		hv__close(d);
		return -EPROTO;
	}
	d->is_vmxmon = is_vmxmon_node(d->fd);
	return 0;
}

long hv__check_extension(const struct hv *d, unsigned int cap)
{
	long r = ioctl(d->fd, KVM_CHECK_EXTENSION, (unsigned long)cap);

	return r < 0 ? -errno : r;
}

void hv__close(struct hv *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
