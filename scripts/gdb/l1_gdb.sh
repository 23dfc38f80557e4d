#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The testbed's "gdb" boot (scripts/testbed check): Debian's unmodified gdb-minimal
# (scripts/gdb/payload), in batch mode, against vmxrun --gdb on /dev/vmxmon, then on
# /dev/kvm (kvm_intel), as TAP:
#   - gdbtest (a multiboot kernel with symbols) under --gdb-wait: GDB finds the guest at its
#     first instruction, sets a breakpoint on the symbol tick, continues, reads the variable
#     counter (0, then 1 after the next hit), single-steps one instruction, stops on a
#     hardware breakpoint (DR0) and on a write watchpoint with the old and new value, right
#     after the writing instruction (an EPT watch on /dev/vmxmon, DR1 on kvm_intel); on
#     /dev/vmxmon only, also on a read watchpoint (rwatch: x86 debug registers have none)
#     and an access watchpoint (awatch), both EPT watches, right after the access;
#     lists the vCPU as a thread, and kill ends vmxrun with status 0;
#   - the Debian kernel with 2 vCPUs under --gdb: GDB attaches while it boots (every vCPU
#     stops), reads its registers and the instructions at RIP through the guest's page
#     tables, lists both vCPUs as threads, continues, is interrupted (SIGINT to GDB, as
#     Ctrl-C: 0x03 on the wire, every vCPU stops, T02), reads RIP, detaches, and the guest
#     goes on to run its command and power off (status 0);
#   - on /dev/vmxmon only: Debian's trace-cmd and perf record vmxmon's tracepoints for a
#     guest with a known exit sequence (l1_trace_cmd.sh).
# L1_GDB_TRACE_ONLY=1 runs those alone, on L1_GDB_MODULE (default /vmxmon/vmxmon.ko).
G=/vmxmon/gdb
GDB=$G/gdb
VMXRUN=/vmxmon/bin/vmxrun
GUEST=/vmxmon/guest
KMODS=${VMXMON_KMODS:-/vmxmon/kmods}
TMP=/tmp/l1_gdb
APPEND="console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off cryptomgr.notests"
n=0
failed=0
mkdir -p $TMP
# The stub listens on loopback; the L1's init brings no interface up.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

ok() {		# ok NAME STATUS [FILE...]: FILEs shown on failure
	name=$1 st=$2
	shift 2
	n=$((n + 1))
	if [ "$st" = 0 ]; then
		echo "ok $n - $label: $name"
	else
		echo "not ok $n - $label: $name"
		failed=$((failed + 1))
		for f in "$@"; do sed "s|^|# $(basename "$f"): |" "$f"; done
	fi
}

# has FILE REGEX...: every REGEX (grep -E) in FILE
has() {
	f=$1
	shift
	for re in "$@"; do
		grep -Eq -- "$re" "$f" || { echo "# missing in $(basename "$f"): $re"; return 1; }
	done
	return 0
}

# reap PID: vmxrun's exit status, killing it if it is still up 20 s after GDB ended
reap() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1"
}

