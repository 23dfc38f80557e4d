#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of scripts/run (make run), TAP: where it runs the guest (the decision, with the
# host faked through its VMXMON_RUN_* variables) and what it runs there (--dry-run).
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$top/selftests/lib/tap.sh"

printf 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae vmx ept\n' >"$tmp/cpuinfo.vmx"
printf 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae svm\n' >"$tmp/cpuinfo.novmx"
printf '#!/bin/sh\necho "insmod $*" >>%s/insmod.log\nexit 0\n' "$tmp" >"$tmp/insmod.ok"
printf '#!/bin/sh\necho "insmod: ERROR: could not insert module $1: Operation not permitted" >&2\nexit 1\n' >"$tmp/insmod.fail"
printf '#!/bin/sh\necho "6.1.0-57-amd64 SMP preempt mod_unload modversions"\n' >"$tmp/modinfo"
chmod +x "$tmp/insmod.ok" "$tmp/insmod.fail" "$tmp/modinfo"
touch "$tmp/dev.present"

# decide NAME WANT CPUINFO DEV UID INSMOD [RELEASE]: scripts/run --decide prints a line that
# starts with WANT (e.g. "host: " or "testbed: no VT-x").
decide() {
	name=$1 want=$2
	got=$(VMXMON_RUN_CPUINFO=$tmp/$3 VMXMON_RUN_DEV=$tmp/$4 VMXMON_RUN_UID=$5 \
	      VMXMON_RUN_INSMOD=$tmp/$6 VMXMON_RUN_MODINFO=$tmp/modinfo \
	      VMXMON_RUN_RELEASE=${7:-6.1.0-57-amd64} "$top/scripts/run" --decide 2>&1)
	case $got in
	"$want"*) ok=0 ;;
	*) ok=1 ;;
	esac
	printf '%s\n' "expected: $want..." "actual:   $got" >"$tmp/diag"
	result "$name" $ok "$tmp/diag"
}

echo "TAP version 13"
echo "1..12"
decide no_vtx_runs_in_the_testbed "testbed: no VT-x here" cpuinfo.novmx dev.present 0 insmod.ok
decide vtx_and_loaded_module_run_on_the_host "host: VT-x, and vmxmon.ko is loaded" \
	cpuinfo.vmx dev.present 1000 insmod.fail
decide vtx_root_and_loadable_module_run_on_the_host "host: VT-x; loaded" \
	cpuinfo.vmx dev.absent 0 insmod.ok
grep -q "insmod $top/vmxmon.ko" "$tmp/insmod.log" 2>/dev/null
result host_path_loads_the_module_of_this_tree $? "$tmp/insmod.log"
decide vtx_without_root_runs_in_the_testbed "testbed: VT-x, but vmxmon.ko is not loaded and loading it needs root" \
	cpuinfo.vmx dev.absent 1000 insmod.ok
decide vtx_with_a_module_for_another_kernel_runs_in_the_testbed \
	"testbed: VT-x, but vmxmon.ko is built for 6.1.0-57-amd64 and this host runs 6.12.9-amd64 (for a guest here: make run KDIR=/lib/modules/6.12.9-amd64/build)" \
	cpuinfo.vmx dev.absent 0 insmod.ok 6.12.9-amd64
decide vtx_with_a_failing_insmod_runs_in_the_testbed \
	"testbed: VT-x, but insmod vmxmon.ko failed: insmod: ERROR: could not insert module" \
	cpuinfo.vmx dev.absent 0 insmod.fail

# What runs: on the host, vmxrun on the device with an interactive shell (no command
# after " -- ") and panic=-1; in the testbed, make run's guest command as a file in the
# initramfs (/bin/hello), never spelled out as init arguments, panic=-1 too.
VMXMON_RUN_CPUINFO=$tmp/cpuinfo.vmx VMXMON_RUN_DEV=$tmp/dev.present \
	"$top/scripts/run" --dry-run 2>&1 | tr '\n' ' ' >"$tmp/host.cmd"
