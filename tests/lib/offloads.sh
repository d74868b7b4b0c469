# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# ethtool_offloads DEV [NETNS]: the offloads a tap negotiated
# (TUNSETOFFLOAD), as the kernel shows them to ethtool -k, in fabricctl's
# names and order ("tx-checksum,tso4,tso6,tso-ecn,uso4,uso6"): the judge of
# `fabricctl port show`'s tap_offloads.
ethtool_offloads() {
	${2:+ip netns exec "$2"} ethtool -k "$1" 2>/dev/null | awk '
		$2 != "on" { next }
		$1 == "tx-checksum-ip-generic:" { f[1] = "tx-checksum" }
		$1 == "tx-tcp-segmentation:" { f[2] = "tso4" }
		$1 == "tx-tcp6-segmentation:" { f[3] = "tso6" }
		$1 == "tx-tcp-ecn-segmentation:" { f[4] = "tso-ecn" }
		$1 == "tx-udp-segmentation:" { f[5] = "uso4"; f[6] = "uso6" }
		END { for (i = 1; i <= 6; i++) if (i in f) s = s (s ? "," : "") f[i]; print s }'
}
