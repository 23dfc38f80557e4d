#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# l1_virtio.sh [DEV]: inside the Bochs L1 guest, the virtio devices of vmxrun on DEV (default
# /dev/kvm; kvm_intel or vmxmon.ko loaded if needed), as TAP. Two boots of the Debian kernel
# (vmlinuz-flat) with the busybox test initramfs, whose /bin/virtio-test does the guest's half:
#   1. disks (/dev/vda: ext4 made by mkfs.ext4 -d; /dev/vdb: raw, read-only), two tap NICs
#      (the second with vhost=on), the entropy device, a virtio console (--console
#      virtio) and the balloon, with MSI-X: the guest writes a file with known content on
#      ext4, syncs and unmounts; then L1 reads the very bytes back from the image; a write
#      to the read-only disk fails; a second vmxrun cannot open the disk read-write (OFD
#      lock); L1 and L2 ping each other over the first tap (169.254.0.0/16; vmxrun moves the
#      frames) and over the second (169.254.1.0/24; vhost-net moves them, kicked by
#      ioeventfd, interrupting by irqfd: the end-to-end test of the device's); /dev/hwrng
#      gives bytes; a shell on hvc0 runs what L1 types into vmxrun's stdin;
#      the balloon (--balloon, driven through the control socket with vmxctl): the guest
#      touches 48 MiB and frees them, L1 asks for 64 MiB: the guest's MemTotal and
#      query-balloon's actual reach the target and vmxrun's RSS drops; L1 deflates, the
#      guest writes and checks 48 MiB again; freed once more, free page reporting gives
#      them back to L1 with no balloon change; the guest's statistics arrive;
#   2. pci=nomsi (INTx through the IOAPIC): the file reads back the same after the reboot;
#      the guest writes a second file, fsyncs it and says so; L1 kills vmxrun with SIGKILL
#      at once and finds the second file's bytes in the image.
# On a device with KVM_CAP_IOEVENTFD/IRQFD (kvm_intel, and vmxmon since issue 15) kicks and
# interrupts go through them, else through plain exits; vmxrun says which on stderr.
# Environment: GUEST_DIR (vmlinuz-flat, initramfs.cpio.gz, disk-a.img, disk-b.img; default:
# this script's directory), VMXMON_KMODS (kvm, tun, tap and vhost modules), VMXRUN
# (default: on PATH).
DEV=${1:-/dev/kvm}
HERE=$(cd "$(dirname "$0")" && pwd)
GUEST_DIR=${GUEST_DIR:-$HERE}
VMXRUN=${VMXRUN:-vmxrun}
VMXCTL=${VMXCTL:-vmxctl}
KMODS=${VMXMON_KMODS:-/vmxmon/kmods}
TMP=${TMPDIR:-/tmp}/l1_virtio.$$
APPEND="console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off cryptomgr.notests"
TAP=vmxtap0
TAP1=vmxtap1	# the vhost-net NIC's
mkdir -p "$TMP"
label=$(basename "$DEV")-virtio

. "$(dirname "$0")/l1_tap.sh"
check() {	# check NAME PATTERN FILE: pass if FILE has a line matching PATTERN
	if grep -q -- "$2" "$3"; then pass "$1"; else fail "$1" "no '$2' in the guest's output:" "$(grep VMXRUN- "$3" | tail -n 30)"; fi
}
# stream LOG NAME: LOG's lines on our output as they come, prefixed; unstream ends it.
stream() {
	( tail -f "$1" & echo $! >"$TMP/tail.pid"; wait ) |
		while IFS= read -r l; do echo "[l2 $2] $l"; done &
}
unstream() { kill "$(cat "$TMP/tail.pid")" 2>/dev/null; }
uptime_s() { read -r u _ </proc/uptime; echo "$u"; }
# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN (1) or time is up (0).
wait_for() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 1; i=$((i + 1))
	done
	return 1
}
gen() { seq -w 0 1023 | sed "s/.*/VMXMON-DATA-$1-&-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/"; }
# from_image TAG IMAGE: the sha256 of TAG's lines as they are in IMAGE. The image is mostly
# zeros: without them grep has kilobytes to search instead of one multi-megabyte "line"
# (in Bochs ~1 min of wall time less per call). A line has no NUL, so none is lost, and a
# zeroed or stale byte inside one still changes the sum.
from_image() { tr -d '\000' <"$2" | grep -a -o "VMXMON-DATA-$1-[0-9]*-x*" | sha256sum | cut -d' ' -f1; }

