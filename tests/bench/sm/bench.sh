#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-sm: what the plugin costs OpenSM, on a 1008-HCA fat tree
# (tests/topo/gen-fattree.sh) under ibsim, in one run, side by side:
#
#   plain    OpenSM alone, no partition file (default partition only)
#   static   OpenSM alone with the partition file the plugin generates
#            (200 partitions), written by hand as an admin would
#   plugin   OpenSM + libfabricsm.so with the 200-partition policy
#
# For each: start -> SUBNET UP, and a forced heavy sweep (SIGHUP -> SUBNET
# UP, median of SWEEPS). plugin/static is the plugin's own cost (target:
# at most 1.05); plugin/plain adds what 200 partitions cost OpenSM. Then a
# policy edit (a new partition) -> its PKey readable with smpquery on every
# member port, and how many heavy sweeps that took (target: one).
# Times come from OpenSM's log time stamps (microseconds). Not a test: it
# prints numbers and fails only when something does not come up.
set -u
cd "$(dirname "$0")/../../.." || exit 1
. tests/lib/fabric.sh

ROUNDS=${ROUNDS:-3}
SWEEPS=${SWEEPS:-7}
PARTS=${PARTS:-200}
EDIT_MEMBERS=${EDIT_MEMBERS:-24}

die() {
	echo "bench-sm: $*" >&2
	exit 1
}

# now: seconds since midnight, local time, as OpenSM's log stamps them.
now() {
	date +%H:%M:%S.%N | awk -F'[:.]' \
		'{ printf "%.6f\n", $1 * 3600 + $2 * 60 + $3 + $4 / 1e9 }'
}

# up_time N: when the Nth SUBNET UP of this run was logged (see now()).
up_time() {
	grep 'SUBNET UP$' "$FABRIC_OSM_LOG" | sed -n "${1}p" |
		awk '{ split($3, t, ":");
			printf "%.6f\n", t[1] * 3600 + t[2] * 60 + t[3] + $4 / 1e6 }'
}

# cpu_ticks PID...: user + system CPU of the processes, in clock ticks.
cpu_ticks() {
	local pid t=0
	for pid in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
	done
	echo "$t"
}

sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a / b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run_config NAME: fresh ibsim and OpenSM in the configuration NAME; appends
# the start time to UP[NAME] and the sweep times to SWEEP[NAME] (seconds).
run_config() {
	local name=$1 t0 i t sweeps="" c0 c1
	fabric_stop_sm
	fabric_kill_wait "$FABRIC_SIM_PID"
	fabric_start_sim "$NET" || die "$FABRIC_ERR"
	rm -f "$FABRIC_PARTITIONS"
	FABRIC_POLICY=""
	case $name in
	static) cp "$STATIC" "$FABRIC_PARTITIONS" ;;
	plugin) FABRIC_POLICY=$POLICY ;;
	esac
	# log=dbg: the plugin logs the time it spends in each sweep.
	FABRIC_PLUGIN_OPTS=log=dbg
	FABRIC_CACHE_DIR=$FABRIC_DIR/cache-$name-$RANDOM
	t0=$(now)
	fabric_start_sm || die "$FABRIC_ERR"
	fabric_wait_up 300 || die "$name: $FABRIC_ERR"
	UP[$name]="${UP[$name]:-} $(sub "$(up_time 1)" "$t0")"
	c0=$(cpu_ticks "$FABRIC_SM_PID" "$FABRIC_SIM_PID")
	for i in $(seq 1 "$SWEEPS"); do
		t=$(now)
		fabric_sweep 300 || die "$name: $FABRIC_ERR"
		sweeps="$sweeps $(sub "$(up_time $((i + 1)))" "$t")"
	done
	# Let the plugin's snapshot thread finish the last one: its CPU counts.
	sleep 0.3
	c1=$(cpu_ticks "$FABRIC_SM_PID" "$FABRIC_SIM_PID")
	CPU[$name]="${CPU[$name]:-} $(awk -v d=$((c1 - c0)) -v n="$SWEEPS" \
		-v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.4f", d / hz / n }')"
	SWEEP[$name]="${SWEEP[$name]:-}$sweeps"
	[ "$name" != plugin ] || OWN="${OWN:-} $(plugin_own_ms)"
	[ "$name" != plugin ] || OFF="${OFF:-} $(plugin_writer_ms)"
}

# plugin_writer_ms: milliseconds the plugin's snapshot thread (nice 19, off
# OpenSM's threads) spent per snapshot: JSON + atomic write.
plugin_writer_ms() {
	awk '/fabricsm\/smwriter: snapshot of sweep/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "JSON") j = $(i + 1)
				if ($i == "write") w = $(i + 1)
			}
			print j + w }' "$FABRIC_OSM_LOG" | xargs
}

