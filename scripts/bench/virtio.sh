#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtio.sh DEV NAME [VMXRUN OPTIONS...]: in the bench's Bochs L1 (scripts/bench/run), boot
# the Debian guest under vmxrun on DEV with a 32 MiB scratch disk and a tap NIC, run
# /bin/virtio-test bench in it and print its figures as one line (NAME vhost: the NIC with
# vhost=on; io_uring: the disk with aio=io_uring):
#   vbench dev=DEV mode=NAME seqread=MiB/s seqwrite=MiB/s randread_iops=N ping_ms=MS tcp_mibs=MiB/s
# The guest's clock runs on L1's time (kvmclock-less TSC): rates are relative, for comparing
# the devices and modes in one run, not hardware numbers.
DEV=$1
NAME=$2
shift 2
G=/vmxmon/guest
TMP=${TMPDIR:-/tmp}/vbench.$$
TAP=vbtap0
mkdir -p "$TMP"
[ -e /dev/net/tun ] || insmod "$VMXMON_KMODS/tun.ko"
net="tap,ifname=$TAP"
disk=$TMP/disk.img
[ "$NAME" = io_uring ] && disk="$disk,aio=io_uring"
if [ "$NAME" = vhost ]; then
	for m in tap vhost_iotlb vhost vhost_net; do
		grep -q "^$m " /proc/modules || insmod "$VMXMON_KMODS/$m.ko"
	done
	net="$net,vhost=on"
fi
dd if=/dev/zero of="$TMP/disk.img" bs=1M count=32 2>/dev/null
vmxrun --dev "$DEV" --kernel $G/vmlinuz-flat --initrd $G/initramfs.cpio.gz -m 128M \
	--disk "$disk" --net "$net" "$@" \
	--append "console=ttyS0 quiet loglevel=3 panic=-1 mitigations=off -- virtio-test bench" \
	</dev/null >"$TMP/log" 2>"$TMP/err" &
pid=$!
i=0
while [ $i -lt 300 ] && ! grep -q "$TAP" /proc/net/dev; do sleep 1; i=$((i + 1)); done
ip addr add 169.254.0.1/16 dev "$TAP" && ip link set "$TAP" up
# The TCP stream row: the guest fetches 16 MiB from this server (L1 -> L2 over the tap).
mkdir -p "$TMP/www"
dd if=/dev/zero of="$TMP/www/blob" bs=1M count=16 2>/dev/null
echo ok >"$TMP/www/ok"
busybox httpd -f -p 169.254.0.1:8080 -h "$TMP/www" &
httpd=$!
wait $pid
kill $httpd 2>/dev/null
line=$(sed -n 's/.*VMXRUN-BENCH: //p' "$TMP/log")
if [ -n "$line" ]; then
	echo "vbench dev=${DEV#/dev/} mode=$NAME $line"
else
	echo "vbench dev=${DEV#/dev/} mode=$NAME failed"
	tail -n 20 "$TMP/log" "$TMP/err" | sed 's/^/# /'
fi
sed -n "s/.*VMXRUN-BENCH-STAT: /vbstat dev=${DEV#/dev/} mode=$NAME /p" "$TMP/log"
rm -rf "$TMP"
