// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IOEVENTFD and KVM_IRQFD, the fast paths of virtio: a guest write that matches an
 * ioeventfd (port or MMIO; length 1/2/4/8, or 0 for any; optional datamatch) completes in
 * the kernel and signals the eventfd, with no exit to userspace; a signal on an irqfd
 * injects the MSI that KVM_SET_GSI_ROUTING gave its GSI, as routed when it fires. And their
 * lifetimes as KVM has them: an ioeventfd keeps its eventfd alive; an irqfd detaches when
 * userspace closes the eventfd, when it is deassigned (no interrupt after the ioctl
 * returns) and when the VM dies (a later signal touches nothing). The vmxmon-only test
 * watches the module's count of live objects (debugfs "eventfds") return to 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "apic.h"
#include "mmio.h"
#include "util.h"
#include "vm.h"

#define EFD_PORT	0x6000		/* ioeventfd ports: 0x6000.. */

static int new_eventfd(struct test_ctx *t)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(fd, 0);
	return fd;
}

/* The eventfd's count (and reset it), 0 if it is 0. */
static uint64_t efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void efd_signal(struct test_ctx *t, int fd)
{
	uint64_t one = 1;

	ASSERT_EQ(write(fd, &one, sizeof(one)), (ssize_t)sizeof(one));
}

static long ioeventfd(struct vm *vm, int fd, uint64_t addr, uint32_t len, uint32_t flags,
		      uint64_t datamatch)
{
	struct kvm_ioeventfd a = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd, .flags = flags,
	};

	return dev_ioctl(vm->fd, KVM_IOEVENTFD, (unsigned long)&a);
}

static long irqfd(struct vm *vm, int fd, uint32_t gsi, uint32_t flags)
{
	struct kvm_irqfd a = { .fd = (uint32_t)fd, .gsi = gsi, .flags = flags };

	return dev_ioctl(vm->fd, KVM_IRQFD, (unsigned long)&a);
}

/* KVM_SET_GSI_ROUTING with n MSI routes gsi[i] -> fixed vector vec[i] on APIC 0. */
static long set_routes(struct vm *vm, unsigned int n, const uint32_t *gsi, const uint32_t *vec)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[4];
	} rt = { .r.nr = n };

	for (unsigned int i = 0; i < n && i < 4; i++)
		rt.e[i] = (struct kvm_irq_routing_entry){
			.gsi = gsi[i], .type = KVM_IRQ_ROUTING_MSI,
			.u.msi = { .address_lo = APIC_DEFAULT_PHYS_BASE, .data = vec[i] },
		};
	return dev_ioctl(vm->fd, KVM_SET_GSI_ROUTING, (unsigned long)&rt);
}

static void route(struct test_ctx *t, struct vm *vm, uint32_t gsi, uint32_t vec)
{
	ASSERT_EQ(set_routes(vm, 1, &gsi, &vec), 0);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- KVM_IOEVENTFD ---- */

static void GUEST_CODE guest_pio_kicks(void)
{
	guest_outb(EFD_PORT, 0x11);		/* len 1, any value: kernel */
	guest_outw(EFD_PORT + 2, 0x1234);	/* len 2, datamatch 0x1234: kernel */
	guest_outw(EFD_PORT + 2, 0x5678);	/* datamatch differs: userspace */
	guest_outl(EFD_PORT + 4, 0xcafe);	/* len 4: kernel */
	guest_outw(EFD_PORT, 0x22);		/* len 2 at a len-1 ioeventfd: userspace */
	guest_outl(EFD_PORT + 8, 1);		/* len 0 (any): kernel */
	guest_outb(EFD_PORT + 8, 2);		/* again, another length: kernel */
	GUEST_SYNC(1);
}

TEST_KVM_IDENTICAL(ioeventfd_pio_matching_write_completes_without_exit)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_pio_kicks), 0, 0);
	int e1 = new_eventfd(t), e2 = new_eventfd(t), e4 = new_eventfd(t), e0 = new_eventfd(t);
	struct ucall uc;

	ASSERT_EQ(ioeventfd(vcpu->vm, e1, EFD_PORT, 1, KVM_IOEVENTFD_FLAG_PIO, 0), 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e2, EFD_PORT + 2, 2,
			    KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH, 0x1234), 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e4, EFD_PORT + 4, 4, KVM_IOEVENTFD_FLAG_PIO, 0), 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e0, EFD_PORT + 8, 0, KVM_IOEVENTFD_FLAG_PIO, 0), 0);

	vcpu_run_expect(vcpu, KVM_EXIT_IO);		/* the one whose datamatch differs */
	EXPECT_EQ(vcpu->run->io.port, EFD_PORT + 2);
	EXPECT_EQ(vcpu->run->io.size, 2);
	EXPECT_EQ(efd_take(e1), 1);
	EXPECT_EQ(efd_take(e2), 1);
	EXPECT_EQ(efd_take(e4), 0);			/* not yet: it comes after this exit */
	vcpu_run_expect(vcpu, KVM_EXIT_IO);		/* the length that differs */
	EXPECT_EQ(vcpu->run->io.port, EFD_PORT);
	EXPECT_EQ(vcpu->run->io.size, 2);
	EXPECT_EQ(efd_take(e4), 1);
	EXPECT_EQ(efd_take(e1), 0);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(efd_take(e0), 2);
	EXPECT_EQ(efd_take(e2), 0);
}

