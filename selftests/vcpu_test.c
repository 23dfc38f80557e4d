// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU state and the vCPU/VM ioctls' error cases: KVM_SET/GET_REGS and SREGS round trips
 * (with the normalisations KVM applies), KVM_SET_SREGS validation, KVM_CREATE_VCPU limits,
 * KVM_RUN's argument, ioctls on the wrong kind of fd or from another process, bad pointers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"
#include "util.h"
#include "vm.h"
#include "x86.h"

static void GUEST_CODE guest_nothing(void)
{
}

/* ---- KVM_SET/GET_REGS ---- */

TEST_KVM_IDENTICAL(regs_set_then_get_round_trips_and_forces_rflags_bit_1)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_regs in, out;
	uint64_t *w = (uint64_t *)&in, *r = (uint64_t *)&out;

	_Static_assert(sizeof(in) == 18 * 8, "kvm_regs: 16 GPRs, RIP, RFLAGS");
	for (int i = 0; i < 18; i++)
		w[i] = 0x0101010101010101ull * (i + 1) ^ 0x8000000000000000ull >> i;
	in.rip = 0x123456;
	in.rflags = 0xcd5;		/* CF PF AF ZF SF DF OF, reserved bit 1 clear */
	vcpu_set_regs(vcpu, &in);
	vcpu_get_regs(vcpu, &out);
	in.rflags |= 2;
	for (int i = 0; i < 18; i++)
		if (r[i] != w[i])
			t_fail(t, __FILE__, __LINE__, "kvm_regs word %d: set %#llx, got %#llx", i,
			       (unsigned long long)w[i], (unsigned long long)r[i]);
}

/* ---- KVM_SET/GET_SREGS ---- */

static void expect_seg(struct test_ctx *t, const char *name, const struct kvm_segment *got,
		       const struct kvm_segment *want)
{
#define SEG_FIELD(f)										\
	do {											\
		if (got->f != want->f)								\
			t_fail(t, __FILE__, __LINE__, "%s.%s: expected %#llx, got %#llx", name,	\
			       #f, (unsigned long long)want->f, (unsigned long long)got->f);	\
	} while (0)
	SEG_FIELD(base); SEG_FIELD(limit); SEG_FIELD(selector); SEG_FIELD(type);
	SEG_FIELD(present); SEG_FIELD(dpl); SEG_FIELD(db); SEG_FIELD(s); SEG_FIELD(l);
	SEG_FIELD(g); SEG_FIELD(avl); SEG_FIELD(unusable);
#undef SEG_FIELD
}

static void expect_sregs(struct test_ctx *t, const struct kvm_sregs *got,
			 const struct kvm_sregs *want)
{
	expect_seg(t, "cs", &got->cs, &want->cs);
	expect_seg(t, "ds", &got->ds, &want->ds);
	expect_seg(t, "es", &got->es, &want->es);
	expect_seg(t, "fs", &got->fs, &want->fs);
	expect_seg(t, "gs", &got->gs, &want->gs);
	expect_seg(t, "ss", &got->ss, &want->ss);
	expect_seg(t, "tr", &got->tr, &want->tr);
	expect_seg(t, "ldt", &got->ldt, &want->ldt);
	EXPECT_EQ(got->gdt.base, want->gdt.base);
	EXPECT_EQ(got->gdt.limit, want->gdt.limit);
	EXPECT_EQ(got->idt.base, want->idt.base);
	EXPECT_EQ(got->idt.limit, want->idt.limit);
	EXPECT_EQ(got->cr0, want->cr0);
	EXPECT_EQ(got->cr2, want->cr2);
	EXPECT_EQ(got->cr3, want->cr3);
	EXPECT_EQ(got->cr4, want->cr4);
	EXPECT_EQ(got->cr8, want->cr8);
	EXPECT_EQ(got->efer, want->efer);
	EXPECT_EQ(got->apic_base, want->apic_base);
}

static struct kvm_segment seg(uint16_t sel, uint64_t base, uint32_t limit, uint8_t type, int s)
{
	return (struct kvm_segment){
		.selector = sel, .base = base, .limit = limit, .type = type, .s = s, .present = 1,
		.g = limit > 0xfffff, .db = s && limit > 0xffff,
	};
}

TEST_KVM_IDENTICAL(sregs_set_then_get_round_trips)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_sregs in, out;

	vcpu_get_sregs(vcpu, &in);	/* keeps apic_base, zero interrupt_bitmap */
	in.cs = seg(0x1230, 0x12300, 0xffff, 0xb, 1);
	in.ds = seg(0x2340, 0x23400, 0xfffff, 0x3, 1);
	in.es = seg(0x3450, 0x34500, 0xffffffff, 0x3, 1);
	in.fs = seg(0x4560, 0x7f0000001000ull, 0xffffffff, 0x3, 1);
	in.gs = seg(0x5670, 0xffff800000002000ull, 0xffffffff, 0x3, 1);
	in.ss = seg(0x6780, 0x67800, 0xffff, 0x3, 1);
	in.tr = seg(0x18, 0x5000, 0x67, 0xb, 0);
	in.ldt = seg(0x28, 0x6000, 0xff, 0x2, 0);
	in.gdt.base = 0x7000;
	in.gdt.limit = 0x3ff;
	in.idt.base = 0x8000;
	in.idt.limit = 0x7ff;
	in.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE;
	in.cr2 = 0xdeadbeef000ull;
	in.cr3 = 0x9000;
	in.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR;
	in.cr8 = 5;
	in.efer = EFER_SCE;
	vcpu_set_sregs(vcpu, &in);
	vcpu_get_sregs(vcpu, &out);
	expect_sregs(t, &out, &in);
}

