#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of the vmxrun binary as a user meets it: exit codes and messages (TAP).
# VMXRUN names the binary (make check sets it).
VMXRUN=${VMXRUN:-../build/bin/vmxrun}
# VMXCTL (default: next to VMXRUN) and MBTEST (the multiboot test kernel) likewise.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../../selftests/lib/tap.sh"

# check STATUS STREAM TEXT -- ARGS...: vmxrun ARGS exits STATUS and its STREAM (stdout or
# stderr) is exactly TEXT; $ok is 0 if so, $tmp/diag says what happened, $ms how long it took.
check() {
	want_st=$1 stream=$2 want=$3
	shift 4
	t0=$(date +%s%N)
	"$VMXRUN" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	st=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	got=$(cat "$tmp/$stream")
	[ "$st" = "$want_st" ] && [ "$got" = "$want" ]
	ok=$?
	printf '%s\n' "vmxrun $*" "  expected: status $want_st, $stream: $want" \
		"  actual:   status $st, $stream: $got ($ms ms)" >"$tmp/diag"
}

# expect NAME STATUS STREAM TEXT -- ARGS...: check, as one TAP result.
expect() {
	name=$1
	shift
	check "$@"
	result "$name" $ok "$tmp/diag"
}

# timed NAME MAX_S STATUS STREAM TEXT -- ARGS...: as expect, and within MAX_S seconds.
timed() {
	name=$1 max=$2
	shift 2
	check "$@"
	[ "$ok" = 0 ] && [ "$ms" -le $((max * 1000)) ]
	result "$name" $? "$tmp/diag"
}

MBTEST=${MBTEST:-../build/userspace/guest/mbtest}
VMXCTL=${VMXCTL:-$(dirname "$VMXRUN")/vmxctl}
MISSING_DEV="vmxrun: $tmp/vmxmon: no such device (is vmxmon.ko loaded? in the vmxmon tree: make module KDIR=/lib/modules/\$(uname -r)/build && sudo insmod vmxmon.ko)"

echo "TAP version 13"
echo "1..36"

expect missing_device_names_module_and_the_command_that_loads_it 1 stderr "$MISSING_DEV" \
	-- --dev "$tmp/vmxmon" --info
expect non_kvm_device_fails_api_version_ioctl 1 stderr \
	"vmxrun: /dev/null: inappropriate ioctl for device" -- --dev /dev/null --info
# Every file and option is checked before the device is opened or RAM is allocated: a
# typo is named as such, not hidden behind a device error, and costs nothing.
expect boot_options_need_the_device 1 stderr "$MISSING_DEV" \
	-- --dev "$tmp/vmxmon" --kernel "$MBTEST" --append console=ttyS0 -m 512M -c 1
expect missing_kernel_is_named_before_the_device 1 stderr \
	"vmxrun: --kernel $tmp/bzImage: no such file or directory" \
	-- --dev "$tmp/vmxmon" --kernel "$tmp/bzImage" --console "file:$tmp/console"
echo "not a kernel" >"$tmp/notkernel"
expect non_kernel_file_is_named_before_the_device 1 stderr \
	"vmxrun: --kernel $tmp/notkernel: not a bzImage (no \"HdrS\" boot header) and no multiboot header in its first 8 KiB" \
	-- --dev "$tmp/vmxmon" --kernel "$tmp/notkernel"
expect missing_initrd_is_named_before_the_device 1 stderr \
	"vmxrun: --initrd $tmp/rd.gz: no such file or directory" \
	-- --dev "$tmp/vmxmon" --kernel "$MBTEST" --initrd "$tmp/rd.gz"
expect directory_as_kernel_is_named 1 stderr "vmxrun: --kernel $tmp: a directory, not a file" \
	-- --dev "$tmp/vmxmon" --kernel "$tmp"
expect console_file_in_a_missing_directory_is_named_before_the_device 1 stderr \
	"vmxrun: --console file:$tmp/no/log: No such file or directory" \
	-- --dev "$tmp/vmxmon" --kernel "$MBTEST" --console "file:$tmp/no/log"
