// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench: round-trip cost of VM exits, in guest TSC ticks, through the KVM API of any
 * device (/dev/vmxmon or /dev/kvm), so both hypervisors run the same guest with the same
 * host code. Inside Bochs a tick is one emulated instruction: the numbers are path
 * lengths, repeatable from run to run.
 *
 * The guest is a real-mode loop: RDTSC, the exiting instruction, RDTSC, store the
 * difference; the host reads the samples from guest memory after the guest halts.
 *
 *   exit_bench [--dev PATH] [--iterations N] [OP...]
 *   OP: invd cpuid vmcall pio-out mmio-write irq-inject ipi timer cr8 xapic-tpr xapic-eoi
 *       first-touch first-touch-2m
 *   (default: all). INVD is the floor: both hypervisors handle it by skipping the
 *   instruction, so it is the bare exit/entry plus dispatch. mmio-write stores to a GPA outside guest RAM (decode +
 *   userspace); irq-inject is an OUT that makes the host inject vector 0x20 (KVM_INTERRUPT),
 *   timed until the guest's handler runs.
 *   The last two use the in-kernel APIC (KVM_CAP_SPLIT_IRQCHIP, x2APIC MSRs, which real
 *   mode can reach): ipi is a round trip between two vCPUs (one host thread each), vCPU 0
 *   sends a fixed IPI to vCPU 1, whose handler answers with one; both wait in HLT, so it
 *   includes waking each. timer arms the TSC-deadline timer at now + 20,000 ticks and
 *   measures from the deadline to the RDTSC in the guest's handler (the guest spins).
 *   cr8 is MOV to CR8 in 64-bit mode (identity-mapped by one 2 MiB page), which exits to
 *   the hypervisor unless it gives the guest a TPR shadow. xapic-tpr and xapic-eoi write
 *   the TPR and EOI registers of the xAPIC page (0xfee00000, a 4 KiB mapping), also in
 *   64-bit mode: with an APIC-access page the CPU keeps the TPR write in the guest, the
 *   EOI write exits to the hypervisor (which decodes it) either way.
 *   first-touch writes one byte to each 4 KiB page of a fresh slot (private anonymous
 *   memory, no THP; 64-bit mode, 2 MiB guest pages): each store is an EPT violation that
 *   faults a new host page in (allocate, zero, map), as a guest meets its RAM at boot.
 *   first-touch-2m does the same with one byte per 2 MiB of transparent huge pages
 *   (MADV_HUGEPAGE, 2 MiB-aligned, THP turned on for the op if the host has it off; at
 *   most TOUCH_2M_PAGES samples): each store faults a
 *   whole huge page in (allocate, zero 2 MiB, map it with one EPT leaf where the
 *   hypervisor can); compare one sample with 512 of first-touch.
 * Prints one line per OP: "bench dev=NAME op=OP n=N median=M min=MIN max=MAX" (ticks).
 *
 * Not a TAP test: a plain program on the selftest library's raw layer (lib/kvm_util.h),
 * which returns errors instead of failing tests; `make bench` (scripts/bench/run) runs it
 * in the testbed on both devices.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "x86_defs.h"

#define GUEST_MEM	0x10000	/* 64 KiB of RAM: GPA 0x20000 is MMIO */
#define CODE_GPA	0x1000
#define SAMPLES_GPA	0x8000
#define MAX_ITER	8192	/* 32 KiB of samples: the 64 KiB real-mode data segment */

/*
 * Guest loops, 16-bit code. %bp counts iterations (set by the host in RBP), %di walks the
 * sample array, %esi holds the first TSC reading. Each loop ends in HLT.
 */
#define LOOP_HEAD "1: rdtsc\n mov %eax, %esi\n"
#define LOOP_TAIL "rdtsc\n sub %esi, %eax\n mov %eax, (%di)\n add $4, %di\n dec %bp\n jnz 1b\n hlt\n"
/* The APIC loops: x2APIC on (from xAPIC), software-enabled; EOI; a handler that records
 * RDTSC - %esi, sets %bx and EOIs. They end with OUT to port 0x82 (HLT stays in the kernel). */
#define X2APIC_ON "mov $0x1b, %ecx\n rdmsr\n or $0xc00, %eax\n wrmsr\n" \
	"mov $0x80f, %ecx\n mov $0x1ff, %eax\n xor %edx, %edx\n wrmsr\n"
