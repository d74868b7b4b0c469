#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A TCP transfer whose receiver proves what it got (integration tests).

  tcp_sha.py recv PORT READYFILE   accept one connection on PORT (READYFILE
        is created once listening), read to the end, print "BYTES SHA256"
  tcp_sha.py send ADDR PORT FILE   connect to ADDR:PORT and send FILE
"""
import hashlib
import os
import socket
import sys

# seconds for the whole transfer (TCP_SHA_TIMEOUT, default 60)
TIMEOUT = float(os.environ.get("TCP_SHA_TIMEOUT", "60"))


def recv(port, ready):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    s.settimeout(TIMEOUT)
    open(ready, "w").close()
    c, _ = s.accept()
    c.settimeout(TIMEOUT)
    h = hashlib.sha256()
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    print(n, h.hexdigest())


def send(addr, port, path):
    c = socket.create_connection((addr, port), timeout=TIMEOUT)
    with open(path, "rb") as f:
        c.sendall(f.read())
    c.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["recv"]:
        recv(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1:2] == ["send"]:
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)
