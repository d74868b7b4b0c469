#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-reconcile: fabricd's reconciler against `ip -batch`, in the qemu
# testbed (real 802.1Q links), in one run, on the same veth uplink in a
# fresh network namespace each time:
#   create: 1000 partitions from scratch: 1000 VLAN links (up, alias) and
#           1000 IPv4 aliases;
#   change: 100 changes: 50 partitions leave (link deleted), 50 others come
#           (link + alias + address).
# fabricd is timed inside the daemon, from receiving the `reload` request to
# the reply (policy re-read and parsed, kernel dumped, diff, every request
# acked): the client here is python, whose start-up under TCG (~0.5 s)
# would swamp the numbers; the wall time including it is printed too.
# ip -batch does the same netlink operations (link add; link set up alias;
# addr add label / link del), timed around the ip process.
# Prints both times and the ratio fabricd / ip -batch (lower is better).
#
# Usage: tests/vm/run.sh -t 900 tests/bench/reconcile.sh   (make bench-reconcile)
#        sizes: tests/vm/run.sh -e N=100 -e CHANGES=20 -e ROUNDS=1 ...
set -u
cd "$(dirname "$0")/../.." || exit 1

N=${N:-1000}
CHANGES=${CHANGES:-100}
ROUNDS=${ROUNDS:-3}
FABRICD=$PWD/build/bin/fabricd
PY=/usr/bin/python3
D=$(mktemp -d /tmp/bench-reconcile.XXXXXX)
NS=benchrc
FD_PID=""

die() {
	echo "bench-reconcile: $*" >&2
	exit 1
}
cleanup() {
	[ -z "$FD_PID" ] || kill "$FD_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

[ -x "$FABRICD" ] || die "build/bin/fabricd not built (make)"
if ! ip link add bench-probe type vlan id 1 link lo 2>/dev/null &&
	! modprobe 8021q 2>/dev/null; then
	[ -d /sys/module/8021q ] ||
		die "no 802.1Q in this kernel: run it in the qemu testbed (make bench-reconcile)"
fi
ip link del bench-probe 2>/dev/null

now_ns() { date +%s%N; }

# Partition i (0-based): name p<i>, PKey i+1, VID 100+i, 10.<i/256>.<i%256>.0/24.
# policy FILE COUNT [SKIP_COUNT]: partitions SKIP_COUNT..COUNT-1 (the first
# SKIP_COUNT have left), plus the idle one fabricd starts with. awk, not a
# shell loop: the guest runs under TCG.
policy() {
	awk -v n="$2" -v skip="${3:-0}" 'BEGIN {
		print "fabric: { name: bench }"
		print "partitions:"
		# Each partition its own (made-up) member, so no CA port is in
		# more partitions than a PKey table holds; the gateway has no
		# port_guid, so it serves them all.
		print "  - { name: idle, pkey: 0x7000, vlan: 4000, members: [ { guid: 0x0002c90300ffffff, membership: full } ] }"
		for (i = skip; i < n; i++)
			printf "  - { name: p%d, pkey: %d, vlan: %d, ipv4: 10.%d.%d.0/24, members: [ { guid: 0x0002c9030100%04x, membership: full } ] }\n", i, i + 1, 100 + i, int(i / 256), i % 256, i
		print "gateways:"
		print "  - name: gw1"
		print "    uplink: up0"
		if (skip >= n) { print "    addresses: {}"; exit }
		print "    addresses:"
		for (i = skip; i < n; i++)
			printf "      p%d: [10.%d.%d.1/24]\n", i, int(i / 256), i % 256
	}' >"$1"
}

fresh_ns() {
	ip netns del "$NS" 2>/dev/null
	ip netns add "$NS" || die "ip netns add"
	ip -n "$NS" link set lo up
	ip -n "$NS" link add up0 type veth peer name up0p
	ip -n "$NS" link set up0 up
	ip -n "$NS" link set up0p up
}

