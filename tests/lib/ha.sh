# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The gateway HA testbed (sourced by tests/integration/gateway_ha*.sh in the
# qemu guest, after tests/lib/tap.sh): two gateways A (gwa) and B (gwb) on
# one Ethernet segment per partition (a Linux bridge standing for the
# switch), and an IB-side host behind a third fabricd C (gwc), all over
# soft-RoCE (rxe0 on veth0, rxe1 on veth1, the two ends of one veth pair):
#
#   heth, heth2 (ta) --br0--+-- ga [A: rxe0] ==\
#                           +-- gb [B: rxe1] ===+== IPoIB == [C: rxe0] --hi1-- hib (ta)
#   hx (tb)          --br1--+-- ga2 [A] / gb2 [B]             [C] --ho1-- ho (tb)
#
# Partitions ta (0x1001) and tb (0x1002); their PKeys are above 4094, so
# they have no VLAN and the uplinks carry nothing (two fabricds in one
# namespace would otherwise fight over their VLAN links). A has priority
# 200 in ta and 100 in tb, B the reverse (load sharing); C is in no group.
HA_TOP=$PWD
FABRICD=$HA_TOP/build/bin/fabricd
FCTL=$HA_TOP/build/bin/fabricctl
CTL="python3 $HA_TOP/tests/bench/ipoib/ctl.py"
FLOW="python3 $HA_TOP/tests/lib/ha_flow.py"
HOLD=${HOLD:-3000}
W=$(mktemp -d)
declare -A GW_PID
BG=()

ha_cleanup() {
	local p
	for p in "${GW_PID[@]}" "${BG[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in heth heth2 hib hx ho; do ip netns del $n 2>/dev/null; done
	for l in upa upb upc ga gb ga2 gb2 hi1 ho1 br0 br1; do
		ip link del $l 2>/dev/null
	done
	rdma link del rxe0 2>/dev/null
	rdma link del rxe1 2>/dev/null
	ip link del veth0 2>/dev/null
	rm -rf "$W"
}
trap ha_cleanup EXIT

