// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM binary-statistics reader (userspace/stats/kvm_stats.c, used by vmxctl stat and
 * stats_test) on file images built here: KVM's layout parses and its values are found by
 * name; a header or descriptor that lies (offsets outside the file, overlapping blocks,
 * unknown types, names without a NUL) is refused, never read past.
 */
#include <errno.h>
#include <string.h>

#include "kvm_stats.h"
#include "util.h"
#include "vm.h"

#define NAME_SIZE	48
#define NDESC		3
#define DESC_SIZE	(sizeof(struct kvm_stats_desc) + NAME_SIZE)

struct image {
	struct kvm_stats_header h;
	char id[NAME_SIZE];
	uint8_t desc[NDESC][DESC_SIZE];
	uint64_t data[NDESC];
};

static struct kvm_stats_desc *desc(struct image *im, int i)
{
	return (struct kvm_stats_desc *)im->desc[i];
}

/* A file as KVM lays it out: "exits" (cumulative), "blocking" (instant boolean), "ns". */
static void build(struct image *im)
{
	static const char *const names[NDESC] = { "exits", "blocking", "halt_wait_ns" };
	static const uint32_t flags[NDESC] = {
		KVM_STATS_TYPE_CUMULATIVE,
		KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BOOLEAN,
		KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS,
	};

	memset(im, 0, sizeof(*im));
	im->h = (struct kvm_stats_header){
		.name_size = NAME_SIZE, .num_desc = NDESC,
		.id_offset = sizeof(im->h), .desc_offset = offsetof(struct image, desc),
		.data_offset = offsetof(struct image, data),
	};
	strcpy(im->id, "kvm-1234/vcpu-0");
	for (int i = 0; i < NDESC; i++) {
		desc(im, i)->flags = flags[i];
		desc(im, i)->exponent = i == 2 ? -9 : 0;
		desc(im, i)->size = 1;
		desc(im, i)->offset = (NDESC - 1 - i) * 8;	/* any order in the data */
		strcpy(desc(im, i)->name, names[i]);
		im->data[NDESC - 1 - i] = 100 + i;
	}
}

TEST_HOST(stats_reader_parses_kvm_layout_and_finds_values_by_name)
{
	struct image im;
	struct kvm_stats s;

	build(&im);
	ASSERT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), 0);
	EXPECT_EQ(strcmp(s.id, "kvm-1234/vcpu-0"), 0);
	EXPECT_EQ(s.hdr.num_desc, NDESC);
	EXPECT_EQ(s.data_words, NDESC);
	EXPECT_EQ(kvm_stats_find(&s, "blocking"), 1);
	EXPECT_EQ(kvm_stats_find(&s, "nope"), -1);
	memcpy(s.data, im.data, sizeof(im.data));	/* what kvm_stats_read() would pread */
	EXPECT_EQ(kvm_stats_value(&s, kvm_stats_find(&s, "exits")), 100);
	EXPECT_EQ(kvm_stats_value(&s, kvm_stats_find(&s, "halt_wait_ns")), 102);
	EXPECT_EQ(kvm_stats_value(&s, -1), 0);
	EXPECT_EQ(strcmp(kvm_stats_type_name(kvm_stats_desc(&s, 1)->flags), "instant"), 0);
	EXPECT_EQ(strcmp(kvm_stats_unit_name(kvm_stats_desc(&s, 1)->flags), "boolean"), 0);
	EXPECT_EQ(strcmp(kvm_stats_unit_name(kvm_stats_desc(&s, 2)->flags), "seconds"), 0);
	kvm_stats_free(&s);
}

TEST_HOST(stats_reader_refuses_headers_and_descriptors_that_lie)
{
	struct image im;
	struct kvm_stats s;

	build(&im);
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im.h) - 1), -EINVAL);	/* short */
	EXPECT_EQ(kvm_stats_parse(&s, &im, offsetof(struct image, desc[1])), -EINVAL);
	build(&im), im.h.flags = 1;
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), im.h.name_size = 0;
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), im.h.num_desc = 1000;				/* past the end */
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), im.h.data_offset = im.h.desc_offset + DESC_SIZE;	/* overlaps */
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), im.h.id_offset = sizeof(im) - 4;
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), desc(&im, 1)->flags = 0xf;				/* type 15 */
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), desc(&im, 1)->flags = 0xf0;				/* unit 15 */
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), desc(&im, 0)->size = 0;
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), desc(&im, 0)->offset = 3;				/* not a u64 */
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im), memset(desc(&im, 2)->name, 'x', NAME_SIZE);	/* no NUL */
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	build(&im);
	EXPECT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), 0);
	kvm_stats_free(&s);
}

/*
 * A descriptor the reader refuses is named with what it holds, so that a bad file is
 * diagnosable from a test log alone: issue 17's 6.12 module wrote descriptors 112 bytes
 * apart while its header said 64, and readers saw descriptor 1 as zeros.
 */
TEST_HOST(stats_reader_names_the_descriptor_it_refuses)
{
	struct image im;
	struct kvm_stats s;

	build(&im);
	memset(desc(&im, 1), 0, DESC_SIZE);
	ASSERT_EQ(kvm_stats_parse(&s, &im, sizeof(im)), -EINVAL);
	EXPECT_TRUE(strstr(kvm_stats_error(), "descriptor 1 of 3 (after \"exits\")") != NULL);
	EXPECT_TRUE(strstr(kvm_stats_error(), "flags 0x0 size 0 offset 0") != NULL);
}
