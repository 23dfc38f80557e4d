#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_l1.sh MODE: the vmxmon selftests inside the Bochs L1 guest (busybox sh).
# Prints one flat TAP stream (the plan comes last) and exits 0 iff everything passed.
#   main     load vmxmon.ko; run every test binary on /dev/vmxmon (GUEST_TESTS run guests);
#            check that rmmod is refused while a VM is open; load kvm_intel (on 6.12 with
#            kvm.enable_virt_at_load=0: VMX only while a KVM VM exists, as on 6.1); run the
#            kvm-identical tests on /dev/kvm and the coexistence tests; on 6.12 reload kvm
#            with enable_virt_at_load=1 and check that vmxmon shares VMX with it; check the kernel log;
#            unload vmxmon
#   no-ept   (a CPU with VMX but no EPT) loading fails with one "vmxmon: ... EPT" log line
#   no-vmx   (a CPU without VMX) loading fails with one "vmxmon: ... VMX" log line
#   demo     load, show `vmxrun --info`, unload: human-readable, not TAP (make run)
#   reliability  load vmxmon; only the reliability suite (fuzzing, hostile guests, lifetime,
#            isolation, CPU hotplug); check the kernel log; unload. `make fuzz` runs it with
#            VMXMON_FUZZ_SCALE=10 (main runs the same suite at scale 1).
#   reliability-shared  the same with a KVM VM holding VMX on every CPU throughout: vmxmon
#            in shared mode (issue 17); make check-full.
#   debug-shared  for debug kernels (make check-debug-shared): the memory programs on vmxmon
#            owning VMX; then, with a KVM VM holding VMX throughout, the memory and debug
#            programs and the reliability suite at VMXMON_FUZZ_SCALE (default 0.2) in
#            shared mode; coexist_test; kmemleak, lockdep, kernel log.
# Environment: VMXMON_KO (default /vmxmon/vmxmon.ko), VMXMON_KMODS (directory with
# irqbypass.ko, kvm.ko, kvm-intel.ko; default /vmxmon/kmods), VMXMON_DEV (default /dev/vmxmon).

HERE=$(cd "$(dirname "$0")" && pwd)
KO=${VMXMON_KO:-/vmxmon/vmxmon.ko}
KMODS=${VMXMON_KMODS:-/vmxmon/kmods}
export VMXMON_KMODS=$KMODS	# coexist_test reloads kvm-intel.ko from there
DEV=${VMXMON_DEV:-/dev/vmxmon}
TMP=${TMPDIR:-/tmp}/run_l1.$$
# Programs that run guests; their kvm-identical tests also run on /dev/kvm.
GUEST_TESTS="run_test io_test memslot_test vcpu_test migrate_test mmio_test mmio_string_test
	mmio_sse_test msr_test cr_test cpuid_test fpu_test event_test exception_test
	lapic_test lapic_irq_test apic_timer_test smp_test
	apic_access_test emulate_perm_test emulate_seg_test pae_test event_delivery_test intercept_test
	memslot_host_test mce_test liveness_test demand_paging_test reclaim_test eventfd_test stats_test ept_watch_test
	hugepage_test guest_debug_test"
# VMXMON_MAIN_SUBSET=1 (make check's main-612 boot; make check-full runs all of main there):
# main with these guest programs only (the paths kmod/compat.h changes: KVM_RUN and
# immediate_exit, RCU, host NMIs and #MC, suspend/hotplug glue aside; the FPU, timers, SMP
# kicks, signals; the stats file, whose uapi struct differs in the kernel's view on 6.12),
# no reliability suite, and the same ones on /dev/kvm.
SUBSET_TESTS="run_test io_test msr_test fpu_test event_test apic_timer_test smp_test
	intercept_test mce_test liveness_test demand_paging_test reclaim_test eventfd_test stats_test"
n=0
failed=0

# ---- TAP ----
pass() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# fail NAME [DIAGNOSTIC...]: diagnostics first, as the C harness prints them
fail() {
	name=$1
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $name"
}
# check NAME COMMAND...: pass if COMMAND succeeds
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi
}
finish() {
	echo "1..$n"
	echo "# run_l1 $1: $n tests, $failed failed"
	rm -rf "$TMP"
	[ "$failed" = 0 ]
	exit $?
}

