// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU fds: creation, the shared kvm_run mapping, the KVM_RUN loop and the register ioctls.
 *
 * A vCPU is loaded on the CPU its thread runs on for the duration of each ioctl that
 * touches its state; preempt notifiers move it when the scheduler moves the thread
 * (->vcpu_put() on sched-out, ->vcpu_load() on sched-in, where the backend VMCLEARs the
 * VMCS on its old CPU first).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>

#include "kmod/compat.h"
#include "kmod/trace.h"
#include "kmod/vmxmon.h"

#define VMXMON_VCPU_MMAP_PAGES	2	/* struct kvm_run, then the port-I/O data page */

static struct preempt_ops vmxmon_preempt_ops;

/*
 * Whether KVM_RUN must return to userspace for task work (TWA_RESUME: signal-like work sets
 * TIF_NOTIFY_SIGNAL, which signal_pending() covers): only that return runs it, a module
 * cannot (task_work_run() is not exported; KVM runs it in place through
 * xfer_to_guest_mode_handle_work(), which takes a struct kvm_vcpu). It may wait a while: on
 * 6.12 the scheduler queues mm_cid compaction as task work to any task that has run for
 * 100 ms, which would otherwise end every long KVM_RUN with -EINTR ten times a second. So
 * task work gets this vCPU out once it has been pending for a second (HZ jiffies).
 */
static bool vmxmon_task_work_due(struct vmxmon_vcpu *vcpu)
{
	if (likely(!task_work_pending(current))) {
		vcpu->task_work_seen = false;
		return false;
	}
	if (!vcpu->task_work_seen) {
		vcpu->task_work_seen = true;
		vcpu->task_work_jiffies = jiffies;
		return false;
	}
	return time_after(jiffies, vcpu->task_work_jiffies + HZ);
}

static struct vmxmon_vcpu *preempt_notifier_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct vmxmon_vcpu, preempt_notifier);
}

static void vmxmon_sched_in(struct preempt_notifier *pn, int cpu)
{
	vmxmon_ops->vcpu_load(preempt_notifier_to_vcpu(pn), cpu);
}

static void vmxmon_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	vmxmon_ops->vcpu_put(preempt_notifier_to_vcpu(pn));
}

static struct preempt_ops vmxmon_preempt_ops = {
	.sched_in = vmxmon_sched_in,
	.sched_out = vmxmon_sched_out,
};

static void __vmxmon_vcpu_load(struct vmxmon_vcpu *vcpu)
{
	int cpu = get_cpu();

	preempt_notifier_register(&vcpu->preempt_notifier);
	vmxmon_ops->vcpu_load(vcpu, cpu);
	put_cpu();
}

static void __vmxmon_vcpu_put(struct vmxmon_vcpu *vcpu)
{
	preempt_disable();
	vmxmon_ops->vcpu_put(vcpu);
	preempt_notifier_unregister(&vcpu->preempt_notifier);
	preempt_enable();
}

/*
 * Around an ioctl's access to the vCPU's state. In share mode (vmx/share.c) IRQs and
 * preemption stay off in between: the backend's operation must not sleep (but through
 * vmxmon_sleep_begin()).
 */
static __always_inline void vmxmon_vcpu_share_hold(struct vmxmon_vcpu *vcpu)
{
	if (unlikely(READ_ONCE(vmxmon_virt_shared)))	/* owner mode: no indirect call */
		vmxmon_ops->vcpu_hold(vcpu);
}

static __always_inline void vmxmon_vcpu_share_release(struct vmxmon_vcpu *vcpu)
{
	if (unlikely(READ_ONCE(vmxmon_virt_shared)))
		vmxmon_ops->vcpu_release(vcpu);
}

void vmxmon_vcpu_load(struct vmxmon_vcpu *vcpu)
{
	__vmxmon_vcpu_load(vcpu);
	vmxmon_vcpu_share_hold(vcpu);
}

void vmxmon_vcpu_put(struct vmxmon_vcpu *vcpu)
{
	vmxmon_vcpu_share_release(vcpu);
	__vmxmon_vcpu_put(vcpu);
}

void *vmxmon_sleep_begin(void)
{
	if (likely(!READ_ONCE(vmxmon_virt_shared)))
		return NULL;
	return vmxmon_ops->sleep_begin();
}

void vmxmon_sleep_end(void *token)
{
	if (unlikely(token))
		vmxmon_ops->sleep_end(token);
}

/*
 * First thing in KVM_RUN: finish the instruction whose exit userspace just handled (the
 * backend left a callback where it made the exit), then the exits requests ask for.
 * 1 to go on into the guest, 0 (kvm_run filled) or -errno to return.
 */
