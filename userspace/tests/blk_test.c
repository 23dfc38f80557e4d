// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: virtio-blk on a temporary raw image (requests through its queue, I/O on
 * its worker threads): read, write, flush, get-id, a read-only disk, request layouts a
 * driver can get wrong, the OFD lock, and INTx raised from a worker thread; the same I/O
 * and INTx with aio=io_uring (its reaper thread), or its refusal in a build without liburing.
 */
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "hw/ioapic.h"
#include "hw/virtio/devices.h"
#include "virtio_util.h"

#define HDR_GPA		0x400000ULL
#define DATA_GPA	0x401000ULL
#define STATUS_GPA	0x403000ULL

struct blk_rig {
	struct vm *vm;
	struct virtio_dev *vd;
	char path[64];
};

static bool blk_rig_new(struct blk_rig *r, const char *extra)
{
	char spec[128], msg[256];
	struct blk_opts o;
	int fd;

	snprintf(r->path, sizeof(r->path), "/tmp/blk_test.XXXXXX");
	fd = mkstemp(r->path);
	if (fd < 0 || ftruncate(fd, 1 << 20))
		return false;
	close(fd);
	r->vm = host_vm_new(16 * MiB);
	snprintf(spec, sizeof(spec), "%s%s", r->path, extra);
	if (!r->vm || blk__parse(spec, &o, msg, sizeof(msg)))
		return false;
	r->vd = blk__new(r->vm, &o, msg, sizeof(msg));
	if (!r->vd)
		return false;
	r->vm->virtio[r->vm->nr_virtio++] = r->vd;
	driver_init(r->vd, 1ULL << VIRTIO_F_VERSION_1);
	return true;
}

static void blk_rig_free(struct blk_rig *r)
{
	host_vm_free(r->vm);
	unlink(r->path);
}

