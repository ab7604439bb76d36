#!/usr/bin/python3
"""Generate or check the PyTorch reference vectors in tests/golden (see README.md for the format).

  /usr/bin/python3 generate.py --out DIR     draw every case with its fixed seed and write DIR/*.safetensors
                                             and DIR/training/*.safetensors
  /usr/bin/python3 generate.py --check [DIR] recompute every file in DIR (default: this script's folder) from
                                             the parameters/inputs/upstream gradients stored in it, report the
                                             max difference per tensor (-q: per file), exit 1 if any exceeds
                                             the README tolerances

Needs Debian's python3-torch (PyTorch 1.13) and numpy; the C# tests never run this script.

Recipe (the one the stored files were made with): torch.manual_seed(seed); build the module(s) in float32
with PyTorch's default init; then draw, in float32, input, h0, c0, grad_output, grad_h_n, grad_c_n
(torch.randn; training cases: x and y). Everything is then computed in float64 and stored as F32.
Both modes share the same compute functions (run_layer, run_training), so --check proves that this script
computes exactly what the stored files hold.
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.dont_write_bytecode = True  # no __pycache__ next to the golden files
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

# README tolerances. Layer cases: absolute, or relative to |reference| where that is above 1.
TOL_FORWARD, TOL_GRAD = 1e-5, 1e-4
TOL_LOSS_REL, TOL_WEIGHT = 1e-4, 1e-4

# --------------------------------------------------------------------------------------------------------
# Case definitions. Seeds are part of the definition: changing one changes the stored values.
# --------------------------------------------------------------------------------------------------------


def layer(name, seed, module, input_size, hidden_size, seq_len=0, batch=2, num_layers=1, bias=True,
          batch_first=False, bidirectional=False, proj_size=0, nonlinearity="", lengths=None):
    """Layer case. Returns (name, seed, metadata, lengths); metadata keys/order match the stored files."""
    s = lambda b: "true" if b else "false"  # noqa: E731
    if module.endswith("Cell"):
        meta = dict(module=module, input_size=input_size, hidden_size=hidden_size, bias=s(bias), batch=batch,
                    nonlinearity=nonlinearity)
    else:
        meta = dict(module=module, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                    bias=s(bias), batch_first=s(batch_first), bidirectional=s(bidirectional),
                    proj_size=proj_size, nonlinearity=nonlinearity, seq_len=seq_len, batch=batch,
                    packed=s(lengths is not None))
    meta.update(torch_version=torch.__version__, computed_in="float64")
    return name, seed, {k: str(v) for k, v in meta.items()}, lengths


LAYER_CASES = [
    layer("lstm_basic", 1, "LSTM", 3, 5, seq_len=7),
    layer("lstm_stacked3", 2, "LSTM", 4, 6, seq_len=5, batch=3, num_layers=3),
    layer("lstm_bidirectional", 3, "LSTM", 3, 4, seq_len=6, num_layers=2, bidirectional=True),
    layer("lstm_radar_batch_first", 4, "LSTM", 2, 64, seq_len=10, batch=4, num_layers=2, batch_first=True),
    layer("lstm_no_bias", 5, "LSTM", 3, 5, seq_len=4, num_layers=2, bias=False),
    layer("lstm_proj_bidirectional", 6, "LSTM", 3, 6, seq_len=5, num_layers=2, bidirectional=True, proj_size=3),
    # packed: lengths deliberately not sorted, one sequence has the full length T
    layer("lstm_packed_bidirectional", 7, "LSTM", 3, 5, seq_len=7, batch=4, num_layers=2, bidirectional=True,
          lengths=[7, 3, 5, 1]),
    layer("lstm_long_200", 8, "LSTM", 2, 8, seq_len=200),
    layer("gru_basic", 9, "GRU", 3, 5, seq_len=7),
    layer("gru_stacked_bidirectional", 10, "GRU", 4, 5, seq_len=6, batch=3, num_layers=2, bidirectional=True),
    layer("gru_packed_batch_first", 11, "GRU", 3, 4, seq_len=6, batch=3, batch_first=True, lengths=[2, 6, 4]),
    layer("rnn_tanh", 12, "RNN", 3, 5, seq_len=7, nonlinearity="tanh"),
    layer("rnn_relu_stacked", 13, "RNN", 3, 5, seq_len=6, num_layers=2, nonlinearity="relu"),
    layer("lstmcell", 14, "LSTMCell", 3, 5),
    layer("grucell", 15, "GRUCell", 3, 5),
    layer("rnncell_tanh", 16, "RNNCell", 3, 5, nonlinearity="tanh"),
]


def training(name, seed, batch, seq_len, cell, input_size, hidden_size, num_layers, bidirectional, vocab_size,
             pool, head_out, loss, optimizer, lr, momentum=0.0, nesterov=False, weight_decay=0.0,
             clip_grad_norm=0.0, steps=10):
    """Training case. batch/seq_len only set the shape of x (they are not metadata: x carries them)."""
    meta = dict(cell=cell, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                bidirectional=str(bidirectional).lower(), batch_first="true", vocab_size=vocab_size, pool=pool,
                head_out=head_out, loss=loss, loss_reduction="mean", optimizer=optimizer, lr=float(lr),
                momentum=float(momentum), nesterov=str(nesterov).lower(), weight_decay=float(weight_decay),
                clip_grad_norm=float(clip_grad_norm), steps=steps,
                optimizer_defaults="torch 1.13: Adam/AdamW betas=(0.9,0.999) eps=1e-8; RMSprop alpha=0.99 eps=1e-8",
                torch_version=torch.__version__, computed_in="float64")
    return name, seed, {k: str(v) for k, v in meta.items()}, (batch, seq_len)


TRAINING_CASES = [
    training("train_lstm_mse_adam_clip", 21, 4, 6, "LSTM", 3, 8, 2, False, 0, "last", 1, "mse", "adam", 0.01,
             clip_grad_norm=0.5),
    training("train_gru_bidir_ce_sgd_momentum", 22, 5, 7, "GRU", 4, 6, 1, True, 10, "mean", 3, "cross_entropy",
             "sgd", 0.1, momentum=0.9),
    training("train_lstm_tagger_adamw", 23, 3, 5, "LSTM", 5, 7, 1, True, 12, "none", 4, "cross_entropy",
             "adamw", 0.02, weight_decay=0.1),
]

# --------------------------------------------------------------------------------------------------------
# Layer cases: build from metadata, compute forward + backward in float64
# --------------------------------------------------------------------------------------------------------


def flag(meta, key):
    return meta.get(key, "false") == "true"


def build_layer(meta):
    """The torch.nn module described by a layer file's metadata (float32, PyTorch default init)."""
    kind, i, h = meta["module"], int(meta["input_size"]), int(meta["hidden_size"])
    kw = dict(bias=flag(meta, "bias"))
    if kind in ("RNN", "RNNCell"):
        kw["nonlinearity"] = meta["nonlinearity"]
    if not kind.endswith("Cell"):
        kw.update(num_layers=int(meta["num_layers"]), batch_first=flag(meta, "batch_first"),
                  bidirectional=flag(meta, "bidirectional"))
        if kind == "LSTM":
            kw["proj_size"] = int(meta["proj_size"])
    return getattr(torch.nn, kind)(i, h, **kw)


