#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Policies at the limits (issue 10, finding 1): every policy that the loader
# accepts must reach every port through the stock OpenSM's partition parser,
# whose line buffer is 4,096 bytes (opensm/osm_prtn_config.c). Judged with
# smpquery on every end port of the simulated fabric:
#   1. a 200-member and a 2,000-member partition (the real hosts of
#      small.net plus GUIDs beyond them), a port in as many partitions as
#      its PKey table holds (64 on ibsim's HCAs), the longest partition
#      name the loader accepts;
#   2. a live edit from 150 to 170 members followed by SIGHUP;
#   3. the plugin's own check: with line wrapping switched off (line_max=0,
#      a test option) OpenSM refuses the file; the plugin sees it, restores
#      the last good file, forces a sweep and names the cause in osm.log;
#   4. the same at the first write after a restart: back to the file
#      OpenSM had, not to OpenSM's defaults;
#   5. every HCA of a 216-HCA fat tree in a 2,000-member partition.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"

# Port GUIDs of small.net: gw1 ...0101, h1 ...0201 ... h8 ...0901.
host() { printf '0x0002c903%08x' $((($1 + 1) * 0x100 + 1)); }
fake() { printf '0x0002c9ff%08x' $(($1 + $2)); }
member() { printf '      - { guid: %s, membership: %s }\n' "$1" "$2"; }

# partition NAME PKEY: the head of a partition entry.
partition() {
	printf '  - name: %s\n    pkey: 0x%04x\n    ipoib: true\n' "$1" "$2"
	printf '    members:\n'
}

# gen_limits: the policy of part 1.
gen_limits() {
	local i
	echo "fabric: { name: limits, pkey_table_size: 64 }"
	echo "partitions:"
	partition p200 0x100
	for i in $(seq 1 8); do member "$(host "$i")" full; done
	for i in $(seq 1 192); do member "$(fake 0x10000 "$i")" full; done
	partition p2000 0x200
	member "$(host 0)" full
	for i in $(seq 1 4); do member "$(host "$i")" limited; done
	for i in $(seq 1 1995); do member "$(fake 0x20000 "$i")" limited; done
	partition "$LONG" 0x300
	member "$(host 5)" full
	# h8: p200 + 62 more + the default partition = 64 PKeys.
	for i in $(seq 1 62); do
		partition "q$i" $((0x400 + i))
		member "$(host 8)" full
	done
}

# want_keys DESC: the policy's PKeys (full bit set for full members) the
# port of node DESC must hold in part 1, sorted, on one line.
want_keys() {
	case $1 in
	gw1) echo "0x8200" ;;
	h[1-4]) echo "0x0200 0x8100" ;;
	h5) echo "0x8100 0x8300" ;;
	h[67]) echo "0x8100" ;;
	h8) { echo 0x8100; for i in $(seq 1 62); do
		printf '0x%04x\n' $((0x8400 + i)); done; } | sort | xargs ;;
	*) echo "" ;;
	esac
}

# check_every_port WHAT FN: smpquery on every end port; FN DESC prints the
# policy keys it must hold. The default partition (0x7fff or 0xffff) must
# be there too, in whichever membership the policy gives.
check_every_port() {
	local what=$1 fn=$2 g l t d keys other bad=0 n=0
	while read -r g l t d; do
		n=$((n + 1))
		keys=$(fabric_pkeys "$l")
		other=$(grep -vE '^0x(7fff|ffff)$' <<<"$keys" | xargs)
		if ! grep -qE '^0x(7fff|ffff)$' <<<"$keys" ||
			[ "$other" != "$($fn "$d")" ]; then
			bad=$((bad + 1))
			diag "$d (LID $l): want $($fn "$d") + default;" \
				"smpquery: $(xargs <<<"$keys" | cut -c1-200)"
		fi
	done < <(fabric_ports)
	check_eq "$what: every end port's PKey table as the policy says" \
		"13 ports, 0 wrong" "$n ports, $bad wrong"
}

