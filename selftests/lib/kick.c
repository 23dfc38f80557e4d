// SPDX-License-Identifier: GPL-2.0
/* Kicks out of KVM_RUN and a watchdog for steps that may hang (see kick.h). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kick.h"
#include "util.h"

static __thread timer_t kick_timer;
static __thread bool kick_timer_made;

void kick_timer_arm(unsigned int ms)
{
	struct itimerspec its = { .it_value = { ms / 1000, (ms % 1000) * 1000000L } };

	if (!kick_timer_made) {
		struct sigevent sev = {
			.sigev_notify = SIGEV_THREAD_ID,
			.sigev_signo = SIGUSR1,
		};

		sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &sev, &kick_timer))
			return;
		kick_timer_made = true;
	}
	timer_settime(kick_timer, 0, &its, NULL);
}

void kick_timer_disarm(void)
{
	struct itimerspec its = { 0 };

	if (kick_timer_made)
		timer_settime(kick_timer, 0, &its, NULL);
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, armed;
	unsigned int seconds;
	char what[128];
	struct test_ctx *t;
} wd = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void *watchdog_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wd.lock);
	for (;;) {
		struct timespec ts;

		while (!wd.armed)
			pthread_cond_wait(&wd.cond, &wd.lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wd.seconds;
		while (wd.armed && pthread_cond_timedwait(&wd.cond, &wd.lock, &ts) == 0)
			;
		if (!wd.armed)
			continue;
		wd.armed = false;
		t_log(wd.t, "watchdog: %s: not done after %u s; blocked tasks and CPU stacks follow on the console (sysrq w, l)",
		      wd.what, wd.seconds);
		write_file("/proc/sys/kernel/printk", "8");
		write_file("/proc/sysrq-trigger", "w");
		write_file("/proc/sysrq-trigger", "l");
	}
	return NULL;
}

void watchdog_arm(struct test_ctx *t, unsigned int seconds, const char *what)
{
	pthread_t th;

	pthread_mutex_lock(&wd.lock);
	if (!wd.started && !pthread_create(&th, NULL, watchdog_thread, NULL)) {
		pthread_detach(th);
		wd.started = true;
	}
	wd.t = t;
	wd.seconds = seconds;
	snprintf(wd.what, sizeof(wd.what), "%s", what);
	wd.armed = true;
	pthread_cond_signal(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
}

void watchdog_disarm(void)
{
	pthread_mutex_lock(&wd.lock);
	wd.armed = false;
	pthread_cond_signal(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
}
