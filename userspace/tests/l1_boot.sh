#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# l1_boot.sh [DEV]: inside the Bochs L1 guest, boot guests under vmxrun on DEV (default
# /dev/kvm; kvm_intel or vmxmon.ko is loaded if needed) and check, as TAP:
#   - the multiboot test kernel (no interrupts) prints, exits through the debug-exit port,
#     and survives a reset with --reboot=restart;
#   - the stock Debian kernel (the compressed vmlinuz of the L1 kernel itself) with the
#     busybox test initramfs reaches its shell, runs a command and powers off (ACPI S5)
#     with status 0;
#   - its kernel log has no ACPI, timer or IRQ complaints beyond the PIC-only notices;
#   - the power button (system_powerdown on the control socket) ends it through acpid.
# Boot times are "# " lines: the guest's uptime when init starts, L1 seconds per run.
# Environment: GUEST_DIR (vmlinuz, initramfs.cpio.gz, mbtest; default: this script's directory),
# VMXMON_KMODS (kvm modules), VMXRUN, VMXCTL (default: on PATH).
DEV=${1:-/dev/kvm}
HERE=$(cd "$(dirname "$0")" && pwd)
GUEST_DIR=${GUEST_DIR:-$HERE}
VMXRUN=${VMXRUN:-vmxrun}
VMXCTL=${VMXCTL:-vmxctl}
KMODS=${VMXMON_KMODS:-/vmxmon/kmods}
TMP=${TMPDIR:-/tmp}/l1_boot.$$
APPEND="console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off cryptomgr.notests"
# Kernel messages expected of a PIC-only machine without APIC, PMU, disks or a network.
EXPECTED='APIC|apic|not listed by|ELCR|MMCONFIG|AUX port|PMU|Performance Events|x86/cpu: VMX|MDS|MMIO Stale|RETBleed|Spectre|GDS|ITS|TAA|SRBDS|mitigation|hpet|HPET|MADT|IOAPIC|IO-APIC|SMP|mce|MCE|platform regulatory|cfg80211|Unable to read sysrq|nokaslr|wmi|ima|Lockdown|integrity|zswap|i8042: Warning|kvm-guest|ERST|EINJ|BERT|HEST|efi'
n=0
failed=0
mkdir -p "$TMP"
label=$(basename "$DEV")

pass() { n=$((n + 1)); echo "ok $n - $label: $1"; }
fail() {
	name=$1
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $label: $name"
}
uptime_s() { read -r u _ </proc/uptime; echo "$u"; }

if [ "$DEV" = /dev/kvm ] && [ ! -e /dev/kvm ]; then
	for m in irqbypass kvm kvm-intel; do insmod "$KMODS/$m.ko" || exit 1; done
fi
if [ "$DEV" = /dev/vmxmon ] && [ ! -e /dev/vmxmon ]; then
	insmod "${VMXMON_KO:-/vmxmon/vmxmon.ko}" || exit 1
fi

# boot NAME ARGS...: vmxrun with the test guest; console in $TMP/NAME.log (and on our
# output, prefixed), vmxrun's exit status in $st, L1 seconds in $secs.
boot() {
	name=$1
	shift
	t0=$(uptime_s)
	{ "$VMXRUN" --dev "$DEV" --kernel "$GUEST_DIR/vmlinuz" \
		--initrd "$GUEST_DIR/initramfs.cpio.gz" -m 128M "$@" </dev/null 2>"$TMP/$name.err"
	  echo $? >"$TMP/$name.st"; } | tee "$TMP/$name.log" | sed "s/^/[l2 $name] /"
	st=$(cat "$TMP/$name.st")
	secs=$(echo "$t0 $(uptime_s)" | awk '{printf "%.1f", $2 - $1}')
	up=$(sed -n 's/.*VMXRUN-GUEST-SHELL uptime=\([0-9.]*\).*/\1/p' "$TMP/$name.log")
	echo "# $label $name: guest init after ${up:-?} s of guest time; vmxrun ran $secs s of L1 time"
	sed 's/^/# vmxrun stderr: /' "$TMP/$name.err"
}