noipv6() { sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"; }

# host NS IFNAME PEER ADDR [BRIDGE]: a namespace with one veth end at
# ADDR/24; the other end (PEER) in ours, enslaved to BRIDGE when given.
host() {
	ip netns add "$1"
	ip link add "$3" type veth peer name "$2" netns "$1"
	noipv6 "$3"
	ip link set "$3" up
	[ -n "${5:-}" ] && ip link set "$3" master "$5"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$4/24" dev "$2"
}

# gwport NAME BRIDGE: a gateway's Ethernet port NAME, its peer NAME-br on
# BRIDGE (pulling NAME-br down is pulling the gateway's cable)
gwport() {
	ip link add "$1" type veth peer name "$1-br"
	noipv6 "$1"
	noipv6 "$1-br"
	ip link set "$1-br" master "$2"
	ip link set "$1-br" up
	ip link set "$1" up
}

bridge() {
	ip link add "$1" type bridge
	noipv6 "$1"
	ip link set "$1" up
}

ha_setup() {
	ip link add veth0 mtu 4500 type veth peer name veth1 mtu 4500 || return 1
	sysctl -qw net.ipv6.conf.veth0.accept_dad=0 net.ipv6.conf.veth1.accept_dad=0
	ip link set veth0 up
	ip link set veth1 up
	rdma link add rxe0 type rxe netdev veth0 || return 1
	rdma link add rxe1 type rxe netdev veth1 || return 1
	bridge br0
	bridge br1
	host heth he0 he-br 10.20.0.1 br0
	host heth2 he20 he2-br 10.20.0.3 br0
	host hib hi0 hi1 10.20.0.2
	host hx hx0 hx-br 10.20.1.1 br1
	host ho ho0 ho1 10.20.1.2
	gwport ga br0
	gwport gb br0
	gwport ga2 br1
	gwport gb2 br1
	for x in a b c; do
		ip link add "up$x" type veth peer name "up$x-p"
		noipv6 "up$x"
		noipv6 "up$x-p"
		ip link set "up$x" up
		ip link set "up$x-p" up
	done
}

# ha_policy GW HA PORT...: the policy of gateway GW (PORT: NAME:PARTITION);
# HA=1 gives A and B their priorities, HA=0 leaves them out (no group)
ha_policy() {
	local gw=$1 ha=$2 p pa='' pb=''
	shift 2
	if [ "$ha" = 1 ]; then
		pa=", priority: { ta: 200, tb: 100 }"
		pb=", priority: { ta: 100, tb: 200 }"
	fi
	printf 'fabric: { name: ha }\npartitions:\n'
	printf '  - { name: ta, pkey: 0x1001 }\n  - { name: tb, pkey: 0x1002 }\n'
	printf 'gateway_ha: { advert_interval_ms: 100, preempt_hold_ms: %s }\n' "$HOLD"
	printf 'gateways:\n'
	printf '  - { name: gwa, uplink: upa%s }\n' "$pa"
	printf '  - { name: gwb, uplink: upb%s }\n' "$pb"
	printf '  - { name: gwc, uplink: upc }\n'
	printf 'ports:\n'
	for p; do printf '  - { name: %s, partition: %s }\n' "${p%%:*}" "${p#*:}"; done
}

# gw X IBDEV HA PORT...: start fabricd X (gwX) on IBDEV with its policy
gw() {
	local x=$1 dev=$2 ha=$3
	shift 3
	ha_policy "gw$x" "$ha" "$@" >"$W/$x.yaml"
	FABRICD_NO_XDP=1 $FABRICD -f -c "$W/$x.yaml" -g "gw$x" -s "$W/$x.sock" \
		-S "$W/$x.state" -p "$W/$x.pid" --ib-dev "$dev" --ib-port 1 \
		>>"$W/$x.log" 2>&1 &
	GW_PID[$x]=$!
}

# gw_stop X [SIGNAL]: stop fabricd X and wait for it
gw_stop() {
	kill -"${2:-TERM}" "${GW_PID[$1]}" 2>/dev/null
	wait "${GW_PID[$1]}" 2>/dev/null
	unset "GW_PID[$1]"
}

# ports_up SOCK NAME...: fabricd SOCK lists the ports, each open
ports_up() {
	local sock=$1 n
	shift
	for n; do
		[ "$($FCTL -s "$sock" -j port list 2>/dev/null |
			jq -r ".[] | select(.name == \"$n\") | .state")" = up ] ||
			return 1
	done
}

# wait_for SECONDS CMD...: until CMD succeeds, polled every 0.5 s (under
# TCG each fabricctl costs the gateways CPU time their timers need)
wait_for() {
	local t=$(($1 * 2))
	shift
	while [ $t -gt 0 ]; do
		"$@" && return 0
		sleep 0.5
		t=$((t - 1))
	done
	return 1
}

# ha X PART KEY: KEY of partition PART in `fabricctl -j ha show` of X
ha() {
	$FCTL -s "$W/$1.sock" -j ha show 2>/dev/null |
		jq -r ".[] | select(.partition == \"$2\") | .$3"
}
# mono_ms: CLOCK_MONOTONIC in ms, as fabricd's ha show gives its times
mono_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
ha_is() { [ "$(ha "$1" "$2" state)" = "$3" ]; }

ping_ok() { ip netns exec "$1" busybox ping -c 2 -W 3 "$2" >/dev/null 2>&1; }

# bcast_count FROM TO ADDR N: N broadcasts from namespace FROM to ADDR;
# prints how many arrived in namespace TO (counted until 2 s after the
# last was sent)
bcast_count() {
	local out=$W/bc.$RANDOM
	ip netns exec "$2" $FLOW bcount 9999 "$out.stop" >"$out" 2>"$out.ready" &
	local pid=$!
	wait_for 20 grep -q ready "$out.ready"
	ip netns exec "$1" $FLOW bsend "$3" 9999 "$4"
	touch "$out.stop"
	wait $pid
	cat "$out"
}

# flow_start FROM ADDR SECONDS: a UDP echo flow (20 ms) in the background
# to ha_flow.py echo at ADDR (started in the namespace that owns it)
flow_start() {
	ip netns exec "$1" $FLOW ping "$2" 7777 "$3" 20 >"$W/flow" 2>&1 &
	FLOW_PID=$!
}
# flow_wait: wait for the flow; its longest gap in ms in $GAP
flow_wait() {
	wait $FLOW_PID
	echo "# flow: $(cat "$W/flow")"
	GAP=$(sed -n 's/.* gap \([0-9]*\)$/\1/p' "$W/flow")
	GAP=${GAP:-99999}
}
echo_start() {
	ip netns exec "$1" $FLOW echo 7777 &
	BG+=($!)
}

# tcp_start FROM TO ADDR MIB: a TCP transfer of MIB MiB in the background;
# tcp_ok checks that the receiver got it whole (byte count and SHA-256)
tcp_start() {
	head -c $(($4 * 1048576)) /dev/urandom >"$W/data"
	TCP_WANT="$(($4 * 1048576)) $(sha256sum <"$W/data" | cut -d' ' -f1)"
	rm -f "$W/ready" "$W/got"
	ip netns exec "$2" python3 "$HA_TOP/tests/lib/tcp_sha.py" recv 5001 \
		"$W/ready" >"$W/got" 2>&1 &
	TCP_SRV=$!
	wait_for 5 test -e "$W/ready"
	ip netns exec "$1" python3 "$HA_TOP/tests/lib/tcp_sha.py" send "$3" 5001 \
		"$W/data" >"$W/tcp.log" 2>&1 &
	TCP_CLI=$!
}
tcp_ok() {
	wait $TCP_CLI
	wait $TCP_SRV
	[ "$(cat "$W/got")" = "$TCP_WANT" ] ||
		{ echo "# want '$TCP_WANT' got '$(cat "$W/got")'"; return 1; }
}

# engine_rx X PORT: rx_packets of engine port PORT of fabricd X
engine_rx() {
	$CTL "$W/$1.sock" stats |
		jq -r ".ports[] | select(.name == \"$2\") | .rx_packets"
}

ha_logs() {
	local x
	for x in a b c; do
		[ -e "$W/$x.log" ] && sed "s/^/# $x: /" "$W/$x.log"
	done
}
