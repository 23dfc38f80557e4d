// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: virtio-balloon (hw/virtio/balloon.c) against a driver made of BAR
 * accesses and rings in guest RAM: the target in the config and its interrupt, inflated and
 * reported pages discarded (they read back as zero), hostile page frame numbers and chains
 * (DEVICE_NEEDS_RESET; run under ASan/UBSan by make check-sanitize), statistics, reset, and
 * the control socket's balloon and query-balloon.
 */
#include <jansson.h>
#include <linux/virtio_balloon.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/control.h"
#include "harness.h"
#include "hw/virtio/devices.h"
#include "virtio_util.h"

#define F_V1		(1ULL << VIRTIO_F_VERSION_1)
#define F_STATS		(1ULL << VIRTIO_BALLOON_F_STATS_VQ)
#define F_OOM		(1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM)
#define F_REPORT	(1ULL << VIRTIO_BALLOON_F_REPORTING)
#define RAM		(16 * MiB)
#define RING(q)		(0x100000ULL + 0x10000ULL * (q))	/* desc; avail +4K, used +8K */
#define PFN_GPA		0x200000ULL				/* PFN arrays */
#define PAGES_GPA	0x400000ULL				/* the pages given up */

struct rig {
	struct vm *vm;
	struct virtio_dev *vd;
};

/* The driver's initialisation with nq queues of QSIZE entries at RING(q). */
static void bdriver_init(struct virtio_dev *vd, u64 features, unsigned int nq, bool ok)
{
	struct vm *vm = vd->vm;
	u64 b = bar4(vd);
	u8 st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	vw(vm, b + 0x14, 1, 0);
	vw(vm, b + 0x14, 1, st);
	vw(vm, b + 0x08, 4, 0);
	vw(vm, b + 0x0c, 4, (u32)features);
	vw(vm, b + 0x08, 4, 1);
	vw(vm, b + 0x0c, 4, (u32)(features >> 32));
	vw(vm, b + 0x14, 1, st |= VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned int q = 0; q < nq; q++) {
		memset(vm__gpa(vm, RING(q), 0x3000), 0, 0x3000);
		vw(vm, b + 0x16, 2, q);
		vw(vm, b + 0x18, 2, QSIZE);
		vw(vm, b + 0x20, 8, RING(q));
		vw(vm, b + 0x28, 8, RING(q) + 0x1000);
		vw(vm, b + 0x30, 8, RING(q) + 0x2000);
		vw(vm, b + 0x1c, 2, 1);
	}
	if (ok)
		vw(vm, b + 0x14, 1, st | VIRTIO_CONFIG_S_DRIVER_OK);
}

static bool rig_new(struct rig *r, const char *spec, u64 features, unsigned int nq)
{
	struct balloon_opts o;
	char msg[256];

	r->vm = host_vm_new(RAM);
	if (!r->vm || balloon__parse(spec, &o, msg, sizeof(msg)))
		return false;
	r->vd = balloon__new(r->vm, &o, msg, sizeof(msg));
	if (!r->vd)
		return false;
	r->vm->virtio[r->vm->nr_virtio++] = r->vd;
	bdriver_init(r->vd, features, nq, true);
	return true;
}

/* Chain head -> buffers on queue q: descriptors i..i+n-1 chained, offered, kicked. */
static void post(struct rig *r, unsigned int q, const u64 *gpa, const u32 *len, unsigned int n,
		 u16 flags)
{
	struct vring_avail *a = vm__gpa(r->vm, RING(q) + 0x1000, 6 + 2 * QSIZE);

	for (unsigned int i = 0; i < n; i++)
		set_desc(r->vm, RING(q), i, gpa[i], len[i],
			 (u16)(flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0)), (u16)(i + 1));
	/* Atomic, as a guest's: the device thread may look at the ring (DRIVER_OK kicks it). */
	a->ring[a->idx % QSIZE] = 0;
	__atomic_store_n(&a->idx, (u16)(a->idx + 1), __ATOMIC_RELEASE);
	virtio__kick_now(r->vd, q);
}

