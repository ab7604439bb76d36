"""Training and greedy-decoding speed of the PyTorch twin, beside bench/Carnet.Benchmarks/Seq2SeqBenchmarks.cs.

    /usr/bin/python3 bench/reference/seq2seq_speed.py [--shapes CMU Tatoeba] [--threads 2 1] [--steps 15] [--decodes 10]

The model is the twin's `Seq2Seq` (tests/golden/generate_seq2seq.py) in the spelling → pronunciation architecture:
embeddings 128, bidirectional LSTM encoder 2 × 128, linear bridge, LSTM decoder 1 × 256 with input feeding and general
attention, no dropout, float32, PyTorch's default initialisation. Shapes (vocabularies include the four specials):
    CMU      Vs = 30,   Vt = 43,   sources of 4–12 tokens, targets of 3–11
    Tatoeba  Vs = 2100, Vt = 3600, sources of 2–6 tokens,  targets of 2–9
The batch is the C# benchmark's: 64 pairs drawn with a port of Carnet's RandomSource (xoshiro256** seeded through
SplitMix64) from seed 2026 (per pair: source length, source ids, target length, target ids; ids uniform over
4 … V − 1), so both sides train on the same ids and count the same target tokens (each target and its <eos>).

For each shape and each thread count (torch.set_num_threads), after --warmup untimed repetitions:
  * a training step, as the twin's training loop does it: forward with teacher forcing, mean cross-entropy over the
    non-pad targets (ignore_index 0, no label smoothing), zero_grad, backward, clip_grad_norm_ to 5, Adam step,
    loss.item(); timed --steps times;
  * greedy decoding of the batch's 64 sources with the twin's greedy_decode (one batch of 64, at most 2·S + 10
    tokens), timed --decodes times. The weights are untrained, so the generator's <eos> bias is set to −1e4 (on a
    second model: training changes the first): every row runs to the limit, the same number of decoder steps as
    Carnet's search does with the same setting (checked here: every prediction has 2·S + 10 tokens).
The twin has no beam search, so there is no beam-5 figure on this side.

One JSON object per shape and thread count on stdout, medians:
    {"shape", "threads", "torch", "blas", "target_tokens", "train_step_ms", "train_tokens_per_s", "sentences",
     "decoder_steps", "greedy_ms", "greedy_sentences_per_s"}

BLAS: Debian's python3-torch does its matrix products through whatever libblas.so.3 the system's alternatives name
("blas" in the output: the library loaded, and OpenBLAS's core). With only libblas3 installed that is the netlib
reference BLAS, some 30× slower than OpenBLAS on these products; for figures worth comparing, run with OpenBLAS:
install libopenblas0-pthread, or extract it without installing (`apt-get download libopenblas0-pthread; dpkg -x
libopenblas0-pthread_*.deb DIR`) and run with LD_LIBRARY_PATH=DIR/usr/lib/x86_64-linux-gnu/openblas-pthread, as
bench/translate/speed.sh does. This build of torch does not set OpenBLAS's thread count (BLAS_INFO=generic), so the
script sets it to each --threads value itself (openblas_set_num_threads).

PyTorch's OpenMP threads spin while they wait, so on a busy machine 1 thread can beat 2; bench/translate/speed.sh runs
this script beside the C# benchmarks. A development aid: no test or CI step needs it.
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seq2seq_twin import greedy_decode, teacher_batch  # noqa: E402  (it puts tests/golden on the path)
from generate_seq2seq import EOS, Config, Seq2Seq, sequence_loss  # noqa: E402

BATCH, BATCH_SEED, MODEL_SEED, CLIP = 64, 2026, 7, 5.0
SHAPES = {  # Vs, Vt, shortest and longest source, shortest and longest target (tokens, <eos> not counted)
    "CMU": (30, 43, 4, 12, 3, 11),
    "Tatoeba": (2100, 3600, 2, 6, 2, 9),
}
MASK = (1 << 64) - 1


class RandomSource:
    """Carnet's RandomSource: xoshiro256** seeded through SplitMix64, NextInt without modulo bias."""

    def __init__(self, seed):
        x, self.s = seed, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next_uint64(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_int(self, exclusive_max):
        limit = MASK - MASK % exclusive_max
        while True:
            draw = self.next_uint64()
            if draw < limit:
                return draw % exclusive_max


def loaded_blas():
    """(path of the BLAS library this process loaded, the OpenBLAS library or None): read from /proc/self/maps."""
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "blas" in line and "/" in line})
    blas = next((p for p in paths if "libblas" in p), paths[0] if paths else "none")
    openblas = next((p for p in paths if "libopenblas" in p), None)
    return blas, ctypes.CDLL(openblas) if openblas else None


