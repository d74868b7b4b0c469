#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Command-line handling of fabricctl, fabstat and fabricd (lib/cli.c): the
# exact message and exit status for an unknown option, a missing argument,
# a bad number, an unknown command or object, a wrong number of arguments;
# --help on stdout with exit 0; -V. Needs no root and no daemon: none of
# these reach a socket or a device.
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

FCTL=build/bin/fabricctl
FABSTAT=build/bin/fabstat
FABRICD=build/bin/fabricd
for b in $FCTL $FABSTAT $FABRICD; do
	[ -x "$b" ] || skip_all "$b is not built (run make)"
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# run CMD...: sets RC, OUT (stdout) and ERR (stderr).
run() {
	"$@" >"$dir/out" 2>"$dir/err"
	RC=$?
	OUT=$(cat "$dir/out")
	ERR=$(cat "$dir/err")
}

# expect_usage DESC RC MESSAGE CMD...: exit RC, stderr exactly MESSAGE,
# nothing on stdout.
expect_usage() {
	local desc=$1 rc=$2 msg=$3
	shift 3
	run "$@"
	check_eq "$desc: exit $rc" "$rc" "$RC"
	check_eq "$desc: message" "$msg" "$ERR"
	check_eq "$desc: stdout empty" "" "$OUT"
}

# --- fabricctl: usage errors exit 1 (fabricctl(8): "the arguments were wrong")
expect_usage "fabricctl unknown long option" 1 \
	"fabricctl: unknown option '--frob'
Try 'fabricctl --help'." $FCTL --frob policy check
expect_usage "fabricctl unknown short option" 1 \
	"fabricctl: unknown option '-x'
Try 'fabricctl --help'." $FCTL -x policy check
expect_usage "fabricctl missing argument" 1 \
	"fabricctl: option '--socket' needs an argument
Try 'fabricctl --help'." $FCTL --socket
expect_usage "fabricctl missing argument (short)" 1 \
	"fabricctl: option '-t' needs an argument
Try 'fabricctl --help'." $FCTL -t
expect_usage "fabricctl bad number" 1 \
	"fabricctl: --timeout: '5s' is not a number from 0 to 3600000
Try 'fabricctl --help'." $FCTL -t 5s status
expect_usage "fabricctl too many arguments" 1 \
	"fabricctl: usage: fabricctl policy diff OLD NEW" \
	$FCTL policy diff a b c
expect_usage "fabricctl too few arguments" 1 \
	"fabricctl: usage: fabricctl partition show NAME" \
	$FCTL partition show

run $FCTL policy frobnicate
check_eq "fabricctl unknown command: exit 1" 1 "$RC"
check_eq "fabricctl unknown command: first line" \
	"fabricctl: policy: unknown command 'frobnicate'" "$(head -1 <<<"$ERR")"
check "fabricctl unknown command: lists the object's commands" \
	grep -q '^  diff OLD NEW  *what would change' "$dir/err"
run $FCTL frobnicate
check_eq "fabricctl unknown object: exit 1" 1 "$RC"
check_eq "fabricctl unknown object: first line" \
	"fabricctl: unknown object 'frobnicate'" "$(head -1 <<<"$ERR")"
check "fabricctl unknown object: lists the objects" \
	grep -q '^  partition  *partitions: list/show' "$dir/err"
run $FCTL
check_eq "fabricctl without object: exit 1" 1 "$RC"
check "fabricctl without object: usage on stderr" \
	grep -q '^Usage: fabricctl \[OPTIONS\] OBJECT' "$dir/err"

for h in --help -h help; do
	run $FCTL $h
	check_eq "fabricctl $h: exit 0, nothing on stderr" "0:" "$RC:$ERR"
	check_eq "fabricctl $h: synopsis first" \
		"Usage: fabricctl [OPTIONS] OBJECT [COMMAND [ARGS...]]" \
		"$(head -1 "$dir/out")"
