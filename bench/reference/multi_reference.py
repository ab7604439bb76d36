#!/usr/bin/python3
"""Turn one-line-per-pair predictions and references into one line per distinct source, for multi-reference scoring.

    multi_reference.py TEST.tsv PREDICTIONS.txt OUTDIR

TEST.tsv is the held-out file (its first column the source); PREDICTIONS.txt has one prediction per pair, in its order
(pairs with the same source have the same prediction). Writes OUTDIR/hypotheses.txt (one line per distinct source,
in order of first appearance) and OUTDIR/references.K.txt, the K-th reference of each source or an empty line when it
has fewer: the layout `carnet translate score --hypotheses … --references … --references …` reads, as sacreBLEU does.
"""
import os
import sys

test, predictions, out = sys.argv[1:4]
with open(test, encoding="utf-8") as f:
    rows = [line.split("\t") for line in f.read().split("\n")[1:] if line]
with open(predictions, encoding="utf-8") as f:
    hypotheses = f.read().split("\n")
references = {}
first = {}
for (source, target, *_), hypothesis in zip(rows, hypotheses):
    references.setdefault(source, []).append(target)
    first.setdefault(source, hypothesis)
streams = max(len(r) for r in references.values())
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "hypotheses.txt"), "w", encoding="utf-8") as f:
    f.write("".join(first[s] + "\n" for s in references))
for k in range(streams):
    with open(os.path.join(out, f"references.{k}.txt"), "w", encoding="utf-8") as f:
        f.write("".join((r[k] if k < len(r) else "") + "\n" for r in references.values()))