static void GUEST_CODE guest_mmio_kicks(uint64_t base)
{
	volatile uint8_t *p = (volatile uint8_t *)base;

	*(volatile uint8_t *)(p + 0) = 0xaa;			/* datamatch 0xaa: kernel */
	*(volatile uint8_t *)(p + 0) = 0xab;			/* differs: userspace */
	*(volatile uint16_t *)(p + 8) = 0x4242;			/* len 2: kernel */
	*(volatile uint32_t *)(p + 0x10) = 0xdeadbeef;		/* datamatch: kernel */
	*(volatile uint64_t *)(p + 0x18) = 0x1122334455667788ull;	/* datamatch: kernel */
	*(volatile uint32_t *)(p + 0x20) = 7;			/* len 0: kernel */
	*(volatile uint8_t *)(p + 0x20) = 8;			/* len 0, 1 byte: kernel */
	*(volatile uint32_t *)(p + 0x18) = 0x55667788;		/* len 4 at a len-8: userspace */
	GUEST_SYNC(1);
}

TEST_KVM_IDENTICAL(ioeventfd_mmio_sizes_datamatch_and_any_length)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_mmio_kicks), MMIO_GVA, 0);
	int e[5];
	struct ucall uc;

	for (int i = 0; i < 5; i++)
		e[i] = new_eventfd(t);
	vm_map(vcpu->vm, MMIO_GVA, MMIO_GPA);
	ASSERT_EQ(ioeventfd(vcpu->vm, e[0], MMIO_GPA, 1, KVM_IOEVENTFD_FLAG_DATAMATCH, 0xaa), 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e[1], MMIO_GPA + 8, 2, 0, 0), 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e[2], MMIO_GPA + 0x10, 4, KVM_IOEVENTFD_FLAG_DATAMATCH,
			    0xdeadbeef), 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e[3], MMIO_GPA + 0x18, 8, KVM_IOEVENTFD_FLAG_DATAMATCH,
			    0x1122334455667788ull), 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e[4], MMIO_GPA + 0x20, 0, 0, 0), 0);

	vcpu_run_expect_mmio(vcpu, MMIO_GPA, 1, true);
	EXPECT_EQ(vcpu->run->mmio.data[0], 0xab);
	EXPECT_EQ(efd_take(e[0]), 1);
	vcpu_run_expect_mmio(vcpu, MMIO_GPA + 0x18, 4, true);
	EXPECT_EQ(efd_take(e[1]), 1);
	EXPECT_EQ(efd_take(e[2]), 1);
	EXPECT_EQ(efd_take(e[3]), 1);
	EXPECT_EQ(efd_take(e[4]), 2);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(efd_take(e[0]), 0);
	EXPECT_EQ(efd_take(e[3]), 0);
}

