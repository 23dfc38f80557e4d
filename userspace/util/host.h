/* SPDX-License-Identifier: GPL-2.0 */
/* Facts about the host the guest setup needs. */
#ifndef VMXRUN_UTIL_HOST_H
#define VMXRUN_UTIL_HOST_H

#include "types.h"

/*
 * The host TSC rate in kHz (the guest's, as KVM and vmxmon do not scale it): measured
 * against CLOCK_MONOTONIC, and replaced by /proc/cpuinfo's "cpu MHz" when that agrees
 * within 1% (exact on a fixed-rate CPU such as Bochs). 0 if unknown.
 */
u64 host__tsc_khz(void);

/* "cpu MHz" of the first CPU in a /proc/cpuinfo text, in kHz; 0 if absent. */
u64 host__cpuinfo_khz(const char *text);

#endif