def set_threads(threads, openblas):
    torch.set_num_threads(threads)
    if openblas is not None:
        openblas.openblas_set_num_threads(threads)


def blas_name(blas, openblas):
    if openblas is None:
        return blas
    openblas.openblas_get_corename.restype = ctypes.c_char_p
    return f"{blas} (OpenBLAS, core {openblas.openblas_get_corename().decode()})"


def pairs(shape):
    """The benchmark batch: 64 (source ids, target ids) pairs, as Seq2SeqBenchmarks.Pairs draws them."""
    vs, vt, smin, smax, tmin, tmax = SHAPES[shape]
    random = RandomSource(BATCH_SEED)
    tokens = lambda n, v: [4 + random.next_int(v - 4) for _ in range(n)]  # noqa: E731
    result = []
    for _ in range(BATCH):
        source = tokens(smin + random.next_int(smax - smin + 1), vs)
        target = tokens(tmin + random.next_int(tmax - tmin + 1), vt)
        result.append((source, target))
    return result


def build_model(shape):
    vs, vt = SHAPES[shape][:2]
    config = Config(dict(
        encoder_cell="lstm", decoder_cell="lstm", source_vocab_size=vs, target_vocab_size=vt, source_embedding_size=128,
        target_embedding_size=128, encoder_hidden=128, encoder_layers=2, bidirectional="true", decoder_hidden=256,
        decoder_layers=1, attention="general", input_feeding="true", bridge="linear", tied="false",
        label_smoothing=0.0))
    return Seq2Seq(config, dropout=0.0)


def median_ms(action, warmup, repeats):
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def measure(shape, threads, args):
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # loads the BLAS library
    blas, openblas = loaded_blas()
    set_threads(threads, openblas)
    examples = pairs(shape)
    source, lengths, decoder_input, targets = teacher_batch(examples)
    target_tokens = int((targets != 0).sum())

    torch.manual_seed(MODEL_SEED)
    model = build_model(shape)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        _, logits, _ = model(source, lengths, decoder_input)
        loss = sequence_loss(logits, targets, 0.0)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        return loss.item()

    train_ms = median_ms(train_step, args.warmup, args.steps)

    torch.manual_seed(MODEL_SEED)
    searcher = build_model(shape)
    with torch.no_grad():
        searcher.generator.bias[EOS] = -1e4
    sources = [s for s, _ in examples]
    predictions = greedy_decode(searcher, sources, BATCH)
    short = [i for i, (p, s) in enumerate(zip(predictions, sources)) if len(p) != 2 * len(s) + 10]
    if short:
        raise SystemExit(f"{shape}: {len(short)} predictions stopped before 2·S + 10 tokens (first: {short[0]})")
    greedy_ms = median_ms(lambda: greedy_decode(searcher, sources, BATCH), args.warmup, args.decodes)

    return dict(shape=shape, threads=threads, torch=torch.__version__, blas=blas_name(blas, openblas),
                target_tokens=target_tokens,
                train_step_ms=round(train_ms, 3), train_tokens_per_s=round(target_tokens * 1000.0 / train_ms, 1),
                sentences=len(sources), decoder_steps=max(2 * len(s) + 10 for s in sources),
                greedy_ms=round(greedy_ms, 3), greedy_sentences_per_s=round(len(sources) * 1000.0 / greedy_ms, 1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=["CMU", "Tatoeba"])
    p.add_argument("--threads", nargs="+", type=int, default=[2], help="torch.set_num_threads values, each measured")
    p.add_argument("--warmup", type=int, default=3, help="untimed repetitions before each measurement")
    p.add_argument("--steps", type=int, default=15, help="timed training steps")
    p.add_argument("--decodes", type=int, default=10, help="timed greedy decodings of the 64 sources")
    args = p.parse_args()
    for shape in args.shapes:
        for threads in args.threads:
            print(json.dumps(measure(shape, threads, args)), flush=True)


if __name__ == "__main__":
    main()
