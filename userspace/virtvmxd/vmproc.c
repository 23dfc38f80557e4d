// SPDX-License-Identifier: GPL-2.0
/*
 * Running domains: each is a vmxrun process in its own session (a daemon restart or stop
 * leaves it running: the systemd unit has KillMode=process), driven through its control
 * socket; a monitor thread per domain reads that socket (command replies, and the STOP,
 * RESUME, RESET, SHUTDOWN events, which become libvirt events). When the socket closes the
 * VM is gone: shut off, with the reason its last SHUTDOWN event gave (none: it crashed or
 * was killed). A state file per running domain (run_dir/UUID.state: pid, id, paths, the
 * definition it runs) lets a restarted daemon re-attach.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/sockios.h>

#include "domxml.h"
#include "virtvmxd.h"
#include "vmproc.h"

#define QMP_TIMEOUT_MS	10000
#define LINE_MAX_QMP	65536

struct qmp {
	int fd;
	int refs;			/* (d) the domain, the monitor, each command */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int next_id, want_id;		/* (lock) */
	json_t *reply;			/* (lock) */
	bool gone;			/* (lock) the socket closed */
	struct daemon *d;
	struct domain *dom;		/* a reference */
};

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void qmp_put(struct daemon *d, struct qmp *q)
{
	bool last;

	pthread_mutex_lock(&d->lock);
	last = --q->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (!last)
		return;
	close(q->fd);
	json_decref(q->reply);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q);
}