# 1-2: the multiboot test kernel: port I/O and the debug-exit port only, then a reset.
mb() {
	name=$1
	shift
	{ "$VMXRUN" --dev "$DEV" --kernel "$GUEST_DIR/mbtest" -m 32M "$@" </dev/null \
		2>"$TMP/$name.err"; echo $? >"$TMP/$name.st"; } >"$TMP/$name.log"
	st=$(cat "$TMP/$name.st")
}
mb mb_ok --append "hello"
if [ "$st" = 85 ] && grep -q '^mbtest: ok' "$TMP/mb_ok.log"; then
	pass "multiboot_kernel_exits_through_debug_port"
else
	fail "multiboot_kernel_exits_through_debug_port" "status $st (want 85)" "$(cat "$TMP/mb_ok.log" "$TMP/mb_ok.err")"
fi
mb mb_reset --append "reset" --reboot=restart
if [ "$st" = 87 ] && grep -q '^mbtest: restarted' "$TMP/mb_reset.log"; then
	pass "reset_restarts_the_guest"
else
	fail "reset_restarts_the_guest" "status $st (want 87)" "$(cat "$TMP/mb_reset.log" "$TMP/mb_reset.err")"
fi

# 3-6: Linux boots to the shell, runs a command, powers off.
boot shell --append "$APPEND -- uname -sr"
log=$TMP/shell.log
if grep -q 'VMXRUN-GUEST-SHELL' "$log"; then pass "linux_boots_to_its_shell"
else fail "linux_boots_to_its_shell" "no VMXRUN-GUEST-SHELL marker; last lines:" "$(tail -n 20 "$log")"; fi
if grep -q '^Linux 6\.' "$log" && grep -q 'VMXRUN-GUEST-EXIT=0' "$log"; then
	pass "shell_runs_a_command"
else
	fail "shell_runs_a_command" "no 'Linux 6.' output or VMXRUN-GUEST-EXIT=0"
fi
if [ "$st" = 0 ] && grep -q 'VMXRUN-GUEST-POWEROFF' "$log"; then pass "guest_poweroff_exits_0"
else fail "guest_poweroff_exits_0" "vmxrun exit status $st"; fi
grep 'VMXRUN-GUEST-DMESG:' "$log" | sed 's/.*VMXRUN-GUEST-DMESG: //' >"$TMP/dmesg"
grep -vE "$EXPECTED" "$TMP/dmesg" >"$TMP/unexpected"
sed 's/^/# guest warning: /' "$TMP/dmesg"
if grep -iqE 'acpi|timer|irq|clock|tsc|pit|8259|serial|rtc' "$TMP/unexpected"; then
	fail "guest_log_has_no_acpi_timer_irq_errors" "$(cat "$TMP/unexpected")"
else
	pass "guest_log_has_no_acpi_timer_irq_errors"
fi

# 7: the power button, pressed through the control socket, ends the guest via acpid.
sock=$TMP/ctl.sock
( i=0
  while [ $i -lt 600 ] && ! grep -q 'VMXRUN-GUEST-ACPID-READY' "$TMP/acpid.log" 2>/dev/null; do
	sleep 1; i=$((i + 1))
  done
  sleep 2
  "$VMXCTL" "$sock" system_powerdown >"$TMP/ctl.out" 2>&1 ) &
boot acpid --control "$sock" --append "$APPEND -- acpid"
wait
sed 's/^/# control: /' "$TMP/ctl.out"
if [ "$st" = 0 ] && grep -q 'VMXRUN-GUEST-POWERBUTTON' "$TMP/acpid.log" &&
   grep -q '"return"' "$TMP/ctl.out"; then
	pass "power_button_powers_off_through_acpid"
else
	fail "power_button_powers_off_through_acpid" "vmxrun exit status $st"
fi

echo "1..$n"
rm -rf "$TMP"
[ "$failed" = 0 ]
