#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make install and the Debian package, installed into scratch roots:
#   - make install DESTDIR= PREFIX=/usr: every file where it belongs (the
#     plugin in the multiarch library directory, where OpenSM's dlopen by
#     name finds it, its SONAME that name), the installed fabricd runs, the installed plugin loads
#     into the stock OpenSM on ibsim by name, systemd-analyze verify accepts
#     the installed unit (its binary and man pages are the installed ones);
#   - PREFIX=/usr/local: paths follow, and it says to run ldconfig;
#   - dpkg-buildpackage -us -uc -b on a copy of the tree (bounded by
#     PKG_TIMEOUT seconds, 900 by default; about 15 s here), dpkg -x of the
#     package into a scratch root: the same checks on what the package
#     holds; it triggers ldconfig, and lintian (when installed) finds nothing
#     about the plugin's library that debian/fabricd.lintian-overrides does
#     not explain, and no override that no longer applies.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

[ -x build/bin/fabricd ] && [ -f build/lib/libfabricsm.so ] ||
	skip_all "not built (make)"
MULTIARCH=$(${CC:-cc} -print-multiarch)
T=$(mktemp -d /tmp/install-test.XXXXXX)
FABRIC_NO_TRAP=1
cleanup() {
	fabric_cleanup
	rm -rf "$T"
}
trap cleanup EXIT

# verify_unit ROOT UNIT: systemd-analyze verify on the unit as installed in
# ROOT, its ExecStart pointing into ROOT and man(1) looking there; silent.
verify_unit() {
	local root=$1 unit=$2 out
	mkdir -p "$T/verify"
	sed "s|ExecStart=/|ExecStart=$root/|" "$unit" >"$T/verify/fabricd.service"
	# Documentation=man:... is checked with man(1) when it is here.
	local man=--man=yes
	command -v man >/dev/null || man=--man=no
	out=$(MANPATH=$root/usr/share/man:$root/usr/local/share/man \
		systemd-analyze verify "$man" "$T/verify/fabricd.service" 2>&1)
	local rc=$?
	[ -z "$out" ] || echo "$out" | sed 's/^/# verify: /'
	[ $rc -eq 0 ] && [ -z "$out" ]
}

# soname FILE: the SONAME of a shared object, empty when it has none
soname() {
	readelf -d "$1" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p'
}

# lintian_plugin DEB: lintian's errors and warnings on DEB, its overrides
# applied, about the plugin's library (SONAME, ldconfig) or an override that
# no longer applies; prints them, true when there are none.
lintian_plugin() {
	local out
	out=$(lintian -I --pedantic "$1" 2>&1 |
		grep -E '^[EW]: |unused-override' |
		grep -E 'libfabricsm|soname|ldconfig|shared-lib|override')
	[ -z "$out" ] || echo "$out" | sed 's/^/# lintian: /'
	[ -z "$out" ]
}

