#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of scripts/debbin (how the testbed's gdb boot gets Debian's gdb, trace-cmd and
# perf into its busybox L1), TAP: a packed program runs with an empty environment through
# its own loader and libraries, from wherever its directory is moved; packing fails, naming
# the library, when a library's package was not given and this host lacks it. The .debs
# come from the cache (apt-get download on first use): skipped when neither can give them.
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$top/selftests/lib/tap.sh"

if "$top/scripts/debbin" "$tmp/tc" trace-cmd usr/bin/trace-cmd libtracefs1 libtraceevent1 \
	>"$tmp/log" 2>&1; then
	env -i "$tmp/tc/trace-cmd" --version >"$tmp/out" 2>&1
	grep -q 'version 3\.' "$tmp/out" && [ -f "$tmp/tc/lib/libtracefs.so.1" ] &&
		[ -f "$tmp/tc/lib/ld-linux-x86-64.so.2" ]
	result debbin_program_runs_through_its_own_loader_and_libraries $? "$tmp/out"
	mv "$tmp/tc" "$tmp/moved"
	env -i "$tmp/moved/trace-cmd" --version >"$tmp/out" 2>&1
	grep -q 'version 3\.' "$tmp/out"
	result debbin_wrapper_finds_its_directory_after_a_move $? "$tmp/out"
	if ldconfig -p | grep -q 'libtracefs\.so\.1 '; then
		result_skip debbin_fails_naming_a_library_no_package_gave "this host has libtracefs"
	else
		! "$top/scripts/debbin" "$tmp/tc2" trace-cmd usr/bin/trace-cmd >"$tmp/out" 2>&1 &&
			grep -q 'libtracefs.so.1 => not found' "$tmp/out"
		result debbin_fails_naming_a_library_no_package_gave $? "$tmp/out"
	fi
else
	sed 's/^/# /' "$tmp/log"
	for t in debbin_program_runs_through_its_own_loader_and_libraries \
		 debbin_wrapper_finds_its_directory_after_a_move \
		 debbin_fails_naming_a_library_no_package_gave; do
		result_skip $t "no trace-cmd .deb (cache empty, apt-get download failed)"
	done
fi
echo "1..$n"
[ "$failed" = 0 ]
