#!/usr/bin/python3
"""Generate or check the optimizer, clipping and learning-rate schedule references in tests/golden/optimizers.

  /usr/bin/python3 generate_optimizers.py --out DIR     draw every case with its fixed seed, write DIR/*.safetensors
  /usr/bin/python3 generate_optimizers.py --check [DIR] recompute every file in DIR (default: this script's
                                                        optimizers/ folder) from the inputs and configuration stored
                                                        in it, print the max difference per file, exit 1 unless
                                                        every stored result is reproduced bit for bit

Needs Debian's python3-torch (PyTorch 1.13) and numpy; the C# tests never run this script.

Every file holds F64 tensors (I64 for none), its configuration in `__metadata__` (all strings), and one of:
  optim_*     initial.<p>, then for each step s = 1..steps: lr (steps,), grad.<s>.<p>, param.<s>.<p> (the parameters
              after step s), and state.<buffer>.<p> after the last step. <p> is m0.weight (3, 5), m0.bias (3),
              m1.weight (7): two modules, three tensors. torch.optim.<optimizer>(foreach=False) in float64; the same
              steps in float32 give f32.param.<p> and f32.state.<buffer>.<p> (after the last step, widened exactly).
  clip_*      grad.<p> (before), clipped.<p> (after) and, for the norm, total_norm (1,):
              torch.nn.utils.clip_grad_norm_ or clip_grad_value_ in float64 over the same three tensors.
  schedule_*  lr (steps + 1,): the optimizer's learning rate after the schedule was built (lr[0]) and after each
              of its steps (optimizer.step() then scheduler.step()); metric (steps,) for ReduceLROnPlateau.
Random values are drawn in float32 with torch.randn and widened, so a float32 replay starts from the same values.
"""
import argparse
import math
import os
import sys
import time
import warnings

import torch

sys.dont_write_bytecode = True  # no __pycache__ next to the golden files
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

SHAPES = {"m0.weight": (3, 5), "m0.bias": (3,), "m1.weight": (7,)}
STEPS = 6
SCHEDULE_STEPS = 30

# --------------------------------------------------------------------------------------------------------
# Case definitions. Seeds are part of the definition: changing one changes the stored values.
# --------------------------------------------------------------------------------------------------------


def optim(name, seed, optimizer, lr, lr_gamma=1.0, **options):
    """Optimizer case: `options` are the torch.optim keyword arguments; lr_gamma multiplies lr after every step."""
    meta = dict(kind="optimizer", optimizer=optimizer, lr=lr, lr_gamma=lr_gamma, steps=STEPS)
    meta.update(options)
    return name, seed, meta


