/* SPDX-License-Identifier: GPL-2.0 */
/* The errno values, as the UAPI <linux/errno.h> gives them (glibc includes that name too). */
#include <asm/errno.h>
