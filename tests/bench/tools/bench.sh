#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-tools: `fabstat fabric` against infiniband-diags for the same
# information, on a 1008-HCA fat tree (tests/topo/gen-fattree.sh) under
# ibsim + OpenSM, in one run, both from the SM's port (a full member of the
# default partition, so the SA shows every port):
#
#   fabstat   fabstat -j fabric: every end port (NodeRecord per LID) and
#             its PKey table (PKeyTableRecord per block), grouped by
#             partition
#   diags     ibnetdiscover (the ports and their LIDs), then one
#             `saquery PKTR LID/PORT/BLOCK` per block of each port
#             (umad2sim carries no RMPP, so multi-record queries are out)
#
# Both must find the same memberships (checked); the ratio fabstat/diags
# is printed against the target of at most 0.5. Not a test: it prints
# numbers and fails only when something does not come up or the two
# disagree.
set -u
cd "$(dirname "$0")/../../.." || exit 1
. tests/lib/fabric.sh

FABSTAT=${FABSTAT:-$PWD/build/bin/fabstat}
LEAVES=${LEAVES:-56}
PER_LEAF=${PER_LEAF:-18}
SPINES=${SPINES:-18}
PARTS=${PARTS:-8}
TARGET=0.5

die() {
	echo "bench-tools: $*" >&2
	exit 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }

# PARTS partitions: partition i holds every PARTS-th HCA from i and all
# switches, full; every port is a limited member of the default partition.
write_partitions() {
	local i n hcas=$((LEAVES * PER_LEAF))
	echo "Default=0x7fff, ipoib : ALL=limited, SELF=full ;"
	for i in $(seq 1 "$PARTS"); do
		printf 'p%02d=0x%04x, ipoib :\n' "$i" $((0x100 + i))
		for n in $(seq "$i" "$PARTS" "$hcas"); do
			printf '  0x%016x=full,\n' \
				$((0x0002c90400000000 + n * 0x10 + 1))
		done
		echo '  ALL_SWITCHES=full ;'
	done
}

# fabstat's memberships: "LID PKEY" per port and partition (full bit kept).
fabstat_members() {
	jq -r '.partitions[] | .pkey as $p | .members[] |
		"\(.lid) \($p) \(.membership)"' "$1" | sort
}

# The same from saquery's PKeyTableRecords (mawk: no strtonum).
diags_members() {
	awk 'function hex(s, i, v) {
			v = 0
			for (i = 3; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef",
					substr(tolower(s), i, 1)) - 1
			return v
		}
		/LID\.\./ { l = $1; sub(/.*\./, "", l); lid = l + 0 }
		/^[[:space:]]*0x[0-9a-fA-F]+/ {
			for (i = 1; i <= NF; i++) {
				k = hex($i)
				if (k % 32768 == 0)
					continue
				key = lid " " sprintf("0x%04x", k % 32768)
				m[key] = or2(m[key], k >= 32768 ? 1 : 2)
			}
		}
		function or2(a, b) { return (a == b || a == 3) ? a : a + b }
		END {
			for (k in m)
				print k, m[k] == 3 ? "both" : \
					m[k] == 1 ? "full" : "limited"
		}' "$1" | sort
}

run_diags() {
	local out=$1 lid type
	fabric_exec ibnetdiscover -p >"$D/ibnetdiscover.txt" 2>/dev/null ||
		return 1
	# CA ports and switch port 0: "LID TYPE" (SW lines name port 0 too).
	awk '$1 == "CA" || $1 == "SW" {
		if (!seen[$2]++) print $2, $1 }' "$D/ibnetdiscover.txt" |
		while read -r lid type; do
			local port=1 blocks=2
			[ "$type" = SW ] && port=0 && blocks=1
			for ((b = 0; b < blocks; b++)); do
				fabric_exec saquery --smkey 1 PKTR \
					"$lid/$port/$b" </dev/null 2>/dev/null
			done
		done >"$out"
}

fabric_have_tools || die "$FABRIC_ERR"
command -v jq >/dev/null || die "jq not installed (make deps)"
[ -x "$FABSTAT" ] || die "$FABSTAT not built (make)"
fabric_init || die "$FABRIC_ERR"
D=$FABRIC_DIR
NET=$D/fattree.net
bash tests/topo/gen-fattree.sh "$LEAVES" "$PER_LEAF" "$SPINES" >"$NET"
write_partitions >"$FABRIC_PARTITIONS"
fabric_start_sim "$NET" || die "$FABRIC_ERR"
FABRIC_UP_TIMEOUT=120 fabric_start_sm
fabric_wait_up 120 || die "$FABRIC_ERR"

t0=$(now)
fabric_exec "$FABSTAT" -j fabric >"$D/fabstat.json" 2>"$D/fabstat.err" ||
	die "fabstat fabric failed: $(cat "$D/fabstat.err")"
t1=$(now)
run_diags "$D/saquery.txt" || die "ibnetdiscover failed"
t2=$(now)

fs=$(elapsed "$t0" "$t1")
dg=$(elapsed "$t1" "$t2")
ports=$(jq -r .n_ports "$D/fabstat.json")
queries=$(grep -c 'PKeyTableRecord dump' "$D/saquery.txt")
fabstat_members "$D/fabstat.json" >"$D/a.txt"
diags_members "$D/saquery.txt" >"$D/b.txt"
same=yes
cmp -s "$D/a.txt" "$D/b.txt" || same=no
r=$(awk -v a="$fs" -v b="$dg" 'BEGIN { printf "%.3f", a / b }')
verdict=$(awk -v r="$r" -v t="$TARGET" 'BEGIN { print (r <= t) ? "met" : "MISSED" }')

echo "bench-tools: $((LEAVES * PER_LEAF)) HCAs, $((LEAVES + SPINES)) switches, $PARTS partitions + Default; from the SM's port"
printf '  %-34s %8.3f s  (%s ports, %s memberships)\n' "fabstat fabric" "$fs" \
	"$ports" "$(wc -l <"$D/a.txt")"
printf '  %-34s %8.3f s  (%s saquery runs, %s memberships)\n' \
	"ibnetdiscover + saquery PKTR" "$dg" "$queries" "$(wc -l <"$D/b.txt")"
echo "  same memberships: $same"
echo "  ratio fabstat/diags: ${r}x (target <= ${TARGET}x: $verdict)"
[ "$same" = yes ] || {
	diff "$D/a.txt" "$D/b.txt" | head -10 | sed 's/^/  # /'
	exit 1
}
exit 0
