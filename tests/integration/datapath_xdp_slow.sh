#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The datapath test (datapath_switch.sh) on AF_XDP ports with the XDP fast
# path off (FABRICD_NO_FASTPATH=1): every frame through the engine.
export FABRICD_NO_FASTPATH=1
exec bash "$(dirname "$0")/datapath_switch.sh"
