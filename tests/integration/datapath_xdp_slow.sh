#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The datapath test (datapath_switch.sh) on AF_XDP ports with the XDP fast
# path off (FABRICD_NO_FASTPATH=1): every frame through the engine. Without
# FABRICD_XDP_COPY=1 these ports would run AF_PACKET (datapath_mode.sh).
export FABRICD_NO_FASTPATH=1
# AF_XDP copy mode kept, though AF_PACKET measured faster (port_xdp.c)
export FABRICD_XDP_COPY=1
exec bash "$(dirname "$0")/datapath_switch.sh"
