#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# One tenant cannot fill the MAC table for the others (issue 10, finding 7).
# fabricd (--no-ib: an Ethernet-only host) switches tenant-a (a1, a2) and
# tenant-b (b1, b2) between veths in namespaces, with a trunk "vt" to the
# namespace "ext". a1 sends frames from 200,000 random source MACs (python3,
# a raw socket). Then b1 speaks from a MAC never seen before and b2 sends
# it unicast: the MAC must be learned on vb1 and the frames reach b1 only,
# not flooded to the trunk (counted by ext's kernel and by fabricd's
# per-partition "flooded" counter). Three rounds: the defaults (a1's port
# stops at its learning limit), a1's port without a limit (tenant-a stops
# at its shared quota, half of the table), and a fixed quota set at run
# time. tenant-b's fixed quota comes from the policy (fdb_limit).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh

PY=/usr/bin/python3
netns_require jq $PY

netns_init fdbquota
mac_of() { echo "02:00:00:00:00:$1"; }

mkns sw
for v in a1 a2 b1 b2; do netns_veth $v v$v "$(mac_of $v)"; done
ext_trunk

{
	two_tenant_policy fdbquota vt "fdb_limit: 100"
	cat <<'EOF'
ports:
  - { name: va1, partition: tenant-a, membership: full }
  - { name: va2, partition: tenant-a, membership: full }
  - { name: vb1, partition: tenant-b, membership: full }
  - { name: vb2, partition: tenant-b, membership: full, fdb_limit: 10 }
EOF
} >"$D/fabric.yaml"