static u16 used_idx(struct rig *r, unsigned int q)
{
	struct vring_used *u = vm__gpa(r->vm, RING(q) + 0x2000, 6 + 8 * QSIZE);

	return __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
}

static bool needs_reset(struct rig *r)
{
	return vstatus(r->vd) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* Inflate (q 0) or deflate (q 1) with these PFNs in one readable buffer. */
static void pfns(struct rig *r, unsigned int q, const u32 *pfn, unsigned int n)
{
	u64 gpa = PFN_GPA;
	u32 len = 4 * n;

	memcpy(vm__gpa(r->vm, PFN_GPA, len), pfn, len);
	post(r, q, &gpa, &len, 1, 0);
}

static u32 cfg32(struct rig *r, u32 off)
{
	return (u32)vr(r->vm, bar4(r->vd) + 0x2000 + off, 4);
}

static bool all_bytes(struct vm *vm, u64 gpa, u64 len, u8 v)
{
	const u8 *p = vm__gpa(vm, gpa, len);

	for (u64 i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

TEST_HOST(balloon_offers_stats_and_asked_features_with_device_id_5)
{
	struct rig r;
	u64 b;

	ASSERT_TRUE(rig_new(&r, "deflate-on-oom=on,free-page-reporting=on", 0, 0));
	b = bar4(r.vd);
	EXPECT_EQ(r.vd->ops->device_id, 5);
	vw(r.vm, b + 0x00, 4, 0);
	EXPECT_EQ(vr(r.vm, b + 0x04, 4) & (F_STATS | F_OOM | F_REPORT), F_STATS | F_OOM | F_REPORT);
	vw(r.vm, b + 0x00, 4, 1);
	EXPECT_EQ(vr(r.vm, b + 0x04, 4) & 1, 1);		/* VERSION_1 */
	EXPECT_EQ(vr(r.vm, b + 0x12, 2), 4);			/* inflate, deflate, stats, report */
	host_vm_free(r.vm);
	ASSERT_TRUE(rig_new(&r, NULL, 0, 0));
	vw(r.vm, bar4(r.vd) + 0x00, 4, 0);
	EXPECT_EQ(vr(r.vm, bar4(r.vd) + 0x04, 4) & (F_STATS | F_OOM | F_REPORT), F_STATS);
	EXPECT_EQ(vr(r.vm, bar4(r.vd) + 0x12, 2), 3);
	host_vm_free(r.vm);
}

TEST_HOST(balloon_target_sets_num_pages_and_raises_a_config_interrupt)
{
	struct rig r;

	ASSERT_TRUE(rig_new(&r, NULL, F_V1 | F_STATS, 3));
	EXPECT_EQ(cfg32(&r, 0), 0);
	(void)vr(r.vm, bar4(r.vd) + 0x1000, 1);			/* clear the ISR */
	balloon__set_target(r.vd, RAM - 4 * MiB);
	EXPECT_EQ(cfg32(&r, 0), 1024);				/* 4 MiB of 4 KiB pages */
	EXPECT_EQ(vr(r.vm, bar4(r.vd) + 0x1000, 1), 2);		/* config change, INTx */
	vw(r.vm, bar4(r.vd) + 0x2000, 4, 77);			/* num_pages is the host's */
	vw(r.vm, bar4(r.vd) + 0x2004, 4, 1024);			/* actual is the driver's */
	EXPECT_EQ(cfg32(&r, 0), 1024);
	EXPECT_EQ(cfg32(&r, 4), 1024);
	balloon__set_target(r.vd, 64 * GiB);			/* more than its RAM: all */
	EXPECT_EQ(cfg32(&r, 0), 0);
	host_vm_free(r.vm);
}

TEST_HOST(balloon_inflated_pages_are_discarded_and_deflate_takes_them_back)
{
	u32 pf[] = { PAGES_GPA >> 12, (PAGES_GPA >> 12) + 1, (PAGES_GPA >> 12) + 3 };
	struct rig r;

	ASSERT_TRUE(rig_new(&r, NULL, F_V1, 2));
	memset(vm__gpa(r.vm, PAGES_GPA, 4 * 4096), 0xaa, 4 * 4096);
	pfns(&r, 0, pf, 3);
	EXPECT_TRUE(!needs_reset(&r));
	EXPECT_EQ(used_idx(&r, 0), 1);
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA, 2 * 4096, 0));	/* discarded: zero again */
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA + 2 * 4096, 4096, 0xaa));	/* not given */
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA + 3 * 4096, 4096, 0));
	memset(vm__gpa(r.vm, PAGES_GPA, 4096), 0x55, 4096);
	pfns(&r, 1, pf, 3);					/* deflate: accepted, kept */
	EXPECT_TRUE(!needs_reset(&r));
	EXPECT_EQ(used_idx(&r, 1), 1);
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA, 4096, 0x55));
	host_vm_free(r.vm);
}