# -m 16G with a mistyped path took 56 s and 16 GiB of RAM before "no such file".
timed big_memory_with_a_mistyped_kernel_fails_at_once 2 1 stderr \
	"vmxrun: --kernel $tmp/vmlinux: no such file or directory" \
	-- --dev /dev/kvm --kernel "$tmp/vmlinux" -m 16G
expect too_much_memory_is_refused_as_typed 1 stderr \
	"vmxrun: -m 1024G: more than the host's $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB of RAM" \
	-- --dev "$tmp/vmxmon" --kernel "$tmp/notkernel" -m 1024G
# A bzImage that cannot fit: from its header alone, before RAM exists.
printf 'x%.0s' $(seq 1 512) >"$tmp/bz"
python3 -c '
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read()) + bytearray(0x1000)
b[0x1f1] = 1                                    # setup_sects
struct.pack_into("<H", b, 0x1fe, 0xaa55)
b[0x202:0x206] = b"HdrS"
struct.pack_into("<H", b, 0x206, 0x20f)         # version
b[0x211] = 1                                    # LOADED_HIGH
struct.pack_into("<I", b, 0x238, 2047)          # cmdline_size
struct.pack_into("<H", b, 0x236, 1)             # XLF_KERNEL_64
struct.pack_into("<I", b, 0x260, 64 << 20)      # init_size: 64 MiB
open(sys.argv[1], "wb").write(b)' "$tmp/bz"
expect kernel_too_big_for_the_memory_is_named_before_the_device 1 stderr \
	"vmxrun: --kernel $tmp/bz: guest memory too small: the kernel needs 65 MiB above 1 MiB" \
	-- --dev "$tmp/vmxmon" --kernel "$tmp/bz" -m 32M

