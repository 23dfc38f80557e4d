// SPDX-License-Identifier: GPL-2.0
/*
 * Console streams (OPEN_CONSOLE, procedure 201): the reply, then STREAM messages both ways
 * with the call's serial: status CONTINUE carries raw bytes (an empty one from us is the end
 * of the data: libvirt's clients take an unasked-for OK as a protocol error), OK from the
 * client finishes a stream, ERROR aborts it; both are confirmed with an empty OK, as
 * libvirt's daemon does. A stream stays known until the client finishes or aborts it (or
 * goes), even after its data ended, so that the confirmation can be sent.
 * One thread per stream reads the domain's console socket (vmxrun --console socket:PATH)
 * and queues what the guest writes on the connection's writer; what the client sends is
 * written to the socket by the connection's reader. When the VM ends, the socket closes and
 * the client gets the end of the stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "virtvmxd.h"

struct stream {
	struct stream *next;		/* (conn->lock) */
	struct conn *conn;		/* a reference */
	struct domain *dom;		/* a reference */
	uint32_t proc, serial;
	int fd;				/* -1 once the reader is done */
	bool closed;			/* (conn->lock) finished or aborted by the client, or the
					 * connection went: no more messages */
	bool eof;			/* (conn->lock) the reader is done */
};

static void stream_unlink(struct stream *s)
{
	struct conn *c = s->conn;

	pthread_mutex_lock(&c->lock);
	for (struct stream **p = &c->streams; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static void stream_send(struct stream *s, uint32_t status, const void *data, size_t len)
{
	struct xdr x;

	xdr_init(&x, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	if (len)
		put_bytes(&x, data, len);
	x.len = RPC_LEN_SIZE + RPC_HEADER_SIZE + len;	/* raw bytes: no XDR padding */
	conn_send(s->conn, &x, REMOTE_PROGRAM, s->proc, RPC_STREAM, s->serial, status);
}

static void stream_free(struct stream *s)
{
	struct daemon *d = s->conn->d;

	dom_put(d, s->dom);
	conn_put(s->conn);
	free(s);
}

static void *stream_reader(void *opaque)
{
	struct stream *s = opaque;
	struct conn *c = s->conn;
	uint8_t buf[16384];
	bool gone;

	for (;;) {
		ssize_t r = read(s->fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		stream_send(s, RPC_CONTINUE, buf, (size_t)r);
	}
	pthread_mutex_lock(&c->lock);
	gone = s->closed;
	pthread_mutex_unlock(&c->lock);
	if (!gone)		/* the VM's end (or --force elsewhere): the end of the data */
		stream_send(s, RPC_CONTINUE, NULL, 0);
	/* Until eof is set, only this thread frees the stream. */
	pthread_mutex_lock(&c->lock);
	close(s->fd);
	s->fd = -1;
	s->eof = true;
	gone = s->closed;
	pthread_mutex_unlock(&c->lock);
	if (gone) {		/* the client finished or went: nobody else holds it */
		stream_unlink(s);
		stream_free(s);
	}
	return NULL;
}

/* Whether another connection (or this one) has the domain's console; (d) held. */
static struct stream *console_holder(struct daemon *d, struct domain *dom)
{
	for (struct conn *c = d->conns; c; c = c->next) {
		pthread_mutex_lock(&c->lock);
		for (struct stream *s = c->streams; s; s = s->next) {
			if (s->dom == dom && !s->closed && !s->eof) {
				pthread_mutex_unlock(&c->lock);
				return s;
			}
		}
		pthread_mutex_unlock(&c->lock);
	}
	return NULL;
}

int console_open(struct call *c, struct domain *dom, unsigned int flags)
{
	struct daemon *d = c->conn->d;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stream *s, *old;
	pthread_attr_t attr;
	pthread_t t;
	int fd;

	pthread_mutex_lock(&d->lock);
	if (dom->id < 0 || !dom->con_path) {
		pthread_mutex_unlock(&d->lock);
		return call_error(c, ERR_OPERATION_INVALID, "Requested operation is not valid: domain is not running");
	}
	old = console_holder(d, dom);
	if (old && !(flags & DOMAIN_CONSOLE_FORCE)) {
		pthread_mutex_unlock(&d->lock);
		return call_error(c, ERR_OPERATION_FAILED, "operation failed: Active console session exists for this domain (virsh console --force takes it over)");
	}
	if (old) {			/* --force: its client gets the end of its stream */
		pthread_mutex_lock(&old->conn->lock);
		if (old->fd >= 0)
			shutdown(old->fd, SHUT_RDWR);
		pthread_mutex_unlock(&old->conn->lock);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", dom->con_path);
	pthread_mutex_unlock(&d->lock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return call_error(c, ERR_OPERATION_FAILED, "cannot reach the console of %s (%s): %s",
				  dom->name, sa.sun_path, strerror(e));
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return call_error(c, ERR_INTERNAL_ERROR, "out of memory");
	}
	s->conn = c->conn;
	s->dom = dom;
	s->proc = c->proc;
	s->serial = c->serial;
	s->fd = fd;
	conn_get(c->conn);
	pthread_mutex_lock(&d->lock);
	dom->refs++;
	pthread_mutex_unlock(&d->lock);
	/* In the list before the reply: the client may send data right after it. */
	pthread_mutex_lock(&c->conn->lock);
	s->next = c->conn->streams;
	c->conn->streams = s;
	pthread_mutex_unlock(&c->conn->lock);
	call_reply(c);			/* before the first data, which the thread queues */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, stream_reader, s)) {
		stream_send(s, RPC_CONTINUE, NULL, 0);
		pthread_mutex_lock(&c->conn->lock);
		close(fd);
		s->fd = -1;
		s->eof = true;
		pthread_mutex_unlock(&c->conn->lock);
	}
	pthread_attr_destroy(&attr);
	return 1;
}

bool stream_input(struct conn *c, uint32_t proc, uint32_t serial, uint32_t status,
		  const uint8_t *data, size_t len)
{
	struct stream *s;
	bool free_it = false;
	int fd = -1;

	pthread_mutex_lock(&c->lock);
	for (s = c->streams; s; s = s->next)
		if (s->proc == proc && s->serial == serial && !s->closed)
			break;
	if (s && status != RPC_CONTINUE) {
		s->closed = true;	/* finish (OK) or abort (ERROR): confirm, then end */
		if (s->fd >= 0)
			shutdown(s->fd, SHUT_RDWR);	/* the reader frees it */
		free_it = s->eof;
	} else if (s && s->fd >= 0) {
		fd = dup(s->fd);	/* the reader may close s->fd meanwhile */
	}
	pthread_mutex_unlock(&c->lock);
	if (!s)
		return false;
	if (status != RPC_CONTINUE) {
		struct xdr x;

		xdr_init(&x, RPC_LEN_SIZE + RPC_HEADER_SIZE);
		conn_send(c, &x, REMOTE_PROGRAM, proc, RPC_STREAM, serial, RPC_OK);
		if (free_it) {
			stream_unlink(s);
			stream_free(s);
		}
		return true;
	}
	while (fd >= 0 && len) {
		ssize_t r = send(fd, data, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;		/* the VM is going: its end of data follows */
		data += r;
		len -= (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	return true;
}

/* The connection is going: streams whose reader is done are freed here, the others by it. */
void streams_close_all(struct conn *c)
{
	struct stream *done = NULL;

	pthread_mutex_lock(&c->lock);
	for (struct stream **p = &c->streams; *p;) {
		struct stream *s = *p;

		s->closed = true;
		if (s->eof) {
			*p = s->next;
			s->next = done;
			done = s;
			continue;
		}
		shutdown(s->fd, SHUT_RDWR);
		p = &s->next;
	}
	pthread_mutex_unlock(&c->lock);
	while (done) {
		struct stream *s = done;

		done = s->next;
		stream_free(s);
	}
}

void streams_close_domain(struct daemon *d, struct domain *dom)
{
	pthread_mutex_lock(&d->lock);
	for (struct conn *c = d->conns; c; c = c->next) {
		pthread_mutex_lock(&c->lock);
		for (struct stream *s = c->streams; s; s = s->next)
			if (s->dom == dom && s->fd >= 0)
				shutdown(s->fd, SHUT_RDWR);	/* the reader sends the end */
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&d->lock);
}