/* One hostile inflate request: the device must need a reset, and RAM outside stays. */
static void hostile_pfn(struct test_ctx *t, u32 pfn, const char *what)
{
	struct rig r;

	ASSERT_TRUE(rig_new(&r, NULL, F_V1, 2));
	memset(vm__gpa(r.vm, PAGES_GPA, 4096), 0xaa, 4096);
	pfns(&r, 0, (u32[]){ PAGES_GPA >> 12, pfn }, 2);
	if (!needs_reset(&r))
		t_fail(t, __FILE__, __LINE__, "%s: no DEVICE_NEEDS_RESET", what);
	if (used_idx(&r, 0))
		t_fail(t, __FILE__, __LINE__, "%s: the device used a bad chain", what);
	host_vm_free(r.vm);
}

TEST_HOST(balloon_pfn_outside_ram_or_in_the_mmio_hole_needs_reset)
{
	hostile_pfn(t, RAM >> 12, "page frame just past RAM");
	hostile_pfn(t, 0xfec00, "page frame of the IOAPIC (MMIO hole)");
	hostile_pfn(t, 0xfffff, "last page below 4 GiB");
	hostile_pfn(t, 0xffffffff, "largest page frame number");
}

TEST_HOST(balloon_malformed_pfn_chains_need_reset)
{
	u64 gpa = PFN_GPA;
	u32 len = 6;						/* not whole 32-bit numbers */
	struct rig r;

	ASSERT_TRUE(rig_new(&r, NULL, F_V1, 2));
	post(&r, 0, &gpa, &len, 1, 0);
	EXPECT_TRUE(needs_reset(&r));
	host_vm_free(r.vm);
	ASSERT_TRUE(rig_new(&r, NULL, F_V1, 2));
	len = 4;
	post(&r, 1, &gpa, &len, 1, VRING_DESC_F_WRITE);		/* deflate buffer writable */
	EXPECT_TRUE(needs_reset(&r));
	host_vm_free(r.vm);
	ASSERT_TRUE(rig_new(&r, NULL, F_V1, 2));
	gpa = RAM - 2;						/* buffer past RAM: the core */
	post(&r, 0, &gpa, &len, 1, 0);
	EXPECT_TRUE(needs_reset(&r));
	host_vm_free(r.vm);
}

TEST_HOST(balloon_stats_are_kept_and_asked_for_again)
{
	u8 st[3 * 10] = { 0 };
	struct balloon_info bi;
	u64 gpa = PFN_GPA;
	u32 len = sizeof(st);
	struct rig r;

	ASSERT_TRUE(rig_new(&r, "stats=1", F_V1 | F_STATS, 3));
	le_put(st, 2, VIRTIO_BALLOON_S_MEMFREE);
	le_put(st + 2, 8, 123 * MiB);
	le_put(st + 10, 2, VIRTIO_BALLOON_S_MEMTOT);
	le_put(st + 12, 8, 456 * MiB);
	le_put(st + 20, 2, 999);				/* unknown tag: ignored */
	memcpy(vm__gpa(r.vm, PFN_GPA, len), st, len);
	post(&r, 2, &gpa, &len, 1, 0);
	EXPECT_TRUE(!needs_reset(&r));
	EXPECT_EQ(used_idx(&r, 2), 0);				/* held until we want more */
	balloon__query(r.vd, &bi);
	EXPECT_EQ(bi.stats.val[VIRTIO_BALLOON_S_MEMFREE], 123 * MiB);
	EXPECT_EQ(bi.stats.val[VIRTIO_BALLOON_S_MEMTOT], 456 * MiB);
	EXPECT_EQ(bi.stats.valid, (1u << VIRTIO_BALLOON_S_MEMFREE) | (1u << VIRTIO_BALLOON_S_MEMTOT));
	EXPECT_TRUE(bi.stats.updated > 0);
	EXPECT_EQ(bi.actual, RAM);
	for (int i = 0; i < 300 && used_idx(&r, 2) == 0; i++)	/* stats=1: the timer returns it */
		usleep(10000);
	EXPECT_EQ(used_idx(&r, 2), 1);
	len = 5;						/* not whole entries */
	post(&r, 2, &gpa, &len, 1, 0);
	EXPECT_TRUE(needs_reset(&r));
	host_vm_free(r.vm);
}

