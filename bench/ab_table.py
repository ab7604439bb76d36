#!/usr/bin/env python3
"""Tabulates a `bench/ab_bench.sh` run: per cell and variant, the median forward, training and streaming milliseconds
with every process's forward figure (to see a bimodal cell), then each variant's median ratio to the first over the
cells (below 1: faster).

Usage: python3 bench/ab_table.py OUT.jsonl [MORE.jsonl ...]
"""
import json
import math
import statistics
import sys
from collections import defaultdict


def main():
    runs = defaultdict(list)  # (shape, cell, threads, variant) -> rows
    variants = []
    for path in sys.argv[1:]:
        for line in open(path):
            if line.strip():
                r = json.loads(line)
                runs[(r["shape"], r["cell"], r["threads"], r["variant"])].append(r)
                if r["variant"] not in variants:
                    variants.append(r["variant"])
    ratios = defaultdict(list)
    for key in sorted({k[:3] for k in runs}):
        print(f"{key[0]} {key[1]} {key[2]} thread(s)")
        medians = {}
        for v in variants:
            rows = runs.get(key + (v,))
            if not rows:
                continue
            medians[v] = {f: statistics.median(r[f] for r in rows) for f in ("forward_ms", "train_ms", "stream_ms")}
            each = ", ".join(f"{r['forward_ms']:.1f}" for r in rows)
            m = medians[v]
            print(f"  {v:>8}: forward {m['forward_ms']:8.2f} [{each}]  train {m['train_ms']:8.2f}  stream {m['stream_ms']:7.2f}")
            if v != variants[0] and variants[0] in medians:
                for f in m:
                    ratios[(v, f)].append(m[f] / medians[variants[0]][f])
    for (v, f), values in ratios.items():
        geometric = math.exp(sum(map(math.log, values)) / len(values))
        print(f"{v} / {variants[0]}, {f}: median ratio {statistics.median(values):.3f}, geometric mean {geometric:.3f} over {len(values)} cells")


if __name__ == "__main__":
    main()
