#!/usr/bin/env python3
"""Turn exit_bench lines ("bench dev=D op=O n=N median=M min=A max=B") into a Markdown table,
a CSV file and an SVG bar chart comparing vmxmon with kvm_intel."""
import re
import sys

TARGET = {"linux-boot": 1.0, "invd": 0.5, "cpuid": 0.5, "vmcall": 0.5, "pio-out": 0.7, "mmio-write": 0.7,
          "irq-inject": 0.7}  # design.md: vmxmon / KVM ratio (none for the in-kernel APIC rows)
WHERE = {"linux-boot": "vmxrun start to guest init, stock vmlinuz",
         "invd": "kernel, floor", "cpuid": "kernel", "vmcall": "kernel", "pio-out": "userspace",
         "mmio-write": "userspace", "irq-inject": "userspace + KVM_INTERRUPT",
         "ipi": "kernel: vCPU 0 -> 1 -> 0, both waiting in HLT",
         "timer": "kernel: TSC deadline to the guest's handler",
         "cr8": "MOV to CR8, 64-bit: a TPR shadow keeps it in the guest",
         "xapic-tpr": "xAPIC TPR write, 64-bit: an APIC-access page keeps it in the guest",
         "xapic-eoi": "xAPIC EOI write: APIC-access exit (vmxmon) or EPT violation, decoded",
         "first-touch": "kernel: EPT violation faulting in a new 4 KiB page (per page)",
         "first-touch-2m": "kernel: EPT violation faulting in a new 2 MiB THP (per 2 MiB)"}


TSC_KHZ = 100000  # the testbed's L1: tsc_early_khz=100000 (one tick per emulated instruction)


def parse(path):
    rows = {}
    for line in open(path, errors="replace"):
        b = re.match(r"bench dev=(\S+) op=linux-boot n=1 l1s=([\d.]+):([\d.]+)", line)
        if b:
            ticks = int((float(b.group(3)) - float(b.group(2))) * TSC_KHZ * 1000)
            rows[(b.group(1), "linux-boot")] = (1, ticks, ticks, ticks)
            continue
        m = re.match(r"bench dev=(\S+) op=(\S+) n=(\d+) median=(\d+) min=(\d+) max=(\d+)", line)
        if m:
            dev, op = m.group(1), m.group(2)
            rows[(dev, op)] = tuple(int(x) for x in m.groups()[2:])
    return rows


def svg(ops, rows, path):
    w, bar, gap, h = 760, 28, 40, 260
    ops = [o for o in ops if o != "linux-boot"]  # another scale: in the table only
    top = max(rows[(d, o)][1] for o in ops for d in ("vmxmon", "kvm") if (d, o) in rows)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 60}" '
           'font-family="sans-serif" font-size="12">',
           f'<text x="10" y="16">VM-exit round trip, median TSC ticks (Bochs: emulated instructions)</text>']
    x = 60
    for op in ops:
        for i, (dev, color) in enumerate((("vmxmon", "#2b7bb9"), ("kvm", "#d9822b"))):
            if (dev, op) not in rows:
                continue
            med = rows[(dev, op)][1]
            bh = int(h * 0.8 * med / top)
            bx = x + i * (bar + 4)
            out.append(f'<rect x="{bx}" y="{h - bh + 20}" width="{bar}" height="{bh}" fill="{color}"/>')
            out.append(f'<text x="{bx}" y="{h - bh + 15}">{med}</text>')
        out.append(f'<text x="{x}" y="{h + 38}">{op}</text>')
        x += 2 * bar + gap + 40
    out.append(f'<rect x="{w - 150}" y="30" width="12" height="12" fill="#2b7bb9"/>'
               f'<text x="{w - 132}" y="41">vmxmon</text>')
    out.append(f'<rect x="{w - 150}" y="48" width="12" height="12" fill="#d9822b"/>'
               f'<text x="{w - 132}" y="59">kvm_intel</text>')
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")


def shared_table(ops, rows, raw):
    """vmxmon sharing kvm_intel's VMX root operation (issue 17) against owning it."""
    shared = [o for o in ops if ("vmxmon-shared", o) in rows]
    if not shared:
        return []
    md = ["", "| exit | owner mode median | shared mode median | extra ticks | ratio |",
          "|---|---:|---:|---:|---:|"]
    for op in shared:
        o, sh = rows[("vmxmon", op)][1], rows[("vmxmon-shared", op)][1]
        md.append(f"| {op} ({WHERE[op]}) | {o} | {sh} | {sh - o:+d} | {sh / o:.2f} |")
    md.append("")
    if "bench: vmxmon-shared ran in shared mode" in raw:
        md.append("Shared mode: kvm_intel loaded and a KVM VM holding VMX on the CPU; each "
                  "KVM_RUN of vmxmon is a section (VMPTRST, VMPTRLD, VMCLEAR, VMPTRLD of the "
                  "owner's VMCS: vmx/share.c).")
    else:
        md.append("WARNING: vmxmon's debugfs status did not say mode=shared for this run: "
                  "the shared-mode column is not trustworthy (see raw.log).")
    return md


def main():
    rows = parse(sys.argv[1])
    outdir = sys.argv[2]
    ops = [o for o in ("invd", "cpuid", "vmcall", "pio-out", "mmio-write", "irq-inject",
                       "ipi", "timer", "cr8", "xapic-tpr", "xapic-eoi", "first-touch", "first-touch-2m", "linux-boot") if ("vmxmon", o) in rows]
    md = ["| exit (handled in) | vmxmon median | min | max | kvm_intel median | min | max | ratio | target |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    csv = ["op,dev,n,median,min,max"]
    for op in ops:
        v = rows.get(("vmxmon", op))
        k = rows.get(("kvm", op))
        for dev, r in (("vmxmon", v), ("kvm", k)):
            if r:
                csv.append(f"{op},{dev},{r[0]},{r[1]},{r[2]},{r[3]}")
        ratio = f"{v[1] / k[1]:.2f}" if v and k else "n/a"
        kv = f"{k[1]} | {k[2]} | {k[3]}" if k else "n/a | | "
        target = f"<= {TARGET[op]}" if op in TARGET else ""
        md.append(f"| {op} ({WHERE[op]}) | {v[1]} | {v[2]} | {v[3]} | {kv} | {ratio} | {target} |")
    n = rows[("vmxmon", ops[0])][0] if ops else 0
    md.append("")
    md.append(f"TSC ticks per round trip, {n} iterations each, real-mode guest loop, same "
              "launcher binary on both devices, one Bochs run (corei7_haswell_4770).")
    md += shared_table(ops, rows, open(sys.argv[1], errors="replace").read())
    open(f"{outdir}/results.md", "w").write("\n".join(md) + "\n")
    open(f"{outdir}/results.csv", "w").write("\n".join(csv) + "\n")
    svg(ops, rows, f"{outdir}/results.svg")


if __name__ == "__main__":
    main()