def layer_shapes(meta):
    """Shapes of input, h (h0/h_n), c (c0/c_n) and output for a layer case."""
    i, h, b = int(meta["input_size"]), int(meta["hidden_size"]), int(meta["batch"])
    if meta["module"].endswith("Cell"):
        return dict(input=(b, i), h=(b, h), c=(b, h), output=(b, h))
    t, nl = int(meta["seq_len"]), int(meta["num_layers"])
    d = 2 if flag(meta, "bidirectional") else 1
    h_out = int(meta["proj_size"]) or h
    seq = (b, t) if flag(meta, "batch_first") else (t, b)
    return dict(input=seq + (i,), h=(nl * d, b, h_out), c=(nl * d, b, h), output=seq + (d * h_out,))


def run_layer(meta, params, data):
    """Forward and backward of one layer case in float64.

    params: name -> tensor (PyTorch names); data: input, h0, [c0], [lengths], and the upstream gradients
    grad_output/grad_h_n/grad_c_n (cells: grad_h1/grad_c1). Returns name -> float64 tensor for the outputs
    (output, h_n, c_n or h1, c1) followed by grad.input, grad.h0, grad.c0 and grad.<param>.
    """
    module = build_layer(meta).double()
    # The module's own random init is discarded: every parameter is replaced by the given values.
    module.load_state_dict({k: v.double() for k, v in params.items()}, strict=True)
    is_lstm = meta["module"].startswith("LSTM")
    x = data["input"].double().requires_grad_()
    h0 = data["h0"].double().requires_grad_()
    c0 = data["c0"].double().requires_grad_() if is_lstm else None
    state = (h0, c0) if is_lstm else h0

    if meta["module"].endswith("Cell"):
        res = module(x, state)
        outs = dict(h1=res[0], c1=res[1]) if is_lstm else dict(h1=res)
        upstream = lambda k: data["grad_" + k]  # noqa: E731  (grad_h1, grad_c1)
    else:
        batch_first = flag(meta, "batch_first")
        if flag(meta, "packed"):
            packed = pack_padded_sequence(x, data["lengths"], batch_first=batch_first, enforce_sorted=False)
            out, final = module(packed, state)
            out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=int(meta["seq_len"]))
        else:
            out, final = module(x, state)
        outs = dict(output=out, h_n=final[0], c_n=final[1]) if is_lstm else dict(output=out, h_n=final)
        upstream = lambda k: data["grad_" + k]  # noqa: E731  (grad_output, grad_h_n, grad_c_n)

    # L = sum(output*grad_output) + sum(h_n*grad_h_n) + sum(c_n*grad_c_n)   (cells: h1, c1)
    loss = sum((v * upstream(k).double()).sum() for k, v in outs.items())
    loss.backward()

    result = {k: v.detach() for k, v in outs.items()}
    result["grad.input"], result["grad.h0"] = x.grad, h0.grad
    if is_lstm:
        result["grad.c0"] = c0.grad
    for name, p in module.named_parameters():
        result["grad." + name] = p.grad
    return result