static int vmxmon_vcpu_complete_userspace_io(struct vmxmon_vcpu *vcpu)
{
	int (*complete)(struct vmxmon_vcpu *vcpu) = vcpu->complete_userspace_io;
	int r = 1;

	if (complete) {
		vcpu->complete_userspace_io = NULL;
		vmxmon_vcpu_share_hold(vcpu);
		r = complete(vcpu);
		vmxmon_vcpu_share_release(vcpu);
	}
	if (r > 0)
		r = vmxmon_ops->debug_step_exit(vcpu);
	if (r > 0 && unlikely(test_and_clear_bit(VMXMON_REQ_SHUTDOWN, &vcpu->requests))) {
		vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
		r = 0;
	}
	return r;
}

/* Halted (in-kernel APIC) or waiting for INIT/SIPI: sleep until kicked. */
static void vmxmon_vcpu_block(struct vmxmon_vcpu *vcpu)
{
	u64 start = ktime_get_ns();

	WRITE_ONCE(vcpu->stat.blocking, true);
	wait_event_interruptible(vcpu->wq, vmxmon_ops->vcpu_should_wake(vcpu));
	WRITE_ONCE(vcpu->stat.blocking, false);
	vcpu->stat.halt_wakeup++;
	vcpu->stat.halt_wait_ns += ktime_get_ns() - start;
}

/* One KVM_RUN's statistics (kmod/stats.c) and its return to userspace's trace. */
static void vmxmon_vcpu_account_run(struct vmxmon_vcpu *vcpu, int r, unsigned int exits,
				    u64 host)
{
	struct vmxmon_vcpu_stat *s = &vcpu->stat;
	u32 reason = vcpu->run->exit_reason;

	s->max_exits_per_run = max_t(u64, s->max_exits_per_run, exits);
	s->host_cycles += host;
	if (!r && reason < VMXMON_STAT_USER_EXITS)
		s->user_exit[reason]++;
	else if (!r && reason == VMXMON_EXIT_EPT_WATCH)
		s->ept_watch_exits++;
	else if (r == -EINTR)
		s->signal_exits++;
	trace_vmxmon_userspace_exit(vcpu->id, reason, r);
}

/*
 * The KVM_RUN loop. Before each entry, with IRQs off, it rechecks everything that must make
 * the vCPU leave the guest: a kick or signal arriving after that check raises an IPI that
 * the guest exits on at once (external-interrupt exiting), so none is lost.
 */
static int vmxmon_vcpu_run(struct vmxmon_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 left = get_cycles(), entered;	/* guest mode left last (or KVM_RUN began) */
	unsigned int exits = 0;
	int r;

	if (run->kvm_valid_regs || run->kvm_dirty_regs)	/* KVM_CAP_SYNC_REGS: none */
		return -EINVAL;
	r = vmxmon_ops->vcpu_run_begin(vcpu);
	if (r)
		goto out;
	r = vmxmon_vcpu_complete_userspace_io(vcpu);
	if (r <= 0)
		goto out;
	if (vmxmon_run_immediate_exit(run)) {
		r = -EINTR;
		goto out;
	}
	for (;;) {
		if (signal_pending(current) || vmxmon_task_work_due(vcpu)) {
			/* Task work runs on the way back to userspace: exit like a signal. */
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		/* Halted (in-kernel APIC) or waiting for INIT/SIPI: sleep until kicked. */
		if (unlikely(READ_ONCE(vcpu->check_state)) && !vmxmon_ops->vcpu_can_enter(vcpu)) {
			vmxmon_vcpu_block(vcpu);
			continue;	/* a signal is reported at the top */
		}
		cond_resched();

		preempt_disable();
		local_irq_disable();
		WRITE_ONCE(vcpu->mode, VMXMON_IN_GUEST_MODE);
		smp_mb();	/* mode before the checks: a kick seeing OUTSIDE is rechecked here */
		if (need_resched() || signal_pending(current) || vmxmon_task_work_due(vcpu)) {
			WRITE_ONCE(vcpu->mode, VMXMON_OUTSIDE_GUEST_MODE);
			local_irq_enable();
			preempt_enable();
			continue;
		}
		/*
		 * Guest mode is a quiescent state for RCU, as user mode is: say so, or a guest
		 * that runs long without exits (the host's tick interrupts it, but with
		 * preemption disabled) stalls RCU grace periods on this CPU. Once a jiffy is
		 * plenty for RCU and keeps the report off the path of every exit.
		 */
		if (unlikely(vcpu->rcu_qs_jiffies != jiffies)) {
			vcpu->rcu_qs_jiffies = jiffies;
			vmxmon_rcu_guest_enter_qs();
		}
		/* Counted as it happens: a reader sees a long KVM_RUN progress. */
		entered = get_cycles();
		r = vmxmon_ops->vcpu_run(vcpu);
		vcpu->stat.host_cycles += entered - left;
		left = get_cycles();
		vcpu->stat.guest_cycles += left - entered;
		WRITE_ONCE(vcpu->mode, VMXMON_OUTSIDE_GUEST_MODE);
		local_irq_enable();	/* the host takes the interrupt that made us exit */
		preempt_enable();

		if (r == -EAGAIN) {	/* this CPU is going offline: let the scheduler move us */
			schedule_timeout_uninterruptible(1);
			continue;
		}
		if (r)
			break;
		vcpu->stat.exits++;
		exits++;
		r = vmxmon_ops->handle_exit(vcpu);
		if (r <= 0)
			break;
	}
out:
	vmxmon_ops->vcpu_run_end(vcpu);
	vmxmon_vcpu_account_run(vcpu, r, exits, get_cycles() - left);
	return r;
}

/* Make @vcpu notice new work (an interrupt, an IPI): wake it or make it exit. Any context. */
void vmxmon_vcpu_kick(struct vmxmon_vcpu *vcpu)
{
	int cpu, me;

	wake_up_interruptible(&vcpu->wq);
	me = get_cpu();
	smp_mb();	/* the caller's new work before reading the mode (pairs with the run loop) */
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0 && cpu != me && READ_ONCE(vcpu->mode) == VMXMON_IN_GUEST_MODE)
		smp_send_reschedule(cpu);
	put_cpu();
}

