"""PyTorch twin of Carnet's sequence-to-sequence training, for comparing held-out error rates and BLEU.

The model is `Seq2Seq` of tests/golden/generate_seq2seq.py (the module the golden references are made with, written
to the seq2seq spec): embedding → packed (bi)LSTM/GRU/RNN encoder → linear bridge → decoder stepped one token at a
time with optional input feeding → dot/general/additive attention → generator; mean cross-entropy over the non-pad
target tokens. Training: Adam, clip_grad_norm_, random batches (reshuffled every epoch), until --time-limit minutes of
training have passed.

Data: a UTF-8 TSV with a header row; --source-column/--target-column name the columns (default: the first two).
Tokens (--tokens): `space` splits on single spaces (the CMU dictionary files already read "h e l l o"), `words` cuts
words and punctuation, `chars` takes every character (a space becomes the token ▁). The vocabularies hold the
training tokens, most frequent first (ties in ordinal order), after the ids 0 <pad>, 1 <unk>, 2 <bos>, 3 <eos>.
The held-out set is --test FILE, or --held-out FRACTION of the pairs (pairs with the same source stay together,
a seeded shuffle; not the same pairs as Carnet's split with the same seed).

Every --eval-every-seconds of training (evaluation time excluded, and reported as eval_s) the held-out sources are
decoded greedily in batches (at most 2·S + 10 tokens for a source of S tokens) and one JSON line is printed:
    {"elapsed_s", "eval_s", "epoch", "steps", "train_loss", "held_out_loss", "word_error", "token_error_rate"}
word_error: the share of held-out sequences not predicted exactly; token_error_rate: the total Levenshtein distance
between predicted and reference tokens over the total number of reference tokens; train_loss: the token-weighted
mean training loss since the previous line; held_out_loss: the same teacher-forced loss on the held-out set.
At the end the held-out predictions go to --predictions (one per line, tokens joined with spaces; `chars` joins the
characters), and the references to --references, for `carnet translate score`.

Run with Debian's PyTorch 1.13 (/usr/bin/python3), e.g. on the CMU pronouncing dictionary split of data/cmudict:

    /usr/bin/python3 bench/reference/seq2seq_twin.py --data data/cmudict/train.tsv --test data/cmudict/test.tsv \\
        --tokens space --encoder-hidden 128 --encoder-layers 2 --bidirectional --decoder-hidden 256 \\
        --attention general --input-feeding --time-limit 30 --predictions runs/twin/predictions.txt

--threads sets torch.set_num_threads; on a machine busy with other work, --threads 1 can be several times faster than
2 (PyTorch's OpenMP threads spin while they wait). A development aid: no test or CI step needs it.
"""
import argparse
import collections
import csv
import json
import math
import os
import random
import re
import sys
import time

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden"))
from generate_seq2seq import BOS, EOS, PAD, UNK, Config, Seq2Seq, sequence_loss  # noqa: E402

SPECIALS = ["<pad>", "<unk>", "<bos>", "<eos>"]
WORD = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")  # a word (inner apostrophes and hyphens kept) or one other character


# --------------------------------------------------------------------------------------------------------
# Data: pairs, tokens, vocabularies, batches
# --------------------------------------------------------------------------------------------------------