# listening ERRFILE: wait (30 s at most) for vmxrun's "gdb: listening" line
listening() {
	i=0
	while [ $i -lt 300 ]; do
		grep -q 'gdb: listening' "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

gdbtest() {
	port=$1
	rm -f $TMP/gt.*
	# EPT watchpoints (VMXMON_CAP_EPT_WATCH): a read and an access watchpoint too. The
	# offsets are tick's: after "mov counter(%rip),%rax" (7) and "mov %eax,watched" (23).
	set --
	[ $DEV = /dev/vmxmon ] && set -- -ex 'rwatch *(long *)&counter' -ex c \
		-ex 'print (long)$pc - (long)&tick' -ex 'delete' \
		-ex 'awatch *(int *)&watched' -ex c -ex 'print (long)$pc - (long)&tick' -ex 'delete'
	"$VMXRUN" --dev "$DEV" --gdb tcp:127.0.0.1:$port --gdb-wait --console file:$TMP/gt.con \
		-m 32M "$GUEST/gdbtest" </dev/null >$TMP/gt.vmxrun 2>&1 &
	pid=$!
	listening $TMP/gt.vmxrun
	timeout 120 "$GDB" -nx -batch -ex "file $GUEST/gdbtest" \
		-ex "target remote 127.0.0.1:$port" -ex 'info registers rip' \
		-ex 'break tick' -ex c -ex 'print (long)counter' -ex c -ex 'print (long)counter' \
		-ex stepi -ex 'info registers rip' -ex 'delete' \
		-ex 'hbreak main_loop' -ex c -ex 'info registers rip' -ex 'delete' \
		-ex 'watch *(int *)&watched' -ex c -ex 'print (long)$pc - (long)&tick' -ex 'delete' \
		"$@" -ex 'info threads' -ex kill </dev/null >$TMP/gt.gdb 2>&1
	reap $pid
	echo "vmxrun exit status $?" >>$TMP/gt.vmxrun
	has $TMP/gt.gdb 'rip +0x10000c +0x10000c <_start>' 'Breakpoint 1, 0x[0-9a-f]+ in tick' \
		'^\$1 = 0$' '^\$2 = 1$' 'rip +0x[0-9a-f]+ +0x[0-9a-f]+ <tick\+7>'
	ok gdb_breaks_on_a_symbol_reads_a_variable_and_steps $? $TMP/gt.gdb $TMP/gt.vmxrun
	has $TMP/gt.gdb 'Breakpoint 2, 0x[0-9a-f]+ in main_loop' 'rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main_loop>' \
		'Hardware watchpoint 3: \*\(int \*\)&watched' 'Old value = [0-9]+' 'New value = [0-9]+' \
		'^\$3 = 23$'
	ok gdb_hardware_breakpoint_and_write_watchpoint_stop_the_guest $? $TMP/gt.gdb
	if [ $DEV = /dev/vmxmon ]; then
		# Each stops at the very next access: tick reads the count the write watch saw
		# written, then writes it plus one.
		v=$(sed -n 's/^New value = //p' $TMP/gt.gdb | head -n 1)
		has $TMP/gt.vmxrun 'watchpoints: EPT' &&
		has $TMP/gt.gdb 'Hardware read watchpoint 4: \*\(long \*\)&counter' "^Value = $v\$" \
			'^\$4 = 7$' 'Hardware access \(read/write\) watchpoint 5: \*\(int \*\)&watched' \
			"^Old value = $v\$" "^New value = $((v + 1))\$" '^\$5 = 23$'
		ok gdb_ept_read_and_access_watchpoints_stop_after_the_access $? $TMP/gt.gdb $TMP/gt.vmxrun
	else
		! grep -q 'watchpoints: EPT' $TMP/gt.vmxrun
		ok gdb_watchpoints_use_debug_registers_without_ept_watches $? $TMP/gt.vmxrun
	fi
	has $TMP/gt.gdb '^\* 1 +Thread 1' && has $TMP/gt.vmxrun 'gdb-kill' 'vmxrun exit status 0'
	ok gdb_lists_the_vcpu_and_kill_ends_vmxrun $? $TMP/gt.gdb $TMP/gt.vmxrun
	[ -n "${L1_GDB_VERBOSE:-}" ] && sed 's/^/# gdb: /' $TMP/gt.gdb
	return 0
}

linux() {
	port=$1
	rm -f $TMP/lx.*
	"$VMXRUN" --dev "$DEV" --gdb tcp:127.0.0.1:$port -c 2 -m 128M \
		--kernel "$GUEST/vmlinuz-flat" --initrd "$GUEST/initramfs.cpio.gz" \
		--append "$APPEND -- uname -sr" </dev/null >$TMP/lx.con 2>$TMP/lx.vmxrun &
	pid=$!
	listening $TMP/lx.vmxrun
	sleep 3
	# Ctrl-C as a user types it: SIGINT to GDB while the guest runs ("continue"); GDB sends
	# the interrupt (0x03), the stub stops every vCPU and reports SIGINT.
	"$GDB" -nx -batch -ex "target remote 127.0.0.1:$port" \
		-ex 'info registers rip cr3' -ex 'x/2i $pc' -ex 'info threads' \
		-ex continue -ex 'info registers rip' -ex detach </dev/null >$TMP/lx.gdb 2>&1 &
	gpid=$!
	i=0
	while ! grep -q 'Thread 2' $TMP/lx.gdb 2>/dev/null && [ $i -lt 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	sleep 3
	kill -INT $gpid
	i=0
	while kill -0 $gpid 2>/dev/null && [ $i -lt 120 ]; do
		sleep 1
		i=$((i + 1))
	done
	kill -9 $gpid 2>/dev/null
	wait $gpid
	i=0	# the guest goes on to power off by itself
	while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 1
		i=$((i + 1))
	done
	reap $pid
	echo "vmxrun exit status $?" >>$TMP/lx.vmxrun
	has $TMP/lx.gdb 'rip +0x[0-9a-f]+' '=> 0x[0-9a-f]+' '^\* 1 +Thread 1' '^  2 +Thread 2' \
		'SIGINT' && ! grep -q 'Cannot access memory' $TMP/lx.gdb
	ok gdb_attaches_to_a_booting_linux_guest_and_interrupts_it $? $TMP/lx.gdb
	has $TMP/lx.con '^Linux 6\.' 'VMXRUN-GUEST-POWEROFF' && has $TMP/lx.vmxrun 'vmxrun exit status 0'
	ok linux_guest_runs_on_after_gdb_detaches $? $TMP/lx.vmxrun $TMP/lx.con
}

. /vmxmon/trace-cmd/l1_trace_cmd.sh
DEVS="/dev/vmxmon /dev/kvm"
[ -n "${L1_GDB_TRACE_ONLY:-}" ] && DEVS=/dev/vmxmon
for DEV in $DEVS; do
	label=$(basename $DEV)
	if [ $DEV = /dev/vmxmon ]; then
		/vmxmon/selftests/modload "${L1_GDB_MODULE:-/vmxmon/vmxmon.ko}" || exit 1
		trace_cmd_record
		perf_record
		[ -n "${L1_GDB_TRACE_ONLY:-}" ] && continue
	else
		rmmod vmxmon
		for m in irqbypass kvm kvm-intel; do insmod "$KMODS/$m.ko" || exit 1; done
	fi
	gdbtest 1234
	[ -z "${L1_GDB_NO_LINUX:-}" ] && linux 1235
done
echo "1..$n"
[ "$failed" = 0 ]