# the_layout ROOT PLUGINDIR UNITDIR SBIN BIN: what make install and the
# package both put down.
the_layout() {
	local root=$1 what=$2 f
	for f in "$3/libfabricsm.so" "$4/fabricd.service" "$5/fabricd" \
		"$6/fabricctl" "$6/fabstat" usr/share/man/man5/fabric.yaml.5* \
		usr/share/man/man8/fabricd.8* usr/share/man/man8/fabricctl.8* \
		usr/share/man/man8/fabstat.8* \
		usr/share/doc/fabricd/examples/fabric.yaml \
		usr/share/doc/fabricd/examples/opensm.conf; do
		f=${f#/}
		check "$what: /$f" bash -c "ls '$root'/$f >/dev/null 2>&1"
	done
	check "$what: the plugin exports osm_event_plugin" bash -c \
		"nm -D --defined-only '$root$3/libfabricsm.so' | grep -qw osm_event_plugin"
	check_eq "$what: the plugin's SONAME is the name OpenSM dlopens" \
		libfabricsm.so "$(soname "$root$3/libfabricsm.so")"
	check_eq "$what: installed fabricd --version" "fabricd 0.1" \
		"$("$root$5/fabricd" --version 2>&1)"
	check "$what: installed fabricctl checks the example policy" bash -c \
		"'$root$6/fabricctl' policy check '$root/usr/share/doc/fabricd/examples/fabric.yaml' >/dev/null"
	if command -v systemd-analyze >/dev/null; then
		check "$what: systemd-analyze verify accepts the unit" \
			verify_unit "$root" "$root$4/fabricd.service"
	else
		skip "$what: systemd-analyze verify" "systemd not installed (make deps)"
	fi
	check_eq "$what: the unit is Type=notify with a watchdog" "notify 30s" \
		"$(sed -n 's/^Type=//p; s/^WatchdogSec=//p' "$root$4/fabricd.service" | xargs)"
}

# ---- make install ----
make --no-print-directory install DESTDIR="$T/usr-root" PREFIX=/usr \
	>"$T/install.log" 2>&1
check_eq "make install DESTDIR= PREFIX=/usr" 0 $? || sed 's/^/# /' "$T/install.log"
the_layout "$T/usr-root" "make install" "/usr/lib/$MULTIARCH" \
	/lib/systemd/system /usr/sbin /usr/bin
make --no-print-directory install DESTDIR="$T/local-root" \
	>"$T/local.log" 2>&1
check_eq "make install (PREFIX=/usr/local)" 0 $?
check "PREFIX=/usr/local: the plugin in /usr/local/lib" \
	test -f "$T/local-root/usr/local/lib/libfabricsm.so"
check_eq "PREFIX=/usr/local: the unit runs /usr/local/sbin/fabricd" \
	"/usr/local/sbin/fabricd --foreground --policy /etc/fabricd/fabric.yaml" \
	"$(sed -n 's/^ExecStart=//p' \
		"$T/local-root/usr/local/lib/systemd/system/fabricd.service")"
check "PREFIX=/usr/local: says to run ldconfig" grep -q "run ldconfig" \
	"$T/local.log"

# The installed plugin, loaded by name into the stock OpenSM.
if fabric_init && fabric_start_sim tests/topo/small.net; then
	FABRIC_PLUGIN=$T/usr-root/usr/lib/$MULTIARCH/libfabricsm.so
	FABRIC_POLICY=$T/usr-root/usr/share/doc/fabricd/examples/fabric.yaml
	fabric_start_sm && fabric_wait_up
	check "installed plugin: OpenSM loads it and reaches SUBNET UP" \
		grep -q "fabricsm: policy .* in force" "$FABRIC_OSM_LOG"
	fabric_cleanup
else
	skip "installed plugin in OpenSM" "$FABRIC_ERR"
fi

# ---- the Debian package ----
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	skip "the Debian package" "dpkg-dev/debhelper not installed (make deps)"
	tap_done
fi
mkdir -p "$T/pkg/fabricd"
git ls-files -co --exclude-standard | grep -v '^build/' |
	tar -T - -cf - | tar -xf - -C "$T/pkg/fabricd"
start=$SECONDS
(cd "$T/pkg/fabricd" && timeout "${PKG_TIMEOUT:-900}" \
	dpkg-buildpackage -us -uc -b) >"$T/pkg/build.log" 2>&1
rc=$?
diag "dpkg-buildpackage: exit $rc after $((SECONDS - start)) s"
check_eq "dpkg-buildpackage -us -uc -b" 0 $rc || tail -20 "$T/pkg/build.log" | sed 's/^/# /'
deb=$(ls "$T"/pkg/fabricd_*_*.deb 2>/dev/null | head -n 1)
check "the package fabricd_*.deb" test -f "$deb"
if [ -f "$deb" ]; then
	dpkg -x "$deb" "$T/deb-root"
	the_layout "$T/deb-root" "package" "/usr/lib/$MULTIARCH" \
		/lib/systemd/system /usr/sbin /usr/bin
	dpkg-deb -e "$deb" "$T/deb-ctl"
	check "package: its postinst enables the unit (dh_installsystemd)" \
		grep -q "deb-systemd-helper" "$T/deb-ctl/postinst"
	check "package: built with the hardening flags" grep -q \
		-- "-fstack-protector-strong" "$T/pkg/build.log"
	check "package: it triggers ldconfig (the plugin is in its path)" \
		grep -qx "activate-noawait ldconfig" "$T/deb-ctl/triggers"
	if command -v lintian >/dev/null; then
		check "package: lintian, nothing about the plugin's library" \
			lintian_plugin "$deb"
	else
		skip "package: lintian" "lintian not installed"
	fi
fi
tap_done