no_parse_error() {
	! grep -q "PARSE ERROR" "$FABRIC_OSM_LOG"
}

# ---- 1. members, partitions and names at the limits ---------------------
LONG=$(printf 'n%.0s' $(seq 1 31)) # OpenSM keeps 31 characters of a name
pol=$FABRIC_DIR/limits.yaml
gen_limits >"$pol"
check "fabricctl policy check accepts the policy at the limits" \
	build/bin/fabricctl --policy "$pol" policy check
FABRIC_POLICY=$pol
check "opensm with the plugin starts" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
check "OpenSM parsed the partition file (no PARSE ERROR)" no_parse_error
check_every_port "200 + 2,000 members, 64 PKeys on h8, 31-char name" \
	want_keys
longest=$(awk '{ print length }' "$FABRIC_PARTITIONS" | sort -n | tail -1)
check "no partitions.conf line reaches OpenSM's 4,096-byte buffer" \
	test "$longest" -lt 4000
diag "partitions.conf: $(wc -l <"$FABRIC_PARTITIONS") lines, longest" \
	"$longest characters"

# A name OpenSM would cut, and 65 PKeys on one port: refused, located.
sed "s/name: $LONG/name: ${LONG}n/" "$pol" >"$FABRIC_DIR/long.yaml"
out=$(build/bin/fabricctl --policy "$FABRIC_DIR/long.yaml" policy check 2>&1)
check "a 32-character name is refused with FILE:LINE:COL" \
	grep -qE "long.yaml:[0-9]+:[0-9]+: error: .*31" <<<"$out"
diag "$out"

# ---- 2. a live edit from 150 to 170 members -----------------------------
fabric_stop_sm
gen_edit() {
	local i
	echo "fabric: { name: edit }"
	echo "partitions:"
	partition big 0x100
	for i in $(seq 1 "$1"); do member "$(host "$i")" full; done
	for i in $(seq $(($1 + 1)) "$2"); do
		member "$(fake 0x30000 "$i")" full
	done
}
want_edit() {
	case $1 in
	h[1-$EDIT_HOSTS]) echo 0x8100 ;;
	*) echo "" ;;
	esac
}
pol=$FABRIC_DIR/edit.yaml
gen_edit 6 150 >"$pol"
FABRIC_POLICY=$pol
check "opensm restarts with a 150-member partition" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
EDIT_HOSTS=6 check_every_port "150 members" want_edit
gen_edit 7 170 >"$pol"
check "SIGHUP after the edit to 170 members" fabric_sweep
EDIT_HOSTS=7 check_every_port "170 members after SIGHUP" want_edit
check "OpenSM parsed every partition file (no PARSE ERROR)" no_parse_error

# ---- 3. OpenSM refuses the file: the plugin restores the last good one --
fabric_stop_sm
gen_edit 6 150 >"$pol"
FABRIC_PLUGIN_OPTS="line_max=0"
check "opensm restarts with line wrapping off (line_max=0)" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
EDIT_HOSTS=6 check_every_port "150 members on one line" want_edit
gen_edit 7 170 >"$pol"
check "SIGHUP after the edit to 170 members" fabric_sweep
check "OpenSM refused the one-line file (PARSE ERROR in osm.log)" \
	grep -q "PARSE ERROR" "$FABRIC_OSM_LOG"
check "the plugin says OpenSM did not take the file, and why" \
	grep -qE "fabricsm.*OpenSM did not take .*PARSE ERROR: line [0-9]+: bad PortGUID" \
	"$FABRIC_OSM_LOG"
check "the plugin restored the last good file" \
	grep -qE "fabricsm.*restored the last good" "$FABRIC_OSM_LOG"