OPTIMIZER_CASES = [
    optim("optim_sgd_plain", 31, "SGD", 0.1),
    optim("optim_sgd_momentum", 32, "SGD", 0.05, momentum=0.9),
    optim("optim_sgd_nesterov_weight_decay", 33, "SGD", 0.05, lr_gamma=0.7, momentum=0.8, nesterov=True,
          weight_decay=0.1),
    optim("optim_sgd_dampening", 34, "SGD", 0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    optim("optim_adam_plain", 35, "Adam", 0.01),
    optim("optim_adam_weight_decay", 36, "Adam", 0.02, lr_gamma=0.7, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    optim("optim_adam_amsgrad", 37, "Adam", 0.01, amsgrad=True),
    optim("optim_adamw", 38, "AdamW", 0.01),
    optim("optim_adamw_amsgrad_decay", 39, "AdamW", 0.02, betas=(0.85, 0.995), weight_decay=0.2, amsgrad=True),
    optim("optim_rmsprop_plain", 40, "RMSprop", 0.01),
    optim("optim_rmsprop_momentum", 41, "RMSprop", 0.01, lr_gamma=0.7, momentum=0.9),
    optim("optim_rmsprop_centered", 42, "RMSprop", 0.005, alpha=0.9, centered=True),
    optim("optim_rmsprop_weight_decay", 43, "RMSprop", 0.01, weight_decay=0.1, eps=1e-6),
    optim("optim_rmsprop_centered_momentum", 44, "RMSprop", 0.005, momentum=0.5, centered=True, weight_decay=0.05),
]

# (name, seed, metadata): method norm (norm_type 2, inf, 3) or value; the gradients are scaled by grad_scale.
CLIP_CASES = [
    ("clip_norm2", 51, dict(kind="clip", method="norm", max_norm=1.5, norm_type=2.0, grad_scale=1.0)),
    ("clip_norm2_below_max", 52, dict(kind="clip", method="norm", max_norm=100.0, norm_type=2.0, grad_scale=1.0)),
    ("clip_norm_inf", 53, dict(kind="clip", method="norm", max_norm=0.5, norm_type=math.inf, grad_scale=1.0)),
    ("clip_norm3", 54, dict(kind="clip", method="norm", max_norm=0.8, norm_type=3.0, grad_scale=2.0)),
    ("clip_value", 55, dict(kind="clip", method="value", clip_value=0.7, grad_scale=1.0)),
]

# (name, metadata): schedules of an SGD optimizer with learning rate lr; sequential: `first` until `milestone`,
# then `second`, their options prefixed with "first." and "second.".
SCHEDULE_CASES = [
    ("schedule_step", dict(kind="schedule", schedule="StepLR", lr=0.1, step_size=4, gamma=0.5)),
    ("schedule_cosine", dict(kind="schedule", schedule="CosineAnnealingLR", lr=0.1, T_max=12, eta_min=0.001)),
    ("schedule_linear", dict(kind="schedule", schedule="LinearLR", lr=0.05, start_factor=0.1, end_factor=1.0,
                             total_iters=8)),
    ("schedule_linear_decay", dict(kind="schedule", schedule="LinearLR", lr=0.05, start_factor=1.0,
                                   end_factor=0.25, total_iters=20)),
    ("schedule_plateau_min", dict(kind="schedule", schedule="ReduceLROnPlateau", lr=0.1, mode="min", factor=0.5,
                                  patience=2, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0,
                                  seed=61)),
    ("schedule_plateau_min_abs", dict(kind="schedule", schedule="ReduceLROnPlateau", lr=0.05, mode="min", factor=0.2,
                                      patience=1, threshold=0.01, threshold_mode="abs", cooldown=1, min_lr=0.0,
                                      seed=63)),
    ("schedule_plateau_max_cooldown", dict(kind="schedule", schedule="ReduceLROnPlateau", lr=0.1, mode="max",
                                           factor=0.3, patience=1, threshold=1e-4, threshold_mode="rel", cooldown=2,
                                           min_lr=0.002, seed=62)),
    ("schedule_warmup_cosine", {"kind": "schedule", "schedule": "SequentialLR", "lr": 0.1, "milestone": 5,
                                "first": "LinearLR", "first.start_factor": 0.2, "first.end_factor": 1.0,
                                "first.total_iters": 5, "second": "CosineAnnealingLR", "second.T_max": 20,
                                "second.eta_min": 0.0}),
    ("schedule_warmup_step", {"kind": "schedule", "schedule": "SequentialLR", "lr": 0.02, "milestone": 3,
                              "first": "LinearLR", "first.start_factor": 0.5, "first.end_factor": 1.0,
                              "first.total_iters": 3, "second": "StepLR", "second.step_size": 7,
                              "second.gamma": 0.3}),
]

# --------------------------------------------------------------------------------------------------------
# Computation shared by both modes
# --------------------------------------------------------------------------------------------------------


def parse(value):
    """A metadata string back to its Python value."""
    if value in ("True", "False"):
        return value == "True"
    if value.startswith("("):
        return tuple(float(v) for v in value.strip("()").split(","))
    for convert in (int, float):
        try:
            return convert(value)
        except ValueError:
            pass
    return value


def make_optimizer(meta, params):
    skip = ("kind", "optimizer", "lr", "lr_gamma", "steps", "torch_version", "computed_in")
    options = {k: parse(v) for k, v in meta.items() if k not in skip}
    return getattr(torch.optim, meta["optimizer"])(params, lr=float(meta["lr"]), foreach=False, **options)


def run_optimizer(meta, initial, grads, dtype=torch.float64):
    """initial: name -> tensor; grads: list (one per step) of name -> tensor. Returns the result tensors (in dtype)."""
    params = {k: torch.nn.Parameter(v.to(dtype).clone()) for k, v in initial.items()}
    opt = make_optimizer(meta, list(params.values()))
    lr, gamma, result = float(meta["lr"]), float(meta["lr_gamma"]), {}
    lrs = []
    for s, step_grads in enumerate(grads, start=1):
        for group in opt.param_groups:
            group["lr"] = lr
        lrs.append(lr)
        for k, p in params.items():
            p.grad = step_grads[k].to(dtype).clone()
        opt.step()
        for k, p in params.items():
            result["param.%d.%s" % (s, k)] = p.detach().clone()
        lr *= gamma
    result["lr"] = torch.tensor(lrs, dtype=torch.float64)
    for k, p in params.items():
        for buffer, value in opt.state[p].items():
            if buffer != "step" and value is not None:  # SGD without momentum keeps momentum_buffer None
                result["state.%s.%s" % (buffer, k)] = value.detach().clone()
    return result


def float32_results(meta, initial, grads):
    """The same steps run by PyTorch in float32, after the last step: f32.param.<p> and f32.state.<buffer>.<p>."""
    result = run_optimizer(meta, initial, grads, torch.float32)
    last = "param.%d." % int(meta["steps"])
    return {"f32." + k.replace(last, "param."): v for k, v in result.items() if k.startswith((last, "state."))}


def run_clip(meta, grads):
    params = {k: torch.nn.Parameter(torch.zeros(v.shape, dtype=torch.float64)) for k, v in grads.items()}
    for k, p in params.items():
        p.grad = grads[k].double().clone()
    if meta["method"] == "norm":
        total = torch.nn.utils.clip_grad_norm_(list(params.values()), float(meta["max_norm"]),
                                               float(meta["norm_type"]))
    else:
        torch.nn.utils.clip_grad_value_(list(params.values()), float(meta["clip_value"]))
    result = {"clipped." + k: p.grad.detach().clone() for k, p in params.items()}
    if meta["method"] == "norm":
        result["total_norm"] = total.reshape(1).double()
    return result


def make_schedule(kind, meta, prefix, optimizer):
    opt = lambda key: parse(meta[prefix + key])  # noqa: E731
    if kind == "StepLR":
        return torch.optim.lr_scheduler.StepLR(optimizer, opt("step_size"), opt("gamma"))
    if kind == "CosineAnnealingLR":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, opt("T_max"), opt("eta_min"))
    if kind == "LinearLR":
        return torch.optim.lr_scheduler.LinearLR(optimizer, opt("start_factor"), opt("end_factor"), opt("total_iters"))
    if kind == "ReduceLROnPlateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode=opt("mode"), factor=opt("factor"), patience=opt("patience"), threshold=opt("threshold"),
            cooldown=opt("cooldown"), min_lr=opt("min_lr"), threshold_mode=opt("threshold_mode"))
    raise ValueError("unknown schedule " + kind)


