#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The default partition (issue 16): without a default_partition key every
# end port is a full member of 0x7fff (0xffff), as with stock OpenSM and no
# partition file, so installing the plugin leaves IPoIB on ib0 working;
# with { membership: limited } every port but the SM's is limited (0x7fff)
# and the broadcast group takes the policy's MTU. Judged with smpquery on
# every end port and OpenSM's SA dump. `fabricctl policy check` warns, with
# the line, when tenants exist and the default partition is full.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"

pol=$FABRIC_DIR/policy.yaml
# write_policy [DEFAULT-LINE]: one tenant (h1, h2), the default as given.
write_policy() {
	{
		echo "fabric: { name: dflt }"
		[ -z "${1:-}" ] || echo "$1"
		echo "partitions:"
		echo "  - name: t1"
		echo "    pkey: 0x0021"
		echo "    members:"
		echo "      - { guid: 0x0002c90300000201, membership: full }"
		echo "      - { guid: 0x0002c90300000301, membership: full }"
	} >"$pol"
}

# default_keys: "DESC KEY" per end port, KEY its default-partition entry.
default_keys() {
	local g l t d
	fabric_ports | while read -r g l t d; do
		echo "$d $(fabric_pkeys "$l" | grep -E '^0x(7fff|ffff)$' | xargs)"
	done
}

# ---- absent: every port full, and a warning --------------------------------
write_policy
warn=$(build/bin/fabricctl --policy "$pol" policy check 2>&1 >/dev/null)
check "policy check warns when tenants exist and the default is full" \
	grep -qE "^$pol:3:5: warning: tenants can meet in the default partition" \
	<<<"$warn"
diag "$warn"
FABRIC_POLICY=$pol
FABRIC_OSM_CONF="sa_db_dump TRUE"
check "opensm with the plugin starts" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
table=$(default_keys)
check_eq "no default_partition: all 13 end ports full members (0xffff)" \
	"13 0" "$(wc -l <<<"$table") $(grep -vc ' 0xffff$' <<<"$table")"
grep -v ' 0xffff$' <<<"$table" | sed 's/^/# /'
check "the plugin's log carries the warning too" \
	grep -q "fabricsm: WARNING: .*tenants can meet in the default" \
	"$FABRIC_OSM_LOG"
h1=$(fabric_lid_of 0x0002c90300000201)
check_eq "h1 keeps its tenant as well" "0x8021 0xffff" \
	"$(fabric_pkeys "$h1" | xargs)"
sa=$FABRIC_DIR/opensm-sa.dump
check "the default IPoIB broadcast group exists (MTU 2048, OpenSM's)" \
	fabric_wait_file_re "$sa" 'mgid=0xff12401bffff0000:.* mtu=0x84 ' 5

# ---- limited: every port but the SM's limited; no warning ----------------
write_policy "default_partition: { membership: limited, mtu: 4096 }"
warn=$(build/bin/fabricctl --policy "$pol" policy check 2>&1 >/dev/null)
check_eq "policy check: no warning with a limited default" "" "$warn"
check "SIGHUP sweep" fabric_sweep
table=$(default_keys)
check_eq "limited: the SM's port full, the 12 others limited (0x7fff)" \
	"sm 0xffff|12" \
	"$(grep '^sm ' <<<"$table")|$(grep -c ' 0x7fff$' <<<"$table")"
# OpenSM keeps a broadcast group it made (osm_prtn_config.c creates none
# that exists): a new MTU applies when OpenSM starts.
fabric_stop_sm
rm -f "$sa"
check "opensm restarts with the limited default" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
check "the default broadcast group takes the policy's MTU 4096" \
	fabric_wait_file_re "$sa" 'mgid=0xff12401bffff0000:.* mtu=0x85 ' 5

# ---- full, said explicitly: the warning names that line -----------------
write_policy "default_partition: { membership: full }"
warn=$(build/bin/fabricctl --policy "$pol" policy check 2>&1 >/dev/null)
check "an explicit full default is warned about on its line" \
	grep -qE "^$pol:2:34: warning: tenants can meet" <<<"$warn"
check "SIGHUP sweep" fabric_sweep
table=$(default_keys)
check_eq "full: all 13 end ports full members again (0xffff)" \
	"13 0" "$(wc -l <<<"$table") $(grep -vc ' 0xffff$' <<<"$table")"
printf 'default_partition: { membership: both }\npartitions: []\n' \
	>"$FABRIC_DIR/both.yaml"
check "membership both is refused for the default partition" \
	bash -c "build/bin/fabricctl --policy $FABRIC_DIR/both.yaml policy \
		check 2>&1 | grep -q 'both.yaml:1:34: error: membership .both.'"
tap_done
