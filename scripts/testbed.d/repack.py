#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Repack a distro bzImage so that no decompression runs at boot (the Bochs testbed's L1 kernel).

usage: repack.py STUB.S VMLINUZ OUT

Bochs takes ~50 s to inflate Debian's XZ payload. The new image keeps the original real-mode
setup sectors (so any boot-protocol loader, here isolinux, still accepts it) and replaces the
protected-mode part with stub.S followed by the vmlinux PT_LOAD segments laid out flat by
physical address. See stub.S for what runs at boot.

The same image boots as an L2 guest under vmxrun, which enters a bzImage through its 64-bit
entry (stub.S has one at 0x200): the guest kernel is Debian's, unmodified, and skips the
~45 s of L1 time its XZ decompression costs there.

Header fields we touch (Documentation/x86/boot.rst): syssize (protected-mode size), init_size
(memory the kernel needs from the load address), relocatable_kernel (cleared: the stub must
be loaded at 1 MiB and the kernel runs at its link address), payload_offset/length and
xloadflags/handover_offset (no compressed payload, no EFI entry; XLF_KERNEL_64 stays: the
stub's 64-bit entry, but not XLF_CAN_BE_LOADED_ABOVE_4G).
"""
import os
import struct
import subprocess
import sys
import tempfile

XZ_MAGIC = b"\xfd7zXZ\x00"
PROT_MODE_LOAD = 0x100000  # where a non-relocatable bzImage's protected-mode part is loaded
FLAT_OFFSET = 0x8000       # stub.S: PT_OFFSET + PT_SPACE


def die(msg):
    sys.exit(f"repack: {msg}")


def align(x, a):
    return (x + a - 1) & ~(a - 1)


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def extract_vmlinux(bz, pm_start):
    """The ELF inside the bzImage: the first XZ (Debian 6.1) or ZSTD (Debian 6.12) stream
    after the setup code, whichever comes first."""
    found = [(at, kind) for kind, magic in (("xz", XZ_MAGIC), ("zstd", ZSTD_MAGIC))
             for at in (bz.find(magic, pm_start),) if at >= 0]
    if not found:
        die("no XZ or ZSTD payload found (only those compressions are supported)")
    at, kind = min(found)
    if kind == "zstd":
        # No zstd module in Debian 12's Python: zstd(1) (package zstd) decodes the frame and
        # complains on stderr about the decompressor's bytes that follow it, which is
        # ignored: the ELF check below catches a real failure.
        elf = subprocess.run(["zstd", "-dc", "--no-progress"], input=bz[at:],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout
    else:
        try:
            import lzma
        except ImportError:  # a Python built without liblzma: let xz(1) do it
            elf = subprocess.run(["xz", "-dc", "--single-stream"], input=bz[at:],
                                 stdout=subprocess.PIPE, check=True).stdout
        else:
            dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
            elf = dec.decompress(bz[at:])  # stops at the end of the stream, ignores the rest
            if not dec.eof:
                die("truncated XZ payload")
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die("payload is not a little-endian ELF64 (vmlinux)")
    return elf


def flatten(elf):
    """Lay PT_LOAD segments out by p_paddr. Returns (base, flat bytes, memsz end, entry)."""
    e_entry, e_phoff = struct.unpack_from("<QQ", elf, 0x18)
    e_phentsize, e_phnum = struct.unpack_from("<HH", elf, 0x36)
    loads = []
    for i in range(e_phnum):
        p_type, _flags, off, vaddr, paddr, filesz, memsz, _align = struct.unpack_from(
            "<IIQQQQQQ", elf, e_phoff + i * e_phentsize)
        if p_type == 1:  # PT_LOAD
            loads.append((paddr, vaddr, off, filesz, memsz))
    if not loads:
        die("vmlinux has no PT_LOAD segment")
    base = min(l[0] for l in loads)
    end = max(l[0] + l[3] for l in loads)
    mem_end = max(l[0] + l[4] for l in loads)
    if base % 0x200000:
        die(f"lowest p_paddr {base:#x} is not 2 MiB aligned")
    flat = bytearray(end - base)
    for paddr, _vaddr, off, filesz, _memsz in loads:
        flat[paddr - base:paddr - base + filesz] = elf[off:off + filesz]
    # e_entry of an x86-64 vmlinux is physical (startup_64); accept a virtual one too.
    entry = e_entry
    if not any(l[0] <= entry < l[0] + l[4] for l in loads):
        hits = [l for l in loads if l[1] <= e_entry < l[1] + l[4]]
        if not hits:
            die(f"entry point {e_entry:#x} is in no PT_LOAD segment")
        entry = e_entry - hits[0][1] + hits[0][0]
    return base, flat, mem_end - base, entry


def assemble(stub_src, syms):
    with tempfile.TemporaryDirectory() as tmp:
        obj, out = os.path.join(tmp, "stub.o"), os.path.join(tmp, "stub.bin")
        defs = [a for k, v in syms.items() for a in ("--defsym", f"{k}={v:#x}")]
        subprocess.run(["as", "--64", *defs, "-o", obj, stub_src], check=True)
        subprocess.run(["ld", "-m", "elf_x86_64", "-Ttext=0", "-e", "_start",
                        "--oformat", "binary", "-o", out, obj], check=True)
        with open(out, "rb") as f:
            stub = f.read()
    if len(stub) != FLAT_OFFSET:
        die(f"stub is {len(stub):#x} bytes, expected {FLAT_OFFSET:#x}")
    return stub


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    stub_src, vmlinuz, out = sys.argv[1:]
    with open(vmlinuz, "rb") as f:
        bz = f.read()
    if bz[0x202:0x206] != b"HdrS" or struct.unpack_from("<H", bz, 0x206)[0] < 0x20a:
        die(f"{vmlinuz}: not a bzImage with boot protocol >= 2.10")
    if not bz[0x211] & 1:
        die(f"{vmlinuz}: not loaded high (zImage?)")
    setup_sects = bz[0x1f1] or 4
    pm_start = (setup_sects + 1) * 512

    base, flat, mem_size, entry = flatten(extract_vmlinux(bz, pm_start))
    # What stays in the image: the segments up to their last nonzero byte. The stub zeroes
    # the rest up to mem_size (.bss, .brk and .init.scratch are all zero).
    flat_size = align(len(bytes(flat).rstrip(b"\0")), 4)
    mem_size = align(mem_size, 4)
    flat = bytes(flat[:flat_size]).ljust(flat_size, b"\0")
    if PROT_MODE_LOAD + FLAT_OFFSET > base:
        die(f"kernel base {base:#x} is below the stub's end")

    stub = assemble(stub_src, {"KERNEL_BASE": base, "FLAT_SIZE": flat_size,
                               "ZERO_END": mem_size, "ENTRY": entry})
    pm = stub + flat
    pm += b"\0" * (-len(pm) % 16)

    setup = bytearray(bz[:pm_start])
    struct.pack_into("<I", setup, 0x1f4, len(pm) // 16)                  # syssize
    setup[0x234] = 0                                                     # relocatable_kernel
    xload = struct.unpack_from("<H", setup, 0x236)[0] & ~0x1f | 0x1     # 64-bit entry only
    struct.pack_into("<H", setup, 0x236, xload)
    struct.pack_into("<II", setup, 0x248, 0, 0)                          # payload_offset/length
    init_size = align(base + mem_size - PROT_MODE_LOAD, 0x1000)
    old_init = struct.unpack_from("<I", setup, 0x260)[0]
    struct.pack_into("<I", setup, 0x260, max(init_size, old_init))       # init_size
    struct.pack_into("<I", setup, 0x264, 0)                              # handover_offset

    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(setup)
        f.write(pm)
    os.replace(tmp, out)
    mib = 1 << 20
    print(f"repack: {os.path.basename(vmlinuz)} {len(bz) / mib:.1f} MiB -> {out} "
          f"{(len(setup) + len(pm)) / mib:.1f} MiB (kernel {base:#x}+{flat_size:#x}, "
          f"zeroed to +{mem_size:#x}, entry {entry:#x})", file=sys.stderr)


if __name__ == "__main__":
    main()
