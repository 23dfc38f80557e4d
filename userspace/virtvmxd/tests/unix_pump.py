#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""stdin/stdout <-> a Unix socket (what `nc -U PATH` does), for the transport tests."""
import os, select, socket, sys

s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[-1])
fds = [0, s]
while True:
    r, _, _ = select.select(fds, [], [])
    if 0 in r:
        data = os.read(0, 65536)
        if not data:
            s.shutdown(socket.SHUT_WR)
            fds.remove(0)
        else:
            s.sendall(data)
    if s in r:
        data = s.recv(65536)
        if not data:
            break
        os.write(1, data)
