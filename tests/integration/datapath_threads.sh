#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The datapath test (datapath_switch.sh) with two forwarding threads
# (FABRICD_THREADS=2, the ports spread across them) and the XDP fast path
# off, so that every frame goes through the engine's threads.
export FABRICD_THREADS=2 FABRICD_NO_FASTPATH=1
exec bash "$(dirname "$0")/datapath_switch.sh"
