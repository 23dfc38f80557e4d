#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtvmxd's default sockets with Debian's unmodified virsh and no socket= in the URI (TAP):
# the client derives the path from the URI itself, as a newcomer's `virsh -c vmx:///system`
# does. vmx:///system: /run/libvirt/virtvmxd-sock (0600, root) and virtvmxd-sock-ro (0666,
# what `virsh -r` picks), checked in a private mount namespace with a tmpfs on /run so the
# host's /run/libvirt is never touched; vmx:///session: $XDG_RUNTIME_DIR/libvirt/virtvmxd-sock
# of an unprivileged user (as root the client maps vmx:///session to the system socket).
# Needs root, unshare and setpriv (util-linux); skipped without them. VMs are not started:
# the vmxrun test double is only named.
here=$(cd "$(dirname "$0")" && pwd)
VIRTVMXD=${VIRTVMXD:-$here/../../../build/bin/virtvmxd}
. "$here/../../../selftests/lib/tap.sh"
FAKE=$here/fake_vmxrun.py
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

# The system daemon in its own mount namespace: /run is a fresh tmpfs there, the daemon's
# run/libvirt (under --root) is bind-mounted on /run/libvirt. One line per check to $tmp/sys.
system_checks() {
	mount -t tmpfs none /run || return 1
	mkdir -p "$tmp/root/run/libvirt" /run/libvirt &&
		mount --bind "$tmp/root/run/libvirt" /run/libvirt || return 1
	"$VIRTVMXD" --root "$tmp/root" --vmxrun "$FAKE" --dev /dev/null >"$tmp/daemon.log" 2>&1 &
	dpid=$!
	i=0; while [ ! -S /run/libvirt/virtvmxd-sock-ro ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	stat -c '%n %a %U' /run/libvirt/virtvmxd-sock /run/libvirt/virtvmxd-sock-ro >"$tmp/modes"
	timeout 30 virsh -c vmx:///system version >"$tmp/rw.out" 2>&1
	echo "rw $?" >>"$tmp/sys"
	timeout 30 $NOBODY virsh -c vmx:///system list --all >"$tmp/denied.out" 2>&1
	echo "denied $?" >>"$tmp/sys"
	timeout 30 $NOBODY virsh -r -c vmx:///system list --all >"$tmp/ro.out" 2>&1
	echo "ro $?" >>"$tmp/sys"
	kill "$dpid"
	wait "$dpid" 2>/dev/null
}

if [ "${1:-}" = --system-checks ]; then	# in the mount namespace (below)
	tmp=$SOCKETS_TEST_TMP
	system_checks
	exit 0
fi
echo "TAP version 13"
echo "1..4"
if ! command -v virsh >/dev/null; then
	for t in system_uri_reaches_the_read_write_socket_as_root \
		 an_unprivileged_user_is_refused_the_read_write_socket \
		 virsh_r_reaches_the_read_only_socket_as_any_user session_uri_reaches_the_user_s_socket; do
		result_skip $t "virsh missing (scripts/deps build installs libvirt-clients)"
	done
	exit 0
fi
tmp=$(mktemp -d /tmp/vvk-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 711 "$tmp"	# the unprivileged user reaches its own directories below it
VIRTVMXD=$(readlink -f "$VIRTVMXD")

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! unshare -m true 2>/dev/null; then
	for t in system_uri_reaches_the_read_write_socket_as_root \
		 an_unprivileged_user_is_refused_the_read_write_socket \
		 virsh_r_reaches_the_read_only_socket_as_any_user; do
		result_skip $t "needs root, setpriv and a mount namespace (unshare -m)"
	done
else
	: >"$tmp/sys"
	SOCKETS_TEST_TMP=$tmp VIRTVMXD=$VIRTVMXD unshare -m sh "$here/sockets_test.sh" --system-checks
	cat "$tmp/modes" "$tmp/daemon.log" >>"$tmp/rw.out" 2>/dev/null
	grep -qx 'rw 0' "$tmp/sys" && grep -q 'Running hypervisor: VMX' "$tmp/rw.out" &&
		grep -q '^/run/libvirt/virtvmxd-sock 600 root$' "$tmp/modes" &&
		grep -q '^/run/libvirt/virtvmxd-sock-ro 666 root$' "$tmp/modes"
	result system_uri_reaches_the_read_write_socket_as_root $? "$tmp/rw.out"
	! grep -qx 'denied 0' "$tmp/sys" && grep -q "virtvmxd-sock': Permission denied" "$tmp/denied.out"
	result an_unprivileged_user_is_refused_the_read_write_socket $? "$tmp/denied.out"
	grep -qx 'ro 0' "$tmp/sys" && grep -q '^ Id *Name *State' "$tmp/ro.out"
	result virsh_r_reaches_the_read_only_socket_as_any_user $? "$tmp/ro.out"
fi

if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null; then
	result_skip session_uri_reaches_the_user_s_socket "setpriv missing"
	exit 0
fi
# The per-user daemon, run by the same user as the client (nobody, when the test is root).
run=; [ "$(id -u)" = 0 ] && run=$NOBODY
mkdir -p "$tmp/xdg" "$tmp/home" && chmod 700 "$tmp/xdg"
[ -n "$run" ] && chown 65534:65534 "$tmp/xdg" "$tmp/home"
cat >"$tmp/s.xml" <<EOX
<domain type='kvm'><name>s1</name><memory unit='MiB'>32</memory>
  <os><type arch='x86_64'>hvm</type><kernel>/dev/null</kernel></os></domain>
EOX
XDG_RUNTIME_DIR=$tmp/xdg HOME=$tmp/home $run "$VIRTVMXD" --session --vmxrun "$FAKE" --dev /dev/null \
	>"$tmp/session.log" 2>&1 &
spid=$!
i=0; while [ ! -S "$tmp/xdg/libvirt/virtvmxd-sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
XDG_RUNTIME_DIR=$tmp/xdg HOME=$tmp/home timeout 30 $run virsh -c vmx:///session define "$tmp/s.xml" \
	>"$tmp/s.out" 2>&1 &&
	XDG_RUNTIME_DIR=$tmp/xdg HOME=$tmp/home timeout 30 $run virsh -c vmx:///session list --all \
	>>"$tmp/s.out" 2>&1 && grep -q ' s1 .*shut off' "$tmp/s.out" &&
	[ -f "$tmp/home/.config/vmxmon/domains/s1.xml" ]
st=$?
kill "$spid"
wait "$spid" 2>/dev/null
cat "$tmp/session.log" >>"$tmp/s.out"
result session_uri_reaches_the_user_s_socket $st "$tmp/s.out"
[ "$failed" = 0 ]
