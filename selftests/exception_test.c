// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions: raised by the guest (#PF with error code and CR2, #GP for an empty IDT gate
 * and a selector beyond the GDT, #UD, #BP) or by the hypervisor (#GP for an unknown MSR)
 * reach the guest's handlers with their error codes; an exception whose delivery hits
 * guest-physical memory that is not (yet) there; RFLAGS.RF in the frame of a fault the
 * hypervisor injects. Interrupts, NMIs and KVM_GET/SET_VCPU_EVENTS are in event_test.c.
 */
#include "util.h"
#include "vm.h"
#include "x86.h"

#define MSR_UNKNOWN	0x0badc0de

/* ---- exceptions with error codes ---- */

#define RO_GVA		0x60000000ull
#define UNMAPPED_GVA	0x61000000ull

struct fault {
	uint64_t vec, err, cr2;
};

#define SAFE(insn, ...)									\
	({										\
		struct fault __f;							\
		__asm__ volatile(GUEST_ASM_SAFE(insn)					\
				 : GUEST_ASM_SAFE_OUTPUTS(__f.vec, __f.err)		\
				 : __VA_ARGS__ : GUEST_ASM_SAFE_CLOBBERS);		\
		__asm__ volatile("mov %%cr2, %0" : "=r"(__f.cr2));			\
		__f;									\
	})
#define EXPECT_FAULT(f, v, e)								\
	do {										\
		struct fault __g = (f);							\
		GUEST_ASSERT_EQ(__g.vec, v);						\
		GUEST_ASSERT_EQ(__g.err, e);						\
	} while (0)

static void GUEST_CODE guest_exceptions(void)
{
	struct fault f;

	f = SAFE("movl $1, (%[p])", [p] "r"(RO_GVA));			/* present, write */
	EXPECT_FAULT(f, 14, 3);
	GUEST_ASSERT_EQ(f.cr2, RO_GVA);
	f = SAFE("cmpl $0, (%[p])", [p] "r"(UNMAPPED_GVA + 8));	/* not present, read */
	EXPECT_FAULT(f, 14, 0);
	GUEST_ASSERT_EQ(f.cr2, UNMAPPED_GVA + 8);
	f = SAFE("movl $1, (%[p])", [p] "r"(UNMAPPED_GVA + 16));
	EXPECT_FAULT(f, 14, 2);
	EXPECT_FAULT(SAFE("int $0x55", "i"(0)), 13, 0x55 * 8 + 2);	/* an empty gate: IDT */
	EXPECT_FAULT(SAFE("mov %k[s], %%ds", [s] "r"(0x28)), 13, 0x28);	/* beyond the GDT */
	GUEST_ASSERT_EQ(guest_rdmsr_safe(MSR_UNKNOWN, &f.err), 13);		/* hypervisor */
	EXPECT_FAULT(SAFE("ud2", "i"(0)), 6, 0);
	EXPECT_FAULT(SAFE("int3", "i"(0)), 3, 0);				/* a trap */
}

TEST_KVM_IDENTICAL(exceptions_raised_by_the_guest_reach_its_handlers_with_error_codes)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_exceptions), 0, 0);

	vm_map_ro(vcpu->vm, RO_GVA, vm_alloc(vcpu->vm, GUEST_PAGE_SIZE));
	vcpu_run_done(vcpu);
}

/* ---- an exception delivered onto a stack the EPT does not map (yet) ---- */

#define IST_GVA		0x70000000ull
#define IST_GPA		0x80000000ull	/* outside slot 0 */
#define PF_GVA		0x71000000ull

extern const char guest_exc_stubs[];

static void GUEST_CODE guest_pf_on_ist(void)
{
	struct fault f = SAFE("movl $1, (%[p])", [p] "r"(PF_GVA));

	GUEST_SYNC(f.vec, f.err, f.cr2);
}

/* #PF is delivered on IST1, a page at IST_GPA. */
static struct vcpu *ist_guest(struct test_ctx *t)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_pf_on_ist), 0, 0);

	vm_map(vcpu->vm, IST_GVA, IST_GPA);
	vm_set_tss_ist(vcpu->vm, 1, IST_GVA + GUEST_PAGE_SIZE);
	vm_set_idt_gate(vcpu->vm, 14, guest_exc_stubs + 16 * 14, 1);
	return vcpu;
}

/* Run to the guest's report of its #PF and check the frame the CPU pushed on IST1. */
static void expect_pf_delivered(struct test_ctx *t, struct vcpu *vcpu, const uint64_t *ist)
{
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 14);
	EXPECT_EQ(uc.args[1], 2);		/* not present, write */
	EXPECT_EQ(uc.args[2], PF_GVA);
	EXPECT_EQ(ist[511], GDT_DATA);		/* SS, RSP, RFLAGS, CS, RIP, error code */
	EXPECT_EQ(ist[508], GDT_CODE64);
	EXPECT_EQ(ist[506], 2);
	vcpu_run_done(vcpu);
}