# run_bin LABEL PROGRAM ARGS...: a test binary's TAP, merged into ours
# swap_up / swap_down: a 64 MiB swap device on a loop file in tmpfs, and the cgroup v2
# hierarchy, for reclaim_test's swap case (issue 16); that case skips without them.
swap_up() {
	[ -d /sys/fs/cgroup ] && ! [ -e /sys/fs/cgroup/cgroup.controllers ] &&
		mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
	[ -e /sys/module/loop ] || insmod "$VMXMON_KMODS/loop.ko" 2>/dev/null
	dd if=/dev/zero of="$TMP/swap.img" bs=1M count=64 2>/dev/null &&
		swap_dev=$(losetup -f) && losetup "$swap_dev" "$TMP/swap.img" &&
		mkswap "$swap_dev" >/dev/null && swapon "$swap_dev" ||
		echo "# no swap for reclaim_test (loop: $(ls /sys/module | grep -c '^loop$'))"
}
swap_down() {
	[ -n "${swap_dev:-}" ] || return 0
	swapoff "$swap_dev" 2>/dev/null
	losetup -d "$swap_dev" 2>/dev/null
	rm -f "$TMP/swap.img"
	swap_dev=
}

run_bin() {
	label=$1
	shift
	case $label in reclaim_test*) swap_up ;; esac
	echo "# $label: $*"
	{ "$@" 2>&1; echo "@@status $?"; } |
		awk -v n="$n" -v bin="$label" -v state="$TMP/state" -f "$HERE/tap_flatten.awk"
	read -r n f <"$TMP/state"
	failed=$((failed + f))
	case $label in reclaim_test*) swap_down ;; esac
}

# ---- kernel log and module state ----
log_mark() { dmesg | wc -l; }
log_since() { dmesg | tail -n +$(($1 + 1)); }
loaded() { grep -q "^$1 " /proc/modules 2>/dev/null; }
taint_bad() { echo $(($(cat /proc/sys/kernel/tainted) & 0x280)); }	# W (bit 9), D (bit 7)

# Load vmxmon with one finit_module() call (modload.c says why not busybox insmod).
load_vmxmon() { "$HERE/modload" "$KO"; }

insmod_vmxmon() {
	out=$(load_vmxmon 2>&1) && return 0
	fail "vmxmon: insmod vmxmon.ko" "$KO: $out" "$(dmesg | tail -n 5)"
	return 1
}

# rmmod NAME, retrying briefly: the last fd's release can trail the holder's exit
rmmod_retry() {
	for i in 1 2 3 4 5; do
		rmmod "$1" 2>"$TMP/rmmod.err" && return 0
		sleep 1
	done
	return 1
}

# holder_start DEV OUT: vm_holder holding a VM open on DEV in the background (its pid in
# $pid, its output in OUT); fails if it is not ready within 60 s.
holder_start() {
	"$HERE/vm_holder" --dev "$1" >"$2" 2>&1 &
	pid=$!
	i=0
	while ! grep -q '^ready' "$2" && kill -0 "$pid" 2>/dev/null && [ $i -lt 60 ]; do
		sleep 1
		i=$((i + 1))
	done
	grep -q '^ready' "$2"
}

test_rmmod_refused_while_vm_open() {
	if ! holder_start "$DEV" "$TMP/holder.out"; then
		fail "vmxmon: vm_holder holds a VM open" "$(cat "$TMP/holder.out")"
		kill "$pid" 2>/dev/null
		wait "$pid"
		return
	fi
	if out=$(rmmod vmxmon 2>&1); then
		fail "vmxmon: rmmod is refused while a VM is open" "rmmod succeeded with a VM open"
		kill "$pid"
		wait "$pid"
		insmod_vmxmon
		return
	fi
	if loaded vmxmon; then
		pass "vmxmon: rmmod is refused while a VM is open"
	else
		fail "vmxmon: rmmod is refused while a VM is open" "rmmod failed ($out) but the module is gone"
	fi
	kill "$pid"
	wait "$pid"
	if rmmod_retry vmxmon; then
		pass "vmxmon: rmmod succeeds once the last VM is closed"
	else
		fail "vmxmon: rmmod succeeds once the last VM is closed" "$(cat "$TMP/rmmod.err")"
	fi
	check "vmxmon: $DEV is gone after rmmod" test ! -e "$DEV"
	insmod_vmxmon && pass "vmxmon: insmod again after rmmod"
}