/* As KVM with unrestricted guest: "accessed" is set in every type but LDTR's. */
TEST_KVM_IDENTICAL(sregs_set_sets_the_accessed_bit_except_in_ldtr)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_sregs in, out;

	vcpu_get_sregs(vcpu, &in);
	in.cs.type = 0xa;		/* execute/read, not accessed */
	in.ds.type = 0x2;		/* read/write, not accessed */
	in.ss.type = 0x2;
	in.ldt = seg(0x28, 0x6000, 0xff, 0x2, 0);
	vcpu_set_sregs(vcpu, &in);
	vcpu_get_sregs(vcpu, &out);
	EXPECT_EQ(out.cs.type, 0xb);
	EXPECT_EQ(out.ds.type, 0x3);
	EXPECT_EQ(out.ss.type, 0x3);
	EXPECT_EQ(out.ldt.type, 0x2);
}

/*
 * A segment that is not present is unusable (VMX requires usable ones to be present); KVM
 * keeps its other attributes (vmx_segment_access_rights()), "accessed" type bit included.
 */
TEST_KVM_IDENTICAL(sregs_non_present_segment_reads_back_unusable_with_its_attributes)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_sregs in, out;

	vcpu_get_sregs(vcpu, &in);
	in.fs = seg(0x4563, 0x45600, 0xfffff, 0x2, 1);
	in.fs.present = 0;
	in.fs.dpl = 3;
	vcpu_set_sregs(vcpu, &in);
	vcpu_get_sregs(vcpu, &out);
	in.fs.unusable = 1;
	in.fs.type = 0x3;
	expect_seg(t, "fs", &out.fs, &in.fs);
}

/* Each case breaks one rule of kvm_is_valid_sregs(); the vCPU state must not change. */
TEST_KVM_IDENTICAL(sregs_with_inconsistent_paging_state_is_einval)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_nothing), 0, 0);
	struct kvm_sregs good, bad, now;
	static const char *const cases[] = {
		"LME+PG without CR4.PAE", "LME+PG without EFER.LMA", "LMA without CR0.PG",
		"LMA without LME", "CS.L outside long mode", "CR0.PG without PE",
		"CR3 beyond MAXPHYADDR", "CR4 reserved bit 32", "CR0 bit 32",
		"CR0.NW without CD",
	};

	vcpu_get_sregs(vcpu, &good);
	ASSERT_EQ(good.efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		long r;

		bad = good;
		switch (i) {
		case 0: bad.cr4 &= ~X86_CR4_PAE; break;
		case 1: bad.efer &= ~EFER_LMA; break;
		case 2: bad.cr0 &= ~X86_CR0_PG; break;
		case 3: bad.efer &= ~EFER_LME; break;
		case 4: bad.cr0 &= ~X86_CR0_PG; bad.efer = 0; break;	/* CS.L still 1 */
		case 5: bad.cr0 &= ~X86_CR0_PE; break;
		case 6: bad.cr3 = 1ull << 52; break;
		case 7: bad.cr4 |= 1ull << 32; break;
		case 8: bad.cr0 |= 1ull << 32; break;
		case 9: bad.cr0 |= X86_CR0_NW; break;
		}
		r = dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&bad);
		if (r != -EINVAL)
			t_fail(t, __FILE__, __LINE__, "%s: expected -EINVAL, got %ld", cases[i], r);
	}
	vcpu_get_sregs(vcpu, &now);
	expect_sregs(t, &now, &good);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&good), 0);
	vcpu_run_done(vcpu);		/* and the guest still runs */
}

