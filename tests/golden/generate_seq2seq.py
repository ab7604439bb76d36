#!/usr/bin/python3
"""Generate or check the PyTorch reference vectors for the sequence-to-sequence model in tests/golden/seq2seq.

  /usr/bin/python3 generate_seq2seq.py [--out DIR]   draw every case with its fixed seed and write DIR/*.safetensors
                                                     (default: seq2seq/ beside this script)
  /usr/bin/python3 generate_seq2seq.py --check [DIR] recompute every file in DIR (default: seq2seq/ beside this
                                                     script) from the parameters, token ids and configuration
                                                     stored in it, print the largest difference per file (-v: per
                                                     tensor), exit 1 if any is above 1e-13

Needs Debian's python3-torch (PyTorch 1.13) and numpy; the C# tests never run this script.

The model is `Seq2Seq` below, written to docs/SEQ2SEQ.md (encoder packed with pack_padded_sequence,
linear bridge, decoder run one step at a time with optional input feeding, Luong dot/general or Bahdanau additive
attention, generator, cross-entropy with ignore_index=0 and label smoothing). bench/reference/seq2seq_twin.py
trains the same architecture.

Recipe: torch.manual_seed(seed); build Seq2Seq in float32 with PyTorch's default init; then redraw every parameter
element uniformly in [-0.5, 0.5) in float32, in state_dict order (so every gate is exercised; the padding row 0
of both embeddings stays zero, as nn.Embedding(padding_idx=0) keeps it); then draw the source and target token
ids. Everything is computed in float64 with autograd and stored as F64 (token ids and lengths as I64), so a
float32 and a float64 replay start from exactly the same values. Dropout is 0.

File layout (all metadata values are strings; see README.md):
  __metadata__        encoder_cell, decoder_cell (lstm, gru, rnn), source_vocab_size, target_vocab_size,
                      source_embedding_size, target_embedding_size, encoder_hidden, encoder_layers, bidirectional,
                      decoder_hidden, decoder_layers, attention (none, dot, general, additive), input_feeding,
                      bridge (none, linear), tied, label_smoothing, batch, source_steps, target_steps,
                      torch_version, computed_in
  <parameter>         every parameter under its spec (state_dict) name, in state_dict order
  source              (B, S) I64, 0 beyond each length
  source_lengths      (B) I64, distinct, not sorted, at least one equal to S
  decoder_input       (B, T) I64: <bos>=2, then targets[:, :-1]
  targets             (B, T) I64: tokens, <eos>=3, then <pad>=0
  memory              (B, S, Ds) the encoder output (zero at padded positions), to locate a disagreement
  logits              (B, T, Vt)
  attention           (B, T, S) the attention weights α (zero beyond each source length); absent for none
  loss                (1)
  grad.<parameter>    d loss / d parameter, by autograd
"""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.dont_write_bytecode = True  # no __pycache__ next to the golden files
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

CHECK_TOLERANCE = 1e-13  # a recomputation must reproduce the stored float64 values (relative above 1)
PAD, UNK, BOS, EOS = 0, 1, 2, 3
# The attention score parameters are drawn wider: within ±0.5 the weights α stay within 1% of uniform and the
# gradients of these parameters are ~1e-6, too small for a float32 test to notice an error in them.
SCORE_PARAMETERS = ("attention.query.weight", "attention.key.weight", "attention.key.bias", "attention.score.weight")
SCORE_BOUND = 2.5
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}  # nn.RNN's default nonlinearity is tanh

# --------------------------------------------------------------------------------------------------------
# The model (the PyTorch twin of Carnet's Seq2Seq)
# --------------------------------------------------------------------------------------------------------


class Config:
    """The architecture, read from (and written to) a file's metadata."""

    def __init__(self, meta):
        self.encoder_cell, self.decoder_cell = meta["encoder_cell"], meta["decoder_cell"]
        self.source_vocab, self.target_vocab = int(meta["source_vocab_size"]), int(meta["target_vocab_size"])
        self.source_embedding, self.target_embedding = int(meta["source_embedding_size"]), \
            int(meta["target_embedding_size"])
        self.encoder_hidden, self.encoder_layers = int(meta["encoder_hidden"]), int(meta["encoder_layers"])
        self.bidirectional = meta["bidirectional"] == "true"
        self.decoder_hidden, self.decoder_layers = int(meta["decoder_hidden"]), int(meta["decoder_layers"])
        self.attention, self.input_feeding = meta["attention"], meta["input_feeding"] == "true"
        self.bridge, self.tied = meta["bridge"], meta["tied"] == "true"
        self.label_smoothing = float(meta["label_smoothing"])
        self.directions = 2 if self.bidirectional else 1
        self.memory_size = self.directions * self.encoder_hidden  # Ds