TEST_HOST(balloon_stats_primed_before_driver_ok_are_taken)
{
	u8 st[10] = { 0 };
	struct balloon_info bi = { 0 };
	u64 gpa = PFN_GPA;
	u32 len = sizeof(st);
	struct rig r;

	ASSERT_TRUE(rig_new(&r, NULL, 0, 0));
	bdriver_init(r.vd, F_V1 | F_STATS, 3, false);		/* as Linux: not DRIVER_OK yet */
	le_put(st, 2, VIRTIO_BALLOON_S_MEMFREE);
	le_put(st + 2, 8, 7 * MiB);
	memcpy(vm__gpa(r.vm, PFN_GPA, len), st, len);
	post(&r, 2, &gpa, &len, 1, 0);				/* ignored: not running */
	vw(r.vm, bar4(r.vd) + 0x14, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	for (int i = 0; i < 300 && !bi.stats.valid; i++) {	/* the device thread takes it */
		balloon__query(r.vd, &bi);
		usleep(10000);
	}
	EXPECT_EQ(bi.stats.val[VIRTIO_BALLOON_S_MEMFREE], 7 * MiB);
	host_vm_free(r.vm);
}

TEST_HOST(balloon_free_page_reports_discard_whole_pages)
{
	u64 gpa[2] = { PAGES_GPA + 100, PAGES_GPA + 8 * 4096 };
	u32 len[2] = { 3 * 4096, 4096 };
	struct rig r;

	ASSERT_TRUE(rig_new(&r, "free-page-reporting=on", F_V1 | F_STATS | F_REPORT, 4));
	memset(vm__gpa(r.vm, PAGES_GPA, 10 * 4096), 0xaa, 10 * 4096);
	post(&r, 3, gpa, len, 2, VRING_DESC_F_WRITE);
	EXPECT_TRUE(!needs_reset(&r));
	EXPECT_EQ(used_idx(&r, 3), 1);
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA, 4096, 0xaa));		/* partly reported */
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA + 4096, 2 * 4096, 0));	/* whole pages: gone */
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA + 3 * 4096, 5 * 4096, 0xaa));
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA + 8 * 4096, 4096, 0));
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA + 9 * 4096, 4096, 0xaa));
	post(&r, 3, gpa, len, 1, 0);				/* a readable report */
	EXPECT_TRUE(needs_reset(&r));
	host_vm_free(r.vm);
}

TEST_HOST(balloon_without_stats_feature_numbers_the_report_queue_2)
{
	u64 gpa = PAGES_GPA;
	u32 len = 4096;
	struct rig r;

	ASSERT_TRUE(rig_new(&r, "free-page-reporting=on", F_V1 | F_REPORT, 3));
	memset(vm__gpa(r.vm, PAGES_GPA, 4096), 0xaa, 4096);
	post(&r, 2, &gpa, &len, 1, VRING_DESC_F_WRITE);
	EXPECT_TRUE(!needs_reset(&r));
	EXPECT_TRUE(all_bytes(r.vm, PAGES_GPA, 4096, 0));
	host_vm_free(r.vm);
}