static void GUEST_CODE guest_cpuid_apic(void)
{
	uint32_t r[4];

	for (;;) {
		guest_cpuid(1, 0, r);
		GUEST_SYNC((r[3] >> 9) & 1);
	}
}

/*
 * Without an in-kernel APIC, KVM_SET_SREGS.apic_base is IA32_APIC_BASE after KVM's
 * kvm_set_apic_base() checks (reserved bits, x2APIC without enable: -EINVAL, nothing
 * changed), and CPUID.1:EDX.APIC follows its enable bit (kvm_update_cpuid_runtime()).
 */
TEST_KVM_IDENTICAL(sregs_apic_base_is_checked_and_drives_the_cpuid_apic_bit_without_irqchip)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_cpuid_apic), 0, 0);
	const uint64_t on = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP;
	const uint64_t off = on & ~MSR_IA32_APICBASE_ENABLE;
	struct kvm_sregs s, bad, now;
	struct ucall uc;
	uint64_t msr = 0;

	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(s.apic_base, on);			/* the BSP's reset value */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);

	s.apic_base = off;				/* globally disabled */
	vcpu_set_sregs(vcpu, &s);
	EXPECT_EQ(vcpu_get_msr(vcpu, 0x1b, &msr), 1);
	EXPECT_EQ(msr, off);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 0);			/* no APIC in CPUID */

	bad = s;
	bad.apic_base = on | 1;				/* reserved bit 0 */
	bad.cr8 = 7;
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&bad), -EINVAL);
	bad.apic_base = off | (1 << 10);		/* x2APIC mode without enable */
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, (unsigned long)&bad), -EINVAL);
	vcpu_get_sregs(vcpu, &now);
	EXPECT_EQ(now.apic_base, off);
	EXPECT_EQ(now.cr8, s.cr8);			/* refused as a whole */

	s.apic_base = on;
	vcpu_set_sregs(vcpu, &s);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
}

/* ---- KVM_CREATE_VCPU ---- */

TEST_KVM_IDENTICAL(create_vcpu_with_a_used_id_is_eexist)
{
	struct vm *vm = t_vm_new(t);
	long a = dev_ioctl(vm->fd, KVM_CREATE_VCPU, 3);

	ASSERT_GE(a, 0);
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_CREATE_VCPU, 3), -EEXIST);
	EXPECT_GE(dev_ioctl(vm->fd, KVM_CREATE_VCPU, 4), 0);
}

TEST_KVM_IDENTICAL(create_vcpu_with_id_at_max_vcpu_id_is_einval)
{
	struct vm *vm = t_vm_new(t);
	long max = dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);

	ASSERT_GT(max, 0);
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_CREATE_VCPU, max), -EINVAL);
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_CREATE_VCPU, 0xffffffff), -EINVAL);
	EXPECT_GE(dev_ioctl(vm->fd, KVM_CREATE_VCPU, max - 1), 0);	/* the last valid id */
}

TEST_KVM_IDENTICAL(create_vcpu_beyond_max_vcpus_is_einval)
{
	struct vm *vm = t_vm_new(t);
	long max = dev_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	ASSERT_GT(max, 0);
	if (max > 64)
		t_skip(t, "KVM_CAP_MAX_VCPUS is %ld: too many vCPUs for the testbed", max);
	for (long i = 0; i < max; i++)
		ASSERT_GE(dev_ioctl(vm->fd, KVM_CREATE_VCPU, i), 0);
	EXPECT_EQ(dev_ioctl(vm->fd, KVM_CREATE_VCPU, max), -EINVAL);
}

/* ---- KVM_RUN's argument, ioctls on the wrong fd ---- */

