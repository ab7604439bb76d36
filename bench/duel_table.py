#!/usr/bin/env python3
"""Tabulates a `bench/reference/duel_onednn.sh` run: per cell, Carnet's and oneDNN's median forward and training
milliseconds over the rounds, and each round's ratio oneDNN / Carnet (above 1: Carnet faster) with their median.

Usage: python3 bench/duel_table.py OUT.jsonl [MORE.jsonl ...]
"""
import json
import statistics
import sys
from collections import defaultdict


def main():
    runs = defaultdict(dict)  # (shape, cell, threads) -> {(tool, round): row}
    for path in sys.argv[1:]:
        for line in open(path):
            if line.strip():
                r = json.loads(line)
                runs[(r["shape"], r["cell"], r["threads"])][(r["tool"], r["round"])] = r
    print("| cell | Carnet fwd ms | oneDNN fwd ms | fwd ratio | Carnet train ms | oneDNN train ms | train ratio | each round's train ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for (shape, cell, threads), rows in sorted(runs.items()):
        rounds = sorted({k[1] for k in rows if ("carnet", k[1]) in rows and ("onednn", k[1]) in rows})
        if not rounds:
            continue
        cells = [f"{shape} {cell.upper()} {threads}T"]
        each = []
        for field in ("forward_ms", "train_ms"):
            ours = [rows[("carnet", r)][field] for r in rounds]
            theirs = [rows[("onednn", r)][field] for r in rounds]
            ratios = [t / o for o, t in zip(ours, theirs)]
            cells += [f"{statistics.median(ours):.2f}", f"{statistics.median(theirs):.2f}", f"{statistics.median(ratios):.3f}"]
            each = ratios
        cells.append(", ".join(f"{x:.2f}" for x in each) + f" ({len(rounds)} rounds)")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
