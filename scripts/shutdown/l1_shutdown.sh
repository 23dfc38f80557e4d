#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The testbed's "shutdown" boot (issue 17), run in L1 once per kernel: VMXMON_STAGE (the
# L1 init reads testbed.stage=N from the command line) says which.
#   stage 1 (the testbed's boot): suspend (pm_test=core) with a KVM guest and a vmxmon guest
#           running; then with both running on every CPU, kexec -e into Debian's stock
#           kernel (reboot notifiers, syscore shutdown, machine_shutdown: reboot's path).
#   stage 2 (after kexec): vmxmon VMXONs itself on every CPU and runs guests; kvm_intel
#           loaded, both run side by side (shared); a crash kernel is loaded (kexec -p,
#           this kernel booted with crashkernel=), both run on every CPU again and the
#           kernel panics (sysrq c): the crash shootdown NMIs the other CPU.
#   stage 3 (the crash kernel): the same checks as stage 2, then the testbed's exit.
# Each check prints "SHUTDOWN-RESULT: ok|not ok NAME"; the host (scripts/testbed
# check_shutdown_boot) reads them and the kernel logs of all three kernels from the serial
# log. The stage's kernel log is checked here before it goes down (the last stage's by init).
st=0
stage=${VMXMON_STAGE:-1}
sd=/vmxmon/shutdown
kexec="/vmxmon/kexec/kexec"
kmods=${VMXMON_KMODS:-/vmxmon/kmods}
bad='BUG:|WARNING:|Oops|general protection|KASAN|refcount_t|list_del corruption|Call Trace'

result() {	# result NAME STATUS [DETAIL]
	if [ "$2" = 0 ]; then
		echo "SHUTDOWN-RESULT: ok stage$stage $1"
	else
		echo "SHUTDOWN-RESULT: not ok stage$stage $1${3:+ # $3}"
		st=1
	fi
}

stage_marker() { echo "VMXMON-TESTBED-STAGE: kernel $stage: $*"; }

load_kvm() {
	for m in irqbypass kvm kvm-intel; do
		insmod "$kmods/$m.ko" || return 1
	done
}

read -r up0 _ </proc/uptime

# The kernel log so far has nothing that looks like a bug (init checks only the last one).
# With the testbed's --boot-reports-ok (6.12: a boot-time WARNING about Bochs's CPUID) the
# lines from before userspace do not count, as for init.
log_clean() {
	if [ -e /etc/testbed/boot_reports_ok ]; then
		dmesg | awk -v t="$up0" '{ s = $0; sub(/^\[ */, "", s); split(s, f, "]") } f[1] + 0 >= t + 0'
	else
		dmesg
	fi | grep -E "$bad" >/tmp/bad
	result "kernel_log_clean_before_$1" "$(test -s /tmp/bad; echo $((!$?)))" \
		"$(head -n 3 /tmp/bad | tr '\n' '|')"
	[ -s /tmp/bad ] && dmesg | grep -F -f /tmp/bad -m 3 -A 20 | sed 's/^/SHUTDOWN-DMESG: /'
}

# The next kernel's initramfs: this one's busybox, init and the payload, without the big
# files nothing after stage 1 needs (the testbed's cpio is not kept once unpacked).
make_initrd() {
	(cd / && {
		echo .
		for d in dev proc sys tmp run root vmxmon vmxmon/selftests vmxmon/kmods; do echo "$d"; done
		echo dev/console
		find init bin sbin usr etc vmxmon/kexec vmxmon/shutdown
		echo vmxmon/vmxmon.ko
		for f in modload shutdown_test coexist_test; do echo "vmxmon/selftests/$f"; done
		for m in irqbypass kvm kvm-intel; do echo "vmxmon/kmods/$m.ko"; done
	} | cpio -o -H newc >/tmp/next.cpio 2>/tmp/cpio.err) || { cat /tmp/cpio.err; return 1; }
}

# The next kernel's command line: this one's, without the boot loader's words.
next_cmdline() {
	sed -e 's/BOOT_IMAGE=[^ ]*//; s/initrd=[^ ]*//; s/testbed\.stage=[0-9]*//' \
	    -e 's/crashkernel=[^ ]*//' /proc/cmdline
}

# Guests of both hypervisors on every CPU, then $1 (does not return when it works).
go_down() {
	stage_marker "KVM and vmxmon guests on every CPU, then: $1"
	VMXMON_SHUTDOWN_CMD=$1 /vmxmon/selftests/shutdown_test --dev /dev/vmxmon \
		--run guests_run_on_every_cpu_as_the_machine_goes_down
	result "went_down_with_guests_running" 1 "$1 returned"
}

