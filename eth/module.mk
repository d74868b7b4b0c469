# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The Ethernet port kinds and frame code (issue 5): libfab-eth.a, on lib/.
# This adds the engine's microbenchmark and `make bench-datapath`.

ETH_SRCS := eth/fdb.c eth/frame.c eth/port_netdev.c eth/port_tap.c \
	eth/port_xdp.c
$(eval $(call fab_layer,eth,$(ETH_SRCS)))

ENGINE_BENCH := $(BUILD)/tests/engine-bench

# The engine core on a synthetic burst loop, for callgrind: it links the
# engine core out of libfab-fabricd.a, which needs no port kind (no verbs).
ENGINE_BENCH_LIBS = $(call fab_archives,fabricd eth lib)
$(ENGINE_BENCH): tests/bench/datapath_core.c $(ENGINE_BENCH_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(ENGINE_BENCH_LIBS) -lpthread

tests: $(ENGINE_BENCH)

.PHONY: bench-datapath
bench-datapath: all $(ENGINE_BENCH)
	bash tests/bench/datapath.sh

bench: bench-datapath
