#!/usr/bin/python3
"""Compare a Carnet run with a twin run: the figure each reaches at the end, and when each first reaches the other's.

    curves.py CARNET_DIR/metrics.json TWIN_DIR/log.jsonl [--figure token_error_rate|word_error]

Carnet's metrics.json `history` has, per epoch, `training_seconds` (validation excluded) and the held-out
`exact_match` and `token_error_rate` of greedy decoding; the twin's log has `elapsed_s` (evaluation excluded),
`word_error` (= 1 − exact match) and `token_error_rate` of greedy decoding on the same held-out file. Lower is better.
"""
import json
import sys

carnet_path, twin_path = sys.argv[1:3]
figure = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--figure" else "token_error_rate"
history = json.load(open(carnet_path, encoding="utf-8"))["history"]
carnet = [(h["training_seconds"], 1 - h["exact_match"] if figure == "word_error" else h[figure]) for h in history]
twin = [(r["elapsed_s"], r[figure]) for r in map(json.loads, open(twin_path, encoding="utf-8")) if "elapsed_s" in r]


def first_reaching(curve, target):
    return next((t for t, v in curve if v <= target), None)


def describe(name, curve, other_name, other):
    end_t, end_v = curve[-1]
    best = min(v for _, v in curve)
    reach = first_reaching(curve, other[-1][1])
    when = f"{reach:.0f} s" if reach is not None else "never"
    print(f"{name}: {figure} {end_v:.4f} at the end ({end_t:.0f} s of training), best {best:.4f}; "
          f"reaches {other_name}'s final {other[-1][1]:.4f} after {when}")


describe("Carnet", carnet, "the twin", twin)
describe("twin", twin, "Carnet", carnet)
