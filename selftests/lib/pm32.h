/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-bit protected mode for guest code written in assembly (.code32 in the test file),
 * set up through KVM_SET_SREGS on any vCPU (of a lib/vm.h VM or a bare guest,
 * lib/kvm_util.h) over its slot 0 at GPA 0. CPL 0, flat segments, paging off, and an IDT
 * whose 32 exception handlers report on a port instead of failing silently:
 *
 *   0x0800 PM32_GDT_GPA   GDT: 0x08 flat code, 0x10 flat data, 0x18 busy TSS; selectors from
 *                         PM32_SEL_FREE up to 0x78 are the test's (pm32_set_desc())
 *   0x1000 PM32_IDT_GPA   32 interrupt gates
 *   0x1800                the handlers: vector v does OUT v (32 bits) to PM32_EXC_PORT with
 *                         EBX = error code (0 if none) and ECX = the faulting EIP, then HLT
 *   0x1c00                the TSS (never switched to: CPL 0 throughout)
 *   0x2000 PM32_CODE_GPA  the test's code, at most PM32_CODE_MAX bytes; EIP starts here
 *   0xf000 PM32_STACK_TOP ESP
 */
#ifndef VMXMON_SELFTESTS_PM32_H
#define VMXMON_SELFTESTS_PM32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "kvm_util.h"

#define PM32_GDT_GPA	0x0800ul
#define PM32_IDT_GPA	0x1000ul
#define PM32_CODE_GPA	0x2000ul
#define PM32_CODE_MAX	0x4000ul
#define PM32_STACK_TOP	0xf000ul
#define PM32_MEM_MIN	0x10000ul	/* what the layout above needs */

#define PM32_CS		0x08
#define PM32_DS		0x10
#define PM32_TSS	0x18
#define PM32_SEL_FREE	0x20
#define PM32_EXC_PORT	0xe5

/* Descriptor types (S=1): data read-only, read/write, expand-down r/w; code exec/read. */
#define PM32_DATA_RO	0x1
#define PM32_DATA_RW	0x3
#define PM32_DATA_RW_DOWN 0x7
#define PM32_CODE_RX	0xb

/* Guest code: name[] .. name_end[] assembled as 32-bit code, in .rodata, for pm32_enter(). */
#define PM32_BLOB(name, body)								\
	__asm__(".pushsection .rodata\n.code32\n" #name ":\n" body "\n"			\
		#name "_end:\n.code64\n.popsection\n");					\
	extern const uint8_t name[], name##_end[]

/* GDT entry @sel: present, DPL 0, S=1, 32-bit (D/B); @limit in bytes (G=1 above 1 MiB). */
void pm32_set_desc(uint8_t *mem, unsigned int sel, uint32_t base, uint32_t limit, uint8_t type);
/* The same descriptor as KVM_SET_SREGS takes it (selector @sel). */
struct kvm_segment pm32_segment(const uint8_t *mem, unsigned int sel);

/*
 * Copy @code to PM32_CODE_GPA, build the GDT, IDT, handlers and TSS in @mem, and put the
 * vCPU there: CR0 = PE|ET|NE, CR4 = EFER = 0, RFLAGS = 2 (IF=0: keep guest code short).
 * 0 or -errno of the failing ioctl.
 */
int pm32_enter(struct vcpu *vcpu, const void *code, size_t len);

/* Is this exit a handler's report? Then its vector, error code and EIP. */
bool pm32_exception(struct vcpu *vcpu, uint32_t *vector, uint32_t *error, uint32_t *eip);

#endif