# kvm.ko's arguments for load_kvm VIRT_AT_LOAD (0 or 1), where kvm.ko has the parameter
# (6.12; on 6.1 kvm_intel takes VMX only while a KVM VM exists, as with 0).
kvm_args() {
	[ "$1" = kvm ] && grep -q enable_virt_at_load "$KMODS/kvm.ko" && echo "enable_virt_at_load=$2"
}

# load_kvm [VIRT_AT_LOAD]: default 0, kvm_intel takes VMX only while a KVM VM exists, so that
# vmxmon and kvm_intel take turns (the kvm-identical runs and coexist_test need that).
load_kvm() {
	for m in irqbypass kvm kvm-intel; do
		name=$(echo "$m" | tr - _)
		if loaded "$name"; then
			pass "kvm: $m already loaded"
		elif [ ! -f "$KMODS/$m.ko" ]; then
			skip "kvm: insmod $m.ko" "no $KMODS/$m.ko"
			return 1
		elif out=$(insmod "$KMODS/$m.ko" $(kvm_args "$m" "${1:-0}") 2>&1); then
			pass "kvm: insmod $m.ko $(kvm_args "$m" "${1:-0}")"
		else
			fail "kvm: insmod $m.ko" "$out" "$(dmesg | tail -n 5)"
			return 1
		fi
	done
}

# 6.12's default, kvm.enable_virt_at_load=1: kvm_intel holds VMX on every CPU from its load.
# vmxmon shares VMX with it then (coexist_test, vmx/share.c) and works once it is gone.
test_kvm_holds_vmx_from_load() {
	if ! grep -q enable_virt_at_load "$KMODS/kvm.ko" 2>/dev/null; then
		skip "kvm: kvm_intel holding VMX from its load" "kvm.ko has no enable_virt_at_load (6.1)"
		return
	fi
	if ! { rmmod_retry kvm_intel && rmmod_retry kvm; }; then
		fail "kvm: rmmod kvm_intel kvm before reloading with enable_virt_at_load=1" \
			"$(cat "$TMP/rmmod.err")"
		return
	fi
	load_kvm 1 || return
	run_bin "coexist_test, kvm.enable_virt_at_load=1" "$HERE/coexist_test" --dev "$DEV" \
		--kvm-dev /dev/kvm
	if rmmod_retry kvm_intel && rmmod_retry kvm; then
		run_bin "vm_test after kvm_intel is gone" "$HERE/vm_test" --dev "$DEV"
	else
		fail "kvm: rmmod kvm_intel kvm after coexist_test" "$(cat "$TMP/rmmod.err")"
	fi
}

# The NMI backtraces intercept_test asks for (sysrq l) come between two markers; their
# "Call Trace:" lines are expected there, anything else still counts.
log_trouble() {
	awk '/vmxmon-selftest: expected NMI backtraces: begin/ { nmi = 1 }
	     /vmxmon-selftest: expected NMI backtraces: end/ { nmi = 0 }
	     !(nmi && /Call Trace:/)' |
		grep -E 'Oops|BUG:|WARNING:|general protection fault|Call Trace:|KASAN|UBSAN'
}

test_kernel_log_clean() {
	trouble=$(log_since "$1" | log_trouble)
	if [ -z "$trouble" ]; then
		pass "kernel: no Oops, BUG or WARNING in the log during the run"
	else
		fail "kernel: no Oops, BUG or WARNING in the log during the run" \
			"$(echo "$trouble" | head -n 10)"
	fi
	if [ "$(taint_bad)" = "$2" ]; then
		pass "kernel: no new W/D taint"
	else
		fail "kernel: no new W/D taint" "tainted=$(cat /proc/sys/kernel/tainted), was W/D=$2"
	fi
}

