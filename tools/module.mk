# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Admin tools: fabricctl and fabstat. Shared tool code lives in tools/*.c
# (without _main) and is part of libfab.

BINS += $(BUILD)/bin/fabricctl

$(BUILD)/bin/fabricctl: $(BUILD)/obj/tools/fabricctl_main.o $(LIBFAB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)

BINS += $(BUILD)/bin/fabstat

$(BUILD)/bin/fabstat: $(BUILD)/obj/tools/fabstat_main.o $(LIBFAB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)
include tools/bench.mk
