/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbtest: a multiboot v1 test kernel for vmxrun (32-bit, no interrupts, port I/O only, so it
 * also runs where event injection is missing). It checks the multiboot hand-over (EAX magic,
 * info flags), prints "mbtest: ok" and its arguments (the command line after the kernel's own
 * name, which vmxrun puts first as GRUB does) on COM1 and ends through the debug-exit port with
 * value 0x2a (vmxrun exit status 0x55).
 * Arguments starting with "reset" test a machine reset instead: the first boot sets
 * CMOS byte 0x40 and resets through the i8042 (0xfe); the boot after it (--reboot=restart)
 * finds the byte set, prints "mbtest: restarted" and exits with 0x2b (status 0x57).
 * A command line starting with "wait" prints "mbtest: waiting" and halts with interrupts
 * off until the host ends the VM (a guest that stays up, for the control-socket tests).
 * A command line starting with "echo" prints "mbtest: echo" and then sends back every byte
 * COM1 receives, lower-case letters in upper case (a console that answers, for virtvmxd's
 * console tests); it polls the UART until the host ends the VM.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* modules page-aligned, memory info */
#define COM1		0x3f8
#define CMOS_FLAG	0x40

	.code32
	.text
	.globl _start
	.align 4
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

_start:
	mov $0x90000, %esp
	cmp $0x2badb002, %eax
	jne fail
	mov (%ebx), %eax		/* flags: MEM, CMDLINE, MMAP */
	and $0x45, %eax
	cmp $0x45, %eax
	jne fail
	mov 16(%ebx), %edi		/* the command line: "KERNEL ARGS" */
1:	mov (%edi), %al			/* skip the kernel's name and the blank after it */
	test %al, %al
	jz 2f
	inc %edi
	cmp $' ', %al
	jne 1b
2:	cmpl $0x65736572, (%edi)	/* "rese" */
	je reset_test
	cmpl $0x74696177, (%edi)	/* "wait" */
	je wait_test
	cmpl $0x6f686365, (%edi)	/* "echo" */
	je echo_test
	mov $msg_ok, %esi
	call puts
	mov %edi, %esi
	call puts
	mov $0x2a, %al
	jmp debug_exit

reset_test:
	mov $CMOS_FLAG, %al
	out %al, $0x70
	in $0x71, %al
	test %al, %al
	jnz restarted
	mov $1, %al
	out %al, $0x71
	mov $msg_reset, %esi
	call puts
	mov $0xfe, %al
	out %al, $0x64
1:	hlt
	jmp 1b
wait_test:
	mov $msg_wait, %esi
	call puts
	cli
1:	hlt
	jmp 1b

echo_test:
	mov $msg_echo, %esi
	call puts
1:	mov $COM1 + 5, %dx		/* wait for data ready */
	in %dx, %al
	test $0x01, %al
	jz 1b
	mov $COM1, %dx
	in %dx, %al
	cmp $'a', %al
	jb 2f
	cmp $'z', %al
	ja 2f
	sub $0x20, %al
2:	call putc
	jmp 1b

restarted:
	mov $msg_restarted, %esi
	call puts
	mov $0x2b, %al
	jmp debug_exit

fail:
	mov $msg_fail, %esi
	call puts
	mov $0x01, %al
debug_exit:
	out %al, $0xf4
1:	hlt
	jmp 1b

/* Print the string at %esi, then a newline. */
puts:
	lodsb
	test %al, %al
	jz 2f
	call putc
	jmp puts
2:	mov $'\n', %al
putc:
	mov %al, %ah
	mov $COM1 + 5, %dx
1:	in %dx, %al			/* wait for THRE */
	test $0x20, %al
	jz 1b
	mov $COM1, %dx
	mov %ah, %al
	out %al, %dx
	ret

	.data
msg_ok:		.asciz "mbtest: ok"
msg_reset:	.asciz "mbtest: resetting"
msg_restarted:	.asciz "mbtest: restarted"
msg_wait:	.asciz "mbtest: waiting"
msg_echo:	.asciz "mbtest: echo"
msg_fail:	.asciz "mbtest: bad multiboot hand-over"