# ---- reliability suite (issue 7): fuzzing, hostile guests, lifetime, isolation, hotplug ----
# VMXMON_FUZZ_SCALE (default 1) multiplies their counts; each program prints its seeds
# (VMXMON_SEED replays one). The L1 time each one took follows it as a "# " line.
STRESS_TESTS="isolation_test hotplug_test lifetime_test guest_probe_test hostile_guest fuzz_ioctl"
KMEMLEAK=/sys/kernel/debug/kmemleak

run_reliability() {
	for b in $STRESS_TESTS; do
		t0=$(cut -d. -f1 /proc/uptime)
		run_bin "$b" "$HERE/$b" --dev "$DEV"
		echo "# $b: $(($(cut -d. -f1 /proc/uptime) - t0)) s of L1 time (scale ${VMXMON_FUZZ_SCALE:-1})"
	done
}

# Debug kernels only. kmemleak: forget the objects known now, report new leaks at the end.
# lockdep: it switches itself off (debug_locks: 0) at its first report, whatever the report
# was; if it was on when vmxmon loaded it must still be on at the end.
LOCKDEP_STATS=/proc/lockdep_stats
lockdep_on() { grep -q '^ *debug_locks: *1$' "$LOCKDEP_STATS" 2>/dev/null; }
kmemleak_begin() {
	lockdep_was_on=0
	lockdep_on && lockdep_was_on=1
	[ -w "$KMEMLEAK" ] && echo clear >"$KMEMLEAK"
	return 0
}
# kmemleak_check [WHEN]: WHEN (default "at the end") names the point in the run.
kmemleak_check() {
	when=${1:-at the end}
	leak_when=${1:+ $1}
	if [ $lockdep_was_on = 1 ]; then
		if lockdep_on; then
			pass "kernel: lockdep still on $when (no lock report: debug_locks 1)"
		else
			fail "kernel: lockdep still on $when (no lock report: debug_locks 1)" \
				"$(grep -E 'debug_locks|lock-classes' "$LOCKDEP_STATS")"
		fi
	fi
	[ -w "$KMEMLEAK" ] || return 0
	# An object is reported once it is 5 s old and unreferenced in two scans in a row.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	leaks=$(cat "$KMEMLEAK")
	if [ -z "$leaks" ]; then
		pass "kernel: kmemleak reports no unreferenced object$leak_when"
	else
		fail "kernel: kmemleak reports no unreferenced object$leak_when" "$(echo "$leaks" | head -n 40)"
	fi
}

# mode_begin MODE: the kernel-log mark and taint for the end's check, a line about the L1,
# and vmxmon loaded (or MODE ends here with a bail-out).
mode_begin() {
	mark=$(log_mark)
	taint=$(taint_bad)
	echo "# L1: Linux $(uname -r), $(grep -c '^processor' /proc/cpuinfo) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
	if ! insmod_vmxmon; then
		echo "Bail out! vmxmon.ko does not load"
		finish "$1"
	fi
	pass "vmxmon: insmod vmxmon.ko"
}

mode_reliability() {
	mode_begin reliability
	kmemleak_begin
	run_reliability
	kmemleak_check
	test_kernel_log_clean "$mark" "$taint"
	if rmmod_retry vmxmon; then
		pass "vmxmon: rmmod vmxmon after the reliability suite"
	else
		fail "vmxmon: rmmod vmxmon after the reliability suite" "$(cat "$TMP/rmmod.err")"
	fi
	finish reliability
}

# Every CPU took VMX in shared mode at least once and never had to take it over.
test_ran_shared() {
	if awk '/^cpu[0-9]+:/ { n++; for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == "shared" && kv[2] > 0) ok++; if (kv[1] == "takeover" && kv[2] > 0) bad++ } }
		END { exit !(n > 0 && ok == n && !bad) }' /sys/kernel/debug/vmxmon/status; then
		pass "vmxmon: $1 ran in shared mode"
	else
		fail "vmxmon: $1 ran in shared mode" "$(cat /sys/kernel/debug/vmxmon/status)"
	fi
}