# send NS COUNT DST SRC: COUNT frames (ethertype 0x88b5) out of NS's eth0.
# flood NS COUNT SEED: COUNT frames, each from its own random source MAC.
cat >"$D/send.py" <<'EOF'
import random, socket, sys, time
mode, count = sys.argv[1], int(sys.argv[2])
mac = lambda m: bytes.fromhex(m.replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
if mode == "send":
    f = mac(sys.argv[3]) + mac(sys.argv[4]) + b"\x88\xb5" + bytes(46)
    for _ in range(count):
        s.send(f)
    sys.exit(0)
rnd = random.Random(int(sys.argv[3]))
dst = mac("02:00:00:00:00:a2")
for i in range(count):
    src = bytes([0x02, rnd.randrange(256)]) + rnd.getrandbits(32).to_bytes(4, "big")
    s.send(dst + src + b"\x88\xb5" + bytes(46))
    if i % 2000 == 1999:
        time.sleep(0.002)  # let the switch keep up: we test its table
EOF
send() {
	local n=$1
	shift
	in_ns "$n" $PY "$D/send.py" send "$@"
}
flood() { in_ns "$1" $PY "$D/send.py" flood "$2" "$3"; }

netns_fabricd sw
check "engine up: 5 ports open" wait_ports_up 5

rxp() { in_ns "$1" cat /sys/class/net/eth0/statistics/rx_packets; }
stat() { fctl -j stats | jq -r "$1"; }
part() { stat ".partitions[] | select(.name==\"$1\") | $2"; }
n_fdb() { fctl -j fdb show partition "$1" | jq length; }
fdb_port() {
	fctl -j fdb show partition "$1" |
		jq -r ".[] | select(.mac==\"$2\") | .port"
}

# other_partition_learns ROUND MAC: b1 speaks from MAC (new), b2 sends 200
# frames to it: learned on vb1, delivered to b1, never flooded.
other_partition_learns() {
	local r=$1 m=$2 ext0 b10 fl0
	send b1 1 ff:ff:ff:ff:ff:ff "$m"
	sleep 0.2
	check_eq "$r: tenant-b learns b1's new MAC on vb1" vb1 \
		"$(fdb_port tenant-b "$m")"
	ext0=$(rxp ext)
	b10=$(rxp b1)
	fl0=$(part tenant-b .flooded)
	send b2 200 "$m" "$(mac_of b2)"
	sleep 0.3
	check_eq "$r: b1 gets b2's 200 unicast frames" 200 \
		$(($(rxp b1) - b10))
	check_eq "$r: none flooded to the trunk (ext's kernel)" 0 \
		$(($(rxp ext) - ext0))
	check_eq "$r: tenant-b flooded counter unchanged" 0 \
		$(($(part tenant-b .flooded) - fl0))
	diag "$r: tenant-a $(n_fdb tenant-a) entries, tenant-b" \
		"$(n_fdb tenant-b); fdb $(fctl -j stats | jq -c .fdb)"
}

send b2 1 ff:ff:ff:ff:ff:ff "$(mac_of b2)"
send a2 1 ff:ff:ff:ff:ff:ff "$(mac_of a2)"

# Round 1: the defaults.
flood a1 200000 1
sleep 0.5
other_partition_learns "defaults" 02:00:00:00:0b:01
check_eq "defaults: va1 holds as many as its limit" \
	"$(stat '.ports[] | select(.name=="va1") | .fdb.limit')" \
	"$(stat '.ports[] | select(.name=="va1") | .fdb.entries')"
check "defaults: tenant-a holds va1's and a2's" \
	test "$(n_fdb tenant-a)" -le $(($(stat \
		'.ports[] | select(.name=="va1") | .fdb.limit') + 1))
check "defaults: va1 refused addresses, counted (port_limit)" \
	test "$(stat '.fdb.port_limit')" -gt 0
check_eq "defaults: ... on va1" "$(stat '.fdb.port_limit')" \
	"$(stat '.ports[] | select(.name=="va1") | .fdb.refused')"
check_eq "defaults: the trunk has no limit of its own" null \
	"$(stat '.ports[] | select(.name=="vt") | .fdb.limit')"

# Round 2: a1's port without a limit: tenant-a's shared quota holds.
fctl fdb limit port va1 none >/dev/null
check_eq "fdb limit port va1 none" 0 $?
check_eq "... shown" null \
	"$(stat '.ports[] | select(.name=="va1") | .fdb.limit')"
flood a1 200000 2
sleep 0.5
other_partition_learns "shared quota" 02:00:00:00:0b:02
SIZE=$(stat .fdb.size)
check "shared quota: tenant-a stopped at half of the table or less" \
	test "$(n_fdb tenant-a)" -le $((SIZE / 2 + 1))
check "shared quota: refusals counted (part_limit)" \
	test "$(stat .fdb.part_limit)" -gt 0
check_eq "shared quota: ... on tenant-a" "$(stat .fdb.part_limit)" \
	"$(part tenant-a .fdb.refused)"
check_eq "shared quota: tenant-a's limit is shown as shared" shared \
	"$(part tenant-a .fdb.limit)"
check_eq "policy fdb_limit: tenant-b's fixed quota" 100 \
	"$(part tenant-b .fdb.limit)"
check_eq "policy fdb_limit: vb2's learning limit" 10 \
	"$(stat '.ports[] | select(.name=="vb2") | .fdb.limit')"
check_eq "... vb1 has the default" 1024 \
	"$(stat '.ports[] | select(.name=="vb1") | .fdb.limit')"
check_eq "no address lost to a full table" 0 "$(stat .fdb.full)"

# Round 3: a fixed quota at run time.
fctl fdb limit partition tenant-a 5000 >/dev/null
check_eq "fdb limit partition tenant-a 5000" 0 $?
# Forget round 2's addresses (aging runs every second), then flood again.
fctl fdb aging 1 >/dev/null
sleep 1.5
fctl fdb aging 300000 >/dev/null
flood a1 20000 3
sleep 0.5
check "fixed quota: tenant-a holds at most 5000" \
	test "$(n_fdb tenant-a)" -le 5000
check_eq "fixed quota: shown" 5000 "$(part tenant-a .fdb.limit)"
other_partition_learns "fixed quota" 02:00:00:00:0b:03
fctl fdb limit partition tenant-b 70000 2>"$D/err"
check_eq "a quota above the table is refused (exit 1)" 1 $?
check "... with a reason" grep -q . "$D/err"

# The policy key: shown, and checked where it is written.
check_eq "policy show: tenant-b's fdb_limit" 100 \
	"$("$FABRICCTL" -j policy show "$D/fabric.yaml" |
		jq '.partitions[] | select(.name=="tenant-b") | .fdb_limit')"
sed 's/fdb_limit: 100/fdb_limit: 65500/; s/vlan: 20/vlan: 20\n    fdb_limit: 100/' \
	"$D/fabric.yaml" >"$D/over.yaml"
"$FABRICCTL" policy check "$D/over.yaml" 2>"$D/err" >/dev/null
check_eq "policy check: quotas over the table refused (exit 1)" 1 $?
check "... at the fdb_limit that overflows, FILE:LINE:COL" \
	grep -q "over.yaml:13:16: error: the partitions' fdb_limit add up" \
	"$D/err"

# Text output carries the reasons too.
check "text: stats shows the refusals" sh -c "$FABRICCTL -s $SOCK stats |
	grep -q 'partition quota'"
kill -0 "${PIDS[0]}"
check_eq "engine still running" 0 $?
check_eq "forwarding threads as FABRICD_THREADS asks" \
	"$(netns_threads_expected)" "$(fctl -j stats | jq .threads)"
tap_done
