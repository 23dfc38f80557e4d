// SPDX-License-Identifier: GPL-2.0
/* The control protocol's commands (README.md, "vmxrun: control socket"), with jansson. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "kvm_exit_names.h"

#include "../hw/pm.h"
#include "../hw/virtio/devices.h"
#include "../options.h"
#include "../vm/vcpu.h"
#include "../vm/vm.h"
#include "control.h"

/* A command fills *ret (a new object) or returns an error description. */
typedef const char *(*qmp_fn)(struct vm *vm, json_t *args, json_t **ret);

static const char *const state_names[] = {
	[VM_RUNNING] = "running", [VM_PAUSED] = "paused", [VM_SHUTDOWN] = "shutdown",
};

/*
 * QMP's handshake. QEMU clients send {"enable": ["oob"]} or nothing; we offer no
 * capabilities (the greeting's list is empty), so the list is accepted and ignored.
 */
static const char *qmp_capabilities(struct vm *vm, json_t *args, json_t **ret)
{
	json_t *enable = json_object_get(args, "enable"), *cap;
	size_t i;

	(void)vm, (void)ret;
	if (enable && !json_is_array(enable))
		return "\"enable\" must be an array of capability names";
	json_array_foreach(enable, i, cap)
		if (!json_is_string(cap))
			return "\"enable\" must be an array of capability names";
	return NULL;
}

static const char *query_status(struct vm *vm, json_t *args, json_t **ret)
{
	(void)args;
	*ret = json_pack("{s:s, s:b, s:s, s:i}", "status", state_names[vm->state],
			 "running", vm->state == VM_RUNNING, "name",
			 vm->opts ? vm->opts->name : "vmxrun", "resets", vm->resets);
	return NULL;
}

static const char *stop(struct vm *vm, json_t *args, json_t **ret)
{
	(void)args, (void)ret;
	if (vm->state == VM_SHUTDOWN)
		return "the guest has shut down";
	if (vm__pause(vm, true))
		control__event(vm->ctl, "STOP", NULL);
	return NULL;
}

static const char *cont(struct vm *vm, json_t *args, json_t **ret)
{
	(void)args, (void)ret;
	if (vm->state == VM_SHUTDOWN)
		return "the guest has shut down";
	if (vm__pause(vm, false))
		control__event(vm->ctl, "RESUME", NULL);
	return NULL;
}

static const char *system_powerdown(struct vm *vm, json_t *args, json_t **ret)
{
	(void)args, (void)ret;
	pm__power_button(vm);
	control__event(vm->ctl, "POWERDOWN", NULL);
	return NULL;
}

static const char *system_reset(struct vm *vm, json_t *args, json_t **ret)
{
	(void)args, (void)ret;
	vm__request(vm, REQ_RESET, 0, "host-qmp-system-reset");
	return NULL;
}

static const char *quit(struct vm *vm, json_t *args, json_t **ret)
{
	(void)args, (void)ret;
	vm__request(vm, REQ_EXIT, 0, "host-qmp-quit");
	return NULL;
}

/* vmxrun's own counters; not QEMU's query-stats, whose schema is another. */
static const char *query_vmxrun_stats(struct vm *vm, json_t *args, json_t **ret)
{
	json_t *exits = json_object();
	u64 total = 0;

	(void)args;
	for (unsigned int i = 0; i < VM_STAT_EXIT_REASONS; i++) {
		u64 n = __atomic_load_n(&vm->stats.exits[i], __ATOMIC_RELAXED);
		const char *name = kvm_exit_name(i);
		char key[32];

		if (!n)
			continue;
		if (!name)
			snprintf(key, sizeof(key), "exit_%u", i);
		else		/* "io", "irq_window_open": the KVM_EXIT_ names in lower case */
			for (size_t c = 0; c < sizeof(key); c++)
				if (!(key[c] = (char)tolower((unsigned char)name[c])))
					break;
		json_object_set_new(exits, key, json_integer((json_int_t)n));
		total += n;
	}
	*ret = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "exits", exits, "total",
			 (json_int_t)total, "interrupted",
			 (json_int_t)__atomic_load_n(&vm->stats.eintr, __ATOMIC_RELAXED),
			 "interrupts_injected",
			 (json_int_t)__atomic_load_n(&vm->stats.injected, __ATOMIC_RELAXED),
			 "pio_unclaimed",
			 (json_int_t)__atomic_load_n(&vm->pio.unhandled, __ATOMIC_RELAXED),
			 "mmio_unclaimed",
			 (json_int_t)__atomic_load_n(&vm->mmio.unhandled, __ATOMIC_RELAXED));
	return NULL;
}

/*
 * QEMU's balloon: {"value": BYTES}, the guest RAM the guest should shrink (or grow back) to;
 * more than its RAM means all of it. The guest's driver does it in its own time.
 */
