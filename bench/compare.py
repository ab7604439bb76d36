#!/usr/bin/env python3
"""Tabulates `carnet bench` against the reference anchors measured in the same session.

Usage: python3 bench/compare.py CARNET.jsonl ANCHORS.jsonl
Prints a Markdown table: per shape, cell and thread count, the median milliseconds of Carnet, tuned PyTorch and
oneDNN for a forward pass and a training step, and Carnet's speed-up over each (their time / Carnet's).
"""
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    carnet = {(r["shape"], r["cell"], r["threads"]): r for r in load(sys.argv[1]) if r.get("tool") == "carnet"}
    anchors = load(sys.argv[2])
    reference = {(r["tool"], r["shape"], r["cell"], r["threads"]): r for r in anchors if r.get("tool") in ("torch", "onednn")}
    print("| shape | cell | thr | Carnet fwd ms | torch fwd ms | oneDNN fwd ms | fwd × torch | fwd × oneDNN "
          "| Carnet train ms | torch train ms | oneDNN train ms | train × torch | train × oneDNN | Carnet fwd GF/s |")
    print("|---" * 14 + "|")
    for key in sorted(carnet):
        c = carnet[key]
        t = reference.get(("torch",) + key, {})
        o = reference.get(("onednn",) + key, {})
        row = [key[0], key[1].upper(), str(key[2]), f"{c['forward_ms']:.2f}", f"{t.get('forward_ms', float('nan')):.2f}",
               f"{o.get('forward_ms', float('nan')):.2f}", f"{t.get('forward_ms', float('nan')) / c['forward_ms']:.2f}",
               f"{o.get('forward_ms', float('nan')) / c['forward_ms']:.2f}", f"{c['train_ms']:.2f}",
               f"{t.get('train_ms', float('nan')):.2f}", f"{o.get('train_ms', float('nan')):.2f}",
               f"{t.get('train_ms', float('nan')) / c['train_ms']:.2f}", f"{o.get('train_ms', float('nan')) / c['train_ms']:.2f}",
               f"{c['forward_gflops']:.1f}"]
        print("| " + " | ".join(row) + " |")
    for r in anchors:
        if r.get("tool") in ("fma_peak", "sgemm"):
            print(f"\n{r['tool']} {r.get('threads')} thread(s): {r.get('gflops')} GFLOP/s", end="")
    print()


if __name__ == "__main__":
    main()
