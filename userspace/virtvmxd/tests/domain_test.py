#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""virtvmxd host tests (TAP): Debian's unmodified libvirt-python against the daemon
(definitions, XML, errors, lifecycle, events, console, stats, restart, storage, remote
transports). VMs are run by fake_vmxrun.py, a test double. Shared parts: vvtest.py."""
from vvtest import *

# ---- definitions and XML ---------------------------------------------------------------

@test
def define_list_dumpxml_undefine(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("d1", extra="<metadata><x:t xmlns:x='urn:x'>kept</x:t></metadata><clock offset='utc'/>"))
    assert dom.name() == "d1" and len(dom.UUIDString()) == 36
    assert os.path.exists(d.root + "/var/lib/vmxmon/domains/d1.xml")
    assert "d1" in [x.name() for x in c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)]
    assert "d1" not in [x.name() for x in c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)]
    xml = dom.XMLDesc()
    assert "<x:t xmlns:x=\"urn:x\">kept</x:t>" in xml and "<clock offset=\"utc\"/>" in xml, xml
    assert dom.UUIDString() in xml
    assert dom.info()[0] == libvirt.VIR_DOMAIN_SHUTOFF and dom.info()[1] == 65536
    dom.setAutostart(1)
    assert dom.autostart() == 1
    dom.setAutostart(0)
    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
    assert not os.path.exists(d.root + "/var/lib/vmxmon/domains/d1.xml")
    expect_error(lambda: c.lookupByName("d1"), libvirt.VIR_ERR_NO_DOMAIN)

@test
def xml_errors_are_libvirt_errors_naming_the_element(d):
    c = libvirt.open(d.uri)
    expect_error(lambda: c.defineXML("<domain type='kvm'><name>x</name"), libvirt.VIR_ERR_XML_ERROR)
    expect_error(lambda: c.defineXML(domxml("x", devices="<graphics type='vnc'/>")),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "<graphics type='vnc'>")
    expect_error(lambda: c.defineXML(domxml("x", devices="<disk type='file' device='cdrom'><source file='/a.iso'/></disk>")),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "<disk device='cdrom'>")
    expect_error(lambda: c.defineXML(domxml("x", devices="<interface type='network'><source network='default'/></interface>")),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "<interface type='network'>")
    expect_error(lambda: c.defineXML(domxml("x").replace("type='kvm'", "type='qemu'")),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "type='kvm'")
    expect_error(lambda: c.defineXML(domxml("x").replace("<kernel>/boot/vmlinuz</kernel>", "")),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "<kernel>")
    expect_error(lambda: c.defineXML(domxml("x").replace(">64<", ">1<")), libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "16 MiB")
    expect_error(lambda: c.defineXML(domxml("a/b")), libvirt.VIR_ERR_XML_ERROR, "<name>")
    c.defineXML(domxml("dup"))
    expect_error(lambda: c.defineXML(domxml("dup", uuid="<uuid>11111111-2222-3333-4444-555555555555</uuid>")),
                 libvirt.VIR_ERR_OPERATION_FAILED, "already exists")
    c.lookupByName("dup").undefine()
    assert [x.name() for x in c.listAllDomains()] == []

@test
def lifecycle_errors_are_operation_invalid(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("e1"))
    for op in (dom.destroy, dom.suspend, dom.resume, dom.shutdown, dom.reboot):
        expect_error(op, libvirt.VIR_ERR_OPERATION_INVALID)
    dom.create()
    expect_error(dom.create, libvirt.VIR_ERR_OPERATION_INVALID, "already running")
    expect_error(dom.resume, libvirt.VIR_ERR_OPERATION_INVALID)
    dom.destroy()
    dom.undefine()
    expect_error(lambda: c.lookupByUUIDString("11111111-2222-3333-4444-555555555555"), libvirt.VIR_ERR_NO_DOMAIN)
    expect_error(lambda: c.lookupByID(4242), libvirt.VIR_ERR_NO_DOMAIN)

@test
def a_start_that_fails_reports_vmxrun_s_message(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("f1", append="fail"))
    msg = expect_error(dom.create, libvirt.VIR_ERR_OPERATION_FAILED, "no such file or directory")
    assert dom.info()[0] == libvirt.VIR_DOMAIN_SHUTOFF, msg
    dom.undefine()

@test
def disks_and_interfaces_need_a_vmxrun_with_device_options(d):
    c = libvirt.open(d.uri)
    disk = "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/tmp/x.img'/><target dev='vda' bus='virtio'/><readonly/></disk>"
    dom = c.defineXML(domxml("dk", devices=disk))
    expect_error(dom.create, libvirt.VIR_ERR_OPERATION_FAILED, "no --disk option")
    dom.undefine()
    dom = c.defineXML(domxml("nic", devices="<interface type='ethernet'><mac address='52:54:00:12:34:56'/><target dev='tap7'/><model type='virtio'/></interface>"))
    expect_error(dom.create, libvirt.VIR_ERR_OPERATION_FAILED, "no --net option")
    dom.undefine()

# ---- running domains ---------------------------------------------------------------------

class Events:
    def __init__(self, uri):
        self.ev = []
        self.c = libvirt.open(uri)
        self.c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                      lambda c, dom, e, det, o: self.ev.append((dom.name(), e, det)), None)
        self.c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT,
                                      lambda c, dom, o: self.ev.append((dom.name(), "reboot")), None)
    def until(self, item, t=10):
        t0 = time.time()
        while item not in self.ev and time.time() - t0 < t:
            libvirt.virEventRunDefaultImpl()
        assert item in self.ev, (item, self.ev)

@test
def lifecycle_events_and_states(d):
    E = libvirt
    ev = Events(d.uri)
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("l1"))
    ev.until(("l1", E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED))
    dom.create()
    ev.until(("l1", E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED))
    assert dom.ID() > 0 and dom.isActive() and dom.state() == [E.VIR_DOMAIN_RUNNING, E.VIR_DOMAIN_RUNNING_BOOTED]
    dom.suspend()
    ev.until(("l1", E.VIR_DOMAIN_EVENT_SUSPENDED, 0))
    assert dom.state()[0] == E.VIR_DOMAIN_PAUSED
    dom.resume()
    ev.until(("l1", E.VIR_DOMAIN_EVENT_RESUMED, 0))
    dom.reboot()
    ev.until(("l1", "reboot"))
    dom.shutdown()
    ev.until(("l1", E.VIR_DOMAIN_EVENT_SHUTDOWN, E.VIR_DOMAIN_EVENT_SHUTDOWN_GUEST))
    ev.until(("l1", E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN))
    assert dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_SHUTDOWN]
    dom.create()
    dom.destroy()
    ev.until(("l1", E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED))
    assert dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_DESTROYED]
    dom.undefine()
    ev.until(("l1", E.VIR_DOMAIN_EVENT_UNDEFINED, 0))

@test
def a_vm_that_dies_is_shut_off_with_an_event(d):
    ev = Events(d.uri)
    dom = libvirt.open(d.uri).defineXML(domxml("crash1", append="crash"))
    dom.create()
    ev.until(("crash1", libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_FAILED))
    assert dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_CRASHED]
    dom.undefine()

@test
def console_stream_both_ways_and_one_session_at_a_time(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("con1"))
    dom.create()
    st = c.newStream(0)
    dom.openConsole(None, st, 0)
    st.send(b"hello\n")
    got = b""
    while b"HELLO\n" not in got:
        got += st.recv(64)
    st2 = c.newStream(0)
    expect_error(lambda: dom.openConsole(None, st2, 0), libvirt.VIR_ERR_OPERATION_FAILED, "Active console session")
    st.finish()
    st3 = c.newStream(0)
    dom.openConsole(None, st3, 0)
    st3.send(b"x")
    assert st3.recv(8) == b"X"
    dom.destroy()
    try:                                # the VM's end is the end of the stream
        assert st3.recv(8) == b""
    except libvirt.libvirtError:
        pass                            # (libvirt 9.0 reports an end it did not ask for so)
    dom.undefine()

@test
def a_client_vanishing_mid_stream_frees_the_console(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("con2"))
    dom.create()
    code = ("import libvirt,os\nc=libvirt.open(%r)\nd=c.lookupByName('con2')\ns=c.newStream(0)\n"
            "d.openConsole(None,s,0)\ns.send(b'abc')\ns.recv(3)\nos._exit(0)\n" % d.uri)
    subprocess.run([sys.executable, "-c", code], timeout=20, check=True)
    def reopen():
        st = c.newStream(0)
        try:
            dom.openConsole(None, st, 0)
            st.finish()
            return True
        except libvirt.libvirtError:
            return False
    assert wait(reopen)
    dom.destroy()
    dom.undefine()

@test
def domstats_and_info_are_real(d):
    d.stop()
    d.env = {"FAKE_VMXRUN_DEVICES": "1"}
    d.start()
    if True:
        c = libvirt.open(d.uri)
        disk = "<disk type='file' device='disk'><source file='/tmp/st.img'/><target dev='vda' bus='virtio'/></disk>"
        dom = c.defineXML(domxml("st1", devices=disk + "<interface type='ethernet'><target dev='tapx'/></interface>"))
        dom.create()
        st = dict(c.getAllDomainStats(0, 0)[0][1])
        assert st["state.state"] == 1 and st["vcpu.current"] == 2 and st["balloon.maximum"] == 65536, st
        assert "cpu.time" in st and st["block.count"] == 1 and st["block.0.path"] == "/tmp/st.img", st
        assert st["block.0.rd.reqs"] == 5 and st["net.count"] == 1 and st["net.0.name"] == "tapx", st
        assert "net.0.rx.bytes" not in st           # not reported by vmxrun: not made up
        info = dom.info()
        assert info[0] == 1 and info[1] == info[2] == 65536 and info[3] == 2 and info[4] >= 0, info
        dom.destroy()
        dom.undefine()

@test
def dominfo_messages_are_an_empty_list(d):
    # virDomainGetMessages (virsh dominfo's "Messages:" line): no taint or deprecation
    # messages, on the read-write and the read-only socket; an unknown domain is NO_DOMAIN.
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("msg1"))
    assert dom.messages(0) == [], dom.messages(0)
    assert libvirt.openReadOnly(d.ro_uri).lookupByName("msg1").messages(0) == []
    dom.undefine()
    expect_error(lambda: dom.messages(0), libvirt.VIR_ERR_NO_DOMAIN)

@test
def memory_stats_are_the_guest_s_memory_and_vmxrun_s_rss(d):
    # virDomainMemoryStats (virsh dommemstat): "actual" is the configured memory (no balloon),
    # "rss" vmxrun's VmRSS; a domain that is not running is OPERATION_INVALID.
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("mem1"))
    expect_error(lambda: dom.memoryStats(), libvirt.VIR_ERR_OPERATION_INVALID, "not running")
    dom.create()
    st = dom.memoryStats()
    assert st["actual"] == 65536 and st["rss"] > 0, st
    assert libvirt.openReadOnly(d.ro_uri).lookupByName("mem1").memoryStats()["actual"] == 65536
    dom.destroy()
    dom.undefine()

@test
def disk_and_interface_become_vmxrun_options(d):
    args = d.root + "/fake-args"
    d.stop()
    d.env = {"FAKE_VMXRUN_DEVICES": "1", "FAKE_VMXRUN_ARGS": args}
    d.start()
    if True:
        c = libvirt.open(d.uri)
        devs = ("<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/img/a.img'/><target dev='vda' bus='virtio'/><readonly/></disk>"
                "<disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vdb' bus='virtio'/></disk>"
                "<interface type='ethernet'><mac address='52:54:00:00:00:01'/><target dev='tap9'/><model type='virtio'/></interface>")
        dom = c.defineXML(domxml("args1", devices=devs))
        dom.create()
        a = json.loads(open(args).read().splitlines()[-1])
        for want in ("--disk=/img/a.img,ro", "--disk=/dev/sdz", "--net=tap,ifname=tap9,mac=52:54:00:00:00:01",
                     "-m65536K", "-c2", "--reboot=restart"):
            assert want in a, (want, a)
        dom.destroy()
        dom.undefine()

@test
def create_xml_makes_a_transient_domain_that_goes_when_it_stops(d):
    c = libvirt.open(d.uri)
    dom = c.createXML(domxml("tr1"), 0)
    assert dom.isActive() and not dom.isPersistent()
    expect_error(dom.undefine, libvirt.VIR_ERR_OPERATION_INVALID)
    dom.destroy()
    expect_error(lambda: c.lookupByName("tr1"), libvirt.VIR_ERR_NO_DOMAIN)

@test
def a_daemon_restart_keeps_running_vms_controllable(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("rs1"))
    dom.create()
    dom.suspend()
    vid = dom.ID()
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    dom = c.lookupByName("rs1")
    assert dom.ID() == vid and dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED, dom.state()
    dom.resume()
    st = c.newStream(0)
    dom.openConsole(None, st, 0)
    st.send(b"q")
    assert st.recv(1) == b"Q"
    st.finish()
    dom2 = c.defineXML(domxml("rs2"))
    dom2.create()
    assert dom2.ID() > vid
    dom.destroy()
    dom2.destroy()
    dom.undefine()
    dom2.undefine()

@test
def a_vm_that_died_while_the_daemon_was_down_is_shut_off(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("rs3"))
    dom.create()
    c.close()
    d.stop()
    pid = [int(p) for p in os.listdir("/proc") if p.isdigit() and
           "rs3" in open("/proc/%s/cmdline" % p, "rb").read().decode(errors="replace")]
    assert pid
    os.kill(pid[0], signal.SIGKILL)
    time.sleep(0.2)
    d.start()
    c = libvirt.open(d.uri)
    assert c.lookupByName("rs3").state()[0] == libvirt.VIR_DOMAIN_SHUTOFF
    assert "rs3: its vmxrun" in d.logtext()
    c.lookupByName("rs3").undefine()

@test
def a_torn_definition_is_reported_and_the_others_load(d):
    c = libvirt.open(d.uri)
    c.defineXML(domxml("keep1"))
    c.defineXML(domxml("keep2"))
    good = open(d.root + "/var/lib/vmxmon/domains/keep2.xml").read()
    c.close()
    d.stop()
    open(d.root + "/var/lib/vmxmon/domains/torn.xml", "w").write(good[: len(good) // 2])
    open(d.root + "/var/lib/vmxmon/domains/keep1.xml.tmp", "w").write(good[:10])
    d.start()
    c = libvirt.open(d.uri)
    names = sorted(x.name() for x in c.listAllDomains())
    assert names == ["keep1", "keep2"], names
    log = d.logtext()
    assert "torn.xml: not a usable domain definition" in log and "unfinished write" in log, log
    assert os.path.exists(d.root + "/var/lib/vmxmon/domains/torn.xml")
    os.unlink(d.root + "/var/lib/vmxmon/domains/torn.xml")
    for n in names:
        c.lookupByName(n).undefine()

@test
def autostart_domains_start_with_the_daemon(d):
    c = libvirt.open(d.uri)
    dom = c.defineXML(domxml("auto1"))
    dom.setAutostart(1)
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    dom = c.lookupByName("auto1")
    assert dom.isActive() and dom.autostart()
    assert [x.name() for x in c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_AUTOSTART)] == ["auto1"]
    dom.destroy()
    dom.undefine()

@test
def directory_storage_pools_for_virt_install(d):
    c = libvirt.open(d.uri)
    imgs = d.root + "/images"
    pool = c.storagePoolDefineXML("<pool type='dir'><name>imgs</name><target><path>%s</path></target></pool>" % imgs)
    pool.build()
    pool.create()
    pool.setAutostart(1)
    open(imgs + "/a.img", "wb").truncate(1 << 20)
    assert pool.isActive() and pool.listVolumes() == ["a.img"]
    vol = c.storageVolLookupByPath(imgs + "/a.img")
    assert vol.info()[1] == 1 << 20 and vol.path() == imgs + "/a.img"
    v2 = pool.createXML("<volume><name>b.img</name><capacity unit='M'>2</capacity><target><format type='raw'/></target></volume>")
    assert os.path.getsize(imgs + "/b.img") == 2 << 20 and v2.name() == "b.img"
    expect_error(lambda: pool.createXML("<volume><name>c.qcow2</name><capacity>1</capacity><target><format type='qcow2'/></target></volume>"),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
    v2.delete()
    assert sorted(p.name() for p in c.listAllStoragePools()) == ["imgs"]
    pool.destroy()
    pool.undefine()

@test
def the_ext_transport_reaches_the_daemon_through_a_command(d):
    helper = d.root + "/pump.sh"
    open(helper, "w").write("#!/bin/sh\nexec %s %s/unix_pump.py %s\n" % (sys.executable, HERE, d.sock))
    os.chmod(helper, 0o755)
    c = libvirt.open("vmx+ext:///system?command=" + helper)
    assert c.getLibVersion() == 9000000 and c.getURI().startswith("vmx")
    c.close()

@test
def the_ssh_transport_path_works_with_a_local_ssh(d):
    ssh = d.root + "/fake-ssh"
    # An "ssh" that runs the remote command here: what vmx+ssh://host/system runs on host.
    open(ssh, "w").write("#!/bin/sh\nwhile [ $# -gt 0 ] && [ \"$1\" != testhost ]; do shift; done\nshift\nexec sh -c \"$*\"\n")
    os.chmod(ssh, 0o755)
    nc = d.root + "/nc"
    open(nc, "w").write("#!/bin/sh\n[ \"$1\" = -U ] || shift\nexec %s %s/unix_pump.py \"$2\"\n" % (sys.executable, HERE))
    os.chmod(nc, 0o755)
    uri = "vmx+ssh://testhost/system?command=%s&proxy=netcat&netcat=%s&socket=%s" % (ssh, nc, d.sock)
    c = libvirt.open(uri)
    dom = c.defineXML(domxml("ssh1"))
    assert "ssh1" in [x.name() for x in c.listAllDomains()]
    dom.undefine()
    c.close()

main()