static const char *balloon(struct vm *vm, json_t *args, json_t **ret)
{
	struct virtio_dev *vd = balloon__find(vm);
	json_t *v = json_object_get(args, "value");

	(void)ret;
	if (!vd)
		return "No balloon device has been activated (vmxrun --balloon)";
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return "balloon takes \"value\": the guest's RAM target in bytes, above 0";
	balloon__set_target(vd, (u64)json_integer_value(v));
	return NULL;
}

/*
 * QEMU's query-balloon ({"actual": BYTES}: guest RAM minus the balloon), with vmxrun's
 * additions: "target" and the guest's latest statistics under QEMU's guest-stats names.
 */
static const char *query_balloon(struct vm *vm, json_t *args, json_t **ret)
{
	struct virtio_dev *vd = balloon__find(vm);
	struct balloon_info bi;
	json_t *stats;

	(void)args;
	if (!vd)
		return "No balloon device has been activated (vmxrun --balloon)";
	balloon__query(vd, &bi);
	stats = json_object();
	for (unsigned int t = 0; t < BALLOON_STATS_NR; t++)
		if (bi.stats.valid & (1u << t))
			json_object_set_new(stats, balloon__stat_name(t),
					    json_integer((json_int_t)bi.stats.val[t]));
	*ret = json_pack("{s:I, s:I, s:o, s:I}", "actual", (json_int_t)bi.actual, "target",
			 (json_int_t)bi.target, "stats", stats, "last-update",
			 (json_int_t)bi.stats.updated);
	return NULL;
}

static const struct qmp_command {
	const char *name;
	qmp_fn fn;
	const char *arg;	/* the one argument it takes (NULL: none) */
} commands[] = {
	{ "qmp_capabilities", qmp_capabilities, "enable" },
	{ "query-status", query_status, NULL },
	{ "stop", stop, NULL },
	{ "cont", cont, NULL },
	{ "system_powerdown", system_powerdown, NULL },
	{ "system_reset", system_reset, NULL },
	{ "quit", quit, NULL },
	{ "query-vmxrun-stats", query_vmxrun_stats, NULL },
	{ "balloon", balloon, "value" },
	{ "query-balloon", query_balloon, NULL },
};

/* An argument the command does not take, or NULL. */
static const char *qmp__unexpected_arg(const struct qmp_command *cmd, json_t *args)
{
	const char *key;
	json_t *val;

	json_object_foreach(args, key, val)
		if (!cmd->arg || strcmp(key, cmd->arg))
			return key;
	return NULL;
}

static json_t *qmp__error(const char *cls, const char *desc, json_t *id)
{
	json_t *r = json_pack("{s:{s:s, s:s}}", "error", "class", cls, "desc", desc);

	if (id)
		json_object_set(r, "id", id);
	return r;
}

static json_t *qmp__execute(struct vm *vm, json_t *req)
{
	json_t *id = json_object_get(req, "id"), *args = json_object_get(req, "arguments");
	const char *name = json_string_value(json_object_get(req, "execute")), *err;
	json_t *ret = NULL, *reply;
	char desc[160];

	if (!name)
		return qmp__error("GenericError", "expected a string member \"execute\"", id);
	if (args && !json_is_object(args))
		return qmp__error("GenericError", "\"arguments\" must be an object", id);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name))
			continue;
		if (args && (err = qmp__unexpected_arg(&commands[i], args))) {
			snprintf(desc, sizeof(desc), "%s takes %s%s%s: unexpected argument \"%.60s\"",
				 name, commands[i].arg ? "only \"" : "no arguments",
				 commands[i].arg ? commands[i].arg : "", commands[i].arg ? "\"" : "",
				 err);
			return qmp__error("GenericError", desc, id);
		}
		err = commands[i].fn(vm, args, &ret);
		if (err) {
			json_decref(ret);
			return qmp__error("GenericError", err, id);
		}
		reply = json_pack("{s:o}", "return", ret ? ret : json_object());
		if (id)
			json_object_set(reply, "id", id);
		return reply;
	}
	snprintf(desc, sizeof(desc), "the command %.100s has not been found", name);
	return qmp__error("CommandNotFound", desc, id);
}

char *qmp__handle_line(struct vm *vm, const char *line)
{
	json_error_t jerr;
	json_t *req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr), *reply;
	char desc[256];
	char *out;

	if (!req) {
		snprintf(desc, sizeof(desc), "JSON parse error: %s (column %d)", jerr.text,
			 jerr.column);
		reply = qmp__error("GenericError", desc, NULL);
	} else if (!json_is_object(req)) {
		reply = qmp__error("GenericError", "a request must be a JSON object", NULL);
	} else {
		reply = qmp__execute(vm, req);
	}
	out = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	json_decref(req);
	return out;
}

char *qmp__greeting(void)
{
	json_t *g = json_pack("{s:{s:{s:s, s:{s:i, s:i}}, s:[]}}", "QMP", "version", "package",
			      "vmxrun", "vmxrun", "major", VMXRUN_VERSION_MAJOR, "minor",
			      VMXRUN_VERSION_MINOR, "capabilities");
	char *out = json_dumps(g, JSON_COMPACT);

	json_decref(g);
	return out;
}