class Attention(nn.Module):
    """Score the top decoder output h_t (B, Hd) against the memory M (B, S, Ds); h̃_t = tanh(W_c [c_t ; h_t])."""

    def __init__(self, kind, memory_size, hidden):
        super().__init__()
        self.kind = kind
        if kind == "dot" and memory_size != hidden:
            raise ValueError("dot attention needs Ds == Hd")
        if kind == "general":
            self.query = nn.Linear(hidden, memory_size, bias=False)  # (Ds, Hd)
        elif kind == "additive":
            self.query = nn.Linear(hidden, hidden, bias=False)  # (Hd, Hd)
            self.key = nn.Linear(memory_size, hidden)  # (Hd, Ds), bias (Hd)
            self.score = nn.Linear(hidden, 1, bias=False)  # (1, Hd)
        elif kind != "dot":
            raise ValueError("unknown attention " + kind)
        self.output = nn.Linear(memory_size + hidden, hidden, bias=False)  # (Hd, Ds + Hd)

    def keys(self, memory):
        """What the scores need from the memory, computed once per sequence: W_k M + b_k for additive."""
        return self.key(memory) if self.kind == "additive" else memory

    def forward(self, h, memory, keys, mask):
        """h (B, Hd), memory (B, S, Ds), mask (B, S) true where s < length → (h̃ (B, Hd), α (B, S))."""
        if self.kind == "dot":
            scores = torch.bmm(memory, h.unsqueeze(2)).squeeze(2)  # (B, S)
        elif self.kind == "general":
            scores = torch.bmm(memory, self.query(h).unsqueeze(2)).squeeze(2)
        else:
            scores = self.score(torch.tanh(self.query(h).unsqueeze(1) + keys)).squeeze(2)
        alpha = torch.softmax(scores.masked_fill(~mask, -math.inf), dim=1)  # (B, S), 0 beyond the length
        context = torch.bmm(alpha.unsqueeze(1), memory).squeeze(1)  # (B, Ds)
        return torch.tanh(self.output(torch.cat([context, h], dim=1))), alpha