def generate_layer(name, seed, meta, lengths):
    """Draw one layer case with its seed; return the tensors in file order."""
    torch.manual_seed(seed)
    module = build_layer(meta)  # float32, default init: these exact values are stored
    params = {k: p.detach().clone() for k, p in module.named_parameters()}
    shp, is_lstm = layer_shapes(meta), meta["module"].startswith("LSTM")
    cell = meta["module"].endswith("Cell")
    out_names = ["h1", "c1"] if cell else ["output", "h_n", "c_n"]
    if not is_lstm:
        out_names = out_names[:-1]
    # Draw order: input, h0, c0, then upstream gradients (all float32 randn).
    data = {"input": torch.randn(shp["input"]), "h0": torch.randn(shp["h"])}
    if is_lstm:
        data["c0"] = torch.randn(shp["c"])
    if lengths is not None:
        data["lengths"] = torch.tensor(lengths, dtype=torch.int64)
    upstream_shape = {"output": shp["output"], "h_n": shp["h"], "c_n": shp["c"], "h1": shp["h"], "c1": shp["c"]}
    grads = {"grad_" + k: torch.randn(upstream_shape[k]) for k in out_names}

    result = run_layer(meta, params, {**data, **grads})
    outputs = {k: result[k] for k in out_names}
    computed_grads = {k: v for k, v in result.items() if k.startswith("grad.")}
    return {**params, **data, **outputs, **grads, **computed_grads}


# --------------------------------------------------------------------------------------------------------
# Training cases: [embedding] -> rnn -> pooling -> linear head, a few optimizer steps on one batch
# --------------------------------------------------------------------------------------------------------


class Model(torch.nn.Module):
    def __init__(self, meta):
        super().__init__()
        vocab, i, h = int(meta["vocab_size"]), int(meta["input_size"]), int(meta["hidden_size"])
        bidir = flag(meta, "bidirectional")
        # Creation order = parameter order = draw order: embedding, rnn, head.
        self.embedding = torch.nn.Embedding(vocab, i) if vocab > 0 else None
        self.rnn = getattr(torch.nn, meta["cell"])(i, h, num_layers=int(meta["num_layers"]),
                                                   batch_first=True, bidirectional=bidir)
        self.head = torch.nn.Linear(h * (2 if bidir else 1), int(meta["head_out"]))
        self.pool = meta["pool"]

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)
        out, _ = self.rnn(x)  # (B, T, D*H), zero initial state
        if self.pool == "last":
            out = out[:, -1]
        elif self.pool == "mean":
            out = out.mean(dim=1)
        elif self.pool == "max":
            out = out.max(dim=1).values
        elif self.pool != "none":
            raise ValueError("unknown pool " + self.pool)
        return self.head(out)  # (B, C), or (B, T, C) for pool=none


