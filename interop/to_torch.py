#!/usr/bin/python3
"""Run a Carnet model file in PyTorch.

Builds the equivalent PyTorch module from the file's metadata, loads the weights with load_state_dict(strict=True)
and runs it on an input file (safetensors with `input`: (B, T, I) floats or (B, T) token ids, and optionally
`lengths`: (B)). Needs Debian's python3-torch: run it with /usr/bin/python3.

  /usr/bin/python3 interop/to_torch.py model.safetensors --input x.safetensors [--output y.safetensors] [--compare carnet_y.safetensors]
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from carnet_model import CarnetSequenceModel, float_state_dict  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a Carnet model file (.safetensors)")
    parser.add_argument("--input", required=True, help="safetensors with 'input' and optionally 'lengths'")
    parser.add_argument("--output", help="write the prediction here as 'prediction'")
    parser.add_argument("--compare", help="a safetensors file with Carnet's 'prediction' for the same input")
    args = parser.parse_args()

    meta, tensors = read_safetensors(args.model)
    model = CarnetSequenceModel(meta)
    model.load_state_dict(float_state_dict(meta, tensors), strict=True)
    model.eval()
    _, data = read_safetensors(args.input)
    x = data["input"]
    x = x.to(torch.int64) if model.embedding is not None else x.to(torch.float32)
    with torch.no_grad():
        prediction = model(x, data.get("lengths"))
    print(f"{args.model}: {meta['cell']} model, prediction {tuple(prediction.shape)}")
    if args.output:
        write_safetensors(args.output, {"prediction": prediction}, {"source": "interop/to_torch.py"})
    if args.compare:
        _, other = read_safetensors(args.compare)
        difference = (other["prediction"].to(torch.float64) - prediction.to(torch.float64)).abs().max().item()
        print(f"max |Carnet - PyTorch| = {difference:.3e}")
        return 0 if difference <= 1e-5 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
