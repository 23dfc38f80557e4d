#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""virtvmxd host tests (TAP): the protocol as raw frames (framing, errors, keepalive,
clients that vanish, too many or 100 at once). Shared parts: vvtest.py."""
from vvtest import *

# ---- raw frames ------------------------------------------------------------------------

@test
def handshake_and_lib_version_over_raw_frames(d):
    r = Raw(d.sock)
    hdr, body = r.call(66)
    assert hdr[3] == 1 and hdr[5] == 0 and body == struct.pack(">II", 1, 0), (hdr, body)
    r.open()
    hdr, body = r.call(157)
    assert struct.unpack(">Q", body)[0] == 9000000

@test
def unknown_procedure_is_no_support_and_the_connection_goes_on(d):
    r = Raw(d.sock).open()
    assert err_code(r.call(9999)) == 3
    assert r.call(157)[0][5] == 0

@test
def wrong_program_gets_an_rpc_error(d):
    r = Raw(d.sock)
    assert err_code(r.call(1, prog=0x12345678)) == 39
    r.open()

@test
def wrong_version_gets_an_rpc_error(d):
    r = Raw(d.sock)
    assert err_code(r.call(66, vers=2)) == 39
    r.open()

@test
def calls_before_connect_open_are_refused(d):
    assert err_code(Raw(d.sock).call(273, struct.pack(">iI", 1, 0))) == 39

@test
def truncated_arguments_get_an_rpc_error_and_the_connection_goes_on(d):
    r = Raw(d.sock).open()
    assert err_code(r.call(23, b"\0\0")) == 39
    assert err_code(r.call(23, struct.pack(">I", 1000) + b"abc")) == 39
    assert r.call(157)[0][5] == 0

@test
def a_frame_shorter_than_its_header_drops_the_client(d):
    r = Raw(d.sock).open()
    r.s.sendall(struct.pack(">I", 10) + b"\0" * 6)
    assert r.recv() is None

@test
def an_oversized_frame_drops_the_client_without_reading_it(d):
    r = Raw(d.sock).open()
    t0 = time.time()
    r.s.sendall(struct.pack(">I", 16 * 1024 * 1024 + 5) + b"\0" * 24)
    assert r.recv() is None and time.time() - t0 < 5

@test
def a_reply_sent_by_a_client_drops_it(d):
    r = Raw(d.sock).open()
    r.send(157, typ=1)
    assert r.recv() is None

@test
def keepalive_ping_gets_a_pong(d):
    r = Raw(d.sock).open()
    hdr, _ = r.call(1, prog=KEEPALIVE, typ=2, serial=0)
    assert hdr[0] == KEEPALIVE and hdr[2] == 2 and hdr[3] == 2, hdr

@test
def the_read_only_socket_refuses_define_but_lists(d):
    r = Raw(d.sock + "-ro").open()
    assert err_code(r.call(11, xdr_str(domxml("ro1")))) == 29
    assert r.call(273, struct.pack(">iI", 1, 0))[0][5] == 0
    c = libvirt.openReadOnly(d.ro_uri)
    c.listAllDomains()
    assert "ro1" not in [x.name() for x in c.listAllDomains()]

@test
def a_client_vanishing_mid_call_leaves_the_daemon_serving(d):
    for cut in (2, 4, 20, 40):
        r = Raw(d.sock).open()
        frame = struct.pack(">I", 200) + struct.pack(">IIiIII", REMOTE, 1, 23, 0, 9, 0) + xdr_str("x" * 100)
        r.s.sendall(frame[:cut])
        r.close()
    r = Raw(d.sock).open()
    assert r.call(157)[0][5] == 0

@test
def a_hundred_concurrent_clients(d):
    c = libvirt.open(d.uri)
    c.defineXML(domxml("many"))
    errors = []
    def client():
        try:
            x = libvirt.open(d.uri)
            for _ in range(3):
                assert "many" in [dom.name() for dom in x.listAllDomains()]
                x.lookupByName("many").info()
            x.close()
        except Exception as e:
            errors.append(repr(e))
    t0 = time.time()
    ts = [threading.Thread(target=client) for _ in range(100)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors and time.time() - t0 < 60, errors[:3]
    c.lookupByName("many").undefine()

@test
def a_flood_on_the_read_only_socket_does_not_lock_root_out(d):
    # --max-clients per socket: past it a new client is closed at once (no reply), the
    # read-write socket still serves, and a slot that frees is taken again.
    d.stop()
    d.args = ["--max-clients", "8"]
    d.start()
    ro = [Raw(d.sock + "-ro").open() for _ in range(8)]
    extra = Raw(d.sock + "-ro")
    try:
        extra.send(66)
        assert extra.recv() is None
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert libvirt.open(d.uri).getLibVersion() == 9000000
    ro[0].close()
    def reopen():
        try:
            return Raw(d.sock + "-ro").open() is not None
        except (AssertionError, TypeError, OSError):
            return False
    assert wait(reopen, 10)
    assert ro[1].call(157)[0][5] == 0
    assert "--max-clients" in d.logtext()

main()
