// SPDX-License-Identifier: GPL-2.0
/* The tracepoints of kmod/trace.h, instantiated once. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#define CREATE_TRACE_POINTS
#include "kmod/trace.h"