#define EOI "mov $0x80b, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr\n"
#define SAMPLE_IRQ "push %eax\n push %ecx\n push %edx\n rdtsc\n sub %esi, %eax\n" \
	"mov %eax, (%di)\n add $4, %di\n" EOI "mov $1, %bx\n pop %edx\n pop %ecx\n pop %eax\n iret\n"
__asm__(".pushsection .rodata\n"
    ".code16\n"
    "guest_invd: " LOOP_HEAD "invd\n" LOOP_TAIL
    "guest_cpuid: " LOOP_HEAD "xor %eax, %eax\n cpuid\n" LOOP_TAIL
    "guest_vmcall: " LOOP_HEAD "xor %eax, %eax\n vmcall\n" LOOP_TAIL
    "guest_pio_out: " LOOP_HEAD "out %al, $0x80\n" LOOP_TAIL
    "guest_mmio_write: mov $0x2000, %ax\n mov %ax, %es\n"
    LOOP_HEAD "movb %al, %es:(0)\n" LOOP_TAIL
    /* IVT[0x20] -> irq_handler is set by the host; the handler ends the measurement. */
    "guest_irq_inject: sti\n 1: rdtsc\n mov %eax, %esi\n out %al, $0x81\n"
    "nop\n dec %bp\n jnz 1b\n hlt\n"
    "guest_irq_handler: push %eax\n rdtsc\n sub %esi, %eax\n mov %eax, (%di)\n"
    "add $4, %di\n pop %eax\n iret\n"
    "guest_end:\n"
    /* vCPU 1: answer each IPI 0x42 with IPI 0x43 to vCPU 0. Flags its readiness at 0x7000. */
    "guest_ipi_ap: " X2APIC_ON "movw $1, (0x7000)\n sti\n 1: hlt\n jmp 1b\n"
    "guest_ipi_ap_handler: push %eax\n push %ecx\n push %edx\n"
    "mov $0x830, %ecx\n xor %edx, %edx\n mov $0x43, %eax\n wrmsr\n" EOI
    "pop %edx\n pop %ecx\n pop %eax\n iret\n"
    /* vCPU 0: time IPI 0x42 to vCPU 1 until its answer's handler; wait in STI;HLT. */
    "guest_ipi_bsp: " X2APIC_ON "2: cmpw $1, (0x7000)\n pause\n jne 2b\n"
    "1: xor %bx, %bx\n rdtsc\n mov %eax, %esi\n"
    "mov $0x830, %ecx\n mov $1, %edx\n mov $0x42, %eax\n wrmsr\n"
    "3: cli\n test %bx, %bx\n jnz 4f\n sti\n hlt\n jmp 3b\n 4: sti\n"
    "dec %bp\n jnz 1b\n out %al, $0x82\n"
    "guest_ipi_bsp_handler: " SAMPLE_IRQ
    /* TSC deadline at now + 20000 (vector 0x41); spin until the handler has run. */
    "guest_timer: " X2APIC_ON "mov $0x832, %ecx\n mov $0x40041, %eax\n xor %edx, %edx\n wrmsr\n"
    "sti\n 1: xor %bx, %bx\n rdtsc\n add $20000, %eax\n adc $0, %edx\n mov %eax, %esi\n"
    "mov $0x6e0, %ecx\n wrmsr\n 2: pause\n test %bx, %bx\n jz 2b\n"
    "dec %bp\n jnz 1b\n out %al, $0x82\n"
    "guest_timer_handler: " SAMPLE_IRQ
    ".code64\n"
    /* 64-bit (CR8 exists only there): MOV to CR8, which a TPR shadow keeps in the guest. */
    "guest_cr8: 1: rdtsc\n mov %eax, %esi\n mov %rbx, %cr8\n rdtsc\n sub %esi, %eax\n"
    "mov %eax, (%rdi)\n add $4, %rdi\n dec %ebp\n jnz 1b\n out %al, $0x82\n"
    /* The xAPIC page at 0xfee00000 (in %r8): TPR (0x80) and EOI (0xb0, none in service). */
    "guest_xapic_tpr: mov $0xfee00000, %r8d\n 1: rdtsc\n mov %eax, %esi\n mov %ebx, 0x80(%r8)\n"
    "rdtsc\n sub %esi, %eax\n mov %eax, (%rdi)\n add $4, %rdi\n dec %ebp\n jnz 1b\n out %al, $0x82\n"
    "guest_xapic_eoi: mov $0xfee00000, %r8d\n 1: rdtsc\n mov %eax, %esi\n movl $0, 0xb0(%r8)\n"
    "rdtsc\n sub %esi, %eax\n mov %eax, (%rdi)\n add $4, %rdi\n dec %ebp\n jnz 1b\n out %al, $0x82\n"
    "guest_apic_end:\n"
    /* One byte in each 4 KiB page from TOUCH_GPA (in %r8). */
    "guest_first_touch: mov $0x40000000, %r8d\n 1: rdtsc\n mov %eax, %esi\n movb %al, (%r8)\n"
    "rdtsc\n sub %esi, %eax\n mov %eax, (%rdi)\n add $4, %rdi\n add $4096, %r8\n"
    "dec %ebp\n jnz 1b\n out %al, $0x82\n"
    "guest_touch_end:\n"
    /* One byte in each 2 MiB page from TOUCH_GPA. */
    "guest_first_touch_2m: mov $0x40000000, %r8d\n 1: rdtsc\n mov %eax, %esi\n movb %al, (%r8)\n"
    "rdtsc\n sub %esi, %eax\n mov %eax, (%rdi)\n add $4, %rdi\n add $0x200000, %r8\n"
    "dec %ebp\n jnz 1b\n out %al, $0x82\n"
    "guest_touch_2m_end:\n"
    ".popsection\n");
