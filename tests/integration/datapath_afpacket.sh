#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The datapath test (datapath_switch.sh) with netdev ports forced onto
# AF_PACKET TPACKET_V3 rings, the fallback when AF_XDP is not available.
export FABRICD_NO_XDP=1
exec bash "$(dirname "$0")/datapath_switch.sh"
