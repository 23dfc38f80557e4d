/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for the kernel's <linux/stddef.h> (see kshim/README). */
#ifndef KSHIM_LINUX_STDDEF_H
#define KSHIM_LINUX_STDDEF_H
#include <stddef.h>
#endif