def run_schedule(meta, metric):
    """The learning rate after construction and after each step; metric (steps,) feeds ReduceLROnPlateau."""
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=float(meta["lr"]))
    if meta["schedule"] == "SequentialLR":
        first = make_schedule(meta["first"], meta, "first.", optimizer)
        second = make_schedule(meta["second"], meta, "second.", optimizer)
        schedule = torch.optim.lr_scheduler.SequentialLR(optimizer, [first, second], [int(meta["milestone"])])
    else:
        schedule = make_schedule(meta["schedule"], meta, "", optimizer)
    lrs = [optimizer.param_groups[0]["lr"]]
    for s in range(SCHEDULE_STEPS):
        optimizer.step()  # no gradient: changes nothing, but keeps the scheduler's call-order check quiet
        if metric is None:
            schedule.step()
        else:
            schedule.step(float(metric[s]))
        lrs.append(optimizer.param_groups[0]["lr"])
    return {"lr": torch.tensor(lrs, dtype=torch.float64)}


def plateau_metric(seed):
    """A loss-like sequence that falls, stalls and falls again, drawn in float32."""
    torch.manual_seed(seed)
    trend = torch.tensor([1.0 / (1 + 0.3 * min(s, 8) + 0.2 * max(0, s - 18)) for s in range(SCHEDULE_STEPS)])
    return (trend + 0.002 * torch.randn(SCHEDULE_STEPS)).float()


