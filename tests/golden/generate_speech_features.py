#!/usr/bin/python3
"""Generate or check the reference speech features in tests/golden/speech, computed with numpy in float64.

  /usr/bin/python3 generate_speech_features.py [--out DIR]    write DIR/*.safetensors (default: speech/ beside this script)
  /usr/bin/python3 generate_speech_features.py --check [DIR]  recompute every file from the signal and settings stored
                                                              in it, exit 1 if any value moved by more than 1e-12

An implementation of its own, written from the definitions rather than from Carnet's code: numpy's real FFT,
the filterbank as one matrix, the DCT as one matrix, the deltas and the normalisation as array expressions.

Definitions (the usual ones, HTK's mel scale):
  pre-emphasis   y[0] = x[0], y[n] = x[n] - k x[n-1]
  frames         F = 1 + (N - W) // hop (1 when N <= W); frame f = y[f hop : f hop + W], zero-padded at the end
  window         Hamming, 0.54 - 0.46 cos(2 pi n / (W - 1))
  spectrum       |rfft(frame, Nfft)|^2, Nfft the power of two at or above W
  mel            2595 log10(1 + f / 700); M triangles evenly spaced in mel from 0 Hz to rate / 2, evaluated at each
                 bin's frequency k rate / Nfft (straight in mel)
  log            log(max(energy, 1e-10))
  MFCC           the first D rows of the orthonormal DCT-II of the M log energies
  deltas         sum_{n=1,2} n (c[t+n] - c[t-n]) / 10, the edge frames repeated; appended after each frame's features
  normalisation  per dimension over the utterance: (v - mean) / std (population), 0 where std <= 1e-8 (normalize "true");
                 or running (normalize "running"): frame t by the mean and std of frames 0..t, each computed afresh

The signal: numpy's default_rng(seed), a chirp from 150 Hz to 0.4 rate plus two harmonics, an amplitude envelope,
white noise and a silent stretch (so some bands hit the floor), stored as float32 (Carnet reads float samples).

File layout: __metadata__ holds sample_rate, window_ms, hop_ms, mel_bands, cepstra, pre_emphasis, deltas, normalize,
torch_version (of the writer's safetensors helper), computed_in (float64) and computed_with (numpy and its version); signal (N), float32 values stored as F64;
features (F, D) F64.
"""
import argparse
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from safetensors_io import check_folder, write_safetensors  # noqa: E402

CHECK_TOLERANCE = 1e-12


def case(name, seed, rate, seconds, bands=40, cepstra=0, pre_emphasis=0.97, deltas=False, normalize="true"):
    return dict(name=name, seed=seed, rate=rate, seconds=seconds, meta=dict(
        sample_rate=str(rate), window_ms="25", hop_ms="10", mel_bands=str(bands), cepstra=str(cepstra),
        pre_emphasis=repr(pre_emphasis), deltas="true" if deltas else "false", normalize=normalize))


CASES = [
    case("logmel40_8k", 701, 8000, 0.9),
    case("logmel40_8k_raw", 702, 8000, 0.63, normalize="false"),
    case("mfcc13_deltas_8k", 703, 8000, 1.1, cepstra=13, deltas=True),
    case("logmel40_16k_raw", 704, 16000, 0.5, normalize="false"),
    case("mfcc20_22k", 705, 22050, 0.4, cepstra=20, normalize="false"),
    case("logmel23_no_emphasis_8k_raw", 706, 8000, 0.7, bands=23, pre_emphasis=0.0, normalize="false"),
    case("short_signal_8k_raw", 707, 8000, 0.015, normalize="false"),
    case("mfcc13_deltas_running_8k", 708, 8000, 0.8, cepstra=13, deltas=True, normalize="running"),
    case("logmel40_running_16k", 709, 16000, 0.45, normalize="running"),
]


