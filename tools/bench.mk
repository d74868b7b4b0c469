# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make bench-tools: `fabstat fabric` against ibnetdiscover + saquery for the
# same information on a 1008-HCA ibsim fat tree, in one run; prints the
# ratio (target: at most 0.5x). Not a test.

.PHONY: bench-tools
bench: bench-tools

bench-tools: $(BUILD)/bin/fabstat
	$(Q)bash tests/bench/tools/bench.sh
