# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Tests: unit tests (cmocka, ASan+UBSan) are tests/unit/test_*.c, each linked
# with the sanitized libfab; fuzz targets are tests/fuzz/fuzz_*.c (clang,
# libFuzzer); integration tests are tests/integration/*.sh (TAP).

FUZZ_CFLAGS := -O1 -g -std=gnu11 -D_GNU_SOURCE -I. $(PKGS_CFLAGS) \
	-I/usr/include/infiniband -fsanitize=fuzzer,address,undefined

$(BUILD)/tests/%: tests/unit/%.c $(LIBFAB_SAN)
	$(call msg,LD-TEST,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(LIBFAB_SAN) \
		-lcmocka $(LIBS_ALL)

# Fuzz targets compile the library sources they need themselves, with
# clang's instrumentation; a target lists them in a "// fuzz-sources:" line.
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< \
		$$(sed -n 's,^// fuzz-sources: *,,p' $<) $(LIBS_ALL)

tests: $(UNIT_TESTS)

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
