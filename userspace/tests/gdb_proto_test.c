// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the GDB stub's packet framing (gdb/proto.c) and its --gdb address parser.
 * The socket is an input: malformed packets, bad checksums, over-long packets and random
 * bytes must be NAKed or ignored, never crash or overflow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "gdb/gdb.h"
#include "gdb/proto.h"

/* Feed @s; return the last event other than NONE (and the count of packets in *npkt). */
static enum gdb_rx_event feed(struct gdb_rx *rx, const char *s, size_t len, int *npkt)
{
	enum gdb_rx_event last = GDB_RX_NONE, e;

	*npkt = 0;
	for (size_t i = 0; i < len; i++) {
		e = gdb_rx_byte(rx, (u8)s[i]);
		if (e != GDB_RX_NONE)
			last = e;
		if (e == GDB_RX_PACKET)
			(*npkt)++;
	}
	return last;
}

TEST_HOST(gdb_rx_accepts_a_packet_with_a_good_checksum)
{
	struct gdb_rx rx;
	int n;

	gdb_rx_init(&rx);
	EXPECT_EQ(feed(&rx, "+$qSupported#37", 15, &n), GDB_RX_PACKET);
	EXPECT_EQ(n, 1);
	EXPECT_TRUE(!strcmp(rx.buf, "qSupported"));
	EXPECT_EQ(feed(&rx, "$g#67", 5, &n), GDB_RX_PACKET);
	EXPECT_TRUE(!strcmp(rx.buf, "g"));
}

TEST_HOST(gdb_rx_naks_a_bad_checksum_and_a_non_hex_one)
{
	struct gdb_rx rx;
	int n;

	gdb_rx_init(&rx);
	EXPECT_EQ(feed(&rx, "$g#68", 5, &n), GDB_RX_BAD);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(feed(&rx, "$g#zz", 5, &n), GDB_RX_BAD);
	EXPECT_EQ(feed(&rx, "$g#67", 5, &n), GDB_RX_PACKET);	/* and recovers */
}

TEST_HOST(gdb_rx_unescapes_and_reports_ctrl_c_between_packets)
{
	struct gdb_rx rx;
	char pkt[32];
	size_t len;
	int n;

	gdb_rx_init(&rx);
	len = gdb_frame("X1,2:}#$*", 9, pkt, sizeof(pkt));
	ASSERT_GT(len, 0);
	EXPECT_EQ(feed(&rx, pkt, len, &n), GDB_RX_PACKET);
	EXPECT_EQ(rx.len, 9);
	EXPECT_TRUE(!memcmp(rx.buf, "X1,2:}#$*", 9));
	EXPECT_EQ(gdb_rx_byte(&rx, 0x03), GDB_RX_INTERRUPT);
	/* 0x03 inside a packet is data */
	EXPECT_EQ(feed(&rx, "$\x03#03", 5, &n), GDB_RX_PACKET);
}

TEST_HOST(gdb_rx_drops_an_over_long_packet_without_overflow)
{
	struct gdb_rx rx;
	size_t big = 3 * GDB_PKT_MAX;
	char *s = malloc(big + 4);
	u8 sum = 0;
	int n;

	ASSERT_TRUE(s != NULL);
	s[0] = '$';
	for (size_t i = 1; i <= big; i++) {
		s[i] = 'a';
		sum += 'a';
	}
	snprintf(s + big + 1, 4, "#%02x", sum);
	gdb_rx_init(&rx);
	EXPECT_EQ(feed(&rx, s, big + 4, &n), GDB_RX_BAD);
	EXPECT_EQ(n, 0);
	EXPECT_LE(rx.len, GDB_PKT_MAX);
	free(s);
}

TEST_HOST(gdb_rx_survives_random_bytes)
{
	struct gdb_rx rx;
	unsigned int seed = 19;
	int n;

	gdb_rx_init(&rx);
	for (int round = 0; round < 2000; round++) {
		char buf[512];

		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (char)(seed >> 16);
		}
		feed(&rx, buf, sizeof(buf), &n);
		EXPECT_LE(rx.len, GDB_PKT_MAX);
	}
	EXPECT_EQ(feed(&rx, "$g#67", 5, &n), GDB_RX_PACKET);	/* still in step */
}

TEST_HOST(gdb_frame_escapes_and_refuses_what_does_not_fit)
{
	char out[16];

	EXPECT_EQ(gdb_frame("OK", 2, out, sizeof(out)), 6);
	EXPECT_TRUE(!memcmp(out, "$OK#9a", 6));
	EXPECT_EQ(gdb_frame("#", 1, out, sizeof(out)), 6);
	EXPECT_TRUE(!memcmp(out, "$}\x03#", 4));
	EXPECT_EQ(gdb_frame("0123456789abcdef", 16, out, sizeof(out)), 0);
}

TEST_HOST(gdb_hex_helpers_reject_bad_digits_and_overflow)
{
	const char *p = "1f,", *q = "11111111111111111", *r = ",";
	u8 b[4];
	u64 v;

	EXPECT_TRUE(gdb_parse_hex(&p, &v));
	EXPECT_EQ(v, 0x1f);
	EXPECT_EQ(*p, ',');
	EXPECT_TRUE(!gdb_parse_hex(&q, &v));	/* 17 digits: more than 64 bits */
	EXPECT_TRUE(!gdb_parse_hex(&r, &v));
	EXPECT_TRUE(gdb_hex_decode("0aFf", 4, b));
	EXPECT_EQ(b[0], 0x0a);
	EXPECT_EQ(b[1], 0xff);
	EXPECT_TRUE(!gdb_hex_decode("0g", 2, b));
	EXPECT_TRUE(!gdb_hex_decode("abc", 3, b));
}

TEST_HOST(gdb_spec_defaults_to_loopback_and_checks_the_port)
{
	char host[64], msg[160];
	unsigned int port;

	EXPECT_EQ(gdb__parse_spec("tcp:127.0.0.1:1234", host, sizeof(host), &port, msg, sizeof(msg)), 0);
	EXPECT_EQ(port, 1234);
	EXPECT_EQ(gdb__parse_spec("tcp::4321", host, sizeof(host), &port, msg, sizeof(msg)), 0);
	EXPECT_TRUE(!strcmp(host, "127.0.0.1"));
	EXPECT_EQ(gdb__parse_spec("tcp:9", host, sizeof(host), &port, msg, sizeof(msg)), 0);
	EXPECT_TRUE(!strcmp(host, "127.0.0.1"));
	EXPECT_EQ(gdb__parse_spec("tcp:0.0.0.0:1", host, sizeof(host), &port, msg, sizeof(msg)), 0);
	EXPECT_TRUE(!strcmp(host, "0.0.0.0"));
	EXPECT_EQ(gdb__parse_spec("unix:/x", host, sizeof(host), &port, msg, sizeof(msg)), -1);
	EXPECT_EQ(gdb__parse_spec("tcp:1.2.3.4:0", host, sizeof(host), &port, msg, sizeof(msg)), -1);
	EXPECT_EQ(gdb__parse_spec("tcp:1.2.3.4:65536", host, sizeof(host), &port, msg, sizeof(msg)), -1);
	EXPECT_EQ(gdb__parse_spec("tcp:1.2.3.4:", host, sizeof(host), &port, msg, sizeof(msg)), -1);
}
