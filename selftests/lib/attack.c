// SPDX-License-Identifier: GPL-2.0
/*
 * Guests that attack their host CPU (attack.h). Their code is assembled here, in .rodata
 * (it is data to the host), and copied into guest memory at the addresses attack.h names;
 * it uses only those absolute addresses and relative jumps.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "attack.h"
#include "kvm_util.h"

#define XSTR(x) STR(x)
#define STR(x) #x

extern const uint8_t attack_ac32[], attack_ac32_once[], attack_ac32_handler[],
	attack_ac32_loop_handler[], attack_ac32_end[];
extern const uint8_t attack_db64[], attack_db64_handler[], attack_db64_end[];
extern const uint8_t attack_wbinvd64[], attack_wbinvd64_end[];

__asm__(".pushsection .rodata, \"a\"\n"
	".code32\n"
	/* CVE-2015-5307: ESP is odd, CPL 3, AM and AC on. */
	".global attack_ac32\n"
	"attack_ac32:\n"
	"	push %eax\n"
	"	mov $" XSTR(ATTACK_DONE_PORT) ", %edx\n"	/* not reached */
	"	out %eax, (%dx)\n"
	"1:	jmp 1b\n"
	/* One #AC: a misaligned 4-byte load (A1 moffs32, 5 bytes). */
	".global attack_ac32_once\n"
	"attack_ac32_once:\n"
	"	movl " XSTR(ATTACK32_DATA) " + 1, %eax\n"
	"	mov $" XSTR(ATTACK_DONE_PORT) ", %edx\n"
	"	out %eax, (%dx)\n"
	"1:	jmp 1b\n"
	/* CPL 3, on the interrupted stack: report the error code, skip the load, return. */
	".global attack_ac32_handler\n"
	"attack_ac32_handler:\n"
	"	pop %ecx\n"
	"	mov %ecx, %eax\n"
	"	or $0xac00, %eax\n"
	"	mov $" XSTR(ATTACK_PORT) ", %edx\n"
	"	out %eax, (%dx)\n"
	"	addl $5, (%esp)\n"
	"	iret\n"
	/* The loop's handler is never reached; if it is, it says so. */
	".global attack_ac32_loop_handler\n"
	"attack_ac32_loop_handler:\n"
	"	mov $" XSTR(ATTACK_PORT) ", %edx\n"
	"	out %eax, (%dx)\n"
	"1:	jmp 1b\n"
	".global attack_ac32_end\n"
	"attack_ac32_end:\n"
	".code64\n"
	/* CVE-2015-8104: the breakpoint on the IST slot of SS, then ICEBP. */
	".global attack_db64\n"
	"attack_db64:\n"
	"	mov $" XSTR(ATTACK64_DR0) ", %rax\n"
	"	mov %rax, %dr0\n"
	"	mov $" XSTR(ATTACK64_DR7) ", %rax\n"
	"	mov %rax, %dr7\n"
	"	.byte 0xf1\n"					/* ICEBP (INT1) */
	"	mov $" XSTR(ATTACK_DONE_PORT) ", %edx\n"	/* not reached */
	"	out %eax, (%dx)\n"
	"1:	jmp 1b\n"
	".global attack_db64_handler\n"
	"attack_db64_handler:\n"			/* never runs its first instruction */
	"	mov $" XSTR(ATTACK_PORT) ", %edx\n"
	"	out %eax, (%dx)\n"
	"1:	jmp 1b\n"
	".global attack_db64_end\n"
	"attack_db64_end:\n"
	/* ECX WBINVDs (0: 2^32, for ever in practice), then done. */
	".global attack_wbinvd64\n"
	"attack_wbinvd64:\n"
	"1:	wbinvd\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	mov $" XSTR(ATTACK_DONE_PORT) ", %edx\n"
	"	out %eax, (%dx)\n"
	"1:	jmp 1b\n"
	".global attack_wbinvd64_end\n"
	"attack_wbinvd64_end:\n"
	".popsection\n");

/* A flat 4 GiB segment descriptor (SDM Vol. 3A 3.4.5): type, DPL, 32-bit, 4 KiB granular. */
static uint64_t flat_desc(unsigned int type, unsigned int dpl)
{
	return 0x00cf00000000ffffull | (uint64_t)(0x90 | dpl << 5 | type) << 40;
}

static struct kvm_segment flat_seg(uint16_t sel, uint8_t type, uint8_t dpl)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
		.dpl = dpl, .db = 1, .s = 1, .g = 1,
	};
}

