// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the split virtqueue against a hostile driver (every bad chain ends in
 * DEVICE_NEEDS_RESET, nothing is read or written outside guest RAM: run under ASan/UBSan by
 * make check-sanitize), and the virtio transport (features, reset, EVENT_IDX, indirect).
 * The device is virtio-rng: every chain it takes must be writable.
 */
#include <string.h>

#include "harness.h"
#include "hw/virtio/devices.h"
#include "virtio_util.h"

#define F_INDIRECT	(1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX	(1ULL << VIRTIO_RING_F_EVENT_IDX)
#define F_V1		(1ULL << VIRTIO_F_VERSION_1)

struct rig {
	struct vm *vm;
	struct virtio_dev *vd;
};

static bool rig_new(struct rig *r, u64 features)
{
	char msg[256];

	r->vm = host_vm_new(16 * MiB);
	if (!r->vm)
		return false;
	r->vd = rng__new(r->vm, msg, sizeof(msg));
	if (!r->vd)
		return false;
	r->vm->virtio[r->vm->nr_virtio++] = r->vd;
	driver_init(r->vd, features);
	return true;
}

/* Kick queue 0 and say whether the device now needs a reset. */
static bool kick_needs_reset(struct rig *r)
{
	virtio__kick_now(r->vd, 0);
	return vstatus(r->vd) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

static void rig_free(struct rig *r)
{
	host_vm_free(r->vm);
}

TEST_HOST(virtio_good_chain_is_filled_and_used)
{
	struct rig r;

	ASSERT_TRUE(rig_new(&r, F_V1 | F_INDIRECT));
	EXPECT_EQ(vstatus(r.vd) & VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_CONFIG_S_FEATURES_OK);
	set_desc(r.vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(r.vm, DESC_GPA, 1, BUF_GPA + 16, 16, VRING_DESC_F_WRITE, 0);
	offer(r.vm, 0);
	EXPECT_TRUE(!kick_needs_reset(&r));
	EXPECT_EQ(used(r.vm)->idx, 1);
	EXPECT_EQ(used(r.vm)->ring[0].id, 0);
	EXPECT_EQ(used(r.vm)->ring[0].len, 32);
	/* Through an indirect table of two buffers. */
	set_desc(r.vm, TABLE_GPA, 0, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(r.vm, TABLE_GPA, 1, BUF_GPA + 8, 8, VRING_DESC_F_WRITE, 0);
	set_desc(r.vm, DESC_GPA, 2, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(r.vm, 2);
	EXPECT_TRUE(!kick_needs_reset(&r));
	EXPECT_EQ(used(r.vm)->idx, 2);
	EXPECT_EQ(used(r.vm)->ring[1].id, 2);
	EXPECT_EQ(used(r.vm)->ring[1].len, 16);
	rig_free(&r);
}

/* One hostile chain: the descriptors set by fn, head 0, then a kick. */
static void hostile(struct test_ctx *t, u64 features, void (*fn)(struct vm *vm),
		    const char *what)
{
	struct rig r;

	if (!rig_new(&r, features)) {
		t_fail(t, __FILE__, __LINE__, "no rig for %s", what);
		return;
	}
	fn(r.vm);
	if (!kick_needs_reset(&r))
		t_fail(t, __FILE__, __LINE__, "%s: no DEVICE_NEEDS_RESET", what);
	if (used(r.vm)->idx != 0)
		t_fail(t, __FILE__, __LINE__, "%s: the device used a bad chain", what);
	/* Stays stopped until reset; after a reset and a proper chain it works again. */
	offer(r.vm, 0);
	virtio__kick_now(r.vd, 0);
	if (used(r.vm)->idx != 0)
		t_fail(t, __FILE__, __LINE__, "%s: a broken device went on", what);
	memset(avail(r.vm), 0, 6 + 2 * QSIZE);
	memset(used(r.vm), 0, 6 + 8 * QSIZE);
	driver_init(r.vd, features);
	if (vstatus(r.vd) & VIRTIO_CONFIG_S_NEEDS_RESET)
		t_fail(t, __FILE__, __LINE__, "%s: NEEDS_RESET survives a reset", what);
	set_desc(r.vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	offer(r.vm, 0);
	virtio__kick_now(r.vd, 0);
	if (used(r.vm)->idx != 1)
		t_fail(t, __FILE__, __LINE__, "%s: no use after the reset", what);
	rig_free(&r);
}

static void loop2(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(vm, DESC_GPA, 1, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	offer(vm, 0);
}

static void self_loop(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	offer(vm, 0);
}

static void beyond_ram(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, 16 * MiB - 8, 16, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
}

static void wrapping(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, 0xfffffffffffff000ULL, 0x2000, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
}

static void mmio_hole(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, 0xfec00000ULL, 16, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
}

static void zero_length(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 0, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
}

static void read_only(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, 0, 0);	/* rng must write: not writable */
	offer(vm, 0);
}

static void read_after_write(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(vm, DESC_GPA, 1, BUF_GPA + 16, 16, VRING_DESC_F_NEXT, 2);
	set_desc(vm, DESC_GPA, 2, BUF_GPA + 32, 16, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
}

static void next_out_of_ring(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, QSIZE);
	offer(vm, 0);
}

static void head_out_of_ring(struct vm *vm)
{
	offer(vm, QSIZE + 3);
}

static void index_jump(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	avail(vm)->idx = QSIZE + 1;			/* more available than the ring holds */
}

static void index_wrap(struct vm *vm)
{
	avail(vm)->idx = 0xffff;			/* "minus one": 65535 entries */
}

static void indirect_too_long(struct vm *vm)
{
	for (unsigned int i = 0; i < VQ_MAX_SEGS + 4; i++)
		set_desc(vm, TABLE_GPA, i, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, i + 1);
	set_desc(vm, DESC_GPA, 0, TABLE_GPA, 16 * (VQ_MAX_SEGS + 4), VRING_DESC_F_INDIRECT, 0);
	offer(vm, 0);
}

static void indirect_chain_too_long(struct vm *vm)
{
	/* Six direct buffers, then a legal table of 254: 260 buffers in all. */
	for (unsigned int i = 0; i < 254; i++)
		set_desc(vm, TABLE_GPA, i, BUF_GPA, 8,
			 VRING_DESC_F_WRITE | (i < 253 ? VRING_DESC_F_NEXT : 0), (u16)(i + 1));
	for (unsigned int i = 0; i < 6; i++)
		set_desc(vm, DESC_GPA, i, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
			 (u16)(i + 1));
	set_desc(vm, DESC_GPA, 6, TABLE_GPA, 16 * 254, VRING_DESC_F_INDIRECT, 0);
	offer(vm, 0);
}

static void indirect_with_next(struct vm *vm)
{
	set_desc(vm, TABLE_GPA, 0, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	set_desc(vm, DESC_GPA, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	set_desc(vm, DESC_GPA, 1, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	offer(vm, 0);
}

static void indirect_loop(struct vm *vm)
{
	set_desc(vm, TABLE_GPA, 0, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(vm, TABLE_GPA, 1, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	set_desc(vm, DESC_GPA, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(vm, 0);
}

static void indirect_nested(struct vm *vm)
{
	set_desc(vm, TABLE_GPA, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(vm, DESC_GPA, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	offer(vm, 0);
}

static void indirect_bad_length(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, TABLE_GPA, 24, VRING_DESC_F_INDIRECT, 0);
	offer(vm, 0);
}

static void indirect_in_mmio(struct vm *vm)
{
	set_desc(vm, DESC_GPA, 0, 0xfee00000ULL, 32, VRING_DESC_F_INDIRECT, 0);
	offer(vm, 0);
}

static void indirect_next_out(struct vm *vm)
{
	set_desc(vm, TABLE_GPA, 0, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	set_desc(vm, TABLE_GPA, 1, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	set_desc(vm, DESC_GPA, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(vm, 0);
}

TEST_HOST(virtio_loop_in_a_chain_needs_reset)
{
	hostile(t, F_V1, loop2, "two-descriptor loop");
	hostile(t, F_V1, self_loop, "descriptor pointing at itself");
}

TEST_HOST(virtio_buffer_outside_ram_needs_reset)
{
	hostile(t, F_V1, beyond_ram, "buffer crossing the end of RAM");
	hostile(t, F_V1, wrapping, "buffer wrapping the address space");
	hostile(t, F_V1, mmio_hole, "buffer in the MMIO hole (IOAPIC)");
}

TEST_HOST(virtio_zero_length_buffer_needs_reset)
{
	hostile(t, F_V1, zero_length, "zero-length buffer");
}

TEST_HOST(virtio_wrong_direction_needs_reset)
{
	hostile(t, F_V1, read_only, "device must write a read-only buffer");
	hostile(t, F_V1, read_after_write, "readable buffer after a writable one");
}

TEST_HOST(virtio_index_out_of_ring_needs_reset)
{
	hostile(t, F_V1, next_out_of_ring, "next index beyond the ring");
	hostile(t, F_V1, head_out_of_ring, "head index beyond the ring");
	hostile(t, F_V1, index_jump, "available index jumps past the ring size");
	hostile(t, F_V1, index_wrap, "available index wraps backwards");
}

TEST_HOST(virtio_bad_indirect_tables_need_reset)
{
	hostile(t, F_V1, indirect_loop, "indirect table without the feature");
	hostile(t, F_V1 | F_INDIRECT, indirect_with_next, "indirect descriptor with NEXT");
	hostile(t, F_V1 | F_INDIRECT, indirect_loop, "loop in an indirect table");
	hostile(t, F_V1 | F_INDIRECT, indirect_too_long, "indirect table over the chain limit");
	hostile(t, F_V1 | F_INDIRECT, indirect_chain_too_long, "chain over the limit across tables");
	hostile(t, F_V1 | F_INDIRECT, indirect_nested, "nested indirect table");
	hostile(t, F_V1 | F_INDIRECT, indirect_bad_length, "table length not a multiple of 16");
	hostile(t, F_V1 | F_INDIRECT, indirect_in_mmio, "indirect table in the MMIO hole");
	hostile(t, F_V1 | F_INDIRECT, indirect_next_out, "indirect next beyond the table");
}

TEST_HOST(virtio_rings_outside_ram_need_reset_at_enable)
{
	struct rig r;
	u64 b;

	ASSERT_TRUE(rig_new(&r, F_V1));
	b = bar4(r.vd);
	vw(r.vm, b + 0x14, 1, 0);
	vw(r.vm, b + 0x14, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vw(r.vm, b + 0x08, 4, 1);
	vw(r.vm, b + 0x0c, 4, 1);
	vw(r.vm, b + 0x14, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	   VIRTIO_CONFIG_S_FEATURES_OK);
	vw(r.vm, b + 0x18, 2, QSIZE);
	vw(r.vm, b + 0x20, 8, 16 * MiB - 64);		/* the table runs past RAM */
	vw(r.vm, b + 0x28, 8, AVAIL_GPA);
	vw(r.vm, b + 0x30, 8, USED_GPA);
	vw(r.vm, b + 0x1c, 2, 1);
	EXPECT_EQ(vstatus(r.vd) & VIRTIO_CONFIG_S_NEEDS_RESET, VIRTIO_CONFIG_S_NEEDS_RESET);
	EXPECT_EQ(vr(r.vm, b + 0x1c, 2), 0);		/* not enabled */
	vw(r.vm, b + 0x18, 2, 7);			/* not a power of two: never enabled */
	rig_free(&r);
}

TEST_HOST(virtio_features_ok_needs_version_1_and_only_offered_bits)
{
	struct rig r;
	u64 b;

	ASSERT_TRUE(rig_new(&r, F_V1));
	b = bar4(r.vd);
	vw(r.vm, b + 0x00, 4, 1);
	EXPECT_EQ(vr(r.vm, b + 0x04, 4) & 1, 1);	/* VERSION_1 offered */
	EXPECT_EQ(vr(r.vm, b + 0x12, 2), 1);		/* one queue */
	driver_init(r.vd, 0);				/* legacy driver: no VERSION_1 */
	EXPECT_EQ(vstatus(r.vd) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	driver_init(r.vd, F_V1 | 1ULL << 3);		/* a bit we never offered */
	EXPECT_EQ(vstatus(r.vd) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	driver_init(r.vd, F_V1 | F_EVENT_IDX);
	EXPECT_EQ(vstatus(r.vd) & VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_CONFIG_S_FEATURES_OK);
	vw(r.vm, b + 0x14, 1, 0);			/* reset */
	EXPECT_EQ(vstatus(r.vd), 0);
	EXPECT_EQ(vr(r.vm, b + 0x1c, 2), 0);
	vw(r.vm, b + 0x7, 2, 0xffff);			/* misaligned, unknown: ignored */
	vw(r.vm, b + 0x14, 4, 0xff);			/* wrong width: ignored */
	EXPECT_EQ(vstatus(r.vd), 0);
	rig_free(&r);
}

TEST_HOST(virtio_event_idx_suppresses_and_asks_for_interrupts)
{
	struct rig r;
	struct vring_avail *a;
	unsigned int isr;

	ASSERT_TRUE(rig_new(&r, F_V1 | F_EVENT_IDX));
	a = avail(r.vm);
	set_desc(r.vm, DESC_GPA, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	set_desc(r.vm, DESC_GPA, 1, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	a->ring[QSIZE] = 5;				/* used_event: not before entry 5 */
	offer(r.vm, 0);
	virtio__kick_now(r.vd, 0);
	isr = (unsigned int)vr(r.vm, bar4(r.vd) + 0x1000, 1);
	EXPECT_EQ(isr & 1, 1);				/* the first one always signals */
	offer(r.vm, 1);
	virtio__kick_now(r.vd, 0);
	EXPECT_EQ(used(r.vm)->idx, 2);
	EXPECT_EQ(vr(r.vm, bar4(r.vd) + 0x1000, 1), 0);	/* suppressed */
	EXPECT_EQ(used(r.vm)->ring[QSIZE].id & 0xffff, 2);	/* avail_event: tell me at 2 */
	a->ring[QSIZE] = 2;
	offer(r.vm, 0);
	virtio__kick_now(r.vd, 0);
	EXPECT_EQ(vr(r.vm, bar4(r.vd) + 0x1000, 1) & 1, 1);
	rig_free(&r);
}
