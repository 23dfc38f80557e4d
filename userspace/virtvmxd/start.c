// SPDX-License-Identifier: GPL-2.0
/*
 * Starting a domain: its definition becomes vmxrun's command line (kernel, initrd,
 * cmdline, memory, vCPUs, the control and console sockets, --reboot; <disk> and
 * <interface> only with a vmxrun that has --disk and --net: otherwise the start fails and
 * says so). vmxrun runs in its own session with its output in log_dir/NAME.log; the start
 * succeeds when its control socket answers, and fails with vmxrun's own last message when
 * it exits first.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "domxml.h"
#include "virtvmxd.h"
#include "vmproc.h"

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* vmxrun's --help mentions an option: what this vmxrun can do for <disk> and <interface>. */
static bool vmxrun_has_option(const char *vmxrun, const char *opt)
{
	char cmd[PATH_MAX + 64], line[512];
	bool found = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' --help 2>/dev/null", vmxrun);
	f = strchr(vmxrun, '\'') ? NULL : popen(cmd, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, opt))
			found = true;
	if (f)
		pclose(f);
	return found;
}

/* The last line vmxrun wrote to its log after offset: why it did not start. */
static void log_tail(const char *log, off_t from, char *out, size_t len)
{
	char *all = read_file(log, 1 << 20), *start, *line = NULL;

	snprintf(out, len, "see %s", log);
	if (!all)
		return;
	start = (size_t)from < strlen(all) ? all + from : all + strlen(all);
	for (char *p = strtok(start, "\n"); p; p = strtok(NULL, "\n"))
		if (*p && strncmp(p, "virtvmxd:", 9))
			line = p;
	if (line)
		snprintf(out, len, "%s", line);
	free(all);
}

static int add_arg(char **argv, int *argc, int max, char *s)
{
	if (!s || *argc >= max - 1)
		return -1;
	argv[(*argc)++] = s;
	return 0;
}

