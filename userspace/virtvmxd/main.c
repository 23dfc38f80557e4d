// SPDX-License-Identifier: GPL-2.0
/*
 * virtvmxd's front door: options, directories, the two listening sockets (read-write and
 * read-only, as libvirt's daemons have them) and one reader thread per client, which cuts
 * the byte stream into frames and hands calls to dispatch.c.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "virtvmxd.h"

static bool log_verbose;

void logmsg(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "virtvmxd: %s\n", buf);
}

/* Read exactly n bytes; 0, or -1 on EOF/error. */
static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void keepalive_pong(struct conn *c)
{
	struct xdr x;

	xdr_init(&x, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	conn_send(c, &x, KEEPALIVE_PROGRAM, KEEPALIVE_PONG, RPC_MESSAGE, 0, RPC_OK);
}

/*
 * One frame from the client; false to drop the client. Malformed framing (a length below the
 * header or above libvirt's maximum, a type a client never sends) ends the connection, as
 * libvirt's own daemon does; a call it cannot decode or does not know gets an error reply.
 */
static bool conn_frame(struct conn *c, uint8_t *frame, size_t len)
{
	struct xdr h;
	struct call call = { .conn = c };
	uint32_t type, status;

	xdr_reader(&h, frame, len);
	call.prog = get_u32(&h);
	call.vers = get_u32(&h);
	call.proc = get_u32(&h);
	type = get_u32(&h);
	call.serial = get_u32(&h);
	status = get_u32(&h);
	if (call.prog == KEEPALIVE_PROGRAM) {
		if (type != RPC_MESSAGE || call.vers != KEEPALIVE_VERSION) {
			logmsg("keepalive message of type %u version %u: dropping the client",
			       type, call.vers);
			return false;
		}
		if (call.proc == KEEPALIVE_PING)
			keepalive_pong(c);
		return true;		/* PONG: nothing to do, we never send PINGs */
	}
	if (type == RPC_STREAM || type == RPC_STREAM_HOLE) {
		if (type == RPC_STREAM && call.prog == REMOTE_PROGRAM &&
		    stream_input(c, call.proc, call.serial, status, frame + h.pos, len - h.pos))
			return true;
		/* Data for a stream that is gone (it ended while the client sent): ignore. */
		return true;
	}
	if (type != RPC_CALL) {
		logmsg("message of type %u from a client: dropping it", type);
		return false;
	}
	xdr_reader(&call.in, frame + h.pos, len - h.pos);
	xdr_init(&call.out, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	if (call.prog != REMOTE_PROGRAM) {
		call.err_domain = FROM_RPC;
		call_error(&call, ERR_RPC, "cannot find program %#x version %u", call.prog,
			   call.vers);
		call_reply_error(&call);
	} else if (call.vers != REMOTE_VERSION) {
		call.err_domain = FROM_RPC;
		call_error(&call, ERR_RPC, "cannot find program %#x version %u (virtvmxd speaks version %d)",
			   call.prog, call.vers, REMOTE_VERSION);
		call_reply_error(&call);
	} else {
		dispatch_call(&call);
	}
	xdr_free(&call.out);
	return true;
}

static void conn_unlink(struct conn *c)
{
	struct daemon *d = c->d;

	pthread_mutex_lock(&d->lock);
	for (struct conn **p = &d->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			c->refs--;
			d->nconns[c->readonly]--;
			break;
		}
	}
	pthread_mutex_unlock(&d->lock);
}

static void *conn_reader(void *opaque)
{
	struct conn *c = opaque;
	uint8_t lenbuf[RPC_LEN_SIZE];

	for (;;) {
		uint32_t len;
		uint8_t *frame;
		bool ok;

		if (read_full(c->fd, lenbuf, sizeof(lenbuf)))
			break;
		len = (uint32_t)lenbuf[0] << 24 | lenbuf[1] << 16 | lenbuf[2] << 8 | lenbuf[3];
		if (len < RPC_LEN_SIZE + RPC_HEADER_SIZE || len > RPC_LEN_SIZE + RPC_MESSAGE_MAX) {
			logmsg("frame of %u bytes from a client (%d to %d allowed): dropping it", len,
			       RPC_LEN_SIZE + RPC_HEADER_SIZE, RPC_LEN_SIZE + RPC_MESSAGE_MAX);
			break;
		}
		frame = malloc(len - RPC_LEN_SIZE);
		if (!frame || read_full(c->fd, frame, len - RPC_LEN_SIZE)) {
			free(frame);
			break;
		}
		ok = conn_frame(c, frame, len - RPC_LEN_SIZE);
		free(frame);
		if (!ok)
			break;
	}
	conn_kill(c);
	streams_close_all(c);
	conn_unlink(c);
	conn_put(c);
	return NULL;
}

/*
 * Each socket has its own limit of clients (two threads each), so that anyone who can
 * reach the 0666 read-only socket cannot exhaust the daemon's threads and descriptors, nor
 * lock root out of the read-write one. Over the limit a new client is closed at once
 * (libvirtd does the same past max_clients).
 */
static bool conn_admit(struct daemon *d, bool readonly)
{
	static time_t last_log;
	bool ok;

	pthread_mutex_lock(&d->lock);
	ok = d->nconns[readonly] < d->max_clients;
	if (ok)
		d->nconns[readonly]++;
	pthread_mutex_unlock(&d->lock);
	if (!ok && time(NULL) != last_log) {	/* at most one line a second */
		last_log = time(NULL);
		logmsg("%u clients on the %s socket already (--max-clients): closing a new one",
		       d->max_clients, readonly ? "read-only" : "read-write");
	}
	return ok;
}

static void conn_new(struct daemon *d, int fd, bool readonly)
{
	struct conn *c;
	pthread_attr_t attr;
	pthread_t t;

	if (!conn_admit(d, readonly)) {
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		pthread_mutex_lock(&d->lock);
		d->nconns[readonly]--;
		pthread_mutex_unlock(&d->lock);
		return;
	}
	c->d = d;
	c->fd = fd;
	c->readonly = readonly;
	c->refs = 2;			/* the list and the reader */
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	if (conn_start_writer(c)) {
		close(fd);
		free(c);
		pthread_mutex_lock(&d->lock);
		d->nconns[readonly]--;
		pthread_mutex_unlock(&d->lock);
		return;
	}
	pthread_mutex_lock(&d->lock);
	c->next = d->conns;
	d->conns = c;
	pthread_mutex_unlock(&d->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, conn_reader, c)) {
		conn_kill(c);
		conn_unlink(c);
		conn_put(c);
	}
	pthread_attr_destroy(&attr);
}

