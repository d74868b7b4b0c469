#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-peer-verbs (runs in the qemu testbed, see ipoib/module.mk): the
# transports a peer link could use, measured on the same rxe pair as
# bench-peer (rxe0 and rxe1 on the two ends of a 4500-byte veth, active MTU
# 4096), server on rxe0, client on rxe1, one at a time:
#   perftest  ib_send_bw / ib_send_lat (plain verbs, send/receive), RC and UD
#   UCX       ucx_perftest, UCT active messages (am_bw / am_lat, bcopy) on
#             -x rc_verbs and -x ud_verbs, and UCP tag matching (tag_bw /
#             tag_lat) with UCX_TLS=rc_verbs or ud_verbs
# Sizes: 64 bytes (a small frame's message rate and latency), 4096 (the
# largest UD message at MTU 4096) and 65536 (a TSO super-frame whole, RC
# only). Each row prints the tool's own figure; the closing lines print the
# ratio UCX / perftest for the pairs that compare like with like. Under
# TCG these figures bound what any peer-link transport can do here.
cd "$(dirname "$0")/../../.." || exit 1
. tests/lib/rxe.sh
N=${BENCH_ITERS:-2000}
T=${BENCH_TIMEOUT:-90}
trap 'rxe_pair_del; rm -rf "$W"' EXIT

[ -n "${IN_VM:-}" ] || { echo "bench-peer-verbs: run me through tests/vm/run.sh"; exit 1; }
rxe_pair || { echo "bench-peer-verbs: no rxe"; exit 1; }
sleep 1 # the link-local GIDs (index 0) appear with the addresses

# pt TOOL ARGS...: perftest server on rxe0, client on rxe1; prints the
# client's result line (the last numeric one)
pt() {
	local tool=$1
	shift
	timeout "$T" "$tool" -d rxe0 -x 0 -F "$@" >"$W/srv" 2>&1 &
	local s=$!
	sleep 1
	timeout "$T" "$tool" -d rxe1 -x 0 -F "$@" 127.0.0.1 >"$W/cli" 2>&1
	wait $s
	awk '$1 ~ /^[0-9]+$/ && NF >= 4 { l = $0 } END { print l }' "$W/cli"
}

# ux ENV... -- ARGS...: ucx_perftest server on rxe0, client on rxe1 with
# ENV (UCT tests, those with -x, get -d rxeN:1); prints the client's final
# line (-f)
ux() {
	local env=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	local d0=() d1=()
	case " $* " in *" -x "*) d0=(-d rxe0:1) d1=(-d rxe1:1) ;; esac
	env "${env[@]}" UCX_NET_DEVICES=rxe0:1 timeout "$T" ucx_perftest \
		-p 13400 "${d0[@]}" "$@" >"$W/usrv" 2>&1 &
	local s=$!
	sleep 2
	env "${env[@]}" UCX_NET_DEVICES=rxe1:1 timeout "$T" ucx_perftest \
		-p 13400 -f "${d1[@]}" "$@" 127.0.0.1 >"$W/ucli" 2>&1
	wait $s
	grep -E '^ *\|? *[0-9]' "$W/ucli" | tail -1 | tr -s ' |' ' '
	grep -iE 'error|unsupported|not found|failed' "$W/ucli" | head -2 |
		sed 's/^/#   /'
}

# perftest bw columns: bytes iterations BW-peak BW-avg(MB/s) MsgRate(Mpps)
# ucx_perftest -f columns (bw tests): ... avg-bw(MB/s) ... msgrate ...;
# latency: ... typical avg (usec) ...
echo "bench-peer-verbs: rxe0 <-> rxe1 in qemu (TCG, $(nproc) vCPUs)," \
	"$N iterations, perftest $(ib_send_bw --version 2>&1 | head -1)," \
	"$(ucx_info -v | head -1 | sed 's/# //')"
