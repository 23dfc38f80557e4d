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
 *
 * Speculation hygiene, as kvm_intel 6.1's __vmx_vcpu_run (each an alternative the kernel
 * patches in only where its own mitigation is on): VERW clears CPU buffers right before
 * entry (X86_FEATURE_CLEAR_CPU_BUF, MDS/TAA/MMIO); after the exit, before the first RET
 * that is not matched by a CALL since the exit: the RSB is stuffed (X86_FEATURE_RSB_VMEXIT)
 * or, on eIBRS parts, one CALL is made to retire (X86_FEATURE_RSB_VMEXIT_LITE, post-barrier
 * RSB predictions); SPEC_CTRL is written again with legacy IBRS (X86_FEATURE_KERNEL_IBRS);
 * the branch history is cleared (X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT, BHI).
 * Guests cannot write SPEC_CTRL (vmx/msr.c hides it), so unlike kvm_intel nothing here
 * switches it to a guest value before entry or saves one after the exit.
 *
 * void __vmx_do_nmi_irqoff(void)
 *   IRQs off, after a VM exit caused by an NMI: calls the host's NMI entry
 *   (VMX_HOST_NMI_ENTRY, kmod/compat.h) with the interrupt frame an NMI here would push.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#include "kmod/compat.h"

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

	/* CF = launched, from here to VMLAUNCH/VMRESUME: MOVs and VERW leave it alone. */
	bt	$0, %esi

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

	/* Clear CPU buffers as late as possible (clobbers ZF only). */
	CLEAR_CPU_BUFFERS

	/* The stack at vmx_vmexit is the stack here: tell objtool (and the unwinder). */
	UNWIND_HINT_SAVE
	jc	.Lvmresume
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
	/*
	 * HOST_RIP takes this label's address, so with IBT (CONFIG_X86_KERNEL_IBT, on in 6.12)
	 * objtool wants an end-branch here, as kvm_intel has; a VM exit is no indirect branch
	 * and never needs it. Empty without IBT.
	 */
	ENDBR
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

	/* RBX holds the return value from here: 0, a VM exit. */
	xor	%ebx, %ebx

.Lclear_regs:
	/*
	 * Do not let guest values linger in host registers (speculation hygiene); the
	 * callee-saved ones are reloaded from the stack below, but cleared here too.
	 */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebp, %ebp
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d

	/*
	 * The guest may have trained the return stack buffer: stuff it, or (eIBRS, whose
	 * RSB entries from guest mode cannot be used but may be from after the exit) make
	 * one CALL retire before the first unbalanced RET.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Legacy IBRS protects against predictions made before SPEC_CTRL.IBRS was written
	 * in the more privileged mode, and guest mode is less privileged: write it again,
	 * same value or not, before the first RET (kvm_intel: vmx_spec_ctrl_restore_host()).
	 */
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PER_CPU_VAR(x86_spec_ctrl_current), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	wrmsr
	lfence
.Lspec_ctrl_done:

	/* The guest may have trained the branch history (BHI). */
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov	%ebx, %eax
.Lpop_ret:
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmfail:
	/* Still on the host stack, with guest values in the GPRs: cleared, then popped. */
	mov	$1, %ebx
	jmp	.Lclear_regs
.Lfault:
	mov	$2, %ebx
	jmp	.Lclear_regs
.Lvmfail_early:
	/* The guest registers were not loaded yet: nothing to clear or stuff. */
	mov	$1, %eax
	jmp	.Lpop_ret
SYM_FUNC_END(__vmx_vcpu_enter)

/*
 * The host's NMI entry, called as if an NMI had interrupted this point (kvm_intel 6.1:
 * vmx_do_interrupt_nmi_irqoff): SS, RSP, RFLAGS (IF clear: IRQs are off here), CS and the
 * return address, on a 16-byte aligned stack as the CPU aligns it. The entry returns with
 * IRET, which also restores RSP; RBP restores it again for objtool, which cannot know.
 */
SYM_FUNC_START(__vmx_do_nmi_irqoff)
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	call	VMX_HOST_NMI_ENTRY
	mov	%rbp, %rsp
	pop	%rbp
	RET
SYM_FUNC_END(__vmx_do_nmi_irqoff)
