#!/usr/bin/python3
"""Carnet's int8 models beside PyTorch's dynamic quantisation, on the same trained models and data.

For a classifier over tokens (the DNA splice junctions) and a character model (Moby-Dick), loads the float Carnet
model into PyTorch (interop/carnet_model.py, load_state_dict strict), scores it, applies
torch.ao.quantization.quantize_dynamic({nn.LSTM, nn.Linear}, qint8) and scores that: accuracy over the whole CSV,
bits per character over a text read as `carnet quantize --check` reads it (32 streams, 64 characters at a time, the
state carried). Needs Debian's python3-torch: run it with /usr/bin/python3; Carnet's own numbers come from
`carnet quantize --check` on the same files (docs/RESULTS.md).

  /usr/bin/python3 bench/quantization/pytorch_dynamic.py --classifier DNA_MODEL --csv DNA.csv --text-model MOBY_MODEL --text HELD_OUT.txt
"""
import argparse
import csv
import json
import math
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from carnet_model import CarnetSequenceModel, float_state_dict  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402


def load(path):
    meta, tensors = read_safetensors(path)
    model = CarnetSequenceModel(meta)
    model.load_state_dict(float_state_dict(meta, tensors), strict=True)
    return meta, model.eval()


def quantized(model):
    return torch.ao.quantization.quantize_dynamic(model, {nn.LSTM, nn.Linear}, dtype=torch.qint8)


def accuracy(meta, model, path):
    vocabulary = json.loads(meta["preprocessing.vocabulary"])
    classes = json.loads(meta["preprocessing.classes"])
    column = json.loads(meta["preprocessing.columns.features"])[0]
    label = meta["preprocessing.columns.label"]
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids = torch.tensor([[vocabulary.index(c) if c in vocabulary else 1 for c in row[column]] for row in rows], dtype=torch.int64)
    truth = torch.tensor([classes.index(row[label]) for row in rows])
    with torch.no_grad():
        predicted = model(ids).argmax(1)
    return (predicted == truth).double().mean().item(), predicted


def bits_per_character(meta, model, path, streams=32, steps=64):
    vocabulary = json.loads(meta["preprocessing.vocabulary"])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    ids = torch.tensor([vocabulary.index(c) for c in text], dtype=torch.int64)
    b = min(streams, len(ids) - 1)
    length = (len(ids) - 1) // b
    parts = torch.stack([ids[i * length:(i + 1) * length + 1] for i in range(b)])  # (B, length + 1)
    total, state = 0.0, None
    with torch.no_grad():
        for start in range(0, length, steps):
            end = min(start + steps, length)
            x, y = parts[:, start:end], parts[:, start + 1:end + 1]
            out, state = model.rnn(model.embedding(x), state)
            logits = model.head(out)
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item()
    return total / (b * length) / math.log(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classifier", required=True)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--text-model", required=True)
    parser.add_argument("--text", required=True)
    args = parser.parse_args()
    engine = "onednn" if "onednn" in torch.backends.quantized.supported_engines else "qnnpack"
    torch.backends.quantized.engine = engine
    torch.set_num_threads(1)
    print(f"PyTorch {torch.__version__}, quantized engine {engine}")

    meta, model = load(args.classifier)
    exact, first = accuracy(meta, model, args.csv)
    int8, second = accuracy(meta, quantized(model), args.csv)
    changed = int((first != second).sum())
    print(f"{args.classifier}: accuracy float {exact:.4f}, quantize_dynamic {int8:.4f} ({changed} of {len(first)} predictions differ)")

    meta, model = load(args.text_model)
    exact = bits_per_character(meta, model, args.text)
    int8 = bits_per_character(meta, quantized(model), args.text)
    print(f"{args.text_model}: bits per character float {exact:.4f}, quantize_dynamic {int8:.4f}")


if __name__ == "__main__":
    main()
