# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Admin tools: fabricctl and fabstat, on lib/ only. Their code (all but the
# two mains) is libfab-tools.a.

TOOLS_SRCS := tools/diag.c tools/diag_sa.c tools/doctor.c tools/doctor_eth.c \
	tools/doctor_fabricd.c tools/doctor_ib.c tools/fabricctl_ctl.c \
	tools/fabricctl_edit.c tools/fabricctl_engine.c tools/fabricctl_flow.c \
	tools/fabricctl_ha.c tools/fabricctl_neigh.c tools/fabricctl_peer.c \
	tools/fabricctl_policy.c \
	tools/fabricctl_span.c tools/fabricctl_status.c tools/fabstat_doctor.c \
	tools/fabstat_fabric.c \
	tools/fabstat_mirror.c tools/fabstat_ports.c tools/prtn_import.c \
	tools/prtn_import_render.c
$(eval $(call fab_layer,tools,$(TOOLS_SRCS)))
FAB_ALL_SRCS += tools/fabricctl_main.c tools/fabstat_main.c

TOOLS_LIBS = $(call fab_archives,tools lib)

BINS += $(BUILD)/bin/fabricctl

$(BUILD)/bin/fabricctl: $(BUILD)/obj/tools/fabricctl_main.o $(TOOLS_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)

BINS += $(BUILD)/bin/fabstat

$(BUILD)/bin/fabstat: $(BUILD)/obj/tools/fabstat_main.o $(TOOLS_LIBS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)
include tools/bench.mk
