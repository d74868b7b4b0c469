# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The OpenSM event plugin libfabricsm.so (issue 3) and its benchmark.
#
# The plugin is on lib/ only: it links libfab-lib-pic.a (lib/ compiled
# -fPIC, $(BUILD)/pic/); OpenSM's own symbols (osm_db_*,
# osm_get_port_by_guid) resolve against the opensm binary at dlopen time.

SM_PLUGIN := $(BUILD)/lib/libfabricsm.so
SM_SRCS := sm-plugin/fabricsm.c sm-plugin/smconf.c sm-plugin/smpins.c \
	sm-plugin/smsnap.c sm-plugin/smstate.c sm-plugin/smverify.c \
	sm-plugin/smwriter.c
# The plugin's layer: its archives serve the unit tests (test_sm*.c).
$(eval $(call fab_layer,sm,$(SM_SRCS)))
SM_OBJS := $(SM_SRCS:%.c=$(BUILD)/pic/%.o)
SM_MAP := sm-plugin/fabricsm.map
# OpenSM dlopen()s "lib<event_plugin_name>.so" by that name, and the plugin
# has no ABI of its own (its osm_event_plugin must carry the running
# OpenSM's version string), so its SONAME is that file name, unversioned:
# the object names itself as the loader asks for it, ldconfig files it under
# that name, and nothing can link against a versioned name that would not
# be found (debian/fabricd.lintian-overrides says why there is no version).
SM_SONAME := $(notdir $(SM_PLUGIN))

all: $(SM_PLUGIN)

$(SM_PLUGIN): $(SM_OBJS) $(FAB_PIC_lib) $(SM_MAP) sm-plugin/module.mk
	$(call msg,LD-SO,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -shared -fPIC -Wl,--version-script=$(SM_MAP) \
		-Wl,-soname,$(SM_SONAME) -o $@ $(SM_OBJS) $(FAB_PIC_lib) $(LIBS_CORE) -lopensm \
		-losmcomp -lpthread

.PHONY: bench-sm
bench: bench-sm

# The demo's recipe lives in the top Makefile: its only prerequisite is
# deps, so that the packages (the compiler first) are installed before
# anything is built.

# make bench-sm: OpenSM with and without the plugin on a 1000+ HCA fat tree.
bench-sm: $(SM_PLUGIN)
	$(Q)bash tests/bench/sm/bench.sh