def read_pairs(path, source_column, target_column):
    """(source text, target text) pairs of a TSV file with a header row."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    header, rows = rows[0], rows[1:]
    source = header.index(source_column) if source_column else 0
    target = header.index(target_column) if target_column else 1
    return [(row[source].strip(), row[target].strip()) for row in rows if row]


def tokenize(text, kind):
    if kind == "space":
        return text.split(" ")
    if kind == "words":
        return WORD.findall(text)
    return ["▁" if ch == " " else ch for ch in text]  # chars


def detokenize(tokens, kind):
    return "".join(tokens).replace("▁", " ") if kind == "chars" else " ".join(tokens)


class Vocabulary:
    def __init__(self, sentences):
        counts = collections.Counter(token for tokens in sentences for token in tokens)
        ordered = sorted((t for t in counts if t not in SPECIALS), key=lambda t: (-counts[t], t))
        self.tokens = SPECIALS + ordered
        self.ids = {t: i for i, t in enumerate(self.tokens)}

    def __len__(self):
        return len(self.tokens)

    def encode(self, tokens):
        return [self.ids.get(t, UNK) for t in tokens]

    def decode(self, ids):
        """The tokens of the ids up to the first <eos>."""
        out = []
        for i in ids:
            if i == EOS:
                break
            out.append(self.tokens[i])
        return out


def split_held_out(pairs, fraction, seed):
    """(training, held-out): groups of pairs with the same source, shuffled, held out until the fraction is reached."""
    groups = collections.defaultdict(list)
    for index, (source, _) in enumerate(pairs):
        groups[source].append(index)
    order = list(groups.values())
    random.Random(seed).shuffle(order)
    wanted, held = math.floor(fraction * len(pairs) + 0.5), set()  # rounded half away from zero, as Carnet
    for group in order:
        if len(held) >= wanted:
            break
        held.update(group)
    return [p for i, p in enumerate(pairs) if i not in held], [p for i, p in enumerate(pairs) if i in held]


def pad(sequences, prefix=(), suffix=()):
    """(B, longest) int64 tensor of the sequences with the prefix/suffix ids added, padded with 0; lengths (B)."""
    rows = [list(prefix) + s + list(suffix) for s in sequences]
    width = max(len(r) for r in rows)
    return torch.tensor([r + [PAD] * (width - len(r)) for r in rows]), torch.tensor([len(r) for r in rows])


def teacher_batch(examples):
    """source (B, S), source lengths (B), decoder input (B, T) = <bos> y, targets (B, T) = y <eos>."""
    source, lengths = pad([s for s, _ in examples])
    decoder_input, _ = pad([t for _, t in examples], prefix=[BOS])
    targets, _ = pad([t for _, t in examples], suffix=[EOS])
    return source, lengths, decoder_input, targets


# --------------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------------


def levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@torch.no_grad()
def greedy_decode(model, sources, batch_size):
    """The predicted target ids (up to, not including, <eos>) of each source id list, at most 2·S + 10 of them."""
    model.eval()
    predictions = []
    for start in range(0, len(sources), batch_size):
        chunk = sources[start:start + batch_size]
        source, lengths = pad(chunk)
        limits = 2 * lengths + 10
        memory, state = model.encode(source, lengths)
        keys = model.attention.keys(memory) if model.config.attention != "none" else None
        mask = torch.arange(source.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        feed = memory.new_zeros(len(chunk), model.config.decoder_hidden)
        token = torch.full((len(chunk),), BOS, dtype=torch.int64)
        done = torch.zeros(len(chunk), dtype=torch.bool)
        steps = []
        for t in range(int(limits.max())):
            logits, _, state, feed = model.step(token, state, feed, memory, keys, mask)
            token = logits.argmax(dim=1)
            token = token.masked_fill(done | (t >= limits), EOS)  # finished rows and rows at their limit: <eos>
            steps.append(token)
            done |= token == EOS
            if done.all():
                break
        ids = torch.stack(steps, dim=1).tolist()
        predictions.extend(row[:row.index(EOS)] if EOS in row else row for row in ids)
    model.train()
    return predictions


@torch.no_grad()
def held_out_loss(model, examples, batch_size, label_smoothing):
    model.eval()
    total, tokens = 0.0, 0
    for start in range(0, len(examples), batch_size):
        source, lengths, decoder_input, targets = teacher_batch(examples[start:start + batch_size])
        _, logits, _ = model(source, lengths, decoder_input)
        n = int((targets != PAD).sum())
        total += sequence_loss(logits, targets, label_smoothing).item() * n
        tokens += n
    model.train()
    return total / tokens


def evaluate(model, held_out, references, target_vocab, batch_size, label_smoothing):
    """(held-out loss, word error, token error rate, predicted token lists); references: the target token lists."""
    predictions = [target_vocab.decode(ids) for ids in greedy_decode(model, [s for s, _ in held_out], batch_size)]
    wrong = sum(p != r for p, r in zip(predictions, references))
    distance = sum(levenshtein(p, r) for p, r in zip(predictions, references))
    loss = held_out_loss(model, held_out, batch_size, label_smoothing)
    return loss, wrong / len(references), distance / sum(len(r) for r in references), predictions


# --------------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------------


def build_model(args, source_vocab, target_vocab):
    s = lambda b: "true" if b else "false"  # noqa: E731
    config = Config(dict(
        encoder_cell=args.encoder_cell, decoder_cell=args.decoder_cell, source_vocab_size=source_vocab,
        target_vocab_size=target_vocab, source_embedding_size=args.source_embedding,
        target_embedding_size=args.decoder_hidden if args.tied else args.target_embedding,
        encoder_hidden=args.encoder_hidden, encoder_layers=args.encoder_layers, bidirectional=s(args.bidirectional),
        decoder_hidden=args.decoder_hidden, decoder_layers=args.decoder_layers, attention=args.attention,
        input_feeding=s(args.input_feeding), bridge=args.bridge, tied=s(args.tied),
        label_smoothing=args.label_smoothing))
    return Seq2Seq(config, dropout=args.dropout)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="TSV with a header row")
    p.add_argument("--source-column", help="default: the first column")
    p.add_argument("--target-column", help="default: the second column")
    p.add_argument("--tokens", choices=["space", "words", "chars"], default="words")
    p.add_argument("--test", help="held-out TSV (same columns); otherwise --held-out of --data")
    p.add_argument("--held-out", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="use only the first N pairs of --data (and of --test)")
    p.add_argument("--encoder-cell", choices=["lstm", "gru", "rnn"], default="lstm")
    p.add_argument("--decoder-cell", choices=["lstm", "gru", "rnn"], default="lstm")
    p.add_argument("--source-embedding", type=int, default=128)
    p.add_argument("--target-embedding", type=int, default=128)
    p.add_argument("--encoder-hidden", type=int, default=128)
    p.add_argument("--encoder-layers", type=int, default=2)
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--decoder-hidden", type=int, default=256)
    p.add_argument("--decoder-layers", type=int, default=1)
    p.add_argument("--attention", choices=["none", "dot", "general", "additive"], default="general")
    p.add_argument("--input-feeding", action="store_true")
    p.add_argument("--bridge", choices=["none", "linear"], default="linear")
    p.add_argument("--tied", action="store_true", help="generator uses the target embedding (sets Et = Hd)")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--clip", type=float, default=5.0, help="clip_grad_norm_ max norm (0: none)")
    p.add_argument("--time-limit", type=float, default=10.0, help="minutes of training (evaluation excluded)")
    p.add_argument("--eval-every-seconds", type=float, default=60.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--predictions", help="write the held-out predictions here at the end")
    p.add_argument("--references", help="write the held-out references here at the end")
    return p.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    pairs = read_pairs(args.data, args.source_column, args.target_column)
    if args.limit:
        pairs = pairs[:args.limit]
    if args.test:
        training, held_out = pairs, read_pairs(args.test, args.source_column, args.target_column)
        held_out = held_out[:args.limit] if args.limit else held_out
    else:
        training, held_out = split_held_out(pairs, args.held_out, args.seed)

    tokenized = lambda ps: [(tokenize(s, args.tokens), tokenize(t, args.tokens)) for s, t in ps]  # noqa: E731
    training, held_out = tokenized(training), tokenized(held_out)
    source_vocab, target_vocab = Vocabulary(s for s, _ in training), Vocabulary(t for _, t in training)
    encode = lambda ps: [(source_vocab.encode(s), target_vocab.encode(t)) for s, t in ps]  # noqa: E731
    train_ids, held_ids = encode(training), encode(held_out)

    model = build_model(args, len(source_vocab), len(target_vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    print(json.dumps(dict(training_pairs=len(train_ids), held_out_pairs=len(held_ids),
                          source_vocabulary=len(source_vocab), target_vocabulary=len(target_vocab),
                          parameters=sum(p.numel() for p in model.parameters()))), flush=True)

    shuffler = random.Random(args.seed)
    train_s, eval_s, next_eval, epoch, steps = 0.0, 0.0, args.eval_every_seconds, 0, 0
    interval_loss, interval_tokens = 0.0, 0
    limit_s, out_of_time = args.time_limit * 60.0, False

    def report(final=False):
        nonlocal eval_s, interval_loss, interval_tokens
        start = time.perf_counter()
        loss, word_error, token_error, predictions = evaluate(model, held_ids, [t for _, t in held_out], target_vocab,
                                                              max(args.batch_size, 256), args.label_smoothing)
        eval_s += time.perf_counter() - start
        line = dict(elapsed_s=round(train_s, 1), eval_s=round(eval_s, 1), epoch=epoch, steps=steps,
                    train_loss=interval_loss / interval_tokens if interval_tokens else None,
                    held_out_loss=loss, word_error=word_error, token_error_rate=token_error)
        if final:
            line["final"] = True
        print(json.dumps(line), flush=True)
        interval_loss, interval_tokens = 0.0, 0
        return predictions

    model.train()
    while not out_of_time:
        epoch += 1
        order = list(range(len(train_ids)))
        shuffler.shuffle(order)
        for start in range(0, len(order), args.batch_size):
            began = time.perf_counter()
            batch = [train_ids[i] for i in order[start:start + args.batch_size]]
            source, lengths, decoder_input, targets = teacher_batch(batch)
            _, logits, _ = model(source, lengths, decoder_input)
            loss = sequence_loss(logits, targets, args.label_smoothing)
            optimizer.zero_grad()
            loss.backward()
            if args.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            steps += 1
            n = int((targets != PAD).sum())
            interval_loss, interval_tokens = interval_loss + loss.item() * n, interval_tokens + n
            train_s += time.perf_counter() - began
            if train_s >= limit_s:
                out_of_time = True
                break
            if train_s >= next_eval:
                report()
                next_eval += args.eval_every_seconds

    predictions = report(final=True)
    if args.predictions:
        os.makedirs(os.path.dirname(os.path.abspath(args.predictions)), exist_ok=True)
        with open(args.predictions, "w", encoding="utf-8") as f:
            for tokens in predictions:
                f.write(detokenize(tokens, args.tokens) + "\n")
    if args.references:
        os.makedirs(os.path.dirname(os.path.abspath(args.references)), exist_ok=True)
        with open(args.references, "w", encoding="utf-8") as f:
            for _, target in held_out:
                f.write(detokenize(target, args.tokens) + "\n")


if __name__ == "__main__":
    main()