TEST_KVM_IDENTICAL(exception_delivered_onto_a_fresh_memslot_page_keeps_its_error_code)
{
	struct vcpu *vcpu = ist_guest(t);
	uint64_t *ist = t_guest_ram(t, GUEST_PAGE_SIZE);

	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, IST_GPA, GUEST_PAGE_SIZE, ist), 0);
	expect_pf_delivered(t, vcpu, ist);
}

/*
 * vmxmon reports a delivery that touches guest-physical memory outside every memslot as
 * KVM_INTERNAL_ERROR_DELIVERY_EV (no device can answer a stack push) and keeps the event:
 * once userspace adds the memory, KVM_RUN delivers it. KVM 6.1 instead emulates the
 * instruction at RIP as if it had accessed MMIO itself.
 */
TEST_VMXMON_ONLY(exception_delivery_onto_unbacked_memory_is_delivery_ev_and_then_resumes)
{
	struct vcpu *vcpu = ist_guest(t);
	const struct kvm_run *run = vcpu->run;
	uint64_t *ist = t_guest_ram(t, GUEST_PAGE_SIZE);
	struct kvm_vcpu_events e;

	vcpu_run_expect(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(run->internal.suberror, KVM_INTERNAL_ERROR_DELIVERY_EV);
	ASSERT_GE(run->internal.ndata, 2);
	EXPECT_EQ(run->internal.data[0], 0x80000b0e);	/* valid, error code, exception, #PF */
	EXPECT_EQ(run->internal.data[1] & ~(GUEST_PAGE_SIZE - 1), IST_GPA);
	e = get_events(t, vcpu);
	EXPECT_EQ(e.exception.injected, 1);
	EXPECT_EQ(e.exception.nr, 14);
	EXPECT_EQ(e.exception.has_error_code, 1);
	EXPECT_EQ(e.exception.error_code, 2);

	ASSERT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, IST_GPA, GUEST_PAGE_SIZE, ist), 0);
	expect_pf_delivered(t, vcpu, ist);
}

/* ---- RFLAGS.RF in the frame of a fault the hypervisor injects ---- */

static volatile uint64_t gp_count, gp_rflags, gp_resume;

/*
 * A #GP handler that records the RFLAGS image the delivery pushed and resumes at gp_resume.
 * The stack: error code, RIP, CS, RFLAGS, RSP, SS (RAX pushed on top).
 */
__asm__(".pushsection guest_text, \"ax\"\n"
	".balign 16\n"
	".global gp_rf_stub\n"
	"gp_rf_stub:\n"
	"	push %rax\n"
	"	mov 32(%rsp), %rax\n"
	"	mov %rax, gp_rflags(%rip)\n"
	"	incq gp_count(%rip)\n"
	"	mov gp_resume(%rip), %rax\n"
	"	mov %rax, 16(%rsp)\n"
	"	pop %rax\n"
	"	add $8, %rsp\n"
	"	iretq\n"
	".popsection\n");
extern const char gp_rf_stub[];

/* Run insn (which must #GP) with the handler above; the pushed RFLAGS. */
#define GP_RFLAGS(insn, ...)								\
	({										\
		__asm__ volatile("lea 1f(%%rip), %%rax\n\t"				\
				 "mov %%rax, gp_resume(%%rip)\n\t"			\
				 insn "\n"						\
				 "1:"							\
				 : : __VA_ARGS__ : "rax", "rdx", "cc", "memory");	\
		gp_rflags;								\
	})

static void GUEST_CODE guest_gp_rf(void)
{
	uint64_t cr4, rf_cr4, rf_msr, rf_cpu;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	/* MOV to CR4 with a reserved bit: it exits, the hypervisor injects #GP(0). */
	rf_cr4 = GP_RFLAGS("mov %[v], %%cr4", [v] "r"(cr4 | (1ull << 63)));
	/* RDMSR of an MSR nobody has: the same. */
	rf_msr = GP_RFLAGS("rdmsr", "c"(MSR_UNKNOWN));
	/* A non-canonical load: the CPU raises #GP itself. */
	rf_cpu = GP_RFLAGS("mov (%[p]), %%rax", [p] "r"(0x8000000000000000ull));
	GUEST_SYNC(gp_count, rf_cr4 & X86_EFLAGS_RF, rf_msr & X86_EFLAGS_RF, rf_cpu & X86_EFLAGS_RF);
}

/*
 * A fault pushes RFLAGS with RF set (SDM Vol. 3B, instruction breakpoints), whether the CPU
 * raises it or the hypervisor injects it (KVM's inject_pending_event() sets RF for faults);
 * the kvm-unit-tests idt_test checks this for a MOV to CR4 ("#GP rflags.rf").
 */
TEST_KVM_IDENTICAL(hypervisor_injected_faults_push_rflags_with_rf_set)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_gp_rf), 0, 0);
	struct ucall uc;

	vm_set_idt_gate(vcpu->vm, 13, gp_rf_stub, 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[1], X86_EFLAGS_RF);		/* injected for MOV to CR4 */
	EXPECT_EQ(uc.args[2], X86_EFLAGS_RF);		/* injected for RDMSR */
	EXPECT_EQ(uc.args[3], X86_EFLAGS_RF);		/* raised by the CPU */
	vcpu_run_done(vcpu);
}
