# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The fabricd daemon (see issue 4/5), the top layer: libfab-fabricd.a
# (daemon, engine/, reconcile/, port_kinds.c) on ipoib, eth and lib;
# fabricd/fabricd_main.c is its main.

FABRICD_SRCS := fabricd/daemon.c fabricd/daemon_ctl.c fabricd/daemon_flow.c \
	fabricd/daemon_ib.c fabricd/flow_export.c \
	fabricd/daemon_syslog.c fabricd/pkeys_async.c \
	fabricd/metrics.c fabricd/pkeys.c fabricd/port_kinds.c \
	fabricd/sdnotify.c fabricd/ha_fsm.c \
	fabricd/engine/engine.c fabricd/engine/engine_core.c \
	fabricd/engine/engine_check.c fabricd/engine/engine_ctl.c \
	fabricd/engine/engine_flow.c \
	fabricd/engine/engine_fast.c \
	fabricd/engine/engine_ipoib.c fabricd/engine/engine_ha.c \
	fabricd/engine/ha_advert.c fabricd/engine/ha_announce.c \
	fabricd/engine/ha_check.c fabricd/engine/ha_group.c \
	fabricd/engine/ha_show.c fabricd/engine/ha_sync.c \
	fabricd/engine/engine_peer.c \
	fabricd/engine/ifcheck.c fabricd/engine/span.c \
	fabricd/engine/span_ctl.c \
	fabricd/reconcile/reconcile.c fabricd/reconcile/reconcile_desired.c \
	fabricd/reconcile/reconcile_kernel.c fabricd/reconcile/reconcile_plan.c \
	fabricd/reconcile/reconcile_state.c
$(eval $(call fab_layer,fabricd,$(FABRICD_SRCS)))
FAB_ALL_SRCS += fabricd/fabricd_main.c

BINS += $(BUILD)/bin/fabricd

FABRICD_LIBS = $(call fab_archives,fabricd ipoib eth lib)
$(BUILD)/bin/fabricd: $(BUILD)/obj/fabricd/fabricd_main.o $(FABRICD_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ALL) $(LIBS_FIXBUF)

# make bench-reconcile: fabricd vs `ip -batch`, 1000 partitions, in the
# qemu testbed (802.1Q links); prints the ratio.
.PHONY: bench-reconcile
bench-reconcile: $(BUILD)/bin/fabricd $(BUILD)/bin/fabricctl
	bash tests/vm/run.sh -t 900 tests/bench/reconcile.sh

bench: bench-reconcile

ENGINE_BENCH := $(BUILD)/tests/engine-bench

# The engine core on a synthetic burst loop, for callgrind: it links the
# engine core out of libfab-fabricd.a, which needs no port kind (no verbs).
ENGINE_BENCH_LIBS = $(call fab_archives,fabricd eth lib)
$(ENGINE_BENCH): tests/bench/datapath_core.c $(ENGINE_BENCH_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(ENGINE_BENCH_LIBS) -lpthread -lbpf

# A sender of xdp_frames (what a NIC's native XDP hands on), for the
# benchmark's second table.
XDPGEN := $(BUILD)/tests/xdpgen
$(XDPGEN): tests/bench/xdpgen.c
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< -lbpf

tests: $(ENGINE_BENCH) $(XDPGEN)

.PHONY: bench-datapath
bench-datapath: all $(ENGINE_BENCH) $(XDPGEN)
	bash tests/bench/datapath.sh

bench: bench-datapath

# The engine path with one and two forwarding threads (fast path off).
.PHONY: bench-threads
bench-threads: all
	bash tests/bench/datapath_threads.sh

bench: bench-threads
