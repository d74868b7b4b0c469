# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Network namespaces for the daemon tests (sourced after tests/lib/tap.sh):
# names unique to this run, a scratch directory, and an EXIT trap that
# kills what the test started and deletes its namespaces.
#   netns_init TAG         $P (TAG + PID, the namespaces' prefix), $D
#   netns_stop             end what the test started, delete its namespaces
#   mkns NAME              namespace $P-NAME: lo up, no IPv6
#   in_ns NAME CMD...      run CMD in $P-NAME
#   netns_fabricd NAME     fabricd --no-ib as gateway gw1 of $D/fabric.yaml
#                          in $P-NAME, control socket $SOCK, log
#                          $D/fabricd.log; its PID is ${PIDS[-1]}

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

netns_fabricd() {
	SOCK=$D/ctl.sock
	# Not through in_ns: $! must be fabricd itself, or the EXIT trap
	# kills only a subshell and leaves it running (ip netns exec execs).
	ip netns exec "$P-$1" "$FABRICD" --policy "$D/fabric.yaml" \
		--gateway gw1 --no-ib --state-dir "$D/state" \
		--ctl-socket "$SOCK" --pid-file "$D/fabricd.pid" \
		--foreground >"$D/fabricd.log" 2>&1 &
	PIDS+=($!)
}
