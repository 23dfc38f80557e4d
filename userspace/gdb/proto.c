// SPDX-License-Identifier: GPL-2.0
/*
 * GDB remote serial protocol framing ("$data#cs", '+'/'-' acknowledgements, '}' escapes,
 * 0x03 interrupts), as in GDB's manual, "Overview" of the remote protocol. Run-length
 * encoding ('*') is only ever sent by stubs, never by GDB: a '*' in a packet is data.
 */
#include <string.h>

#include "proto.h"

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = RX_IDLE;
	rx->len = 0;
	rx->overflow = false;
	rx->sum = 0;
}

static void rx_put(struct gdb_rx *rx, u8 c)
{
	if (rx->len < GDB_PKT_MAX)
		rx->buf[rx->len++] = (char)c;
	else
		rx->overflow = true;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, u8 c)
{
	int v;

	switch (rx->state) {
	case RX_IDLE:
		if (c == 0x03)
			return GDB_RX_INTERRUPT;
		if (c == '$') {		/* anything else between packets ('+', '-', noise) */
			gdb_rx_init(rx);
			rx->state = RX_DATA;
		}
		return GDB_RX_NONE;
	case RX_DATA:
		if (c == '#') {
			rx->state = RX_CSUM1;
			return GDB_RX_NONE;
		}
		if (c == '$') {		/* a new packet: the old one was cut off */
			gdb_rx_init(rx);
			rx->state = RX_DATA;
			return GDB_RX_NONE;
		}
		rx->sum += c;
		if (c == '}')
			rx->state = RX_ESC;
		else
			rx_put(rx, c);
		return GDB_RX_NONE;
	case RX_ESC:
		rx->sum += c;
		rx_put(rx, c ^ 0x20);
		rx->state = RX_DATA;
		return GDB_RX_NONE;
	case RX_CSUM1:
		v = gdb_hexval((char)c);
		if (v < 0) {
			rx->state = RX_IDLE;
			return GDB_RX_BAD;
		}
		rx->csum = (u8)(v << 4);
		rx->state = RX_CSUM2;
		return GDB_RX_NONE;
	case RX_CSUM2:
		v = gdb_hexval((char)c);
		rx->state = RX_IDLE;
		if (v < 0 || (rx->csum | v) != rx->sum || rx->overflow)
			return GDB_RX_BAD;
		rx->buf[rx->len] = '\0';
		return GDB_RX_PACKET;
	}
	rx->state = RX_IDLE;
	return GDB_RX_NONE;
}

size_t gdb_frame(const char *data, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	u8 sum = 0;

	if (outlen < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		u8 c = (u8)data[i];
		bool esc = c == '#' || c == '$' || c == '}' || c == '*';

		if (o + (esc ? 2 : 1) + 3 > outlen)
			return 0;
		if (esc) {
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[o++] = (char)c;
		sum += c;
	}
	out[o++] = '#';
	out[o++] = "0123456789abcdef"[sum >> 4];
	out[o++] = "0123456789abcdef"[sum & 15];
	return o;
}

int gdb_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool gdb_parse_hex(const char **p, u64 *v)
{
	const char *s = *p;
	u64 x = 0;
	int d, n = 0;

	while ((d = gdb_hexval(*s)) >= 0) {
		if (x >> 60)
			return false;
		x = x << 4 | (u64)d;
		s++;
		n++;
	}
	if (!n)
		return false;
	*p = s;
	*v = x;
	return true;
}

bool gdb_hex_decode(const char *hex, size_t hexlen, u8 *out)
{
	if (hexlen & 1)
		return false;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = gdb_hexval(hex[2 * i]), lo = gdb_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (u8)(hi << 4 | lo);
	}
	return true;
}

void gdb_hex_encode(const u8 *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = "0123456789abcdef"[in[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[in[i] & 15];
	}
	out[2 * n] = '\0';
}