TEST_KVM_IDENTICAL(run_with_a_nonzero_argument_is_einval)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_nothing), 0, 0);
	uint64_t rip = vcpu_rip(vcpu);

	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_RUN, 1), -EINVAL);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_RUN, (unsigned long)vcpu->run), -EINVAL);
	EXPECT_EQ(vcpu_rip(vcpu), rip);	/* nothing ran */
	vcpu_run_done(vcpu);
}

/* KVM's VM fd answers -ENOTTY to what it does not know, vCPU ioctls included. */
TEST_KVM_IDENTICAL(vcpu_ioctls_on_a_vm_fd_are_enotty)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	EXPECT_EQ(dev_ioctl(vcpu->vm->fd, KVM_RUN, 0), -ENOTTY);
	EXPECT_EQ(dev_ioctl(vcpu->vm->fd, KVM_GET_REGS, (unsigned long)&regs), -ENOTTY);
	EXPECT_EQ(dev_ioctl(vcpu->vm->fd, KVM_GET_SREGS, (unsigned long)&sregs), -ENOTTY);
	EXPECT_EQ(dev_ioctl(vcpu->vm->fd, KVM_SET_CPUID2,
			    (unsigned long)vm_supported_cpuid(vcpu->vm)), -ENOTTY);
}

/* KVM answers -EINVAL on a vCPU fd; vmxmon -ENOTTY on every fd (design.md "ABI"). */
TEST_VMXMON_ONLY(vm_and_system_ioctls_on_a_vcpu_fd_are_enotty)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	struct kvm_userspace_memory_region region = { .slot = 1 };

	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_CREATE_VCPU, 1), -ENOTTY);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region),
		  -ENOTTY);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_CREATE_VM, 0), -ENOTTY);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_API_VERSION, 0), -ENOTTY);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_IOCTL_UNKNOWN, 0), -ENOTTY);
}

/* A VM belongs to the process that created it: a child with the fds gets -EIO. */
TEST_KVM_IDENTICAL(vm_and_vcpu_fds_in_another_process_are_eio)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_nothing), 0, 0);
	struct kvm_regs regs;
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {		/* EXPECT in the child reaches the harness (shared result) */
		EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_RUN, 0), -EIO);
		EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_REGS, (unsigned long)&regs), -EIO);
		EXPECT_EQ(dev_ioctl(vcpu->vm->fd, KVM_CREATE_VCPU, 1), -EIO);
		EXPECT_EQ(vm_set_region(vcpu->vm->fd, 1, 0, 1ull << 30, GUEST_PAGE_SIZE,
					vcpu->vm->mem), -EIO);
		/* the system fd is not tied to a process */
		EXPECT_EQ(dev_ioctl(vcpu->vm->sys_fd, KVM_GET_API_VERSION, 0), 12);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	vcpu_run_done(vcpu);	/* the owner still can */
}

/* ---- bad pointers ---- */

TEST_KVM_IDENTICAL(vcpu_state_ioctls_with_bad_pointers_are_efault)
{
	struct vcpu *vcpu = t_vcpu_add(t_vm_new(t), 0);
	uint8_t *page = mmap(NULL, 2 * GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long bad = (unsigned long)page + GUEST_PAGE_SIZE;
	struct kvm_cpuid2 *short_cpuid;

	ASSERT_TRUE(page != MAP_FAILED);
	ASSERT_EQ(mprotect(page + GUEST_PAGE_SIZE, GUEST_PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_REGS, bad), -EFAULT);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_REGS, bad), -EFAULT);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_SREGS, bad), -EFAULT);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_SREGS, bad), -EFAULT);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_CPUID2, bad), -EFAULT);
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_REGS, 0), -EFAULT);
	EXPECT_EQ(dev_ioctl(vcpu->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, bad), -EFAULT);

	/* a readable header whose entries run into the unreadable page */
	short_cpuid = (struct kvm_cpuid2 *)(bad - sizeof(*short_cpuid));
	short_cpuid->nent = 2;
	short_cpuid->padding = 0;
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_SET_CPUID2, (unsigned long)short_cpuid), -EFAULT);
	/* the vCPU's registers are unharmed */
	EXPECT_EQ(dev_ioctl(vcpu->fd, KVM_GET_REGS, (unsigned long)page), 0);
}
