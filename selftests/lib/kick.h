/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Getting a thread out of KVM_RUN when its guest spins, and a watchdog for steps that may
 * hang in the kernel; for the reliability tests and the probe guests.
 */
#ifndef VMXMON_SELFTESTS_KICK_H
#define VMXMON_SELFTESTS_KICK_H

#include "harness.h"
#include "kvm_util.h"

/*
 * kick_timer_arm() sends SIGUSR1 (kick_signal_install(), kvm_util.h) to the calling thread
 * after ms milliseconds (one shot, its own POSIX timer: the harness's alarm() stays
 * untouched), so that a guest that spins ends its KVM_RUN; kick_timer_disarm() cancels it.
 */
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
