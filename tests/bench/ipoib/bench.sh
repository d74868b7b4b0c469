#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-ipoib (runs in the qemu testbed, see ipoib/module.mk): the
# engine's UD message rate between two ipoib ports (ipoib-bench: engine +
# translation + verbs, gateway A to gateway B) against perftest's
# `ib_send_bw -c UD` on the same two rxe devices, 64 B and 2 KB messages,
# one run. Prints each rate and the ratio engine / perftest (best of
# BENCH_ROUNDS=2 alternating rounds of BENCH_SECS=5 s: the machine is
# shared and TCG is noisy). Both sides are measured where messages arrive:
# the sink behind gateway B, the ib_send_bw server.
cd "$(dirname "$0")/../../.." || exit 1
SECS=${BENCH_SECS:-5}
BENCH=$PWD/build/tests/ipoib-bench
W=$(mktemp -d)

cleanup() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	wait 2>/dev/null
	rdma link del rxe0 2>/dev/null
	rdma link del rxe1 2>/dev/null
	ip link del veth0 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

[ -x "$BENCH" ] || { echo "bench-ipoib: $BENCH not built"; exit 1; }
command -v ib_send_bw >/dev/null || { echo "bench-ipoib: perftest missing (make deps)"; exit 1; }
[ -n "${IN_VM:-}" ] || { echo "bench-ipoib: run me through tests/vm/run.sh"; exit 1; }

ip link add veth0 mtu 4500 type veth peer name veth1 mtu 4500
sysctl -qw net.ipv6.conf.veth0.accept_dad=0 net.ipv6.conf.veth1.accept_dad=0
ip addr add 192.168.77.1/24 dev veth0
ip addr add 192.168.77.2/24 dev veth1
ip link set veth0 up
ip link set veth1 up
rdma link add rxe0 type rxe netdev veth0 || exit 1
rdma link add rxe1 type rxe netdev veth1 || exit 1
sleep 1

# perftest SIZE: ib_send_bw over UD, receiver side's message rate in msg/s
perftest() {
	local size=$1 out
	ib_send_bw -d rxe1 -c UD -x 0 -s "$size" -D "$SECS" -F \
		>"$W/srv" 2>&1 &
	SRV=$!
	sleep 1
	ib_send_bw -d rxe0 -c UD -x 0 -s "$size" -D "$SECS" -F 192.168.77.2 \
		>"$W/cli" 2>&1
	wait "$SRV"
	SRV=""
	grep -E "^ *(#bytes|$size )" "$W/srv" | sed 's/^/# ib_send_bw receiver: /' >&2
	grep -E "^ *(#bytes|$size )" "$W/cli" | sed 's/^/# ib_send_bw sender:   /' >&2
	# "#bytes #iterations BW peak BW average MsgRate[Mpps]"
	out=$(awk -v s="$size" '$1 == s && NF >= 5 { r = $5 } END { print r }' \
		"$W/srv")
	[ -n "$out" ] || out=$(awk -v s="$size" '$1 == s && NF >= 5 { r = $5 }
		END { print r }' "$W/cli")
	[ -n "$out" ] || { sed 's/^/# perftest: /' "$W/srv" "$W/cli" >&2; return 1; }
	awk -v m="$out" 'BEGIN { printf "%.0f\n", m * 1e6 }'
}

# engine SIZE: ipoib-bench's delivered message rate in msg/s
engine() {
	"$BENCH" -a rxe0.8001 -b rxe1.8001 -s "$1" -t "$SECS" >"$W/eng" 2>&1
	sed 's/^/# /' "$W/eng" >&2
	sed -n 's/.* \([0-9]*\) msg\/s.*/\1/p' "$W/eng"
}

ROUNDS=${BENCH_ROUNDS:-2}
echo "bench-ipoib: UD messages over rdma_rxe in qemu (TCG, $(nproc) vCPUs)," \
	"${SECS} s each, best of $ROUNDS alternating rounds"
max() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (b > a ? b : a) }'; }
rc=0
for size in 64 2048; do
	e=0 p=0
	for _ in $(seq "$ROUNDS"); do
		e=$(max "$e" "$(engine "$size")")
		p=$(max "$p" "$(perftest "$size")")
	done
	if [ "$e" = 0 ] || [ "$p" = 0 ]; then
		echo "size $size: engine $e msg/s, perftest $p msg/s: no ratio"
		rc=1
		continue
	fi
	awk -v s="$size" -v e="$e" -v p="$p" 'BEGIN {
		printf "size %5d B: engine %9.0f msg/s  ib_send_bw -c UD %9.0f msg/s  ratio %.2f\n", s, e, p, e / p }'
done
exit $rc
