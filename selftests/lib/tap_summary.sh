#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tap_summary.sh LABEL PROGRAM... : run each TAP-speaking program, pass its output through and
# end with the line "LABEL: N passed, N failed" (skips are listed in a "#" line above it).
# A program that dies, or exits nonzero without a "not ok", or prints fewer results than its
# plan, counts as one more failure. Exits 1 if anything failed. Used by `make check`.
label=$1
shift
passed=0 failed=0 skipped=0
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
for prog in "$@"; do
	"$prog" >"$out" 2>&1
	st=$?
	cat "$out"
	res=$(awk -v st="$st" '
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
		/^ok / { if (/# SKIP/) s++; else p++ }
		/^not ok / { f++ }
		END {
			n = p + f + s
			if ((st != 0 && st != 4 && !f) || n < plan) f++
			print p + 0, f + 0, s + 0
		}' "$out")
	read -r p f s <<-EOF
	$res
	EOF
	if [ "$f" -gt "$(grep -c '^not ok ' "$out")" ]; then
		echo "not ok - $prog: exit status $st after $((p + s)) results"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
[ "$skipped" = 0 ] || echo "# $label: $skipped skipped"
echo "$label: $passed passed, $failed failed"
[ "$failed" = 0 ]