# plugin_own_ms: milliseconds the plugin spent in OpenSM's thread per heavy
# sweep of this run (its own log=dbg lines: the HEAVY_SWEEP_DONE work, the
# SUBNET_UP fit check and snapshot build), one number per sweep.
plugin_own_ms() {
	awk '/fabricsm: heavy sweep [0-9]+: plugin work/ {
			for (i = 1; i <= NF; i++) if ($i == "work") w = $(i + 1) }
		/fabricsm: subnet up: fit check/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "check") f = $(i + 1)
				if ($i == "snapshot") s = $(i + 1)
			}
			print w + f + s }' "$FABRIC_OSM_LOG" | xargs
}

edit_hca_guids() {
	local n
	for n in $EDIT_HCAS; do
		printf '0x%016x\n' $((0x0002c90400000000 + n * 0x10 + 1))
	done
}

# edit_policy: the plugin's case: a new partition in the policy file.
edit_policy() {
	local g
	cp "$POLICY" "$POLICY.new"
	{
		printf '  - name: bench-new\n    pkey: 0x0500\n    members:\n'
		for g in $(edit_hca_guids); do
			echo "      - { guid: $g, membership: full }"
		done
	} >>"$POLICY.new"
	mv "$POLICY.new" "$POLICY"
}

# edit_static: the same partition written by hand into partitions.conf.
edit_static() {
	local g line="bench-new=0x0500, ipoib, mtu=4, sl=0 :"
	for g in $(edit_hca_guids); do
		line="$line $g=full,"
	done
	echo "${line%,} ;" >>"$FABRIC_PARTITIONS"
}

# wait_all_have PKEY LID...: until every LID's PKey table holds PKEY.
wait_all_have() {
	local pkey=$1 lid
	shift
	for lid in "$@"; do
		until fabric_pkeys "$lid" | grep -qx "$pkey"; do
			[ $SECONDS -lt $((EDIT_START + 120)) ] || return 1
			sleep 0.01
		done
	done
}

# measure_edit NAME EDIT_FN: the edit, SIGHUP, the next SUBNET UP, then
# smpquery on every member port. Sets EDIT_UP[NAME], EDIT_READ[NAME],
# EDIT_SWEEPS[NAME].
measure_edit() {
	local name=$1 fn=$2 lids="" g t0 ups_before
	for g in $(edit_hca_guids); do
		lids="$lids $(awk -v g="$g" '$1 == g { print $2 }' <<<"$PORTS")"
	done
	ups_before=$(fabric_up_count)
	FABRIC_UP_SEEN=$ups_before
	EDIT_START=$SECONDS
	t0=$(now)
	$fn
	kill -HUP "$FABRIC_SM_PID"
	fabric_wait_up 60 || die "edit: $FABRIC_ERR"
	EDIT_UP[$name]=$(sub "$(up_time $((ups_before + 1)))" "$t0")
	# shellcheck disable=SC2086
	wait_all_have 0x8500 $lids || die "$name edit: PKey 0x8500 never showed up"
	EDIT_READ[$name]=$(sub "$(now)" "$t0")
	EDIT_SWEEPS[$name]=$(($(fabric_up_count) - ups_before))
	EDIT_NLIDS=$(echo $lids | wc -w)
	[ "$name" != plugin ] ||
		VALIDATED=$(grep 'validated in\|plugin work' "$FABRIC_OSM_LOG" |
			tail -2 | sed 's/.*-> //' | paste -sd ';')
}

mean() { echo "$@" | tr ' ' '\n' | awk 'NF { s += $1; n++ } END { printf "%.3f\n", s / n }'; }
minimum() { echo "$@" | tr ' ' '\n' | awk 'NF' | sort -n | head -1; }
med() { echo "$@" | tr ' ' '\n' | awk 'NF' | median; }

