#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Crash safety of ownership (issue 10, finding 4): fabricd is killed with
# SIGKILL at random points of a 2,000-partition reconcile, ten rounds. After
# each kill it is restarted on the same policy (every address it made must
# be adopted: none "foreign"), then the policy shrinks to one partition:
# exactly that partition's address must remain on the uplink, judged with
# ip(8). fabricd runs Ethernet-only (--no-ib) in a network namespace of its
# own; the host kernel has no 802.1Q, so the addresses go on the uplink
# itself (labelled up0:<vid>), which is what is checked here.
#
# Environment: N (partitions, default 2000), ROUNDS (default 10).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabricd.sh

FABRICD=${FABRICD:-$PWD/build/bin/fabricd}
FABRICCTL=${FABRICCTL:-$PWD/build/bin/fabricctl}
N=${N:-2000}
ROUNDS=${ROUNDS:-10}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces)"
tap_need "$FABRICD" "$FABRICCTL" jq

fabricd_ns_init crash

# policy FILE COUNT: partitions p0..p<COUNT-1>, p<i> with PKey i+1, VID
# 100+i, 10.<i/256>.<i%256>.0/24, gateway address .1 of it.
policy() {
	awk -v n="$2" 'BEGIN {
		print "fabric: { name: crash }"
		print "partitions:"
		for (i = 0; i < n; i++)
			printf "  - { name: p%d, pkey: %d, vlan: %d, ipv4: 10.%d.%d.0/24, members: [ { guid: 0x0002c9030100%04x, membership: full } ] }\n", i, i + 1, 100 + i, int(i / 256), i % 256, i
		print "gateways:"
		print "  - name: gw1"
		print "    uplink: up0"
		print "    addresses:"
		for (i = 0; i < n; i++)
			printf "      p%d: [10.%d.%d.1/24]\n", i, int(i / 256), i % 256
	}' >"$1"
}
policy "$D/full.yaml" "$N"
policy "$D/one.yaml" 1

fctl() { "$FABRICCTL" -s "$SOCK" -t 20000 "$@"; }
start() { fabricd_ns_start --policy "$1"; } # POLICY
stop() { fabricd_ns_stop "$1"; }
addrs() { ip -n "$NS" -4 -o addr show dev up0 | awk '{ print $4 }' | sort; }
foreign() {
	fctl -j partition list | jq '[.[].addresses[] | select(.status == "foreign")] | length'
}

# Calibration: how long the reconcile takes here, from the moment the
# control socket appears (just before the first reconcile) to converged.
sock_up() { [ -S "$SOCK" ]; }
start_until_sock() { # POLICY
	rm -f "$SOCK"
	start "$1"
	until sock_up; do sleep 0.01; done
}
start_until_sock "$D/full.yaml"
t0=$(date +%s%N)
check "fabricd converges on $N partitions" wait_for 60 converged
full_ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "all $N addresses on up0" "$N" "$(addrs | wc -l)"
stop TERM
start "$D/one.yaml"
check "shrink to one partition converges" wait_for 60 converged
check_eq "one address left" 10.0.0.1/24 "$(addrs | tr '\n' ' ' | sed 's/ $//')"
stop TERM
diag "a full reconcile takes $full_ms ms; kills fall in 0..$full_ms ms after it begins"

total_foreign=0 total_left=0 bad_rounds=0
for ((r = 1; r <= ROUNDS; r++)); do
	delay=$((RANDOM % (full_ms + 1)))
	start_until_sock "$D/full.yaml"
	sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
	before=$(addrs | wc -l)
	stop KILL
	start "$D/full.yaml"
	wait_for 60 converged || not_ok "round $r: restart converges"
	nf=$(foreign)
	stop TERM
	start "$D/one.yaml"
	wait_for 60 converged || not_ok "round $r: shrink converges"
	left=$(addrs | tr '\n' ' ' | sed 's/ $//')
	stop TERM
	nleft=$(wc -w <<<"$left")
	diag "round $r: killed at $delay ms with $before addresses;" \
		"$nf foreign after restart; $nleft left after the shrink"
	total_foreign=$((total_foreign + nf))
	total_left=$((total_left + nleft - 1))
	[ "$nf" = 0 ] && [ "$left" = 10.0.0.1/24 ] || bad_rounds=$((bad_rounds + 1))
done
check_eq "no foreign address after any restart ($ROUNDS rounds)" 0 "$total_foreign"
check_eq "after every shrink only 10.0.0.1/24 remains (extra addresses)" 0 "$total_left"
check_eq "rounds with leftovers" 0 "$bad_rounds"
check_eq "the state file owns exactly 10.0.0.1/24" 10.0.0.1/24 \
	"$(jq -r '[.addrs[].addr] | join(" ")' "$D/state/reconcile.json")"

tap_done
