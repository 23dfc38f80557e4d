// SPDX-License-Identifier: GPL-2.0
/* 32-bit protected mode for assembly guests (see pm32.h). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_util.h"
#include "pm32.h"
#include "x86_defs.h"

#define PM32_STUBS_GPA	0x1800ul
#define PM32_TSS_GPA	0x1c00ul

void pm32_set_desc(uint8_t *mem, unsigned int sel, uint32_t base, uint32_t limit, uint8_t type)
{
	bool g = limit > 0xfffff;			/* then in 4 KiB units */
	uint32_t lim = g ? limit >> 12 : limit;
	uint64_t d = (lim & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
		     (uint64_t)(type | 0x90) << 40 |		/* P=1, DPL 0, S=1 */
		     (uint64_t)((lim >> 16) & 0xf) << 48 |
		     1ull << 54 | (uint64_t)g << 55 |		/* D/B = 1 */
		     (uint64_t)(base >> 24) << 56;

	memcpy(mem + PM32_GDT_GPA + (sel & ~7u), &d, 8);
}

struct kvm_segment pm32_segment(const uint8_t *mem, unsigned int sel)
{
	uint64_t d;
	uint32_t lim;

	memcpy(&d, mem + PM32_GDT_GPA + (sel & ~7u), 8);
	lim = (uint32_t)((d & 0xffff) | (d >> 48 & 0xf) << 16);
	return (struct kvm_segment){
		.base = (d >> 16 & 0xffffff) | (d >> 56) << 24,
		.limit = d >> 55 & 1 ? lim << 12 | 0xfff : lim,
		.selector = (uint16_t)sel, .type = d >> 40 & 0xf, .s = d >> 44 & 1,
		.dpl = d >> 45 & 3, .present = d >> 47 & 1, .db = d >> 54 & 1, .g = d >> 55 & 1,
	};
}

/* Vectors whose exceptions push an error code (SDM Vol. 3A table 6-1). */
static bool has_error_code(int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static void build_idt(uint8_t *mem)
{
	for (int v = 0; v < 32; v++) {
		uint32_t h = PM32_STUBS_GPA + 16 * v;
		uint8_t *p = mem + h;
		uint64_t gate = (h & 0xffff) | (uint64_t)PM32_CS << 16 |
				0x8eull << 40 |			/* present 32-bit interrupt gate */
				(uint64_t)(h >> 16) << 48;

		memcpy(mem + PM32_IDT_GPA + 8 * v, &gate, 8);
		if (!has_error_code(v)) {
			*p++ = 0x6a;				/* push $0 */
			*p++ = 0;
		}
		*p++ = 0x5b;					/* pop %ebx: error code */
		*p++ = 0x59;					/* pop %ecx: EIP */
		*p++ = 0xb8;					/* mov $v, %eax */
		memcpy(p, &v, 4);
		p += 4;
		*p++ = 0xe7;					/* out %eax, $PM32_EXC_PORT */
		*p++ = PM32_EXC_PORT;
		*p++ = 0xf4;					/* 1: hlt */
		*p++ = 0xeb;					/* jmp 1b */
		*p++ = 0xfd;
	}
}

int pm32_enter(struct vcpu *vcpu, const void *code, size_t len)
{
	uint8_t *mem = vcpu->vm->mem;
	struct kvm_regs regs = { .rip = PM32_CODE_GPA, .rsp = PM32_STACK_TOP, .rflags = 2 };
	struct kvm_sregs s;
	long r;

	if (len > PM32_CODE_MAX)
		return -E2BIG;
	memset(mem + PM32_GDT_GPA, 0, PM32_CODE_GPA - PM32_GDT_GPA);
	memcpy(mem + PM32_CODE_GPA, code, len);
	pm32_set_desc(mem, PM32_CS, 0, 0xffffffff, PM32_CODE_RX);
	pm32_set_desc(mem, PM32_DS, 0, 0xffffffff, PM32_DATA_RW);
	build_idt(mem);

	r = dev_ioctl(vcpu->fd, KVM_GET_SREGS, (unsigned long)&s);
	if (r)
		return (int)r;
	s.cs = pm32_segment(mem, PM32_CS);
	s.ds = s.es = s.fs = s.gs = s.ss = pm32_segment(mem, PM32_DS);
	s.tr = (struct kvm_segment){
		.base = PM32_TSS_GPA, .limit = 0x67, .selector = PM32_TSS, .type = 11,
		.present = 1,
	};
	s.ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	s.gdt.base = PM32_GDT_GPA;
	s.gdt.limit = 0x7f;
	s.idt.base = PM32_IDT_GPA;
	s.idt.limit = 32 * 8 - 1;
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	s.cr3 = s.cr4 = s.efer = 0;
	r = dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&s);
	if (r)
		return (int)r;
	return (int)dev_ioctl(vcpu->fd, KVM_SET_REGS, (unsigned long)&regs);
}

bool pm32_exception(struct vcpu *vcpu, uint32_t *vector, uint32_t *error, uint32_t *eip)
{
	const struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	if (run->exit_reason != KVM_EXIT_IO || run->io.port != PM32_EXC_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4)
		return false;
	memcpy(vector, (const uint8_t *)run + run->io.data_offset, 4);
	if (dev_ioctl(vcpu->fd, KVM_GET_REGS, (unsigned long)&regs))
		return false;
	*error = (uint32_t)regs.rbx;
	*eip = (uint32_t)regs.rcx;
	return true;
}