TEST_KVM_IDENTICAL(ioeventfd_rejects_bad_arguments_and_collisions)
{
	struct vm *vm = t_vm_new(t);
	int e = new_eventfd(t), f = new_eventfd(t);
	const uint32_t pio = KVM_IOEVENTFD_FLAG_PIO, dm = KVM_IOEVENTFD_FLAG_DATAMATCH;

	EXPECT_EQ(ioeventfd(vm, e, 0x100, 3, pio, 0), -EINVAL);		/* not 0/1/2/4/8 */
	EXPECT_EQ(ioeventfd(vm, e, 0x100, 16, 0, 0), -EINVAL);
	EXPECT_EQ(ioeventfd(vm, e, 0x100, 0, dm, 0), -EINVAL);		/* len 0 + datamatch */
	EXPECT_EQ(ioeventfd(vm, e, ~0ull - 1, 4, 0, 0), -EINVAL);		/* wraps */
	EXPECT_EQ(ioeventfd(vm, e, 0x100, 4, 1u << 5, 0), -EINVAL);	/* unknown flag */
	EXPECT_EQ(ioeventfd(vm, -1, 0x100, 4, pio, 0), -EBADF);
	EXPECT_EQ(ioeventfd(vm, vm->fd, 0x100, 4, pio, 0), -EINVAL);	/* not an eventfd */

	ASSERT_EQ(ioeventfd(vm, e, 0x100, 4, pio | dm, 1), 0);
	EXPECT_EQ(ioeventfd(vm, f, 0x100, 4, pio | dm, 1), -EEXIST);	/* same match */
	EXPECT_EQ(ioeventfd(vm, f, 0x100, 4, pio, 0), -EEXIST);		/* wildcard */
	EXPECT_EQ(ioeventfd(vm, f, 0x100, 0, pio, 0), -EEXIST);		/* any length */
	EXPECT_EQ(ioeventfd(vm, f, 0x100, 4, pio | dm, 2), 0);		/* other value */
	EXPECT_EQ(ioeventfd(vm, f, 0x100, 2, pio, 0), 0);		/* other length */
	EXPECT_EQ(ioeventfd(vm, f, 0x100, 4, dm, 1), 0);			/* MMIO bus */

	EXPECT_EQ(ioeventfd(vm, e, 0x100, 4, pio | dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 2), -ENOENT);
	EXPECT_EQ(ioeventfd(vm, e, 0x100, 2, pio | KVM_IOEVENTFD_FLAG_DEASSIGN, 0), -ENOENT);
	EXPECT_EQ(ioeventfd(vm, e, 0x100, 4, pio | dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 1), 0);
	EXPECT_EQ(ioeventfd(vm, e, 0x100, 4, pio | dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 1), -ENOENT);
	EXPECT_EQ(ioeventfd(vm, f, 0x100, 4, pio | dm, 1), 0);		/* free again */
	vm_free(vm);
}

static void GUEST_CODE guest_kick_twice(void)
{
	guest_outb(EFD_PORT, 1);
	GUEST_SYNC(1);
	guest_outb(EFD_PORT, 1);
	GUEST_SYNC(2);
}

TEST_KVM_IDENTICAL(ioeventfd_outlives_userspace_closing_its_eventfd_until_deassigned)
{
	struct vcpu *vcpu = t_guest_new(t, GUEST_FN(guest_kick_twice), 0, 0);
	int e = new_eventfd(t), keep = dup(e);
	struct ucall uc;

	ASSERT_GE(keep, 0);
	ASSERT_EQ(ioeventfd(vcpu->vm, e, EFD_PORT, 1, KVM_IOEVENTFD_FLAG_PIO, 0), 0);
	close(e);					/* one fd left: the ioeventfd works on */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(efd_take(keep), 1);
	ASSERT_EQ(ioeventfd(vcpu->vm, keep, EFD_PORT, 1,
			    KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN, 0), 0);
	vcpu_run_expect(vcpu, KVM_EXIT_IO);		/* deassigned: userspace again */
	EXPECT_EQ(vcpu->run->io.port, EFD_PORT);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(efd_take(keep), 0);
	close(keep);
}

/* ---- KVM_IRQFD ---- */

#define NLOG 8
static volatile uint64_t isr_log[NLOG], isr_n;

void GUEST_CODE isr_record(uint64_t vec)
{
	uint64_t n = isr_n;

	if (n < NLOG)
		isr_log[n] = vec;
	isr_n = n + 1;
	xapic_eoi();
}

VEC_ISR(41);
VEC_ISR(55);

static struct vcpu *irq_guest(struct test_ctx *t, void (*fn)(void))
{
	static const struct apic_gate gates[] = { { 0x41, isr_41 }, { 0x55, isr_55 } };

	return t_apic_guest(t, 0, fn, gates, 2);
}