# The re-sweep the plugin forced ends in a SUBNET UP of its own.
FABRIC_UP_SEEN=$(fabric_up_count)
fabric_wait_up 10
EDIT_HOSTS=6 check_every_port "the last good partitions are back" want_edit
check "no port is blamed on a PKey table that was not too small" \
	bash -c "! grep -q 'did not fit' '$FABRIC_OSM_LOG'"
check "ports that lack the partition are logged with the real cause" \
	grep -qE "port 0x0002c90300000801 \(h7\): 1 partition\(s\) of the policy are not applied: big \(0x0100\); OpenSM did not put the port in them: OpenSM logged \"PARSE ERROR" \
	"$FABRIC_OSM_LOG"

# ---- 4. refused at the first write after a restart: back to the file ---
# OpenSM had (the 150 members), not to OpenSM's defaults.
fabric_stop_sm
check "opensm restarts with the 170-member policy, no wrapping" \
	fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
FABRIC_UP_SEEN=$(fabric_up_count)
fabric_wait_up 10
check "the plugin restored the file OpenSM had before" \
	grep -qE "fabricsm.*restored the last good .*had before" \
	"$FABRIC_OSM_LOG"
EDIT_HOSTS=6 check_every_port "the partitions of before the restart" \
	want_edit

# ---- 5. every HCA of a 216-HCA fat tree in one partition ----------------
# (tests/topo/gen-fattree.sh 12 18 2: 216 HCAs, 14 switches; HCA n has
# port GUID 0x0002c90400000001 + n * 0x10.) smpquery takes ~0.1 s a port
# here, so the 1008-HCA tree of the benchmark would take minutes.
fabric_stop_sm
fabric_kill_wait "$FABRIC_SIM_PID"
net=$FABRIC_DIR/fattree.net
bash tests/topo/gen-fattree.sh 12 18 2 >"$net"
hca() { printf '0x%016x' $((0x0002c90400000001 + $1 * 0x10)); }
gen_tree() {
	local i
	echo "fabric: { name: tree }"
	echo "default_partition: { membership: limited }"
	echo "partitions:"
	partition everyone 0x600
	for i in $(seq 1 216); do member "$(hca "$i")" full; done
	for i in $(seq 217 2000); do member "$(fake 0x40000 "$i")" limited; done
	partition half 0x601
	for i in $(seq 1 108); do member "$(hca "$i")" limited; done
}
want_tree() {
	local n=${1#hca-}
	case $1 in
	hca-0001) echo "0x0601 0x8600 0xffff" ;; # the SM's port
	hca-*) [ $((10#$n)) -le 108 ] && echo "0x0601 0x7fff 0x8600" ||
		echo "0x7fff 0x8600" ;;
	*) echo "0x7fff" ;;
	esac
}
pol=$FABRIC_DIR/tree.yaml
gen_tree >"$pol"
FABRIC_PLUGIN_OPTS=""
FABRIC_POLICY=$pol
check "ibsim on a 216-HCA fat tree" fabric_start_sim "$net"
check "opensm with a 2,000-member partition of all 216 HCAs" fabric_start_sm
check "SUBNET UP" fabric_wait_up 60 || diag "$FABRIC_ERR"
bad=0 n=0
while read -r g l t d; do
	n=$((n + 1))
	keys=$(fabric_pkeys "$l" | xargs)
	[ "$keys" = "$(want_tree "$d")" ] && continue
	bad=$((bad + 1))
	[ $bad -le 5 ] && diag "$d (LID $l): want $(want_tree "$d"), got $keys"
done < <(fabric_ports)
check_eq "216 HCAs + 14 switches: every end port's PKey table (smpquery)" \
	"230 ports, 0 wrong" "$n ports, $bad wrong"
check "OpenSM parsed the partition file (no PARSE ERROR)" no_parse_error
grep "fabricsm" "$FABRIC_OSM_LOG" | grep -iE "error|warn|restor" |
	cut -c1-300 | sed "s/^/# /"
tap_done