# --------------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------------




def draw(scale=1.0):
    return {k: (scale * torch.randn(shape)).float().double() for k, shape in SHAPES.items()}


def stamp(meta):
    meta = {k: str(v) for k, v in meta.items()}
    meta.update(torch_version=torch.__version__, computed_in="float64")
    return meta


def generate_all():
    """Yields (file name, tensors, metadata) for every case."""
    for name, seed, meta in OPTIMIZER_CASES:
        meta = stamp(meta)
        torch.manual_seed(seed)
        initial = draw()
        grads = [draw() for _ in range(STEPS)]
        result = run_optimizer(meta, initial, grads)
        tensors = {"initial." + k: v for k, v in initial.items()}
        tensors["lr"] = result.pop("lr")
        for s in range(1, STEPS + 1):
            tensors.update({"grad.%d.%s" % (s, k): v for k, v in grads[s - 1].items()})
            tensors.update({"param.%d.%s" % (s, k): result.pop("param.%d.%s" % (s, k)) for k in SHAPES})
        tensors.update(result)
        tensors.update(float32_results(meta, initial, grads))
        yield name, tensors, meta
    for name, seed, meta in CLIP_CASES:
        meta = stamp(meta)
        torch.manual_seed(seed)
        grads = draw(float(meta["grad_scale"]))
        yield name, {**{"grad." + k: v for k, v in grads.items()}, **run_clip(meta, grads)}, meta
    for name, meta in SCHEDULE_CASES:
        seed = meta.pop("seed", None)
        meta = stamp(meta)
        metric = plateau_metric(seed) if seed is not None else None
        tensors = {} if metric is None else {"metric": metric.double()}
        yield name, {**tensors, **run_schedule(meta, metric)}, meta


def recompute(meta, t):
    """The results of one stored file, from its stored inputs only."""
    if meta["kind"] == "optimizer":
        initial = {k[len("initial."):]: v for k, v in t.items() if k.startswith("initial.")}
        grads = [{k: t["grad.%d.%s" % (s, k)] for k in initial} for s in range(1, int(meta["steps"]) + 1)]
        return {**run_optimizer(meta, initial, grads), **float32_results(meta, initial, grads)}
    if meta["kind"] == "clip":
        return run_clip(meta, {k[len("grad."):]: v for k, v in t.items() if k.startswith("grad.")})
    return run_schedule(meta, t.get("metric"))


def do_generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, tensors, meta in generate_all():
        path = os.path.join(out_dir, name + ".safetensors")
        write_safetensors(path, tensors, meta, float_dtype="F64")
        print("wrote", path)
    return 0


def do_check(directory):
    files = sorted(f for f in os.listdir(directory) if f.endswith(".safetensors"))
    if not files:
        print("no .safetensors files in", directory)
        return 1
    all_ok, n_tensors = True, 0
    for f in files:
        meta, t = read_safetensors(os.path.join(directory, f))
        got = recompute(meta, t)
        worst, ok = 0.0, True
        for k, v in got.items():
            n_tensors += 1
            if k not in t or tuple(t[k].shape) != tuple(v.shape):
                ok = False
                continue
            same = torch.equal(t[k], v)
            diff = (t[k] - v).abs()
            worst = max(worst, diff.max().item() if diff.numel() else 0.0)
            ok &= bool(same)
        all_ok &= ok
        print("%-4s %-40s %2d results  max|diff| %.1e" % ("ok" if ok else "FAIL", f, len(got), worst))
    print("SUMMARY: %d files, %d result tensors, %s" % (
        len(files), n_tensors, "all bit-identical" if all_ok else "FAILURES"))
    return 0 if all_ok else 1


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="DIR", help="generate every case into DIR")
    mode.add_argument("--check", metavar="DIR", nargs="?", const=here,
                      help="recompute the files in DIR (default: %(const)s) and compare")
    args = ap.parse_args()
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # lr_scheduler warns about its deprecated epoch argument inside SequentialLR
    start = time.time()
    rc = do_generate(args.out) if args.out else do_check(args.check)
    print("time: %.1f s" % (time.time() - start))
    return rc


if __name__ == "__main__":
    sys.exit(main())