/* Wait (halted) for interrupt number n, or report how many came after a short spin. */
static void GUEST_CODE guest_irqs(void)
{
	xapic_enable();
	GUEST_SYNC(0);
	for (uint64_t want = 1; want <= 3; want++) {
		while (isr_n < want)
			guest_sti_hlt();
		guest_cli();
		GUEST_SYNC(isr_n, isr_log[want - 1]);
	}
	guest_sti();
	for (int i = 0; i < 1000; i++)
		guest_pause();
	guest_cli();
	GUEST_SYNC(isr_n);
	guest_sti();
	for (int i = 0; i < 1000; i++)
		guest_pause();
	guest_cli();
	GUEST_SYNC(isr_n);
}

TEST_KVM_IDENTICAL(irqfd_injects_the_route_of_its_gsi_as_routed_when_signalled)
{
	struct vcpu *vcpu = irq_guest(t, guest_irqs);
	struct vm *vm = vcpu->vm;
	int e = new_eventfd(t);
	struct ucall uc;

	vcpu_run_sync(vcpu, &uc);
	route(t, vm, 5, 0x41);
	efd_signal(t, e);				/* before the irqfd exists */
	ASSERT_EQ(irqfd(vm, e, 5, 0), 0);		/* ... is delivered by the assign */
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[1], 0x41);
	/* The assign injects what it finds pending but leaves the count there (as KVM). */
	EXPECT_EQ(efd_take(e), 1);

	efd_signal(t, e);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 2);
	EXPECT_EQ(uc.args[1], 0x41);
	EXPECT_EQ(efd_take(e), 0);			/* a wakeup consumes the count */

	route(t, vm, 5, 0x55);				/* a new route under the irqfd */
	efd_signal(t, e);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[1], 0x55);

	ASSERT_EQ(set_routes(vm, 0, NULL, NULL), 0);	/* no route: nothing injected */
	efd_signal(t, e);
	sleep_ms(100);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(efd_take(e), 0);			/* but the signal was taken */

	route(t, vm, 5, 0x41);
	ASSERT_EQ(irqfd(vm, e, 5, KVM_IRQFD_FLAG_DEASSIGN), 0);
	efd_signal(t, e);				/* deassigned: nobody listens */
	sleep_ms(100);
	vcpu_run_sync(vcpu, &uc);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(efd_take(e), 1);
	vcpu_run_done(vcpu);
}

TEST_KVM_IDENTICAL(irqfd_and_gsi_routing_reject_bad_arguments)
{
	struct vm *plain = t_vm_new(t), *vm = t_vm_new_split(t);
	int e = new_eventfd(t), f = new_eventfd(t);
	const uint32_t two[2] = { 3, 3 }, vec[2] = { 0x41, 0x55 }, big = 4096;

	EXPECT_EQ(irqfd(plain, e, 1, 0), -EINVAL);			/* no irqchip */
	EXPECT_EQ(irqfd(vm, e, 1, KVM_IRQFD_FLAG_RESAMPLE), -EINVAL);	/* split irqchip */
	EXPECT_EQ(irqfd(vm, e, 1, 1u << 5), -EINVAL);			/* unknown flag */
	EXPECT_EQ(irqfd(vm, -1, 1, 0), -EBADF);
	EXPECT_EQ(irqfd(vm, vm->fd, 1, 0), -EINVAL);			/* not an eventfd */
	ASSERT_EQ(irqfd(vm, e, 1, 0), 0);
	EXPECT_EQ(irqfd(vm, e, 2, 0), -EBUSY);				/* one GSI each */
	EXPECT_EQ(irqfd(vm, e, 1, 0), -EBUSY);
	EXPECT_EQ(irqfd(vm, f, 1, 0), 0);				/* GSIs may share */
	EXPECT_EQ(irqfd(vm, e, 7, KVM_IRQFD_FLAG_DEASSIGN), 0);		/* not there: 0 */
	EXPECT_EQ(irqfd(vm, -1, 1, KVM_IRQFD_FLAG_DEASSIGN), -EBADF);
	EXPECT_EQ(irqfd(vm, e, 1, KVM_IRQFD_FLAG_DEASSIGN), 0);
	EXPECT_EQ(irqfd(vm, e, 2, 0), 0);				/* free again */

	EXPECT_EQ(set_routes(vm, 2, two, vec), -EINVAL);		/* one MSI per GSI */
	EXPECT_EQ(set_routes(vm, 1, &big, vec), -EINVAL);		/* >= KVM_MAX_IRQ_ROUTES */
	vm_free(vm);
	vm_free(plain);
	close(e);
	close(f);
}

