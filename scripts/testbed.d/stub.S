/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protected-mode entry of the testbed's repacked L1 kernel (see repack.py).
 *
 * Debian's bzImage spends most of a Bochs boot inflating its XZ payload. repack.py keeps the
 * real-mode setup sectors and replaces the protected-mode part with this stub followed by
 * the kernel's PT_LOAD segments already laid out flat by physical address. The stub moves
 * that flat image to its link address, builds identity page tables, enters long mode and
 * jumps to startup_64 through the 64-bit boot protocol (Documentation/x86/boot.rst,
 * "64-bit Boot Protocol"): identity mapping, GDT with __BOOT_CS=0x10 and __BOOT_DS=0x18,
 * interrupts off, RSI = &boot_params. The kernel clears .bss and builds its own page tables.
 *
 * Two entries, as a bzImage has (Documentation/x86/boot.rst):
 *  - 32-bit, at offset 0 (code32_start): from the setup code (arch/x86/boot/pmjump.S) in
 *    32-bit flat protected mode, paging off, interrupts off, ESI = &boot_params; what
 *    isolinux uses for the testbed's L1. The code is position independent: EBP holds our
 *    load address, read from boot_params.hdr.code32_start (the address jumped to).
 *  - 64-bit, at offset 0x200 ("64-bit Boot Protocol", XLF_KERNEL_64): the loader has set
 *    up long mode with an identity map of at least init_size bytes from the load address
 *    (repack.py makes init_size cover KERNEL_BASE..ZERO_END), the boot GDT, interrupts
 *    off, RSI = &boot_params; what vmxrun uses to boot the same kernel as an L2 guest.
 *    It only moves the kernel into place and jumps: the mapping is the loader's.
 *
 * Layout of the protected-mode part, offsets from the load address:
 *   0           this code and its data (at most PT_OFFSET bytes; the 64-bit entry at 0x200)
 *   PT_OFFSET   PT_SPACE zero bytes: 6 page-table pages, 4 KiB aligned at run time
 *   FLAT_OFFSET the flat kernel, FLAT_SIZE bytes, to be moved to KERNEL_BASE
 * The assembled stub is exactly FLAT_OFFSET bytes long.
 * repack.py assembles this file with --defsym for KERNEL_BASE, FLAT_SIZE (multiple of 4),
 * ZERO_END (bytes from KERNEL_BASE up to the end of the last segment's memsz; the stub
 * zeroes what the image leaves out after FLAT_SIZE) and ENTRY (physical entry point).
 */

	.set	PT_OFFSET,	0x1000
	.set	PT_SPACE,	0x7000		/* 6 pages + alignment slack */

	.set	BP_CODE32_START, 0x214		/* boot_params.hdr.code32_start */
	.set	BOOT_CS,	0x10		/* __BOOT_CS: 64-bit code */
	.set	BOOT_DS,	0x18		/* __BOOT_DS */
	.set	MSR_EFER,	0xc0000080
	.set	EFER_LME,	1 << 8
	.set	CR0_PE,		1 << 0
	.set	CR0_PG,		1 << 31
	.set	CR4_PAE,	1 << 5
	.set	PTE_P_RW,	0x003		/* present, writable */
	.set	PDE_2M,		0x083		/* present, writable, page size (2 MiB) */

	.text
	.code32
	.globl	_start
_start:
	jmp	start32

	/* The 64-bit entry: copy as the 32-bit path does, then straight to the kernel. */
	.org	0x200
	.code64
startup_64_entry:
	cli
	cld
	movq	%rsi, %rbx			/* RBX = &boot_params */
	leaq	flat(%rip), %rsi
	movq	$KERNEL_BASE, %rdi
	movq	$(FLAT_SIZE / 4), %rcx
	cmpq	%rsi, %rdi
	je	2f
	jb	1f
	leaq	(FLAT_SIZE - 4)(%rsi), %rsi	/* overlapping, destination above: backwards */
	leaq	(FLAT_SIZE - 4)(%rdi), %rdi
	std
	rep movsl
	cld
	jmp	2f