# rpc METHOD: call fabricd, print the result; fails on an error reply.
rpc() {
	$PY - "$D/ctl" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((json.dumps({"id": 1, "method": sys.argv[2]}) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    d = s.recv(1 << 20)
    if not d:
        break
    buf += d
r = json.loads(buf)
if r["error"]:
    sys.exit("fabricd: " + r["error"])
print(json.dumps(r["result"]))
PY
}

count_vlans() { ip -n "$NS" -d -j link show type vlan | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
count_addrs() { ip -n "$NS" -4 -o addr show | grep -c ' 10\.'; }

reload_ns() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["reload_us"] * 1000)' "$1"; }

# One fabricd round: sets F_RES="CREATE_NS CHANGE_NS CREATE_WALL CHANGE_WALL".
# Runs in the main shell (not in $(...)), so the EXIT trap can stop fabricd.
fabricd_round() {
	local t0 t1 t2 t3
	fresh_ns
	rm -rf "$D/state"
	cp "$D/p0.yaml" "$D/policy.yaml"
	ip netns exec "$NS" "$FABRICD" --policy "$D/policy.yaml" --gateway gw1 \
		--no-ib --state-dir "$D/state" --ctl-socket "$D/ctl" \
		--pid-file "$D/pid" --foreground --no-engine >"$D/fabricd.log" 2>&1 &
	FD_PID=$!
	for _ in $(seq 200); do [ -S "$D/ctl" ] && break; sleep 0.05; done
	rpc status >/dev/null || die "fabricd did not start: $(tail -3 "$D/fabricd.log")"
	cp "$D/p1.yaml" "$D/policy.yaml"
	t0=$(now_ns)
	rpc reload >"$D/r1.json" || die "reload failed"
	t1=$(now_ns)
	[ "$(count_vlans)" -eq $((N + 1)) ] || die "fabricd made $(count_vlans) VLAN links, want $((N + 1))"
	[ "$(count_addrs)" -eq "$N" ] || die "fabricd made $(count_addrs) addresses, want $N"
	cp "$D/p2.yaml" "$D/policy.yaml"
	t2=$(now_ns)
	rpc reload >"$D/r2.json" || die "reload failed"
	t3=$(now_ns)
	[ "$(count_vlans)" -eq $((N + 1)) ] || die "after changes: $(count_vlans) VLAN links"
	ip -n "$NS" link show up0.$((100 + N)) >/dev/null 2>&1 || die "new partition missing"
	kill "$FD_PID"
	wait "$FD_PID"
	FD_PID=""
	F_RES="$(reload_ns "$D/r1.json") $(reload_ns "$D/r2.json") $((t1 - t0)) $((t3 - t2))"
}

# One ip -batch round: sets I_RES="CREATE_NS CHANGE_NS".
# The same operations as ip -batch files.
batch_create() { # FROM TO
	awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i < b; i++) {
		v = 100 + i
		printf "link add link up0 name up0.%d type vlan id %d\n", v, v
		printf "link set dev up0.%d up alias fabricd:p%d\n", v, i
		printf "addr add 10.%d.%d.1/24 dev up0.%d label up0.%d:%d\n", int(i / 256), i % 256, v, v, v
	} }'
}

write_batches() {
	batch_create 0 "$N" >"$D/create.batch"
	awk -v n=$((CHANGES / 2)) 'BEGIN { for (i = 0; i < n; i++)
		printf "link del dev up0.%d\n", 100 + i }' >"$D/change.batch"
	batch_create "$N" $((N + CHANGES / 2)) >>"$D/change.batch"
}

iproute_round() {
	local t0 t1 t2 t3
	fresh_ns
	ip -n "$NS" link add link up0 name up0.4000 type vlan id 4000
	t0=$(now_ns)
	ip -n "$NS" -batch "$D/create.batch" || die "ip -batch create failed"
	t1=$(now_ns)
	[ "$(count_vlans)" -eq $((N + 1)) ] || die "ip -batch made $(count_vlans) VLAN links"
	t2=$(now_ns)
	ip -n "$NS" -batch "$D/change.batch" || die "ip -batch change failed"
	t3=$(now_ns)
	I_RES="$((t1 - t0)) $((t3 - t2))"
}

ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }
median() { tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

policy "$D/p0.yaml" 0
policy "$D/p1.yaml" "$N"
# 100 changes: the first CHANGES/2 leave, CHANGES/2 new ones come.
policy "$D/p2.yaml" $((N + CHANGES / 2)) $((CHANGES / 2))
write_batches

echo "bench-reconcile: $N partitions, $CHANGES changes, $ROUNDS rounds, kernel $(uname -r)"
fc=() fu=() ic=() iu=() rcr=() rur=()
for ((r = 1; r <= ROUNDS; r++)); do
	fabricd_round
	read -r a b wa wb <<<"$F_RES"
	iproute_round
	read -r c d <<<"$I_RES"
	fc+=("$a") fu+=("$b") ic+=("$c") iu+=("$d")
	rcr+=("$(awk -v a="$a" -v b="$c" 'BEGIN { printf "%.3f", a / b }')")
	rur+=("$(awk -v a="$b" -v b="$d" 'BEGIN { printf "%.3f", a / b }')")
	echo "round $r: fabricd create $(ms "$a") ms (wall with client $(ms "$wa")), change $(ms "$b") ms (wall $(ms "$wb"));" \
		"ip -batch create $(ms "$c") ms, change $(ms "$d") ms"
done
FC=$(echo "${fc[*]}" | median) FU=$(echo "${fu[*]}" | median)
IC=$(echo "${ic[*]}" | median) IU=$(echo "${iu[*]}" | median)
echo "fabricd (last round) create: $(cat "$D/r1.json")"
echo "fabricd (last round) change: $(cat "$D/r2.json")"
printf 'create %d partitions: fabricd %s ms, ip -batch %s ms, ratio %.2fx\n' \
	"$N" "$(ms "$FC")" "$(ms "$IC")" "$(awk -v a="$FC" -v b="$IC" 'BEGIN { print a / b }')"
printf 'converge after %d changes: fabricd %s ms, ip -batch %s ms, ratio %.2fx\n' \
	"$CHANGES" "$(ms "$FU")" "$(ms "$IU")" "$(awk -v a="$FU" -v b="$IU" 'BEGIN { print a / b }')"
# The machine is shared and noisy: the ratio within each round (both tools
# back to back) is steadier than the ratio of medians.
echo "per-round ratios (fabricd / ip -batch): create ${rcr[*]}; change ${rur[*]}"
printf 'median per-round ratio: create %.2fx, change %.2fx\n' \
	"$(echo "${rcr[*]}" | median)" "$(echo "${rur[*]}" | median)"
