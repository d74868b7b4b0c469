#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The datapath test (datapath_switch.sh) with two forwarding threads
# (FABRICD_THREADS=2, the ports spread across them) and the XDP fast path
# off, so that every frame goes through the engine's threads.
# FABRICD_XDP_COPY=1: AF_XDP copy mode kept without the fast path
# (fabricd would take AF_PACKET, measured faster: datapath_mode.sh)
export FABRICD_THREADS=2 FABRICD_NO_FASTPATH=1 FABRICD_XDP_COPY=1
exec bash "$(dirname "$0")/datapath_switch.sh"
