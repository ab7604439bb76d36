"""PyTorch twin of `carnet text train`, for the bits-per-character comparison in docs/RESULTS.md.

The same model (nn.Embedding -> nn.LSTM/nn.GRU, batch_first -> nn.Linear), the same split (the last
--validation share of the characters held out, at least 2), the same truncated BPTT batching (the training text
cut into B streams of L = (N - 1) // B characters, batches of T steps, the state carried and detached between
batches and reset each epoch), the same optimisation (Adam, mean cross-entropy, clip_grad_norm_ to --clip), the
same held-out measure (the held-out part cut into min(B, N - 1) streams read T steps at a time with the state
carried, summed cross-entropy / predictions / ln 2), the same time limit (checked after every step; the cut epoch
is measured and the best weights kept) and a 200-character sample after each epoch, as Carnet does.

Run with PyTorch 1.13 (Debian's python3-torch, /usr/bin/python3), one thread by default:

    /usr/bin/python3 bench/reference/char_lm.py --data ../shared/data/text/moby_dick.txt --time-limit 12

Prints one line per epoch and a final JSON line. With --evaluate MODEL it only loads a model file written by
`carnet text train` into the same module and prints its held-out bits per character as measured here, to check
that both sides measure the same thing. A development aid: no test or CI step needs it.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
from torch import nn


class CharModel(nn.Module):
    def __init__(self, vocabulary, embedding, hidden, layers, dropout, cell):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, embedding)
        recurrent = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = recurrent(embedding, hidden, num_layers=layers, dropout=dropout, batch_first=True)
        self.head = nn.Linear(hidden, vocabulary)

    def forward(self, ids, state=None):
        output, state = self.rnn(self.embedding(ids), state)
        return self.head(output), state


def detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def windows(ids, streams, steps, include_shorter):
    """(inputs, targets) batches of shape (B, T) over B consecutive streams of the ids, as Carnet's StreamDataset."""
    length = (len(ids) - 1) // streams
    end = length if include_shorter else length - length % steps
    data = torch.tensor(ids[: streams * length + 1], dtype=torch.long)
    inputs = torch.stack([data[b * length: b * length + length] for b in range(streams)])
    targets = torch.stack([data[b * length + 1: b * length + length + 1] for b in range(streams)])
    for start in range(0, end, steps):
        stop = min(start + steps, end)
        yield inputs[:, start:stop], targets[:, start:stop]


@torch.no_grad()
def held_out_bits(model, ids, streams, steps):
    model.eval()
    b = min(streams, len(ids) - 1)
    length = (len(ids) - 1) // b
    total, state = 0.0, None
    for x, y in windows(ids, b, min(steps, length), include_shorter=True):
        logits, state = model(x, state)
        total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item()
    model.train()
    return total / (b * length) / math.log(2)


@torch.no_grad()
def sample(model, start, length, temperature, generator):
    model.eval()
    ids, state, out = torch.tensor([[start]]), None, []
    for _ in range(length):
        logits, state = model(ids, state)
        probabilities = torch.softmax(logits[0, -1] / temperature, dim=-1)
        ids = torch.multinomial(probabilities, 1, generator=generator).view(1, 1)
        out.append(ids.item())
    model.train()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True)
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru"])
    p.add_argument("--embedding-size", type=int, default=64)
    p.add_argument("--hidden-size", type=int, default=256)
    p.add_argument("--num-layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--seq-length", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=0.002)
    p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--validation", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--time-limit", type=float, default=None, help="minutes")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--evaluate", metavar="MODEL", help="a Carnet model file: print its held-out bits per character and stop")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with open(a.data, "rb") as f:
        text = f.read().decode("utf-8").lstrip("\ufeff")  # strict: an invalid byte raises
    characters = sorted(set(text))  # Unicode scalar values in code point order, as Carnet's vocabulary
    index = {c: i for i, c in enumerate(characters)}
    ids = [index[c] for c in text]
    held = max(2, round(len(ids) * a.validation)) if a.validation > 0 else 0
    training, validation = ids[: len(ids) - held], ids[len(ids) - held:]

    if a.evaluate:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
        from safetensors_io import read_safetensors
        meta, tensors = read_safetensors(a.evaluate)
        assert json.loads(meta["preprocessing.vocabulary"]) == characters, "the model was trained on another text"
        model = CharModel(len(characters), int(meta["rnn.input_size"]), int(meta["rnn.hidden_size"]), int(meta["rnn.num_layers"]), 0.0,
                          meta["cell"].lower())
        model.load_state_dict(tensors)
        print(json.dumps({"model": a.evaluate, "val_bpc": held_out_bits(model, validation, a.batch_size, a.seq_length)}))
        return

    model = CharModel(len(characters), a.embedding_size, a.hidden_size, a.num_layers, a.dropout, a.cell)
    optimizer = torch.optim.Adam(model.parameters(), lr=a.learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(a.seed)
    start = index.get("\n", 0)
    steps_per_epoch = (len(training) - 1) // a.batch_size // a.seq_length
    print(f"{a.data}: {len(ids)} characters, {len(characters)} distinct, {len(training)} training, {len(validation)} held out; "
          f"{sum(p.numel() for p in model.parameters())} parameters; {steps_per_epoch} steps per epoch; torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s)", flush=True)

    clock = time.perf_counter()
    limit = a.time_limit * 60 if a.time_limit else None
    history, best, best_state, out_of_time = [], None, None, False
    for epoch in range(1, a.epochs + 1):
        total, batches, state = 0.0, 0, None
        for x, y in windows(training, a.batch_size, a.seq_length, include_shorter=False):
            optimizer.zero_grad()
            logits, state = model(x, state)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            loss.backward()
            if a.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            optimizer.step()
            state = detach(state)
            total += loss.item()
            batches += 1
            if limit is not None and time.perf_counter() - clock >= limit:
                out_of_time = True
                break
        val_bpc = held_out_bits(model, validation, a.batch_size, a.seq_length) if validation else None
        if val_bpc is not None and (best is None or val_bpc < best):
            best, best_epoch = val_bpc, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        text_sample = "".join(characters[i] for i in sample(model, start, 200, 0.8, generator))
        seconds = time.perf_counter() - clock
        history.append({"epoch": epoch, "steps": batches, "train_bpc": total / max(1, batches) / math.log(2), "val_bpc": val_bpc, "seconds": seconds})
        print(f"epoch {epoch} · step {batches}/{steps_per_epoch} · training {history[-1]['train_bpc']:.4f} bpc · "
              f"held out {val_bpc:.4f} bpc · {seconds:.1f} s", flush=True)
        print("  sample: " + text_sample.replace("\n", "⏎"), flush=True)
        if out_of_time:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    print(json.dumps({"tool": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), "best_val_bpc": best,
                      "best_epoch": best_epoch if best is not None else None, "stopped_by_time_limit": out_of_time,
                      "seconds": time.perf_counter() - clock, "history": history}), flush=True)


if __name__ == "__main__":
    main()