def make_optimizer(meta, params):
    lr, mom, wd = float(meta["lr"]), float(meta["momentum"]), float(meta["weight_decay"])
    kind = meta["optimizer"]
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=mom, nesterov=flag(meta, "nesterov"), weight_decay=wd)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
    if kind == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=0.99, eps=1e-8, momentum=mom, weight_decay=wd)
    raise ValueError("unknown optimizer " + kind)


def run_training(meta, initial, x, y):
    """Train in float64 from the given initial weights (names with prefixes embedding./rnn./head.).

    Returns {"loss_trajectory": (steps,), "final.<name>": ...} as float64 tensors.
    """
    model = Model(meta).double()
    model.load_state_dict({k: v.double() for k, v in initial.items()}, strict=True)  # replaces the init
    opt = make_optimizer(meta, model.parameters())
    x = x if x.dtype == torch.int64 else x.double()
    y = y if y.dtype == torch.int64 else y.double()
    clip, losses = float(meta["clip_grad_norm"]), []
    for _ in range(int(meta["steps"])):
        opt.zero_grad()
        pred = model(x)
        if meta["loss"] == "cross_entropy":  # pool=none: every step is a sample
            loss = F.cross_entropy(pred.reshape(-1, pred.shape[-1]), y.reshape(-1), reduction="mean")
        elif meta["loss"] == "mse":
            loss = F.mse_loss(pred, y, reduction="mean")
        else:
            raise ValueError("unknown loss " + meta["loss"])
        losses.append(loss.item())  # recorded before the step
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
    result = {"loss_trajectory": torch.tensor(losses, dtype=torch.float64)}
    for name, p in model.named_parameters():
        result["final." + name] = p.detach().clone()
    return result


def generate_training(name, seed, meta, shape):
    batch, seq_len = shape
    torch.manual_seed(seed)
    model = Model(meta)  # float32, default init
    initial = {k: p.detach().clone() for k, p in model.named_parameters()}
    vocab, classes = int(meta["vocab_size"]), int(meta["head_out"])
    # x: token ids or float32 features; y: class ids (per step when pool=none) or float32 regression targets
    x = torch.randint(0, vocab, (batch, seq_len)) if vocab > 0 else \
        torch.randn(batch, seq_len, int(meta["input_size"]))
    if meta["loss"] == "cross_entropy":
        y = torch.randint(0, classes, (batch, seq_len) if meta["pool"] == "none" else (batch,))
    else:
        y = torch.randn(batch, classes)
    return {**initial, "x": x, "y": y, **run_training(meta, initial, x, y)}


# --------------------------------------------------------------------------------------------------------
# Modes
# --------------------------------------------------------------------------------------------------------


def do_generate(out_dir):
    os.makedirs(os.path.join(out_dir, "training"), exist_ok=True)
    for name, seed, meta, lengths in LAYER_CASES:
        path = os.path.join(out_dir, name + ".safetensors")
        write_safetensors(path, generate_layer(name, seed, meta, lengths), meta)
        print("wrote", path)
    for name, seed, meta, shape in TRAINING_CASES:
        path = os.path.join(out_dir, "training", name + ".safetensors")
        write_safetensors(path, generate_training(name, seed, meta, shape), meta)
        print("wrote", path)
    return 0


def compare(ref, got, tol, relative=False):
    """(max abs diff, max error used for the tolerance, ok, bit-identical after rounding to float32)."""
    if tuple(ref.shape) != tuple(got.shape):
        return float("inf"), float("inf"), False, False
    ref64, diff = ref.double(), (got.double() - ref.double()).abs()
    scale = ref64.abs() if relative else ref64.abs().clamp(min=1.0)  # README: relative where |ref| > 1
    err = (diff / scale).max().item() if diff.numel() else 0.0
    max_abs = diff.max().item() if diff.numel() else 0.0
    return max_abs, err, err <= tol, torch.equal(got.to(ref.dtype), ref)