static long vmxmon_vcpu_get_regs(struct vmxmon_vcpu *vcpu, void __user *uarg)
{
	struct kvm_regs regs;

	vmxmon_vcpu_load(vcpu);
	vmxmon_ops->get_regs(vcpu, &regs);
	vmxmon_vcpu_put(vcpu);
	return vmxmon_copy_out(uarg, &regs);
}

static long vmxmon_vcpu_set_regs(struct vmxmon_vcpu *vcpu, void __user *uarg)
{
	struct kvm_regs regs;
	int r = vmxmon_copy_in(&regs, uarg);

	if (r)
		return r;
	vmxmon_vcpu_load(vcpu);
	vmxmon_ops->set_regs(vcpu, &regs);
	vmxmon_vcpu_put(vcpu);
	return 0;
}

static long vmxmon_vcpu_get_sregs(struct vmxmon_vcpu *vcpu, void __user *uarg)
{
	struct kvm_sregs sregs;

	vmxmon_vcpu_load(vcpu);
	vmxmon_ops->get_sregs(vcpu, &sregs);
	vmxmon_vcpu_put(vcpu);
	return vmxmon_copy_out(uarg, &sregs);
}

static long vmxmon_vcpu_set_sregs(struct vmxmon_vcpu *vcpu, void __user *uarg)
{
	struct kvm_sregs sregs;
	int r = vmxmon_copy_in(&sregs, uarg);

	if (r)
		return r;
	vmxmon_vcpu_load(vcpu);
	r = vmxmon_ops->set_sregs(vcpu, &sregs);
	vmxmon_vcpu_put(vcpu);
	return r;
}

/* KVM_SET_GUEST_DEBUG: copied in once; the backend validates control, pad and DR7. */
static long vmxmon_vcpu_set_guest_debug(struct vmxmon_vcpu *vcpu, void __user *uarg)
{
	struct kvm_guest_debug dbg;
	int r = vmxmon_copy_in(&dbg, uarg);

	if (r)
		return r;
	vmxmon_vcpu_load(vcpu);
	r = vmxmon_ops->set_guest_debug(vcpu, &dbg);
	vmxmon_vcpu_put(vcpu);
	return r;
}

