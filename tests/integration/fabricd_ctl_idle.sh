#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The control socket stays available (issue 10, finding 6): 64 idle clients
# (connected, sending nothing), as root and as a member of the socket's
# group, while `fabricctl status` must answer within its timeout, for root
# and for a group member; an idle client is closed after the idle timeout
# (10 s), a client stuck in the middle of a request after 5 s, with an
# error reply. fabricd runs Ethernet-only (--no-ib) in a network namespace
# of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabricd.sh

FABRICD=${FABRICD:-$PWD/build/bin/fabricd}
FABRICCTL=${FABRICCTL:-$PWD/build/bin/fabricctl}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces, setpriv)"
PY=/usr/bin/python3
tap_need "$FABRICD" "$FABRICCTL" jq $PY setpriv

HOLD_PID=""
unhold() {
	[ -z "$HOLD_PID" ] || kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=""
}
FABRICD_NS_CLEANUP=unhold
fabricd_ns_init idle
cat >"$D/fabric.yaml" <<'EOF'
fabric: { name: idle-test }
partitions:
  - { name: tenant-a, pkey: 0x0021, vlan: 20, ipv4: 10.20.0.0/24,
      members: [ { all_cas: true, membership: full } ] }
gateways:
  - { name: gw1, uplink: up0, addresses: { tenant-a: [10.20.0.1/24] } }
EOF

# The idle clients: connect N times (each connect bounded by 0.2 s), print
# how many connected, hold them until killed.
cat >"$D/hold.py" <<'PY'
import socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(0.2)
    try:
        s.connect(path)
    except OSError:
        continue
    socks.append(s)
print(len(socks), flush=True)
time.sleep(120)
PY
# hold N [USER]: start the idle clients in the background (HOLD_PID) and
# wait until they all tried.
hold() {
	local who=()
	[ -z "${2:-}" ] || who=(setpriv --reuid="$2" --regid=nogroup --clear-groups)
	"${who[@]}" $PY "$D/hold.py" "$SOCK" "$1" >"$D/hold.out" 2>&1 &
	HOLD_PID=$!
	for _ in $(seq 200); do [ -s "$D/hold.out" ] && break; sleep 0.1; done
	diag "$(cat "$D/hold.out") of $1 idle clients connected"
}
# status_in MS [USER]: fabricctl status with timeout MS; fails when it
# does not answer (as USER when given: a member of the socket's group).
status_in() {
	local who=()
	[ -z "${2:-}" ] || who=(setpriv --reuid="$2" --regid=nogroup --clear-groups)
	local out
	out=$(timeout 20 "${who[@]}" "$FABRICCTL" -s "$SOCK" -t "$1" -j status) &&
		jq_true '.version == "0.1"' <<<"$out"
}
timed() { # VAR CMD...: run CMD, its wall time in ms into VAR
	local t0=$(date +%s%N) rc
	"${@:2}"
	rc=$?
	printf -v "$1" %d $((($(date +%s%N) - t0) / 1000000))
	return $rc
}

# clients: how many control clients fabricd holds (its sockets over base).
nsock() { find /proc/"$FD_PID"/fd -lname 'socket:*' | wc -l; }
clients() { echo $(($(nsock) - base)); }

fabricd_ns_start --policy "$D/fabric.yaml" --ctl-group nogroup
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
check "fabricctl status answers" status_in 3000
base=$(nsock)

hold 64
check "64 idle root clients: root's status answers within 3 s" \
	timed ms status_in 3000
diag "root's status took $ms ms"
check "64 idle root clients: a group member's status answers" \
	status_in 3000 nobody
n=$(clients)
check "64 idle root clients: fabricd holds at most 32 ($n)" test "$n" -le 32
unhold

hold 64 nobody
check "64 idle group-member clients: root's status answers within 3 s" \
	timed ms status_in 3000
diag "root's status took $ms ms"
check "64 idle group-member clients: the member's own status answers" \
	status_in 3000 nobody
n=$(clients)
check "64 idle group-member clients: fabricd holds at most 8 ($n)" \
	test "$n" -le 8
unhold

# Idle and slow clients are closed: idle after 10 s, a partial request
# after 5 s with an error reply.
r=$($PY - "$SOCK" <<'PY'
import socket, sys, time
def closed_after(payload):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    if payload:
        s.sendall(payload)
    s.settimeout(30)
    t0, buf = time.time(), b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return "%.1f %s" % (time.time() - t0, buf.decode().strip() or "-")
print(closed_after(None))
print(closed_after(b'{"id": 1, "method": "sta'))
PY
)
idle_s=$(sed -n 1p <<<"$r" | cut -d' ' -f1)
slow_s=$(sed -n 2p <<<"$r" | cut -d' ' -f1)
diag "idle client closed after $idle_s s, slow one after $slow_s s"
check "an idle client is closed after 10 s" \
	awk -v t="$idle_s" 'BEGIN { exit !(t >= 9.5 && t <= 12) }'
check "a client stuck mid-request is closed after 5 s" \
	awk -v t="$slow_s" 'BEGIN { exit !(t >= 4.5 && t <= 7) }'
check "it is told why" grep -q '"error":"request not completed within 5 s' <<<"$r"

# fabricctl against a daemon that accepts nothing: a clear error in time.
kill -STOP "$FD_PID"
timed ms "$FABRICCTL" -s "$SOCK" -t 1000 status >/dev/null 2>"$D/stopped.err"
rc=$?
kill -CONT "$FD_PID"
diag "fabricctl against a stopped fabricd: exit $rc after $ms ms: $(cat "$D/stopped.err")"
check_eq "stopped fabricd: fabricctl exits 2" 2 "$rc"
check "stopped fabricd: within its 1 s timeout" test "$ms" -lt 2000
check "stopped fabricd: says it did not answer" \
	grep -q "did not answer within 1000 ms" "$D/stopped.err"
check "fabricd alive after all that" status_in 3000

tap_done
