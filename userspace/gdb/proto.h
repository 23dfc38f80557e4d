/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GDB remote serial protocol's framing, without I/O (host-tested: tests/gdb_proto_test.c).
 * The socket is an input like any other: every byte sequence is taken without crashing;
 * a packet longer than GDB_PKT_MAX or with a bad checksum is dropped and NAKed.
 */
#ifndef VMXRUN_GDB_PROTO_H
#define VMXRUN_GDB_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/types.h"

#define GDB_PKT_MAX	4096	/* PacketSize we announce; also the largest reply */

enum gdb_rx_event {
	GDB_RX_NONE,		/* need more bytes */
	GDB_RX_PACKET,		/* rx->buf holds a packet (NUL-terminated, rx->len bytes): ACK it */
	GDB_RX_BAD,		/* bad checksum or too long: NAK it */
	GDB_RX_INTERRUPT,	/* 0x03 outside a packet (Ctrl-C) */
};

struct gdb_rx {
	enum { RX_IDLE, RX_DATA, RX_ESC, RX_CSUM1, RX_CSUM2 } state;
	u8 sum;			/* running checksum of the packet data as sent */
	u8 csum;		/* the one received */
	bool overflow;
	size_t len;
	char buf[GDB_PKT_MAX + 1];
};

void gdb_rx_init(struct gdb_rx *rx);
/* Feed one byte; returns what it completed. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, u8 c);

/*
 * Frame @len bytes of @data as "$data#cs" into @out (escaping '#', '$', '}' and '*'):
 * returns the framed length, or 0 if it would not fit in @outlen.
 */
size_t gdb_frame(const char *data, size_t len, char *out, size_t outlen);

/* Hex helpers: -1 / false on anything that is not what they expect. */
int gdb_hexval(char c);
/* Parse hex digits at *p (at least one), stop at the first non-hex: false if none / overflow. */
bool gdb_parse_hex(const char **p, u64 *v);
/* Decode 2*n hex chars of @hex into @out: false on a bad char or odd length. */
bool gdb_hex_decode(const char *hex, size_t hexlen, u8 *out);
/* Encode @n bytes as 2n lower-case hex chars (+ NUL) into @out. */
void gdb_hex_encode(const u8 *in, size_t n, char *out);

#endif
