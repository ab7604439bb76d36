#!/usr/bin/python3
"""Generate or check the PyTorch reference vectors for the loss functions in tests/golden/losses.

  /usr/bin/python3 generate_losses.py [--out DIR]   draw every case with its fixed seed and write
                                                    DIR/*.safetensors (default: losses/ beside this script)
  /usr/bin/python3 generate_losses.py --check [DIR] recompute every file in DIR (default: losses/ beside this
                                                    script) from the inputs stored in it, report the largest
                                                    difference per file, exit 1 if any is above 1e-14

Needs Debian's python3-torch (PyTorch 1.13) and numpy; the C# tests never run this script.

Recipe: torch.manual_seed(seed); draw the inputs in float32 (torch.randn / torch.rand), so they are exactly
representable in both precisions the C# tests use; a few elements are then set by hand (differences exactly equal
to zero or to the Huber delta, targets equal to the ignore index). Everything is computed in float64 with
torch.nn.functional and autograd, and stored as F64 (class targets as I64), one case per file.

File layout (all metadata values are strings):
  __metadata__  loss (mse, l1, huber, cross_entropy, bce_with_logits), reduction (mean, sum), delta (huber),
                ignore_index and label_smoothing (cross_entropy), torch_version, computed_in
  input         the prediction or the logits: (N, C) for cross_entropy, any shape otherwise
  target        same shape as input; cross_entropy: class ids (N), I64
  weight        optional: class weights (C) for cross_entropy, per-element weights (input's shape) for bce
  pos_weight    optional, bce only: (K), K = input's last dimension
  loss          (1) the reduced loss (NaN when every cross_entropy target is ignored with mean reduction)
  loss_none     the same call with reduction='none': (input's shape), or (N) for cross_entropy
  grad.input    d loss / d input, by autograd
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ next to the golden files
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

CHECK_TOLERANCE = 1e-14  # a recomputation must reproduce the stored float64 values (relative above 1)

# --------------------------------------------------------------------------------------------------------
# Case definitions. Seeds are part of the definition: changing one changes the stored values.
# --------------------------------------------------------------------------------------------------------


def elementwise(name, seed, loss, reduction, shape=(3, 5), delta=None):
    meta = dict(loss=loss, reduction=reduction)
    if delta is not None:
        meta["delta"] = repr(delta)
    return dict(name=name, seed=seed, meta=meta, shape=shape)


def cross_entropy(name, seed, reduction, rows=7, classes=5, ignore_index=-100, ignored=(), label_smoothing=0.0,
                  weighted=False, scale=1.0):
    meta = dict(loss="cross_entropy", reduction=reduction, ignore_index=str(ignore_index),
                label_smoothing=repr(label_smoothing))
    return dict(name=name, seed=seed, meta=meta, rows=rows, classes=classes, ignored=ignored, weighted=weighted,
                scale=scale)


def bce(name, seed, reduction, shape=(3, 4), weighted=False, pos_weighted=False, scale=1.0):
    meta = dict(loss="bce_with_logits", reduction=reduction)
    return dict(name=name, seed=seed, meta=meta, shape=shape, weighted=weighted, pos_weighted=pos_weighted,
                scale=scale)


CASES = [
    elementwise("mse_mean", 101, "mse", "mean"),
    elementwise("mse_sum", 102, "mse", "sum", shape=(2, 3, 4)),
    elementwise("l1_mean", 103, "l1", "mean"),
    elementwise("l1_sum", 104, "l1", "sum", shape=(2, 3, 4)),
    elementwise("huber_delta1_mean", 105, "huber", "mean", delta=1.0),
    elementwise("huber_delta1_sum", 106, "huber", "sum", delta=1.0),
    elementwise("huber_delta0.5_mean", 107, "huber", "mean", delta=0.5),
    elementwise("huber_delta0.5_sum", 108, "huber", "sum", shape=(2, 3, 4), delta=0.5),
    elementwise("huber_delta2_mean", 109, "huber", "mean", delta=2.0),
    elementwise("huber_delta2_sum", 110, "huber", "sum", shape=(2, 3, 4), delta=2.0),

    cross_entropy("ce_mean", 201, "mean"),
    cross_entropy("ce_sum", 202, "sum"),
    cross_entropy("ce_ignore_mean", 203, "mean", ignored=(1, 4)),
    cross_entropy("ce_ignore_sum", 204, "sum", ignored=(0, 5, 6)),
    cross_entropy("ce_ignore_class2_mean", 205, "mean", ignore_index=2, ignored=(3, 6)),
    cross_entropy("ce_weights_mean", 206, "mean", weighted=True),
    cross_entropy("ce_weights_sum", 207, "sum", weighted=True),
    cross_entropy("ce_weights_ignore_mean", 208, "mean", weighted=True, ignored=(2, 3)),
    cross_entropy("ce_smooth_mean", 209, "mean", label_smoothing=0.1),
    cross_entropy("ce_smooth_sum", 210, "sum", label_smoothing=0.1),
    cross_entropy("ce_smooth_ignore_mean", 211, "mean", label_smoothing=0.1, ignored=(0, 4)),
    cross_entropy("ce_smooth_weights_mean", 212, "mean", label_smoothing=0.1, weighted=True),
    cross_entropy("ce_smooth_weights_sum", 213, "sum", label_smoothing=0.1, weighted=True),
    cross_entropy("ce_smooth_weights_ignore_mean", 214, "mean", label_smoothing=0.1, weighted=True, ignored=(1, 5)),
    cross_entropy("ce_smooth_weights_ignore_sum", 215, "sum", label_smoothing=0.1, weighted=True, ignored=(1, 5)),
    cross_entropy("ce_all_ignored_mean", 216, "mean", rows=3, ignored=(0, 1, 2)),
    cross_entropy("ce_all_ignored_smooth_weights_mean", 217, "mean", rows=3, label_smoothing=0.1, weighted=True,
                  ignored=(0, 1, 2)),
    cross_entropy("ce_all_ignored_sum", 218, "sum", rows=3, ignored=(0, 1, 2)),
    cross_entropy("ce_large_logits_smooth_mean", 219, "mean", label_smoothing=0.1, scale=300.0),
    cross_entropy("ce_one_class_mean", 220, "mean", rows=4, classes=1),

    bce("bce_mean", 301, "mean"),
    bce("bce_sum", 302, "sum", shape=(2, 3, 4)),
    bce("bce_weight_mean", 303, "mean", weighted=True),
    bce("bce_pos_weight_mean", 304, "mean", pos_weighted=True),
    bce("bce_pos_weight_sum", 305, "sum", shape=(2, 3, 4), pos_weighted=True),
    bce("bce_weight_pos_weight_mean", 306, "mean", shape=(2, 3, 4), weighted=True, pos_weighted=True),
    bce("bce_large_logits_pos_weight_sum", 307, "sum", pos_weighted=True, scale=200.0),
]

# --------------------------------------------------------------------------------------------------------
# Drawing the inputs (float32 draws, widened to float64)
# --------------------------------------------------------------------------------------------------------


def draw(case):
    """Return (tensors dict of float64/int64 inputs, metadata) for a case, from its seed."""
    torch.manual_seed(case["seed"])
    meta = dict(case["meta"])
    loss = meta["loss"]
    if loss in ("mse", "l1", "huber"):
        shape = case["shape"]
        x = (torch.randn(shape) * 1.5).double()
        y = torch.randn(shape).double()
        flat_x, flat_y = x.view(-1), y.view(-1)
        delta = float(meta.get("delta", "1.0"))
        # a difference of exactly 0 (L1's sign(0) = 0), and exactly ±delta (Huber's branch point)
        flat_x[0], flat_y[0] = 0.75, 0.75
        flat_x[1], flat_y[1] = 0.25, 0.25 - delta
        flat_x[2], flat_y[2] = -0.5, -0.5 + delta
        return dict(input=x, target=y), meta
    if loss == "cross_entropy":
        rows, classes = case["rows"], case["classes"]
        x = (torch.randn(rows, classes) * 2.0 * case["scale"]).double()
        y = torch.randint(0, classes, (rows,), dtype=torch.int64)
        for row in case["ignored"]:
            y[row] = int(meta["ignore_index"])
        tensors = dict(input=x, target=y)
        if case["weighted"]:
            tensors["weight"] = (torch.rand(classes) * 1.5 + 0.25).double()
        return tensors, meta
    shape = case["shape"]
    x = (torch.randn(shape) * 2.0 * case["scale"]).double()
    y = torch.rand(shape).double()
    flat_y = y.view(-1)
    flat_y[0], flat_y[1] = 0.0, 1.0  # hard labels next to soft ones
    tensors = dict(input=x, target=y)
    if case["weighted"]:
        tensors["weight"] = (torch.rand(shape) * 1.5 + 0.25).double()
    if case["pos_weighted"]:
        tensors["pos_weight"] = (torch.rand(shape[-1]) * 3.0 + 0.2).double()
    return tensors, meta


# --------------------------------------------------------------------------------------------------------
# Computing (shared by generation and --check)
# --------------------------------------------------------------------------------------------------------


def call(meta, tensors, x, reduction):
    loss = meta["loss"]
    y = tensors["target"]
    if loss == "mse":
        return F.mse_loss(x, y, reduction=reduction)
    if loss == "l1":
        return F.l1_loss(x, y, reduction=reduction)
    if loss == "huber":
        return F.huber_loss(x, y, reduction=reduction, delta=float(meta["delta"]))
    if loss == "cross_entropy":
        return F.cross_entropy(x, y, weight=tensors.get("weight"), ignore_index=int(meta["ignore_index"]),
                               reduction=reduction, label_smoothing=float(meta["label_smoothing"]))
    if loss == "bce_with_logits":
        return F.binary_cross_entropy_with_logits(x, y, weight=tensors.get("weight"),
                                                  pos_weight=tensors.get("pos_weight"), reduction=reduction)
    raise ValueError(f"unknown loss {loss!r}")


def compute(meta, tensors):
    """The reduced loss (1), the unreduced losses and d loss / d input, all float64."""
    x = tensors["input"].clone().requires_grad_(True)
    loss = call(meta, tensors, x, meta["reduction"])
    loss.backward()
    with torch.no_grad():
        none = call(meta, tensors, tensors["input"], "none")
    return {"loss": loss.detach().reshape(1), "loss_none": none, "grad.input": x.grad}


def full_meta(meta):
    return dict(meta, torch_version=torch.__version__, computed_in="float64")




def generate(out):
    os.makedirs(out, exist_ok=True)
    for case in CASES:
        tensors, meta = draw(case)
        results = compute(meta, tensors)
        path = os.path.join(out, case["name"] + ".safetensors")
        write_safetensors(path, {**tensors, **results}, full_meta(meta), float_dtype="F64")
        loss = results["loss"].item()
        print(f"{case['name']:36s} loss {loss: .17g}  ({os.path.getsize(path)} bytes)")


def difference(expected, actual):
    """Largest |a − e| / max(1, |e|); NaN must match NaN."""
    expected, actual = expected.double(), actual.double()
    if not torch.equal(torch.isnan(expected), torch.isnan(actual)):
        return math.inf
    keep = ~torch.isnan(expected)
    if not keep.any():
        return 0.0
    e, a = expected[keep], actual[keep]
    return ((a - e).abs() / e.abs().clamp(min=1.0)).max().item()


def check(folder):
    worst_overall, failed = 0.0, []
    names = sorted(n for n in os.listdir(folder) if n.endswith(".safetensors"))
    for name in names:
        meta, stored = read_safetensors(os.path.join(folder, name))
        inputs = {k: v for k, v in stored.items() if k in ("input", "target", "weight", "pos_weight")}
        recomputed = compute(meta, inputs)
        worst = max(difference(stored[k], v) for k, v in recomputed.items())
        worst_overall = max(worst_overall, worst)
        status = "ok" if worst <= CHECK_TOLERANCE else "FAIL"
        if status == "FAIL":
            failed.append(name)
        print(f"{name:50s} max difference {worst:.2e}  {status}")
    print(f"{len(names)} files, worst difference {worst_overall:.2e}, {len(failed)} failed")
    return not failed and names


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=here, help="folder to write the files into")
    parser.add_argument("--check", nargs="?", const=here, metavar="DIR", help="recompute and compare the files in DIR")
    args = parser.parse_args()
    if args.check:
        sys.exit(0 if check(args.check) else 1)
    generate(args.out)


if __name__ == "__main__":
    main()