extern const uint8_t guest_invd[], guest_cpuid[], guest_vmcall[], guest_pio_out[],
	guest_mmio_write[], guest_irq_inject[], guest_irq_handler[], guest_end[],
	guest_ipi_ap[], guest_ipi_ap_handler[], guest_ipi_bsp[], guest_ipi_bsp_handler[],
	guest_timer[], guest_timer_handler[], guest_cr8[], guest_xapic_tpr[], guest_xapic_eoi[],
	guest_apic_end[], guest_first_touch[], guest_touch_end[], guest_first_touch_2m[],
	guest_touch_2m_end[];

#define TOUCH_GPA	0x40000000ull	/* 1 GiB: slot 1 of first-touch, MAX_ITER pages */
#define TOUCH_PD	0x7000		/* its page directory (0x7000 is ipi's flag only) */
#define TOUCH_2M_PAGES	32		/* first-touch-2m: 64 MiB of the L1's RAM */
#define HUGE_SIZE	(2ul << 20)

struct op {
	const char *name;
	const uint8_t *code, *end;
	enum { NO_APIC, APIC_TIMER, APIC_IPI, APIC_CR8, APIC_XAPIC } apic;	/* CR8 on: 64-bit */
};

static const struct op ops[] = {
	{ "invd", guest_invd, guest_cpuid, NO_APIC },
	{ "cpuid", guest_cpuid, guest_vmcall, NO_APIC },
	{ "vmcall", guest_vmcall, guest_pio_out, NO_APIC },
	{ "pio-out", guest_pio_out, guest_mmio_write, NO_APIC },
	{ "mmio-write", guest_mmio_write, guest_irq_inject, NO_APIC },
	{ "irq-inject", guest_irq_inject, guest_end, NO_APIC },
	{ "ipi", guest_ipi_ap, guest_timer, APIC_IPI },
	{ "timer", guest_timer, guest_cr8, APIC_TIMER },
	{ "cr8", guest_cr8, guest_xapic_tpr, APIC_CR8 },
	{ "xapic-tpr", guest_xapic_tpr, guest_xapic_eoi, APIC_XAPIC },
	{ "xapic-eoi", guest_xapic_eoi, guest_apic_end, APIC_XAPIC },
	{ "first-touch", guest_first_touch, guest_touch_end, NO_APIC },	/* touch_setup() */
	{ "first-touch-2m", guest_first_touch_2m, guest_touch_2m_end, NO_APIC },
};

