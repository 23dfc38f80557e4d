/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XDR (RFC 4506) as libvirt's protocol uses it: big-endian 4-byte units; hyper is 8 bytes;
 * strings and variable opaques are a length and bytes padded to 4; fixed opaques (a UUID)
 * are only padded; an optional value ("*" in the .x files) is a 4-byte 0/1 then the value;
 * char and short fields take a whole 4-byte unit.
 * A writer grows its buffer; a reader never reads past its end: any error (short data, a
 * string over its limit or with a NUL in it) sets x->err and the values read are zero.
 */
#ifndef VIRTVMXD_XDR_H
#define VIRTVMXD_XDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdr {
	uint8_t *buf;
	size_t len;		/* bytes written, or the end of what can be read */
	size_t cap;		/* writer: allocated */
	size_t pos;		/* reader: next byte */
	bool err;
};

/* Writer. xdr_init reserves `reserve` bytes at the start (the frame length and header). */
void xdr_init(struct xdr *x, size_t reserve);
void xdr_free(struct xdr *x);
void put_u32(struct xdr *x, uint32_t v);
static inline void put_i32(struct xdr *x, int32_t v) { put_u32(x, (uint32_t)v); }
void put_u64(struct xdr *x, uint64_t v);
void put_double(struct xdr *x, double v);
void put_bytes(struct xdr *x, const void *p, size_t n);	/* fixed opaque (padded) */
void put_opaque(struct xdr *x, const void *p, size_t n);	/* variable opaque */
void put_str(struct xdr *x, const char *s);		/* NULL is written as "" */
void put_optstr(struct xdr *x, const char *s);		/* NULL: absent */
/* Overwrite a u32 written earlier at offset off (counts patched after the fact). */
void patch_u32(struct xdr *x, size_t off, uint32_t v);

/* Reader over buf[0..len). */
void xdr_reader(struct xdr *x, const void *buf, size_t len);
uint32_t get_u32(struct xdr *x);
static inline int32_t get_i32(struct xdr *x) { return (int32_t)get_u32(x); }
uint64_t get_u64(struct xdr *x);
void get_bytes(struct xdr *x, void *p, size_t n);
/* A string of at most max bytes, malloc'ed (NULL on error). */
char *get_str(struct xdr *x, size_t max);
/* An optional string: NULL when absent (check x->err to tell an error apart). */
char *get_optstr(struct xdr *x, size_t max);

#endif
