#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make demo: the OpenSM plugin on a simulated fabric.
#   1. ibsim on tests/topo/small.net (2 leaves, a spine, 10 HCAs, gateway gw1)
#   2. OpenSM + libfabricsm.so with a copy of examples/fabric.yaml
#   3. the ports as the fabric reports them (smpquery): LID, partitions
#   4. an edit of the policy (h6 joins tenant-a), SIGHUP, what changed
# Everything runs in a private network namespace and a temp dir, and is
# stopped by PID at the end. As a non-root user it runs in a user namespace
# ("unshare -rn"), so it leaves nothing owned by root behind.
set -u
cd "$(dirname "$0")/.." || exit 1

if [ "$(id -u)" -ne 0 ] && [ -z "${FABRIC_NO_NETNS:-}" ]; then
	exec unshare -rn env FABRIC_NO_NETNS=1 bash "$0" "$@"
fi

. tests/lib/fabric.sh

POLICY_SRC=${POLICY_SRC:-examples/fabric.yaml}
NEW_MEMBER=0x0002c90300000701 # h6 in tests/topo/small.net

die() {
	echo "demo: $*" >&2
	exit 1
}

step() {
	printf '\n== %s\n' "$*"
}

# pkey_names: "BASE NAME" lines for every partition of the policy in force,
# from the plugin's snapshot (the names are the policy's; the keys below
# come from the ports themselves).
pkey_names() {
	echo "7fff Default"
	jq -r '.policy.partitions[] | "\(.pkey[2:]) \(.name)"' "$FABRIC_STATE"
}

# both: "a:full a:limited b:limited" -> "a:both b:limited", sorted.
both() {
	tr ' ' '\n' | awk -F: 'NF == 2 { if ($1 in m) v = "both"; else v = $2
			m[$1] = v }
		END { for (n in m) print n ":" m[n] }' | sort | xargs
}

# table: one line per end port: GUID, node, LID and its partitions with
# membership, read from each port's PKey table with smpquery.
table() {
	local names g l t d k base memb list
	names=$(pkey_names)
	printf '%-18s  %-6s %5s  %s\n' "PORT GUID" NODE LID PARTITIONS
	fabric_ports | while read -r g l t d; do
		list=""
		for k in $(fabric_pkeys "$l"); do
			base=$(printf '%04x' $((k & 0x7fff)))
			memb=limited
			[ $((k & 0x8000)) -ne 0 ] && memb=full
			name=$(awk -v b="$base" '$1 == b { print $2 }' <<<"$names")
			list="$list ${name:-0x$base}:$memb"
		done
		printf '%-18s  %-6s %5s  %s\n' "$g" "$d" "$l" "$(both <<<"$list")"
	done
}

main() {
	local before after
	command -v jq >/dev/null || die "jq is missing (make deps)"
	fabric_init || die "$FABRIC_ERR"
	[ -f "$POLICY_SRC" ] || die "no policy at $POLICY_SRC"
	cp "$POLICY_SRC" "$FABRIC_DIR/fabric.yaml"
	FABRIC_POLICY=$FABRIC_DIR/fabric.yaml

	step "ibsim on tests/topo/small.net"
	fabric_start_sim tests/topo/small.net || die "$FABRIC_ERR"
	echo "ibsim pid $FABRIC_SIM_PID"

	step "OpenSM with libfabricsm.so, policy $POLICY_SRC"
	fabric_start_sm || die "$FABRIC_ERR"
	fabric_wait_up || die "$FABRIC_ERR"
	fabric_wait_state 1 || die "$FABRIC_ERR"
	echo "opensm pid $FABRIC_SM_PID: SUBNET UP"
	grep -o 'fabricsm.*' "$FABRIC_OSM_LOG" | sed 's/^/  log: /'

	step "Ports, as the fabric reports them (smpquery pkeys)"
	before=$(table)
	echo "$before"

	step "Edit: h6 ($NEW_MEMBER) joins tenant-a as a full member; SIGHUP"
	sed -i "/^  - name: tenant-a/,/^  - name:/ s|^    members:|    members:\n      - { guid: $NEW_MEMBER, membership: full }|" \
		"$FABRIC_POLICY"
	fabric_sweep || die "$FABRIC_ERR"
	after=$(table)
	diff <(echo "$before") <(echo "$after") | sed -n 's/^</  before:/p; s/^>/  after: /p'
	[ "$before" != "$after" ] || die "nothing changed"

	step "Stopping opensm ($FABRIC_SM_PID) and ibsim ($FABRIC_SIM_PID)"
	fabric_cleanup
	echo "done"
}

main "$@"