/* Listen at path (mode), replacing a stale socket; -1 if a daemon answers there. */
static int listen_at(const char *path, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		logmsg("%s: path too long for a socket", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		logmsg("%s: another daemon listens there (is virtvmxd running already?)", path);
		close(fd);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, mode) ||
	    listen(fd, 128)) {
		logmsg("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* mkdir -p */
static int mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, mode) && errno != EEXIST ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: virtvmxd [options]\n"
		"libvirt's RPC protocol for vmxmon VMs: virsh -c vmx:///system, libvirt-python,\n"
		"virt-install (see README.md, \"Managing VMs with virsh\").\n"
		"\n"
		"  --session           per-user daemon (vmx:///session): sockets in\n"
		"                      $XDG_RUNTIME_DIR/libvirt, definitions in ~/.config/vmxmon\n"
		"                      (default: system, vmx:///system)\n"
		"  --root DIR          put every path below DIR (tests) (default: /)\n"
		"  --vmxrun PATH       the launcher (the domains' default emulator)\n"
		"                      (default: vmxrun next to virtvmxd, else /usr/bin/vmxrun)\n"
		"  --dev PATH          hypervisor device for vmxrun (default: /dev/vmxmon)\n"
		"  --start-timeout S   seconds a starting VM has to answer on its control socket\n"
		"                      (default: 60)\n"
		"  --max-clients N     clients per socket (read-write, read-only); more are closed\n"
		"                      at once (default: 256)\n"
		"  --verbose           log every call (default: errors and lifecycle only)\n"
		"  -h, --help          this help\n"
		"\n"
		"System paths: sockets /run/libvirt/virtvmxd-sock (0600) and virtvmxd-sock-ro\n"
		"(0666); definitions /var/lib/vmxmon/domains, storage pools /var/lib/vmxmon/pools;\n"
		"running VMs /run/vmxmon/virtvmxd (control and console sockets, state); VM logs\n"
		"/var/log/vmxmon. Stopping the daemon leaves running VMs alone; it re-attaches to\n"
		"them when it starts again.\n");
}

static char self_dir[PATH_MAX];

