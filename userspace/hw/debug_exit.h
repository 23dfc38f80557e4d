/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMXRUN_HW_DEBUG_EXIT_H
#define VMXRUN_HW_DEBUG_EXIT_H

#define DEBUG_EXIT_PORT	0xf4

struct vm;

int debug_exit__init(struct vm *vm);

#endif