done
# every option of the table, with its argument, in the help
for o in "-j, --json" "-p, --pretty" "-o, --output FORMAT" "-s, --socket PATH" "    --policy FILE" \
	"-t, --timeout MS" "-V, --version" "-h, --help"; do
	check "fabricctl --help: '$o'" grep -qF -- "  $o  " "$dir/out"
done
run $FCTL partition help
check_eq "fabricctl partition help: exit 0" 0 "$RC"
check_eq "fabricctl partition help: one table, four commands and help" \
	"list show add del help" \
	"$(sed -n 's/^  \([a-z][a-z]*\).*/\1/p' "$dir/out" | xargs)"
run $FCTL mirror help
check_eq "fabricctl mirror help: list add del help" "0:list add del help" \
	"$RC:$(sed -n 's/^  \([a-z][a-z]*\).*/\1/p' "$dir/out" | xargs)"
check "fabricctl mirror help: add and del say root only" \
	test "$(grep -c 'root only' "$dir/out")" = 2
run $FCTL --help
check "fabricctl --help lists the mirror object" grep -q '^  mirror ' "$dir/out"
run $FCTL -V
check_eq "fabricctl -V" "0:fabricctl 0.1" "$RC:$OUT"

# --- fabstat: usage errors exit 2 (fabstat(8): "bad arguments")
expect_usage "fabstat unknown option" 2 \
	"fabstat: unknown option '--frob'
Try 'fabstat --help'." $FABSTAT --frob
expect_usage "fabstat missing argument" 2 \
	"fabstat: option '--snapshot' needs an argument
Try 'fabstat --help'." $FABSTAT --snapshot
expect_usage "fabstat bad port" 2 \
	"fabstat: --port: '255' is not a number from 0 to 254
Try 'fabstat --help'." $FABSTAT --port 255 fabric
expect_usage "fabstat zero timeout" 2 \
	"fabstat: --timeout: '0' is not a number from 1 to 600000
Try 'fabstat --help'." $FABSTAT -t 0
expect_usage "fabstat too many arguments" 2 \
	"fabstat: usage: fabstat [OPTIONS] fabric " $FABSTAT fabric x
expect_usage "fabstat doctor unknown option" 2 \
	"fabstat doctor: unknown option '--frob'
Try 'fabstat doctor --help'." $FABSTAT doctor --frob
expect_usage "fabstat doctor two partitions" 2 \
	"fabstat doctor: unexpected 'b'" $FABSTAT doctor a b
for h in --help -h help; do
	run $FABSTAT $h
	check_eq "fabstat $h: exit 0, nothing on stderr" "0:" "$RC:$ERR"
	check_eq "fabstat $h: synopsis first" \
		"Usage: fabstat [OPTIONS] [CA [PORT]]" "$(head -1 "$dir/out")"
done
check "fabstat --help documents the exit status" grep -q '^Exit status' "$dir/out"
run $FABSTAT doctor --help
check_eq "fabstat doctor --help: exit 0" "0:" "$RC:$ERR"
check "fabstat doctor --help: its options" \
	grep -qF -- "  -g, --gateway NAME  " "$dir/out"

# --- fabricd: usage errors exit 2
expect_usage "fabricd unknown option" 2 \
	"fabricd: unknown option '--frob'
Try 'fabricd --help'." $FABRICD --frob
expect_usage "fabricd poll-ms below 10" 2 \
	"fabricd: --poll-ms: '5' is not a number from 10 to 3600000
Try 'fabricd --help'." $FABRICD --poll-ms 5
expect_usage "fabricd stray argument" 2 \
	"fabricd: unexpected argument 'x'; try 'fabricd --help'" $FABRICD x
expect_usage "fabricd: a thread count it cannot run" 2 \
	"fabricd: --threads '3': want 1 to 2 or auto" $FABRICD --threads 3
run $FABRICD --help
check_eq "fabricd --help: exit 0" "0:" "$RC:$ERR"
check "fabricd --help: every option" \
	test "$(grep -c '^  -.*--\|^      --' "$dir/out")" -eq 19

tap_done
