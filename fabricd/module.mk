# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The fabricd daemon (see issue 4/5); fabricd/fabricd_main.c is its main.

BINS += $(BUILD)/bin/fabricd

$(BUILD)/bin/fabricd: $(BUILD)/obj/fabricd/fabricd_main.o $(LIBFAB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)

# make bench-reconcile: fabricd vs `ip -batch`, 1000 partitions, in the
# qemu testbed (802.1Q links); prints the ratio.
.PHONY: bench-reconcile
bench-reconcile: $(BUILD)/bin/fabricd $(BUILD)/bin/fabricctl
	bash tests/vm/run.sh -t 900 tests/bench/reconcile.sh

bench: bench-reconcile
