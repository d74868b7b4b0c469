#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricctl policy check/show/diff and the policy edits, run as a user would:
# the built binary on files, judged by exit codes, by the bytes of the file
# and by python's own JSON parser.
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

FCTL=build/bin/fabricctl
[ -x "$FCTL" ] || skip_all "build/bin/fabricctl is not built (run make)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

out=$($FCTL policy check examples/fabric.yaml)
check "example policy is valid (exit 0)" [ $? -eq 0 ]
check_eq "summary line" \
	"examples/fabric.yaml: ok: 3 partitions, 8 members, 1 gateway, 2 access ports, 1 pinned LID" \
	"$out"

cat >"$dir/three.yaml" <<'YAML'
partitions:
  - name: a
    pkey: 0x0001
    vlan: 9999
  - name: b
    pkey: 0x8001
    mtu: 9000
YAML
$FCTL policy check "$dir/three.yaml" 2>"$dir/err" >/dev/null
check_eq "three errors: exit 1" 1 $?
check_eq "three errors: three located messages" 3 \
	"$(grep -c "^$dir/three.yaml:[0-9]*:[0-9]*: error: " "$dir/err")"
check "vlan error at 4:11" grep -q "three.yaml:4:11: error: vlan 9999" "$dir/err"
check "pkey error at 6:11" grep -q "three.yaml:6:11: error: pkey 0x0001 is already used" "$dir/err"
check "mtu error at 7:10" grep -q "three.yaml:7:10: error: mtu 9000" "$dir/err"

$FCTL policy check "$dir/none.yaml" 2>/dev/null
check_eq "missing file: exit 2" 2 $?

$FCTL -j policy show examples/fabric.yaml >"$dir/show.json"
check "policy show -j is JSON with the normalised pkey" python3 -c "
import json,sys
d=json.load(open('$dir/show.json'))
p={x['name']:x for x in d['partitions']}
assert p['tenant-b']['pkey']=='0x0002', p['tenant-b']
assert p['storage']['vlan']==16
assert list(d)==['fabric','pkey_table_size','lid_pins','default_partition','partitions','gateways','ports','metrics']
assert d['metrics'] is None
assert d['default_partition']=={'membership':'limited','ipoib':True,'mtu':0,'set':True}
"

# Edits keep comments and leave untouched lines as they were.
cp examples/fabric.yaml "$dir/p.yaml"
$FCTL --policy "$dir/p.yaml" member add tenant-a 0x0002c90300000701 limited >/dev/null
check_eq "member add: exit 0" 0 $?
check "member add: backup is the old file" cmp -s examples/fabric.yaml "$dir/p.yaml.bak"
check_eq "member add: only one line added" \
	"+      - { guid: 0x0002c90300000701, membership: limited }" \
	"$(diff examples/fabric.yaml "$dir/p.yaml" | sed -n 's/^> /+/p')"
check "member add: comments kept" grep -q "# the storage target" "$dir/p.yaml"
check "member add: result is valid" $FCTL policy check "$dir/p.yaml"

cp "$dir/p.yaml" "$dir/before.yaml"
$FCTL --policy "$dir/p.yaml" partition add dup pkey 0x8001 2>"$dir/err" >/dev/null
check_eq "refused edit (duplicate pkey): exit 1" 1 $?
check "refused edit: file byte-identical" cmp -s "$dir/before.yaml" "$dir/p.yaml"
check "refused edit: located error shown" \
	grep -q "(after the edit):[0-9]*:11: error: pkey 0x0001 is already used" "$dir/err"
$FCTL --policy "$dir/p.yaml" member add nosuch 0x1 2>/dev/null
check_eq "member add to unknown partition: exit 1" 1 $?
check "unknown partition: file byte-identical" cmp -s "$dir/before.yaml" "$dir/p.yaml"

$FCTL --policy "$dir/p.yaml" partition add tenant-c pkey 0x0003 vlan 40 \
	ipv4 10.40.0.0/24 >/dev/null
check_eq "partition add: exit 0" 0 $?
$FCTL --policy "$dir/p.yaml" partition del storage >/dev/null
check_eq "partition del: exit 0" 0 $?
$FCTL policy diff examples/fabric.yaml "$dir/p.yaml" >"$dir/diff"
check "diff names the removed partition" \
	grep -qx "partition storage: removed (pkey 0x0010 vlan 16, 2 members)  \[fabric,gateways\]" "$dir/diff"
check "diff names the added member" \
	grep -qx "member tenant-a 0x0002c90300000701: added (limited)  \[fabric\]" "$dir/diff"
check "diff names the added partition" grep -q "^partition tenant-c: added" "$dir/diff"
check_eq "diff: three changes" 3 "$(wc -l <"$dir/diff")"
check_eq "diff of a file with itself" "no change" \
	"$($FCTL policy diff "$dir/p.yaml" "$dir/p.yaml")"

# YAML aliases: a '- *gw' entry is deleted as written; a list shared by two
# partitions is refused at FILE:LINE:COL, file unchanged.
cat >"$dir/al.yaml" <<'YAML'
partitions:
  - name: a
    pkey: 1
    members: &common
      - &gw { guid: 0x1, membership: full }
  - name: b
    pkey: 2
    members: *common
  - name: c
    pkey: 3
    members:
      - *gw