def signal(seed, rate, seconds):
    rng = np.random.default_rng(seed)
    n = int(round(rate * seconds))
    t = np.arange(n) / rate
    phase = 2 * np.pi * (150 * t + (0.4 * rate - 150) * t * t / (2 * max(seconds, 1e-9)))
    envelope = 0.3 + 0.7 * np.sin(np.pi * t / max(seconds, 1e-9)) ** 2
    x = envelope * (0.5 * np.sin(phase) + 0.2 * np.sin(2 * phase + 0.3) + 0.1 * np.sin(3 * phase + 1.1))
    x = x + 0.02 * rng.standard_normal(n)
    x[n // 3: n // 3 + n // 8] = 0.0  # silence
    return x.astype(np.float32)


def features(x32, meta):
    rate = int(meta["sample_rate"])
    window = int(round(rate * float(meta["window_ms"]) / 1000))
    hop = int(round(rate * float(meta["hop_ms"]) / 1000))
    bands, cepstra, k = int(meta["mel_bands"]), int(meta["cepstra"]), float(meta["pre_emphasis"])
    nfft = 1 << (window - 1).bit_length()
    x = x32.astype(np.float64)
    y = np.concatenate([x[:1], x[1:] - k * x[:-1]])
    count = 1 if len(y) <= window else 1 + (len(y) - window) // hop
    padded = np.zeros(max(len(y), (count - 1) * hop + window))
    padded[:len(y)] = y
    frames = np.stack([padded[f * hop: f * hop + window] for f in range(count)])
    frames = frames * (0.54 - 0.46 * np.cos(2 * np.pi * np.arange(window) / (window - 1)))
    power = np.abs(np.fft.rfft(frames, n=nfft, axis=1)) ** 2
    mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    edges = np.linspace(mel(0.0), mel(rate / 2), bands + 2)
    bin_mels = mel(np.arange(nfft // 2 + 1) * rate / nfft)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bin_mels - left) / (centre - left)
    falling = (right - bin_mels) / (right - centre)
    filters = np.where((bin_mels > left) & (bin_mels < right), np.where(bin_mels <= centre, rising, falling), 0.0)
    out = np.log(np.maximum(power @ filters.T, 1e-10))
    if cepstra > 0:
        m = np.arange(bands)
        dct = np.cos(np.pi * np.arange(cepstra)[:, None] * (m + 0.5) / bands) * np.sqrt(2.0 / bands)
        dct[0] = np.sqrt(1.0 / bands)
        out = out @ dct.T
    if meta["deltas"] == "true":
        padded = np.concatenate([out[:1], out[:1], out, out[-1:], out[-1:]])
        delta = (padded[3:-1] - padded[1:-3] + 2 * (padded[4:] - padded[:-4])) / 10
        out = np.concatenate([out, delta], axis=1)
    if meta["normalize"] == "true":
        std = out.std(axis=0)
        out = np.where(std > 1e-8, (out - out.mean(axis=0)) / np.where(std > 1e-8, std, 1), 0.0)
    if meta["normalize"] == "running":
        rows = []
        for t in range(len(out)):
            seen = out[:t + 1]
            mean, std = seen.mean(axis=0), seen.std(axis=0)
            rows.append(np.where(std > 1e-8, (out[t] - mean) / np.where(std > 1e-8, std, 1), 0.0))
        out = np.stack(rows)
    return out


def main():
    import torch  # safetensors_io stores torch tensors
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "speech"))
    parser.add_argument("--check", nargs="?", const="", default=None)
    args = parser.parse_args()
    if args.check is not None:
        def difference(meta, tensors):
            return float(np.abs(features(tensors["signal"].numpy(), meta) - tensors["features"].numpy()).max())
        check_folder(args.check or args.out, difference, CHECK_TOLERANCE)
    os.makedirs(args.out, exist_ok=True)
    for c in CASES:
        x = signal(c["seed"], c["rate"], c["seconds"])
        out = features(x, c["meta"])
        meta = {**c["meta"], "torch_version": torch.__version__, "computed_in": "float64", "computed_with": "numpy " + np.__version__}
        write_safetensors(os.path.join(args.out, c["name"] + ".safetensors"),
                          {"signal": torch.from_numpy(x), "features": torch.from_numpy(out)}, meta, float_dtype="F64")
        print(c["name"], out.shape)


if __name__ == "__main__":
    main()