# Stages 2 and 3: the kernel we came to.
after_the_old_kernel() {
	echo "SHUTDOWN-STAGE: kernel $stage up: $(cat /proc/cmdline)"
	grep -q vmx /proc/cpuinfo; result vmx_flag_present $?
	/vmxmon/selftests/modload /vmxmon/vmxmon.ko; result vmxmon_loads $?
	stage_marker "vmxmon alone: its own VMXON on every CPU"
	/vmxmon/selftests/shutdown_test --dev /dev/vmxmon \
		--run after_the_old_kernel_vmxmon_owns_vmx_and_runs_guests_on_every_cpu
	result vmxmon_owns_vmx_and_runs_guests $?
	echo 0 >/sys/module/vmxmon/parameters/vmx_idle_ms
	load_kvm; result kvm_intel_loads $?
	stage_marker "kvm_intel and vmxmon side by side (shared)"
	/vmxmon/selftests/coexist_test --dev /dev/vmxmon --kvm-dev /dev/kvm \
		--run kvm_and_vmxmon_guests_share_vmx_side_by_side
	result kvm_and_vmxmon_guests_share_vmx_side_by_side $?
}

# load_next -l|-p STAGE ARGS NAME: the next kernel (kexec -l) or the crash kernel (kexec -p)
# with this kernel's command line plus testbed.stage=STAGE ARGS; then this kernel's log
# must be clean. Returns kexec's status. -i (--no-checks): no SHA-256 of the ~25 MB of
# segments, by kexec at load and by its purgatory before the jump; each takes minutes in
# Bochs.
load_next() {
	local r
	make_initrd && echo "SHUTDOWN-STAGE: next initrd $(wc -c </tmp/next.cpio) bytes" &&
		$kexec -i "$1" $sd/vmlinuz --initrd=/tmp/next.cpio \
			--append="$(next_cmdline) testbed.stage=$2 $3"
	r=$?
	result "$4" $r
	log_clean "$4"
	return $r
}

# SHUTDOWN_BARE_SUSPENDS=N: first N suspends (pm_test=core) with no hypervisor module
# loaded at all, to tell whether the kernel's timekeeping WARNING seen during
# hotplug_test's suspend case is vmxmon's (it is not: see selftests/hotplug_test.c).
bare_suspends() {
	local i=0
	echo core >/sys/power/pm_test && echo deep >/sys/power/mem_sleep || return 1
	while [ $i -lt "$1" ]; do
		i=$((i + 1))
		echo mem >/sys/power/state || echo "SHUTDOWN-STAGE: bare suspend $i failed"
	done
	echo none >/sys/power/pm_test
	echo "SHUTDOWN-BARE-SUSPENDS: $1 suspends, no module loaded; kernel log: $(dmesg | grep -c 'WARNING:') WARNING, $(dmesg | grep -c 'timekeeping suspended') timekeeping"
	dmesg | grep -A 12 'WARNING:' | head -n 40 | sed 's/^/SHUTDOWN-BARE-DMESG: /'
}

case $stage in
1)
	[ -z "${SHUTDOWN_BARE_SUSPENDS:-}" ] || bare_suspends "$SHUTDOWN_BARE_SUSPENDS"
	/vmxmon/selftests/modload /vmxmon/vmxmon.ko; result vmxmon_loads $?
	load_kvm; result kvm_intel_loads $?
	if [ -z "${SHUTDOWN_CRASH_ALONE:-}" ]; then
		stage_marker "suspend (pm_test=core) with KVM and vmxmon guests running"
		VMXMON_SUSPEND=1 /vmxmon/selftests/hotplug_test --dev /dev/vmxmon --kvm-dev /dev/kvm \
			--run suspend_with_kvm_and_vmxmon_guests_running_resumes_both
		result suspend_with_kvm_and_vmxmon_guests_running_resumes_both $?
	fi
	# crashkernel= for stage 2, which loads the crash kernel.
	load_next -l 2 crashkernel=256M kexec_loads_the_next_kernel || exit 1
	go_down "$kexec -e"
	;;
2)
	after_the_old_kernel
	# SHUTDOWN_CRASH_ALONE=1 (set with the command, so every stage sees it): the crash
	# with vmxmon's guests alone, in its own VMX operation, kvm_intel unloaded. Debian's
	# 6.1.192 and 6.12 turn VMX off at a crash only through the kernel's one emergency
	# callback (vmx/share.c rule 4), which is vmxmon's once kvm_intel is gone (kmod/virt.c);
	# before that, the jump to the crash kernel triple-faulted (relocate_kernel clears
	# CR4.VMXE in VMX operation: #GP). Passes since; not in make check.
	if [ -n "${SHUTDOWN_CRASH_ALONE:-}" ]; then
		rmmod kvm_intel kvm irqbypass; result kvm_intel_unloads $?
		export VMXMON_SHUTDOWN_ALONE=1
	fi
	load_next -p 3 reset_devices crash_kernel_loads || exit 1
	# boot.py: this panic is the test's, not a failure (the crash kernel must boot).
	echo "VMXMON-TESTBED-STAGE: expect panic: sysrq triggered crash"
	go_down "echo c >/proc/sysrq-trigger"
	;;
*)
	after_the_old_kernel
	;;
esac
exit $st
