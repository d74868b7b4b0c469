# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The Ethernet port kinds and frame code (issue 5): libfab-eth.a, on lib/.

ETH_SRCS := eth/fdb.c eth/flow.c eth/frame.c eth/port_dummy.c eth/port_netdev.c \
	eth/port_tap.c eth/port_xdp.c eth/tap_offloads.c eth/tap_persist.c \
	eth/veth_csum.c eth/vnet.c eth/xdp_fast.c
$(eval $(call fab_layer,eth,$(ETH_SRCS)))

# make bench-vm: two QEMU guests on taps, fabricd against the Linux bridge
# and OVS's userspace datapath; udpblast (static) goes into the guests.
UDPBLAST := $(BUILD)/tests/udpblast
$(UDPBLAST): tests/bench/udpblast.c
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -static -o $@ $<

tests: $(UDPBLAST)

.PHONY: bench-vm
bench-vm: all $(UDPBLAST)
	bash tests/bench/vm.sh

bench: bench-vm

# The XDP program (eth/xdp_fast.bpf.c): clang for the BPF target, then a
# libbpf skeleton (bpftool) that eth/xdp_fast.c includes.
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -I. \
	-I/usr/include/$(shell $(CC) -print-multiarch)
$(BUILD)/bpf/xdp_fast.bpf.o: eth/xdp_fast.bpf.c eth/xdp_fast_maps.h
	$(call msg,CC-BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<
$(BUILD)/gen/xdp_fast.skel.h: $(BUILD)/bpf/xdp_fast.bpf.o
	$(call msg,SKEL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)bpftool gen skeleton $< name xf_skel >$@.tmp && mv $@.tmp $@
$(foreach v,obj pic san tsan fuzzobj,$(BUILD)/$(v)/eth/xdp_fast.o): \
	$(BUILD)/gen/xdp_fast.skel.h
