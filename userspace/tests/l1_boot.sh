#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# l1_boot.sh [DEV]: inside the Bochs L1 guest, boot guests under vmxrun on DEV (default
# /dev/kvm; kvm_intel or vmxmon.ko is loaded if needed) and check, as TAP:
#   - the multiboot test kernel (no interrupts) prints, exits through the debug-exit port,
#     and survives a reset with --reboot=restart;
#   - the stock Debian kernel (the compressed vmlinuz of the L1 kernel itself: its XZ
#     decompressor runs ~45 s of L1 time with interrupts off, a test of its own) with the
#     busybox test initramfs and 2 vCPUs (-c 2: in-kernel LAPICs, the IOAPIC, the MADT)
#     reaches its shell, runs a command and powers off (ACPI S5) with status 0; it sees 2
#     CPUs, both take local APIC timer interrupts from their TSC-deadline timers (the tick
#     device of each CPU is lapic-deadline), it runs its APICs in x2APIC mode (the KVM
#     signature and CPUID.x2APIC, without interrupt remapping: physical x2APIC), and its
#     kernel log has no ACPI, timer or IRQ complaints and no failed machine-check setup;
#   - on vmxmon, with 2 vCPUs and --reboot=restart, it reboots (Linux stops the other CPU,
#     then resets) and comes back with 2 CPUs; quit on the control socket then ends vmxrun
#     (status 0);
#   - the power button (system_powerdown on the control socket) ends it through acpid (the
#     SCI: level-triggered, active low, through the IOAPIC), with 2 vCPUs;
#   - on vmxmon, PIC-only (--no-apic), it boots to its shell and powers off too.
# An L1 with one CPU runs the 2-vCPU guest as well (slower: both vCPU threads share it).
# The other Linux boots use the same kernel without its decompressor (vmlinuz-flat, the
# testbed's repacked L1 kernel, entered through its 64-bit entry): the same vmlinux, ~45 s
# sooner at init.
# Boot times are "# " lines: the guest's uptime when init starts, L1 seconds per run.
# Environment: GUEST_DIR (vmlinuz, vmlinuz-flat, initramfs.cpio.gz, mbtest; default: this
# script's directory),
# VMXMON_KMODS (kvm modules), VMXRUN, VMXCTL (default: on PATH).
DEV=${1:-/dev/kvm}
HERE=$(cd "$(dirname "$0")" && pwd)
GUEST_DIR=${GUEST_DIR:-$HERE}
VMXRUN=${VMXRUN:-vmxrun}
VMXCTL=${VMXCTL:-vmxctl}
KMODS=${VMXMON_KMODS:-/vmxmon/kmods}
TMP=${TMPDIR:-/tmp}/l1_boot.$$
APPEND="console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off cryptomgr.notests"
# Kernel messages expected of our machine without PMU, HPET, disks or a network.
EXPECTED='MMCONFIG|AUX port|PMU|Performance Events|x86/cpu: VMX|MDS|MMIO Stale|RETBleed|Spectre|GDS|ITS|TAA|SRBDS|mitigation|hpet|HPET|mce|MCE|platform regulatory|cfg80211|Unable to read sysrq|nokaslr|wmi|ima|Lockdown|integrity|zswap|i8042: Warning|kvm-guest|ERST|EINJ|BERT|HEST|efi|clocksource: Long readout interval'
# ... and of a PIC-only one (--no-apic).
EXPECTED_NOAPIC="$EXPECTED|not listed by|ELCR|APIC|apic|MADT|IOAPIC|IO-APIC|SMP"
# The SMP guest's command: CPU count, per-CPU tick devices on the TSC-deadline timer,
# LAPIC timer counts 2 s apart, the APIC driver.
# (At most 32 words: the kernel's limit for init's arguments.) The last grep also reports
# any user-space segfault the guest kernel logged, for the diagnostics below.
SMP_CMD='echo VMXRUN-NPROC=$(nproc) VMXRUN-DEADLINE=$(grep -c Device:.lapic-deadline /proc/timer_list); grep LOC: /proc/interrupts; sleep 2; grep LOC: /proc/interrupts; dmesg | grep -i -e segfault -e x2apic'
mkdir -p "$TMP"
label=$(basename "$DEV")

. "$(dirname "$0")/l1_tap.sh"
uptime_s() { read -r u _ </proc/uptime; echo "$u"; }

