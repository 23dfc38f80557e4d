/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Getting a thread out of KVM_RUN when its guest spins, and a watchdog for steps that may
 * hang in the kernel; for the reliability tests and the probe guests.
 */
#ifndef VMXMON_SELFTESTS_KICK_H
#define VMXMON_SELFTESTS_KICK_H

#include "harness.h"

/*
 * SIGUSR1 with an empty handler and no SA_RESTART: a KVM_RUN that gets it returns -EINTR.
 * kick_timer_arm() sends it to the calling thread after ms milliseconds (one shot, its own
 * POSIX timer: the harness's alarm() stays untouched); kick_timer_disarm() cancels it.
 */
void kick_signal_install(void);
void kick_timer_arm(unsigned int ms);
void kick_timer_disarm(void);

/*
 * A watchdog for a step that may hang in the kernel (CPU hotplug, a blocked release): unless
 * disarmed within seconds, it says so and asks the kernel for the blocked tasks' and every
 * CPU's stacks (sysrq w and l, printed on the console), once per arming.
 */
void watchdog_arm(struct test_ctx *t, unsigned int seconds, const char *what);
void watchdog_disarm(void);

#endif
