# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd top-level build. Everything lands in build/:
#   build/bin/{fabricd,fabricctl,fabstat}   build/lib/libfabricsm.so
#   build/lib/libfab-LAYER.a   one archive per layer (lib eth ipoib tools
#                              fabricd), -san.a twins for the unit tests
#   build/tests/   unit tests (ASan + UBSan)   build/fuzz/  libFuzzer targets
#
# Each directory lists its sources in its module.mk (no wildcard: a new .c
# is added there) and makes its archive with $(call fab_layer,...). Layers
# link downwards only: lib <- eth, ipoib, sm-plugin, tools <- fabricd;
# tests/layer-check.sh (make check) fails on an #include that goes up.

CC ?= cc
CLANG ?= clang
BUILD ?= build
V ?= 0

PKGS_CFLAGS := $(shell pkg-config --cflags libnl-3.0 libnl-route-3.0 2>/dev/null)
# libfixbuf (IPFIX export, fabricd/flow_export.c) and its glib, as system
# headers so that -Werror applies to our code only.
PKGS_CFLAGS += $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libfixbuf 2>/dev/null))
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes
# DWARF 4: every valgrind reads it (the engine bench runs under callgrind).
CFLAGS ?= -O2 -g -gdwarf-4
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -I. -I$(BUILD)/gen \
	$(PKGS_CFLAGS) -I/usr/include/infiniband
LDFLAGS ?=
# Libraries by part; a binary names what it uses.
LIBS_CORE := -lyaml -ljansson
LIBS_NET := -lnl-route-3 -lnl-3 -lbpf
LIBS_IB := -libverbs -libumad -libmad
LIBS_SYSTEMD := -lsystemd
LIBS_FIXBUF := $(shell pkg-config --libs libfixbuf 2>/dev/null)
LIBS_ALL := $(LIBS_CORE) $(LIBS_NET) $(LIBS_IB) $(LIBS_SYSTEMD) -lpthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
# ThreadSanitizer twins (FAB_TSAN_*), for the tests of what threads share.
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer

ifeq ($(V),0)
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
else
Q :=
msg :=
endif

BINS :=
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,\
	$(wildcard tests/unit/test_*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
	$(wildcard tests/fuzz/fuzz_*.c))

# Fuzz targets link archives of the same sources built by clang with the
# fuzzer's instrumentation (build/fuzz/lib/).
FUZZ_CFLAGS := -O1 -g -std=gnu11 -D_GNU_SOURCE -I. -I$(BUILD)/gen $(PKGS_CFLAGS) \
	-I/usr/include/infiniband -fsanitize=fuzzer,address,undefined
FUZZ_LIB_CFLAGS := $(filter-out -fsanitize=%,$(FUZZ_CFLAGS)) \
	-fsanitize=fuzzer-no-link,address,undefined

# $(call fab_layer,NAME,SOURCES): the archives of one layer, from an
# explicit source list. Defines FAB_A_NAME (build/lib/libfab-NAME.a),
# FAB_SAN_NAME (ASan+UBSan twin), FAB_PIC_NAME (-fPIC) and FAB_FUZZ_NAME
# (clang, libFuzzer instrumentation), FAB_TSAN_NAME (ThreadSanitizer); each
# is built only when linked.
define fab_layer
FAB_A_$(1) := $$(BUILD)/lib/libfab-$(1).a
FAB_SAN_$(1) := $$(BUILD)/lib/libfab-$(1)-san.a
FAB_PIC_$(1) := $$(BUILD)/lib/libfab-$(1)-pic.a
FAB_FUZZ_$(1) := $$(BUILD)/fuzz/lib/libfab-$(1).a
FAB_TSAN_$(1) := $$(BUILD)/lib/libfab-$(1)-tsan.a
$$(FAB_TSAN_$(1)): $$(patsubst %.c,$$(BUILD)/tsan/%.o,$(2))
$$(FAB_A_$(1)): $$(patsubst %.c,$$(BUILD)/obj/%.o,$(2))
$$(FAB_SAN_$(1)): $$(patsubst %.c,$$(BUILD)/san/%.o,$(2))
$$(FAB_PIC_$(1)): $$(patsubst %.c,$$(BUILD)/pic/%.o,$(2))
$$(FAB_FUZZ_$(1)): $$(patsubst %.c,$$(BUILD)/fuzzobj/%.o,$(2))
FAB_ALL_SRCS += $(2)
endef
FAB_ALL_SRCS :=

# Archives of LAYERS (the highest first, as the linker wants them).
# fab_archives names them from the layer names, not from FAB_A_*, so that a
# module.mk read before a higher layer's (ipoib's tools link fabricd) still
# gets them as prerequisites: a rule's prerequisites are expanded when read.
fab_archives = $(foreach l,$(1),$(BUILD)/lib/libfab-$(l).a)
fab_san_archives = $(foreach l,$(1),$(FAB_SAN_$(l)))
fab_fuzz_archives = $(foreach l,$(1),$(FAB_FUZZ_$(l)))
fab_tsan_archives = $(foreach l,$(1),$(FAB_TSAN_$(l)))

.PHONY: all deps check demo bench format clean tests fuzz
all:

# The demo and the tests install what they need first (make deps). deps
# is their only prerequisite and the build runs in their recipe: GNU make
# builds the prerequisites of a rule that has a recipe before those named
# in other rules for the same target, so a second prerequisite (the plugin,
# a binary) would be compiled before the compiler is installed.
# .ci/run checks this order with `make -n`.
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash tests/demo.sh

# Rebuild everything when the compiler or its flags change, so that
# `make CC=clang` after a gcc build really compiles with clang.
CONFIG_HASH := $(shell echo '$(CC) $(CFLAGS)' | md5sum | cut -c1-8)
CONFIG_STAMP := $(BUILD)/.config-$(CONFIG_HASH)
$(CONFIG_STAMP):
	$(Q)mkdir -p $(BUILD) && rm -f $(BUILD)/.config-* && touch $@

# Bottom layer first: a module's rules name the archives of the layers below.
include lib/module.mk
include eth/module.mk
include ipoib/module.mk
include sm-plugin/module.mk
include tools/module.mk
include fabricd/module.mk
include tests/module.mk
include mk/install.mk

all: $(BINS)

$(BUILD)/obj/%.o: %.c $(CONFIG_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/pic/%.o: %.c $(CONFIG_STAMP)
	$(call msg,CC-PIC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(BUILD)/san/%.o: %.c $(CONFIG_STAMP)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tsan/%.o: %.c $(CONFIG_STAMP)
	$(call msg,CC-TSAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(TSAN_FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/fuzzobj/%.o: %.c $(CONFIG_STAMP)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_LIB_CFLAGS) -MMD -MP -c -o $@ $<

define ar_recipe
	$(call msg,AR,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^
endef
$(BUILD)/lib/libfab-%.a:
	$(ar_recipe)
$(BUILD)/fuzz/lib/libfab-%.a:
	$(ar_recipe)

# make deps: install the Debian packages the project uses (idempotent).
deps:
	$(Q)sh mk/deps.sh

format:
	$(Q)clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
