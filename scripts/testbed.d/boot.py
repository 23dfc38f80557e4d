#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one prepared testbed work dir in Bochs and watch its serial port.

usage: boot.py WORKDIR NAME TIMEOUT BOOT_TIMEOUT [--prefix] [--progress SECS]

WORKDIR holds bochsrc and cont.rc (scripts/testbed run writes them); Bochs writes serial.log
there and its own output to bochs.out. The serial log is streamed to stdout as it grows (with
"[NAME] " in front of each line under --prefix). The stage the run is in goes to stderr when
it changes and, with the seconds spent in it, every --progress seconds: L1 boot, then what
the command announces with "VMXMON-TESTBED-STAGE: <text>" lines (not echoed), and an L2
test guest's progress from its init's markers (VMXRUN-GUEST-SHELL: its command runs,
VMXRUN-GUEST-POWEROFF).

A run ends within FATAL_GRACE seconds of a kernel panic or Oops on the console (L1's, or a
guest's that vmxrun passes through), or of vmxrun reporting a fatal signal: the trace gets
those seconds to arrive, then Bochs is stopped. Lines the L1 and L2 inits replay from
their kernel logs (VMXMON-TESTBED-DMESG..., VMXRUN-GUEST-DMESG) do not count.

The outcome goes to WORKDIR/result (key=value lines; status, code, outcome: one line) and the
exit status:

    the command's exit status  the guest printed VMXMON-TESTBED-EXIT=<n>
    124                        timeout (whole run, or userspace not reached within BOOT_TIMEOUT)
    125                        a kernel panic, Oops or vmxrun crash ended the run (status panic,
                               oops, crash), or Bochs exited without the exit marker (Bochs
                               panic, triple fault, poweroff by the command, ...) or could not
                               start
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
STAGE_RE = re.compile(r"^VMXMON-TESTBED-STAGE: (.*)$")
# A stage that panics on purpose (a crash kernel is to take over: scripts/shutdown/) says so
# first: the next panic whose line has TEXT does not end the run.
EXPECT_PANIC_RE = re.compile(r"^expect panic: (.+)$")
# A kernel console line, L1's or a guest's (l1_boot.sh puts "[l2 NAME] " in front).
CONSOLE_RE = re.compile(r"(?:^|\] )\[\s*(\d+\.\d+)\] (.*)$")
# What ends a run at once: a panic, an Oops (its header "...: 0000 [#1] ..." or the line
# before it), or vmxrun dying of a signal (vmxrun.c prints this line first).
FATAL_KERNEL_RE = re.compile(r"^(?:Kernel panic - not syncing|BUG: unable to handle|"
                             r"BUG: kernel NULL pointer|kernel BUG at|general protection fault|"
                             r"Oops: |\S.*: [0-9a-f]{4} \[#\d+\])")
VMXRUN_CRASH_RE = re.compile(r"vmxrun: fatal signal \d+")
REPLAY = ("VMXMON-TESTBED-DMESG", "VMXRUN-GUEST-DMESG")
GRACE = 30  # seconds Bochs gets to power off after the exit marker
FATAL_GRACE = 5  # seconds the console gets to show the trace after a panic, Oops or crash
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
        self.stage = "L1 boot (BIOS)"
        self.stage_t = 0.0
        self.partial = b""
        self.exit = None
        self.userspace = None
        self.uptime = None
        self.dmesg = None
        self.panic = None
        self.oops = None  # first kernel-bug line seen on the console
        self.fatal = None  # (status, one-line reason, wall seconds): ends the run
        self.out = sys.stdout
        self.marks = {}  # wall seconds at which the serial log showed isolinux, the kernel
        self.expect_panic = None  # the text of a panic the command announced
        self.expected_panics = []  # (line, wall seconds) of the announced panics seen

    def elapsed(self):
        return time.monotonic() - self.t0

    def note(self, msg):
        print(f"[testbed {self.name} {fmt(self.elapsed())}] {msg}", file=sys.stderr, flush=True)

    def set_stage(self, stage):
        if stage != self.stage:
            self.stage, self.stage_t = stage, self.elapsed()
            self.note(stage)

    def check_fatal(self, text):
        """A panic, an Oops or a vmxrun crash in this line: remember the first."""
        if self.fatal is not None or self.exit is not None or any(r in text for r in REPLAY):
            return
        m = CONSOLE_RE.search(text)
        if m and FATAL_KERNEL_RE.match(m.group(2)):
            # L1's clock only goes forward: a kernel line stamped before the time L1 reached
            # userspace is a guest's (an L2 kernel starts at 0).
            guest = self.uptime is not None and float(m.group(1)) < float(self.uptime)
            kind = "panic" if PANIC_RE.search(m.group(2)) else "oops"
            if kind == "panic" and self.expect_panic and self.expect_panic in m.group(2):
                self.expected_panics.append((m.group(2).strip(), self.elapsed()))
                self.expect_panic = None
                self.note(f"the announced panic: {m.group(2).strip()}; the run goes on")
                return
            where = "an L2 guest's kernel" if guest else "the L1 kernel"
            what = "kernel panic" if kind == "panic" else "kernel Oops"
            self.fatal = (kind, f"{what} in {where}: {m.group(2).strip()}", self.elapsed())
        elif VMXRUN_CRASH_RE.search(text):
            self.fatal = ("crash", f"vmxrun crashed: {text.strip()}", self.elapsed())
        if self.fatal:
            self.note(f"{self.fatal[1]}; stopping in {FATAL_GRACE} s")

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
        m = STAGE_RE.match(text)
        if m and self.userspace is not None:
            e = EXPECT_PANIC_RE.match(m.group(1).strip())
            if e:
                self.expect_panic = e.group(1).strip()
            self.set_stage(m.group(1).strip())
            return
        self.write((f"[{self.name}] " if self.prefix else "") + text + "\n")
        if self.stage == "L1 boot (BIOS)" and text.startswith("ISOLINUX"):
            self.set_stage("L1 boot (isolinux loading the kernel)")
            self.marks["isolinux"] = self.elapsed()
        if self.stage.startswith("L1 boot (isolinux") and KMSG_RE.match(text):
            self.set_stage("L1 boot (kernel)")
            self.marks["kernel"] = self.elapsed()
        m = USER_RE.match(text)
        if m and self.userspace is not None:
            # A kernel that kexec or a crash started (scripts/shutdown/): its clock restarted.
            self.uptime = m.group(1)
            self.note(f"userspace of a next kernel (guest uptime {self.uptime} s)")
        if m and self.userspace is None:
            self.userspace, self.uptime = self.elapsed(), m.group(1)
            self.note(f"userspace after {self.userspace:.1f} s (guest uptime {self.uptime} s)")
            self.set_stage("L1 running the command")
        if self.userspace is not None and self.exit is None:
            if "VMXRUN-GUEST-SHELL" in text:
                self.set_stage("guest command (the L2 guest reached its init)")
            elif "VMXRUN-GUEST-POWEROFF" in text:
                self.set_stage("guest poweroff")
        self.check_fatal(text)
        m = DMESG_END_RE.match(text)
        if m:
            self.dmesg = (int(m.group(1)), int(m.group(2)))
        m = EXIT_RE.match(text)
        if m and self.exit is None:
            self.exit = int(m.group(1))
            self.set_stage("L1 poweroff")
        if PANIC_RE.search(text) and self.panic is None and not (
                self.expected_panics and self.expected_panics[-1][0] in text):
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
            if run.fatal is not None and t - run.fatal[2] > FATAL_GRACE:
                stop()
                run.feed(f.read(), final=True)
                break
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
                run.note(f"{run.stage}: {int(t - run.stage_t)} s so far...")
                next_progress += progress
            time.sleep(0.2)

    wall = run.elapsed()
    status = "exited"
    if run.fatal is not None:
        status, code = run.fatal[0], 125
        outcome = run.fatal[1]
    elif run.exit is not None:
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
        if run.fatal is not None:
            r.write(f"t_fatal={run.fatal[2]:.1f}\n")
        for line, t in run.expected_panics:
            r.write(f"expected_panic={t:.1f} {line}\n")
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