/* Put a tap into a bridge (<interface type='bridge'>), after vmxrun has made the tap. */
static int bridge_add(const char *br, const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_LOCAL, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", br);
	ifr.ifr_ifindex = (int)if_nametoindex(ifname);
	r = fd < 0 || !ifr.ifr_ifindex ? -1 : ioctl(fd, SIOCBRADDIF, &ifr);
	if (r)
		snprintf(err, errlen, "cannot add %s to bridge %s: %s", ifname, br, strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}

/* (dom->job held, dom inactive.) */
int vm_start(struct daemon *d, struct domain *dom, unsigned int flags, char *err, size_t errlen)
{
	char *argv[64], u[37], log[PATH_MAX], *xml, *tofree[64];
	int argc = 0, nfree = 0, pipefd[2], fd = -1, child_errno = 0;
	struct domdef *def;
	const char *emu;
	struct stat st;
	off_t logoff;
	pid_t pid;
	int code;

#define ARG(s) do { char *_s = (s); tofree[nfree++] = _s; if (add_arg(argv, &argc, 64, _s)) goto nomem; } while (0)
#define ARGF(...) do { char *_f; if (asprintf(&_f, __VA_ARGS__) < 0) goto nomem; ARG(_f); } while (0)
	pthread_mutex_lock(&d->lock);
	xml = domxml_format(dom->def, -1);
	pthread_mutex_unlock(&d->lock);
	def = domxml_parse(xml, &code, err, errlen);	/* the live copy */
	free(xml);
	if (!def)
		return -1;
	emu = def->emulator ? def->emulator : d->vmxrun;
	if (access(emu, X_OK)) {
		snprintf(err, errlen, "the emulator %s: %s (install vmxrun, or start virtvmxd with --vmxrun PATH)",
			 emu, strerror(errno));
		domxml_free(def);
		return -1;
	}
	if (def->ndisks && !vmxrun_has_option(emu, "--disk")) {
		snprintf(err, errlen, "unsupported configuration: <disk> %s: %s has no --disk option (virtio block devices are not in this vmxrun yet)",
			 def->disk[0].path, emu);
		domxml_free(def);
		return -1;
	}
	if (def->nnics && !vmxrun_has_option(emu, "--net")) {
		snprintf(err, errlen, "unsupported configuration: <interface>: %s has no --net option (virtio network devices are not in this vmxrun yet)",
			 emu);
		domxml_free(def);
		return -1;
	}
	uuid_format(dom->uuid, u);
	ARG(strdup(emu));
	ARG(strdup("--name"));
	ARG(strdup(def->name));
	ARG(strdup("--dev"));
	ARG(strdup(d->dev));
	ARG(strdup("--kernel"));
	ARG(strdup(def->kernel));
	if (def->initrd) {
		ARG(strdup("--initrd"));
		ARG(strdup(def->initrd));
	}
	if (def->cmdline) {
		ARG(strdup("--append"));
		ARG(strdup(def->cmdline));
	}
	ARGF("-m%lluK", def->mem_kib);
	ARGF("-c%u", def->vcpus);
	ARG(strdup("--control"));
	ARGF("%s/%s.ctl", d->run_dir, u);
	ARG(strdup("--console"));
	ARGF("socket:%s/%s.con", d->run_dir, u);
	ARG(strdup(def->reboot_destroys ? "--reboot=exit" : "--reboot=restart"));
	for (int i = 0; i < def->ndisks; i++)
		ARGF("--disk=%s%s", def->disk[i].path, def->disk[i].readonly ? ",ro" : "");
	for (int i = 0; i < def->nnics; i++) {
		const struct domnic *n = &def->nic[i];

		ARGF("--net=tap%s%s%s%s", n->ifname ? ",ifname=" : "", n->ifname ? n->ifname : "",
		     n->mac ? ",mac=" : "", n->mac ? n->mac : "");
	}
	argv[argc] = NULL;

	snprintf(log, sizeof(log), "%s/%s.log", d->log_dir, def->name);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || pipe2(pipefd, O_CLOEXEC)) {
		snprintf(err, errlen, "%s: %s", log, strerror(errno));
		goto fail;
	}
	logoff = fstat(fd, &st) ? 0 : st.st_size;
	dprintf(fd, "virtvmxd: starting %s:", def->name);
	for (int i = 0; i < argc; i++)
		dprintf(fd, " %s", argv[i]);
	dprintf(fd, "\n");
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setsid();	/* its own session: our end (restart, stop) is not its end */
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		child_errno = errno;
		if (write(pipefd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0 || read(pipefd[0], &child_errno, sizeof(child_errno)) > 0) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(pid < 0 ? errno : child_errno));
		close(pipefd[0]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		goto fail;
	}
	close(pipefd[0]);
	close(fd);
	fd = -1;
	/* Wait for its control socket; a vmxrun that exits first says why in its log. */
	{
		char ctl[PATH_MAX], con[PATH_MAX];
		unsigned int waited = 0;
		int status;

		snprintf(ctl, sizeof(ctl), "%s/%s.ctl", d->run_dir, u);
		snprintf(con, sizeof(con), "%s/%s.con", d->run_dir, u);
		for (;;) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				char why[512];

				log_tail(log, logoff, why, sizeof(why));
				snprintf(err, errlen, "vmxrun failed to start %s (%s %d): %s", def->name,
					 WIFEXITED(status) ? "exit status" : "signal",
					 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), why);
				goto fail;
			}
			fd = connect_unix(ctl);
			if (fd >= 0)
				break;
			if (waited >= d->start_timeout_s * 1000) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				snprintf(err, errlen, "vmxrun did not open its control socket in %u s (see %s)",
					 d->start_timeout_s, log);
				goto fail;
			}
			msleep(20);
			waited += 20;
		}
		pthread_mutex_lock(&d->lock);
		dom->pid = pid;
		dom->child = true;
		proc_stat(pid, NULL, &dom->starttime);
		free(dom->ctl_path);
		free(dom->con_path);
		dom->ctl_path = strdup(ctl);
		dom->con_path = strdup(con);
		dom->live = def;
		def = NULL;
		dom->id = d->next_id++;
		dom->state = ST_RUNNING;
		dom->reason = RUNNING_BOOTED;
		dom->stopping = false;
		dom->shutdown_reason[0] = 0;
		pthread_mutex_unlock(&d->lock);
	}
	if (vm_attach(d, dom, fd)) {
		close(fd);
		kill(pid, SIGKILL);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < dom->live->nnics; i++) {
		const struct domnic *n = &dom->live->nic[i];
		char why[256];

		if (n->bridge && n->ifname && bridge_add(n->brname, n->ifname, why, sizeof(why)))
			logmsg("%s: %s", dom->name, why);
	}
	logmsg("%s: started (vmxrun pid %d, id %d)", dom->name, (int)pid, dom->id);
	dom_event(d, dom, EV_STARTED, EVD_STARTED_BOOTED);
	if (flags & DOMAIN_START_PAUSED) {
		char why[256];

		if (vm_command(d, dom, "stop", NULL, why, sizeof(why)))
			logmsg("%s: cannot pause it after start: %s", dom->name, why);
	}
	pthread_mutex_lock(&d->lock);
	if (dom->live)
		write_state(d, dom);
	pthread_mutex_unlock(&d->lock);
	for (int i = 0; i < nfree; i++)
		free(tofree[i]);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < nfree; i++)
		free(tofree[i]);
	domxml_free(def);
	return -1;
#undef ARG
#undef ARGF
}