static const char *default_vmxrun(void)
{
	static char path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
	char *slash;

	if (n > 0) {
		self_dir[n] = 0;
		slash = strrchr(self_dir, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, sizeof(path), "%s/vmxrun", self_dir);
			if (!access(path, X_OK))
				return path;
		}
	}
	return "/usr/bin/vmxrun";
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "session", no_argument, NULL, 's' }, { "root", required_argument, NULL, 'r' },
		{ "vmxrun", required_argument, NULL, 'x' }, { "dev", required_argument, NULL, 'd' },
		{ "start-timeout", required_argument, NULL, 't' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon d = { .lock = PTHREAD_MUTEX_INITIALIZER, .next_id = 1,
				   .dev = "/dev/vmxmon", .start_timeout_s = 60, .max_clients = 256 };
	const char *root = "", *home = getenv("HOME"), *xdg = getenv("XDG_RUNTIME_DIR");
	bool session = false;
	char sockdir[PATH_MAX];
	struct pollfd pfd[2];
	int c;

	d.vmxrun = default_vmxrun();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': session = true; break;
		case 'r': root = optarg; break;
		case 'x': d.vmxrun = optarg; break;
		case 'd': d.dev = optarg; break;
		case 't': d.start_timeout_s = (unsigned int)atoi(optarg); break;
		case 'm':
			if (atoi(optarg) < 1) {
				fprintf(stderr, "virtvmxd: --max-clients: a number of at least 1\n");
				return 2;
			}
			d.max_clients = (unsigned int)atoi(optarg);
			break;
		case 'v': log_verbose = d.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "virtvmxd: unexpected argument '%s' (see virtvmxd --help)\n", argv[optind]);
		return 2;
	}
	if (session) {
		if (!xdg || !home) {
			fprintf(stderr, "virtvmxd: --session needs $XDG_RUNTIME_DIR and $HOME\n");
			return 2;
		}
		d.uri = "vmx:///session";
		snprintf(sockdir, sizeof(sockdir), "%s%s/libvirt", root, xdg);
		snprintf(d.dom_dir, sizeof(d.dom_dir), "%s%s/.config/vmxmon/domains", root, home);
		snprintf(d.pool_dir, sizeof(d.pool_dir), "%s%s/.config/vmxmon/pools", root, home);
		snprintf(d.run_dir, sizeof(d.run_dir), "%s%s/vmxmon", root, xdg);
		snprintf(d.log_dir, sizeof(d.log_dir), "%s%s/.cache/vmxmon/log", root, home);
	} else {
		d.uri = "vmx:///system";
		snprintf(sockdir, sizeof(sockdir), "%s/run/libvirt", root);
		snprintf(d.dom_dir, sizeof(d.dom_dir), "%s/var/lib/vmxmon/domains", root);
		snprintf(d.pool_dir, sizeof(d.pool_dir), "%s/var/lib/vmxmon/pools", root);
		snprintf(d.run_dir, sizeof(d.run_dir), "%s/run/vmxmon/virtvmxd", root);
		snprintf(d.log_dir, sizeof(d.log_dir), "%s/var/log/vmxmon", root);
	}
	snprintf(d.sock, sizeof(d.sock), "%s/virtvmxd-sock", sockdir);
	snprintf(d.sock_ro, sizeof(d.sock_ro), "%s/virtvmxd-sock-ro", sockdir);
	if (mkdirs(sockdir, 0755) || mkdirs(d.dom_dir, 0700) || mkdirs(d.pool_dir, 0700) ||
	    mkdirs(d.run_dir, 0700) || mkdirs(d.log_dir, 0700)) {
		fprintf(stderr, "virtvmxd: cannot create the directories below %s: %s\n",
			*root ? root : "/", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	pfd[0].fd = listen_at(d.sock, session ? 0700 : 0600);
	pfd[1].fd = pfd[0].fd < 0 ? -1 : listen_at(d.sock_ro, session ? 0700 : 0666);
	if (pfd[1].fd < 0)
		return 1;
	pfd[0].events = pfd[1].events = POLLIN;
	dom_load_all(&d);
	pools_load(&d);
	vm_reattach_all(&d);
	dom_autostart(&d);
	logmsg("listening on %s and %s (%s; vmxrun %s on %s)", d.sock, d.sock_ro, d.uri,
	       d.vmxrun, d.dev);
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < 2; i++) {
			int fd;

			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0) {
				conn_new(&d, fd, i == 1);
			} else if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
				   errno == ENOBUFS) {
				/* The client stays queued and poll() would return at once:
				 * wait for descriptors rather than spin (and log once a second). */
				static time_t last;

				if (time(NULL) != last) {
					last = time(NULL);
					logmsg("accept: %s", strerror(errno));
				}
				usleep(100 * 1000);
			}
		}
	}
}
