#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host checks of the harness (TAP): runs harness_selftest and the real test binaries in the
# ways that matter and compares the TAP they print. OUT is the selftests build directory.
OUT=${OUT:-../build/selftests}
H=$OUT/host/harness_selftest
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
echo "1..9"

"$H" --tag host >"$tmp/out" 2>&1
st=$?
[ $st = 1 ] && has "$tmp/out" "1..7" "ok 1 - host: passes" \
	"# lib/harness_selftest.c:21: 1 + 1 == 3" "#   expected: 3" "#   actual:   2" \
	"#   expected: -22 (-EINVAL)" "#   actual:   -25 (-ENOTTY)" \
	"# reached after failed expects" "not ok 2 - host: expect_reports_expected_and_actual" \
	"ok 4 - host: skip_gives_a_reason # SKIP no widget here" \
	"# killed by signal 11 (Segmentation fault)" "not ok 5 - host: crash_is_not_ok" \
	"# timed out after 1 s" "not ok 6 - host: timeout_is_not_ok" \
	"# exited with status 3" "not ok 7 - host: nonzero_exit_is_not_ok" \
	"# Totals: pass:1 fail:5 skip:1"
result harness_reports_pass_fail_skip_crash_timeout_exit $? "$tmp/out"

has "$tmp/out" "not ok 3 - host: assert_ends_the_test" && ! grep -q "reached after a failed assert" "$tmp/out"
result assert_ends_the_test_expect_does_not $? "$tmp/out"

# Every L1 test binary skips as a whole, exit 4, when the device is missing.
ok=0
for b in dev_test vm_test vm_leak_test coexist_test; do
	"$OUT/$b" --dev "$tmp/vmxmon" >"$tmp/out" 2>&1
	st=$?
	[ $st = 4 ] && has "$tmp/out" "TAP version 13" \
		"1..0 # SKIP $tmp/vmxmon: No such file or directory (module not loaded?)" || {
		echo "# $b exited $st"
		sed 's/^/# | /' "$tmp/out"
		ok=1
	}
done
result missing_device_skips_every_binary_with_exit_4 $ok

# Without VT-x (this host, usually) they skip too; --no-cpu-check runs anyway.
if grep -qw vmx /proc/cpuinfo; then
	result_skip no_vtx_skips_with_exit_4 "this host has VT-x"
else
	"$OUT/dev_test" --dev /dev/null >"$tmp/out" 2>&1
	st=$?
	[ $st = 4 ] && grep -q "^1\.\.0 # SKIP this CPU has no VT-x" "$tmp/out"
	result no_vtx_skips_with_exit_4 $? "$tmp/out"
fi

# flavour_run NAME DEVICE PREFIX SKIP: harness_selftest's two device tests on DEVICE print
# PREFIX as their device, and the vmxmon-only one says SKIP ("" if it runs).
flavour_run() {
	"$H" --dev "$2" --no-cpu-check --run kvm_identical_runs_on_every_device \
		--run vmxmon_only_runs_on_vmxmon >"$tmp/out" 2>&1
	st=$?
	[ $st = 0 ] && has "$tmp/out" "ok 1 - $3: kvm_identical_runs_on_every_device" \
		"ok 2 - $3: vmxmon_only_runs_on_vmxmon$4"
	result "$1" $? "$tmp/out"
}
flavour_run other_devices_run_as_vmxmon_with_its_prefix /dev/null vmxmon ""
# A node with KVM's device number runs as "kvm": vmxmon-only tests skip with a reason.
if [ -c /dev/kvm ] && [ -r /sys/class/misc/kvm/dev ]; then
	flavour_run dev_kvm_runs_as_kvm_and_skips_vmxmon_only /dev/kvm kvm " # SKIP vmxmon-only test"
else
	result_skip dev_kvm_runs_as_kvm_and_skips_vmxmon_only "no /dev/kvm here"
fi

"$OUT/dev_test" --list >"$tmp/out" 2>&1 &&
	has "$tmp/out" "kvm-identical  api_version_is_12" \
		"vmxmon-only    check_extension_answers_every_capability_as_the_caps_table"
result list_shows_each_test_with_its_tag $? "$tmp/out"

"$OUT/vm_test" --list --tag kvm-identical >"$tmp/out" 2>&1 &&
	grep -q "^kvm-identical " "$tmp/out" && ! grep -vq "^kvm-identical " "$tmp/out"
result tag_filter_selects_only_that_tag $? "$tmp/out"

"$H" --run no_such_test >"$tmp/out" 2>&1
st=$?
[ $st = 2 ] && grep -q "no test named 'no_such_test'" "$tmp/out"
result unknown_test_name_is_an_error $? "$tmp/out"

[ "$failed" = 0 ]
