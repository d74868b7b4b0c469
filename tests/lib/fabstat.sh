# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The simulated fabric of the fabstat tests (sourced after tests/lib/tap.sh
# and tests/lib/fabric.sh): the binary, the policy, the tools they need.

# The partitions.conf below has "both" members (a full and a limited entry
# on one port), which OpenSM writes only with allow_both_pkeys TRUE.
FABRIC_ALLOW_BOTH=TRUE
FABSTAT=$PWD/build/bin/fabstat
POLICY=$PWD/examples/fabric.yaml
[ -x "$FABSTAT" ] || skip_all "build/bin/fabstat not built (run make)"
command -v jq >/dev/null || skip_all "jq not installed"

# fabstat_sim_up: tests/topo/small.net under the stock OpenSM, no plugin,
# with a hand-written partitions.conf that differs from
# examples/fabric.yaml on purpose: h4 (0x...501) is not in tenant-b, h5
# (0x...601) is a limited member of storage instead of full (fabstat fabric
# reports that). Skips the test when the fabric cannot start; ends it with
# "not ok" when OpenSM does not bring it up.
fabstat_sim_up() {
	fabric_init || skip_all "$FABRIC_ERR"
	cat >"$FABRIC_PARTITIONS" <<'P'
Default=0x7fff : ALL=full ;
tenant-a=0x0001, ipoib : 0x0002c90300000101=full, 0x0002c90300000201=full, 0x0002c90300000301=limited ;
tenant-b=0x0002 : 0x0002c90300000101=both, 0x0002c90300000401=full ;
storage=0x0010 : 0x0002c90300000601=limited ;
P
	fabric_start_sim tests/topo/small.net || skip_all "$FABRIC_ERR"
	fabric_start_sm || skip_all "$FABRIC_ERR"
	if ! fabric_wait_up; then
		not_ok "OpenSM brings the fabric up: $FABRIC_ERR"
		tap_done
	fi
}