/* /proc/PID/stat: fields 14, 15 (utime, stime) and 22 (starttime), in clock ticks. */
int proc_stat(pid_t pid, unsigned long long *cpu, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	unsigned long long v[22] = { 0 };
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');		/* after the command name, which may hold spaces */
	if (!p || p[2] == 'Z')
		return -1;		/* a zombie is gone */
	p += 2;
	for (int i = 3; i <= 22 && p; i++) {
		v[i - 1] = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (cpu)
		*cpu = v[13] + v[14];
	if (start)
		*start = v[21];
	return 0;
}

unsigned long long vm_cpu_time_ns(pid_t pid)
{
	unsigned long long t = 0;

	if (pid > 0 && !proc_stat(pid, &t, NULL))
		return t * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
	return 0;
}

int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

void state_path(struct daemon *d, const struct domain *dom, char *out, size_t len)
{
	char u[37];

	uuid_format(dom->uuid, u);
	snprintf(out, len, "%s/%s.state", d->run_dir, u);
}

/* (d) held. */
void write_state(struct daemon *d, struct domain *dom)
{
	char path[PATH_MAX], err[256], *xml = domxml_format(dom->live, -1), *doc;

	state_path(d, dom, path, sizeof(path));
	if (asprintf(&doc, "<vmxrun-state pid='%d' id='%d' starttime='%llu' ctl='%s' con='%s' persistent='%d' paused='%d'>\n%s</vmxrun-state>\n",
		     (int)dom->pid, dom->id, dom->starttime, dom->ctl_path, dom->con_path,
		     dom->persistent, dom->state == ST_PAUSED, xml) >= 0) {
		if (write_file_atomic(path, doc, strlen(doc), err, sizeof(err)))
			logmsg("%s: cannot save its run state (a daemon restart will not find it): %s",
			       dom->name, err);
		free(doc);
	}
	free(xml);
}

/* The VM is gone: shut off, events, clean up. Called by the monitor thread. */
static void vm_finished(struct daemon *d, struct domain *dom, struct qmp *q)
{
	char path[PATH_MAX];
	int detail, reason;
	bool was_child, transient;
	pid_t pid;

	pthread_mutex_lock(&d->lock);
	if (dom->stopping) {
		reason = SHUTOFF_DESTROYED;
		detail = EVD_STOPPED_DESTROYED;
	} else if (!strcmp(dom->shutdown_reason, "guest-triple-fault")) {
		reason = SHUTOFF_CRASHED;
		detail = EVD_STOPPED_CRASHED;
	} else if (dom->shutdown_reason[0] && strcmp(dom->shutdown_reason, "host-error") &&
		   strcmp(dom->shutdown_reason, "host-signal")) {
		reason = SHUTOFF_SHUTDOWN;
		detail = EVD_STOPPED_SHUTDOWN;
	} else {
		reason = SHUTOFF_CRASHED;
		detail = EVD_STOPPED_FAILED;
	}
	logmsg("%s: vmxrun (pid %d) ended: %s%s%s", dom->name, (int)dom->pid,
	       dom->stopping ? "destroyed" : dom->shutdown_reason[0] ? "shut down, " : "died without a SHUTDOWN event (crashed or killed)",
	       dom->stopping ? "" : dom->shutdown_reason, "");
	state_path(d, dom, path, sizeof(path));
	unlink(path);
	pid = dom->pid;
	was_child = dom->child;
	dom->state = ST_SHUTOFF;
	dom->reason = reason;
	dom->id = -1;
	dom->pid = 0;
	dom->stopping = false;
	dom->shutdown_reason[0] = 0;
	if (dom->qmp == q) {
		dom->qmp = NULL;
		q->refs--;		/* the domain's reference; ours stays until we return */
	}
	domxml_free(dom->live);
	dom->live = NULL;
	transient = !dom->persistent && !dom->removed;
	if (transient) {
		dom_unlink(d, dom);
		dom->refs--;		/* the list's reference: the caller still holds one */
	}
	pthread_mutex_unlock(&d->lock);
	if (was_child)
		waitpid(pid, NULL, 0);
	streams_close_domain(d, dom);
	dom_event(d, dom, EV_STOPPED, detail);
}

static void vm_event(struct daemon *d, struct domain *dom, json_t *msg)
{
	const char *ev = json_string_value(json_object_get(msg, "event"));
	const char *reason = json_string_value(json_object_get(json_object_get(msg, "data"), "reason"));

	if (!ev)
		return;
	if (!strcmp(ev, "STOP") || !strcmp(ev, "RESUME")) {
		bool stop = !strcmp(ev, "STOP");

		pthread_mutex_lock(&d->lock);
		dom->state = stop ? ST_PAUSED : ST_RUNNING;
		dom->reason = stop ? PAUSED_USER : RUNNING_UNPAUSED;
		if (dom->live)
			write_state(d, dom);
		pthread_mutex_unlock(&d->lock);
		dom_event(d, dom, stop ? EV_SUSPENDED : EV_RESUMED,
			  stop ? EVD_SUSPENDED_PAUSED : EVD_RESUMED_UNPAUSED);
	} else if (!strcmp(ev, "RESET")) {
		dom_reboot_event(d, dom);
	} else if (!strcmp(ev, "SHUTDOWN")) {
		bool guest = reason && !strncmp(reason, "guest-", 6);

		pthread_mutex_lock(&d->lock);
		snprintf(dom->shutdown_reason, sizeof(dom->shutdown_reason), "%s",
			 reason ? reason : "unknown");
		if (!dom->stopping)
			dom->state = ST_SHUTDOWN;
		pthread_mutex_unlock(&d->lock);
		if (!dom->stopping)
			dom_event(d, dom, EV_SHUTDOWN, guest ? EVD_SHUTDOWN_GUEST : EVD_SHUTDOWN_HOST);
	}
}

static void *vm_monitor(void *opaque)
{
	struct qmp *q = opaque;
	struct daemon *d = q->d;
	struct domain *dom = q->dom;
	char *buf = malloc(LINE_MAX_QMP);
	size_t len = 0;

	for (;;) {
		char *nl;
		ssize_t r;

		if (!buf || len == LINE_MAX_QMP)
			break;		/* a line too long: not vmxrun; treat as gone */
		r = read(q->fd, buf + len, LINE_MAX_QMP - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		while ((nl = memchr(buf, '\n', len))) {
			json_t *msg;

			*nl = 0;
			msg = json_loads(buf, 0, NULL);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
			if (!msg)
				continue;
			if (json_object_get(msg, "event")) {
				vm_event(d, dom, msg);
				json_decref(msg);
				continue;
			}
			pthread_mutex_lock(&q->lock);
			if (json_integer_value(json_object_get(msg, "id")) == q->want_id &&
			    q->want_id && !q->reply) {
				q->reply = msg;
				msg = NULL;
				pthread_cond_broadcast(&q->cond);
			}
			pthread_mutex_unlock(&q->lock);
			json_decref(msg);
		}
	}
	free(buf);
	pthread_mutex_lock(&q->lock);
	q->gone = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	vm_finished(d, dom, q);
	qmp_put(d, q);
	dom_put(d, dom);
	return NULL;
}

/* Connected to the control socket: its greeting is read by the monitor; start it. (d) not held. */
int vm_attach(struct daemon *d, struct domain *dom, int fd)
{
	struct qmp *q = calloc(1, sizeof(*q));
	pthread_attr_t attr;
	pthread_t t;
	int r;

	if (!q)
		return -1;
	q->fd = fd;
	q->d = d;
	q->dom = dom;
	q->refs = 2;			/* the domain, the monitor */
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	pthread_mutex_lock(&d->lock);
	dom->refs++;			/* the monitor's */
	dom->qmp = q;
	pthread_mutex_unlock(&d->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, vm_monitor, q);
	pthread_attr_destroy(&attr);
	if (r) {
		pthread_mutex_lock(&d->lock);
		dom->qmp = NULL;
		dom->refs--;
		pthread_mutex_unlock(&d->lock);
		q->refs = 1;
		qmp_put(d, q);
		return -1;
	}
	return 0;
}

int vm_command(struct daemon *d, struct domain *dom, const char *cmd, void **reply,
	       char *err, size_t errlen)
{
	struct timespec until;
	struct qmp *q;
	char line[256];
	json_t *r = NULL;
	int id, ret = -1;

	pthread_mutex_lock(&d->lock);
	q = dom->qmp;
	if (q)
		q->refs++;
	pthread_mutex_unlock(&d->lock);
	if (!q) {
		snprintf(err, errlen, "domain is not running");
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += QMP_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&q->lock);
	while (q->want_id && !q->gone)		/* one command at a time */
		if (pthread_cond_timedwait(&q->cond, &q->lock, &until))
			break;
	if (q->want_id || q->gone) {
		pthread_mutex_unlock(&q->lock);
		snprintf(err, errlen, q->gone ? "the VM ended" : "vmxrun is busy (no answer in %d s)",
			 QMP_TIMEOUT_MS / 1000);
		qmp_put(d, q);
		return -1;
	}
	id = q->want_id = ++q->next_id;
	snprintf(line, sizeof(line), "{\"execute\":\"%s\",\"id\":%d}\n", cmd, id);
	if (send(q->fd, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line)) {
		snprintf(err, errlen, "vmxrun's control socket: %s", strerror(errno));
	} else {
		while (!q->reply && !q->gone)
			if (pthread_cond_timedwait(&q->cond, &q->lock, &until))
				break;
		r = q->reply;
		q->reply = NULL;
		if (!r)
			snprintf(err, errlen, q->gone ? "the VM ended during %s" :
				 "vmxrun did not answer %s in %d s", cmd, QMP_TIMEOUT_MS / 1000);
	}
	q->want_id = 0;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	if (r && json_object_get(r, "error")) {
		snprintf(err, errlen, "vmxrun: %s: %s", cmd,
			 json_string_value(json_object_get(json_object_get(r, "error"), "desc")) ?: "error");
	} else if (r) {
		ret = 0;
		if (reply) {
			*reply = json_incref(json_object_get(r, "return"));
		}
	}
	json_decref(r);
	qmp_put(d, q);
	return ret;
}

bool vm_wait_stopped(struct daemon *d, struct domain *dom, int ms)
{
	for (int t = 0;; t += 10) {
		bool stopped;

		pthread_mutex_lock(&d->lock);
		stopped = dom->id < 0;
		pthread_mutex_unlock(&d->lock);
		if (stopped || t >= ms)
			return stopped;
		msleep(10);
	}
}

/* (dom->job held.) quit ends vmxrun at once, as destroy should; SIGKILL if it does not. */
int vm_destroy(struct daemon *d, struct domain *dom, char *err, size_t errlen)
{
	pid_t pid;

	pthread_mutex_lock(&d->lock);
	pid = dom->pid;
	dom->stopping = true;
	pthread_mutex_unlock(&d->lock);
	if (!vm_command(d, dom, "quit", NULL, err, errlen) && vm_wait_stopped(d, dom, 5000))
		return 0;
	if (pid > 0)
		kill(pid, SIGKILL);
	if (vm_wait_stopped(d, dom, 10000))
		return 0;
	snprintf(err, errlen, "vmxrun (pid %d) does not end", (int)pid);
	return -1;
}