static void __attribute__((noreturn)) die(const char *what, int err)
{
	fprintf(stderr, "exit_bench: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* Real-mode IVT entry: vector -> 0000:(CODE_GPA + offset of handler in op's code). */
static void set_ivt(uint8_t *mem, const struct op *op, int vector, const uint8_t *handler)
{
	uint16_t ivt[2] = { CODE_GPA + (handler - op->code), 0 };

	memcpy(mem + vector * 4, ivt, sizeof(ivt));
}

/* A vCPU in real mode at 0000:ip (SP 0), with cpuid if not NULL; an AP made runnable. */
static struct vcpu *vcpu_new(struct vm *vm, unsigned int id, const struct kvm_cpuid2 *cpuid,
			     uint16_t ip)
{
	struct vcpu *vcpu;
	const char *what;
	long r = __vcpu_add(vm, id, &vcpu, &what);

	if (r)
		die(what, (int)r);
	if (cpuid && (r = dev_ioctl(vcpu->fd, KVM_SET_CPUID2, (unsigned long)cpuid)))
		die("KVM_SET_CPUID2", (int)r);
	if (id && (r = vcpu_set_mp_state(vcpu, KVM_MP_STATE_RUNNABLE)))	/* no INIT/SIPI */
		die("KVM_SET_MP_STATE", (int)r);
	r = __vcpu_enter_real_mode(vcpu, ip, 0, 2);
	if (r)
		die("KVM_SET_SREGS/KVM_SET_REGS", (int)r);
	return vcpu;
}

/* The supported CPUID with the TSC-deadline timer (KVM leaves that bit to userspace). */
static struct kvm_cpuid2 *apic_cpuid(struct vm *vm)
{
	const struct kvm_cpuid2 *supported;
	struct kvm_cpuid_entry2 *leaf1;
	struct kvm_cpuid2 *c;
	size_t size;
	int r = __vm_supported_cpuid(vm, &supported);

	if (r)
		die("KVM_GET_SUPPORTED_CPUID", r);
	size = sizeof(*c) + supported->nent * sizeof(c->entries[0]);
	c = malloc(size);
	if (!c)
		die("malloc", -ENOMEM);
	memcpy(c, supported, size);
	leaf1 = cpuid_entry(c, 1, 0);
	if (leaf1)
		leaf1->ecx |= CPUID_1_ECX_TSC_DEADLINE;
	return c;
}

/*
 * 64-bit mode, GPA 0-2 MiB identity-mapped: PML4 at 0x2000, PDPT at 0x3000, PD at 0x4000;
 * and the xAPIC page by a 4 KiB page, uncached (PD at 0x5000, PT at 0x6000). The layout is
 * the benchmark's own (64 KiB of RAM, the loops' samples in real mode's segment): its rows
 * are compared across commits, so it stays as it is.
 */
static void enter_long_mode(struct vcpu *vcpu)
{
	uint64_t apic_pdpte = 0x5000 | PTE_P | PTE_W, apic_pde = 0x6000 | PTE_P | PTE_W;
	uint64_t apic_pte = APIC_DEFAULT_PHYS_BASE | PTE_P | PTE_W | PTE_PWT | PTE_PCD;
	uint64_t pml4e = 0x3000 | PTE_P | PTE_W, pdpte = 0x4000 | PTE_P | PTE_W;
	uint64_t pde = PTE_P | PTE_W | PTE_PS;
	uint8_t *mem = vcpu->vm->mem;
	struct kvm_sregs s;
	long r;

	memcpy(mem + 0x2000, &pml4e, 8);
	memcpy(mem + 0x3000, &pdpte, 8);
	memcpy(mem + 0x4000, &pde, 8);
	memcpy(mem + 0x3000 + 3 * 8, &apic_pdpte, 8);		/* 3-4 GiB */
	memcpy(mem + 0x5000 + 0x1f7 * 8, &apic_pde, 8);		/* APIC_DEFAULT_PHYS_BASE */
	memcpy(mem + 0x6000, &apic_pte, 8);
	r = dev_ioctl(vcpu->fd, KVM_GET_SREGS, (unsigned long)&s);
	if (r)
		die("KVM_GET_SREGS", (int)r);
	s.cs = flat_segment(8, true);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(16, false);
	s.cr0 = X86_CR0_PG | X86_CR0_NE | X86_CR0_ET | X86_CR0_PE;
	s.cr3 = 0x2000;
	s.cr4 = X86_CR4_PAE;
	s.efer = EFER_LMA | EFER_LME;
	r = dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&s);
	if (r)
		die("KVM_SET_SREGS (long mode)", (int)r);
}

/*
 * THP for MADV_HUGEPAGE regions, as a host that runs guests has it: the kernel turns it
 * off by default under 512 MiB of RAM (the testbed's L1); root may turn it on. With @on
 * false, what was turned on goes back to "never" (the other ops, and whatever the caller
 * runs next, see the host as it was).
 */
static void thp_madvise(bool on)
{
	static const char *const files[] = { "/sys/kernel/mm/transparent_hugepage/enabled",
					     "/sys/kernel/mm/transparent_hugepage/defrag" };
	static bool changed[2];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char buf[128] = "";
		FILE *f = fopen(files[i], "r+");

		if (!f)
			continue;
		if (!on && changed[i]) {
			fputs("never", f);
			changed[i] = false;
		} else if (on && fgets(buf, sizeof(buf), f) && strstr(buf, "[never]")) {
			rewind(f);
			fputs("madvise", f);
			changed[i] = true;
		}
		fclose(f);
	}
}

