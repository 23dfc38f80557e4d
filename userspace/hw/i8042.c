// SPDX-License-Identifier: GPL-2.0
/*
 * Locking: k->lock guards the controller; the bus takes it for port I/O, reset takes it. IRQ1
 * is driven and a reset requested (vm__request) with it held (order: vm/vm.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"
#include "i8042.h"
#include "board.h"

#define STR_OBF		0x01	/* output buffer full */
#define STR_SYSFLAG	0x04	/* self test passed */
#define STR_CMDDAT	0x08	/* last write was a command */
#define STR_KEYLOCK	0x10	/* not inhibited */
#define CTR_KBDINT	0x01
#define CTR_XLATE	0x40
#define KBD_IRQ		1

enum {
	CMD_READ_CTR = 0x20, CMD_WRITE_CTR = 0x60, CMD_AUX_DISABLE = 0xa7,
	CMD_AUX_ENABLE = 0xa8, CMD_AUX_TEST = 0xa9, CMD_SELF_TEST = 0xaa, CMD_KBD_TEST = 0xab,
	CMD_KBD_DISABLE = 0xad, CMD_KBD_ENABLE = 0xae, CMD_READ_OUTPORT = 0xd0,
	CMD_WRITE_OUTPORT = 0xd1, CMD_KBD_LOOP = 0xd2, CMD_AUX_LOOP = 0xd3, CMD_AUX_SEND = 0xd4,
	CMD_PULSE_RESET = 0xfe,
};

struct i8042 {
	struct vm *vm;
	pthread_mutex_t lock;	/* everything below */
	u8 ctr, status;
	u8 pending;		/* the command whose data byte comes next on 0x60, 0 if none */
	u8 kbd_pending;		/* a keyboard command waiting for its parameter */
	u8 out[16];
	unsigned int out_head, out_len;
};

static void i8042__update_irq(struct i8042 *k)
{
	irq__set(k->vm, KBD_IRQ, k->out_len && (k->ctr & CTR_KBDINT));
}

static void i8042__queue(struct i8042 *k, u8 v)
{
	if (k->out_len < sizeof(k->out))
		k->out[(k->out_head + k->out_len++) % sizeof(k->out)] = v;
}

/* A byte for the keyboard itself: answer as an AT keyboard does. */
static void i8042__kbd_write(struct i8042 *k, u8 v)
{
	if (k->kbd_pending) {			/* the parameter of LEDs, rate, scancode set */
		k->kbd_pending = 0;
		i8042__queue(k, 0xfa);
		return;
	}
	switch (v) {
	case 0xff:				/* reset: ACK, then BAT passed */
		i8042__queue(k, 0xfa);
		i8042__queue(k, 0xaa);
		break;
	case 0xf2:				/* identify: MF2 keyboard */
		i8042__queue(k, 0xfa);
		i8042__queue(k, 0xab);
		i8042__queue(k, 0x83);
		break;
	case 0xee:				/* echo */
		i8042__queue(k, 0xee);
		break;
	case 0xed: case 0xf0: case 0xf3:	/* take a parameter */
		k->kbd_pending = v;
		i8042__queue(k, 0xfa);
		break;
	default:
		i8042__queue(k, 0xfa);
	}
}

static void i8042__command(struct i8042 *k, u8 cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		i8042__queue(k, k->ctr);
		break;
	case CMD_WRITE_CTR: case CMD_WRITE_OUTPORT: case CMD_KBD_LOOP: case CMD_AUX_LOOP:
	case CMD_AUX_SEND:
		k->pending = cmd;
		break;
	case CMD_AUX_TEST:
		i8042__queue(k, 0x01);		/* clock line stuck low: no AUX port */
		break;
	case CMD_SELF_TEST:
		i8042__queue(k, 0x55);
		break;
	case CMD_KBD_TEST:
		i8042__queue(k, 0x00);
		break;
	case CMD_READ_OUTPORT:
		i8042__queue(k, 0x03);		/* reset line high, A20 on */
		break;
	case CMD_KBD_DISABLE: case CMD_KBD_ENABLE: case CMD_AUX_DISABLE: case CMD_AUX_ENABLE:
		break;
	default:
		if ((cmd & 0xf0) == 0xf0 && !(cmd & 1))	/* pulse output bit 0: reset */
			vm__request(k->vm, REQ_RESET, 0, "guest-reset");
	}
}

static void i8042__data(struct i8042 *k, u8 v)
{
	u8 cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = v;
		break;
	case CMD_WRITE_OUTPORT:
		if (!(v & 1))
			vm__request(k->vm, REQ_RESET, 0, "guest-reset");
		break;
	case CMD_KBD_LOOP:
		i8042__queue(k, v);
		break;
	case CMD_AUX_LOOP: case CMD_AUX_SEND:
		break;				/* no AUX device answers */
	default:
		i8042__kbd_write(k, v);
	}
}

static void i8042__access(struct i8042 *k, bool cmd_port, u8 *v, bool is_write)
{
	if (cmd_port) {
		if (is_write) {
			k->status |= STR_CMDDAT;
			i8042__command(k, *v);
		} else {
			*v = k->status | (k->out_len ? STR_OBF : 0);
		}
	} else if (is_write) {
		k->status &= ~STR_CMDDAT;
		i8042__data(k, *v);
	} else if (k->out_len) {
		*v = k->out[k->out_head];
		k->out_head = (k->out_head + 1) % sizeof(k->out);
		k->out_len--;
	} else {
		*v = 0;
	}
	i8042__update_irq(k);
}

static void i8042__io_data(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
			   void *opaque)
{
	(void)vcpu, (void)off, (void)len;
	i8042__access(opaque, false, data, is_write);
}

static void i8042__io_cmd(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
			  void *opaque)
{
	(void)vcpu, (void)off, (void)len;
	i8042__access(opaque, true, data, is_write);
}

void i8042__reset(struct vm *vm)
{
	struct i8042 *k = vm->i8042;

	pthread_mutex_lock(&k->lock);
	k->ctr = CTR_KBDINT | CTR_XLATE;
	k->status = STR_SYSFLAG | STR_KEYLOCK;
	k->pending = k->kbd_pending = 0;
	memset(k->out, 0, sizeof(k->out));
	k->out_head = k->out_len = 0;
	pthread_mutex_unlock(&k->lock);
}

int i8042__init(struct vm *vm)
{
	int r;

	vm->i8042 = calloc(1, sizeof(*vm->i8042));
	if (!vm->i8042)
		return -1;
	vm->i8042->vm = vm;
	pthread_mutex_init(&vm->i8042->lock, NULL);
	i8042__reset(vm);
	/* Two one-port ranges: 0x61-0x63 belong to others (port 0x61 is the PIT's). */
	r = bus__register_locked(&vm->pio, 0x60, 1, i8042__io_data, vm->i8042, &vm->i8042->lock,
				 "i8042-data");
	return r ? r : bus__register_locked(&vm->pio, 0x64, 1, i8042__io_cmd, vm->i8042,
					    &vm->i8042->lock, "i8042-cmd");
}

void i8042__exit(struct vm *vm)
{
	if (vm->i8042)
		pthread_mutex_destroy(&vm->i8042->lock);
	free(vm->i8042);
	vm->i8042 = NULL;
}
