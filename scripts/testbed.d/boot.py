#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one prepared testbed work dir in Bochs and watch its serial port.

usage: boot.py WORKDIR NAME TIMEOUT BOOT_TIMEOUT [--prefix] [--progress SECS]

WORKDIR holds bochsrc and cont.rc (scripts/testbed run writes them); Bochs writes serial.log
there and its own output to bochs.out. The serial log is streamed to stdout as it grows (with
"[NAME] " in front of each line under --prefix); every --progress seconds a one-line status
goes to stderr. The outcome goes to WORKDIR/result (key=value lines) and the exit status:

    the command's exit status  the guest printed VMXMON-TESTBED-EXIT=<n>
    124                        timeout (whole run, or userspace not reached within BOOT_TIMEOUT)
    125                        Bochs exited without the exit marker (kernel panic, Bochs panic,
                               triple fault, poweroff by the command, ...) or could not start
"""
import os
import re
import signal
import subprocess
import sys
import time

EXIT_RE = re.compile(r"^VMXMON-TESTBED-EXIT=(-?\d+)\s*$")
USER_RE = re.compile(r"^VMXMON-TESTBED-USERSPACE uptime=([\d.]+)")
DMESG_END_RE = re.compile(r"^VMXMON-TESTBED-DMESG-END flagged=(\d+) taint=(\d+)")
KMSG_RE = re.compile(r"^\[\s*\d+\.\d+\] ")
PANIC_RE = re.compile(r"Kernel panic - not syncing|---\[ end Kernel panic")
OOPS_RE = re.compile(r"BUG:|Oops|general protection|WARNING:|watchdog: .*lockup|rcu: INFO")
GRACE = 30  # seconds Bochs gets to power off after the exit marker
# Bochs's headless display (RFB) takes the first free port of 5900-5949 at start; if it
# finds none (seen once, with two Bochs starting together) it exits at once: start again.
RFB_NO_PORT = "RFB could not bind"
START_TRIES = 5


def fmt(secs):
    secs = int(secs)
    return f"{secs // 60}:{secs % 60:02d}"


class Run:
    def __init__(self, work, name, prefix):
        self.work, self.name, self.prefix = work, name, prefix
        self.t0 = time.monotonic()
        self.stage = "BIOS"
        self.partial = b""
        self.exit = None
        self.userspace = None
        self.uptime = None
        self.dmesg = None
        self.panic = None
        self.oops = None  # first kernel-bug line seen on the console
        self.out = sys.stdout
        self.marks = {}  # wall seconds at which the serial log showed isolinux, the kernel

    def elapsed(self):
        return time.monotonic() - self.t0

    def note(self, msg):
        print(f"[testbed {self.name} {fmt(self.elapsed())}] {msg}", file=sys.stderr, flush=True)

    def write(self, text):
        # A closed stdout (| head) must not stop us from watching and stopping Bochs.
        if self.out is None:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.out = None
            sys.stdout = open(os.devnull, "w")

    def line(self, raw):
        text = raw.decode("utf-8", "replace").replace("\r", "")
        self.write((f"[{self.name}] " if self.prefix else "") + text + "\n")
        if self.stage == "BIOS" and text.startswith("ISOLINUX"):
            self.stage = "isolinux loading the kernel"
            self.marks["isolinux"] = self.elapsed()
        if self.stage.startswith("isolinux") and KMSG_RE.match(text):
            self.stage = "kernel booting"
            self.marks["kernel"] = self.elapsed()
        m = USER_RE.match(text)
        if m and self.userspace is None:
            self.userspace, self.uptime = self.elapsed(), m.group(1)
            self.stage = "running"
            self.note(f"userspace after {self.userspace:.1f} s (guest uptime {self.uptime} s)")
        m = DMESG_END_RE.match(text)
        if m:
            self.dmesg = (int(m.group(1)), int(m.group(2)))
        m = EXIT_RE.match(text)
        if m and self.exit is None:
            self.exit = int(m.group(1))
            self.stage = "powering off"
        if PANIC_RE.search(text) and self.panic is None:
            self.panic = text.strip()
        if KMSG_RE.match(text) and OOPS_RE.search(text) and self.oops is None:
            self.oops = text.strip()

    def feed(self, data, final=False):
        self.partial += data
        *lines, self.partial = self.partial.split(b"\n")
        for raw in lines:
            self.line(raw)
        if final and self.partial:
            self.line(self.partial)
            self.partial = b""


def bochs_message(path):
    """The reason Bochs gave for exiting, from its console output."""
    try:
        with open(path, errors="replace") as f:
            lines = [l.rstrip() for l in f]
    except OSError:
        return ""
    for i, l in enumerate(lines):
        if "Bochs is exiting with the following message" in l and i + 1 < len(lines):
            return lines[i + 1].strip()
    errs = [l for l in lines if re.search(r"PANIC|ERROR|error|fatal", l)]
    return errs[-1].strip() if errs else (lines[-1].strip() if lines else "")


def main():
    args = sys.argv[1:]
    prefix = "--prefix" in args
    progress = 15.0
    if "--progress" in args:
        i = args.index("--progress")
        progress = float(args[i + 1])
        del args[i:i + 2]
    args = [a for a in args if a != "--prefix"]
    if len(args) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    work, name, timeout, boot_timeout = args[0], args[1], float(args[2]), float(args[3])
    serial = os.path.join(work, "serial.log")
    open(serial, "wb").close()

    run = Run(work, name, prefix)
    # timeout(1) is the backstop should this script itself die; we normally stop Bochs first.
    cmd = ["timeout", "-k", "5", str(int(timeout + GRACE + 10)),
           "bochs", "-q", "-f", "bochsrc", "-rc", "cont.rc"]
    bochs_out = os.path.join(work, "bochs.out")
    for attempt in range(1, START_TRIES + 1):
        with open(bochs_out, "wb") as out:
            try:
                proc = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as e:
                print(f"testbed: {name}: cannot start Bochs: {e}", file=sys.stderr)
                return 125
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            break                       # running
        with open(bochs_out, "rb") as f:
            if RFB_NO_PORT.encode() not in f.read() or attempt == START_TRIES:
                break                   # the loop below reports how it ended
        run.note(f"Bochs found no free RFB port (try {attempt} of {START_TRIES}); starting it again")
        time.sleep(2 * attempt)

    def stop():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def on_signal(signum, _frame):
        stop()
        with open(os.path.join(work, "result"), "w") as r:
            r.write(f"name={name}\nstatus=interrupted\ncode={128 + signum}\n"
                    f"wall={run.elapsed():.1f}\noutcome=interrupted by signal {signum}\n")
        run.note(f"interrupted by signal {signum}; Bochs stopped")
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    outcome = None
    next_progress = progress
    exit_seen_at = None
    with open(serial, "rb") as f:
        while True:
            rc = proc.poll()
            run.feed(f.read())
            if rc is not None:
                run.feed(f.read(), final=True)
                break
            t = run.elapsed()
            if run.exit is not None and exit_seen_at is None:
                exit_seen_at = t
            if exit_seen_at is not None and t - exit_seen_at > GRACE:
                run.note(f"Bochs still running {GRACE} s after the exit marker; stopping it")
                stop()
                break
            if exit_seen_at is None and t > timeout:
                outcome = f"timeout: no exit marker after {int(timeout)} s ({run.stage})"
                stop()
                run.feed(f.read(), final=True)
                break
            if run.userspace is None and t > boot_timeout:
                outcome = f"timeout: userspace not reached within {int(boot_timeout)} s"
                stop()
                run.feed(f.read(), final=True)
                break
            if progress > 0 and t >= next_progress:
                run.note(run.stage + "...")
                next_progress += progress
            time.sleep(0.2)

    wall = run.elapsed()
    status = "exited"
    if run.exit is not None:
        code = run.exit
        outcome = f"command exited with status {code}"
    elif outcome is not None:
        status, code = "timeout", 124
        if run.panic or run.oops:
            outcome += f"; the console showed: {run.panic or run.oops}"
    else:
        status, code = "bochs-exited", 125
        why = bochs_message(os.path.join(work, "bochs.out"))
        if run.panic:
            status = "panic"
            outcome = f"kernel panic seen on serial: {run.panic}"
        else:
            outcome = f"Bochs exited (status {proc.returncode}) without the exit marker ({run.stage})"
            if run.oops:
                outcome += f"; the console showed: {run.oops}"
        if why:
            outcome += f"; Bochs said: {why}"

    with open(os.path.join(work, "result"), "w") as r:
        r.write(f"name={name}\nstatus={status}\ncode={code}\nwall={wall:.1f}\n")
        for k, v in run.marks.items():
            r.write(f"t_{k}={v:.1f}\n")
        if run.userspace is not None:
            r.write(f"userspace={run.userspace:.1f}\nuptime={run.uptime}\n")
        if run.dmesg is not None:
            r.write(f"flagged={run.dmesg[0]}\ntaint={run.dmesg[1]}\n")
        r.write(f"outcome={outcome}\n")
    run.note(f"{outcome} (wall {fmt(wall)}; serial log: {serial})")
    if run.dmesg and run.dmesg[0]:
        run.note(f"the L1 kernel log has {run.dmesg[0]} suspicious line(s): "
                 "see VMXMON-TESTBED-DMESG lines above")
    return code


if __name__ == "__main__":
    sys.exit(main())
