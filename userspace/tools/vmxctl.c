// SPDX-License-Identifier: GPL-2.0
/*
 * vmxctl SOCKET COMMAND...: send each command to a vmxrun control socket (--control) and
 * print every line that comes back (greeting, events, replies) until the reply to the last
 * one. Exit status 0 if every reply was a "return", 1 otherwise. For scripts and tests;
 * e.g. vmxctl /tmp/vm.sock query-status system_powerdown. One command takes an argument,
 * the next word: balloon SIZE (-m's syntax: 192M, 1.5G; a plain number is MiB).
 * vmxctl stat PID: the VM's exits by reason, live (tools/vmxctl_stat.c).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../util/parse.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmxctl SOCKET COMMAND...\n"
		"       vmxctl stat [OPTIONS] PID   (exits by reason, live: vmxctl stat --help)\n"
		"Sends each COMMAND to the control socket of a running vmxrun (vmxrun --control\n"
		"SOCKET) and prints every line that comes back: the greeting, events, and the\n"
		"reply to each command.\n"
		"\n"
		"Commands: qmp_capabilities, query-status, stop, cont, system_powerdown,\n"
		"system_reset, quit, query-vmxrun-stats, query-balloon, and balloon SIZE (the\n"
		"guest's RAM target with vmxrun --balloon: -m's syntax, 1.5G; a plain number is\n"
		"MiB) (see the README, \"Control socket\").\n"
		"\n"
		"Examples:\n"
		"  vmxctl /tmp/vm.sock query-status\n"
		"  vmxctl /tmp/vm.sock system_powerdown     # the ACPI power button\n"
		"  vmxctl /tmp/vm.sock balloon 512M query-balloon\n"
		"\n"
		"Exit status: 0 if every reply was a \"return\", 1 otherwise (or no connection),\n"
		"2 on bad usage.\n");
}

/* Print lines from f until the reply with this id; 0 if it was a "return". */
static int await_reply(FILE *f, int id)
{
	char line[65536];

	while (fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL);
		json_t *jid = json_object_get(j, "id");
		int done = jid && json_integer_value(jid) == id, ok = !!json_object_get(j, "return");

		fputs(line, stdout);
		json_decref(j);
		if (done)
			return ok ? 0 : 1;
	}
	fprintf(stderr, "vmxctl: connection closed before the reply to request %d\n", id);
	return 1;
}

int vmxctl_stat(int argc, char **argv);

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, status = 0;
	FILE *f;

	if (argc >= 2 && !strcmp(argv[1], "stat"))
		return vmxctl_stat(argc - 1, argv + 1);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vmxctl: %s: path too long for a socket\n", argv[1]);
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "vmxctl: %s: %s%s\n", argv[1], strerror(errno),
			errno == ECONNREFUSED ? " (no vmxrun listens there: it has ended)" :
			errno == ENOENT ? " (is vmxrun running with --control at this path?)" : "");
		return 1;
	}
	f = fdopen(fd, "r+");
	for (int i = 2; f && i < argc; i++) {
		int id = i - 1;
		json_t *req = json_pack("{s:s, s:i}", "execute", argv[i], "id", id);
		unsigned long long bytes;
		char *s;

		if (!strcmp(argv[i], "balloon")) {
			if (i + 1 >= argc || parse_mem_size(argv[i + 1], &bytes) || !bytes) {
				fprintf(stderr, "vmxctl: balloon SIZE: %s is not a size (1.5G, 512M; a plain number is MiB)\n",
					i + 1 < argc ? argv[i + 1] : "nothing");
				json_decref(req);
				fclose(f);
				return 2;
			}
			json_object_set_new(req, "arguments",
					    json_pack("{s:I}", "value", (json_int_t)bytes));
			i++;
		}
		s = json_dumps(req, JSON_COMPACT);

		fprintf(f, "%s\n", s);
		fflush(f);
		free(s);
		json_decref(req);
		status |= await_reply(f, id);
	}
	if (f)
		fclose(f);
	return status;
}
