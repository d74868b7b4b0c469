#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""UDP flows for the gateway HA tests (tests/integration/gateway_ha*.sh).

  ha_flow.py echo PORT                 echo every datagram back (until killed)
  ha_flow.py ping ADDR PORT SECONDS MS send a numbered datagram every MS ms
        for SECONDS, count the echoes; prints "sent N recv M gap G" where G is
        the longest time in ms without an echo while sending (the loss
        window of a failover)
  ha_flow.py bsend ADDR PORT N         N UDP broadcasts to ADDR, 20 ms apart
  ha_flow.py bcount PORT STOPFILE      count datagrams to PORT until 2 s
        after STOPFILE appears; prints the count (a broadcast delivered
        twice counts twice)
"""
import os
import select
import socket
import sys
import time


def echo(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        d, a = s.recvfrom(2048)
        s.sendto(d, a)


def ping(addr, port, seconds, ms):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    start = time.monotonic()
    end = start + seconds
    nxt = start
    sent = recv = 0
    seen = set()
    last = start
    gap = 0.0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now >= nxt:
            try:
                s.sendto(b"%d" % sent, (addr, port))
            except OSError:
                pass
            sent += 1
            nxt += ms / 1000.0
        r, _, _ = select.select([s], [], [], max(0, min(nxt, end) - now))
        if r:
            try:
                d = s.recv(2048)
            except OSError:
                continue
            if d not in seen:
                seen.add(d)
                recv += 1
                t = time.monotonic()
                gap = max(gap, t - last)
                last = t
    gap = max(gap, end - last)
    print("sent %d recv %d gap %d" % (sent, recv, int(gap * 1000)))


def bsend(addr, port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    for i in range(n):
        s.sendto(b"b%d" % i, (addr, port))
        time.sleep(0.02)


def bcount(port, stopfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind(("0.0.0.0", port))
    end = None
    n = 0
    print("ready", file=sys.stderr, flush=True)
    while end is None or time.monotonic() < end:
        if end is None and os.path.exists(stopfile):
            end = time.monotonic() + 2
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            s.recv(2048)
            n += 1
    print(n)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "echo":
        echo(int(args[0]))
    elif cmd == "ping":
        ping(args[0], int(args[1]), float(args[2]), float(args[3]))
    elif cmd == "bsend":
        bsend(args[0], int(args[1]), int(args[2]))
    elif cmd == "bcount":
        bcount(int(args[0]), args[1])
    else:
        sys.exit(__doc__)
