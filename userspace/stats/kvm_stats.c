// SPDX-License-Identifier: GPL-2.0
/* A reader of KVM's binary statistics files: see kvm_stats.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm_stats.h"

#define MAX_NAME_SIZE	256		/* KVM's is 48: anything far larger is garbage */
#define MAX_DESC	65536

static const char *last_error = "";
static char desc_error[160];

static int bad(const char *why)
{
	last_error = why;
	return -EINVAL;
}

const char *kvm_stats_error(void)
{
	return last_error;
}

int kvm_stats_parse(struct kvm_stats *s, const void *image, size_t len)
{
	const struct kvm_stats_header *h = image;
	uint32_t bad_i = 0;
	size_t end = 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (len < sizeof(*h))
		return bad("shorter than the header");
	s->hdr = *h;
	h = &s->hdr;
	if (h->flags)
		return bad("header flags are not 0");
	if (!h->name_size || h->name_size > MAX_NAME_SIZE)
		return bad("name_size is 0 or too large");
	if (h->num_desc > MAX_DESC)
		return bad("num_desc too large");
	if (h->id_offset < sizeof(*h) || (uint64_t)h->id_offset + h->name_size > len)
		return bad("id string outside the image");
	s->desc_size = sizeof(struct kvm_stats_desc) + h->name_size;
	if (h->desc_offset < sizeof(*h) ||
	    (uint64_t)h->desc_offset + (uint64_t)h->num_desc * s->desc_size > len ||
	    (uint64_t)h->desc_offset + (uint64_t)h->num_desc * s->desc_size > h->data_offset)
		return bad("descriptors outside the image or overlapping the data");
	memcpy(s->id, (const char *)image + h->id_offset,
	       h->name_size < sizeof(s->id) ? h->name_size : sizeof(s->id) - 1);
	if (!memchr(s->id, 0, sizeof(s->id)))
		return bad("id string not terminated");
	s->desc = malloc(h->num_desc * s->desc_size + 1);
	if (!s->desc)
		return -ENOMEM;
	memcpy(s->desc, (const uint8_t *)image + h->desc_offset, h->num_desc * s->desc_size);
	for (uint32_t i = 0; i < h->num_desc; i++) {
		const struct kvm_stats_desc *d = kvm_stats_desc(s, i);

		bad_i = i;
		if ((d->flags & KVM_STATS_TYPE_MASK) > KVM_STATS_TYPE_MAX ||
		    (d->flags & KVM_STATS_UNIT_MASK) > KVM_STATS_UNIT_MAX ||
		    (d->flags & KVM_STATS_BASE_MASK) > KVM_STATS_BASE_MAX)
			goto bad_desc;
		if (!d->size || d->offset % sizeof(uint64_t) ||
		    !memchr(d->name, 0, h->name_size) || !d->name[0])
			goto bad_desc;
		if (end < d->offset + d->size * sizeof(uint64_t))
			end = d->offset + d->size * sizeof(uint64_t);
	}
	s->data_words = end / sizeof(uint64_t);
	s->data = calloc(s->data_words + 1, sizeof(uint64_t));
	if (!s->data) {
		kvm_stats_free(s);
		return -ENOMEM;
	}
	return 0;
bad_desc:
	{
		/* Which one, and what it holds: a bad file is then diagnosable from the log. */
		const struct kvm_stats_desc *d = kvm_stats_desc(s, bad_i);
		const uint8_t *n = (const uint8_t *)d->name;

		snprintf(desc_error, sizeof(desc_error),
			 "descriptor %u of %u (after \"%.32s\") has a bad type, unit, base, size, "
			 "offset or name: flags 0x%x size %u offset %u name %02x%02x%02x%02x%02x%02x"
			 "%02x%02x...", bad_i, h->num_desc,
			 bad_i ? kvm_stats_desc(s, bad_i - 1)->name : "", d->flags, d->size,
			 d->offset, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]);
	}
	kvm_stats_free(s);
	return bad(desc_error);
}

int kvm_stats_open(struct kvm_stats *s, int fd)
{
	struct kvm_stats_header h;
	uint8_t *image;
	ssize_t n;
	int r;

	n = pread(fd, &h, sizeof(h), 0);
	if (n < 0)
		return -errno;
	if (n != sizeof(h) || h.data_offset < sizeof(h) || h.data_offset > (64u << 20))
		return bad("short header or data_offset out of range");
	image = malloc(h.data_offset);
	if (!image)
		return -ENOMEM;
	n = pread(fd, image, h.data_offset, 0);
	r = n < 0 ? -errno : n != (ssize_t)h.data_offset ? bad("short read") :
	    kvm_stats_parse(s, image, h.data_offset);
	free(image);
	if (!r)
		s->fd = fd;
	return r;
}

int kvm_stats_read(struct kvm_stats *s)
{
	size_t len = s->data_words * sizeof(uint64_t);
	ssize_t n = pread(s->fd, s->data, len, s->hdr.data_offset);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void kvm_stats_free(struct kvm_stats *s)
{
	free(s->desc);
	free(s->data);
	s->desc = NULL;
	s->data = NULL;
}

int kvm_stats_find(const struct kvm_stats *s, const char *name)
{
	for (uint32_t i = 0; i < s->hdr.num_desc; i++)
		if (!strcmp(kvm_stats_desc(s, i)->name, name))
			return i;
	return -1;
}

uint64_t kvm_stats_value(const struct kvm_stats *s, int i)
{
	if (i < 0 || (uint32_t)i >= s->hdr.num_desc)
		return 0;
	return s->data[kvm_stats_desc(s, i)->offset / sizeof(uint64_t)];
}

const char *kvm_stats_type_name(uint32_t flags)
{
	static const char *const names[] = { "cumulative", "instant", "peak", "linear-hist",
					     "log-hist" };
	uint32_t t = (flags & KVM_STATS_TYPE_MASK) >> KVM_STATS_TYPE_SHIFT;

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

const char *kvm_stats_unit_name(uint32_t flags)
{
	static const char *const names[] = { "", "bytes", "seconds", "cycles", "boolean" };
	uint32_t u = (flags & KVM_STATS_UNIT_MASK) >> KVM_STATS_UNIT_SHIFT;

	return u < sizeof(names) / sizeof(names[0]) ? names[u] : "?";
}
