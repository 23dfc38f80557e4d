// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the control protocol, as lines and over a real socket. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include "control/control.h"
#include "harness.h"
#include "host_vm.h"
#include "vm/loop.h"

/* One request, the reply parsed. */
static json_t *ask(struct vm *vm, const char *line)
{
	char *out = qmp__handle_line(vm, line);
	json_t *j = json_loads(out ? out : "", 0, NULL);

	free(out);
	return j;
}

static const char *error_class(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "class"));
}

TEST_HOST(qmp_status_stop_cont)
{
	struct vm *vm = host_vm_new(16 * MiB);
	json_t *r;

	ASSERT_TRUE(vm);
	r = ask(vm, "{\"execute\": \"query-status\", \"id\": 7}");
	EXPECT_TRUE(!strcmp(json_string_value(json_object_get(json_object_get(r, "return"),
							       "status")), "running"));
	EXPECT_EQ(json_integer_value(json_object_get(r, "id")), 7);
	json_decref(r);
	r = ask(vm, "{\"execute\": \"stop\", \"id\": \"a\"}");
	EXPECT_TRUE(json_is_object(json_object_get(r, "return")));
	EXPECT_TRUE(!strcmp(json_string_value(json_object_get(r, "id")), "a"));
	EXPECT_EQ(vm->state, VM_PAUSED);
	json_decref(r);
	r = ask(vm, "{\"execute\": \"query-status\"}");
	EXPECT_TRUE(json_is_false(json_object_get(json_object_get(r, "return"), "running")));
	EXPECT_TRUE(!json_object_get(r, "id"));
	json_decref(r);
	json_decref(ask(vm, "{\"execute\": \"cont\"}"));
	EXPECT_EQ(vm->state, VM_RUNNING);
	host_vm_free(vm);
}

TEST_HOST(qmp_errors_for_bad_json_unknown_commands_and_arguments)
{
	struct vm *vm = host_vm_new(16 * MiB);
	json_t *r;

	ASSERT_TRUE(vm);
	r = ask(vm, "{\"execute\": ");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	json_decref(r);
	r = ask(vm, "[1, 2]");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"frobnicate\", \"id\": 3}");
	EXPECT_TRUE(!strcmp(error_class(r), "CommandNotFound"));
	EXPECT_EQ(json_integer_value(json_object_get(r, "id")), 3);
	json_decref(r);
	r = ask(vm, "{\"execute\": 5}");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"stop\", \"arguments\": [1]}");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	EXPECT_EQ(vm->state, VM_RUNNING);
	json_decref(r);
	r = ask(vm, "{\"execute\": \"stop\", \"arguments\": {\"now\": true}}");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	json_decref(r);
	EXPECT_EQ(vm->request, REQ_NONE);
	host_vm_free(vm);
}

TEST_HOST(qmp_powerdown_reset_quit_and_stats)
{
	struct vm *vm = host_vm_new(16 * MiB);
	json_t *r, *ret;

	ASSERT_TRUE(vm);
	json_decref(ask(vm, "{\"execute\": \"system_powerdown\"}"));
	EXPECT_EQ(inp(vm, 0x600, 2) & 0x100, 0x100);	/* PWRBTN_STS */
	vm->stats.exits[KVM_EXIT_IO] = 5;
	vm->stats.exits[KVM_EXIT_HLT] = 2;
	r = ask(vm, "{\"execute\": \"query-vmxrun-stats\"}");
	ret = json_object_get(r, "return");
	EXPECT_EQ(json_integer_value(json_object_get(json_object_get(ret, "exits"), "io")), 5);
	EXPECT_EQ(json_integer_value(json_object_get(json_object_get(ret, "exits"), "hlt")), 2);
	EXPECT_EQ(json_integer_value(json_object_get(ret, "total")), 7);
	json_decref(r);
	json_decref(ask(vm, "{\"execute\": \"system_reset\"}"));
	EXPECT_EQ(vm->request, REQ_RESET);
	json_decref(ask(vm, "{\"execute\": \"quit\"}"));
	EXPECT_EQ(vm->request, REQ_EXIT);		/* the host may always end it */
	EXPECT_EQ(vm->exit_status, 0);
	host_vm_free(vm);
}

