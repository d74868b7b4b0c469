# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Tests: unit tests (cmocka, ASan+UBSan) are tests/unit/test_*.c, each linked
# with the sanitized archives (libfab-LAYER-san.a) of the layers it tests,
# listed below; fuzz targets are tests/fuzz/fuzz_*.c (clang, libFuzzer),
# linked with the instrumented archives of their layers; integration tests
# are tests/integration/*.sh (TAP).

# The layers each unit test links, the highest first. A new test adds a line.
TEST_LAYERS_test_cli := lib
TEST_LAYERS_test_ctl_server := lib
TEST_LAYERS_test_engine := fabricd ipoib eth lib
TEST_LAYERS_test_ha_fsm := fabricd lib
TEST_LAYERS_test_engine_policy := fabricd ipoib eth lib
TEST_LAYERS_test_engine_gso := fabricd eth lib
TEST_LAYERS_test_engine_threads := fabricd eth lib
TEST_LAYERS_test_fdb := eth lib
TEST_LAYERS_test_flow := eth lib
TEST_LAYERS_test_frame := eth lib
TEST_LAYERS_test_ipoib_ah := ipoib lib
TEST_LAYERS_test_ipoib_neigh := ipoib lib
TEST_LAYERS_test_ipoib_peer := ipoib lib
TEST_LAYERS_test_ipoib_pcap := ipoib lib
TEST_LAYERS_test_ipoib_port := ipoib lib
TEST_LAYERS_test_ipoib_port_ctl := ipoib lib
TEST_LAYERS_test_ipoib_proto := ipoib lib
TEST_LAYERS_test_ipoib_sa := ipoib lib
TEST_LAYERS_test_ipoib_wire := ipoib lib
TEST_LAYERS_test_ipoib_xlate := ipoib lib
TEST_LAYERS_test_log := lib
TEST_LAYERS_test_output := lib
TEST_LAYERS_test_policy := lib
TEST_LAYERS_test_policy_edit := lib
TEST_LAYERS_test_pcapw := lib
TEST_LAYERS_test_pool := lib
TEST_LAYERS_test_probe := ipoib eth lib
TEST_LAYERS_test_prtn_import := tools lib
TEST_LAYERS_test_port := lib
TEST_LAYERS_test_port_dummy := eth lib
TEST_LAYERS_test_prom := lib
TEST_LAYERS_test_reconcile_plan := fabricd lib
TEST_LAYERS_test_smconf := sm lib
TEST_LAYERS_test_smconf_wrap := sm lib
TEST_LAYERS_test_smopts := sm lib
TEST_LAYERS_test_smsnap := sm lib
TEST_LAYERS_test_span := fabricd eth lib
TEST_LAYERS_test_tbucket := lib
TEST_LAYERS_test_vnet := eth lib
TEST_LAYERS_test_xdp_fast := eth lib

# Libraries a unit test needs beyond $(LIBS_ALL).
TEST_LIBS_test_smopts := -lopensm -losmcomp

# The layers each fuzz target links.
FUZZ_LAYERS_fuzz_frame := fabricd eth lib
FUZZ_LAYERS_fuzz_ipoib := ipoib lib
FUZZ_LAYERS_fuzz_policy := lib
FUZZ_LAYERS_fuzz_vnet := eth lib

# Unit tests of what threads share, also built with ThreadSanitizer into
# build/tsan-tests/ (make tsan; run by tests/integration/*_tsan.sh).
TSAN_TESTS := test_engine_threads

.SECONDEXPANSION:
$(BUILD)/tsan-tests/%: tests/unit/%.c \
		$$(call fab_tsan_archives,$$(or $$(TEST_LAYERS_$$*),missing))
	$(call msg,LD-TSAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(TSAN_FLAGS) -o $@ $< \
		$(call fab_tsan_archives,$(TEST_LAYERS_$*)) -lcmocka $(LIBS_ALL) \
		$(TEST_LIBS_$*)


$(BUILD)/tests/%: tests/unit/%.c \
		$$(call fab_san_archives,$$(or $$(TEST_LAYERS_$$*),missing))
	$(call msg,LD-TEST,$@)
	$(if $(TEST_LAYERS_$*),,$(error tests/module.mk: no TEST_LAYERS_$* line))
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< \
		$(call fab_san_archives,$(TEST_LAYERS_$*)) -lcmocka $(LIBS_ALL) \
		$(TEST_LIBS_$*)

$(BUILD)/fuzz/%: tests/fuzz/%.c \
		$$(call fab_fuzz_archives,$$(or $$(FUZZ_LAYERS_$$*),missing))
	$(call msg,FUZZ,$@)
	$(if $(FUZZ_LAYERS_$*),,$(error tests/module.mk: no FUZZ_LAYERS_$* line))
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< \
		$(call fab_fuzz_archives,$(FUZZ_LAYERS_$*)) $(LIBS_ALL)

.PHONY: tsan
tsan: $(patsubst %,$(BUILD)/tsan-tests/%,$(TSAN_TESTS))

tests: $(UNIT_TESTS) tsan

HAVE_CLANG := $(shell command -v $(CLANG) 2>/dev/null)
ifneq ($(HAVE_CLANG),)
fuzz: $(FUZZ_TARGETS)
else
fuzz:
	@echo "fuzz: clang not found; fuzz targets not built"
endif

# make check: packages, build (the whole tree), tests, then the runner.
check: deps
	$(MAKE) all
	$(MAKE) tests fuzz
	bash tests/run.sh
