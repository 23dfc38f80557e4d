// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_STATS_FD: a VM's and a vCPU's counters in KVM's binary statistics format
 * (<linux/kvm.h>, Documentation/virt/kvm/api.rst 4.133), so that any reader of KVM's
 * stats fds (scripts/vmxmon-stat, perf's, QEMU's query-stats) reads vmxmon's too.
 *
 * The file, read with read() or pread() at any offset:
 *   struct kvm_stats_header   at 0
 *   id string                 at id_offset, name_size bytes ("vmxmon-<pid>[/vcpu-<id>]")
 *   descriptors               at desc_offset: num_desc x (struct kvm_stats_desc + name_size)
 *   data                      at data_offset: u64 values, each at its descriptor's offset
 * Header, id and descriptors are fixed when the fd is made; the data is taken from the
 * counters at each read that reaches it. A read past the end returns 0, as KVM's.
 *
 * The vCPU file has the counters of struct vmxmon_vcpu_stat, under KVM's names where KVM
 * has the same counter (exits, io_exits, halt_exits, irq_exits, signal_exits, ...) and
 * vmxmon's own beside them (exits_<reason>, user_exits_<kvm_run reason>, injections_<type>,
 * ept_violations_<result>). The VM file has "vcpus" and every vCPU counter summed over the
 * VM's vCPUs (a peak is the highest), so that one fd shows the whole VM.
 *
 * The fd holds a reference on the VM (the vCPU is freed with it), not on its creator's mm:
 * it can be handed to a monitoring process (SCM_RIGHTS, pidfd_getfd()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "include/kvm_exit_names.h"
#include "kmod/trace.h"
#include "kmod/vmxmon.h"

/* KVM_STATS_NAME_SIZE (kvm_host.h, not uapi): KVM's readers expect names of this size. */
#define STATS_NAME_SIZE		48
/*
 * A descriptor in the file: the fixed fields, then name_size bytes of name. Not
 * sizeof(struct kvm_stats_desc) + the name: newer uapi headers (6.12's) give the struct a
 * name[KVM_STATS_NAME_SIZE] when __KERNEL__ is defined (a flexible array only for
 * userspace), so on 6.12 that sum was 112, the header said 64, and every reader saw
 * descriptor 1 as zeros.
 */
#define STATS_DESC_SIZE		(offsetof(struct kvm_stats_desc, name) + STATS_NAME_SIZE)
static_assert(offsetof(struct kvm_stats_desc, name) == 16);	/* the ABI's, on every kernel */
#define COUNTER			(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE)
#define CYCLES			(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_CYCLES)
#define NANOSECONDS		(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS)
#define PEAK			(KVM_STATS_TYPE_PEAK | KVM_STATS_UNIT_NONE)
#define INSTANT			(KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_NONE)
#define BOOLEAN			(KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BOOLEAN)

struct vmxmon_stats_file {
	struct vmxmon_vm *vm;		/* a reference */
	struct vmxmon_vcpu *vcpu;	/* NULL: the VM's file */
	u32 num_desc;
	size_t meta_size;		/* header, id and descriptors: the data follows */
	u8 meta[];
};

/*
 * One pass over the counters, in file order: writes the descriptors (@desc), or the
 * values (@data), or only counts them (neither).
 */
struct stats_walk {
	u8 *desc;
	u64 *data;
	u32 n;
};

static __printf(5, 6) void stat_one(struct stats_walk *w, u32 flags, s16 exponent, u64 val,
				    const char *fmt, ...)
{
	if (w->desc) {
		struct kvm_stats_desc *d = (void *)(w->desc + w->n * STATS_DESC_SIZE);
		va_list args;
		char *c;

		d->flags = flags | KVM_STATS_BASE_POW10;
		d->exponent = exponent;
		d->size = 1;
		d->offset = w->n * sizeof(u64);
		d->bucket_size = 0;
		va_start(args, fmt);
		vsnprintf(d->name, STATS_NAME_SIZE, fmt, args);
		va_end(args);
		for (c = d->name; *c; c++)	/* "exits_CPUID" reads as "exits_cpuid" */
			*c = tolower(*c);
	}
	if (w->data)
		w->data[w->n] = val;
	w->n++;
}

static const char *const injection_type[8] = {
	[0] = "irq", [2] = "nmi", [3] = "exception", [4] = "soft_int",
	[5] = "priv_soft_exception", [6] = "soft_exception", [7] = "other",
};

static const char *const ept_result[VMXMON_STAT_EPT_RESULTS] = {
	[VMXMON_EPT_MAPPED] = "mapped", [VMXMON_EPT_MMIO_KERNEL] = "mmio_kernel",
	[VMXMON_EPT_MMIO_USER] = "mmio_user", [VMXMON_EPT_ERROR] = "error",
};

static u64 sum(const u64 *v, unsigned int n)
{
	u64 t = 0;

	while (n--)
		t += v[n];
	return t;
}

/* @s: a vCPU's counters, or the VM's sum; @vm_blocking: the VM file's blocked vCPUs, or -1. */
static void stats_walk_vcpu(struct stats_walk *w, const struct vmxmon_vcpu_stat *s,
			    int vm_blocking)
{
	const char *name;
	unsigned int i;

	/* KVM's names for KVM's counters. */
	stat_one(w, COUNTER, 0, s->exits, "exits");
	stat_one(w, COUNTER, 0, s->exit_reason[EXIT_REASON_IO_INSTRUCTION], "io_exits");
	stat_one(w, COUNTER, 0, s->exit_reason[EXIT_REASON_HLT], "halt_exits");
	stat_one(w, COUNTER, 0, s->exit_reason[EXIT_REASON_EXTERNAL_INTERRUPT], "irq_exits");
	stat_one(w, COUNTER, 0, s->exit_reason[EXIT_REASON_INTERRUPT_WINDOW], "irq_window_exits");
	stat_one(w, COUNTER, 0, s->exit_reason[EXIT_REASON_NMI_WINDOW], "nmi_window_exits");
	stat_one(w, COUNTER, 0, s->user_exit[KVM_EXIT_MMIO], "mmio_exits");
	stat_one(w, COUNTER, 0, s->signal_exits, "signal_exits");
	stat_one(w, COUNTER, 0, s->user_exit[KVM_EXIT_IRQ_WINDOW_OPEN], "request_irq_exits");
	stat_one(w, COUNTER, 0, s->halt_wakeup, "halt_wakeup");
	stat_one(w, NANOSECONDS, -9, s->halt_wait_ns, "halt_wait_ns");
	stat_one(w, COUNTER, 0, s->injections[0], "irq_injections");
	stat_one(w, COUNTER, 0, s->injections[2], "nmi_injections");
	stat_one(w, COUNTER, 0, s->hypercalls, "hypercalls");
	if (vm_blocking < 0)
		stat_one(w, BOOLEAN, 0, s->blocking, "blocking");
	else
		stat_one(w, INSTANT, 0, vm_blocking, "blocking_vcpus");

	/* vmxmon's. */
	stat_one(w, CYCLES, 0, s->guest_cycles, "guest_cycles");
	stat_one(w, CYCLES, 0, s->host_cycles, "host_cycles");
	stat_one(w, PEAK, 0, s->max_exits_per_run, "max_exits_per_run");
	for (i = 0; i < VMXMON_STATS_EXIT_REASONS; i++) {
		name = vmxmon_ops->exit_reason_name(i);
		if (name)
			stat_one(w, COUNTER, 0, s->exit_reason[i], "exits_%s", name);
	}
	stat_one(w, COUNTER, 0, sum(s->user_exit, VMXMON_STAT_USER_EXITS) + s->signal_exits +
		 s->ept_watch_exits, "user_exits");
	stat_one(w, COUNTER, 0, s->ept_watch_exits, "user_exits_EPT_WATCH");
	for (i = 0; i < VMXMON_STAT_USER_EXITS; i++) {
		name = i == KVM_EXIT_NOTIFY ? "NOTIFY" : kvm_exit_name(i);
		if (name)
			stat_one(w, COUNTER, 0, s->user_exit[i], "user_exits_%s", name);
	}
	for (i = 0; i < ARRAY_SIZE(injection_type); i++)
		if (injection_type[i])
			stat_one(w, COUNTER, 0, s->injections[i], "injections_%s",
				 injection_type[i]);
	stat_one(w, COUNTER, 0, sum(s->ept_violation, VMXMON_STAT_EPT_RESULTS), "ept_violations");
	for (i = 0; i < VMXMON_STAT_EPT_RESULTS; i++)
		stat_one(w, COUNTER, 0, s->ept_violation[i], "ept_violations_%s", ept_result[i]);
}

/* The values while only describing or counting the statistics (no @data). */
static const struct vmxmon_vcpu_stat no_stat;

/* The VM's file: its vCPUs, and every vCPU counter summed (peaks: the highest). */
static void stats_walk_vm(struct stats_walk *w, struct vmxmon_vm *vm, struct vmxmon_vcpu_stat *t)
{
	unsigned int i, j, nr = 0, blocking = 0;

	for (i = 0; i < VMXMON_MAX_VCPUS && w->data; i++) {
		/* Published with a release store, never removed before the VM dies. */
		struct vmxmon_vcpu *v = smp_load_acquire(&vm->vcpus[i]);
		const u64 *src;
		u64 *dst = (u64 *)t;

		if (!v)
			break;
		nr++;
		blocking += READ_ONCE(v->stat.blocking);
		src = (const u64 *)&v->stat;
		for (j = 0; j < offsetof(struct vmxmon_vcpu_stat, max_exits_per_run) / 8; j++)
			dst[j] += READ_ONCE(src[j]);
		t->max_exits_per_run = max(t->max_exits_per_run,
					   READ_ONCE(v->stat.max_exits_per_run));
	}
	stat_one(w, INSTANT, 0, nr, "vcpus");
	stats_walk_vcpu(w, w->data ? t : &no_stat, blocking);
}

static void stats_walk(struct vmxmon_stats_file *sf, struct stats_walk *w,
		       struct vmxmon_vcpu_stat *tmp)
{
	if (sf->vcpu)
		stats_walk_vcpu(w, &sf->vcpu->stat, -1);
	else
		stats_walk_vm(w, sf->vm, tmp);
}

static ssize_t vmxmon_stats_read(struct file *filp, char __user *buf, size_t size,
				 loff_t *ppos)
{
	struct vmxmon_stats_file *sf = filp->private_data;
	size_t data_size = sf->num_desc * sizeof(u64), total = sf->meta_size + data_size;
	struct vmxmon_vcpu_stat *tmp = NULL;
	struct stats_walk w = {};
	loff_t pos = *ppos;
	size_t len, done = 0;
	ssize_t r;

	if (pos < 0 || pos >= total || !size)
		return 0;
	len = min_t(size_t, size, total - pos);
	if (pos < sf->meta_size) {
		done = min_t(size_t, len, sf->meta_size - pos);
		if (copy_to_user(buf, sf->meta + pos, done))
			return -EFAULT;
	}
	if (done < len) {
		r = -ENOMEM;
		w.data = kzalloc(data_size, GFP_KERNEL_ACCOUNT);
		tmp = kzalloc(sizeof(*tmp), GFP_KERNEL_ACCOUNT);
		if (!w.data || !tmp)
			goto out;
		stats_walk(sf, &w, tmp);
		r = -EFAULT;
		if (copy_to_user(buf + done, (u8 *)w.data + (pos + done - sf->meta_size),
				 len - done))
			goto out;
	}
	*ppos = pos + len;
	r = len;
out:
	kfree(tmp);
	kfree(w.data);
	return r;
}

static int vmxmon_stats_release(struct inode *inode, struct file *filp)
{
	struct vmxmon_stats_file *sf = filp->private_data;

	vmxmon_vm_put(sf->vm);
	kvfree(sf);
	return 0;
}

/* As KVM's stats fds: read and pread, no write, no seek (the position moves with read). */
static const struct file_operations vmxmon_stats_fops = {
	.owner		= THIS_MODULE,
	.read		= vmxmon_stats_read,
	.release	= vmxmon_stats_release,
	.llseek		= noop_llseek,
};

static int vmxmon_stats_fd(struct vmxmon_vm *vm, struct vmxmon_vcpu *vcpu)
{
	struct stats_walk w = {};
	struct kvm_stats_header *h;
	struct vmxmon_stats_file *sf;
	struct file *file;
	size_t meta;
	int fd;

	stats_walk(&(struct vmxmon_stats_file){ .vm = vm, .vcpu = vcpu }, &w, NULL);
	meta = sizeof(*h) + STATS_NAME_SIZE + w.n * STATS_DESC_SIZE;
	sf = kvzalloc(sizeof(*sf) + meta, GFP_KERNEL_ACCOUNT);
	if (!sf)
		return -ENOMEM;
	sf->vm = vm;
	sf->vcpu = vcpu;
	sf->num_desc = w.n;
	sf->meta_size = meta;
	h = (void *)sf->meta;
	h->flags = 0;
	h->name_size = STATS_NAME_SIZE;
	h->num_desc = w.n;
	h->id_offset = sizeof(*h);
	h->desc_offset = h->id_offset + STATS_NAME_SIZE;
	h->data_offset = meta;
	if (vcpu)
		snprintf(sf->meta + h->id_offset, STATS_NAME_SIZE, "vmxmon-%d/vcpu-%u",
			 task_pid_nr(current), vcpu->id);
	else
		snprintf(sf->meta + h->id_offset, STATS_NAME_SIZE, "vmxmon-%d",
			 task_pid_nr(current));
	w = (struct stats_walk){ .desc = sf->meta + h->desc_offset };
	stats_walk(sf, &w, NULL);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto free;
	file = anon_inode_getfile(vcpu ? "vmxmon-vcpu-stats" : "vmxmon-vm-stats",
				  &vmxmon_stats_fops, sf, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto free;
	}
	file->f_mode |= FMODE_PREAD;
	vmxmon_vm_get(vm);
	fd_install(fd, file);
	return fd;
free:
	kvfree(sf);
	return fd;
}

int vmxmon_vm_stats_fd(struct vmxmon_vm *vm)
{
	return vmxmon_stats_fd(vm, NULL);
}

int vmxmon_vcpu_stats_fd(struct vmxmon_vcpu *vcpu)
{
	return vmxmon_stats_fd(vcpu->vm, vcpu);
}