if [ "$DEV" = /dev/kvm ] && [ ! -e /dev/kvm ]; then
	for m in irqbypass kvm kvm-intel; do insmod "$KMODS/$m.ko" || exit 1; done
fi
if [ "$DEV" = /dev/vmxmon ] && [ ! -e /dev/vmxmon ]; then
	insmod "${VMXMON_KO:-/vmxmon/vmxmon.ko}" || exit 1
fi
[ -e /dev/net/tun ] || insmod "$KMODS/tun.ko" || echo "# no tun module: the NIC test will fail"
mkdir -p /dev/net
[ -e /dev/net/tun ] || mknod /dev/net/tun c 10 200
cp "$GUEST_DIR/disk-a.img" "$TMP/a.img"
cp "$GUEST_DIR/disk-b.img" "$TMP/b.img"
want_a=$(gen A | sha256sum | cut -d' ' -f1)
want_b=$(gen B | sha256sum | cut -d' ' -f1)
b_before=$(sha256sum "$TMP/b.img" | cut -d' ' -f1)

# The balloon's host half (boot 1; the guest's is balloon() in virtio-test): vmxrun's RSS in
# KiB at each step, query-balloon's replies; balloon_checks judges them after the boot.
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status"; }
qb() { "$VMXCTL" "$TMP/ctl.sock" query-balloon 2>&1 | grep '"return"'; }
# wait_actual BYTES: until query-balloon says actual is BYTES, at most 300 s.
wait_actual() {
	i=0
	until qb | grep -q "\"actual\":$1[,}]"; do
		[ $i -ge 300 ] && return 1
		sleep 1; i=$((i + 1))
	done
}
balloon_host() {
	b_peak= b_infl= b_data= b_rep= b_infl_ok=1 b_defl_ok=1 b_q=
	wait_for "$log" VMXRUN-BALLOON-TOUCHED 900 || return
	b_peak=$(rss)
	sleep 2				# the guest reads hvc0 now
	printf 'go\n' >&3
	wait_for "$log" VMXRUN-BALLOON-FREED 300
	"$VMXCTL" "$TMP/ctl.sock" balloon 128M >/dev/null
	wait_actual $((128 << 20)) && b_infl_ok=0
	b_infl=$(rss)
	b_q=$(qb)
	wait_for "$log" VMXRUN-BALLOON-INFLATED 300
	"$VMXCTL" "$TMP/ctl.sock" balloon 192M >/dev/null
	wait_actual $((192 << 20)) && b_defl_ok=0
	wait_for "$log" VMXRUN-BALLOON-DATA 600 || return
	b_data=$(rss)
	printf 'go\n' >&3
	wait_for "$log" VMXRUN-BALLOON-FREED2 300
	i=0				# free page reporting: 2 s after the frees, in 2 MiB blocks
	while [ $i -lt 60 ]; do
		b_rep=$(rss)
		[ $((b_data - b_rep)) -ge $((24 << 10)) ] && break
		sleep 1; i=$((i + 1))
	done
	b_q2=$(qb)
	echo "# $label balloon: vmxrun RSS (KiB) guest holding 48 MiB $b_peak, inflated by 64 MiB $b_infl, after deflate holding 48 MiB $b_data, after freeing them $b_rep"
	echo "# $label balloon: $b_q2"
}
balloon_checks() {
	check balloon_driver_binds "VMXRUN-BALLOON-DRIVER" "$log"
	if [ "$b_infl_ok" = 0 ] && grep -q "VMXRUN-BALLOON-INFLATED" "$log" &&
	   [ "$(sed -n 's/.*VMXRUN-BALLOON-INFLATED memtotal=\([0-9]*\).*/\1/p' "$log")" -le \
	     $(( $(sed -n 's/.*VMXRUN-BALLOON-TOUCHED memtotal=\([0-9]*\).*/\1/p' "$log") - 63 * 1024 )) ]; then
		pass "balloon_inflate_reaches_the_target"
	else
		fail "balloon_inflate_reaches_the_target" "$b_q" "$(grep VMXRUN-BALLOON "$log")"
	fi
	if [ -n "$b_infl" ] && [ $((b_peak - b_infl)) -ge $((40 << 10)) ]; then
		pass "balloon_inflate_gives_guest_ram_back_to_the_host"
	else
		fail "balloon_inflate_gives_guest_ram_back_to_the_host" "RSS $b_peak KiB -> $b_infl KiB, want 40 MiB less"
	fi
	if [ "$b_defl_ok" = 0 ] && grep -q "VMXRUN-BALLOON-DATA=exact" "$log"; then
		pass "balloon_deflate_gives_ram_back_to_the_guest_with_data_exact"
	else
		fail "balloon_deflate_gives_ram_back_to_the_guest_with_data_exact" "$(grep VMXRUN-BALLOON "$log")"
	fi
	# Only whole free 2 MiB blocks are reported: 33.5 of the 48 MiB on both devices (bal-4).
	if [ -n "$b_rep" ] && [ $((b_data - b_rep)) -ge $((24 << 10)) ]; then
		pass "free_page_reporting_gives_freed_ram_back_to_the_host"
	else
		fail "free_page_reporting_gives_freed_ram_back_to_the_host" "RSS $b_data KiB -> $b_rep KiB, want 24 MiB less"
	fi
	if echo "$b_q2" | grep -q '"stat-free-memory":[1-9]' && echo "$b_q2" | grep -q '"stat-total-memory":[1-9]'; then
		pass "balloon_statistics_arrive"
	else
		fail "balloon_statistics_arrive" "$b_q2"
	fi
}

