/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of KVM's binary statistics (KVM_GET_STATS_FD, <linux/kvm.h>): the same code
 * reads a /dev/kvm VM's or vCPU's stats fd and a /dev/vmxmon one. Used by `vmxctl stat`,
 * the selftests (stats_test) and its own host test (selftests/stats_parse_test.c).
 *
 * The file: header at 0; id string at id_offset; num_desc descriptors of
 * sizeof(struct kvm_stats_desc) + name_size bytes at desc_offset; u64 data at data_offset,
 * each statistic's size values at data_offset + its offset.
 */
#ifndef VMXMON_KVM_STATS_H
#define VMXMON_KVM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

struct kvm_stats {
	int fd;				/* -1 when parsed from a buffer */
	struct kvm_stats_header hdr;
	char id[256];
	uint8_t *desc;			/* num_desc descriptors, as in the file */
	size_t desc_size;		/* one descriptor with its name */
	uint64_t *data;			/* data_words values, filled by kvm_stats_read() */
	size_t data_words;
};

/*
 * Check and keep the header, id and descriptors of a file image (@len bytes from offset
 * 0, at least up to data_offset): 0, or -EINVAL naming nothing (see kvm_stats_error()).
 */
int kvm_stats_parse(struct kvm_stats *s, const void *image, size_t len);
/* The same from a stats fd (pread); the fd stays the caller's. 0 or -errno. */
int kvm_stats_open(struct kvm_stats *s, int fd);
/* The data block, fresh (pread at data_offset). 0 or -errno. */
int kvm_stats_read(struct kvm_stats *s);
void kvm_stats_free(struct kvm_stats *s);
/* Why the last kvm_stats_parse()/open() said -EINVAL (a static string). */
const char *kvm_stats_error(void);

static inline const struct kvm_stats_desc *kvm_stats_desc(const struct kvm_stats *s,
							  unsigned int i)
{
	return (const struct kvm_stats_desc *)(s->desc + i * s->desc_size);
}

/* The index of the statistic called @name, or -1. */
int kvm_stats_find(const struct kvm_stats *s, const char *name);
/* Its first value (after kvm_stats_read()); 0 for an unknown index. */
uint64_t kvm_stats_value(const struct kvm_stats *s, int i);
/* "cumulative", "instant", "peak", "linear-hist", "log-hist" or "?" */
const char *kvm_stats_type_name(uint32_t flags);
/* "", "bytes", "seconds", "cycles", "boolean" or "?" */
const char *kvm_stats_unit_name(uint32_t flags);

#endif
