#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest_code_check.sh [BINARY...]: guest code (section guest_text, lib/guest.h) may only call
# and jump inside guest_text and must not use %fs/%gs (TLS, stack protector): libc is not
# there for it in the guest. TAP, one result per binary; default: $GUEST_CODE_BINS (make check).
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# in_guest_text BINARY: objdump's disassembly of guest_text, checked (awk exits 1 on a finding)
in_guest_text() {
	bounds=$(objdump -h "$1" | awk '$2 == "guest_text" { print $4, $3 }')
	[ -n "$bounds" ] || { echo "no guest_text section"; return 1; }
	objdump -d --no-show-raw-insn -j guest_text "$1" >"$tmp/dis" || return 1
	# addresses as 16 zero-padded hex digits compare correctly as strings (mawk has no hex)
	echo "$bounds" | {
		read -r start size
		awk -v lo="$(printf %016x $((0x$start)))" -v hi="$(printf %016x $((0x$start + 0x$size)))" '
			function pad(h) { h = sprintf("%16s", h); gsub(/ /, "0", h); return h }
			/%[fg]s:/ { print "segment override: " $0; bad = 1 }
			$2 ~ /^(callq?|jmpq?|j[a-z]+)$/ && $3 ~ /^[0-9a-f]+$/ &&
			(pad($3) < lo || pad($3) >= hi) { print "leaves guest_text: " $0; bad = 1 }
			END { exit bad }' "$tmp/dis"
	}
}

[ $# -gt 0 ] || set -- $GUEST_CODE_BINS
echo "TAP version 13"
echo "1..$#"
for bin in "$@"; do
	in_guest_text "$bin" >"$tmp/out" 2>&1
	result "guest_code_of_$(basename "$bin")_stays_in_guest_text" $? "$tmp/out"
done
[ "$failed" = 0 ]
