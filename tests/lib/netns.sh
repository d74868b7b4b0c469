# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Network namespaces for the daemon tests (sourced after tests/lib/tap.sh):
# names unique to this run, a scratch directory, and an EXIT trap that
# kills what the test started and deletes its namespaces.
#   netns_init TAG         $P (TAG + PID, the namespaces' prefix), $D
#   netns_stop             end what the test started, delete its namespaces
#   mkns NAME              namespace $P-NAME: lo up, no IPv6
#   in_ns NAME CMD...      run CMD in $P-NAME
#   netns_require TOOL...  skip_all unless root, fabricd and fabricctl
#                          built ($FABRICD, $FABRICCTL) and each TOOL there
#   netns_veth NAME PEER [MAC [ADDR]]
#                          namespace NAME with eth0, its veth peer PEER in
#                          $P-sw (make sw first); MAC, ADDR (a.b.c.d/len)
#                          when given and not ""; $NETNS_PREUP NAME, when
#                          set, runs before both ends go up
#   ext_trunk              namespace ext, the far end of the trunk vt (the
#                          Ethernet switch): netns_veth ext vt
#   two_tenant_policy NAME [UPLINK [B_KEY...]]
#   one_tenant_policy NAME [UPLINK]
#                          the head of a policy on stdout: fabric NAME,
#                          tenant-a (pkey 0x0021, VID 20) and tenant-b
#                          (0x0022, VID 30, with the YAML keys B_KEY...),
#                          all CAs full members; gateway gw1 with uplink
#                          UPLINK unless it is "" or absent. The test
#                          appends its "ports:" (and any other section).
#   netns_fabricd NAME [ARG...]
#                          fabricd --no-ib as gateway gw1 of $D/fabric.yaml
#                          in $P-NAME, control socket $SOCK, log
#                          $D/fabricd.log, ARGs added; its PID is
#                          ${PIDS[-1]}
#   netns_fabricd_access NAME [ARG...]
#                          the same, not a gateway: access ports only
#   fctl ARG...            fabricctl on $SOCK
#   ports_up N             N ports of fabricd are up
#   wait_ports_up N        up to 10 s for that; status as ports_up's
#   wait_eq WANT CMD...    up to 5 s until CMD prints WANT (the engine
#                          works on its own thread: a frame sent is not yet
#                          a frame counted); prints CMD's last output

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl

netns_require() {
	local t
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces)"
	[ -x "$FABRICD" ] && [ -x "$FABRICCTL" ] ||
		skip_all "fabricd/fabricctl not built (make)"
	for t in "$@"; do
		command -v "$t" >/dev/null || skip_all "$t not installed (make deps)"
	done
}

netns_init() {
	P=$1$$
	D=$(mktemp -d "/tmp/$1.XXXXXX")
	PIDS=()
	NSS=()
	trap netns_cleanup EXIT
}

netns_cleanup() {
	netns_stop
	rm -rf "$D"
}

# netns_stop: kill what the test started, delete its namespaces (for a
# test that builds its topology more than once); $D stays.
netns_stop() {
	local p n
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null; done
	PIDS=()
	NSS=()
}

mkns() {
	ip netns add "$P-$1" || skip_all "cannot create a network namespace"
	NSS+=("$P-$1")
	# No IPv6: no autoconfiguration chatter to blur the counts.
	ip netns exec "$P-$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$P-$1" link set lo up
}

# The forwarding threads fabricd runs with FABRICD_THREADS as it is (the
# datapath tests run with 1 and 2; fabricd(8)).
netns_threads_expected() {
	case ${FABRICD_THREADS:-1} in
	auto) if [ "$(nproc)" -ge 4 ]; then echo 2; else echo 1; fi ;;
	*) echo "${FABRICD_THREADS:-1}" ;;
	esac
}

in_ns() {
	local n=$1
	shift
	ip netns exec "$P-$n" "$@"
}

netns_veth() {
	local n=$1 peer=$2 mac=${3:-} addr=${4:-}
	mkns "$n"
	ip -n "$P-$n" link add eth0 type veth peer name "$peer" netns "$P-sw"
	[ -z "$mac" ] || ip -n "$P-$n" link set eth0 address "$mac"
	[ -z "$addr" ] || ip -n "$P-$n" addr add "$addr" dev eth0
	[ -z "${NETNS_PREUP:-}" ] || "$NETNS_PREUP" "$n"
	ip -n "$P-$n" link set eth0 up
	ip -n "$P-sw" link set "$peer" up
}

ext_trunk() {
	netns_veth ext vt
}

# netns_tenant NAME PKEY VID [KEY...]: one partition of the policy's list.
netns_tenant() {
	local k
	printf '%s\n' "  - name: $1" "    pkey: $2" "    vlan: $3"
	shift 3
	for k in "$@"; do echo "    $k"; done
	printf '%s\n' "    members:" "      - { all_cas: true, membership: full }"
}

# netns_gateway UPLINK: gateway gw1 with UPLINK, when not "".
netns_gateway() {
	[ -z "${1:-}" ] || printf '%s\n' "gateways:" "  - name: gw1" \
		"    uplink: $1"
}

one_tenant_policy() {
	printf '%s\n' "fabric:" "  name: $1" "partitions:"
	netns_tenant tenant-a 0x0021 20
	netns_gateway "${2:-}"
}

two_tenant_policy() {
	local uplink=${2:-}
	printf '%s\n' "fabric:" "  name: $1" "partitions:"
	netns_tenant tenant-a 0x0021 20
	shift $(($# < 2 ? $# : 2))
	netns_tenant tenant-b 0x0022 30 "$@"
	netns_gateway "$uplink"
}

netns_fabricd() {
	local n=$1
	shift
	netns_fabricd_access "$n" --gateway gw1 "$@"
}

netns_fabricd_access() {
	local n=$1
	shift
	SOCK=$D/ctl.sock
	# Not through in_ns: $! must be fabricd itself, or the EXIT trap
	# kills only a subshell and leaves it running (ip netns exec execs).
	ip netns exec "$P-$n" "$FABRICD" --policy "$D/fabric.yaml" --no-ib \
		--state-dir "$D/state" --ctl-socket "$SOCK" \
		--pid-file "$D/fabricd.pid" --foreground "$@" \
		>"$D/fabricd.log" 2>&1 &
	PIDS+=($!)
}

fctl() {
	"$FABRICCTL" -s "$SOCK" "$@"
}

ports_up() {
	[ "$(fctl -j port list 2>/dev/null |
		jq '[.[] | select(.state == "up")] | length')" = "$1" ]
}

wait_ports_up() {
	local i
	for i in $(seq 100); do
		ports_up "$1" && return 0
		sleep 0.1
	done
	ports_up "$1"
}

wait_eq() {
	local want=$1 out i
	shift
	for i in $(seq 50); do
		out=$("$@")
		[ "$out" = "$want" ] && break
		sleep 0.1
	done
	echo "$out"
}
