# SPDX-License-Identifier: GPL-2.0
# Sourced by the host check scripts (sh): TAP result lines, numbered, with a failure count.
n=0
failed=0

# result NAME STATUS [FILE]: "ok" when STATUS is 0; else FILE (if any) as "# | " lines, "not ok"
result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - host: $1"
	else
		failed=$((failed + 1))
		[ -n "$3" ] && sed 's/^/# | /' "$3"
		echo "not ok $n - host: $1"
	fi
}

# result_skip NAME WHY
result_skip() {
	n=$((n + 1))
	echo "ok $n - host: $1 # SKIP $2"
}

# has FILE LINE...: every LINE is a whole line of FILE
has() {
	f=$1
	shift
	for l in "$@"; do
		grep -qxF -- "$l" "$f" || { echo "# missing: $l"; return 1; }
	done
}
