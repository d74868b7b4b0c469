# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The OpenSM event plugin libfabricsm.so (issue 3), its demo and benchmark.
#
# The plugin links the lib/ sources it uses compiled -fPIC ($(BUILD)/pic/,
# pattern rule in the top Makefile); OpenSM's own symbols (osm_db_*,
# osm_get_port_by_guid) resolve against the opensm binary at dlopen time.

SM_PLUGIN := $(BUILD)/lib/libfabricsm.so
SM_SRCS := $(wildcard sm-plugin/*.c)
SM_LIB_SRCS := lib/log.c lib/util.c $(wildcard lib/policy*.c)
SM_OBJS := $(SM_SRCS:%.c=$(BUILD)/pic/%.o) \
	$(SM_LIB_SRCS:%.c=$(BUILD)/pic/%.o)
SM_MAP := sm-plugin/fabricsm.map

all: $(SM_PLUGIN)

$(SM_PLUGIN): $(SM_OBJS) $(SM_MAP)
	$(call msg,LD-SO,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -shared -fPIC -Wl,--version-script=$(SM_MAP) \
		-o $@ $(SM_OBJS) $(LIBS_CORE) -lopensm -losmcomp -lpthread

.PHONY: bench-sm
bench: bench-sm

# The demo's recipe lives in the top Makefile: its only prerequisite is
# deps, so that the packages (the compiler first) are installed before
# anything is built.

# make bench-sm: OpenSM with and without the plugin on a 1000+ HCA fat tree.
bench-sm: $(SM_PLUGIN)
	$(Q)bash tests/bench/sm/bench.sh