report() {
	local c
	echo
	printf 'bench-sm: %s HCAs + %s switches (ibsim), policy of %s partitions + 1; %s rounds x %s forced sweeps\n' \
		"$N_CA" "$N_SW" "$PARTS" "$ROUNDS" "$SWEEPS"
	echo "(times from OpenSM's log; min is the least disturbed by other load on the machine)"
	printf '  %-8s %22s %22s\n' config "start->SUBNET UP" "heavy sweep"
	printf '  %-8s %10s %11s %10s %11s\n' "" min median min median
	for c in plain static plugin; do
		eval "U_$c=$(minimum ${UP[$c]}) UM_$c=$(med ${UP[$c]})"
		eval "S_$c=$(minimum ${SWEEP[$c]}) SM_$c=$(med ${SWEEP[$c]})"
		eval "printf '  %-8s %9s s %10s s %9s s %10s s\n' $c \$U_$c \$UM_$c \$S_$c \$SM_$c"
	done
	OWN_MS=$(mean $OWN)
	printf '  the plugin'"'"'s snapshot thread (nice 19, not in OpenSM'"'"'s way): %s ms per snapshot (JSON + atomic write)\n' \
		"$(mean $OFF)"
	printf '  the plugin'"'"'s own time in OpenSM'"'"'s thread: %s ms per heavy sweep (%s samples) = %s%% of the median sweep\n' \
		"$OWN_MS" "$(echo $OWN | wc -w)" \
		"$(awk -v a="$OWN_MS" -v b="$SM_plugin" 'BEGIN { printf "%.1f", a / (b * 1000) * 100 }')"
	for c in plain static plugin; do
		eval "C_$c=$(mean ${CPU[$c]})"
	done
	printf '  CPU per heavy sweep (opensm + ibsim, all threads): plain %s s, static %s s, plugin %s s\n' \
		"$C_plain" "$C_static" "$C_plugin"
	printf '  CPU ratio plugin/static %s (target <= 1.05), plugin/plain %s\n' \
		"$(ratio "$C_plugin" "$C_static")" "$(ratio "$C_plugin" "$C_plain")"
	echo "ratios (1.000 = no cost), min / median:"
	printf '  plugin/static  start %s / %s   sweep %s / %s   (the plugin itself; target <= 1.05)\n' \
		"$(ratio "$U_plugin" "$U_static")" "$(ratio "$UM_plugin" "$UM_static")" \
		"$(ratio "$S_plugin" "$S_static")" "$(ratio "$SM_plugin" "$SM_static")"
	printf '  plugin/plain   start %s / %s   sweep %s / %s   (plugin + what %s partitions cost OpenSM)\n' \
		"$(ratio "$U_plugin" "$U_plain")" "$(ratio "$UM_plugin" "$UM_plain")" \
		"$(ratio "$S_plugin" "$S_plain")" "$(ratio "$SM_plugin" "$SM_plain")" "$PARTS"
	printf 'edit (a new partition, %s member ports) + SIGHUP -> SUBNET UP; then smpquery on each member:\n' "$EDIT_NLIDS"
	for c in static plugin; do
		printf '  %-8s SUBNET UP %s s, new PKey read on all members at %s s, heavy sweeps: %s\n' \
			"$c" "${EDIT_UP[$c]}" "${EDIT_READ[$c]}" "${EDIT_SWEEPS[$c]}"
	done
	printf '  plugin/static edit-to-SUBNET-UP %s (the plugin re-reads and validates the policy)\n' \
		"$(ratio "${EDIT_UP[plugin]}" "${EDIT_UP[static]}")"
	echo "  plugin log: ${VALIDATED:-}"
}

main() {
	declare -gA UP SWEEP CPU EDIT_UP EDIT_READ EDIT_SWEEPS
	fabric_init || die "$FABRIC_ERR"
	[ -f build/lib/libfabricsm.so ] || die "build/lib/libfabricsm.so not built"
	NET=$FABRIC_DIR/fattree.net
	POLICY=$FABRIC_DIR/policy.yaml
	STATIC=$FABRIC_DIR/static-partitions.conf
	echo "generating the fat tree and a $PARTS-partition policy..."
	bash tests/topo/gen-fattree.sh >"$NET"
	bash tests/bench/sm/gen-policy.sh "$PARTS" >"$POLICY"
	# Members of the edit: spread over the leaves.
	EDIT_HCAS=$(seq 5 41 1008 | head -n "$EDIT_MEMBERS" | xargs)

	echo "warm-up: the plugin writes the partition file used by 'static'"
	run_config plugin
	cp "$FABRIC_PARTITIONS" "$STATIC"
	UP=() SWEEP=() CPU=()
	OWN="" OFF=""
	for r in $(seq 1 "$ROUNDS"); do
		for c in plain static plugin; do
			echo "round $r: $c"
			run_config "$c"
		done
	done
	PORTS=$(fabric_ports)
	N_CA=$(grep -c ' ca ' <<<"$PORTS")
	N_SW=$(grep -c ' switch ' <<<"$PORTS")
	echo "policy edit on the plugin run"
	measure_edit plugin edit_policy
	echo "the same edit by hand in partitions.conf"
	run_config static
	PORTS=$(fabric_ports)
	measure_edit static edit_static
	report
}

main "$@"
