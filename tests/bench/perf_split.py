#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""perf_split.py FRAMES < `perf script -F comm,pid,tid,ip,sym` of perf
record -a -g: where the datapath's CPU went while FRAMES frames reached
the sink (tests/bench/datapath.sh, BENCH_PERF=1). Counts the samples of
the senders (trafgen, xdpgen) and of the softirq and NAPI threads, each
in the first category any frame of its stack names, per 1000 frames
(lower is cheaper; the machine's other load runs in ksoftirqd too)."""
import collections
import sys

COMMS = ("trafgen", "xdpgen", "ksoftirqd/", "napi/")
CATS = [
    ("sink: XDP_DROP", ["xdpsink"]),
    ("veth: skb -> xdp_buff copy (skb_pp_cow_data)",
     ["skb_pp_cow_data", "veth_convert_skb_to_xdp_buff"]),
    ("veth: copy of trafgen's ring pages (skb_copy_ubufs)",
     ["skb_copy_ubufs"]),
    ("XDP program fabricd_xdp", ["fabricd_xdp"]),
    ("XDP redirect, veth_xdp_xmit",
     ["xdp_do_redirect", "xdp_do_flush", "veth_xdp_xmit", "dev_map_enqueue",
      "bq_xmit_all"]),
    ("bridge (br_handle_frame)", ["br_handle_frame"]),
    ("sink: skb, stack",
     ["veth_xdp_rcv_bulk_skb", "netif_receive_skb_list_internal",
      "napi_gro_receive", "gro_receive_skb", "__netif_receive_skb"]),
    ("skb and page frees",
     ["consume_skb", "kfree_skb", "skb_defer_free_flush",
      "sk_skb_reason_drop", "__free_frozen_pages", "page_pool_put",
      "xdp_return"]),
    ("veth receive, other (veth_poll)", ["veth_poll", "veth_xdp_rcv"]),
    ("veth_xmit (sender side)", ["veth_xmit"]),
    ("sender: trafgen (packet_sendmsg)", ["packet_sendmsg", "tpacket_snd"]),
    ("sender: xdpgen (test_run page pool)",
     ["xdp_test_run_batch", "bpf_test_run_xdp_live", "bpf_prog_test_run_xdp"]),
]


def category(stack):
    for name, keys in CATS:
        if any(k in f for f in stack for k in keys):
            return name
    return "other"


def main():
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    count = collections.Counter()
    total = 0
    for block in sys.stdin.read().split("\n\n"):
        lines = [l for l in block.splitlines() if l.strip()]
        if not lines or not lines[0].startswith(COMMS):
            continue
        total += 1
        count[category([l.split()[1] for l in lines[1:] if len(l.split()) > 1])] += 1
    per = (lambda n: 1000.0 * n / frames) if frames else (lambda n: 0.0)
    print("%.2f samples per 1000 frames (%d samples, %d frames)" %
          (per(total), total, frames))
    for name, n in count.most_common():
        print("  %5.1f%%  %5.2f  %s" % (100.0 * n / total, per(n), name))


main()