YAML
cp "$dir/al.yaml" "$dir/al.before"
$FCTL --policy "$dir/al.yaml" member del c 0x1 >/dev/null 2>"$dir/err"
check_eq "alias member del: exit 0" 0 $?
check_eq "alias member del: only the alias line goes" \
	"<     members:|<       - *gw|>     members: []" \
	"$(diff "$dir/al.before" "$dir/al.yaml" | grep '^[<>]' | paste -sd'|')"
cp "$dir/al.yaml" "$dir/al.before"
$FCTL --policy "$dir/al.yaml" member del b 0x1 >/dev/null 2>"$dir/err"
check_eq "shared members list: exit 1" 1 $?
check "shared members list: FILE:LINE:COL of both places" \
	grep -q "^fabricctl: $dir/al.yaml:4:14: the members list of partition 'b' is shared .* '\*common' at 8:14" "$dir/err"
check "shared members list: file byte-identical" cmp -s "$dir/al.before" "$dir/al.yaml"

# Concurrent editors serialise on FILE.lock: every accepted edit survives.
cat >"$dir/c.yaml" <<'YAML'
partitions:
  - name: a
    pkey: 0x0001
    members:
      - { guid: 0x1, membership: full }
YAML
pids=()
for i in $(seq 2 21); do
	$FCTL -t 20000 --policy "$dir/c.yaml" member add a "$(printf '0x%x' "$i")" \
		>"$dir/c.$i.out" 2>&1 &
	pids+=($!)
done
accepted=0
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" && accepted=$((accepted + 1))
done
check_eq "20 concurrent member adds: all accepted" 20 "$accepted"
kept=0
for i in $(seq 2 21); do
	grep -q "guid: $(printf '0x%016x' "$i")," "$dir/c.yaml" && kept=$((kept + 1))
done
check_eq "20 concurrent member adds: all 20 members in the file" 20 "$kept"
check "concurrent adds: result is valid" $FCTL policy check "$dir/c.yaml"

# A held lock: the editor waits, then gives up with a clear error.
if command -v flock >/dev/null; then
	cp "$dir/c.yaml" "$dir/c.before"
	flock "$dir/c.yaml.lock" sleep 5 &
	holder=$!
	sleep 0.3
	t0=$(date +%s%N)
	timeout 10 $FCTL -t 500 --policy "$dir/c.yaml" member add a 0x99 2>"$dir/err" >/dev/null
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	check_eq "lock held elsewhere: exit 2" 2 "$rc"
	check "lock held elsewhere: waited about -t 500 ms ($ms ms)" \
		[ "$ms" -ge 450 -a "$ms" -lt 5000 ]
	check "lock held elsewhere: the error names the lock" \
		grep -q "c.yaml.lock.*500 ms" "$dir/err"
	check "lock held elsewhere: file byte-identical" cmp -s "$dir/c.before" "$dir/c.yaml"
else
	skip "lock timeout" "flock(1) is not installed"
fi

# Policy reads take regular files only, at most 16 MiB (fabric.yaml(5)):
# a FIFO, a device or a huge file is a clear error, never a hang.
mkfifo "$dir/fifo.yaml"
timeout 10 $FCTL policy check "$dir/fifo.yaml" 2>"$dir/err" >/dev/null
check_eq "FIFO policy: exit 2, no hang" 2 $?
check "FIFO policy: says it is not a regular file" \
	grep -q "fifo.yaml: error: .*not a regular file" "$dir/err"
timeout 10 $FCTL --policy "$dir/fifo.yaml" member add a 0x5 2>"$dir/err" >/dev/null
check_eq "FIFO policy edit: exit 2, no hang" 2 $?
check "FIFO policy edit: says it is not a regular file" \
	grep -q "not a regular file" "$dir/err"
timeout 10 $FCTL policy check /dev/zero 2>"$dir/err" >/dev/null
check_eq "/dev/zero policy: exit 2, no hang" 2 $?
check "/dev/zero policy: says it is not a regular file" \
	grep -q "/dev/zero: error: .*not a regular file" "$dir/err"
# exactly 16 MiB: accepted; one byte more: refused before it is read
head=$'partitions:\n  - { name: a, pkey: 1 }\n'
{
	printf '%s' "$head"
	head -c $((16 * 1024 * 1024 - ${#head} - 1)) /dev/zero | tr '\0' '#'
	printf '\n'
} >"$dir/big.yaml"
check_eq "16 MiB policy file built" $((16 * 1024 * 1024)) "$(stat -c %s "$dir/big.yaml")"
timeout 60 $FCTL policy check "$dir/big.yaml" >/dev/null 2>"$dir/err"
check_eq "16 MiB policy: accepted" 0 $?
printf '#' >>"$dir/big.yaml"
timeout 60 $FCTL policy check "$dir/big.yaml" >/dev/null 2>"$dir/err"
check_eq "16 MiB + 1 policy: exit 2" 2 $?
check "16 MiB + 1 policy: names the limit" grep -q "big.yaml: error: .*16 MiB" "$dir/err"
truncate -s 100M "$dir/huge.yaml"
/usr/bin/time -f %M -o "$dir/rss" timeout 60 $FCTL policy check "$dir/huge.yaml" \
	>/dev/null 2>"$dir/err"
check_eq "100 MB policy: exit 2" 2 $?
check "100 MB policy: refused without reading it (max RSS $(tail -1 "$dir/rss") KiB)" \
	[ "$(tail -1 "$dir/rss")" -lt 20000 ]

$FCTL policy frobnicate 2>/dev/null
check_eq "unknown command: exit 1" 1 $?
check "help lists every object" sh -c "$FCTL --help | grep -q '^  member '"

tap_done
