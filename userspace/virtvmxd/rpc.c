// SPDX-License-Identifier: GPL-2.0
/*
 * Frames out: every message to a client is built whole (length, header, payload) and queued
 * on its connection; one writer thread per connection writes them in order, so replies,
 * events, stream data and PONGs never interleave inside a frame. A client that lets more
 * than OUT_QUEUE_MAX bytes pile up, or whose socket fails, is dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "virtvmxd.h"

void conn_get(struct conn *c)
{
	pthread_mutex_lock(&c->d->lock);
	c->refs++;
	pthread_mutex_unlock(&c->d->lock);
}

void conn_put(struct conn *c)
{
	struct daemon *d = c->d;
	bool last;

	pthread_mutex_lock(&d->lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (!last)
		return;
	conn_kill(c);
	pthread_join(c->writer, NULL);
	while (c->head) {
		struct outmsg *m = c->head;

		c->head = m->next;
		free(m);
	}
	close(c->fd);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c);
}

/* Stop the writer and make the reader see EOF (shutdown, the fd stays ours until freed). */
void conn_kill(struct conn *c)
{
	pthread_mutex_lock(&c->lock);
	if (!c->dead) {
		c->dead = true;
		shutdown(c->fd, SHUT_RDWR);
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void *conn_writer(void *opaque)
{
	struct conn *c = opaque;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		struct outmsg *m;
		size_t off = 0;

		while (!c->head && !c->dead)
			pthread_cond_wait(&c->cond, &c->lock);
		if (c->dead)
			break;
		m = c->head;
		c->head = m->next;
		if (!c->head)
			c->tail = NULL;
		c->queued -= m->len;
		pthread_mutex_unlock(&c->lock);
		while (off < m->len) {
			ssize_t r = send(c->fd, m->data + off, m->len - off, MSG_NOSIGNAL);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			off += (size_t)r;
		}
		pthread_mutex_lock(&c->lock);
		if (off < m->len && !c->dead) {	/* the client is gone */
			c->dead = true;
			shutdown(c->fd, SHUT_RDWR);
		}
		free(m);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int conn_start_writer(struct conn *c)
{
	return pthread_create(&c->writer, NULL, conn_writer, c) ? -1 : 0;
}

void conn_send(struct conn *c, struct xdr *x, uint32_t prog, uint32_t proc, uint32_t type,
	       uint32_t serial, uint32_t status)
{
	struct outmsg *m;

	if (x->err || x->len - RPC_LEN_SIZE > RPC_MESSAGE_MAX) {
		/* Cannot happen for what we build, except out of memory: drop the client
		 * rather than send a frame it cannot parse. */
		logmsg("cannot build a reply to procedure %u (out of memory or too large): dropping the client",
		       proc);
		xdr_free(x);
		conn_kill(c);
		return;
	}
	patch_u32(x, 0, (uint32_t)x->len);
	patch_u32(x, 4, prog);
	patch_u32(x, 8, prog == KEEPALIVE_PROGRAM ? KEEPALIVE_VERSION : REMOTE_VERSION);
	patch_u32(x, 12, proc);
	patch_u32(x, 16, type);
	patch_u32(x, 20, serial);
	patch_u32(x, 24, status);
	m = malloc(sizeof(*m) + x->len);
	if (m) {
		m->next = NULL;
		m->len = x->len;
		memcpy(m->data, x->buf, x->len);
	}
	xdr_free(x);
	pthread_mutex_lock(&c->lock);
	if (!m || c->dead || c->queued + m->len > OUT_QUEUE_MAX) {
		if (!c->dead && m)
			logmsg("a client does not read its replies (%zu bytes queued): dropping it",
			       c->queued);
		free(m);
		c->dead = true;
		shutdown(c->fd, SHUT_RDWR);
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (c->tail)
		c->tail->next = m;
	else
		c->head = m;
	c->tail = m;
	c->queued += m->len;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* remote_error: code, domain, message, level, dom, str1-3, int1, int2, net. */
void put_error(struct xdr *x, int code, int domain, const char *msg)
{
	put_i32(x, code);
	put_i32(x, domain);
	put_optstr(x, msg);
	put_i32(x, ERR_LEVEL_ERROR);
	put_u32(x, 0);			/* dom: absent */
	put_optstr(x, NULL);		/* str1 */
	put_optstr(x, NULL);
	put_optstr(x, NULL);
	put_i32(x, 0);
	put_i32(x, 0);
	put_u32(x, 0);			/* net: absent */
}

void call_reply(struct call *c)
{
	conn_send(c->conn, &c->out, c->prog, c->proc, RPC_REPLY, c->serial, RPC_OK);
	c->replied = true;
}

void call_reply_error(struct call *c)
{
	struct xdr x;

	xdr_free(&c->out);
	xdr_init(&x, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	put_error(&x, c->err_code, c->err_domain, c->err);
	conn_send(c->conn, &x, c->prog, c->proc, RPC_REPLY, c->serial, RPC_ERROR);
	c->replied = true;
}

int call_error(struct call *c, int code, const char *fmt, ...)
{
	va_list ap;

	c->err_code = code;
	if (!c->err_domain)
		c->err_domain = FROM_DOM;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}