BOOTS=${L1_VIRTIO_BOOTS:-devices reread}	# a subset, to debug one
on() { case " $BOOTS " in *" $1 "*) return 0 ;; esac; return 1; }
# tap_up IF ADDR/LEN: L1's end of a link, once vmxrun has made the tap.
tap_up() {
	if wait_for /proc/net/dev "$1" 120; then
		ip addr add "$2" dev "$1" && ip link set "$1" up
	fi
}

# --- boot 1: every device, MSI-X --------------------------------------------------------------
if on devices; then
	for m in tap vhost_iotlb vhost vhost_net; do
		grep -q "^$m " /proc/modules || insmod "$KMODS/$m.ko" || echo "# insmod $m failed"
	done
	[ -e /dev/vhost-net ] || mknod /dev/vhost-net c 10 238
	log=$TMP/devices.log
	mkfifo "$TMP/in"
	t0=$(uptime_s)
	"$VMXRUN" --dev "$DEV" --kernel "$GUEST_DIR/vmlinuz-flat" --initrd "$GUEST_DIR/initramfs.cpio.gz" \
		-m 192M --disk "$TMP/a.img,serial=vmxdisk-a" --disk "$TMP/b.img,ro" \
		--net "tap,ifname=$TAP" --net "tap,ifname=$TAP1,vhost=on" --rng --console virtio \
		--control "$TMP/ctl.sock" --balloon=stats=2,free-page-reporting=on \
		--append "$APPEND -- virtio-test devices" <"$TMP/in" >"$log" 2>"$TMP/devices.err" &
	pid=$!
	exec 3>"$TMP/in"
	stream "$log" devices
	# The second NIC's own /24: each address of the guest's has one route, here and there.
	tap_up "$TAP" 169.254.0.1/16
	tap_up "$TAP1" 169.254.1.1/24
	# A second vmxrun must not get the disk read-write while the first has it.
	if wait_for "$log" VMXRUN-MOUNTED 1800; then
		"$VMXRUN" --dev "$DEV" --kernel "$GUEST_DIR/vmlinuz-flat" -m 128M --disk "$TMP/a.img" \
			</dev/null >"$TMP/second.out" 2>&1
		st2=$?
		if [ "$st2" = 1 ] && grep -q 'in use by another process' "$TMP/second.out"; then
			pass "second_vmxrun_cannot_open_the_disk_read_write"
		else
			fail "second_vmxrun_cannot_open_the_disk_read_write" "status $st2" "$(cat "$TMP/second.out")"
		fi
	fi
	balloon_host
	ping_ok=1 ping1_ok=1
	if wait_for "$log" VMXRUN-NET-UP 600; then	# both NICs, at once
		ping -c 3 -w 60 169.254.1.2 >"$TMP/ping1" 2>&1 &
		p1=$!
		ping -c 3 -w 60 169.254.0.2 >"$TMP/ping" 2>&1
		ping_ok=$?
		wait $p1
		ping1_ok=$?
	fi
	if wait_for "$log" VMXRUN-HVC-READY 600; then
		sleep 2
		printf 'echo VMXRUN-HVC-$((6 * 7))\nexit\n' >&3
	fi
	wait_for "$log" VMXRUN-GUEST-POWEROFF 600 || kill -9 $pid
	exec 3>&-
	wait $pid
	st=$?
	unstream
	secs=$(echo "$t0 $(uptime_s)" | awk '{printf "%.1f", $2 - $1}')
	echo "# $label devices: vmxrun exit status $st after $secs s of L1 time"
	sed 's/^/# vmxrun stderr: /' "$TMP/devices.err"
	grep -E 'VMXRUN-(PCI|IRQ|INSMOD|BENCH)' "$log" | sed 's/^/# /'
	check virtio_devices_bind_to_their_drivers "VMXRUN-MOUNTED" "$log"
	if grep -q "VMXRUN-IRQ: .*PCI-MSI" "$log"; then pass "virtio_interrupts_are_msix"
	else fail "virtio_interrupts_are_msix" "$(grep VMXRUN-IRQ "$log")"; fi
	check guest_writes_ext4_and_reads_it_back "VMXRUN-READ-A=$want_a" "$log"
	check guest_unmounts_cleanly "VMXRUN-UNMOUNTED" "$log"
	got=$(from_image A "$TMP/a.img")
	if [ "$got" = "$want_a" ]; then pass "host_reads_the_guests_bytes_from_the_image"
	else fail "host_reads_the_guests_bytes_from_the_image" "sha256 $got, want $want_a"; fi
	check read_only_disk_is_read_only_to_the_guest "VMXRUN-VDB-RO=1" "$log"
	if grep -q 'VMXRUN-RO-WRITE=refused' "$log" && [ "$(sha256sum "$TMP/b.img" | cut -d' ' -f1)" = "$b_before" ]; then
		pass "read_only_disk_fails_writes_with_an_io_error"
	else
		fail "read_only_disk_fails_writes_with_an_io_error" "$(grep VMXRUN-RO-WRITE "$log")"
	fi
	check hwrng_gives_bytes "VMXRUN-RNG=virtio_rng.0 4096" "$log"
	check guest_pings_l1_over_the_tap "VMXRUN-PING-L1=0" "$log"
	if [ "$ping_ok" = 0 ]; then pass "l1_pings_the_guest_over_the_tap"
	else fail "l1_pings_the_guest_over_the_tap" "$(cat "$TMP/ping" 2>/dev/null)"; fi
	if grep -q 'VMXRUN-PING-L1-ETH1=0' "$log" && [ "$ping1_ok" = 0 ] && grep -q "on $TAP1 (vhost-net)" "$TMP/devices.err"; then
		pass "l1_and_guest_ping_each_other_through_vhost_net"
	else
		fail "l1_and_guest_ping_each_other_through_vhost_net" "L1 ping $ping1_ok" "$(cat "$TMP/ping1" 2>/dev/null)" "$(grep VMXRUN-PING "$log")"
	fi
	check hvc0_carries_a_shell "VMXRUN-HVC-42" "$log"
	balloon_checks
	if [ "$st" = 0 ] && grep -q VMXRUN-GUEST-POWEROFF "$log"; then pass "virtio_guest_powers_off_with_status_0"
	else fail "virtio_guest_powers_off_with_status_0" "status $st" "$(tail -n 20 "$log")"; fi
	# Both devices have KVM_CAP_IOEVENTFD/IRQFD (vmxmon since issue 15): the fast paths.
	if grep -q 'ioeventfd on, irqfd on' "$TMP/devices.err"; then pass "kicks_and_interrupts_use_ioeventfd_and_irqfd"
	else fail "kicks_and_interrupts_use_ioeventfd_and_irqfd" "$(cat "$TMP/devices.err")"; fi
	"$VMXRUN" --dev "$DEV" --kernel "$GUEST_DIR/vmlinuz-flat" -m 128M --net tap,vhost=on \
		--no-ioeventfd </dev/null >"$TMP/vhost.out" 2>&1
	if grep -q 'vhost-net needs KVM_IOEVENTFD and KVM_IRQFD, which --no-ioeventfd turns off' "$TMP/vhost.out"; then
		pass "vhost_on_is_refused_with_no_ioeventfd"
	else
		fail "vhost_on_is_refused_with_no_ioeventfd" "$(cat "$TMP/vhost.out")"
	fi