# field LINE N: the Nth figure of a result line (negative: from the end)
field() { awk -v n="$2" 'NR == 1 { i = n > 0 ? n : NF + 1 + n; print (i > 0 && i <= NF) ? $i : 0 }' <<<"$1"; }
declare -A R # results: "perftest RC 64" -> the line's figures
echo "# perftest ib_send_bw: bytes iters peak-MB/s avg-MB/s Mmsg/s (-e: waits for completion events)"
for c in RC UD; do
	for s in 64 4096 65536; do
		[ "$c" = UD ] && [ "$s" = 65536 ] && continue
		a=$(pt ib_send_bw -c $c -s $s -n "$N")
		b=$(pt ib_send_bw -e -c $c -s $s -n "$N")
		echo "perftest send_bw $c $s: $a"
		echo "perftest send_bw $c $s -e: $b"
		# the better of the two (a run of either fails at times)
		R["perftest $c $s"]=$a
		awk -v a="$(field "$a" 4)" -v b="$(field "$b" 4)" \
			'BEGIN { exit !(b > a) }' && R["perftest $c $s"]=$b
	done
done
echo "# perftest ib_send_lat: bytes iters min max typical avg ... (usec)"
for c in RC UD; do
	echo "perftest send_lat $c 64: $(pt ib_send_lat -c $c -s 64 -n "$N")"
done
echo "# ucx_perftest -f (bw): iters typical-lat avg-lat overall-lat MB/s-avg MB/s-overall msg/s-avg msg/s-overall"
# UCT: bcopy up to the transport's segment (rc_verbs 8255, ud_verbs 4088
# here), zcopy beyond; UCP: rc_v is rc_verbs with ud_verbs for wire-up
# only (rc_verbs alone cannot connect: "no auxiliary transport")
for tl in rc_verbs ud_verbs; do
	tls=$tl
	[ $tl = rc_verbs ] && tls=rc_v
	for s in 64 4000 65536; do
		[ "$tl" = ud_verbs ] && [ "$s" = 65536 ] && continue
		d=bcopy
		[ "$s" = 65536 ] && d=zcopy
		echo "ucx am_bw $tl $s $d: $(ux -- -x $tl -t am_bw -D $d \
			-s $s -n "$N")"
		R["ucx $tl $s"]=$(ux UCX_TLS=$tls -- -t tag_bw -s $s -n "$N")
		echo "ucx tag_bw $tls $s: ${R["ucx $tl $s"]}"
	done
	echo "ucx am_lat $tl 64: $(ux -- -x $tl -t am_lat \
		-D bcopy -s 64 -n "$N")"
	echo "ucx tag_lat $tls 64: $(ux UCX_TLS=$tls -- -t tag_lat -s 64 \
		-n "$N")"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b > 0 ? a / b : 0) }'; }
# UCX's UCP tag_bw (message rate: its last figure; MB/s: third from the
# end) against perftest's ib_send_bw (Mmsg/s: 5th; average MB/s: 4th;
# the better of polling and -e); UD at 4000 bytes for UCX (its largest
# UD segment here is 4088) against 4096 for perftest
# cmp LABEL A-LINE A-FIELD B-LINE B-FIELD B-SCALE: "LABEL ratio A/(B*SCALE)"
cmp() {
	echo "$1 ratio $(ratio "$(field "$2" "$3")" \
		"$(awk -v s="$6" '{ print $1 * s }' <<<"$(field "$4" "$5")")")"
}
cmp "UCX/verbs RC 64-byte message rate" "${R["ucx rc_verbs 64"]}" -1 \
	"${R["perftest RC 64"]}" 5 1e6
cmp "UCX/verbs RC 64 KiB bandwidth" "${R["ucx rc_verbs 65536"]}" -3 \
	"${R["perftest RC 65536"]}" 4 1
cmp "UCX/verbs UD 64-byte message rate" "${R["ucx ud_verbs 64"]}" -1 \
	"${R["perftest UD 64"]}" 5 1e6
cmp "UCX/verbs UD 4 KiB bandwidth" "${R["ucx ud_verbs 4000"]}" -3 \
	"${R["perftest UD 4096"]}" 4 1
cmp "verbs RC 64 KiB / UD 4 KiB bandwidth" "${R["perftest RC 65536"]}" 4 \
	"${R["perftest UD 4096"]}" 4 1