TEST_KVM_IDENTICAL(irqfd_lets_go_when_userspace_closes_the_eventfd_or_the_vm_dies)
{
	struct vm *vm = t_vm_new_split(t);
	int e = new_eventfd(t), f = new_eventfd(t);

	/* Closed by userspace: the irqfd goes; the GSI takes another eventfd. */
	ASSERT_EQ(irqfd(vm, e, 1, 0), 0);
	close(e);
	e = new_eventfd(t);
	EXPECT_EQ(irqfd(vm, e, 1, 0), 0);

	/* The VM dies with irqfds attached: later signals reach nothing, and are not taken. */
	ASSERT_EQ(irqfd(vm, f, 2, 0), 0);
	vm_free(vm);
	efd_signal(t, e);
	efd_signal(t, f);
	sleep_ms(50);
	EXPECT_EQ(efd_take(e), 1);
	EXPECT_EQ(efd_take(f), 1);
	close(e);
	close(f);
}

/* ---- vmxmon's own count of live irqfds and ioeventfds ---- */

#define EVENTFDS_PATH "/sys/kernel/debug/vmxmon/eventfds"

static void eventfds(struct test_ctx *t, int *irqfds, int *ioeventfds)
{
	char buf[128];
	FILE *f = fopen(EVENTFDS_PATH, "r");

	if (!f)
		t_skip(t, EVENTFDS_PATH ": %s (debugfs not mounted?)", strerror(errno));
	ASSERT_TRUE(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	buf[sizeof(buf) - 1] = 0;
	ASSERT_EQ(sscanf(buf, "irqfds: %d\nioeventfds: %d", irqfds, ioeventfds), 2);
}

/* Poll (irqfds shut down on a workqueue after EPOLLHUP) until the counts are as expected. */
static void expect_eventfds(struct test_ctx *t, int irqfds, int ioeventfds, const char *when)
{
	int i = -1, o = -1;

	for (int n = 0; n < 200; n++) {
		eventfds(t, &i, &o);
		if (i == irqfds && o == ioeventfds)
			return;
		sleep_ms(10);
	}
	t_fail(t, __FILE__, __LINE__, "%s: irqfds %d ioeventfds %d, expected %d and %d", when, i,
	       o, irqfds, ioeventfds);
}

TEST_VMXMON_ONLY(irqfds_and_ioeventfds_are_freed_by_every_way_they_end)
{
	struct vm *vm = t_vm_new_split(t);
	int e[6];

	for (int i = 0; i < 6; i++)
		e[i] = new_eventfd(t);
	expect_eventfds(t, 0, 0, "at the start (another VM alive?)");
	ASSERT_EQ(irqfd(vm, e[0], 1, 0), 0);
	ASSERT_EQ(irqfd(vm, e[1], 2, 0), 0);
	ASSERT_EQ(irqfd(vm, e[2], 3, 0), 0);
	ASSERT_EQ(ioeventfd(vm, e[3], EFD_PORT, 1, KVM_IOEVENTFD_FLAG_PIO, 0), 0);
	ASSERT_EQ(ioeventfd(vm, e[4], MMIO_GPA, 4, 0, 0), 0);
	ASSERT_EQ(ioeventfd(vm, e[5], MMIO_GPA + 8, 0, 0, 0), 0);
	EXPECT_EQ(ioeventfd(vm, e[5], MMIO_GPA + 8, 0, 0, 0), -EEXIST);	/* freed at once */
	expect_eventfds(t, 3, 3, "assigned");

	close(e[0]);					/* EPOLLHUP */
	expect_eventfds(t, 2, 3, "an irqfd's eventfd closed");
	ASSERT_EQ(irqfd(vm, e[1], 2, KVM_IRQFD_FLAG_DEASSIGN), 0);
	expect_eventfds(t, 1, 3, "an irqfd deassigned");
	ASSERT_EQ(ioeventfd(vm, e[3], EFD_PORT, 1,
			    KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN, 0), 0);
	expect_eventfds(t, 1, 2, "an ioeventfd deassigned");
	close(e[4]);					/* the ioeventfd keeps it */
	expect_eventfds(t, 1, 2, "an ioeventfd's eventfd closed");

	vm_free(vm);					/* the rest go with the VM */
	expect_eventfds(t, 0, 0, "the VM closed");
	efd_signal(t, e[2]);				/* nobody left to wake */
	close(e[2]);
	close(e[5]);
	close(e[1]);
	close(e[3]);
}
