// SPDX-License-Identifier: GPL-2.0
/*
 * Host side of the in-kernel APIC tests: split-irqchip VMs, vCPU threads, the TSC rate and
 * per-thread CPU time. See apic.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "apic.h"
#include "kvm_util.h"

struct vm *t_vm_new_split(struct test_ctx *t)
{
	struct vm *vm = t_vm_new(t);

	ASSERT_EQ(vm_enable_split_irqchip(vm, 24), 0);
	vm_setup_long_mode(vm);
	vm_map(vm, APIC_DEFAULT_PHYS_BASE, APIC_DEFAULT_PHYS_BASE);
	return vm;
}

struct vcpu *t_apic_guest(struct test_ctx *t, unsigned int id, void (*fn)(void),
			  const struct apic_gate *gates, size_t n)
{
	struct vm *vm = t_vm_new_split(t);
	struct vcpu *vcpu = t_vcpu_add(vm, id);

	for (size_t i = 0; i < n; i++)
		vm_set_idt_gate(vm, gates[i].vector, gates[i].stub, 0);
	if (id)
		ASSERT_EQ(vcpu_set_mp_state(vcpu, KVM_MP_STATE_RUNNABLE), 0);
	vcpu_enter_long_mode(vcpu, GUEST_FN(fn), 0, 0);
	return vcpu;
}

long vm_signal_msi(struct vm *vm, uint32_t dest, uint32_t data)
{
	struct kvm_msi msi = { .address_lo = MSI_ADDR_BASE_LO | MSI_ADDR_DEST_ID(dest), .data = data };

	return dev_ioctl(vm->fd, KVM_SIGNAL_MSI, (unsigned long)&msi);
}

/* ---- vCPU threads ---- */

static void *vcpu_thread_main(void *arg)
{
	struct vcpu_thread *vt = arg;
	struct vcpu *vcpu = vt->vcpu;

	vt->tid = (pid_t)syscall(SYS_gettid);
	while (!vt->stop) {
		int r = __vcpu_run(vcpu);
		uint64_t cmd;

		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r < 0) {
			snprintf(vt->why, sizeof(vt->why), "KVM_RUN: %s", strerror(-r));
			break;
		}
		cmd = vcpu_get_ucall(vcpu, NULL);
		if (cmd == UCALL_SYNC) {
			vt->syncs++;
			continue;
		}
		if (cmd == UCALL_DONE) {
			vt->done = true;
			break;
		}
		vcpu_describe_exit(vcpu, vt->why, sizeof(vt->why));
		break;
	}
	__atomic_store_n(&vt->finished, true, __ATOMIC_RELEASE);
	return NULL;
}

void vcpu_thread_start(struct vcpu_thread *vt, struct vcpu *vcpu)
{
	kick_signal_install();
	memset(vt, 0, sizeof(*vt));
	vt->vcpu = vcpu;
	pthread_create(&vt->thread, NULL, vcpu_thread_main, vt);
	while (!__atomic_load_n(&vt->tid, __ATOMIC_ACQUIRE) && !vt->finished)
		usleep(1000);
}

bool vcpu_thread_join(struct vcpu_thread *vt, unsigned int timeout_ms)
{
	for (unsigned int i = 0; i < timeout_ms && !vt->finished; i++)
		usleep(1000);
	if (!vt->finished)
		return false;
	pthread_join(vt->thread, NULL);
	vt->thread = 0;
	return true;
}

void vcpu_thread_stop(struct vcpu_thread *vt)
{
	if (!vt->thread)
		return;
	vt->stop = true;
	kick_join(vt->thread, 0);
	vt->thread = 0;
}

void t_vcpu_thread_expect_done(struct test_ctx *t, struct vcpu_thread *vt)
{
	if (!vt->done)
		t_fail(t, __FILE__, __LINE__, "vCPU %u did not finish: %s", vt->vcpu->id,
		       vt->finished ? vt->why : "still running");
}

/* ---- time ---- */

uint64_t host_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t host_tsc_khz(void)
{
	uint64_t t0 = host_now_ns(), c0 = __rdtsc(), t1, c1;
	struct timespec d = { .tv_nsec = 100 * 1000000 };

	nanosleep(&d, NULL);
	t1 = host_now_ns();
	c1 = __rdtsc();
	return (c1 - c0) * 1000000 / (t1 - t0);
}

long thread_cpu_ticks(pid_t tid)
{
	char path[64], buf[1024], *p;
	unsigned long utime, stime;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the name may hold spaces; fields 3.. follow it */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &utime, &stime) != 2)
		return -EINVAL;
	return (long)(utime + stime);
}
