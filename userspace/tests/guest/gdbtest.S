/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdbtest: a multiboot test kernel with symbols for the GDB stub's test (l1_gdb.sh). A
 * 64-bit ELF: the 32-bit entry builds page tables (the first 1 GiB identity-mapped with
 * 2 MiB pages, so addresses go through a real page walk), enters long mode and calls
 * tick() forever; tick() adds 1 to the 64-bit variable counter and stores the count in
 * watched, for breakpoints, single steps and watchpoints. The two variables have a page of
 * their own: an EPT read watch (rwatch on /dev/vmxmon) takes the read and fetch permission
 * of the whole page, and an instruction fetched from the watched page is stepped with the
 * page open, so a read it makes there is not seen (vmx/watch.c).
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003

	.section .text
	.code32
	.globl _start
	.align 4
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

_start:
	mov $0x90000, %esp
	/*
	 * Touch the variables' page before GDB single-steps anything: the first access to a
	 * page is an EPT fault, and under kvm_intel in Bochs 2.7 one in the middle of a step
	 * reports the step twice, at the same RIP (Bochs keeps a pending single-step trap
	 * across the exit; see vmx/debug.c).
	 */
	movl $0, counter
	/* PML4[0] -> pdpt, PDPT[0] -> pd, PD[i] = i * 2 MiB, present | writable | large */
	mov $pdpt + 3, %eax
	mov %eax, pml4
	mov $pd + 3, %eax
	mov %eax, pdpt
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, pd(, %ecx, 8)
	inc %ecx
	cmp $512, %ecx
	jne 1b
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax		/* PG, PE */
	mov %eax, %cr0
	lgdt gdt_desc
	ljmp $0x08, $long_mode

	.code64
long_mode:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x90000, %rsp
	.globl main_loop
main_loop:
	call tick
	jmp main_loop

	.globl tick
	.type tick, @function
tick:
	mov counter(%rip), %rax
	inc %rax
	mov %rax, counter(%rip)
	mov %eax, watched(%rip)
	ret
	.size tick, . - tick

	.section .data
	.align 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt
	.globl counter, watched
	.align 4096
counter:
	.quad 0
watched:
	.long 0

	.section .bss
	.align 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
