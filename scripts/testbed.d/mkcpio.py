#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write an initramfs (cpio "newc") from a manifest, without needing root for device nodes.

usage: mkcpio.py [--gzip] OUT < MANIFEST

Manifest lines, fields separated by tabs (like the kernel's gen_init_cpio, plus "tree");
every entry is owned by root:
    dir   PATH MODE
    file  PATH SRC MODE
    slink PATH TARGET
    nod   PATH MODE c|b MAJOR MINOR
    tree  PATH SRCDIR        SRCDIR's contents under PATH (file modes and symlinks kept)
Parent directories are created as needed (mode 755). Timestamps are 0: same input, same bytes.
"""
import gzip
import os
import stat
import sys


class Cpio:
    def __init__(self, out):
        self.out = out
        self.ino = 1000
        self.seen = set()

    def _entry(self, path, mode, data=b"", rdev=(0, 0)):
        name = path.strip("/").encode() + b"\0"
        self.ino += 1
        hdr = "070701" + "".join(f"{v:08x}" for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name), 0))
        self.out.write(hdr.encode() + name + b"\0" * (-(110 + len(name)) % 4))
        self.out.write(data + b"\0" * (-len(data) % 4))

    def _parents(self, path):
        parts = path.strip("/").split("/")[:-1]
        for i in range(len(parts)):
            self.dir("/".join(parts[:i + 1]), 0o755)

    def _add(self, path, mode, data=b"", rdev=(0, 0)):
        key = path.strip("/")
        if key in self.seen:
            if stat.S_ISDIR(mode):
                return
            sys.exit(f"mkcpio: {path}: listed twice")
        self._parents(path)
        self.seen.add(key)
        self._entry(path, mode, data, rdev)

    def dir(self, path, mode):
        self._add(path, stat.S_IFDIR | mode)

    def file(self, path, src, mode=None):
        st = os.stat(src)
        with open(src, "rb") as f:
            data = f.read()
        self._add(path, stat.S_IFREG | (mode if mode is not None else st.st_mode & 0o7777), data)

    def slink(self, path, target):
        self._add(path, stat.S_IFLNK | 0o777, target.encode())

    def nod(self, path, mode, kind, major, minor):
        self._add(path, (stat.S_IFCHR if kind == "c" else stat.S_IFBLK) | mode, rdev=(major, minor))

    def tree(self, path, src):
        self.dir(path, 0o755)
        for root, dirs, files in os.walk(src):
            dirs.sort()
            rel = os.path.relpath(root, src)
            dest = path if rel == "." else f"{path}/{rel}"
            for d in dirs:
                full = os.path.join(root, d)
                if os.path.islink(full):
                    self.slink(f"{dest}/{d}", os.readlink(full))
                else:
                    self.dir(f"{dest}/{d}", 0o755)
            for name in sorted(files):
                full = os.path.join(root, name)
                if os.path.islink(full):
                    self.slink(f"{dest}/{name}", os.readlink(full))
                else:
                    self.file(f"{dest}/{name}", full)

    def close(self):
        self._entry("TRAILER!!!", 0)


def main():
    args = sys.argv[1:]
    use_gzip = bool(args) and args[0] == "--gzip"
    if use_gzip:
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__.split("\n\n")[1])
    tmp = args[0] + ".tmp"
    with open(tmp, "wb") as raw:
        out = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) if use_gzip else raw
        cpio = Cpio(out)
        for n, line in enumerate(sys.stdin, 1):
            f = line.rstrip("\n").split("\t")
            if not f[0] or f[0].startswith("#"):
                continue
            try:
                if f[0] == "dir":
                    cpio.dir(f[1], int(f[2], 8))
                elif f[0] == "file":
                    cpio.file(f[1], f[2], int(f[3], 8) if len(f) > 3 else None)
                elif f[0] == "slink":
                    cpio.slink(f[1], f[2])
                elif f[0] == "nod":
                    cpio.nod(f[1], int(f[2], 8), f[3], int(f[4]), int(f[5]))
                elif f[0] == "tree":
                    cpio.tree(f[1], f[2])
                else:
                    raise ValueError(f"unknown entry type {f[0]!r}")
            except (IndexError, ValueError, OSError) as e:
                sys.exit(f"mkcpio: manifest line {n}: {e}")
        cpio.close()
        if use_gzip:
            out.close()
    os.replace(tmp, args[0])


if __name__ == "__main__":
    main()
