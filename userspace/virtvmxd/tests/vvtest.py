# SPDX-License-Identifier: GPL-2.0
"""What virtvmxd's Python host tests share (protocol_test.py, domain_test.py): a daemon in a
temporary root whose VMs are run by fake_vmxrun.py, a test double (no VT-x on the host);
raw protocol frames; libvirt-python helpers; the TAP runner (main: each test gets a fresh
daemon). VIRTVMXD names the daemon binary."""
import json, os, signal, socket, struct, subprocess, sys, tempfile, threading, time
import libvirt

HERE = os.path.dirname(os.path.abspath(__file__))
VIRTVMXD = os.environ.get("VIRTVMXD", os.path.join(HERE, "../../../build/bin/virtvmxd"))
FAKE = os.path.join(HERE, "fake_vmxrun.py")
REMOTE, KEEPALIVE = 0x20008086, 0x6B656570
libvirt.registerErrorHandler(lambda ctx, err: None, None)

def xdr_str(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b + b"\0" * (-len(b) % 4)

class Daemon:
    def __init__(self, root, env=None):
        self.root, self.env, self.p, self.args = root, env, None, []
        self.sock = root + "/run/libvirt/virtvmxd-sock"
        self.uri = "vmx+unix:///system?socket=" + self.sock
        self.ro_uri = "vmx+unix:///system?socket=" + self.sock + "-ro"
    def start(self):
        env = dict(os.environ, **(self.env or {}))
        self.log = open(self.root + "/daemon.log", "a")
        self.p = subprocess.Popen([VIRTVMXD, "--root", self.root, "--vmxrun", FAKE, "--dev", "/dev/null",
                                   "--start-timeout", "10"] + self.args, stderr=self.log, env=env)
        for _ in range(200):
            if os.path.exists(self.sock + "-ro"):
                try:
                    socket.socket(socket.AF_UNIX).connect(self.sock)
                    return self
                except OSError:
                    pass
            time.sleep(0.02)
        raise RuntimeError("virtvmxd did not start")
    def stop(self):
        if self.p:
            self.p.terminate()
            self.p.wait(10)
            self.p = None
        self.log.close()
    def logtext(self):
        return open(self.root + "/daemon.log").read()

class Raw:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.s.settimeout(10)
        self.serial = 0
    def send(self, proc, payload=b"", prog=REMOTE, vers=1, typ=0, status=0, serial=None):
        self.serial += 1
        hdr = struct.pack(">IIiIII", prog, vers, proc, typ, self.serial if serial is None else serial, status)
        self.s.sendall(struct.pack(">I", 4 + len(hdr) + len(payload)) + hdr + payload)
    def recv(self):
        def full(n):
            b = b""
            while len(b) < n:
                d = self.s.recv(n - len(b))
                if not d:
                    return None
                b += d
            return b
        try:
            ln = full(4)
        except (ConnectionResetError, socket.timeout):
            return None
        if ln is None:
            return None
        body = full(struct.unpack(">I", ln)[0] - 4)
        return struct.unpack(">IIiIII", body[:24]), body[24:]
    def call(self, proc, payload=b"", **kw):
        self.send(proc, payload, **kw)
        return self.recv()
    def open(self):
        assert self.call(66)[0][5] == 0
        r = self.call(1, struct.pack(">I", 1) + xdr_str("vmx:///system") + struct.pack(">I", 0))
        assert r[0][5] == 0, r
        return self
    def close(self):
        self.s.close()

def err_code(reply):
    hdr, body = reply
    return struct.unpack(">i", body[:4])[0] if hdr[5] == 1 else None

results = []
def test(fn):
    results.append(fn)
    return fn

def domxml(name, extra="", devices="<serial type='pty'/><console type='pty'/>", append="run", uuid=""):
    return ("<domain type='kvm'><name>%s</name>%s<memory unit='MiB'>64</memory><vcpu>2</vcpu>"
            "<os><type arch='x86_64'>hvm</type><kernel>/boot/vmlinuz</kernel><cmdline>%s</cmdline></os>"
            "%s<devices>%s</devices></domain>" % (name, uuid, append, extra, devices))

def expect_error(fn, code, text=None):
    try:
        fn()
    except libvirt.libvirtError as e:
        assert e.get_error_code() == code, "error %d (%s), expected %d" % (e.get_error_code(), e, code)
        assert text is None or text in str(e), "%r not in %r" % (text, str(e))
        return str(e)
    raise AssertionError("no error, expected code %d" % code)

def wait(cond, t=10):
    t0 = time.time()
    while time.time() - t0 < t:
        if cond():
            return True
        time.sleep(0.02)
    return False

def main():
    libvirt.virEventRegisterDefaultImpl()
    print("TAP version 13\n1..%d" % len(results))
    failed = 0
    for i, fn in enumerate(results, 1):
        root = tempfile.mkdtemp(prefix="vvd-", dir="/tmp")
        d = Daemon(root).start()
        try:
            fn(d)
            print("ok %d - %s" % (i, fn.__name__))
        except Exception as e:
            import traceback
            failed += 1
            print("not ok %d - %s" % (i, fn.__name__))
            for line in traceback.format_exc().splitlines()[-6:]:
                print("# " + line)
            for line in d.logtext().splitlines()[-10:]:
                print("# log: " + line)
        finally:
            try:
                c = libvirt.open(d.uri)
                for dom in c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
                    dom.destroy()
            except Exception:
                pass
            if d.p:
                d.stop()
            subprocess.run(["rm", "-rf", root])
    sys.exit(1 if failed else 0)
