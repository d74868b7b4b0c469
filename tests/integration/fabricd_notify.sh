#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd under systemd's notify protocol (the unit is Type=notify with
# WatchdogSec=), spoken through libsystemd's sd_notify(): this test plays
# the service manager with a datagram socket of its own in $NOTIFY_SOCKET
# (python3) and checks what fabricd sends: READY=1 with a STATUS= once it
# runs, WATCHDOG=1 from its main loop every WATCHDOG_USEC/2, RELOADING=1
# then READY=1 around a SIGHUP, STOPPING=1 on SIGTERM; no pings when the
# watchdog is meant for another PID. fabricd runs Ethernet-only (--no-ib)
# in a network namespace of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

FABRICD=$PWD/build/bin/fabricd
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespace)"
tap_need "$FABRICD" python3

T=$(mktemp -d /tmp/notify-test.XXXXXX)
NS=notify-$$
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$NS" || skip_all "cannot create a network namespace"

cat >"$T/fabric.yaml" <<'YAML'
partitions:
  - name: a
    pkey: 0x0021
    members: [ { all_cas: true, membership: full } ]
YAML
# The listener: every datagram as "SECONDS MESSAGE" (newlines as '|').
cat >"$T/listen.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    d = s.recv(4096)
    print("%.3f %s" % (time.monotonic(), d.decode().replace("\n", "|")), flush=True)
PY

# run NAME ENV...: the listener, then fabricd with ENV; FD is its PID.
run() {
	local name=$1
	shift
	python3 "$T/listen.py" "$T/$name.sock" >"$T/$name.out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do
		grep -qs listening "$T/$name.out" && break
		sleep 0.1
	done
	env NOTIFY_SOCKET="$T/$name.sock" "$@" ip netns exec "$NS" \
		"$FABRICD" --policy "$T/fabric.yaml" --no-ib --no-engine \
		-S "$T/$name.state" -s "$T/$name.ctl" -p "$T/$name.pid" \
		--foreground >"$T/$name.log" 2>&1 &
	FD=$!
	PIDS+=($FD)
}
said() { grep -cs " $2" "$T/$1.out"; }
wait_said() { # NAME MESSAGE
	for _ in $(seq 50); do
		[ "$(said "$1" "$2")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

wait_for_ready_twice() {
	for _ in $(seq 50); do
		ready_twice && return 0
		sleep 0.1
	done
	return 1
}

run wd WATCHDOG_USEC=400000
check "READY=1 once it runs" wait_said wd "READY=1"
check "with a STATUS= line" grep -q "READY=1|STATUS=1 partitions; converged" \
	"$T/wd.out"
sleep 1.2
pings=$(said wd "WATCHDOG=1")
diag "WATCHDOG=1 pings in the first ~1.2 s at 200 ms: $pings"
check "WATCHDOG=1 every WATCHDOG_USEC/2 (200 ms): 5..9 pings" \
	test "$pings" -ge 5 -a "$pings" -le 9
gaps=$(awk '/WATCHDOG=1/ { if (t) printf "%d\n", ($1 - t) * 1000; t = $1 }' \
	"$T/wd.out" | sort -n | tail -n 1)
check "the longest gap between pings is under the 400 ms watchdog" \
	test "${gaps:-9999}" -lt 400
check "the interval is logged" grep -q "systemd watchdog: pinging every 200 ms" \
	"$T/wd.log"
kill -HUP "$FD"
check "SIGHUP: RELOADING=1" wait_said wd "RELOADING=1"
ready_twice() { [ "$(grep -c 'READY=1|' "$T/wd.out")" -eq 2 ]; }
check "SIGHUP: READY=1 again after it" wait_for_ready_twice
check "... after RELOADING=1" bash -c "grep -E 'RELOADING=1|READY=1' '$T/wd.out' |
	tail -n 2 | head -n 1 | grep -q RELOADING=1"
kill "$FD"
wait "$FD"
check_eq "SIGTERM: exit 0" 0 $?
check "SIGTERM: STOPPING=1" wait_said wd "STOPPING=1"

# The watchdog of another process: libsystemd tells fabricd not to ping.
run other WATCHDOG_USEC=400000 WATCHDOG_PID=1
wait_said other "READY=1"
sleep 0.6
check_eq "WATCHDOG_PID of another process: no ping" 0 "$(said other WATCHDOG=1)"
kill "$FD"
wait "$FD"
tap_done
