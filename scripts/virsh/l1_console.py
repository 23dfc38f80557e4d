# SPDX-License-Identifier: GPL-2.0
"""l1_console.py URI DOMAIN TEXT WANT [TIMEOUT]: with Debian's libvirt-python, open DOMAIN's
console (virDomainOpenConsole), type TEXT (with a newline) every few seconds until the
guest's output contains WANT, then print the line with it and exit 0; 1 on timeout.
(virsh console needs a terminal, which the L1 shell does not have.)"""
import sys, time
import libvirt

uri, name, text, want = sys.argv[1:5]
limit = float(sys.argv[5]) if len(sys.argv) > 5 else 300
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(uri)
dom = conn.lookupByName(name)
st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
got, t0, sent = b"", time.time(), 0.0
while time.time() - t0 < limit:
    if time.time() - sent > 5:      # the shell may not be up yet: type again
        st.send(text.encode() + b"\n")
        sent = time.time()
    r = st.recv(4096)
    if isinstance(r, bytes) and r:
        got += r
        if want.encode() in got:
            line = [l for l in got.split(b"\n") if want.encode() in l][-1]
            print("console: " + line.decode(errors="replace").strip())
            st.finish()
            sys.exit(0)
    else:
        libvirt.virEventRunDefaultImpl()
print("console: no %r in %r" % (want, got[-300:]))
sys.exit(1)