TEST_HOST(balloon_reset_empties_actual_and_keeps_the_target)
{
	struct rig r;

	ASSERT_TRUE(rig_new(&r, NULL, F_V1, 2));
	balloon__set_target(r.vd, RAM / 2);
	vw(r.vm, bar4(r.vd) + 0x2004, 4, 2048);
	EXPECT_EQ(cfg32(&r, 4), 2048);
	vw(r.vm, bar4(r.vd) + 0x14, 1, 0);			/* device reset */
	EXPECT_EQ(cfg32(&r, 4), 0);
	EXPECT_EQ(cfg32(&r, 0), 2048);
	host_vm_free(r.vm);
}

static json_t *ask(struct vm *vm, const char *line)
{
	char *out = qmp__handle_line(vm, line);
	json_t *j = json_loads(out ? out : "", 0, NULL);

	free(out);
	return j;
}

TEST_HOST(qmp_balloon_sets_the_target_and_query_balloon_reports_actual)
{
	struct rig r;
	json_t *j, *ret;

	ASSERT_TRUE(rig_new(&r, NULL, F_V1 | F_STATS, 3));
	j = ask(r.vm, "{\"execute\": \"balloon\", \"arguments\": {\"value\": 8388608}, \"id\": 1}");
	EXPECT_TRUE(json_is_object(json_object_get(j, "return")));
	json_decref(j);
	EXPECT_EQ(cfg32(&r, 0), 2048);
	vw(r.vm, bar4(r.vd) + 0x2004, 4, 1024);			/* the guest is half way */
	j = ask(r.vm, "{\"execute\": \"query-balloon\"}");
	ret = json_object_get(j, "return");
	EXPECT_EQ(json_integer_value(json_object_get(ret, "actual")), (json_int_t)(RAM - 4 * MiB));
	EXPECT_EQ(json_integer_value(json_object_get(ret, "target")), (json_int_t)(8 * MiB));
	EXPECT_TRUE(json_is_object(json_object_get(ret, "stats")));
	json_decref(j);
	j = ask(r.vm, "{\"execute\": \"balloon\", \"arguments\": {\"value\": 0}}");
	EXPECT_TRUE(json_object_get(j, "error") != NULL);
	json_decref(j);
	j = ask(r.vm, "{\"execute\": \"balloon\", \"arguments\": {\"value\": \"1G\"}}");
	EXPECT_TRUE(json_object_get(j, "error") != NULL);
	json_decref(j);
	EXPECT_EQ(cfg32(&r, 0), 2048);				/* errors changed nothing */
	host_vm_free(r.vm);
}

TEST_HOST(qmp_balloon_without_a_balloon_is_an_error)
{
	struct vm *vm = host_vm_new(RAM);
	json_t *j;

	ASSERT_TRUE(vm);
	j = ask(vm, "{\"execute\": \"query-balloon\"}");
	EXPECT_TRUE(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "desc")),
			   "No balloon device") != NULL);
	json_decref(j);
	j = ask(vm, "{\"execute\": \"balloon\", \"arguments\": {\"value\": 1048576}}");
	EXPECT_TRUE(json_object_get(j, "error") != NULL);
	json_decref(j);
	host_vm_free(vm);
}

TEST_HOST(balloon_options_parse_and_reject_unknown_words)
{
	struct balloon_opts o;
	char err[256];

	EXPECT_EQ(balloon__parse("deflate-on-oom=on,stats=5,free-page-reporting=on", &o, err,
				 sizeof(err)), 0);
	EXPECT_TRUE(o.deflate_on_oom && o.reporting && o.stats_secs == 5);
	EXPECT_EQ(balloon__parse(NULL, &o, err, sizeof(err)), 0);
	EXPECT_TRUE(!o.deflate_on_oom && !o.reporting && !o.stats_secs);
	EXPECT_EQ(balloon__parse("stats=-1", &o, err, sizeof(err)), -1);
	EXPECT_EQ(balloon__parse("deflate-on-oom=maybe", &o, err, sizeof(err)), -1);
	EXPECT_TRUE(strstr(err, "deflate-on-oom=maybe") != NULL);
}
