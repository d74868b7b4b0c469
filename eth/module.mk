# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The Ethernet datapath (issue 5): eth/*.c and the engine in fabricd/ are in
# libfab. This adds the engine's microbenchmark and `make bench-datapath`.

ENGINE_BENCH := $(BUILD)/tests/engine-bench

# The engine core on a synthetic burst loop, for callgrind. Built from its
# sources with DWARF 4, which every valgrind reads (libfab may be clang's).
# port.c knows every port kind, so the ipoib sources and verbs come along.
ENGINE_BENCH_SRCS := fabricd/engine/engine_core.c lib/pool.c lib/port.c \
	$(wildcard eth/*.c) ipoib/port_ipoib.c ipoib/sa_client.c \
	ipoib/ah_cache.c ipoib/neigh.c ipoib/xlate.c ipoib/wire.c \
	lib/log.c lib/sa_mad.c lib/util.c
$(ENGINE_BENCH): tests/bench/datapath_core.c $(ENGINE_BENCH_SRCS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -gdwarf-4 -o $@ $< $(ENGINE_BENCH_SRCS) \
		$(LIBS_IB) -lpthread

tests: $(ENGINE_BENCH)

.PHONY: bench-datapath
bench-datapath: all $(ENGINE_BENCH)
	bash tests/bench/datapath.sh

bench: bench-datapath
