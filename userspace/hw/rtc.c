// SPDX-License-Identifier: GPL-2.0
/* Locking: r->lock guards the RTC; the bus takes it for port I/O, the entry points themselves. */
#include <pthread.h>
#include <stdlib.h>

#include "../vm/vm.h"
#include "rtc.h"

enum {
	RTC_SEC = 0, RTC_MIN = 2, RTC_HOUR = 4, RTC_WDAY = 6, RTC_MDAY = 7, RTC_MON = 8,
	RTC_YEAR = 9, RTC_REG_A = 0x0a, RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,	/* the FADT's CENTURY field points here */
};
#define REG_B_SET	0x80	/* updates frozen while the guest sets the clock */
#define REG_B_DM_BIN	0x04	/* binary, not BCD */
#define REG_B_24H	0x02
#define REG_D_VRT	0x80	/* valid RAM and time (battery good) */

struct rtc {
	struct vm *vm;
	pthread_mutex_t lock;	/* everything below */
	u8 index;
	u8 cmos[128];
	time_t offset;		/* guest time - host time, from the guest setting the clock */
	struct tm set;		/* the time being written while REG_B_SET is on */
	time_t (*now)(void);
};

static time_t host_time(void)
{
	return time(NULL);
}

static u8 to_reg(const struct rtc *r, int v)
{
	return r->cmos[RTC_REG_B] & REG_B_DM_BIN ? v : (v / 10) << 4 | v % 10;
}

static int from_reg(const struct rtc *r, u8 v)
{
	return r->cmos[RTC_REG_B] & REG_B_DM_BIN ? v : (v >> 4) * 10 + (v & 15);
}

static u8 hour_to_reg(const struct rtc *r, int h)
{
	if (r->cmos[RTC_REG_B] & REG_B_24H)
		return to_reg(r, h);
	return to_reg(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static int hour_from_reg(const struct rtc *r, u8 v)
{
	int h;

	if (r->cmos[RTC_REG_B] & REG_B_24H)
		return from_reg(r, v);
	h = from_reg(r, v & 0x7f) % 12;
	return v & 0x80 ? h + 12 : h;
}

/* The time registers as of now (or as being set). */
static void rtc__time(const struct rtc *r, struct tm *tm)
{
	time_t t;

	if (r->cmos[RTC_REG_B] & REG_B_SET) {
		*tm = r->set;
		return;
	}
	t = r->now() + r->offset;
	gmtime_r(&t, tm);
}

static u8 rtc__read(struct rtc *r, u8 i)
{
	struct tm tm;

	rtc__time(r, &tm);
	switch (i) {
	case RTC_SEC:
		return to_reg(r, tm.tm_sec);
	case RTC_MIN:
		return to_reg(r, tm.tm_min);
	case RTC_HOUR:
		return hour_to_reg(r, tm.tm_hour);
	case RTC_WDAY:
		return to_reg(r, tm.tm_wday + 1);
	case RTC_MDAY:
		return to_reg(r, tm.tm_mday);
	case RTC_MON:
		return to_reg(r, tm.tm_mon + 1);
	case RTC_YEAR:
		return to_reg(r, tm.tm_year % 100);
	case RTC_CENTURY:
		return to_reg(r, (tm.tm_year + 1900) / 100);
	case RTC_REG_A:
		return r->cmos[i] & 0x7f;	/* UIP never set: reads are always consistent */
	case RTC_REG_C: {
		u8 v = r->cmos[i];

		r->cmos[i] = 0;			/* read to clear */
		return v;
	}
	default:
		return r->cmos[i];
	}
}

static void rtc__write(struct rtc *r, u8 i, u8 v)
{
	struct tm *s = &r->set;

	switch (i) {
	case RTC_SEC:
		s->tm_sec = from_reg(r, v);
		break;
	case RTC_MIN:
		s->tm_min = from_reg(r, v);
		break;
	case RTC_HOUR:
		s->tm_hour = hour_from_reg(r, v);
		break;
	case RTC_WDAY:
		break;				/* derived from the date */
	case RTC_MDAY:
		s->tm_mday = from_reg(r, v);
		break;
	case RTC_MON:
		s->tm_mon = from_reg(r, v) - 1;
		break;
	case RTC_YEAR:
		s->tm_year = s->tm_year / 100 * 100 + from_reg(r, v);
		break;
	case RTC_CENTURY:
		s->tm_year = (from_reg(r, v) - 19) * 100 + s->tm_year % 100;
		break;
	case RTC_REG_B:
		if ((v & REG_B_SET) && !(r->cmos[i] & REG_B_SET)) {
			rtc__time(r, s);	/* freeze: the guest edits a copy */
		} else if (!(v & REG_B_SET) && (r->cmos[i] & REG_B_SET)) {
			r->offset = timegm(s) - r->now();
		}
		r->cmos[i] = v;
		break;
	case RTC_REG_C: case RTC_REG_D:
		break;				/* read-only */
	default:
		r->cmos[i] = v;
	}
}

static void rtc__io(struct vcpu *vcpu, u64 off, void *data, u32 len, bool is_write,
		    void *opaque)
{
	struct rtc *r = opaque;
	u8 *v = data;

	(void)vcpu, (void)len;
	if (off == 0) {
		if (is_write)
			r->index = *v & 0x7f;	/* bit 7 is the NMI mask: no NMIs here */
		else
			*v = r->index;
		return;
	}
	if (is_write)
		rtc__write(r, r->index, *v);
	else
		*v = rtc__read(r, r->index);
}

void rtc__set_clock(struct vm *vm, time_t (*now)(void))
{
	pthread_mutex_lock(&vm->rtc->lock);
	vm->rtc->now = now;
	pthread_mutex_unlock(&vm->rtc->lock);
}

void rtc__reset(struct vm *vm)
{
	struct rtc *r = vm->rtc;

	/* CMOS RAM is battery-backed: a reset keeps it (and the clock offset). */
	pthread_mutex_lock(&r->lock);
	r->index = 0;
	r->cmos[RTC_REG_A] = 0x26;		/* 32.768 kHz time base, 1024 Hz rate */
	r->cmos[RTC_REG_B] = REG_B_24H;
	r->cmos[RTC_REG_D] = REG_D_VRT;
	pthread_mutex_unlock(&r->lock);
}

int rtc__init(struct vm *vm)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	vm->rtc = r;
	r->vm = vm;
	pthread_mutex_init(&r->lock, NULL);
	r->now = host_time;
	rtc__reset(vm);
	return bus__register_locked(&vm->pio, 0x70, 2, rtc__io, r, &r->lock, "rtc");
}

void rtc__exit(struct vm *vm)
{
	if (vm->rtc)
		pthread_mutex_destroy(&vm->rtc->lock);
	free(vm->rtc);
	vm->rtc = NULL;
}