grep -q -- "--dev $tmp/dev.present --kernel " "$tmp/host.cmd" && grep -q 'panic=-1' "$tmp/host.cmd" &&
	! grep -q -- ' -- ' "$tmp/host.cmd"
result host_command_is_an_interactive_guest_on_the_device $? "$tmp/host.cmd"
VMXMON_RUN_CPUINFO=$tmp/cpuinfo.novmx "$top/scripts/run" --dry-run >"$tmp/tb.cmd" 2>&1
# The guest's init words: what follows " -- " in vmxrun's --append.
words=$(sed -n "s/.*--append.*panic=-1[^']* -- \([^']*\)'.*/\1/p" "$tmp/tb.cmd" | head -n1)
tr '\n' ' ' <"$tmp/tb.cmd" | grep -q 'scripts/testbed run --name run ' && [ "$words" = hello ] &&
	[ "$(printf '%s\n' "$words" | wc -w)" -le 32 ] && [ -x "$top/scripts/guest/hello" ] &&
	grep -q 'hello from a vmxmon guest' "$top/scripts/guest/hello"
ok=$?
{ echo "init words: '$words'"; cat "$tmp/tb.cmd"; } >"$tmp/diag"
result testbed_guest_command_is_a_file_in_the_initramfs $ok "$tmp/diag"

# The verdict after the testbed run (a fake testbed: writes the console and the result as
# boot.py would, exits with $FAKE_RC): make run succeeds only if the guest said hello and
# the command (vmxrun) exited 0, so a broken guest command fails make run and make check.
cat >"$tmp/testbed" <<'EOS'
#!/bin/sh
w=$BUILD/testbed/run
mkdir -p "$w"
printf '%b' "$FAKE_CONSOLE" >"$w/serial.log"
printf 'status=%s\ncode=%s\nwall=99.0\noutcome=%s\n' "$FAKE_STATUS" "$FAKE_RC" "$FAKE_OUTCOME" >"$w/result"
exit "$FAKE_RC"
EOS
chmod +x "$tmp/testbed"
# verdict NAME WANT_STATUS WANT_MESSAGE CONSOLE RC STATUS OUTCOME
verdict() {
	BUILD=$tmp/build VMXMON_RUN_TESTBED=$tmp/testbed FAKE_CONSOLE=$4 FAKE_RC=$5 \
		FAKE_STATUS=$6 FAKE_OUTCOME=$7 "$top/scripts/run" --testbed >"$tmp/out" 2>&1
	st=$?
	[ "$st" = "$2" ] && grep -qF -- "$3" "$tmp/out"
	ok=$?
	{ echo "status $st (want $2), want: $3"; cat "$tmp/out"; } >"$tmp/diag"
	result "$1" $ok "$tmp/diag"
}
verdict run_succeeds_when_the_guest_says_hello_and_vmxrun_exits_0 0 \
	"run: ok: the guest said hello and powered off, vmxrun exited 0" \
	'Linux 6.1.0\r\r\nhello from a vmxmon guest\r\r\nVMXRUN-GUEST-EXIT=0\r\n' 0 exited "command exited with status 0"
verdict run_fails_when_the_guest_never_says_hello 1 \
	"run: FAILED: vmxrun exited 0 but the guest never said 'hello from a vmxmon guest'" \
	'sh: hello: not found\r\nVMXRUN-GUEST-EXIT=127\r\n' 0 exited "command exited with status 0"
verdict run_fails_with_the_testbed_reason 125 \
	"run: FAILED (status 125): kernel panic in an L2 guest's kernel: Kernel panic - not syncing: Too many boot init vars" \
	'[    0.77] Kernel panic - not syncing: Too many boot init vars at x\r\n' 125 panic \
	"kernel panic in an L2 guest's kernel: Kernel panic - not syncing: Too many boot init vars at x"
[ "$failed" = 0 ]