if [ "$DEV" = /dev/kvm ] && [ ! -e /dev/kvm ]; then
	for m in irqbypass kvm kvm-intel; do insmod "$KMODS/$m.ko" || exit 1; done
fi
if [ "$DEV" = /dev/vmxmon ] && [ ! -e /dev/vmxmon ]; then
	insmod "${VMXMON_KO:-/vmxmon/vmxmon.ko}" || exit 1
fi

# boot NAME ARGS...: vmxrun with the test guest (kernel $GUEST_DIR/$KERNEL); console in
# $TMP/NAME.log (and on our output, prefixed), vmxrun's exit status in $st, L1 seconds in
# $secs.
KERNEL=vmlinuz-flat
boot() {
	name=$1
	shift
	t0=$(uptime_s)
	echo "# $label $name: $KERNEL"
	{ "$VMXRUN" --dev "$DEV" --kernel "$GUEST_DIR/$KERNEL" \
		--initrd "$GUEST_DIR/initramfs.cpio.gz" -m 128M "$@" </dev/null 2>"$TMP/$name.err"
	  echo $? >"$TMP/$name.st"; } | tee "$TMP/$name.log" | sed "s/^/[l2 $name] /"
	st=$(cat "$TMP/$name.st")
	secs=$(echo "$t0 $(uptime_s)" | awk '{printf "%.1f", $2 - $1}')
	up=$(sed -n 's/.*VMXRUN-GUEST-SHELL uptime=\([0-9.]*\).*/\1/p' "$TMP/$name.log" | tr '\n' ' ' | sed 's/ $//; s/ / s, /g')
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
# Issue 16: an ordinary user in group kvm, with the default 8 MiB RLIMIT_MEMLOCK, runs a
# 256 MiB guest (nothing is pinned or charged to memlock; the old module refused it: its
# issue's own example). Not 1 GiB: vmxrun refuses more RAM than the host has, and the L1
# has 457 MiB. The device node gets group kvm and
# mode 0660 as the udev rules give it (scripts/60-vmxmon.rules, Debian's for /dev/kvm).
dev_mode=$(stat -c '%a %g' "$DEV")
chgrp kvm "$DEV" && chmod 0660 "$DEV"
{ su -s /bin/sh vmxuser -c "ulimit -l 8192 && exec '$VMXRUN' --dev '$DEV' --kernel '$GUEST_DIR/mbtest' -m 256M --append hello" \
	</dev/null 2>"$TMP/mb_user.err"; echo $? >"$TMP/mb_user.st"; } >"$TMP/mb_user.log"
st=$(cat "$TMP/mb_user.st")
chmod "${dev_mode% *}" "$DEV" && chgrp "${dev_mode#* }" "$DEV"
if [ "$st" = 85 ] && grep -q '^mbtest: ok' "$TMP/mb_user.log"; then
	pass "a_256m_guest_runs_for_a_user_in_group_kvm_with_the_default_memlock_limit"
else
	fail "a_256m_guest_runs_for_a_user_in_group_kvm_with_the_default_memlock_limit" "status $st (want 85)" \
		"$(cat "$TMP/mb_user.log" "$TMP/mb_user.err")"
fi
mb mb_reset --append "reset" --reboot=restart
if [ "$st" = 87 ] && grep -q '^mbtest: restarted' "$TMP/mb_reset.log"; then
	pass "reset_restarts_the_guest"
else
	fail "reset_restarts_the_guest" "status $st (want 87)" "$(cat "$TMP/mb_reset.log" "$TMP/mb_reset.err")"
fi

# Guest RAM backends (--mem-backend): a memfd, and hugetlbfs pages (vm.nr_hugepages raised
# for it, then put back), run and restart (RAM zeroed: hole punched, or rewritten); without
# reserved huge pages vmxrun refuses at once and says how to reserve them.
mb mb_memfd --append "reset" --reboot=restart --mem-backend memfd
if [ "$st" = 87 ] && grep -q '^mbtest: restarted' "$TMP/mb_memfd.log"; then
	pass "mem_backend_memfd_runs_and_restarts"
else
	fail "mem_backend_memfd_runs_and_restarts" "status $st (want 87)" "$(cat "$TMP/mb_memfd.log" "$TMP/mb_memfd.err")"
fi
huge_was=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo none)
if [ "$huge_was" != none ] && echo 0 >/proc/sys/vm/nr_hugepages 2>/dev/null; then
	mb mb_nohuge --mem-backend hugetlbfs
	if [ "$st" = 1 ] && grep -q 'needs 16 huge pages of 2 MiB, the host has 0 free.*nr_hugepages' "$TMP/mb_nohuge.err"; then
		pass "mem_backend_hugetlbfs_without_reserved_pages_says_how_to_reserve"
	else
		fail "mem_backend_hugetlbfs_without_reserved_pages_says_how_to_reserve" "status $st (want 1)" "$(cat "$TMP/mb_nohuge.err")"
	fi
	echo 16 >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 16 ]; then
		mb mb_huge --append "reset" --reboot=restart --mem-backend hugetlbfs:2M
		if [ "$st" = 87 ] && grep -q '^mbtest: restarted' "$TMP/mb_huge.log"; then
			pass "mem_backend_hugetlbfs_runs_and_restarts"
		else
			fail "mem_backend_hugetlbfs_runs_and_restarts" "status $st (want 87)" "$(cat "$TMP/mb_huge.log" "$TMP/mb_huge.err")"
		fi
	else
		n=$((n + 1)); echo "ok $n - $label: mem_backend_hugetlbfs_runs_and_restarts # SKIP the L1 cannot reserve 16 huge pages"
	fi
	echo "$huge_was" >/proc/sys/vm/nr_hugepages
