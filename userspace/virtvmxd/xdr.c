// SPDX-License-Identifier: GPL-2.0
/* XDR encoding and decoding (see xdr.h). Written from RFC 4506. */
#include <stdlib.h>
#include <string.h>

#include "xdr.h"

void xdr_init(struct xdr *x, size_t reserve)
{
	*x = (struct xdr){ .cap = reserve > 256 ? reserve : 256 };
	x->buf = calloc(1, x->cap);
	if (!x->buf)
		x->err = true;
	x->len = reserve;
}

void xdr_free(struct xdr *x)
{
	free(x->buf);
	x->buf = NULL;
	x->len = x->cap = 0;
}

static uint8_t *xdr_room(struct xdr *x, size_t n)
{
	uint8_t *p;

	if (x->err)
		return NULL;
	if (x->len + n > x->cap) {
		size_t cap = x->cap * 2 > x->len + n ? x->cap * 2 : x->len + n;

		p = realloc(x->buf, cap);
		if (!p) {
			x->err = true;
			return NULL;
		}
		x->buf = p;
		x->cap = cap;
	}
	p = x->buf + x->len;
	x->len += n;
	return p;
}

void put_u32(struct xdr *x, uint32_t v)
{
	uint8_t *p = xdr_room(x, 4);

	if (p) {
		p[0] = v >> 24;
		p[1] = v >> 16;
		p[2] = v >> 8;
		p[3] = v;
	}
}

void patch_u32(struct xdr *x, size_t off, uint32_t v)
{
	if (x->err || off + 4 > x->len)
		return;
	x->buf[off] = v >> 24;
	x->buf[off + 1] = v >> 16;
	x->buf[off + 2] = v >> 8;
	x->buf[off + 3] = v;
}

void put_u64(struct xdr *x, uint64_t v)
{
	put_u32(x, v >> 32);
	put_u32(x, (uint32_t)v);
}

void put_double(struct xdr *x, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));	/* IEEE 754 double, most significant word first */
	put_u64(x, u);
}

void put_bytes(struct xdr *x, const void *src, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	uint8_t *p = xdr_room(x, padded);

	if (!p)
		return;
	memcpy(p, src, n);
	memset(p + n, 0, padded - n);
}

void put_opaque(struct xdr *x, const void *p, size_t n)
{
	put_u32(x, (uint32_t)n);
	put_bytes(x, p, n);
}

void put_str(struct xdr *x, const char *s)
{
	put_opaque(x, s ? s : "", s ? strlen(s) : 0);
}

void put_optstr(struct xdr *x, const char *s)
{
	put_u32(x, s != NULL);
	if (s)
		put_str(x, s);
}

void xdr_reader(struct xdr *x, const void *buf, size_t len)
{
	*x = (struct xdr){ .buf = (uint8_t *)buf, .len = len };
}

static const uint8_t *xdr_take(struct xdr *x, size_t n)
{
	const uint8_t *p;

	if (x->err || n > x->len - x->pos) {
		x->err = true;
		return NULL;
	}
	p = x->buf + x->pos;
	x->pos += n;
	return p;
}

uint32_t get_u32(struct xdr *x)
{
	const uint8_t *p = xdr_take(x, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

uint64_t get_u64(struct xdr *x)
{
	uint64_t hi = get_u32(x);

	return hi << 32 | get_u32(x);
}

void get_bytes(struct xdr *x, void *dst, size_t n)
{
	const uint8_t *p = xdr_take(x, (n + 3) & ~(size_t)3);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

char *get_str(struct xdr *x, size_t max)
{
	uint32_t n = get_u32(x);
	const uint8_t *p;
	char *s;

	if (x->err || n > max) {
		x->err = true;
		return NULL;
	}
	p = xdr_take(x, ((size_t)n + 3) & ~(size_t)3);
	if (!p || memchr(p, 0, n)) {
		x->err = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		x->err = true;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

char *get_optstr(struct xdr *x, size_t max)
{
	uint32_t present = get_u32(x);

	if (present > 1)
		x->err = true;
	return present == 1 ? get_str(x, max) : NULL;
}
