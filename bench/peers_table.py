#!/usr/bin/env python3
"""Tabulates a `PEERS=1 bench/run_carnet_bench.sh` run: Carnet beside ONNX Runtime, oneDNN and tuned PyTorch.

Usage: python3 bench/peers_table.py OUT.jsonl [MORE.jsonl ...]   (the rounds of several runs are pooled)
Every figure is the median over the rounds of each round's median; each ratio ("× ORT" and the others) is the median
over the rounds of that round's peer time divided by Carnet's time in the same round, so above 1 Carnet is faster.
Carnet's forward is the frozen layer (weights packed once, as ONNX Runtime and oneDNN time inference); its training
step packs them at every pass. "% SGEMM" is Carnet's forward GFLOP/s against the SGEMM 2048³ ceiling (torch.mm on
OpenBLAS) measured in the same rounds. Ends with the ceilings and Carnet's memory figures.
"""
import json
import statistics
import sys
from collections import defaultdict

TOOLS = ("carnet", "onnxruntime", "carnet_onnx", "onednn", "torch")


def main():
    rows, offset = [], 0
    for path in sys.argv[1:]:
        run = [json.loads(line) for line in open(path) if line.strip()]
        for r in run:
            r["round"] = r.get("round", 1) + offset
        offset = max(r["round"] for r in run)
        rows += run
    by = defaultdict(dict)  # (tool, shape, cell, threads) -> {round: row}
    ceilings = defaultdict(list)
    for r in rows:
        if r.get("tool") in TOOLS:
            by[(r["tool"], r["shape"], r["cell"].lower(), int(r["threads"]))][r.get("round", 1)] = r
        elif r.get("tool") == "fma_peak":
            ceilings[("FMA peak", r["threads"])].append(r["gflops"])
        elif r.get("tool") == "sgemm" and r["M"] == r["K"] == r["N"] == 2048:
            ceilings[("SGEMM 2048³", r["threads"])].append(r["gflops"])
    nan = float("nan")

    def median(tool, key, field):
        values = [r[field] for r in by.get((tool,) + key, {}).values() if field in r]
        return statistics.median(values) if values else nan

    def ratio(tool, key, field):
        carnet, peer = by.get(("carnet",) + key, {}), by.get((tool,) + key, {})
        values = [peer[k][field] / carnet[k][field] for k in carnet if k in peer and field in peer[k] and field in carnet[k]]
        return statistics.median(values) if values else nan

    def shown(value, digits=2, suffix=""):
        return "—" if value != value else f"{value:.{digits}f}{suffix}"  # a peer not measured (ANCHORS=0): a dash, not nan

    sgemm = {th: statistics.median(v) for (name, th), v in ceilings.items() if name.startswith("SGEMM")}
    print("| shape | cell | thr | Carnet fwd ms | ORT fwd ms | Carnet ONNX ms | oneDNN fwd ms | torch fwd ms | fwd × ORT "
          "| fwd × oneDNN | fwd × torch | Carnet train ms | oneDNN train ms | torch train ms | train × oneDNN | train × torch "
          "| Carnet fwd GF/s | % SGEMM |")
    print("|---" * 18 + "|")
    keys = sorted({k[1:] for k in by if k[0] == "carnet"}, key=lambda k: (k[0], k[1] != "lstm", k[2]))
    for key in keys:
        gflops = median("carnet", key, "forward_gflops")
        cells = [key[0], key[1].upper(), str(key[2])]
        cells += [shown(median(t, key, "forward_ms")) for t in TOOLS]
        cells += [shown(ratio(t, key, "forward_ms")) for t in ("onnxruntime", "onednn", "torch")]
        cells += [shown(median(t, key, "train_ms")) for t in ("carnet", "onednn", "torch")]
        cells += [shown(ratio(t, key, "train_ms")) for t in ("onednn", "torch")]
        cells += [shown(gflops, 1), shown(100 * gflops / sgemm.get(key[2], nan), 0, "%")]
        print("| " + " | ".join(cells) + " |")
    print()
    for (name, threads), values in sorted(ceilings.items()):
        print(f"- {name}, {threads} thread(s): {statistics.median(values):.1f} GFLOP/s (rounds: {', '.join(f'{v:.1f}' for v in values)})")
    for key in keys:
        peak = median("carnet", key, "peak_working_set_mb")
        if key[0] == "S5" and peak == peak:
            print(f"- Carnet S5 {key[1].upper()} {key[2]} thread(s): peak working set {peak:.0f} MB")


if __name__ == "__main__":
    main()
