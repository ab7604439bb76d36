#!/usr/bin/python3
"""Generate or check the PyTorch reference vectors for the CTC loss in tests/golden/ctc.

  /usr/bin/python3 generate_ctc.py [--out DIR]    draw every case with its fixed seed and write DIR/*.safetensors
                                                  (default: ctc/ beside this script)
  /usr/bin/python3 generate_ctc.py --check [DIR]  recompute every file in DIR from the inputs stored in it, report
                                                  the largest difference per file, exit 1 if any is above 1e-12

Needs Debian's python3-torch (PyTorch 1.13) and numpy; the C# tests never run this script.

Recipe: torch.manual_seed(seed); logits (T, N, C) drawn in float32 with torch.randn (times a per-case scale, so
frames are peaked or flat), targets drawn uniformly from the non-blank symbols, lengths as the case gives them.
Everything is computed in float64: log_probs = log_softmax(logits, 2), loss = F.ctc_loss(log_probs, targets (1-D),
input_lengths, target_lengths, blank, reduction, zero_infinity), and autograd gives both gradients.

File layout (all metadata values are strings):
  __metadata__    blank, reduction (mean, sum), zero_infinity (true, false), torch_version, computed_in
  logits          (T, N, C)
  log_probs       (T, N, C) log_softmax(logits) over C
  targets         (S_1 + ... + S_N) I64, the targets one after the other
  input_lengths   (N) I64
  target_lengths  (N) I64
  loss            (1) the reduced loss
  loss_none       (N) the same call with reduction='none'
  grad.logits     d loss / d logits (through log_softmax)
  grad.log_probs  d loss / d log_probs as PyTorch's autograd reports it, log_probs a leaf
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ next to the golden files
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from safetensors_io import check_folder, write_safetensors  # noqa: E402

CHECK_TOLERANCE = 1e-12


def case(name, seed, frames, classes, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False,
         scale=1.0, repeats=False):
    return dict(name=name, seed=seed, frames=frames, classes=classes, input_lengths=input_lengths,
                target_lengths=target_lengths, blank=blank, reduction=reduction, zero_infinity=zero_infinity,
                scale=scale, repeats=repeats)


CASES = [
    case("ctc_basic_mean", 601, 12, 6, [12, 12, 12], [3, 4, 2]),
    case("ctc_basic_sum", 602, 12, 6, [12, 12, 12], [3, 4, 2], reduction="sum"),
    case("ctc_lengths_mean", 603, 15, 5, [15, 9, 4, 11], [5, 3, 1, 0]),
    case("ctc_blank_last_mean", 604, 10, 7, [10, 8], [4, 3], blank=6),
    case("ctc_blank_middle_sum", 605, 10, 7, [10, 10], [3, 5], blank=3, reduction="sum"),
    case("ctc_repeats_mean", 606, 14, 4, [14, 14, 13], [5, 6, 4], repeats=True),
    case("ctc_peaked_mean", 607, 20, 11, [20, 17], [6, 7], scale=4.0),
    case("ctc_flat_sum", 608, 9, 3, [9, 9], [2, 3], scale=0.1, reduction="sum"),
    case("ctc_impossible_zero_infinity_mean", 609, 6, 5, [6, 3, 6], [2, 3, 3], zero_infinity=True, repeats=True),
    case("ctc_impossible_zero_infinity_sum", 610, 6, 5, [6, 2, 6], [2, 3, 1], reduction="sum", zero_infinity=True),
    case("ctc_long_mean", 611, 120, 12, [120, 97], [30, 25]),
    case("ctc_single_frame_mean", 612, 1, 4, [1, 1], [1, 0]),
]


def full_meta(c):
    return dict(blank=str(c["blank"]), reduction=c["reduction"], zero_infinity="true" if c["zero_infinity"] else "false",
                torch_version=torch.__version__, computed_in="float64")


def draw(c):
    torch.manual_seed(c["seed"])
    n = len(c["input_lengths"])
    logits = (torch.randn(c["frames"], n, c["classes"]) * c["scale"]).double()
    symbols = [s for s in range(c["classes"]) if s != c["blank"]]
    targets = []
    for length in c["target_lengths"]:
        if c["repeats"]:  # pairs of one symbol, so that the path must put a blank between them
            row = [symbols[int(torch.randint(len(symbols), (1,)))] for _ in range((length + 1) // 2)]
            targets += [s for s in row for _ in range(2)][:length]
        else:
            targets += [symbols[int(i)] for i in torch.randint(len(symbols), (length,))]
    tensors = dict(logits=logits, targets=torch.tensor(targets, dtype=torch.int64),
                   input_lengths=torch.tensor(c["input_lengths"], dtype=torch.int64),
                   target_lengths=torch.tensor(c["target_lengths"], dtype=torch.int64))
    return tensors


def compute(tensors, meta):
    blank, reduction = int(meta["blank"]), meta["reduction"]
    zero_infinity = meta["zero_infinity"] == "true"
    logits = tensors["logits"].double().clone().requires_grad_(True)
    log_probs = F.log_softmax(logits, 2)
    args = (tensors["targets"], tensors["input_lengths"], tensors["target_lengths"])
    loss = F.ctc_loss(log_probs, *args, blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    loss.backward()
    leaf = log_probs.detach().clone().requires_grad_(True)
    F.ctc_loss(leaf, *args, blank=blank, reduction=reduction, zero_infinity=zero_infinity).backward()
    none = F.ctc_loss(log_probs.detach(), *args, blank=blank, reduction="none", zero_infinity=zero_infinity)
    return {"log_probs": log_probs.detach(), "loss": loss.detach().reshape(1), "loss_none": none,
            "grad.logits": logits.grad, "grad.log_probs": leaf.grad}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "ctc"))
    parser.add_argument("--check", nargs="?", const="", default=None)
    args = parser.parse_args()
    if args.check is not None:
        def difference(meta, tensors):
            results = compute(tensors, meta)
            return max(float((results[k] - tensors[k]).abs().nan_to_num(0).max()) for k in results)
        check_folder(args.check or args.out, difference, CHECK_TOLERANCE)
    os.makedirs(args.out, exist_ok=True)
    for c in CASES:
        tensors = draw(c)
        meta = full_meta(c)
        results = compute(tensors, meta)
        ordered = {"logits": tensors["logits"], "log_probs": results.pop("log_probs"), "targets": tensors["targets"],
                   "input_lengths": tensors["input_lengths"], "target_lengths": tensors["target_lengths"], **results}
        write_safetensors(os.path.join(args.out, c["name"] + ".safetensors"), ordered, meta, float_dtype="F64")
        print(c["name"], float(results["loss"]))


if __name__ == "__main__":
    main()
