#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The testbed's "virsh" boot (scripts/testbed check): Debian's unmodified virsh and
# libvirt-python (scripts/virsh/payload) manage a Debian-kernel guest on /dev/vmxmon through
# virtvmxd: define, start, console (a command typed, its output read), list, dominfo,
# domstats, dommemstat, suspend/resume, a daemon restart with the VM running (nothing lost, still
# controllable), shutdown (ACPI power button: the guest runs busybox acpid), destroy,
# undefine, and the lifecycle events of shutdown, start, destroy and undefine as a
# libvirt-python client gets them.
# TAP on the console.
v=/vmxmon/virsh
# The clients look for /var/run/libvirt/virtvmxd-sock (a Debian system has /var/run -> /run).
[ -e /var/run ] || { mkdir -p /var && ln -s /run /var/run; }
mkdir -p /lib64
ln -sf $v/lib/ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2
export LD_LIBRARY_PATH=$v/lib PYTHONHOME=$v PYTHONDONTWRITEBYTECODE=1
export LIBVIRT_DEFAULT_URI=vmx:///system
PATH=$v/bin:$PATH
n=0 failed=0
t0=$(date +%s)
ok() {		# ok NAME STATUS [DIAG FILE]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - virsh: $1 ($(( $(date +%s) - t0 )) s)"
	else
		echo "not ok $n - virsh: $1"
		failed=$((failed + 1))
		[ -n "${3:-}" ] && sed 's/^/# /' "$3"
	fi
}
stage() { echo "VMXMON-TESTBED-STAGE: $*"; }
vs() { virsh "$@" >/tmp/out 2>&1; }
state_is() {	# state_is DOM STATE SECONDS: domstate becomes STATE (a virsh call is ~2 s in Bochs)
	end=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le $end ]; do
		virsh domstate "$1" >/tmp/out 2>&1 && grep -q "^$2" /tmp/out && return 0
		sleep 1
	done
	return 1
}
start_daemon() {
	virtvmxd >>/tmp/virtvmxd.log 2>&1 &
	dpid=$!
	i=0; while [ ! -S /run/libvirt/virtvmxd-sock-ro ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
}

echo "TAP version 13"
/vmxmon/selftests/modload /vmxmon/vmxmon.ko || { echo "Bail out! vmxmon.ko does not load"; exit 1; }
stage "virtvmxd and virsh"
start_daemon
# The guest: the Debian kernel (without its decompressor), the busybox test initramfs; its
# init sets up acpid (power button -> poweroff) and gives a shell on the console. acpid logs
# to /tmp: busybox acpid exits at once when it cannot open /var/log/acpid.log (no /var here).
cat >/tmp/l2.xml <<EOX
<domain type='kvm'>
  <name>deb</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>/vmxmon/guest/vmlinuz-flat</kernel>
    <initrd>/vmxmon/guest/initramfs.cpio.gz</initrd>
    <cmdline>console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off cryptomgr.notests -- insmod /lib/modules/evdev.ko; insmod /lib/modules/button.ko; mkdir -p /etc/acpi/PWRF; echo '#!/bin/sh' &gt; /etc/acpi/PWRF/00000080; echo poweroff -f &gt;&gt; /etc/acpi/PWRF/00000080; chmod +x /etc/acpi/PWRF/00000080; acpid -l /tmp/acpid.log; sh</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <serial type='pty'/>
    <console type='pty'><target type='serial'/></console>
  </devices>
</domain>
EOX
vs version && grep -q 'Running hypervisor: VMX' /tmp/out
ok version_over_the_default_socket $? /tmp/out
vs define /tmp/l2.xml && vs list --all && grep -q ' deb .*shut off' /tmp/out
ok define_and_list_all $? /tmp/out
stage "virsh start (L2 boot)"
vs start deb && vs list && grep -q ' 1 .*deb .*running' /tmp/out
ok start_and_list $? /tmp/out
stage "console: a command typed, its output read back"
python3 -S $v/l1_console.py vmx:///system deb 'echo hello-from-l2 $((6*7))' 'hello-from-l2 42' 400 >/tmp/out 2>&1
ok console_command_and_its_output $? /tmp/out
cat /tmp/out
vs dominfo deb && grep -q '^State: *running' /tmp/out && grep -q '^Max memory: *131072 KiB' /tmp/out &&
	grep -q '^CPU time: *[1-9]' /tmp/out
ok dominfo_shows_running_memory_and_cpu_time $? /tmp/out
vs domstats deb && grep -q 'state.state=1' /tmp/out && grep -q 'vmxrun.exits=[1-9]' /tmp/out &&
	grep -q 'cpu.time=[1-9]' /tmp/out
ok domstats_has_cpu_and_the_launcher_s_counters $? /tmp/out
vs dommemstat deb && grep -q '^actual 131072$' /tmp/out && grep -q '^rss [1-9]' /tmp/out
ok dommemstat_shows_the_guest_s_memory_and_vmxrun_s_rss $? /tmp/out
vs suspend deb && state_is deb paused 10 && vs resume deb && state_is deb running 10
ok suspend_and_resume $? /tmp/out
stage "daemon restart with the VM running"
kill $dpid; wait $dpid 2>/dev/null
start_daemon
vs list && grep -q ' 1 .*deb .*running' /tmp/out && vs suspend deb && state_is deb paused 10 &&
	vs resume deb && state_is deb running 10 &&
	python3 -S $v/l1_console.py vmx:///system deb 'echo after-restart-$((40+2))' 'after-restart-42' 120 >>/tmp/out 2>&1
ok daemon_restart_loses_nothing_and_the_vm_is_controllable $? /tmp/out
# From here on a libvirt-python client records the domain's lifecycle events (vmxrun's
# control-socket events and virtvmxd's own, as libvirt events).
python3 -S $v/l1_events.py vmx:///system deb /tmp/events >/tmp/events.log 2>&1 &
epid=$!
i=0; while ! grep -q registered /tmp/events 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
stage "virsh shutdown (ACPI power button)"
vs shutdown deb && state_is deb 'shut off' 90 && virsh domstate --reason deb >/tmp/out 2>&1 &&
	grep -q 'shut off (shutdown)' /tmp/out
ok shutdown_through_the_acpi_power_button $? /tmp/out
stage "virsh destroy, undefine"
vs start deb && vs destroy deb && virsh domstate --reason deb >/tmp/out 2>&1 && grep -q 'destroyed' /tmp/out
ok start_then_destroy $? /tmp/out
vs undefine deb && vs list --all && ! grep -q deb /tmp/out
ok undefine $? /tmp/out
# shutdown: SHUTDOWN (finished, by the guest), STOPPED (shutdown); start: STARTED (booted);
# destroy: STOPPED (destroyed); undefine: UNDEFINED (removed). Numbers: virDomainEventType.
i=0; while ! grep -q '^1 0$' /tmp/events 2>/dev/null && [ $i -lt 40 ]; do sleep 0.5; i=$((i + 1)); done
kill $epid 2>/dev/null
{ cat /tmp/events; cat /tmp/events.log; } >/tmp/out 2>&1
tr '\n' ',' </tmp/events | grep -q '6 [0-9],.*5 0,.*2 0,.*5 1,.*1 0,'
ok lifecycle_events_reach_a_libvirt_python_client $? /tmp/out
echo "1..$n"
echo "# virtvmxd log:"
sed 's/^/#   /' /tmp/virtvmxd.log
kill $dpid
rmmod vmxmon 2>/dev/null
echo "# virsh boot: $(( $(date +%s) - t0 )) s in L1"
[ $failed = 0 ]