class Seq2Seq(nn.Module):
    """Embedding → packed (bi)RNN encoder → bridge → step-by-step RNN decoder with attention → generator.

    Submodules are created in the spec's state_dict order: source_embedding, encoder, bridge_hidden, bridge_cell,
    target_embedding, decoder, attention (query, key, score, output), generator.
    """

    def __init__(self, config, dropout=0.0):
        super().__init__()
        c = self.config = config
        if c.attention == "none" and c.input_feeding:
            raise ValueError("input feeding needs attention")
        if c.tied and c.target_embedding != c.decoder_hidden:
            raise ValueError("tied weights need Et == Hd")
        self.dropout = dropout
        self.source_embedding = nn.Embedding(c.source_vocab, c.source_embedding, padding_idx=PAD)
        self.encoder = CELLS[c.encoder_cell](c.source_embedding, c.encoder_hidden, num_layers=c.encoder_layers,
                                             batch_first=True, bidirectional=c.bidirectional,
                                             dropout=dropout if c.encoder_layers > 1 else 0.0)
        self.carries_cell = c.encoder_cell == "lstm" and c.decoder_cell == "lstm"
        if c.bridge == "linear":
            self.bridge_hidden = nn.Linear(c.memory_size, c.decoder_hidden)
            if self.carries_cell:
                self.bridge_cell = nn.Linear(c.memory_size, c.decoder_hidden)
        elif c.bridge != "none":
            raise ValueError("unknown bridge " + c.bridge)
        self.target_embedding = nn.Embedding(c.target_vocab, c.target_embedding, padding_idx=PAD)
        feed = c.decoder_hidden if c.input_feeding else 0
        self.decoder = CELLS[c.decoder_cell](c.target_embedding + feed, c.decoder_hidden, num_layers=c.decoder_layers,
                                             batch_first=True, dropout=dropout if c.decoder_layers > 1 else 0.0)
        if c.attention != "none":
            self.attention = Attention(c.attention, c.memory_size, c.decoder_hidden)
        self.generator = nn.Linear(c.decoder_hidden, c.target_vocab)
        if c.tied:
            self.generator.register_parameter("weight", None)  # target_embedding.weight is used instead

    def encode(self, source, lengths):
        """source (B, S), lengths (B) → memory (B, S, Ds) zero at padded positions, initial decoder state."""
        c = self.config
        embedded = F.dropout(self.source_embedding(source), self.dropout, self.training)
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        output, final = self.encoder(packed)
        memory, _ = pad_packed_sequence(output, batch_first=True, total_length=source.shape[1])
        return memory, self.initial_state(final, source.shape[0], memory)

    def initial_state(self, final, batch, like):
        """The decoder's (Ld, B, Hd) initial state(s) from the encoder's h_n (and c_n), through the bridge."""
        c = self.config
        zeros = like.new_zeros(c.decoder_layers, batch, c.decoder_hidden)
        h_n, c_n = final if c.encoder_cell == "lstm" else (final, None)
        if c.bridge == "none":
            hidden, cell = zeros, zeros
        else:
            def layer_input(states, layer):  # (B, Ds): the encoder layer's directions, forward first
                e = min(layer, c.encoder_layers - 1)
                return torch.cat([states[e * c.directions + d] for d in range(c.directions)], dim=1)
            layers = range(c.decoder_layers)
            hidden = torch.stack([torch.tanh(self.bridge_hidden(layer_input(h_n, l))) for l in layers])
            cell = torch.stack([self.bridge_cell(layer_input(c_n, l)) for l in layers]) if self.carries_cell \
                else zeros  # c0 = 0 when the encoder has no cell state
        return (hidden, cell) if c.decoder_cell == "lstm" else hidden

    def generate(self, h_tilde):
        weight = self.target_embedding.weight if self.config.tied else self.generator.weight
        return F.linear(h_tilde, weight, self.generator.bias)

    def step(self, token, state, feed, memory, keys, mask):
        """One decoder step: token (B), feed = h̃_{t−1} (B, Hd) → (logits (B, Vt), α (B, S) or None, state, h̃_t)."""
        x = self.target_embedding(token)  # (B, Et)
        if self.config.input_feeding:
            x = torch.cat([x, feed], dim=1)
        output, state = self.decoder(x.unsqueeze(1), state)
        h = output[:, 0]  # (B, Hd), the top layer
        alpha = None
        if self.config.attention != "none":
            h, alpha = self.attention(h, memory, keys, mask)
        h = F.dropout(h, self.dropout, self.training)  # the input-fed h̃ is the one after dropout
        return self.generate(h), alpha, state, h

    def forward(self, source, lengths, decoder_input):
        """Teacher-forced: → memory (B, S, Ds), logits (B, T, Vt), attention (B, T, S) or None."""
        memory, state = self.encode(source, lengths)
        keys = self.attention.keys(memory) if self.config.attention != "none" else None
        mask = torch.arange(source.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)  # (B, S)
        feed = memory.new_zeros(source.shape[0], self.config.decoder_hidden)  # h̃_{−1} = 0
        logits, alphas = [], []
        for t in range(decoder_input.shape[1]):
            step_logits, alpha, state, feed = self.step(decoder_input[:, t], state, feed, memory, keys, mask)
            logits.append(step_logits)
            alphas.append(alpha)
        attention = torch.stack(alphas, dim=1) if self.config.attention != "none" else None
        return memory, torch.stack(logits, dim=1), attention


def sequence_loss(logits, targets, label_smoothing):
    """The spec's loss: mean cross-entropy over the non-pad target tokens, with label smoothing."""
    vt = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, vt), targets.reshape(-1), ignore_index=PAD,
                           label_smoothing=label_smoothing, reduction="mean")


# --------------------------------------------------------------------------------------------------------
# Case definitions. Seeds are part of the definition: changing one changes the stored values.
# --------------------------------------------------------------------------------------------------------


def case(name, seed, encoder, decoder, attention, source_lengths, target_lengths, source_steps=5, target_steps=4,
         source_vocab=11, target_vocab=13, source_embedding=6, target_embedding=5, encoder_hidden=5,
         encoder_layers=1, bidirectional=False, decoder_hidden=7, decoder_layers=1, input_feeding=False,
         bridge="linear", tied=False, label_smoothing=0.0):
    """A case: its metadata (the model and the batch shape) and the source/target lengths of its batch."""
    s = lambda b: "true" if b else "false"  # noqa: E731
    meta = dict(encoder_cell=encoder, decoder_cell=decoder, source_vocab_size=source_vocab,
                target_vocab_size=target_vocab, source_embedding_size=source_embedding,
                target_embedding_size=target_embedding, encoder_hidden=encoder_hidden, encoder_layers=encoder_layers,
                bidirectional=s(bidirectional), decoder_hidden=decoder_hidden, decoder_layers=decoder_layers,
                attention=attention, input_feeding=s(input_feeding), bridge=bridge, tied=s(tied),
                label_smoothing=repr(float(label_smoothing)), batch=len(source_lengths), source_steps=source_steps,
                target_steps=target_steps, torch_version=torch.__version__, computed_in="float64")
    assert len(target_lengths) == len(source_lengths)
    assert max(source_lengths) == source_steps and len(set(source_lengths)) == len(source_lengths)
    assert max(target_lengths) == target_steps and min(target_lengths) < target_steps
    return dict(name=name, seed=seed, meta={k: str(v) for k, v in meta.items()},
                source_lengths=source_lengths, target_lengths=target_lengths)