/*
 * first-touch: slot 1 of MAX_ITER fresh pages at TOUCH_GPA, mapped by 2 MiB guest pages
 * (PDPT[1] -> TOUCH_PD); the caller unmaps *hva (*len bytes) after the VM. @huge
 * (first-touch-2m): TOUCH_2M_PAGES transparent huge pages, the slot 2 MiB-aligned.
 */
static void touch_setup(struct vcpu *vcpu, bool huge, void **hva, size_t *len)
{
	size_t size = huge ? TOUCH_2M_PAGES * HUGE_SIZE : (size_t)MAX_ITER * 4096;
	uint64_t pdpte = TOUCH_PD | PTE_P | PTE_W;
	uint8_t *mem = vcpu->vm->mem, *slot;
	long r;

	*len = size + (huge ? HUGE_SIZE : 0);
	*hva = mmap(NULL, *len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (*hva == MAP_FAILED)
		die("mmap (first-touch)", -errno);
	slot = *hva;
	if (huge) {
		slot = (uint8_t *)(((uintptr_t)slot + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
		thp_madvise(true);
		madvise(slot, size, MADV_HUGEPAGE);
	} else {
		madvise(slot, size, MADV_NOHUGEPAGE);	/* 4 KiB host pages: one fault each */
	}
	r = vm_set_region(vcpu->vm->fd, 1, 0, TOUCH_GPA, size, slot);
	if (r)
		die("KVM_SET_USER_MEMORY_REGION (first-touch)", (int)r);
	enter_long_mode(vcpu);
	memcpy(mem + 0x3000 + 1 * 8, &pdpte, 8);			/* 1-2 GiB */
	for (uint64_t i = 0; i < size / (2 << 20); i++) {
		uint64_t pde = (TOUCH_GPA + (i << 21)) | PTE_P | PTE_W | PTE_PS;

		memcpy(mem + TOUCH_PD + i * 8, &pde, 8);
	}
}

/* vCPU 1 of the ipi op: runs (halted in the kernel, mostly) until told to stop. */
struct ap {
	struct vcpu *vcpu;
	volatile int stop;
	pthread_t thread;
};

static void *ap_main(void *arg)
{
	struct ap *ap = arg;

	while (!ap->stop) {
		int r = __vcpu_run(ap->vcpu);

		if (r && r != -EINTR && r != -EAGAIN)
			die("KVM_RUN (vCPU 1)", r);
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Run one op's loop in a fresh VM; returns 0 and fills samples[] (sorted). */
static int run_op(const char *dev, const struct op *op, int iter, uint32_t *samples)
{
	struct kvm_cpuid2 *cpuid = NULL;
	struct kvm_regs regs;
	struct kvm_run *run;
	struct ap ap = { 0 };
	void *touch_mem = NULL;
	size_t touch_len = 0;
	struct vcpu *vcpu;
	uint16_t ip = CODE_GPA;
	const char *what;
	struct vm *vm;
	uint8_t *mem;
	long r = __vm_create(dev, GUEST_MEM, &vm, &what);

	if (r)
		die(strcmp(what, "open") ? what : dev, (int)r);
	mem = vm->mem;
	memcpy(mem + CODE_GPA, op->code, op->end - op->code);
	if (op->code == guest_irq_inject)	/* real-mode IVT entry 0x20: 0000:handler */
		set_ivt(mem, op, 0x20, guest_irq_handler);
	if (op->apic) {
		r = vm_enable_split_irqchip(vm, 24);
		if (r)
			die("KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)", (int)r);
		cpuid = apic_cpuid(vm);
		set_ivt(mem, op, 0x41, guest_timer_handler);
		set_ivt(mem, op, 0x42, guest_ipi_ap_handler);
		set_ivt(mem, op, 0x43, guest_ipi_bsp_handler);
	}
	if (op->apic == APIC_IPI)
		ip = CODE_GPA + (guest_ipi_bsp - op->code);

	vcpu = vcpu_new(vm, 0, cpuid, ip);
	run = vcpu->run;
	if (op->apic >= APIC_CR8)
		enter_long_mode(vcpu);
	if (op->code == guest_first_touch || op->code == guest_first_touch_2m)
		touch_setup(vcpu, op->code == guest_first_touch_2m, &touch_mem, &touch_len);
	r = dev_ioctl(vcpu->fd, KVM_GET_REGS, (unsigned long)&regs);
	if (r)
		die("KVM_GET_REGS", (int)r);
	regs.rbp = iter;
	regs.rdi = SAMPLES_GPA;
	r = dev_ioctl(vcpu->fd, KVM_SET_REGS, (unsigned long)&regs);
	if (r)
		die("KVM_SET_REGS", (int)r);
	if (op->apic == APIC_IPI) {
		kick_signal_install();
		ap.vcpu = vcpu_new(vm, 1, cpuid, CODE_GPA);
		if (pthread_create(&ap.thread, NULL, ap_main, &ap))
			die("pthread_create", -errno);
	}

	/* The measured path for the exits to userspace: nothing but this loop in between. */
	for (;;) {
		r = __vcpu_run(vcpu);
		if (r) {
			if (r == -EINTR)
				continue;
			die("KVM_RUN", (int)r);
		}
		if (run->exit_reason == KVM_EXIT_HLT ||
		    (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x82))
			break;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x81) {
			struct kvm_interrupt irq = { .irq = 0x20 };

			r = __vcpu_ioctl(vcpu, KVM_INTERRUPT, &irq);
			if (r)
				die("KVM_INTERRUPT", (int)r);
			continue;
		}
		if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "exit_bench: %s: unexpected exit %u (KVM_EXIT_%s)\n",
				op->name, run->exit_reason, exit_reason_name(run->exit_reason));
			vm_free(vm);
			free(cpuid);
			return -1;
		}
	}
	if (ap.vcpu) {
		ap.stop = 1;
		kick_join(ap.thread, 0);
	}
	free(cpuid);
	memcpy(samples, mem + SAMPLES_GPA, iter * sizeof(*samples));
	qsort(samples, iter, sizeof(*samples), cmp_u32);
	vm_free(vm);
	if (touch_mem)
		munmap(touch_mem, touch_len);
	thp_madvise(false);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *dev = "/dev/vmxmon", *name;
	int iter = 2000, opt, i, failed = 0;
	uint32_t *samples;

	while ((opt = getopt_long(argc, argv, "d:n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'n':
			iter = atoi(optarg);
			break;
		default:
			printf("usage: exit_bench [--dev PATH (default /dev/vmxmon)] "
			       "[--iterations N (default 2000, max %d)] [invd|cpuid|vmcall|pio-out|mmio-write|irq-inject|ipi|timer|cr8|xapic-tpr|xapic-eoi|first-touch|first-touch-2m...]\n",
			       MAX_ITER);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (iter < 1 || iter > MAX_ITER) {
		fprintf(stderr, "exit_bench: --iterations must be 1..%d\n", MAX_ITER);
		return 2;
	}
	i = dev_open(dev);		/* a missing device: one line, before any op */
	if (i < 0)
		die(dev, i);
	close(i);
	name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	samples = calloc(iter, sizeof(*samples));
	for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++) {
		int j, n, want = optind >= argc;

		for (j = optind; j < argc; j++)
			want |= !strcmp(argv[j], ops[i].name);
		if (!want)
			continue;
		n = ops[i].code == guest_first_touch_2m && iter > TOUCH_2M_PAGES ? TOUCH_2M_PAGES : iter;
		if (run_op(dev, &ops[i], n, samples)) {
			failed = 1;
			continue;
		}
		printf("bench dev=%s op=%s n=%d median=%u min=%u max=%u\n", name, ops[i].name,
		       n, samples[n / 2], samples[0], samples[n - 1]);
	}
	return failed;
}
