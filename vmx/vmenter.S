/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit. The only assembly file of the module: everything that must not be
 * touched by the compiler between loading the guest's registers and VMLAUNCH/VMRESUME,
 * and between the VM exit and saving them.
 *
 * int __vmx_vcpu_enter(unsigned long *regs, bool launched)
 *   regs:     the guest GPRs, in enum vmx_reg order (RSP, slot 4, lives in the VMCS)
 *   launched: VMRESUME if true, VMLAUNCH otherwise (SDM Vol. 3C 25.11.3)
 * Returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed (VMfail; the VM-instruction
 * error field says why), 2 if the instruction faulted (VMX is gone).
 *
 * HOST_RIP points at vmx_vmexit; HOST_RSP is written here before every entry, so the stack
 * at the exit is exactly as it was at the entry.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define WORD		8
#define REG(n)		((n) * WORD)
#define VMCS_HOST_RSP	0x00006c14	/* SDM Vol. 3D B.4.4: host RSP field encoding */

.section .text, "ax"

SYM_FUNC_START(__vmx_vcpu_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* The regs pointer stays at the top of the stack: vmx_vmexit finds it there. */
	push	%rdi

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jna	.Lvmfail_early

	/* Flags from here to VMLAUNCH/VMRESUME: MOVs do not change them. */
	test	%sil, %sil

	mov	REG(0)(%rdi), %rax
	mov	REG(1)(%rdi), %rcx
	mov	REG(2)(%rdi), %rdx
	mov	REG(3)(%rdi), %rbx
	mov	REG(5)(%rdi), %rbp
	mov	REG(6)(%rdi), %rsi
	mov	REG(8)(%rdi), %r8
	mov	REG(9)(%rdi), %r9
	mov	REG(10)(%rdi), %r10
	mov	REG(11)(%rdi), %r11
	mov	REG(12)(%rdi), %r12
	mov	REG(13)(%rdi), %r13
	mov	REG(14)(%rdi), %r14
	mov	REG(15)(%rdi), %r15
	mov	REG(7)(%rdi), %rdi

	/* The stack at vmx_vmexit is the stack here: tell objtool (and the unwinder). */
	UNWIND_HINT_SAVE
	jnz	.Lvmresume
.Lvmlaunch:
	vmlaunch
	jmp	.Lvmfail
.Lvmresume:
	vmresume
	jmp	.Lvmfail

	_ASM_EXTABLE(.Lvmlaunch, .Lfault)
	_ASM_EXTABLE(.Lvmresume, .Lfault)

SYM_INNER_LABEL(vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	/* RSP is HOST_RSP: the regs pointer is on top of the stack. */
	push	%rdi
	mov	WORD(%rsp), %rdi
	mov	%rax, REG(0)(%rdi)
	mov	%rcx, REG(1)(%rdi)
	mov	%rdx, REG(2)(%rdi)
	mov	%rbx, REG(3)(%rdi)
	mov	%rbp, REG(5)(%rdi)
	mov	%rsi, REG(6)(%rdi)
	mov	%r8, REG(8)(%rdi)
	mov	%r9, REG(9)(%rdi)
	mov	%r10, REG(10)(%rdi)
	mov	%r11, REG(11)(%rdi)
	mov	%r12, REG(12)(%rdi)
	mov	%r13, REG(13)(%rdi)
	mov	%r14, REG(14)(%rdi)
	mov	%r15, REG(15)(%rdi)
	pop	REG(7)(%rdi)

	/* Do not let guest values linger in host registers (speculation hygiene). */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	/* The guest may have trained the return stack buffer. */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	xor	%eax, %eax
.Lout:
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmfail:
	/* Still on the host stack, with guest values in the GPRs: the pops restore ours. */
	mov	$1, %eax
	jmp	.Lout
.Lvmfail_early:
	mov	$1, %eax
	jmp	.Lout
.Lfault:
	mov	$2, %eax
	jmp	.Lout
SYM_FUNC_END(__vmx_vcpu_enter)
