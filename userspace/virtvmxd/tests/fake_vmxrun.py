#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TEST DOUBLE of vmxrun for virtvmxd's host tests, where no guest can run (no VT-x).

It takes vmxrun's options, listens on --control (the QMP-style protocol of README.md,
"Control socket": greeting, query-status, stop, cont, system_powerdown, system_reset, quit,
query-vmxrun-stats, and the STOP/RESUME/POWERDOWN/RESET/SHUTDOWN events) and on
--console socket:PATH (a "guest" that answers each byte, lower case turned upper case).
The guest's behaviour comes from --append: "crash" exits after 0.3 s without a SHUTDOWN
event (a VM that dies); "fail" exits 1 at once with a vmxrun-style message; anything else
runs until asked to stop; system_powerdown shuts it down as a guest with acpid would.
FAKE_VMXRUN_DEVICES=1 makes --help list --disk and --net (the options vmxrun is getting),
and records the arguments in FAKE_VMXRUN_ARGS (a file) for the tests to check.
"""
import json, os, select, socket, sys, time

args = sys.argv[1:]
devices = os.environ.get("FAKE_VMXRUN_DEVICES") == "1"
if "--help" in args:
    print("usage: vmxrun [options] --kernel PATH   (TEST DOUBLE)")
    if devices:
        print("  --disk PATH[,ro]    a virtio block device\n  --net tap[,ifname=N][,mac=M]")
    sys.exit(0)
if os.environ.get("FAKE_VMXRUN_ARGS"):
    with open(os.environ["FAKE_VMXRUN_ARGS"], "a") as f:
        f.write(json.dumps(args) + "\n")

def opt(name, default=None):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return default

name, control, console = opt("--name", "vmxrun"), opt("--control"), opt("--console", "stdio")
append = opt("--append", "")
if append.startswith("fail"):
    print("vmxrun: --kernel /nonexistent: no such file or directory (test double)", file=sys.stderr)
    sys.exit(1)

def listen(path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(4)
    return s

ctl = listen(control)
con = listen(console[7:]) if console.startswith("socket:") else None
clients, con_client = {}, None
state, resets = "running", 0
exits = 1000
crash_at = time.time() + 0.3 if append.startswith("crash") else None
shutdown_at = None

def send(c, obj):
    try:
        c.sendall((json.dumps(obj) + "\n").encode())
    except OSError:
        pass

def event(name, reason=None):
    t = time.time()
    ev = {"event": name, "data": {"reason": reason} if reason else {},
          "timestamp": {"seconds": int(t), "microseconds": int(t % 1 * 1e6)}}
    for c in list(clients):
        send(c, ev)

def finish(reason, status=0):
    event("SHUTDOWN", reason)
    for s in (ctl, con):
        if s:
            os.unlink(s.getsockname())
    sys.exit(status)

def command(c, req):
    global state, shutdown_at, resets, exits
    cmd, rid = req.get("execute"), req.get("id")
    ret = {}
    if cmd == "query-status":
        ret = {"status": state, "running": state == "running", "name": name, "resets": resets}
    elif cmd in ("stop", "cont"):
        new = "paused" if cmd == "stop" else "running"
        if new != state:
            state = new
            event("STOP" if cmd == "stop" else "RESUME")
    elif cmd == "system_powerdown":
        event("POWERDOWN")
        shutdown_at = time.time() + 0.2
    elif cmd == "system_reset":
        resets += 1
        event("RESET", "host-qmp-system-reset")
    elif cmd == "quit":
        send(c, {"return": {}, "id": rid})
        finish("host-qmp-quit")
    elif cmd == "query-vmxrun-stats":
        exits += 17
        ret = {"exits": {"io": exits}, "total": exits, "interrupted": 0, "interrupts_injected": 3,
               "pio_unclaimed": 0, "mmio_unclaimed": 0,
               "block": [{"path": a.split("=", 1)[1].split(",")[0], "rd_reqs": 5, "rd_bytes": 2560,
                          "wr_reqs": 1, "wr_bytes": 512} for a in args if a.startswith("--disk=")]}
    else:
        send(c, {"error": {"class": "CommandNotFound", "desc": "the command %s has not been found" % cmd}, "id": rid})
        return
    send(c, {"return": ret, "id": rid})

bufs = {}
while True:
    now = time.time()
    if crash_at and now >= crash_at:
        os._exit(134)                      # no SHUTDOWN event: it died
    if shutdown_at and now >= shutdown_at:
        finish("guest-shutdown")
    fds = [ctl] + list(clients) + ([con] if con else []) + ([con_client] if con_client else [])
    r, _, _ = select.select(fds, [], [], 0.05)
    for s in r:
        if s.fileno() < 0:                 # closed earlier in this round
            continue
        if s is ctl:
            c, _ = ctl.accept()
            clients[c] = b""
            send(c, {"QMP": {"version": {"package": "vmxrun", "vmxrun": {"major": 0, "minor": 1}}, "capabilities": []}})
        elif s is con:
            if con_client:
                con_client.close()
            con_client, _ = con.accept()
        elif s is con_client:
            data = s.recv(4096)
            if not data:
                con_client.close()
                con_client = None
            else:
                try:
                    s.sendall(data.upper())
                except OSError:
                    pass
        elif s in clients:
            data = s.recv(65536)
            if not data:
                del clients[s]
                s.close()
                continue
            clients[s] += data
            while b"\n" in clients.get(s, b""):
                line, clients[s] = clients[s].split(b"\n", 1)
                try:
                    command(s, json.loads(line))
                except ValueError:
                    send(s, {"error": {"class": "GenericError", "desc": "JSON parse error"}})
