# SPDX-License-Identifier: GPL-2.0
# Sourced by l1_gdb.sh (the testbed's "gdb" boot), which gives ok, has, TMP, VMXRUN, GUEST
# and DEV: Debian's unmodified trace-cmd (scripts/debbin) records vmxmon's tracepoints
# (system vmxmon, kmod/trace.h) for the multiboot test kernel mbtest, whose exits are known:
# "mbtest: ok\nhello\n" written to COM1 one byte at a time, each an IN AL,DX from the line
# status register (port 0x3fd, qualification 0x3fd0008: size 1, in, DX) and an OUT DX,AL
# (port 0x3f8, qualification 0x3f80000: size 1, out, DX): 17 of each, both to userspace
# (vmxrun's UART); then OUT 0xf4,AL (the debug-exit port, imm8: qualification 0xf40040),
# which vmxrun ends the VM on after a userspace exit (KVM_EXIT_IO). SDM Vol. 3C table 28-5.
# trace-cmd report must show them, decoded; so must perf script after perf record (Debian's
# linux-perf, perf_record). Fails where the module has no vmxmon events.
TC=/vmxmon/trace-cmd/trace-cmd
PERF=/vmxmon/perf/perf

# count FILE REGEX: the lines of FILE that match REGEX (grep -E)
count() {
	grep -Ec -- "$2" "$1"
}

# mbtest_events REPORT: the events of mbtest's exits in REPORT (trace-cmd report's or perf
# script's lines: "... vmxmon_pio: vcpu 0 ..." or "... vmxmon:vmxmon_pio: vcpu 0 ..."), after
# a record whose output is REPORT with .rec for .report or .script
mbtest_events() {
	r=$1 rec=${1%.*}.rec tool="trace-cmd report"
	[ "${r##*.}" = script ] && tool="perf script"
	pio='[ :]vmxmon_pio: +vcpu 0 out port'
	io='[ :]vmxmon_exit: +vcpu 0 reason IO_INSTRUCTION rip 0x[0-9a-f]+ qual'
	has $rec '^mbtest: ok' &&
		has $r "$tool exit status 0" &&
		[ "$(count $r "$pio 0x3f8 size 1\$")" = 17 ] &&
		[ "$(count $r "$io 0x3f80000 ")" = 17 ] &&
		[ "$(count $r '[ :]vmxmon_pio: +vcpu 0 in port 0x3fd size 1$')" = 17 ] &&
		[ "$(count $r "$io 0x3fd0008 ")" = 17 ] &&
		[ "$(count $r '[ :]vmxmon_userspace_exit: +vcpu 0 reason IO ret 0$')" = 35 ] &&
		[ "$(count $r "$io 0xf40040 ")" = 1 ] &&
		grep '[ :]vmxmon_pio:' $r | tail -n1 | grep -Eq "$pio 0xf4 size 1\$" &&
		grep '[ :]vmxmon_userspace_exit:' $r | tail -n1 |
			grep -Eq '[ :]vmxmon_userspace_exit: +vcpu 0 reason IO ret 0$' &&
		has $r '[ :]vmxmon_entry: +vcpu 0 rip 0x'
}

trace_cmd_record() {
	rm -f $TMP/tc.*
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
	(cd $TMP && timeout 300 "$TC" record -e vmxmon -o $TMP/tc.dat "$VMXRUN" --dev "$DEV" \
		--kernel "$GUEST/mbtest" -m 32M --append hello </dev/null >$TMP/tc.rec 2>&1)
	echo "trace-cmd record exit status $?" >>$TMP/tc.rec
	"$TC" report -i $TMP/tc.dat >$TMP/tc.report 2>&1
	echo "trace-cmd report exit status $?" >>$TMP/tc.report
	mbtest_events $TMP/tc.report
	ok trace_cmd_records_vmxmon_events_of_a_known_exit_sequence $? $TMP/tc.rec $TMP/tc.report
	[ -n "${L1_GDB_VERBOSE:-}" ] && sed 's/^/# trace-cmd report: /' $TMP/tc.report
	return 0
}

# The same with Debian's perf (linux-perf: perf 6.1, as the L1 kernel), where the payload has it.
perf_record() {
	[ -x $PERF ] || return 0
	rm -f $TMP/pf.*
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
	(cd $TMP && timeout 300 "$PERF" record -e 'vmxmon:*' -o $TMP/pf.data "$VMXRUN" --dev "$DEV" \
		--kernel "$GUEST/mbtest" -m 32M --append hello </dev/null >$TMP/pf.rec 2>&1)
	echo "perf record exit status $?" >>$TMP/pf.rec
	"$PERF" script -i $TMP/pf.data >$TMP/pf.script 2>&1
	echo "perf script exit status $?" >>$TMP/pf.script
	mbtest_events $TMP/pf.script
	ok perf_records_vmxmon_events_of_a_known_exit_sequence $? $TMP/pf.rec $TMP/pf.script
	[ -n "${L1_GDB_VERBOSE:-}" ] && sed 's/^/# perf script: /' $TMP/pf.script
	return 0
}
