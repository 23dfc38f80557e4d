#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise the TAP results of testbed boots (scripts/testbed check).

usage: tap.py WORKDIR...

Reads WORKDIR/serial.log, WORKDIR/result (boot.py) and WORKDIR/bochsrc of each boot, and
WORKDIR/verdict where `scripts/testbed check` judged a boot itself (make run's boot, the
panic self-test): TAP result lines that count like the serial ones; with a line "# alone"
the verdict is the whole judgement (a boot meant to be stopped has no exit marker and no
kernel-log check).

Counting, over the serial lines between /init's USERSPACE marker and the EXIT marker:
  * a result line is "ok N ..." or "not ok N ..." at any indentation, so top-level and nested
    (per test binary) results count alike, each line once; a failing nested test usually
    also fails its parent line, and both count;
  * a result with a "# SKIP" or "# TODO" directive (any case) is skipped, whether ok or not;
  * any other "ok" is passed, any other "not ok" is failed; "Bail out!" counts as one failure;
  * a boot problem no result line records counts as one more failure: no exit marker
    (timeout, kernel panic, Bochs died), no TAP output, exit status other than 0 or 4 (KSFT_SKIP)
    with no failed result, no kernel-log check, suspicious kernel-log lines (BUG/WARNING/Oops/...)
    or a taint meaning warning (W), oops (D) or soft lockup (L).
Prints one summary per boot, then "testbed: N passed, N failed, N skipped" alone on the last
line. Each failed result is followed by the last few "# " lines printed before it (the test's
own diagnostics), so the summary alone says why. Exit status 1 if anything failed.
"""
import os
import re
import sys

RESULT_RE = re.compile(r"^\s*(not ok|ok)\s+\d+\b(.*)$")
DIRECTIVE_RE = re.compile(r"#\s*(SKIP|TODO)\b", re.IGNORECASE)
BAIL_RE = re.compile(r"^\s*Bail out!")
TAINT_BAD = {"W": 1 << 9, "D": 1 << 7, "L": 1 << 14}
KSFT_SKIP = 4
NOTES_PER_FAILURE = 6   # CI shows only the summary: enough to diagnose a failure from it


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r", "")
    except OSError:
        return None


def boot_summary(work):
    name = os.path.basename(os.path.normpath(work))
    result = {}
    for line in (read(os.path.join(work, "result")) or "").splitlines():
        k, _, v = line.partition("=")
        result[k] = v
    m = re.search(r"^cpu: model=([^,\s]+), count=(\d+)", read(os.path.join(work, "bochsrc")) or "",
                  re.MULTILINE)
    what = f"{m.group(1)}, {m.group(2)} CPU{'s' if m.group(2) != '1' else ''}" if m else "?"

    passed = failed = skipped = 0
    failures, problems, flagged, traces = [], [], [], []
    in_user = False
    notes = []          # the "# ..." lines since the last result: a failure's diagnostics
    for line in (read(os.path.join(work, "serial.log")) or "").splitlines():
        if line.startswith("VMXMON-TESTBED-USERSPACE"):
            in_user = True
            continue
        if line.startswith("VMXMON-TESTBED-EXIT="):
            in_user = False
            continue
        if line.startswith("VMXMON-TESTBED-DMESG: "):
            flagged.append(line[len("VMXMON-TESTBED-DMESG: "):])
            continue
        if line.startswith("VMXMON-TESTBED-DMESG-TRACE: "):
            traces.append(line[len("VMXMON-TESTBED-DMESG-TRACE: "):])
            continue
        if not in_user:
            continue
        r = RESULT_RE.match(line)
        if r:
            if DIRECTIVE_RE.search(r.group(2)):
                skipped += 1
            elif r.group(1) == "ok":
                passed += 1
            else:
                failed += 1
                failures.append(line.strip())
                failures.extend("  " + n for n in notes[-NOTES_PER_FAILURE:])
            notes = []
        elif line.lstrip().startswith("#"):
            notes.append(line.strip())
        elif BAIL_RE.match(line):
            failed += 1
            failures.append(line.strip())

    alone = False
    for line in (read(os.path.join(work, "verdict")) or "").splitlines():
        r = RESULT_RE.match(line)
        if r and r.group(1) == "ok":
            passed += 1
        elif r:
            failed += 1
            failures.append(line.strip())
        elif line.strip() == "# alone":
            alone = True
        elif line.startswith("#"):
            failures.append(line.strip())

    status = result.get("status")
    code = int(result["code"]) if result.get("code", "").lstrip("-").isdigit() else None
    if alone:
        pass
    elif not result:
        problems.append("did not run (no result file)")
    elif status != "exited":
        problems.append(result.get("outcome", status))
    else:
        if passed + failed + skipped == 0:
            problems.append("no TAP results on the serial console")
        if code not in (0, KSFT_SKIP) and failed == 0:
            problems.append(f"exit status {code} but no failed TAP result")
        if "flagged" not in result:
            problems.append("no kernel-log check (VMXMON-TESTBED-DMESG-END missing)")
    if flagged and not alone:
        problems.append(f"{len(flagged)} suspicious kernel-log line(s)")
    taint = int(result.get("taint", "0"))
    bad = "".join(k for k, bit in TAINT_BAD.items() if taint & bit)
    if bad and not alone:
        problems.append(f"kernel tainted {bad} (taint={taint})")
    failed += len(problems)

    timing = []
    if code is not None and status == "exited":
        timing.append(f"exit {code}")
    if "userspace" in result:
        timing.append(f"userspace {result['userspace']} s")
    if "wall" in result:
        timing.append(f"wall {float(result['wall']):.0f} s")
    verdict = "FAIL" if failed else "ok"
    print(f"testbed: {name} ({what}): {passed} passed, {failed} failed, {skipped} skipped"
          f"{'; ' + ', '.join(timing) if timing else ''} -- {verdict}")
    for f in failures:
        print(f"testbed:   {name}: {f}")
    for p in problems:
        print(f"testbed:   {name}: {p}")
    for f in flagged[:20]:
        print(f"testbed:   {name}: kernel: {f}")
    if len(flagged) > 20:
        print(f"testbed:   {name}: ... {len(flagged) - 20} more in {work}/serial.log")
    for t in traces:
        print(f"testbed:   {name}: kernel report: {t}")
    return passed, failed, skipped


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.split("\n\n")[1])
    total = [0, 0, 0]
    for work in sys.argv[1:]:
        for i, n in enumerate(boot_summary(work)):
            total[i] += n
    print(f"testbed: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main())
