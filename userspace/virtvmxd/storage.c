// SPDX-License-Identifier: GPL-2.0
/* Storage pools: filled in below. */
#include "virtvmxd.h"

proc_fn proc_storage(uint32_t proc, bool *ro_ok)
{
	(void)proc, (void)ro_ok;
	return NULL;
}