# source_lengths: distinct, unsorted, one equal to S; target_lengths count the tokens up to and including <eos>.
CASES = [
    case("lstm_lstm_general_feed_bi2_dec2", 401, "lstm", "lstm", "general", [3, 5, 2], [4, 2, 3],
         encoder_layers=2, bidirectional=True, decoder_layers=2, input_feeding=True),
    case("gru_gru_additive", 402, "gru", "gru", "additive", [5, 1, 4], [3, 4, 1]),
    case("rnn_lstm_dot", 403, "rnn", "lstm", "dot", [2, 4, 5], [4, 4, 2], encoder_hidden=7, encoder_layers=2),
    # attention none and bridge none: the decoder never sees the source, every encoder gradient is 0
    case("gru_lstm_general_feed_tied_smooth", 405, "gru", "lstm", "general", [5, 3, 4], [4, 3, 1],
         target_embedding=7, input_feeding=True, tied=True, label_smoothing=0.1),
    case("bigru_gru_general_le1_ld2", 406, "gru", "gru", "general", [1, 5, 3], [3, 2, 4], bidirectional=True,
         decoder_layers=2),
    case("lstm_lstm_additive_feed_smooth_le2_ld1", 407, "lstm", "lstm", "additive", [4, 2, 5, 3], [5, 3, 2, 4],
         source_steps=5, target_steps=5, encoder_layers=2, input_feeding=True, label_smoothing=0.1),
    case("bilstm_lstm_dot_feed_cell_bridge", 408, "lstm", "lstm", "dot", [3, 7, 5], [6, 4, 5], source_steps=7,
         target_steps=6, encoder_layers=2, bidirectional=True, decoder_hidden=10, decoder_layers=2,
         input_feeding=True),
    case("bilstm_rnn_additive_feed", 409, "lstm", "rnn", "additive", [5, 2, 3], [3, 4, 2], bidirectional=True,
         input_feeding=True),
    case("lstm_gru_none_bridge_le2_ld2", 410, "lstm", "gru", "none", [2, 3, 5], [4, 1, 3], encoder_layers=2,
         decoder_layers=2),
]

# --------------------------------------------------------------------------------------------------------
# Drawing (float32) and computing (float64; shared by generation and --check)
# --------------------------------------------------------------------------------------------------------

INPUT_NAMES = ("source", "source_lengths", "decoder_input", "targets")
OUTPUT_NAMES = ("memory", "logits", "attention", "loss")


def draw(case_):
    """Return (parameters, inputs) for a case from its seed: float32 values, int64 ids."""
    torch.manual_seed(case_["seed"])
    meta = case_["meta"]
    model = Seq2Seq(Config(meta))  # float32, PyTorch's default init
    params = {}
    with torch.no_grad():
        for name, p in model.state_dict().items():  # every element random, in state_dict order
            bound = SCORE_BOUND if name in SCORE_PARAMETERS else 0.5
            p.uniform_(-bound, bound)
            if name.endswith("embedding.weight"):
                p[PAD] = 0.0  # the padding row, as nn.Embedding(padding_idx=0) initialises it
            params[name] = p.clone()
    b, s, t = int(meta["batch"]), int(meta["source_steps"]), int(meta["target_steps"])
    vs, vt = int(meta["source_vocab_size"]), int(meta["target_vocab_size"])
    source_lengths = torch.tensor(case_["source_lengths"], dtype=torch.int64)
    source = torch.randint(EOS + 1, vs, (b, s))
    source[torch.arange(s).unsqueeze(0) >= source_lengths.unsqueeze(1)] = PAD
    targets = torch.randint(EOS + 1, vt, (b, t))
    for row, length in enumerate(case_["target_lengths"]):
        targets[row, length - 1] = EOS
        targets[row, length:] = PAD
    decoder_input = torch.cat([torch.full((b, 1), BOS, dtype=torch.int64), targets[:, :-1]], dim=1)
    return params, dict(source=source, source_lengths=source_lengths, decoder_input=decoder_input, targets=targets)


