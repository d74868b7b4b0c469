# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Shared by tests/bench/datapath.sh and datapath_threads.sh (sourced; the
# caller sets D, P, FABRICD and PIDS).

mpps() { awk -v p="$1" 'BEGIN { printf "%.3f", p / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

# median: of the numbers on stdin (spaces or newlines); 0 for none
median() {
	tr ' ' '\n' | grep . | sort -n |
		awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'
}

# bench_netns: namespaces $P-src, $P-sw and $P-sink, without IPv6 (no
# router solicitations in the counts)
bench_netns() {
	local n
	for n in src sw sink; do
		ip netns add "$P-$n" || return 1
		ip netns exec "$P-$n" sysctl -qw \
			net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
}

# bench_fabricd PORT... [-- ENV...] [--- ARGS...]: fabricd in $P-sw with
# the ports in one partition, environment ENV and extra options ARGS, on
# CPU $FD_CPU if set; sets FD_PID and waits for it to come up
bench_fabricd() {
	local ports=() envs=() args=()
	while [ $# -gt 0 ] && [ "$1" != -- ] && [ "$1" != --- ]; do
		ports+=("$1")
		shift
	done
	if [ "${1:-}" = -- ]; then
		shift
		while [ $# -gt 0 ] && [ "$1" != --- ]; do
			envs+=("$1")
			shift
		done
	fi
	[ "${1:-}" = --- ] && shift && args=("$@")
	{
		printf 'fabric:\n  name: bench\npartitions:\n  - name: bench\n'
		printf '    pkey: 0x0030\n    vlan: 30\n    members:\n'
		printf '      - { all_cas: true, membership: full }\nports:\n'
		printf '  - { name: %s, partition: bench }\n' "${ports[@]}"
	} >"$D/fabric.yaml"
	ip netns exec "$P-sw" ${FD_CPU:+taskset -c "$FD_CPU"} \
		env "${envs[@]}" "$FABRICD" \
		--policy "$D/fabric.yaml" --no-ib "${args[@]}" \
		--state-dir "$D/state" --ctl-socket "$D/ctl.sock" \
		--pid-file "$D/fabricd.pid" --foreground >"$D/fabricd.log" 2>&1 &
	FD_PID=$!
	PIDS+=($FD_PID)
	sleep 1.5
}

stop_fabricd() {
	kill "$FD_PID" 2>/dev/null
	wait "$FD_PID" 2>/dev/null
}