fi

# --- boot 2: pci=nomsi, kill -9 after fsync; --no-ioeventfd: kicks and INTx by plain exits ----
if on reread; then
	log=$TMP/reread.log
	t0=$(uptime_s)
	"$VMXRUN" --dev "$DEV" --kernel "$GUEST_DIR/vmlinuz-flat" --initrd "$GUEST_DIR/initramfs.cpio.gz" \
		-m 128M --disk "$TMP/a.img" --no-ioeventfd --append "$APPEND pci=nomsi -- virtio-test reread" \
		</dev/null >"$log" 2>"$TMP/reread.err" &
	pid=$!
	stream "$log" reread
	if wait_for "$log" VMXRUN-FSYNCED 600; then
		kill -9 $pid
	fi
	kill -9 $pid 2>/dev/null	# no marker: do not wait forever
	wait $pid
	st=$?
	unstream
	secs=$(echo "$t0 $(uptime_s)" | awk '{printf "%.1f", $2 - $1}')
	echo "# $label reread: vmxrun exit status $st after $secs s of L1 time"
	sed 's/^/# vmxrun stderr: /' "$TMP/reread.err"
	grep -E 'VMXRUN-(PCI|IRQ|INSMOD)' "$log" | sed 's/^/# /'
	if grep -q "VMXRUN-IRQ: .*IO-APIC.*virtio" "$log" && ! grep -q "VMXRUN-IRQ: .*PCI-MSI" "$log"; then
		pass "pci_nomsi_guest_uses_intx_through_the_ioapic"
	else
		fail "pci_nomsi_guest_uses_intx_through_the_ioapic" "$(grep VMXRUN-IRQ "$log")"
	fi
	if grep -q 'ioeventfd off, irqfd off' "$TMP/reread.err"; then pass "no_ioeventfd_uses_plain_exits"
	else fail "no_ioeventfd_uses_plain_exits" "$(cat "$TMP/reread.err")"; fi
	check file_reads_back_after_reboot_over_intx "VMXRUN-REREAD-A=$want_a" "$log"
	got=$(from_image B "$TMP/a.img")
	if [ "$st" = 137 ] && [ "$got" = "$want_b" ]; then pass "kill_9_after_fsync_loses_nothing"
	else fail "kill_9_after_fsync_loses_nothing" "vmxrun status $st (want 137), sha256 $got, want $want_b" "$(tail -n 20 "$log")"; fi
fi

echo "1..$n"
rm -rf "$TMP"
[ "$failed" = 0 ]