# status_sum FIELD: FIELD=<n> summed over the CPUs of vmxmon's debugfs status.
status_sum() {
	awk -v f="$1" '/^cpu[0-9]+:/ { for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == f) s += kv[2] } } END { print s + 0 }' /sys/kernel/debug/vmxmon/status
}

# The programs that reach the VMCS at KVM_RUN's edges (a debugger's single step, an EPT
# watch's step) once more beside a KVM VM holding VMX: vmxmon in shared mode (issue 17),
# where the VMCS is ours only inside a section (vmx/share.c).
test_shared_programs() {
	# vmxmon lets VMX go after its idle hold (vmx_idle_ms); then a KVM VM can take it.
	i=0
	while grep -q 'vmx=on' /sys/kernel/debug/vmxmon/status && [ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	if ! holder_start /dev/kvm "$TMP/kvm_holder.out"; then
		fail "kvm: a KVM VM holds VMX for vmxmon's shared-mode programs" \
			"$(cat "$TMP/kvm_holder.out")" "$(cat /sys/kernel/debug/vmxmon/status)"
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return
	fi
	shared0=$(status_sum shared)
	takeover0=$(status_sum takeover)
	run_bin "guest_debug_test beside a KVM VM (shared mode)" "$HERE/guest_debug_test" --dev "$DEV"
	run_bin "ept_watch_test beside a KVM VM (shared mode)" "$HERE/ept_watch_test" --dev "$DEV"
	if [ "$(status_sum shared)" -gt "$shared0" ] && [ "$(status_sum takeover)" = "$takeover0" ]; then
		pass "vmxmon: guest_debug_test and ept_watch_test ran in shared mode"
	else
		fail "vmxmon: guest_debug_test and ept_watch_test ran in shared mode" \
			"shared $shared0, takeover $takeover0 before" "$(cat /sys/kernel/debug/vmxmon/status)"
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null
}

# kvm_holder_up MODE: a KVM VM that holds VMX on every CPU for the rest of MODE (its pid in
# kvm_pid), or MODE ends here.
kvm_holder_up() {
	if holder_start /dev/kvm "$TMP/kvm_holder.out"; then
		pass "kvm: a KVM VM holds VMX on every CPU"
	else
		fail "kvm: a KVM VM holds VMX on every CPU" "$(cat "$TMP/kvm_holder.out")"
		finish "$1"
	fi
	kvm_pid=$pid
}

# kvm_holder_down WHAT: kvm_holder_up's VM must have outlived WHAT; then it ends.
kvm_holder_down() {
	if kill -0 "$kvm_pid" 2>/dev/null; then
		pass "kvm: the KVM VM outlived $1"
	else
		fail "kvm: the KVM VM outlived $1" "$(cat "$TMP/kvm_holder.out")"
	fi
	kill "$kvm_pid" 2>/dev/null
	wait "$kvm_pid" 2>/dev/null
}

# The reliability suite while a KVM VM holds VMX on every CPU (issue 17): vmxmon shares VMX
# throughout (debugfs mode=shared), and the KVM VM outlives the suite. make check-full.
mode_reliability_shared() {
	mark=$(log_mark)
	taint=$(taint_bad)
	load_kvm 0 || finish reliability-shared
	kvm_holder_up reliability-shared
	if ! insmod_vmxmon; then
		echo "Bail out! vmxmon.ko does not load"
		finish reliability-shared
	fi
	pass "vmxmon: insmod vmxmon.ko beside kvm_intel"
	run_reliability
	test_ran_shared "the suite"
	kvm_holder_down "the suite"
	test_kernel_log_clean "$mark" "$taint"
	if rmmod_retry vmxmon; then
		pass "vmxmon: rmmod vmxmon after the shared reliability suite"
	else
		fail "vmxmon: rmmod vmxmon after the shared reliability suite" "$(cat "$TMP/rmmod.err")"
	fi
	finish reliability-shared
}

# ---- debug-shared: the memory code and shared VMX on a debug kernel (issues 16, 17) ----
# The demand-paged memory code (MMU notifier -> EPT zap under ept_lock, 2 MiB and 1 GiB
# leaves, EPT watchpoints splitting them) with vmxmon owning VMX; then vmxmon sharing VMX
# with a KVM VM that holds it throughout (vmx/share.c: sections with IRQs and preemption
# off, left only at the sleep points): the same programs, guest_debug_test and the
# reliability suite; then coexist_test. Most telling first: a KASAN kernel in Bochs is
# slow (about 13 times stock), and the serial log keeps what ran. On a debug kernel
# (scripts/debug-kernel) lockdep, might_sleep (DEBUG_ATOMIC_SLEEP), KASAN and UBSAN report
# into the log checked at the end, kmemleak is scanned and lockdep must still be on. Each
# program's L1 time follows it.
DEBUG_OWN_TESTS="ept_watch_test hugepage_test demand_paging_test reclaim_test memslot_test memslot_host_test"
DEBUG_SHARED_TESTS="guest_debug_test ept_watch_test demand_paging_test reclaim_test hugepage_test memslot_test"

run_timed() {
	for b in "$@"; do
		t0=$(cut -d. -f1 /proc/uptime)
		run_bin "$b" "$HERE/$b" --dev "$DEV"
		echo "# $b: $(($(cut -d. -f1 /proc/uptime) - t0)) s of L1 time"
	done
}

mode_debug_shared() {
	mode_begin debug-shared
	kmemleak_begin
	run_timed $DEBUG_OWN_TESTS
	if ! load_kvm 0; then
		echo "Bail out! kvm_intel does not load"
		finish debug-shared
	fi
	# vmxmon leaves VMX, a KVM VM takes it on every CPU, and vmxmon comes back beside it.
	if rmmod_retry vmxmon; then
		pass "vmxmon: rmmod before the shared half"
	else
		fail "vmxmon: rmmod before the shared half" "$(cat "$TMP/rmmod.err")"
	fi
	kvm_holder_up debug-shared
	loaded vmxmon || insmod_vmxmon || finish debug-shared
	pass "vmxmon: insmod vmxmon.ko beside kvm_intel"
	run_timed $DEBUG_SHARED_TESTS
	test_ran_shared "the memory and debug programs"
	# Reported here too: the suite below is long on a KASAN kernel.
	kmemleak_check "before the reliability suite"
	export VMXMON_FUZZ_SCALE=${VMXMON_FUZZ_SCALE:-0.2}
	run_reliability
	kvm_holder_down "the shared half"
	# Last, with no KVM VM (it unloads and reloads kvm_intel): both load orders, hand-overs.
	run_timed coexist_test
	if rmmod_retry vmxmon; then
		pass "vmxmon: rmmod vmxmon at the end"
	else
		fail "vmxmon: rmmod vmxmon at the end" "$(cat "$TMP/rmmod.err")"
	fi
	kmemleak_check
	test_kernel_log_clean "$mark" "$taint"
	finish debug-shared
}

mode_main() {
	mode_begin main
	kmemleak_begin
	if [ -c "$DEV" ] && [ "$(stat -c %a "$DEV")" = 660 ]; then
		pass "vmxmon: $DEV is a character device with mode 0660"
	else
		fail "vmxmon: $DEV is a character device with mode 0660" "$(ls -l "$DEV" 2>&1)"
	fi

	guest_tests=$GUEST_TESTS
	if [ "${VMXMON_MAIN_SUBSET:-0}" = 1 ]; then
		guest_tests=$SUBSET_TESTS
		echo "# main, subset (VMXMON_MAIN_SUBSET=1): $(echo $guest_tests); no reliability suite"
	fi
	for b in dev_test vm_test vm_leak_test $guest_tests; do
		run_bin "$b" "$HERE/$b" --dev "$DEV"
	done
	[ "${VMXMON_MAIN_SUBSET:-0}" = 1 ] || run_reliability
	test_rmmod_refused_while_vm_open

	if load_kvm && [ -e /dev/kvm ]; then
		for b in dev_test vm_test $guest_tests; do
			run_bin "$b on /dev/kvm" "$HERE/$b" --dev /dev/kvm --tag kvm-identical
		done
		run_bin coexist_test "$HERE/coexist_test" --dev "$DEV" --kvm-dev /dev/kvm
		test_shared_programs
		run_bin "isolation_test on /dev/kvm" "$HERE/isolation_test" --dev /dev/kvm --tag kvm-identical
		test_kvm_holds_vmx_from_load
	else
		skip "kvm: kvm-identical tests on /dev/kvm" "kvm_intel not loaded"
		skip "vmxmon: coexistence with kvm_intel" "kvm_intel not loaded"
	fi

	kmemleak_check
	test_kernel_log_clean "$mark" "$taint"
	if rmmod_retry vmxmon; then
		pass "vmxmon: rmmod vmxmon at the end"
	else
		fail "vmxmon: rmmod vmxmon at the end" "$(cat "$TMP/rmmod.err")"
	fi
	check "vmxmon: $DEV is gone after rmmod" test ! -e "$DEV"
	finish main
}

# mode_load_fails WHAT: on a CPU without WHAT (EPT or VMX), loading must fail cleanly
mode_load_fails() {
	what=$1
	mark=$(log_mark)
	if out=$(load_vmxmon 2>&1); then
		fail "vmxmon: insmod fails on a CPU without $what" "insmod succeeded"
		rmmod vmxmon
	else
		pass "vmxmon: insmod fails on a CPU without $what"
		if echo "$out" | grep -q '(EOPNOTSUPP)$'; then
			pass "vmxmon: insmod error is EOPNOTSUPP"
		else
			fail "vmxmon: insmod error is EOPNOTSUPP" "$out"
		fi
	fi
	lines=$(log_since "$mark" | grep -E "(^|\] )vmxmon: .*$what")
	count=$(echo "$lines" | grep -c .)
	if [ "$count" = 1 ]; then
		echo "# $lines"
		pass "vmxmon: kernel log has one 'vmxmon: ... $what' line"
	else
		fail "vmxmon: kernel log has one 'vmxmon: ... $what' line" "found $count:" \
			"$(log_since "$mark" | tail -n 10)"
	fi
	check "vmxmon: $DEV does not exist" test ! -e "$DEV"
	check "vmxmon: module is not left loaded" eval '! loaded vmxmon'
	finish "no-$(echo "$what" | tr A-Z a-z)"
}

mode_demo() {
	vmxrun=$(command -v vmxrun || echo "$HERE/../bin/vmxrun")
	echo "== vmxmon demo: Linux $(uname -r) on $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(grep -c '^processor' /proc/cpuinfo) CPU(s)"
	if ! out=$(load_vmxmon 2>&1); then
		echo "insmod vmxmon.ko failed: $out"
		dmesg | tail -n 5
		return 1
	fi
	echo "== vmxmon.ko loaded: $(ls -l "$DEV")"
	echo "== $vmxrun --info"
	"$vmxrun" --info
	st=$?
	rmmod vmxmon && echo "== vmxmon.ko unloaded" || st=1
	[ $st = 0 ] && echo "== demo ok" || echo "== demo FAILED"
	return $st
}

usage() {
	echo "usage: run_l1.sh main|no-ept|no-vmx|demo|reliability|reliability-shared|debug-shared" >&2
	exit 2
}

[ $# = 1 ] || usage
mkdir -p "$TMP" || exit 1
case $1 in
main) echo "TAP version 13"; mode_main ;;
no-ept) echo "TAP version 13"; mode_load_fails EPT ;;
no-vmx) echo "TAP version 13"; mode_load_fails VMX ;;
demo) mode_demo; st=$?; rm -rf "$TMP"; exit $st ;;
reliability) echo "TAP version 13"; mode_reliability ;;
reliability-shared) echo "TAP version 13"; mode_reliability_shared ;;
debug-shared) echo "TAP version 13"; mode_debug_shared ;;
*) rm -rf "$TMP"; usage ;;
esac
