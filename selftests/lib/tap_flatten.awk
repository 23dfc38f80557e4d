# SPDX-License-Identifier: GPL-2.0
# Merge one test binary's TAP into run_l1.sh's single flat TAP stream (busybox awk).
#   awk -v n=<results so far> -v bin=<label> -v state=<file> -f tap_flatten.awk
# Input: the binary's output, then a last line "@@status <exit status>". Result lines are
# renumbered from n+1; "#" lines pass through, other text becomes "# " comments. A binary
# that skipped as a whole (exit 4, "1..0 # SKIP why") becomes one "ok - <bin> # SKIP why";
# one that died, or exited nonzero without a "not ok", or printed fewer results than its
# plan, gets an extra "not ok". Writes "<n> <failures>" to the state file.
BEGIN { failed = 0; seen = 0; plan = -1; st = -1; why = "" }
/^@@status / { st = $2 + 0; next }
/^TAP version / { next }
/^1\.\.[0-9]+/ {
	plan = substr($1, 4) + 0
	i = index($0, "# SKIP")
	if (i) why = substr($0, i + 7)
	next
}
/^ok [0-9]+/ || /^not ok [0-9]+/ {
	seen++
	n++
	if ($1 == "not") {
		failed++
		sub(/^not ok [0-9]+/, "not ok " n)
	} else {
		sub(/^ok [0-9]+/, "ok " n)
	}
	print
	fflush()
	next
}
/^#/ { print; fflush(); next }
{ print "# " $0; fflush() }
END {
	if (st == 4 && seen == 0 && plan == 0) {
		n++
		print "ok " n " - " bin " # SKIP " why
	} else if (plan < 0 || seen < plan || (st != 0 && st != 4 && failed == 0)) {
		n++
		failed++
		print "not ok " n " - " bin ": exit status " st ", " seen " results of a plan of " plan
	}
	print n, failed > state
}