/* QEMU clients open with {"enable": ["oob"]}; we offer nothing, so it is ignored. */
TEST_HOST(qmp_capabilities_accepts_the_enable_argument)
{
	struct vm *vm = host_vm_new(16 * MiB);
	json_t *r;

	ASSERT_TRUE(vm);
	r = ask(vm, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}, \"id\": 1}");
	EXPECT_TRUE(json_is_object(json_object_get(r, "return")));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": []}}");
	EXPECT_TRUE(json_is_object(json_object_get(r, "return")));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"qmp_capabilities\", \"arguments\": {}}");
	EXPECT_TRUE(json_is_object(json_object_get(r, "return")));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}}");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [1]}}");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"oob\": true}}");
	EXPECT_TRUE(!strcmp(error_class(r), "GenericError"));
	json_decref(r);
	host_vm_free(vm);
}

/*
 * QEMU's query-stats has another schema (a list of stat sources and providers): a QEMU
 * client must get CommandNotFound, not a reply it misreads. Ours is query-vmxrun-stats.
 */
TEST_HOST(qmp_stats_command_does_not_clash_with_qemu_query_stats)
{
	struct vm *vm = host_vm_new(16 * MiB);
	json_t *r;

	ASSERT_TRUE(vm);
	r = ask(vm, "{\"execute\": \"query-stats\", \"arguments\": {\"target\": \"vm\"}}");
	EXPECT_TRUE(!strcmp(error_class(r), "CommandNotFound"));
	json_decref(r);
	r = ask(vm, "{\"execute\": \"query-vmxrun-stats\"}");
	EXPECT_TRUE(json_is_object(json_object_get(json_object_get(r, "return"), "exits")));
	json_decref(r);
	host_vm_free(vm);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Run the event loop until fd has a line to read; returns it (static buffer). */
static const char *next_line(struct vm *vm, FILE *f)
{
	static char line[4096];

	for (int i = 0; i < 50; i++) {
		loop__run_once(vm->loop, 20);
		if (fgets(line, sizeof(line), f))
			return line;
		clearerr(f);
	}
	return "";
}

TEST_HOST(control_socket_survives_bad_clients)
{
	struct vm *vm = host_vm_new(16 * MiB);
	char path[64], msg[256];
	FILE *f;
	int fd;

	ASSERT_TRUE(vm);
	vm->loop = loop__new(vm);
	snprintf(path, sizeof(path), "/tmp/vmxrun-qmp-test.%d", getpid());
	ASSERT_EQ(control__open(vm, path, msg, sizeof(msg)), 0);
	/* A client that vanishes in the middle of a request. */
	fd = connect_to(path);
	ASSERT_GE(fd, 0);
	loop__run_once(vm->loop, 100);
	ASSERT_EQ(write(fd, "{\"execute\": \"qu", 16), 16);
	close(fd);
	for (int i = 0; i < 5; i++)
		loop__run_once(vm->loop, 20);
	EXPECT_EQ(vm->request, REQ_NONE);
	/* The next client gets the greeting, an error for garbage, then real answers. */
	fd = connect_to(path);
	ASSERT_GE(fd, 0);
	f = fdopen(fd, "r+");
	ASSERT_TRUE(f);
	setvbuf(f, NULL, _IONBF, 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	EXPECT_TRUE(strstr(next_line(vm, f), "{\"QMP\":") != NULL);
	ASSERT_EQ(write(fd, "not json\n{\"execute\":\"stop\",\"id\":1}\n", 36), 36);
	EXPECT_TRUE(strstr(next_line(vm, f), "\"GenericError\"") != NULL);
	EXPECT_TRUE(strstr(next_line(vm, f), "\"event\":\"STOP\"") != NULL);
	EXPECT_TRUE(strstr(next_line(vm, f), "{\"return\":{},\"id\":1}") != NULL);
	control__event(vm->ctl, "SHUTDOWN", "guest-shutdown");
	EXPECT_TRUE(strstr(next_line(vm, f), "\"data\":{\"reason\":\"guest-shutdown\"}") != NULL);
	fclose(f);
	control__close(vm->ctl);
	EXPECT_TRUE(access(path, F_OK) != 0);		/* the socket file is removed */
	loop__free(vm->loop);
	host_vm_free(vm);
}

/* A machine with an event loop, for the control socket. */
static struct vm *loop_vm(void)
{
	struct vm *vm = host_vm_new(16 * MiB);

	if (vm)
		vm->loop = loop__new(vm);
	return vm;
}

static void loop_vm_free(struct vm *vm)
{
	control__close(vm->ctl);
	loop__free(vm->loop);
	host_vm_free(vm);
}

/* The first line a new client of path gets (the greeting of whoever listens there). */
static bool greets(struct vm *vm, const char *path)
{
	int fd = connect_to(path);
	FILE *f;
	bool ok;

	if (fd < 0)
		return false;
	f = fdopen(fd, "r+");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	ok = strstr(next_line(vm, f), "{\"QMP\":") != NULL;
	fclose(f);
	return ok;
}

/*
 * A second vmxrun with the --control path of a running one used to unlink the socket and
 * take the path over; when the first ended, it unlinked the second's socket, and neither VM
 * could be reached. Now the second is refused and the first keeps its socket.
 */
TEST_HOST(control_socket_of_a_running_vm_is_not_taken_over)
{
	struct vm *a = loop_vm(), *b = loop_vm();
	char path[64], msg[256] = "", want[256];

	ASSERT_TRUE(a && b);
	snprintf(path, sizeof(path), "/tmp/vmxrun-qmp-test.%d", getpid());
	unlink(path);
	ASSERT_EQ(control__open(a, path, msg, sizeof(msg)), 0);
	EXPECT_EQ(control__check(path, msg, sizeof(msg)), -1);
	EXPECT_EQ(control__open(b, path, msg, sizeof(msg)), -1);
	snprintf(want, sizeof(want), "vmxrun: --control %s: in use by a running VM (pick another path, or end that VM: vmxctl %s quit)",
		 path, path);
	if (strcmp(msg, want))
		t_fail(t, __FILE__, __LINE__, "message\n  expected: %s\n  actual:   %s", want, msg);
	EXPECT_TRUE(!b->ctl);
	EXPECT_TRUE(greets(a, path));			/* still the first VM's */
	loop_vm_free(b);
	loop_vm_free(a);
	EXPECT_TRUE(access(path, F_OK) != 0);
}

/* A socket nobody listens on (its vmxrun was killed) is replaced; other files are not. */
TEST_HOST(control_socket_replaces_only_a_stale_socket)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vm *vm = loop_vm();
	char path[64], msg[256] = "";
	int fd;

	ASSERT_TRUE(vm);
	snprintf(path, sizeof(path), "/tmp/vmxrun-qmp-test.%d", getpid());
	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);					/* stale: the file stays, nobody listens */
	EXPECT_EQ(control__check(path, msg, sizeof(msg)), 0);
	ASSERT_EQ(control__open(vm, path, msg, sizeof(msg)), 0);
	EXPECT_TRUE(greets(vm, path));
	control__close(vm->ctl);
	/* A regular file is not ours to remove. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(control__open(vm, path, msg, sizeof(msg)), -1);
	EXPECT_TRUE(strstr(msg, "exists and is not a socket") != NULL);
	EXPECT_TRUE(access(path, F_OK) == 0);
	unlink(path);
	loop_vm_free(vm);
}

/* At exit the socket file is removed only if the path still names it. */
TEST_HOST(control_socket_close_removes_only_its_own_file)
{
	struct vm *a = loop_vm(), *b = loop_vm();
	char path[64], msg[256] = "";

	ASSERT_TRUE(a && b);
	snprintf(path, sizeof(path), "/tmp/vmxrun-qmp-test.%d", getpid());
	unlink(path);
	ASSERT_EQ(control__open(a, path, msg, sizeof(msg)), 0);
	unlink(path);					/* someone removed it ... */
	ASSERT_EQ(control__open(b, path, msg, sizeof(msg)), 0);	/* ... and another VM took the path */
	control__close(a->ctl);
	EXPECT_TRUE(access(path, F_OK) == 0);		/* b's socket survives a's exit */
	EXPECT_TRUE(greets(b, path));
	loop_vm_free(b);
	EXPECT_TRUE(access(path, F_OK) != 0);
	loop_vm_free(a);
}
