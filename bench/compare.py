#!/usr/bin/env python3
"""Tabulates `carnet bench` against the reference anchors measured in the same session.

Usage: python3 bench/compare.py ANCHORS.jsonl CARNET.jsonl [CARNET.jsonl ...]
Prints a Markdown table: per shape, cell and thread count, the median milliseconds of Carnet, tuned PyTorch and
oneDNN for a forward pass and a training step, and Carnet's speed-up over each (their time / Carnet's). With several
Carnet files (runs before and after the anchors, say), each Carnet figure is the median over the runs. The last
columns are Carnet's forward GFLOP/s and its streaming time (the sequence one step at a time through RecurrentStream).
"""
import json
import statistics
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    anchors = load(sys.argv[1])
    runs = {}
    for path in sys.argv[2:]:
        for r in load(path):
            if r.get("tool") == "carnet":
                runs.setdefault((r["shape"], r["cell"], r["threads"]), []).append(r)
    reference = {(r["tool"], r["shape"], r["cell"], r["threads"]): r for r in anchors if r.get("tool") in ("torch", "onednn")}
    nan = float("nan")
    print("| shape | cell | thr | Carnet fwd ms | torch fwd ms | oneDNN fwd ms | fwd × torch | fwd × oneDNN "
          "| Carnet train ms | torch train ms | oneDNN train ms | train × torch | train × oneDNN | Carnet fwd GF/s | Carnet stream ms |")
    print("|---" * 15 + "|")
    for key in sorted(runs):
        c = {field: statistics.median(r.get(field, nan) for r in runs[key])
             for field in ("forward_ms", "train_ms", "forward_gflops", "stream_ms")}
        t = reference.get(("torch",) + key, {})
        o = reference.get(("onednn",) + key, {})
        row = [key[0], key[1].upper(), str(key[2]), f"{c['forward_ms']:.2f}", f"{t.get('forward_ms', nan):.2f}",
               f"{o.get('forward_ms', nan):.2f}", f"{t.get('forward_ms', nan) / c['forward_ms']:.2f}",
               f"{o.get('forward_ms', nan) / c['forward_ms']:.2f}", f"{c['train_ms']:.2f}",
               f"{t.get('train_ms', nan):.2f}", f"{o.get('train_ms', nan):.2f}",
               f"{t.get('train_ms', nan) / c['train_ms']:.2f}", f"{o.get('train_ms', nan) / c['train_ms']:.2f}",
               f"{c['forward_gflops']:.1f}", f"{c['stream_ms']:.2f}"]
        print("| " + " | ".join(row) + " |")
    for r in anchors:
        if r.get("tool") in ("fma_peak", "sgemm"):
            print(f"\n{r['tool']} {r.get('threads')} thread(s): {r.get('gflops')} GFLOP/s", end="")
    print()


if __name__ == "__main__":
    main()