int attack_ac_setup(struct vcpu *g, bool loop)
{
	uint64_t *gdt = (uint64_t *)(g->vm->mem + ATTACK32_GDT);
	uint32_t *idt = (uint32_t *)(g->vm->mem + ATTACK32_IDT);
	size_t len = attack_ac32_end - attack_ac32;
	const uint8_t *start = loop ? attack_ac32 : attack_ac32_once;
	const uint8_t *handler = loop ? attack_ac32_loop_handler : attack_ac32_handler;
	uint32_t handler_gva = ATTACK32_CODE + (uint32_t)(handler - attack_ac32);
	struct kvm_sregs s = g->reset_sregs;
	struct kvm_regs regs = {
		.rip = ATTACK32_CODE + (start - attack_ac32),
		.rsp = ATTACK32_STACK_TOP + loop,		/* odd for the loop */
		.rflags = 0x2 | 0x3000 | 0x40000,		/* IOPL 3 (OUT at CPL 3), AC */
	};
	long r;

	if (g->vm->mem_size < BARE_MIN_MEM)
		return -EINVAL;
	memset(g->vm->mem + ATTACK32_GDT, 0, ATTACK32_DATA + 0x1000 - ATTACK32_GDT);
	memcpy(g->vm->mem + ATTACK32_CODE, attack_ac32, len);
	gdt[1] = flat_desc(0xb, 0);		/* 0x08: code, DPL 0 (unused) */
	gdt[2] = flat_desc(0x3, 0);		/* 0x10: data, DPL 0 (unused) */
	gdt[3] = flat_desc(0xb, 3);		/* 0x18: code, DPL 3 */
	gdt[4] = flat_desc(0x3, 3);		/* 0x20: data, DPL 3 */
	/* 0x28: a busy 32-bit TSS (never read: no privilege change happens). */
	gdt[5] = 0x00008b0000000067ull | (uint64_t)(ATTACK32_DATA + 0x800) << 16;
	/* #AC (17): 32-bit interrupt gate to the CPL-3 code segment: no stack switch. */
	idt[17 * 2] = 0x18u << 16 | (handler_gva & 0xffff);
	idt[17 * 2 + 1] = (handler_gva & 0xffff0000u) | 0x8e00;

	s.cs = flat_seg(0x1b, 0xb, 3);
	s.ss = flat_seg(0x23, 0x3, 3);
	s.ds = s.es = s.fs = s.gs = s.ss;
	s.tr = (struct kvm_segment){ .base = ATTACK32_DATA + 0x800, .limit = 0x67, .selector = 0x28,
				     .type = 0xb, .present = 1 };
	s.gdt.base = ATTACK32_GDT;
	s.gdt.limit = 6 * 8 - 1;
	s.idt.base = ATTACK32_IDT;
	s.idt.limit = 256 * 8 - 1;
	s.cr0 = 0x40031;			/* AM, NE, ET, PE; no paging */
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	r = dev_ioctl(g->fd, KVM_SET_SREGS, (unsigned long)&s);
	if (!r)
		r = dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs);
	return (int)r;
}

int attack_db_loop_setup(struct vcpu *g, uint64_t *handler)
{
	uint64_t *gdt = (uint64_t *)(g->vm->mem + BARE_GDT_GPA);
	uint32_t *idt = (uint32_t *)(g->vm->mem + ATTACK64_IDT);
	uint8_t *tss = g->vm->mem + ATTACK64_TSS;
	uint64_t h = BARE_CODE64_GPA + (attack_db64_handler - attack_db64);
	uint64_t ist = ATTACK64_IST_TOP;
	struct kvm_sregs s;
	int r = bare_enter_long_mode(g);

	if (r)
		return r;
	memset(g->vm->mem + ATTACK64_IDT, 0, ATTACK64_IST_TOP - ATTACK64_IDT);
	memcpy(g->vm->mem + BARE_CODE64_GPA, attack_db64, attack_db64_end - attack_db64);
	/* 0x18: the 64-bit TSS (16 bytes), IST 1 at offset 0x24, no I/O bitmap. */
	gdt[3] = 0x0000890000000067ull | (uint64_t)(ATTACK64_TSS & 0xffffff) << 16 |
		 (uint64_t)(ATTACK64_TSS >> 24 & 0xff) << 56;
	gdt[4] = 0;
	memcpy(tss + 0x24, &ist, sizeof(ist));
	tss[0x66] = 0x68;
	/* #DB (1): 64-bit interrupt gate, code segment 0x08, IST 1. */
	idt[1 * 4] = 0x08u << 16 | (uint32_t)(h & 0xffff);
	idt[1 * 4 + 1] = (uint32_t)(h & 0xffff0000u) | 0x8e00 | 1;
	idt[1 * 4 + 2] = (uint32_t)(h >> 32);

	r = (int)dev_ioctl(g->fd, KVM_GET_SREGS, (unsigned long)&s);
	if (r)
		return r;
	s.gdt.limit = 5 * 8 - 1;
	s.idt.base = ATTACK64_IDT;
	s.idt.limit = 256 * 16 - 1;
	s.tr = (struct kvm_segment){ .base = ATTACK64_TSS, .limit = 0x67, .selector = 0x18,
				     .type = 0xb, .present = 1 };
	*handler = h;
	return (int)dev_ioctl(g->fd, KVM_SET_SREGS, (unsigned long)&s);
}

int attack_wbinvd_setup(struct vcpu *g, uint32_t count)
{
	struct kvm_regs regs;
	int r = bare_enter_long_mode(g);

	if (r)
		return r;
	memcpy(g->vm->mem + BARE_CODE64_GPA, attack_wbinvd64, attack_wbinvd64_end - attack_wbinvd64);
	r = (int)dev_ioctl(g->fd, KVM_GET_REGS, (unsigned long)&regs);
	if (r)
		return r;
	regs.rcx = count;
	return (int)dev_ioctl(g->fd, KVM_SET_REGS, (unsigned long)&regs);
}
