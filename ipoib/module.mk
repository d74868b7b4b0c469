# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# IPoIB (issue 6): the ipoib port kind, libfab-ipoib.a, on lib/. This adds
# the test tool (SA queries, a bare gateway with a settable Q_Key), the UD
# benchmark and `make bench-ipoib`.

IPOIB_SRCS := ipoib/ah_cache.c ipoib/ah_prep.c ipoib/neigh.c \
	ipoib/neigh_ctl.c ipoib/peer_rc.c ipoib/peer_table.c ipoib/port_ipoib.c ipoib/port_peer.c \
	ipoib/proto.c ipoib/sa_client.c ipoib/wire.c ipoib/xlate.c
$(eval $(call fab_layer,ipoib,$(IPOIB_SRCS)))

IPOIB_TOOL := $(BUILD)/tests/ipoib-tool
IPOIB_BENCH := $(BUILD)/tests/ipoib-bench
IPOIB_TOOL_LIBS = $(call fab_archives,fabricd ipoib eth lib)

$(IPOIB_TOOL): tests/bench/ipoib/ipoib_tool.c $(IPOIB_TOOL_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(IPOIB_TOOL_LIBS) $(LIBS_ALL)

$(IPOIB_BENCH): tests/bench/ipoib/ipoib_bench.c $(IPOIB_TOOL_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(IPOIB_TOOL_LIBS) $(LIBS_ALL)

tests: $(IPOIB_TOOL) $(IPOIB_BENCH)

# make bench-ipoib: in the qemu testbed on rxe, the engine's UD message
# rate (64 B and 2 KB) against `ib_send_bw -c UD`; prints the ratio.
.PHONY: bench-ipoib
bench-ipoib: $(IPOIB_TOOL) $(IPOIB_BENCH)
	bash tests/vm/run.sh -t 600 tests/bench/ipoib/bench.sh

bench: bench-ipoib

# make bench-peer: in the qemu testbed on rxe, VM to VM across two
# hypervisors: fabricd peer links against Linux bridges joined by kernel
# VXLAN; TCP throughput and 64-byte frame rate, each with its ratio.
.PHONY: bench-peer
bench-peer: all
	bash tests/vm/run.sh -t 600 tests/bench/peer/bench.sh

bench: bench-peer

# make bench-peer-verbs: on the same rxe pair, the transports a peer link
# could use: perftest (ib_send_bw/ib_send_lat, RC and UD) against UCX
# (ucx_perftest over rc_verbs and ud_verbs), with UCX/verbs ratios; see
# docs/peer-transport.md.
.PHONY: bench-peer-verbs
bench-peer-verbs:
	bash tests/vm/run.sh -t 900 tests/bench/peer/verbs.sh

bench: bench-peer-verbs
