#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host checks of the L1 scripts (TAP): run_l1.sh parses under busybox sh, tap_flatten.awk
# merges binaries' TAP correctly under busybox awk, and the no-ept mode decides right with
# faked modload/dmesg. Needs busybox (L1 runs these under busybox); skips without it.
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$here/tap.sh"

echo "TAP version 13"
if ! command -v busybox >/dev/null; then
	echo "1..0 # SKIP busybox not installed"
	exit 4
fi
echo "1..6"

busybox sh -n "$top/run_l1.sh" 2>"$tmp/err"
result run_l1_sh_parses_under_busybox_sh $? "$tmp/err"

# flatten N LABEL: stdin through tap_flatten.awk as run_l1.sh uses it
flatten() {
	busybox awk -v n="$1" -v bin="$2" -v state="$tmp/state" -f "$here/tap_flatten.awk"
	cat "$tmp/state"
}
# same NAME EXPECTED-FILE ACTUAL-FILE
same() {
	diff -u "$2" "$3" >"$tmp/diff" 2>&1
	result "$1" $? "$tmp/diff"
}

printf '%s\n' "TAP version 13" "1..2" "ok 1 - vmxmon: a" "# why b failed" \
	"not ok 2 - vmxmon: b" "# Totals: pass:1 fail:1 skip:0" "@@status 1" |
	flatten 5 vm_test >"$tmp/out"
printf '%s\n' "ok 6 - vmxmon: a" "# why b failed" "not ok 7 - vmxmon: b" \
	"# Totals: pass:1 fail:1 skip:0" "7 1" >"$tmp/want"
same flatten_renumbers_results_and_counts_failures "$tmp/want" "$tmp/out"

printf '%s\n' "TAP version 13" "1..0 # SKIP /dev/vmxmon: No such file or directory" "@@status 4" |
	flatten 0 dev_test >"$tmp/out"
printf '%s\n' "ok 1 - dev_test # SKIP /dev/vmxmon: No such file or directory" "1 0" >"$tmp/want"
same flatten_turns_a_skipped_binary_into_one_skip "$tmp/want" "$tmp/out"

printf '%s\n' "TAP version 13" "1..3" "ok 1 - vmxmon: a" "Segmentation fault" "@@status 139" |
	flatten 0 vm_test >"$tmp/out"
printf '%s\n' "ok 1 - vmxmon: a" "# Segmentation fault" \
	"not ok 2 - vm_test: exit status 139, 1 results of a plan of 3" "2 1" >"$tmp/want"
same flatten_fails_a_binary_that_dies_early "$tmp/want" "$tmp/out"

# no-ept mode against fakes, next to a copy of run_l1.sh: modload fails with EOPNOTSUPP and
# dmesg shows the module's line. busybox sh runs its own dmesg applet whatever PATH says, so
# the host's sh runs this.
mkdir "$tmp/bin"
cat >"$tmp/modload" <<'EOF'
#!/bin/sh
echo "modload: $1: Operation not supported (EOPNOTSUPP)" >&2
exit 1
EOF
cat >"$tmp/bin/dmesg" <<'EOF'
#!/bin/sh
echo "[    0.100000] Linux version 6.1.0"
[ -e "$FAKE_LOADED" ] && echo "[    9.000000] vmxmon: this CPU has VMX but no EPT; vmxmon needs EPT"
touch "$FAKE_LOADED"
EOF
chmod +x "$tmp/modload" "$tmp/bin/dmesg"
cp "$top/run_l1.sh" "$here/tap_flatten.awk" "$tmp/"
no_ept() {
	rm -f "$tmp/loaded"
	FAKE_LOADED=$tmp/loaded PATH="$tmp/bin:$PATH" VMXMON_DEV="$tmp/vmxmon" VMXMON_KO=/x.ko \
		sh "$tmp/run_l1.sh" no-ept >"$tmp/out" 2>&1
}
no_ept
st=$?
[ $st = 0 ] && [ "$(grep -c '^ok ' "$tmp/out")" = 5 ] && grep -qx '1\.\.5' "$tmp/out"
result run_l1_no_ept_passes_when_load_fails_with_a_log_line $? "$tmp/out"

# and fails when the log line is missing
sed -i 's/ EPT.*/"/; s/but no"/but nothing"/' "$tmp/bin/dmesg"
no_ept
st=$?
[ $st = 1 ] && grep -q "^not ok 3 - vmxmon: kernel log has one 'vmxmon: ... EPT' line" "$tmp/out"
result run_l1_no_ept_fails_without_the_log_line $? "$tmp/out"

[ "$failed" = 0 ]
