# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd top-level build. Everything lands in build/:
#   build/bin/{fabricd,fabricctl,fabstat}   build/lib/libfabricsm.so
#   build/tests/   unit tests (ASan + UBSan)   build/fuzz/  libFuzzer targets
#
# Each directory adds its own rules in its module.mk; shared sources are
# found by wildcard, so adding a .c file needs no edit here.

CC ?= cc
CLANG ?= clang
BUILD ?= build
V ?= 0

PKGS_CFLAGS := $(shell pkg-config --cflags libnl-3.0 libnl-route-3.0 2>/dev/null)
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -I. $(PKGS_CFLAGS) \
	-I/usr/include/infiniband
LDFLAGS ?=
# Libraries by part; a binary names what it uses.
LIBS_CORE := -lyaml -ljansson
LIBS_NET := -lnl-route-3 -lnl-3
LIBS_IB := -libverbs -libumad -libmad
LIBS_ALL := $(LIBS_CORE) $(LIBS_NET) $(LIBS_IB) -lpthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

ifeq ($(V),0)
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
else
Q :=
msg :=
endif

# Library sources: every .c in these directories except program mains,
# which are named *_main.c.
LIB_DIRS := lib eth ipoib fabricd fabricd/engine fabricd/reconcile tools
LIB_SRCS := $(filter-out %_main.c,$(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
PIC_OBJS := $(LIB_SRCS:%.c=$(BUILD)/pic/%.o)
SAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/san/%.o)

LIBFAB := $(BUILD)/lib/libfab.a
LIBFAB_SAN := $(BUILD)/lib/libfab-san.a

BINS :=
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,\
	$(wildcard tests/unit/test_*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
	$(wildcard tests/fuzz/fuzz_*.c))

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
	$(Q)bash sm-plugin/demo.sh

# Rebuild everything when the compiler or its flags change, so that
# `make CC=clang` after a gcc build really compiles with clang.
CONFIG_HASH := $(shell echo '$(CC) $(CFLAGS)' | md5sum | cut -c1-8)
CONFIG_STAMP := $(BUILD)/.config-$(CONFIG_HASH)
$(CONFIG_STAMP):
	$(Q)mkdir -p $(BUILD) && rm -f $(BUILD)/.config-* && touch $@

include tools/module.mk
include fabricd/module.mk
include sm-plugin/module.mk
include eth/module.mk
include ipoib/module.mk
include tests/module.mk

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

$(LIBFAB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBFAB_SAN): $(SAN_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

# make deps: install the Debian packages the project uses (idempotent).
deps:
	$(Q)sh mk/deps.sh

format:
	$(Q)clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