def compute(meta, params, inputs, dtype=torch.float64):
    """Forward, loss and backward from the given parameters → name -> tensor (outputs, then grad.<parameter>)."""
    config = Config(meta)
    model = Seq2Seq(config).to(dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in params.items()}, strict=True)  # replaces the init
    memory, logits, attention = model(inputs["source"], inputs["source_lengths"], inputs["decoder_input"])
    loss = sequence_loss(logits, inputs["targets"], config.label_smoothing)
    loss.backward()
    result = dict(memory=memory.detach(), logits=logits.detach())
    if attention is not None:
        result["attention"] = attention.detach()
    result["loss"] = loss.detach().reshape(1)
    grads = dict(model.named_parameters())
    for name in params:  # a parameter the loss does not reach (the encoder with attention none, bridge none) gets 0
        grad = grads[name].grad
        result["grad." + name] = grad if grad is not None else torch.zeros_like(grads[name])
    return result


def difference(expected, actual):
    """Largest |a − e| / max(1, |e|) (inf when the shapes differ)."""
    if tuple(expected.shape) != tuple(actual.shape):
        return math.inf
    if expected.numel() == 0:
        return 0.0
    e, a = expected.double(), actual.double()
    return ((a - e).abs() / e.abs().clamp(min=1.0)).max().item()


def scaled_difference(expected, actual):
    """Largest |a − e| / max|e| over the tensor: the measure README.md gives the float32 tolerance in."""
    scale = expected.abs().max().item()
    return (actual.double() - expected).abs().max().item() / scale if scale > 0 else 0.0


# --------------------------------------------------------------------------------------------------------
# Modes
# --------------------------------------------------------------------------------------------------------


def generate(out):
    os.makedirs(out, exist_ok=True)
    for case_ in CASES:
        params, inputs = draw(case_)
        results = compute(case_["meta"], params, inputs)
        f32 = compute(case_["meta"], params, inputs, torch.float32)  # how far PyTorch's own float32 run lands
        worst32 = max(scaled_difference(results[k], v) for k, v in f32.items())
        path = os.path.join(out, case_["name"] + ".safetensors")
        write_safetensors(path, {**params, **inputs, **results}, case_["meta"], float_dtype="F64")
        print(f"{case_['name']:40s} loss {results['loss'].item(): .17g}  PyTorch float32 within {worst32:.1e}  "
              f"({os.path.getsize(path)} bytes)")


def check(folder, verbose):
    names = sorted(n for n in os.listdir(folder) if n.endswith(".safetensors"))
    worst_overall, failed = 0.0, []
    for name in names:
        meta, stored = read_safetensors(os.path.join(folder, name))
        inputs = {k: stored[k] for k in INPUT_NAMES}
        params = {k: v for k, v in stored.items()
                  if k not in INPUT_NAMES and k not in OUTPUT_NAMES and not k.startswith("grad.")}
        recomputed = compute(meta, params, inputs)
        rows = [(k, difference(stored[k], v) if k in stored else math.inf) for k, v in recomputed.items()]
        rows += [(k, math.inf) for k in stored if k not in recomputed and k not in inputs and k not in params]
        worst = max(d for _, d in rows)
        worst_overall = max(worst_overall, worst)
        if worst > CHECK_TOLERANCE:
            failed.append(name)
        print(f"{'ok' if worst <= CHECK_TOLERANCE else 'FAIL':4s} {name:52s} max difference {worst:.2e}")
        for k, d in rows:
            if verbose or d > CHECK_TOLERANCE:
                print(f"       {k:44s} {d:.2e}{'' if d <= CHECK_TOLERANCE else '  <-- exceeds tolerance'}")
    print(f"{len(names)} files, worst difference {worst_overall:.2e}, {len(failed)} failed")
    return bool(names) and not failed


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seq2seq")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=here, help="folder to write the files into")
    parser.add_argument("--check", nargs="?", const=here, metavar="DIR", help="recompute and compare the files in DIR")
    parser.add_argument("-v", "--verbose", action="store_true", help="--check: one line per tensor")
    args = parser.parse_args()
    torch.set_num_threads(1)  # deterministic reduction order
    start = time.time()
    if args.check:
        ok = check(args.check, args.verbose)
        print(f"time: {time.time() - start:.1f} s")
        sys.exit(0 if ok else 1)
    generate(args.out)
    print(f"time: {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