fi

# 3-9: Linux with 2 vCPUs boots to the shell, runs a command, powers off.
KERNEL=vmlinuz			# the stock bzImage: once per device
boot smp -c 2 --append "$APPEND -- $SMP_CMD"
KERNEL=vmlinuz-flat
log=$TMP/smp.log
if grep -q 'VMXRUN-GUEST-SHELL' "$log"; then pass "linux_smp_boots_to_its_shell"
else fail "linux_smp_boots_to_its_shell" "no VMXRUN-GUEST-SHELL marker; last lines:" "$(tail -n 20 "$log")"; fi
if grep -q 'VMXRUN-GUEST-EXIT=0' "$log"; then pass "shell_runs_a_command"
else fail "shell_runs_a_command" "no VMXRUN-GUEST-EXIT=0:" "$(grep -i -e 'VMXRUN-GUEST-EXIT' -e segfault -e 'Segmentation' "$log")"; fi
if grep -q 'VMXRUN-NPROC=2' "$log"; then pass "guest_sees_2_cpus"
else fail "guest_sees_2_cpus" "$(grep VMXRUN-NPROC "$log")"; fi
# Linux picks lapic-deadline over lapic when CPUID.1:ECX.TSC_DEADLINE is set and works.
if grep -q 'VMXRUN-DEADLINE=2' "$log"; then pass "both_cpus_tick_on_the_tsc_deadline_timer"
else fail "both_cpus_tick_on_the_tsc_deadline_timer" "$(grep -i -e VMXRUN-DEADLINE -e deadline "$log")"; fi
# LOC: <cpu0> <cpu1> Local timer interrupts; both CPUs took some, and they went on.
loc=$(grep -E '^ *LOC:' "$log" | tr -d '\r' | awk '{ n++; a[n] = $2; b[n] = $3 }
	END { if (n >= 2 && a[n] > 0 && b[n] > 0 && a[n] + b[n] > a[1] + b[1]) print "ok" }')
if [ "$loc" = ok ]; then pass "lapic_timer_ticks_on_both_cpus"
else fail "lapic_timer_ticks_on_both_cpus" "$(grep -E '^ *LOC:' "$log")"; fi
if grep -qi 'Switched APIC routing to physical x2apic' "$log"; then pass "guest_runs_physical_x2apic"
else fail "guest_runs_physical_x2apic" "$(grep -i x2apic "$log" | head -n 20)"; fi
if [ "$st" = 0 ] && grep -q 'VMXRUN-GUEST-POWEROFF' "$log"; then pass "smp_guest_poweroff_exits_0"
else fail "smp_guest_poweroff_exits_0" "vmxrun exit status $st"; fi
# dmesg_check NAME LOG PATTERN: warnings beyond PATTERN that mention ACPI, timers or IRQs.
dmesg_check() {
	grep 'VMXRUN-GUEST-DMESG:' "$2" | sed 's/.*VMXRUN-GUEST-DMESG: //' >"$TMP/dmesg"
	grep -vE "$3" "$TMP/dmesg" >"$TMP/unexpected"
	sed 's/^/# guest warning: /' "$TMP/dmesg"
	if grep -iqE 'acpi|timer|irq|clock|tsc|pit|8259|serial|rtc|apic|smp|cpu' "$TMP/unexpected"; then
		fail "$1" "$(cat "$TMP/unexpected")"
	else
		pass "$1"
	fi
}
dmesg_check guest_log_has_no_acpi_timer_irq_errors "$log" "$EXPECTED"
# The guest finds its machine-check architecture (CPUID MCE/MCA, the banks vmxrun sets up
# with KVM_X86_SETUP_MCE as QEMU does); without it Linux logs "Unable to init MCE device".
if grep -q 'Unable to init MCE device' "$TMP/dmesg"; then
	fail "guest_initializes_its_machine_check_device" "$(grep -i mce "$TMP/dmesg")"
else
	pass "guest_initializes_its_machine_check_device"
fi

# 10-11 (vmxmon only: the PIC-only path of KVM is not ours to test, and a boot costs
# minutes in Bochs): PIC-only, as before the local APIC.
if [ "$DEV" = /dev/vmxmon ]; then
	boot noapic --no-apic --append "$APPEND -- uname -sr"
	log=$TMP/noapic.log
	if [ "$st" = 0 ] && grep -q '^Linux 6\.' "$log" && grep -q 'VMXRUN-GUEST-POWEROFF' "$log"; then
		pass "pic_only_linux_boots_runs_a_command_and_powers_off"
	else
		fail "pic_only_linux_boots_runs_a_command_and_powers_off" "vmxrun exit status $st; last lines:" "$(tail -n 20 "$log")"
	fi
	dmesg_check pic_only_guest_log_has_no_acpi_timer_irq_errors "$log" "$EXPECTED_NOAPIC"
fi

# ctl_after LOG PATTERN COUNT CMD: in the background, once LOG has COUNT lines matching
# PATTERN (or after 30 min), wait 2 s and send CMD on the control socket ($TMP/ctl.out).
sock=$TMP/ctl.sock
ctl_after() {
	( i=0
	  while [ $i -lt 1800 ]; do
		c=$(grep -c "$2" "$1" 2>/dev/null)
		[ "${c:-0}" -ge "$3" ] && break
		sleep 1; i=$((i + 1))
	  done
	  sleep 2
	  "$VMXCTL" "$sock" "$4" >"$TMP/ctl.out" 2>&1 ) &
}

# A guest reboot with 2 vCPUs (Linux stops the other CPU, then resets the machine) and
# --reboot=restart: the second boot sees 2 CPUs again; quit on the control socket ends
# vmxrun with status 0 wherever the guest is (it reboots in a loop). vmxmon only: on
# kvm_intel in this L1 such a reboot stalls an L1 CPU for ~22 s (a soft lockup in
# jump_label_update_timeout: a deferred static-key update, KVM counts disabled guest APICs
# with such keys, waits in smp_call_function_many_cond for the CPU running the other
# vCPU), failing the boot's kernel-log check on KVM's account.
if [ "$DEV" = /dev/vmxmon ]; then
	ctl_after "$TMP/reboot.log" VMXRUN-NPROC=2 2 quit
	boot reboot -c 2 --reboot=restart --control "$sock" --append "$APPEND -- echo VMXRUN-NPROC=\$(nproc); reboot -f"
	wait
	sed 's/^/# control: /' "$TMP/ctl.out"
	boots=$(grep -c 'VMXRUN-NPROC=2' "$TMP/reboot.log")
	if [ "$st" = 0 ] && [ "$boots" -ge 2 ] && grep -q '"return"' "$TMP/ctl.out"; then
		pass "smp_guest_reboots_and_quits_on_the_control_socket"
	else
		fail "smp_guest_reboots_and_quits_on_the_control_socket" \
			"vmxrun exit status $st, $boots boots with 2 CPUs; last lines:" "$(tail -n 20 "$TMP/reboot.log")"
	fi
fi

# last: the power button, pressed through the control socket, ends the 2-vCPU guest via
# acpid (the SCI through the IOAPIC).
ctl_after "$TMP/acpid.log" VMXRUN-GUEST-ACPID-READY 1 system_powerdown
boot acpid -c 2 --control "$sock" --append "$APPEND -- acpid"
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