static long vmxmon_vcpu_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct vmxmon_vcpu *vcpu = filp->private_data;
	void __user *uarg = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (ioctl) {
	case KVM_RUN:
		r = -EINVAL;
		if (arg)
			break;
		__vmxmon_vcpu_load(vcpu);	/* the run loop takes its own sections */
		r = vmxmon_vcpu_run(vcpu);
		__vmxmon_vcpu_put(vcpu);
		break;
	case KVM_GET_REGS:
		r = vmxmon_vcpu_get_regs(vcpu, uarg);
		break;
	case KVM_SET_REGS:
		r = vmxmon_vcpu_set_regs(vcpu, uarg);
		break;
	case KVM_GET_SREGS:
		r = vmxmon_vcpu_get_sregs(vcpu, uarg);
		break;
	case KVM_INTERRUPT: {
		struct kvm_interrupt irq;

		r = vmxmon_copy_in(&irq, uarg);
		if (!r)
			r = vmxmon_ops->queue_interrupt(vcpu, irq.irq);
		break;
	}
	case KVM_NMI:
		vmxmon_ops->queue_nmi(vcpu);
		r = 0;
		break;
	case KVM_SET_SREGS:
		r = vmxmon_vcpu_set_sregs(vcpu, uarg);
		break;
	case KVM_GET_STATS_FD:
		r = vmxmon_vcpu_stats_fd(vcpu);
		break;
	case KVM_SET_GUEST_DEBUG:
		r = vmxmon_vcpu_set_guest_debug(vcpu, uarg);
		break;
	default:
		r = vmxmon_vcpu_state_ioctl(vcpu, ioctl, uarg);
		if (r == -ENOIOCTLCMD)
			r = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t vmxmon_vcpu_fault(struct vm_fault *vmf)
{
	struct vmxmon_vcpu *vcpu = vmf->vma->vm_file->private_data;
	void *addr;

	if (vmf->pgoff == 0)
		addr = vcpu->run;
	else if (vmf->pgoff == KVM_PIO_PAGE_OFFSET)
		addr = vcpu->pio_data;
	else
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(addr);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct vmxmon_vcpu_vm_ops = {
	.fault = vmxmon_vcpu_fault,
};

static int vmxmon_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff + vma_pages(vma) > VMXMON_VCPU_MMAP_PAGES)
		return -EINVAL;
	vma->vm_ops = &vmxmon_vcpu_vm_ops;
	return 0;
}

static int vmxmon_vcpu_release(struct inode *inode, struct file *filp)
{
	struct vmxmon_vcpu *vcpu = filp->private_data;

	vmxmon_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations vmxmon_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= vmxmon_vcpu_release,
	.unlocked_ioctl	= vmxmon_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vmxmon_vcpu_mmap,
	.llseek		= noop_llseek,
};

/* Freed with its VM (vCPU fds hold a VM reference), after every fd is closed. */
void vmxmon_vcpu_free(struct vmxmon_vcpu *vcpu)
{
	vmxmon_ops->vcpu_free(vcpu);
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

static struct vmxmon_vcpu *vmxmon_vcpu_alloc(struct vmxmon_vm *vm, unsigned int id)
{
	struct vmxmon_vcpu *vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);

	if (!vcpu)
		return NULL;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wq);
	preempt_notifier_init(&vcpu->preempt_notifier, &vmxmon_preempt_ops);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data || vmxmon_ops->vcpu_create(vcpu)) {
		free_page((unsigned long)vcpu->pio_data);
		free_page((unsigned long)vcpu->run);
		kfree(vcpu);
		return NULL;
	}
	return vcpu;
}

/* KVM_CREATE_VCPU: returns the new vCPU's fd. */
int vmxmon_vcpu_create(struct vmxmon_vm *vm, unsigned long id)
{
	struct vmxmon_vcpu *vcpu;
	char name[32];
	unsigned int i;
	int r;

	if (id >= VMXMON_MAX_VCPU_ID)
		return -EINVAL;
	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (vm->nr_vcpus >= VMXMON_MAX_VCPUS)
		goto out;
	r = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			goto out;
	r = -ENOMEM;
	vcpu = vmxmon_vcpu_alloc(vm, id);
	if (!vcpu)
		goto out;
	vmxmon_vm_get(vm);	/* the vCPU fd's reference */
	snprintf(name, sizeof(name), "vmxmon-vcpu:%lu", id);
	r = anon_inode_getfd(name, &vmxmon_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (r < 0) {
		refcount_dec(&vm->users);	/* the VM fd still holds one */
		vmxmon_vcpu_free(vcpu);
		goto out;
	}
	/* Published for IPI senders, which read vm->vcpus[] without the lock. */
	smp_store_release(&vm->vcpus[vm->nr_vcpus], vcpu);
	vm->nr_vcpus++;
out:
	mutex_unlock(&vm->lock);
	return r;
}

int vmxmon_vcpu_init(void)
{
	preempt_notifier_inc();
	return 0;
}

void vmxmon_vcpu_exit(void)
{
	preempt_notifier_dec();
}
