#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd's control socket under abuse: malformed JSON, wrong params, an
# oversized request, a peer without permission (nobody, via setpriv), a
# member of the socket's group; every time an error reply and a daemon that
# goes on. Also the built-ins (list-commands, version, log/set), pipelined
# requests, and --help. fabricd runs Ethernet-only (--no-ib) in a network
# namespace of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces, setpriv)"
# The nobody user cannot use a per-user python shim: take the system one.
PY=/usr/bin/python3
tap_need "$FABRICD" "$FABRICCTL" jq $PY setpriv

D=$(mktemp -d /tmp/fabricd-ctl.XXXXXX)
chmod 755 "$D"
NS=fdctl-$$
FD_PID=""
cleanup() {
	if [ -n "$FD_PID" ]; then
		kill "$FD_PID" 2>/dev/null
		wait "$FD_PID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
ip netns add "$NS" || skip_all "cannot create a network namespace"
ip -n "$NS" link add up0 type veth peer name up0p
ip -n "$NS" link set up0 up

cat >"$D/fabric.yaml" <<'EOF'
fabric:
  name: ctl-test
partitions:
  - name: tenant-a
    pkey: 0x0021
    vlan: 20
    ipv4: 10.20.0.0/24
    members:
      - { all_cas: true, membership: full }
gateways:
  - name: gw1
    uplink: up0
    addresses: { tenant-a: [10.20.0.1/24] }
EOF
SOCK=$D/run/fabricd.ctl

# raw [--user] PAYLOAD-KIND...: send raw bytes, print the reply lines.
raw() {
	local who=()
	if [ "$1" = --nobody ]; then
		who=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		shift
	fi
	"${who[@]}" $PY - "$SOCK" "$@" <<'PY'
import socket, sys
path, kind = sys.argv[1], sys.argv[2]
payloads = {
    "malformed": b'{"id": 1, "method": "status", \n',
    "notobject": b'[1, 2, 3]\n',
    "badparams": b'{"id": 2, "method": "partitions", "params": [1]}\n',
    "unknown": b'{"id": 3, "method": "no/such/thing", "params": []}\n',
    "toomany": b'{"id": 4, "method": "version", "params": ["x"]}\n',
    "version": b'{"id": 5, "method": "version", "params": []}\n',
    "pipelined": b'{"id": 6, "method": "version"}\n{"id": 7, "method": "version"}\n',
    "oversized": b'{"id": 8, "method": "' + b"x" * (70 * 1024) + b'"}\n',
    "list": b'{"id": 9, "method": "list-commands", "params": []}\n',
    "logset": b'{"id": 10, "method": "log/set", "params": ["reconcile", "dbg"]}\n',
    "logbad": b'{"id": 11, "method": "log/set", "params": ["loud"]}\n',
}
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(path)
except OSError as e:
    print("connect: %s" % e.strerror)
    sys.exit(0)
try:
    s.sendall(payloads[kind])
except OSError:
    pass
s.settimeout(5)
buf = b""
want = 2 if kind == "pipelined" else 1
while buf.count(b"\n") < want:
    try:
        d = s.recv(65536)
    except OSError:
        break
    if not d:
        break
    buf += d
sys.stdout.write(buf.decode())
PY
}
alive() { "$FABRICCTL" -s "$SOCK" -j status | jq_true '.version == "0.1"'; }
err_of() { jq -r .error <<<"$1"; }
jq_ok() { jq_true "$1" <<<"$2"; }

check "--help explains the options" \
	bash -c "'$FABRICD' --help | grep -q -- '--ctl-socket PATH'"
"$FABRICD" --no-such-option >/dev/null 2>&1
check_eq "an unknown option is a usage error (2)" 2 "$?"

ip netns exec "$NS" "$FABRICD" --policy "$D/fabric.yaml" --gateway gw1 \
	--no-ib --state-dir "$D/state" --ctl-socket "$SOCK" \
	--pid-file "$D/run/fabricd.pid" --ctl-group nogroup --foreground \
	>"$D/fabricd.log" 2>&1 &
FD_PID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
check "control socket created" test -S "$SOCK"
check_eq "socket mode 0660" 660 "$(stat -c %a "$SOCK")"
check_eq "socket group from --ctl-group" nogroup "$(stat -c %G "$SOCK")"
check "fabricctl status works" alive
check_eq "status says policy-only without IB" policy-only \
	"$("$FABRICCTL" -s "$SOCK" -j status | jq -r .ib.mode)"

r=$(raw malformed)
check "malformed JSON: error reply" \
	jq_ok '.error | startswith("malformed request")' "$r"
check "daemon alive after malformed JSON" alive
r=$(raw notobject)
check_eq "not an object: error reply" "malformed request: not a JSON object" "$(err_of "$r")"
r=$(raw badparams)
check_eq "params not strings: error reply" \
	'"params" must be an array of strings' "$(err_of "$r")"
r=$(raw unknown)
check_eq "unknown command: error reply" \
	"unknown command 'no/such/thing'; try list-commands" "$(err_of "$r")"
r=$(raw toomany)
check_eq "too many arguments: usage" "usage: version " "$(err_of "$r")"
r=$(raw oversized)
check_eq "oversized request: error reply" "request too long" "$(err_of "$r")"
check "daemon alive after an oversized request" alive
check "oversized request logged" grep -q "exceeds 65536 bytes" "$D/fabricd.log"
r=$(raw version)
check_eq "version" 0.1 "$(jq -r .result <<<"$r")"
r=$(raw pipelined)
check_eq "two pipelined requests, two replies in order" "6 7" \
	"$(jq -r .id <<<"$r" | tr '\n' ' ' | sed 's/ $//')"
r=$(raw list)
check_eq "list-commands: fabricd's own" "list-commands log/set partitions reconcile reload status version" \
	"$(jq -r '[.result[].name | select(test("^(list-commands|log/set|partitions|reconcile|reload|status|version)$"))] | sort | join(" ")' <<<"$r")"
check "list-commands: the engine's too (port/add)" \
	jq_ok '[.result[].name] | index("port/add")' "$r"
check_eq "status: the forwarding engine runs" running \
	"$("$FABRICCTL" -s "$SOCK" -j status | jq -r .engine)"
r=$(raw logset)
check_eq "log/set reconcile dbg" dbg "$(jq -r .result.reconcile <<<"$r")"
r=$(raw logbad)
check "log/set with a bad level: error reply" \
	jq_ok '.error | startswith("unknown level")' "$r"

# Permissions: nobody (not in the socket's group) cannot even connect
# (0660); with the file opened up, SO_PEERCRED still refuses it.
out=$(setpriv --reuid=nobody --regid=daemon --clear-groups \
	"$FABRICCTL" -s "$SOCK" status 2>&1)
check_eq "nobody: fabricctl exits 2 (unreachable)" 2 "$?"
check "nobody: told why" grep -q "Permission denied" <<<"$out"
chmod 0666 "$SOCK"
r=$(setpriv --reuid=nobody --regid=daemon --clear-groups $PY - "$SOCK" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"id": 1, "method": "status"}\n')
except OSError:
    pass  # refused peers get their reply at once and are disconnected
s.settimeout(5)
print(s.recv(65536).decode().strip())
PY
)
check "nobody past the file mode: SO_PEERCRED refuses" \
	jq_ok '.error | startswith("permission denied")' "$r"
check "refusal logged with the peer's uid" grep -q "refused peer pid .* uid 65534" "$D/fabricd.log"
chmod 0660 "$SOCK"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$FABRICCTL" -s "$SOCK" -j status 2>&1)
check "a member of the socket's group (nogroup) is served" \
	jq_ok '.version' "$out"
check "daemon alive after all that" alive
check "daemon process still running" kill -0 "$FD_PID"

kill -TERM "$FD_PID"
wait "$FD_PID"
check_eq "SIGTERM: exit status 0" 0 "$?"
FD_PID=""
check "SIGTERM: socket and pid file removed" \
	bash -c "test ! -e '$SOCK' && test ! -e '$D/run/fabricd.pid'"

tap_done
