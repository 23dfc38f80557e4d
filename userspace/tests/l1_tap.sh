# SPDX-License-Identifier: GPL-2.0
# Sourced by the L1 guest checks (l1_boot.sh, l1_virtio.sh: /vmxmon/guest/ in the testbed):
# numbered TAP lines "ok N - $label: NAME", with a failure count in $failed.
n=0
failed=0

pass() { n=$((n + 1)); echo "ok $n - $label: $1"; }

# fail NAME [LINE...]: the lines as "# " comments, then "not ok"
fail() {
	name=$1
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $label: $name"
}
