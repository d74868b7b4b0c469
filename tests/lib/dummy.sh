# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Shared preamble of the dummy-port tests (tests/integration/dummy_*.sh):
# fabricd --dummy --no-ib as an ordinary user, with its socket, state and
# pid file in a temp dir that user owns. No namespace, no interface, no
# root: the policy's ports are dummy ports, fed with `fabricctl port
# inject` and read back with `fabricctl port capture` (docs/fabricctl.8).
# As root the daemon and fabricctl run as nobody (setpriv); as any other
# user, as that user.
#
#   dummy_init [FABRICD-OPTIONS...] <POLICY   start it with the policy on
#                            stdin (a failure when it does not start)
#   fctl ARGS...             fabricctl on its socket, as that user
#   frame DST SRC [TYPE [N]] an Ethernet frame in hex: MACs as 12 hex
#                            digits, ethertype (0800), N payload bytes
#   tagged DST SRC VID [TYPE [N]]  the same with an 802.1Q tag
#   send PORT HEX...         inject, and wait until the engine counted them
#   capture PORT             the frames sent on PORT since the last capture
#   captured PORT...         "PORT:N ..." frames each got; forgets them
#   counter PORT KEY         a counter of port list (rx_packets, ...)

DUMMY_FABRICD=$PWD/build/bin/fabricd
DUMMY_FCTL=$PWD/build/bin/fabricctl
DUMMY_PID=""
DUMMY_AS=()

dummy_cleanup() {
	if [ -n "$DUMMY_PID" ]; then
		kill "$DUMMY_PID" 2>/dev/null
		wait "$DUMMY_PID" 2>/dev/null
	fi
	[ -n "${DUMMY_DIR:-}" ] && rm -rf "$DUMMY_DIR"
}

dummy_init() {
	local i
	[ -x "$DUMMY_FABRICD" ] && [ -x "$DUMMY_FCTL" ] ||
		skip_all "fabricd/fabricctl not built (make)"
	command -v jq >/dev/null || skip_all "jq not installed (make deps)"
	DUMMY_DIR=$(mktemp -d /tmp/fabricd-dummy.XXXXXX)
	trap dummy_cleanup EXIT
	cat >"$DUMMY_DIR/fabric.yaml"
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null ||
			skip_all "setpriv not installed (to run as nobody)"
		DUMMY_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		chmod 755 "$DUMMY_DIR"
		chown -R nobody "$DUMMY_DIR"
	fi
	DUMMY_USER=$(id -un)
	[ ${#DUMMY_AS[@]} -eq 0 ] || DUMMY_USER=nobody
	DUMMY_SOCK=$DUMMY_DIR/fabricd.ctl
	"${DUMMY_AS[@]}" "$DUMMY_FABRICD" -f --dummy --no-ib \
		-c "$DUMMY_DIR/fabric.yaml" -S "$DUMMY_DIR/state" \
		-s "$DUMMY_SOCK" -p "$DUMMY_DIR/fabricd.pid" "$@" \
		</dev/null 2>"$DUMMY_DIR/fabricd.log" &
	DUMMY_PID=$!
	for i in $(seq 100); do
		[ -S "$DUMMY_SOCK" ] && fctl status >/dev/null 2>&1 && return 0
		kill -0 "$DUMMY_PID" 2>/dev/null || break
		sleep 0.05
	done
	# It needs nothing that could be missing here: failing to start is a bug.
	not_ok "fabricd --dummy started as $DUMMY_USER"
	sed 's/^/# /' "$DUMMY_DIR/fabricd.log"
	tap_done
}

fctl() {
	"${DUMMY_AS[@]}" "$DUMMY_FCTL" -s "$DUMMY_SOCK" "$@"
}

# payload N: N bytes 00 01 02 ... in hex.
payload() {
	local i
	for ((i = 0; i < $1; i++)); do printf '%02x' $((i & 255)); done
}

frame() {
	echo "$1$2${3:-0800}$(payload "${4:-46}")"
}

tagged() {
	printf '%s%s8100%04x%s%s\n' "$1" "$2" "$3" "${4:-0800}" \
		"$(payload "${5:-46}")"
}

counter() {
	fctl -j port list | jq -r --arg p "$1" --arg k "$2" \
		'.[] | select(.name == $p) | .[$k]'
}

# The engine counts a frame when it takes it from the port; forwarding
# is done by then (the same locked round), so captures see the result.
send() {
	local port=$1 before want i
	shift
	before=$(counter "$port" rx_packets)
	fctl port inject "$port" "$@" >/dev/null || return 1
	want=$((before + $#))
	for i in $(seq 200); do
		[ "$(counter "$port" rx_packets)" -ge "$want" ] && return 0
		sleep 0.01
	done
	echo "# $port: the engine did not take $# frame(s)"
	return 1
}

capture() {
	fctl port capture "$1"
}

captured() {
	local p out=()
	for p in "$@"; do
		out+=("$p:$(capture "$p" | wc -l)")
	done
	echo "${out[*]}"
}