def check_file(path):
    """Recompute one stored file; returns (ok, [(tensor name, group, max abs diff, ok, identical)])."""
    meta, t = read_safetensors(path)
    rows = []
    if "module" in meta:  # layer case
        inputs = {"input", "h0", "c0", "lengths"}
        params = {k: v for k, v in t.items()
                  if k not in inputs and not k.startswith("grad") and k not in ("output", "h_n", "c_n", "h1", "c1")}
        data = {k: v for k, v in t.items() if k in inputs or k.startswith("grad_")}
        got = run_layer(meta, params, data)
        for k, v in got.items():
            group, tol = ("grad", TOL_GRAD) if k.startswith("grad.") else ("forward", TOL_FORWARD)
            rows.append((k, group) + compare(t[k], v, tol) if k in t else (k, group, float("inf"), 0, False, False))
        expected = set(params) | set(data) | set(got)
    else:  # training case
        initial = {k: v for k, v in t.items() if k.split(".")[0] in ("embedding", "rnn", "head")}
        got = run_training(meta, initial, t["x"], t["y"])
        for k, v in got.items():
            group, tol, rel = ("loss", TOL_LOSS_REL, True) if k == "loss_trajectory" else ("weights", TOL_WEIGHT, False)
            rows.append((k, group) + compare(t[k], v, tol, rel) if k in t else (k, group, float("inf"), 0, False, False))
        expected = set(initial) | {"x", "y"} | set(got)
    unexpected = sorted(set(t) - expected)  # stored tensors this script would not produce
    for k in unexpected:
        rows.append((k, "unexpected", float("inf"), 0, False, False))
    return all(r[4] for r in rows), rows


def do_check(directory, verbose):
    files = sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".safetensors"))
    tdir = os.path.join(directory, "training")
    if os.path.isdir(tdir):
        files += sorted(os.path.join(tdir, f) for f in os.listdir(tdir) if f.endswith(".safetensors"))
    if not files:
        print("no .safetensors files in", directory)
        return 1
    all_ok, worst, n_tensors, n_identical = True, {}, 0, 0
    for path in files:
        ok, rows = check_file(path)
        all_ok &= ok
        groups = {}
        for name, group, max_abs, _err, _ok, same in rows:
            groups[group] = max(groups.get(group, 0.0), max_abs)
            worst[group] = max(worst.get(group, 0.0), max_abs)
            n_tensors, n_identical = n_tensors + 1, n_identical + same
        summary = "  ".join("%s %.2e" % g for g in groups.items())
        print("%-4s %-58s %s" % ("ok" if ok else "FAIL", os.path.relpath(path, directory), summary))
        for name, group, max_abs, err, tensor_ok, same in rows:
            if verbose or not tensor_ok:
                print("       %-34s %-8s max|diff| %.3e  err %.3e%s%s" % (
                    name, group, max_abs, err, "  (bit-identical in F32)" if same else "",
                    "" if tensor_ok else "  <-- exceeds tolerance"))
    print("SUMMARY: %d files, %s; max|diff| %s; %d/%d tensors bit-identical after rounding to float32" % (
        len(files), "all within tolerance" if all_ok else "FAILURES",
        ", ".join("%s %.2e" % g for g in worst.items()), n_identical, n_tensors))
    return 0 if all_ok else 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="DIR", help="generate every case into DIR (and DIR/training)")
    mode.add_argument("--check", metavar="DIR", nargs="?", const=here,
                      help="recompute the files in DIR (default: %(const)s) and compare")
    ap.add_argument("-q", "--quiet", action="store_true", help="--check: one line per file, not per tensor")
    args = ap.parse_args()
    torch.set_num_threads(1)  # deterministic reduction order
    start = time.time()
    rc = do_generate(args.out) if args.out else do_check(args.check, not args.quiet)
    print("time: %.1f s" % (time.time() - start))
    return rc


if __name__ == "__main__":
    sys.exit(main())
