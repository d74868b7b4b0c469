#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A policy path that is not a plain file, or is huge, must not stop fabricd:
# a FIFO (no writer), /dev/zero and a 100 MB file, each given on SIGHUP to a
# running fabricd. Each time the reload is refused with a clear log line,
# the control socket keeps answering, memory stays small, and SIGTERM still
# stops the daemon. fabricd runs Ethernet-only, without an engine.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
tap_need "$FABRICD" "$FABRICCTL"

D=$(mktemp -d /tmp/fabricd-pread.XXXXXX)
FD_PID=""
cleanup() {
	[ -n "$FD_PID" ] && kill -KILL "$FD_PID" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

cat >"$D/good.yaml" <<'YAML'
partitions:
  - { name: tenant-a, pkey: 0x0021 }
YAML
cp "$D/good.yaml" "$D/fabric.yaml"
SOCK=$D/fabricd.ctl
"$FABRICD" -f --no-ib --no-engine -c "$D/fabric.yaml" -S "$D/state" \
	-s "$SOCK" -p "$D/fabricd.pid" 2>"$D/log" &
FD_PID=$!
for _ in $(seq 50); do
	[ -S "$SOCK" ] && break
	sleep 0.1
done
timeout 10 "$FABRICCTL" -s "$SOCK" status >/dev/null
check_eq "fabricd answers with a good policy" 0 $?

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$FD_PID/status"; }

# reload KIND WHAT: make fabric.yaml WHAT, SIGHUP, check the daemon.
reload() {
	local kind=$1 what=$2 rc
	kill -HUP "$FD_PID"
	sleep 1
	timeout 5 "$FABRICCTL" -t 3000 -s "$SOCK" status >/dev/null
	rc=$?
	check_eq "$kind policy: fabricd still answers" 0 "$rc"
	check "$kind policy: the reload is refused: $what" grep -q "$what" "$D/log"
	check "$kind policy: fabricd stays small ($(rss_kb) KiB)" \
		[ "$(rss_kb)" -lt 100000 ]
}

rm "$D/fabric.yaml"
mkfifo "$D/fabric.yaml"
reload FIFO "fabric.yaml: error: cannot read the policy: not a regular file"
rm "$D/fabric.yaml"
ln -s /dev/zero "$D/fabric.yaml"
: >"$D/log"
reload /dev/zero "not a regular file"
rm "$D/fabric.yaml"
truncate -s 100M "$D/fabric.yaml"
: >"$D/log"
reload "100 MB" "larger than 16 MiB"

kill -TERM "$FD_PID"
for _ in $(seq 50); do
	kill -0 "$FD_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$FD_PID" 2>/dev/null
check_eq "SIGTERM stops fabricd" 1 $?
wait "$FD_PID" 2>/dev/null
FD_PID=""
tap_done