/* A three-part request (header, data of len in the given direction, status), head 0. */
static void request(struct vm *vm, u32 type, u64 sector, u32 len, bool data_writable)
{
	struct virtio_blk_outhdr *h = vm__gpa(vm, HDR_GPA, sizeof(*h));

	*h = (struct virtio_blk_outhdr){ .type = type, .sector = sector };
	*(u8 *)vm__gpa(vm, STATUS_GPA, 1) = 0xee;
	set_desc(vm, DESC_GPA, 0, HDR_GPA, sizeof(*h), VRING_DESC_F_NEXT, len ? 1 : 2);
	set_desc(vm, DESC_GPA, 1, DATA_GPA, len,
		 VRING_DESC_F_NEXT | (data_writable ? VRING_DESC_F_WRITE : 0), 2);
	set_desc(vm, DESC_GPA, 2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
}

/* Kick and wait (up to 5 s) for used->idx to reach want; the status byte. */
static int complete(struct blk_rig *r, u16 want)
{
	struct timespec ts = { 0, 1000000 };

	/* The driver's acquire load (as Linux's virtio_load_acquire): the device's worker writes. */
	virtio__kick_now(r->vd, 0);
	for (int i = 0; i < 5000 && __atomic_load_n(&used(r->vm)->idx, __ATOMIC_ACQUIRE) != want;
	     i++)
		nanosleep(&ts, NULL);
	if (__atomic_load_n(&used(r->vm)->idx, __ATOMIC_ACQUIRE) != want)
		return -1;
	return *(u8 *)vm__gpa(r->vm, STATUS_GPA, 1);
}

/* Write, flush, the bytes in the image, read back, get-id, errors; with the options extra. */
static void write_read_flush_get_id(struct test_ctx *t, const char *extra)
{
	struct blk_rig r;
	u8 *data;
	int fd;
	char buf[512];
	char spec[64];

	snprintf(spec, sizeof(spec), ",serial=disk-serial-1%s", extra);
	ASSERT_TRUE(blk_rig_new(&r, spec));
	data = vm__gpa(r.vm, DATA_GPA, 1024);
	memset(data, 0x5a, 1024);
	request(r.vm, VIRTIO_BLK_T_OUT, 2, 1024, false);
	EXPECT_EQ(complete(&r, 1), VIRTIO_BLK_S_OK);
	request(r.vm, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	EXPECT_EQ(complete(&r, 2), VIRTIO_BLK_S_OK);
	fd = open(r.path, O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(pread(fd, buf, sizeof(buf), 1024), 512);
	EXPECT_EQ(buf[0], 0x5a);
	EXPECT_EQ(buf[511], 0x5a);
	close(fd);
	memset(data, 0, 1024);
	request(r.vm, VIRTIO_BLK_T_IN, 2, 1024, true);
	EXPECT_EQ(complete(&r, 3), VIRTIO_BLK_S_OK);
	EXPECT_EQ(data[0], 0x5a);
	EXPECT_EQ(used(r.vm)->ring[2].len, 1025);	/* data + status */
	request(r.vm, VIRTIO_BLK_T_GET_ID, 0, 20, true);
	EXPECT_EQ(complete(&r, 4), VIRTIO_BLK_S_OK);
	EXPECT_EQ(memcmp(data, "disk-serial-1", 13), 0);
	request(r.vm, VIRTIO_BLK_T_IN, 2047, 1024, true);	/* past the end */
	EXPECT_EQ(complete(&r, 5), VIRTIO_BLK_S_IOERR);
	request(r.vm, 99, 0, 0, false);				/* unknown type */
	EXPECT_EQ(complete(&r, 6), VIRTIO_BLK_S_UNSUPP);
	EXPECT_EQ(vstatus(r.vd) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	blk_rig_free(&r);
}

TEST_HOST(blk_write_then_read_back_flush_and_get_id)
{
	write_read_flush_get_id(t, "");
}

static void read_only_fails_writes(struct test_ctx *t, const char *spec)
{
	struct blk_rig r;

	ASSERT_TRUE(blk_rig_new(&r, spec));
	request(r.vm, VIRTIO_BLK_T_OUT, 0, 512, false);
	EXPECT_EQ(complete(&r, 1), VIRTIO_BLK_S_IOERR);
	request(r.vm, VIRTIO_BLK_T_IN, 0, 512, true);
	EXPECT_EQ(complete(&r, 2), VIRTIO_BLK_S_OK);
	blk_rig_free(&r);
}

TEST_HOST(blk_read_only_disk_fails_writes_with_ioerr)
{
	read_only_fails_writes(t, ",ro");
}

TEST_HOST(blk_read_into_a_device_readable_buffer_needs_reset)
{
	struct blk_rig r;

	ASSERT_TRUE(blk_rig_new(&r, ""));
	request(r.vm, VIRTIO_BLK_T_IN, 0, 512, false);		/* data not writable */
	virtio__kick_now(r.vd, 0);
	EXPECT_EQ(vstatus(r.vd) & VIRTIO_CONFIG_S_NEEDS_RESET, VIRTIO_CONFIG_S_NEEDS_RESET);
	EXPECT_EQ(used(r.vm)->idx, 0);
	blk_rig_free(&r);
}

TEST_HOST(blk_second_read_write_open_is_refused_by_the_lock)
{
	struct blk_rig r;
	struct blk_opts o;
	char msg[256];
	struct virtio_dev *vd2;

	ASSERT_TRUE(blk_rig_new(&r, ""));
	ASSERT_EQ(blk__parse(r.path, &o, msg, sizeof(msg)), 0);
	vd2 = blk__new(r.vm, &o, msg, sizeof(msg));
	EXPECT_TRUE(!vd2);
	EXPECT_TRUE(strstr(msg, "in use by another process") != NULL);
	blk_rig_free(&r);
}

static void rec(struct vm *vm, u32 addr, u32 data, void *opaque)
{
	(void)vm, (void)addr, (void)data;
	__atomic_fetch_add((unsigned int *)opaque, 1, __ATOMIC_RELAXED);
}

/* INTx raised by the thread that completes (a worker, io_uring's reaper) while it sleeps. */
static void completion_raises_intx(struct test_ctx *t, const char *spec)
{
	struct blk_rig r;
	unsigned int n = 0;
	struct timespec ts = { 0, 1000000 };

	ASSERT_TRUE(blk_rig_new(&r, spec));
	ioapic__set_sink(r.vm, rec, &n);
	vw(r.vm, IOAPIC_BASE, 4, 0x10 + 2 * 16);
	vw(r.vm, IOAPIC_BASE + 0x10, 4, 0x52 | IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW);
	request(r.vm, VIRTIO_BLK_T_IN, 0, 512, true);
	EXPECT_EQ(complete(&r, 1), VIRTIO_BLK_S_OK);
	for (int i = 0; i < 2000 && !__atomic_load_n(&n, __ATOMIC_RELAXED); i++)
		nanosleep(&ts, NULL);
	EXPECT_EQ(__atomic_load_n(&n, __ATOMIC_RELAXED), 1);	/* while the worker sleeps */
	blk_rig_free(&r);
}

TEST_HOST(blk_completion_on_a_worker_raises_intx)
{
	completion_raises_intx(t, "");
}

#ifdef HAVE_LIBURING
TEST_HOST(blk_io_uring_writes_reads_back_flushes_and_gets_id)
{
	write_read_flush_get_id(t, ",aio=io_uring");
}

TEST_HOST(blk_io_uring_read_only_disk_fails_writes_with_ioerr)
{
	read_only_fails_writes(t, ",ro,aio=io_uring");
}

TEST_HOST(blk_io_uring_completion_raises_intx)
{
	completion_raises_intx(t, ",aio=io_uring");
}
#else
TEST_HOST(blk_io_uring_without_liburing_is_refused_with_the_fix)
{
	struct blk_opts o;
	char msg[256];

	EXPECT_EQ(blk__parse("/tmp/x.img,aio=io_uring", &o, msg, sizeof(msg)), -1);
	EXPECT_TRUE(strstr(msg, "built without liburing (install liburing-dev") != NULL);
}
#endif
