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
 *   OP: invd cpuid vmcall pio-out mmio-write irq-inject (default: all). INVD is the floor:
 *   both hypervisors handle it by skipping the instruction, so it is the bare exit/entry
 *   plus dispatch. mmio-write stores to a GPA outside guest RAM (decode + userspace);
 *   irq-inject is an OUT that makes the host inject vector 0x20 (KVM_INTERRUPT), timed
 *   until the guest's handler runs.
 * Prints one line per OP: "bench dev=NAME op=OP n=N median=M min=MIN max=MAX" (ticks).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

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
asm(".pushsection .rodata\n"
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
    ".code64\n"
    ".popsection\n");
extern const uint8_t guest_invd[], guest_cpuid[], guest_vmcall[], guest_pio_out[],
	guest_mmio_write[], guest_irq_inject[], guest_irq_handler[], guest_end[];

struct op {
	const char *name;
	const uint8_t *code, *end;
};

static const struct op ops[] = {
	{ "invd", guest_invd, guest_cpuid },
	{ "cpuid", guest_cpuid, guest_vmcall },
	{ "vmcall", guest_vmcall, guest_pio_out },
	{ "pio-out", guest_pio_out, guest_mmio_write },
	{ "mmio-write", guest_mmio_write, guest_irq_inject },
	{ "irq-inject", guest_irq_inject, guest_end },
};

static void die(const char *what)
{
	fprintf(stderr, "exit_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Run one op's loop in a fresh VM; returns 0 and fills samples[] (sorted). */
static int run_op(int sys, const struct op *op, int iter, uint32_t *samples)
{
	int vm, vcpu, mmap_size;
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	uint8_t *mem;

	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	region.memory_size = GUEST_MEM;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	memcpy(mem + CODE_GPA, op->code, op->end - op->code);
	if (op->code == guest_irq_inject) {	/* real-mode IVT entry 0x20: 0000:handler */
		uint16_t ivt[2] = { CODE_GPA + (guest_irq_handler - guest_irq_inject), 0 };

		memcpy(mem + 0x20 * 4, ivt, sizeof(ivt));
	}

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || mmap_size < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	regs.rbp = iter;
	regs.rdi = SAMPLES_GPA;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x81) {
			struct kvm_interrupt irq = { .irq = 0x20 };

			if (ioctl(vcpu, KVM_INTERRUPT, &irq))
				die("KVM_INTERRUPT");
			continue;
		}
		if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "exit_bench: %s: unexpected exit %u\n", op->name,
				run->exit_reason);
			return -1;
		}
	}
	memcpy(samples, mem + SAMPLES_GPA, iter * sizeof(*samples));
	qsort(samples, iter, sizeof(*samples), cmp_u32);
	munmap(run, mmap_size);
	close(vcpu);
	close(vm);
	munmap(mem, GUEST_MEM);
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
	int iter = 2000, opt, sys, i, failed = 0;
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
			       "[--iterations N (default 2000, max %d)] [invd|cpuid|vmcall|pio-out|mmio-write|irq-inject...]\n",
			       MAX_ITER);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (iter < 1 || iter > MAX_ITER) {
		fprintf(stderr, "exit_bench: --iterations must be 1..%d\n", MAX_ITER);
		return 2;
	}
	sys = open(dev, O_RDWR | O_CLOEXEC);
	if (sys < 0)
		die(dev);
	name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	samples = calloc(iter, sizeof(*samples));
	for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++) {
		int j, want = optind >= argc;

		for (j = optind; j < argc; j++)
			want |= !strcmp(argv[j], ops[i].name);
		if (!want)
			continue;
		if (run_op(sys, &ops[i], iter, samples)) {
			failed = 1;
			continue;
		}
		printf("bench dev=%s op=%s n=%d median=%u min=%u max=%u\n", name, ops[i].name,
		       iter, samples[iter / 2], samples[0], samples[iter - 1]);
	}
	return failed;
}
