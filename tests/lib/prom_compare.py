#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# prom_compare.py PROM_FILE STATS_JSON: every counter of the stats reply
# (`fabricctl -j stats`) against its sample in the Prometheus text file, by
# the names docs/metrics.md documents (an independent reading of the
# table, not lib/prom.c's). Prints "N equal" and exits 0, or lists each
# difference and exits 1. Volatile values (wake-ups, bursts, free buffers)
# are left out: they move between the two reads.
import json
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

TRAFFIC = ["rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "flooded"]
MIRROR = {"mirrored": "frames", "mirrored_bytes": "bytes",
          "dropped_rate": "rate_dropped", "dropped_error": "error_dropped",
          "write_errors": "write_errors"}
FDB_SHARE = {"entries": "fdb_entries", "may_hold": "fdb_may_hold_entries",
             "refused": "fdb_refused_total", "full": "fdb_full_total"}


def parse(path):
    samples = {}
    for line in open(path):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            sys.exit("not a sample: %r" % line)
        labels = tuple(sorted(LABEL.findall(m.group(3) or "")))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples


def expected(stats):
    """(name, labels) -> value, from the JSON alone."""
    want = {}

    def put(name, labels, value):
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, int):
            want[(name, tuple(sorted(labels.items())))] = float(value)

    for reason, v in stats.get("drops", {}).items():
        put("fabricd_engine_drops_total", {"reason": reason}, v)
    put("fabricd_engine_bytes_copied_total", {}, stats.get("bytes_copied"))
    fdb = stats.get("fdb", {})
    for k in ["learned", "moved", "aged"]:
        put("fabricd_fdb_%s_total" % k, {}, fdb.get(k))
    for k in ["full", "part_limit", "port_limit"]:
        put("fabricd_fdb_not_learned_total", {"reason": k}, fdb.get(k))
    put("fabricd_fdb_entries", {}, fdb.get("entries"))
    put("fabricd_fdb_size_entries", {}, fdb.get("size"))
    for obj, ids in [("port", lambda p: {"port": p["name"],
                                         "kind": p["kind"]}),
                     ("partition", lambda p: {"partition": p["name"]})]:
        for p in stats.get(obj + "s", []):
            lab = ids(p)
            for k in TRAFFIC:
                put("fabricd_%s_%s_total" % (obj, k), lab, p.get(k))
            for reason, v in p.get("drops", {}).items():
                put("fabricd_%s_drops_total" % obj,
                    dict(lab, reason=reason), v)
            for k, name in FDB_SHARE.items():
                put("fabricd_%s_%s" % (obj, name), lab, p["fdb"].get(k))
            put("fabricd_%s_fdb_limit_entries" % obj, lab,
                p["fdb"].get("limit"))
            if obj == "port":
                put("fabricd_port_kernel_rx_dropped_total", lab,
                    p.get("kernel_rx_dropped"))
    for m in stats.get("mirrors", []):
        for k, name in MIRROR.items():
            put("fabricd_mirror_%s_total" % name, {"mirror": m["name"]},
                m.get(k))
    return want


def main():
    got = parse(sys.argv[1])
    want = expected(json.load(open(sys.argv[2])))
    bad = 0
    for key, v in sorted(want.items()):
        if got.get(key) != v:
            print("# %s%s: file %s, stats %s" % (key[0], dict(key[1]),
                                                got.get(key), v))
            bad += 1
    if bad or not want:
        print("# %d of %d differ" % (bad, len(want)))
        return 1
    print("%d equal" % len(want))
    return 0


sys.exit(main())
