#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""ctl.py SOCKET METHOD [ARG]...: one control-socket call, the result as JSON."""
import json
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
req = {"jsonrpc": "2.0", "id": 1, "method": sys.argv[2], "params": sys.argv[3:]}
s.sendall((json.dumps(req) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
rep = json.loads(buf)
if "error" in rep and rep["error"]:
    print(json.dumps(rep["error"]), file=sys.stderr)
    sys.exit(1)
print(json.dumps(rep.get("result"), sort_keys=True))
