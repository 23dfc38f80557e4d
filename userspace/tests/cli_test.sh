#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of the vmxrun binary as a user meets it: exit codes and messages (TAP).
# VMXRUN names the binary (make check sets it).
VMXRUN=${VMXRUN:-../build/bin/vmxrun}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../../selftests/lib/tap.sh"

# expect NAME STATUS STREAM TEXT -- ARGS...: vmxrun ARGS exits STATUS and its STREAM
# (stdout or stderr) is exactly TEXT.
expect() {
	name=$1 want_st=$2 stream=$3 want=$4
	shift 5
	"$VMXRUN" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	st=$?
	got=$(cat "$tmp/$stream")
	[ "$st" = "$want_st" ] && [ "$got" = "$want" ]
	ok=$?
	printf '%s\n' "vmxrun $*" "  expected: status $want_st, $stream: $want" \
		"  actual:   status $st, $stream: $got" >"$tmp/diag"
	result "$name" $ok "$tmp/diag"
}

echo "TAP version 13"
echo "1..14"

expect missing_device_names_module_and_fix 1 stderr \
	"vmxrun: $tmp/vmxmon: no such device (is vmxmon.ko loaded? try: sudo modprobe vmxmon)" \
	-- --dev "$tmp/vmxmon" --info
expect non_kvm_device_fails_api_version_ioctl 1 stderr \
	"vmxrun: /dev/null: inappropriate ioctl for device" -- --dev /dev/null --info
expect boot_options_need_the_device 1 stderr \
	"vmxrun: $tmp/vmxmon: no such device (is vmxmon.ko loaded? try: sudo modprobe vmxmon)" \
	-- --dev "$tmp/vmxmon" --kernel bzImage --initrd rd.gz --append console=ttyS0 -m 512M -c 1
# A device that opens (KVM, where there is one): the kernel file is checked.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	expect missing_kernel_is_named 1 stderr \
		"vmxrun: --kernel $tmp/bzImage: no such file or directory" \
		-- --dev /dev/kvm --kernel "$tmp/bzImage" --console "file:$tmp/console"
	echo "not a kernel" >"$tmp/notkernel"
	expect non_kernel_file_is_named 1 stderr \
		"vmxrun: --kernel $tmp/notkernel: not a bzImage (no \"HdrS\" boot header) and no multiboot header in its first 8 KiB" \
		-- --dev /dev/kvm --kernel "$tmp/notkernel" --console "file:$tmp/console"
	expect too_much_memory_is_refused 1 stderr \
		"vmxrun: -m 1048576M: more than the host's $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB of RAM" \
		-- --dev /dev/kvm --kernel "$tmp/notkernel" -m 1024G --console "file:$tmp/console"
	# The multiboot test kernel end to end: serial output, debug-exit status, resets.
	MBTEST=${MBTEST:-../build/userspace/guest/mbtest}
	expect multiboot_kernel_exits_through_debug_port 85 stdout "$(printf 'mbtest: ok\nhello')" \
		-- --dev /dev/kvm --kernel "$MBTEST" -m 32M --append hello
	expect guest_reset_exits_0_by_default 0 stdout "mbtest: resetting" \
		-- --dev /dev/kvm --kernel "$MBTEST" -m 32M --append reset
	expect guest_reset_restarts_with_reboot_restart 87 stdout "$(printf 'mbtest: resetting\nmbtest: restarted')" \
		-- --dev /dev/kvm --kernel "$MBTEST" -m 32M --append reset --reboot=restart
else
	for t in multiboot_kernel_exits_through_debug_port guest_reset_exits_0_by_default \
		 guest_reset_restarts_with_reboot_restart; do
		result_skip $t "no usable /dev/kvm here"
	done
	result_skip missing_kernel_is_named "no usable /dev/kvm here"
	result_skip non_kernel_file_is_named "no usable /dev/kvm here"
	result_skip too_much_memory_is_refused "no usable /dev/kvm here"
fi
expect unknown_option_exits_2 2 stderr \
	"vmxrun: unknown option '--frobnicate' (see vmxrun --help)" -- --frobnicate
expect more_than_one_vcpu_without_apic_is_refused 2 stderr \
	"vmxrun: -c 2: --no-apic runs one vCPU (SMP needs the local APIC: drop --no-apic)" -- --kernel k -c 2 --no-apic
expect bad_memory_size_exits_2 2 stderr \
	"vmxrun: -m 12X: not a memory size (e.g. 512M or 2G, at most 1024G)" -- --kernel k -m 12X
expect no_arguments_exits_2 2 stderr "vmxrun: nothing to do (try --kernel PATH or --info; see vmxrun --help)" --

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
[ "$st" = 0 ] && [ -z "$missing" ] && grep -q -- "-h, --help" "$tmp/help"
ok=$?
echo "status $st; options without a default:$missing" >"$tmp/diag"
result help_lists_every_option_with_its_default $ok "$tmp/diag"

expect info_and_boot_options_are_exclusive 2 stderr \
	"vmxrun: --info does not boot a guest: drop the boot options (--kernel, -m, ...)" \
	-- --info --kernel x
[ "$failed" = 0 ]