1:	rep movsl
2:	movq	$(KERNEL_BASE + FLAT_SIZE), %rdi
	movq	$((ZERO_END - FLAT_SIZE) / 4), %rcx
	xorl	%eax, %eax
	rep stosl
	movq	%rbx, %rsi
	movq	$ENTRY, %rax
	jmp	*%rax

	.code32
start32:
	cli
	cld
	movl	%esi, %ebx			/* EBX = &boot_params, for the whole stub */
	movl	BP_CODE32_START(%ebx), %ebp	/* EBP = our load address */
	leal	stack_top(%ebp), %esp

	/*
	 * Move the flat kernel to KERNEL_BASE. The source starts just above 1 MiB and the
	 * destination at 16 MiB, so a kernel larger than ~15 MiB overlaps its own copy:
	 * copy backwards when the destination is above the source (memmove).
	 */
	leal	flat(%ebp), %esi
	movl	$KERNEL_BASE, %edi
	movl	$(FLAT_SIZE / 4), %ecx
	cmpl	%esi, %edi
	je	copied
	jb	forward
	leal	(FLAT_SIZE - 4)(%esi), %esi
	leal	(FLAT_SIZE - 4)(%edi), %edi
	std
	rep movsl
	cld
	jmp	copied
forward:
	rep movsl
copied:
	/* Zero what repack.py trimmed off the end: the rest of the segments (bss, brk, ...). */
	movl	$(KERNEL_BASE + FLAT_SIZE), %edi
	movl	$((ZERO_END - FLAT_SIZE) / 4), %ecx
	xorl	%eax, %eax
	rep stosl

	/*
	 * Identity-map the first 4 GiB with 2 MiB pages: PML4 -> one PDPT -> four page
	 * directories. EDX = page-table base, 4 KiB aligned inside our reserved space.
	 */
	leal	(pt_space + 0xfff)(%ebp), %edx
	andl	$~0xfff, %edx
	movl	%edx, %edi
	movl	$(6 * 4096 / 4), %ecx
	xorl	%eax, %eax
	rep stosl

	leal	(0x1000 + PTE_P_RW)(%edx), %eax	/* PML4[0] -> PDPT */
	movl	%eax, (%edx)
	leal	(0x2000 + PTE_P_RW)(%edx), %eax	/* PDPT[0..3] -> PD0..PD3 */
	leal	0x1000(%edx), %edi
	movl	$4, %ecx
1:	movl	%eax, (%edi)
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	1b

	movl	$PDE_2M, %eax			/* PD entries: 2048 x 2 MiB = 4 GiB */
	leal	0x2000(%edx), %edi
	movl	$2048, %ecx
2:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	2b

	/* GDT: its descriptor needs our run-time address. */
	leal	gdt(%ebp), %eax
	movl	%eax, (gdt_desc + 2)(%ebp)
	lgdt	gdt_desc(%ebp)
	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* Long mode: PAE, CR3, EFER.LME, then paging (SDM Vol. 3A, 10.8.5). */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	%edx, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0

	/* Now in compatibility mode; a far return loads the 64-bit code segment. */
	leal	long_mode(%ebp), %eax
	pushl	$BOOT_CS
	pushl	%eax
	lret

	.code64
long_mode:
	movl	%ebx, %esi			/* RSI = &boot_params (zero-extended) */
	movl	$ENTRY, %eax
	jmp	*%rax

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: 32-bit code, flat */
	.quad	0x00af9a000000ffff		/* 0x10: 64-bit code (L=1) */
	.quad	0x00cf92000000ffff		/* 0x18: data, flat */
gdt_end:
	.balign	8
	.word	0, 0, 0
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0				/* base, filled in at run time */

	.balign	16
	.fill	64, 4, 0
stack_top:

	.org	PT_OFFSET			/* fails to assemble if the code grew past it */
pt_space:
	.fill	PT_SPACE, 1, 0
flat:						/* repack.py appends the flat kernel here */
