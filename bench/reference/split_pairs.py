#!/usr/bin/python3
"""Split a TSV of sentence pairs into train.tsv and test.tsv, pairs with the same source on the same side.

    split_pairs.py PAIRS.tsv OUTDIR [--held-out 0.1] [--seed 42]

The distinct sources are shuffled with Python's random.Random(seed) and held out in that order until the held-out
part has at least round(fraction · pairs) pairs; both files keep the input's order and header. Used by
bench/translate/results.sh so that Carnet and its PyTorch twin train and test on the same pairs.
"""
import argparse
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("pairs")
parser.add_argument("out")
parser.add_argument("--held-out", type=float, default=0.1)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

with open(args.pairs, encoding="utf-8") as f:
    header, *rows = f.read().split("\n")
rows = [r for r in rows if r]
sources = list(dict.fromkeys(r.split("\t")[0] for r in rows))
random.Random(args.seed).shuffle(sources)
wanted = round(args.held_out * len(rows))
count = {}
for r in rows:
    count[r.split("\t")[0]] = count.get(r.split("\t")[0], 0) + 1
held, taken = set(), 0
for s in sources:
    if taken >= wanted:
        break
    held.add(s)
    taken += count[s]

os.makedirs(args.out, exist_ok=True)
for name, keep in (("train.tsv", False), ("test.tsv", True)):
    with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
        f.write(header + "\n")
        for r in rows:
            if (r.split("\t")[0] in held) == keep:
                f.write(r + "\n")