# --control: a socket a running VM listens on is refused before anything is set up.
python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
time.sleep(30)' "$tmp/vm.sock" &
listener=$!
i=0; while [ ! -e "$tmp/vm.sock.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect control_socket_in_use_by_a_running_vm_is_refused 1 stderr \
	"vmxrun: --control $tmp/vm.sock: in use by a running VM (pick another path, or end that VM: vmxctl $tmp/vm.sock quit)" \
	-- --dev "$tmp/vmxmon" --kernel "$MBTEST" --control "$tmp/vm.sock"
kill $listener 2>/dev/null; wait $listener 2>/dev/null
[ -S "$tmp/vm.sock" ]
result control_socket_of_the_running_vm_is_left_in_place $? /dev/null
echo data >"$tmp/notsock"
expect control_path_that_is_not_a_socket_is_left_alone 1 stderr \
	"vmxrun: --control $tmp/notsock: exists and is not a socket (not replacing it: pick another path)" \
	-- --dev "$tmp/vmxmon" --kernel "$MBTEST" --control "$tmp/notsock"

# A device that opens (KVM, where there is one and it runs guests): boots. Some hosts show a
# /dev/kvm that cannot run our guests (kvm_pvm): it counts only if it boots mbtest.
if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
	timeout 30 "$VMXRUN" --dev /dev/kvm --kernel "$MBTEST" -m 32M --console file:/dev/null \
		>/dev/null 2>&1; [ $? = 85 ]; then
	# The multiboot test kernel end to end: serial output, debug-exit status, resets.
	expect multiboot_kernel_exits_through_debug_port 85 stdout "$(printf 'mbtest: ok\nhello')" \
		-- --dev /dev/kvm --kernel "$MBTEST" -m 32M --append hello
	expect guest_reset_exits_0_by_default 0 stdout "mbtest: resetting" \
		-- --dev /dev/kvm --kernel "$MBTEST" -m 32M --append reset
	expect guest_reset_restarts_with_reboot_restart 87 stdout "$(printf 'mbtest: resetting\nmbtest: restarted')" \
		-- --dev /dev/kvm --kernel "$MBTEST" -m 32M --append reset --reboot=restart
	expect positional_path_is_the_kernel 85 stdout "$(printf 'mbtest: ok\nhello')" \
		-- --dev /dev/kvm -m 32M --append hello "$MBTEST"
	# A second vmxrun with the first one's --control path used to take the socket over
	# (and the first removed it at exit): now it is refused, and the first stays reachable.
	"$VMXRUN" --dev /dev/kvm --kernel "$MBTEST" -m 32M --append wait --control "$tmp/a.sock" \
		--console "file:$tmp/a.log" 2>"$tmp/a.err" &
	first=$!
	i=0; while [ ! -S "$tmp/a.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	timeout 20 "$VMXRUN" --dev /dev/kvm --kernel "$MBTEST" -m 32M --append wait \
		--control "$tmp/a.sock" --console "file:$tmp/b.log" >"$tmp/b.out" 2>&1
	st=$?
	{ echo "second vmxrun: status $st (want 1)"; cat "$tmp/b.out"; } >"$tmp/diag"
	[ "$st" = 1 ] && grep -q 'in use by a running VM' "$tmp/b.out"
	result second_vmxrun_does_not_take_over_a_live_control_socket $? "$tmp/diag"
	timeout 20 "$VMXCTL" "$tmp/a.sock" query-status quit >"$tmp/ctl.out" 2>&1
	st=$?
	timeout 20 sh -c "while kill -0 $first 2>/dev/null; do sleep 0.1; done"
	kill -9 $first 2>/dev/null		# still there: it did not get quit
	wait $first
	a_st=$?
	{ echo "vmxctl: status $st; first vmxrun: status $a_st"; cat "$tmp/ctl.out" "$tmp/a.err"; } >"$tmp/diag"
	[ "$st" = 0 ] && [ "$a_st" = 0 ] && grep -q '"status":"running"' "$tmp/ctl.out" && [ ! -e "$tmp/a.sock" ]
	result first_vmxrun_keeps_its_control_socket_and_removes_it_at_exit $? "$tmp/diag"
	# --console socket:PATH: bytes both ways (mbtest's echo mode answers in upper case); a
	# second client replaces the first; the socket goes at exit.
	"$VMXRUN" --dev /dev/kvm --kernel "$MBTEST" -m 32M --append echo --control "$tmp/e.sock" \
		--console "socket:$tmp/e.con" 2>"$tmp/e.err" &
	pid=$!
	i=0; while [ ! -S "$tmp/e.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	python3 - "$tmp/e.con" >"$tmp/e.out" 2>&1 <<-'EOF'
	import socket, sys, time
	def client(data):
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(sys.argv[1])
	    s.settimeout(5)
	    s.sendall(data)
	    got = b""
	    while len(got) < len(data):
	        got += s.recv(64)
	    return s, got
	a, got_a = client(b"hello\n")
	b, got_b = client(b"abc")
	time.sleep(0.2)
	a.settimeout(0.5)
	print(got_a, got_b, a.recv(64))
	EOF
	timeout 20 "$VMXCTL" "$tmp/e.sock" quit >/dev/null 2>&1
	wait $pid
	st=$?
	{ echo "status $st"; cat "$tmp/e.out" "$tmp/e.err"; } >"$tmp/diag"
	[ "$st" = 0 ] && [ "$(cat "$tmp/e.out")" = "b'HELLO\n' b'ABC' b''" ] && [ ! -e "$tmp/e.con" ]
	result console_socket_passes_bytes_both_ways_to_one_client_at_a_time $? "$tmp/diag"
	# A crash says so in one line (the testbed ends a run on it), then dies of the signal.
	"$VMXRUN" --dev /dev/kvm --kernel "$MBTEST" -m 32M --append wait --console "file:$tmp/c.log" \
		--control "$tmp/c.sock" 2>"$tmp/c.err" &
	pid=$!
	i=0; while [ ! -S "$tmp/c.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -SEGV $pid
	wait $pid
	st=$?
	{ echo "status $st (want 139)"; cat "$tmp/c.err"; } >"$tmp/diag"
	[ "$st" = 139 ] && grep -q '^vmxrun: fatal signal 11: vmxrun crashed' "$tmp/c.err"
	result crash_is_reported_in_one_line_and_kills_with_the_signal $? "$tmp/diag"
else
	for t in multiboot_kernel_exits_through_debug_port guest_reset_exits_0_by_default \
		 guest_reset_restarts_with_reboot_restart positional_path_is_the_kernel \
		 second_vmxrun_does_not_take_over_a_live_control_socket \
		 first_vmxrun_keeps_its_control_socket_and_removes_it_at_exit \
		 console_socket_passes_bytes_both_ways_to_one_client_at_a_time \
		 crash_is_reported_in_one_line_and_kills_with_the_signal; do
		result_skip $t "no usable /dev/kvm here"
	done
fi
expect unknown_option_exits_2 2 stderr \
	"vmxrun: unknown option '--frobnicate' (see vmxrun --help)" -- --frobnicate
expect unknown_single_dash_word_is_named_whole 2 stderr \
	"vmxrun: unknown option '-frobnicate' (see vmxrun --help)" -- -frobnicate
expect qemu_kernel_option_gets_the_vmxrun_spelling 2 stderr \
	"vmxrun: unknown option '-kernel': vmxrun spells it --kernel PATH" -- -kernel bzImage -append console=ttyS0
expect qemu_smp_option_gets_the_vmxrun_spelling 2 stderr \
	"vmxrun: unknown option '-smp': vmxrun spells it -c N (--cpus N)" -- --kernel k -smp 2
expect more_than_one_vcpu_without_apic_is_refused 2 stderr \
	"vmxrun: -c 2: --no-apic runs one vCPU (SMP needs the local APIC: drop --no-apic)" -- --kernel k -c 2 --no-apic
expect bad_memory_size_exits_2 2 stderr \
	"vmxrun: -m 12X: not a memory size (e.g. 512M, 1.5G, 2G)" -- --kernel k -m 12X
expect zero_memory_is_too_small 2 stderr \
	"vmxrun: -m 0: too small: a guest needs at least 16M" -- --kernel k -m 0
expect no_arguments_exits_2 2 stderr "vmxrun: nothing to do (try --kernel PATH or --info; see vmxrun --help)" --
expect version_prints_the_version 0 stdout "vmxrun 0.1 (vmxmon launcher; KVM API version 12)" -- --version

# --help: exit 0, and every option's line states its default.
"$VMXRUN" --help >"$tmp/help" 2>&1
st=$?
missing=
for opt in --dev --info --kernel --initrd --append --memory --cpus --no-apic --console --name --control --reboot; do
	# The option's entry: its line and the deeper-indented lines that continue it.
	awk -v opt="$opt" '
		/^  -/ { inopt = 0; for (i = 1; i <= 2; i++) if ($i == opt) inopt = 1 }
		inopt && /\(default: / { found = 1 }
		END { exit !found }' "$tmp/help" || missing="$missing $opt"
done
[ "$st" = 0 ] && [ -z "$missing" ] && grep -q -- "-h, --help" "$tmp/help" && grep -q -- "--version" "$tmp/help"
ok=$?
echo "status $st; options without a default:$missing" >"$tmp/diag"
result help_lists_every_option_with_its_default $ok "$tmp/diag"
# ... and what a new user needs next: examples, the console keys, init's arguments after
# " -- ", every exit status.
missing=
for want in 'Examples:' 'Ctrl-A x' 'Ctrl-A Ctrl-A' 'words after " -- "' '(V<<1)|1' \
	    '  0  ' '  1  ' '  2  ' '128+N'; do
	grep -qF -- "$want" "$tmp/help" || missing="$missing [$want]"
done
[ -z "$missing" ] && [ "$(grep -c "^  vmxrun " "$tmp/help")" -ge 2 ]
ok=$?
echo "missing from --help:$missing" >"$tmp/diag"
result help_has_examples_console_keys_init_arguments_and_exit_statuses $ok "$tmp/diag"

expect info_and_boot_options_are_exclusive 2 stderr \
	"vmxrun: --info does not boot a guest: drop the boot options (--kernel, -m, ...)" \
	-- --info --kernel x

# vmxctl: --help is usage on stdout with status 0; no arguments is usage with status 2.
"$VMXCTL" --help >"$tmp/ctl.out" 2>&1
st=$?
[ "$st" = 0 ] && grep -q '^usage: vmxctl SOCKET COMMAND' "$tmp/ctl.out"
result vmxctl_help_prints_usage $? "$tmp/ctl.out"
"$VMXCTL" >"$tmp/ctl.out" 2>&1
st=$?
[ "$st" = 2 ] && grep -q '^usage: vmxctl' "$tmp/ctl.out"
result vmxctl_without_arguments_prints_usage_and_exits_2 $? "$tmp/ctl.out"
[ "$failed" = 0 ]
