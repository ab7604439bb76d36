#!/usr/bin/python3
"""Save a PyTorch model of a supported shape as a Carnet model file.

Supported shape: optional nn.Embedding -> nn.LSTM / nn.GRU / nn.RNN (batch_first=True) -> pooling over time
(last, mean, max, none, attention) -> nn.Linear; in code, any module with attributes `embedding` (or None), `rnn`
and `head`, plus `attention` (nn.Linear(F, 1), scoring each step) for pool=attention.
Needs Debian's python3-torch: run it with /usr/bin/python3.

As a library:   from from_torch import save_carnet;  save_carnet(my_module, "last", "model.safetensors")
From a state_dict saved with torch.save (keys embedding.*, rnn.*, attention.*, head.*) and the constructor arguments:
  /usr/bin/python3 interop/from_torch.py --state-dict model.pt --cell LSTM --input-size 1 --hidden-size 32 \\
      --head-out 1 --pool last --out model.safetensors
A random example model (for trying the round trip):
  /usr/bin/python3 interop/from_torch.py --cell GRU --input-size 3 --hidden-size 8 --num-layers 2 --bidirectional \\
      --head-out 2 --pool mean --seed 1 --out model.safetensors
"""
import argparse
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from carnet_model import CarnetSequenceModel, carnet_metadata  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402


def save_carnet(module, pool, path):
    """Write `module` (attributes embedding or None, rnn with batch_first=True, head, and attention for
    pool=attention) as a Carnet model file."""
    if not module.rnn.batch_first:
        raise ValueError("Carnet sequence models are batch-first: build the recurrent layer with batch_first=True")
    meta = carnet_metadata(module, pool)
    CarnetSequenceModel(meta).load_state_dict(module.state_dict(), strict=True)  # the shape is supported
    tensors = {name: t.detach().to(torch.float32) for name, t in module.state_dict().items()}
    temporary = path + ".tmp"
    write_safetensors(temporary, tensors, meta)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dict", help="a torch.save'd state_dict with keys embedding.*, rnn.*, attention.*, head.*")
    parser.add_argument("--cell", choices=["LSTM", "GRU", "RNN"], required=True)
    parser.add_argument("--input-size", type=int, required=True)
    parser.add_argument("--hidden-size", type=int, required=True)
    parser.add_argument("--num-layers", type=int, default=1)
    parser.add_argument("--bidirectional", action="store_true")
    parser.add_argument("--proj-size", type=int, default=0)
    parser.add_argument("--nonlinearity", default="tanh")
    parser.add_argument("--no-bias", action="store_true")
    parser.add_argument("--vocab-size", type=int, default=0)
    parser.add_argument("--padding-idx", type=int)
    parser.add_argument("--head-out", type=int, required=True)
    parser.add_argument("--pool", choices=["last", "mean", "max", "none", "attention"], default="last")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    meta = {"format": "carnet-sequence-model", "format_version": "1", "cell": args.cell, "pool": args.pool,
            "embedding.num_embeddings": str(args.vocab_size), "embedding.embedding_dim": str(args.input_size if args.vocab_size else 0),
            "embedding.padding_idx": "none" if args.padding_idx is None else str(args.padding_idx),
            "rnn.input_size": str(args.input_size), "rnn.hidden_size": str(args.hidden_size), "rnn.num_layers": str(args.num_layers),
            "rnn.bias": "false" if args.no_bias else "true", "rnn.batch_first": "true", "rnn.dropout": "0.0",
            "rnn.bidirectional": "true" if args.bidirectional else "false", "rnn.proj_size": str(args.proj_size),
            "rnn.nonlinearity": args.nonlinearity,
            "head.in_features": str((2 if args.bidirectional else 1) * (args.proj_size or args.hidden_size)),
            "head.out_features": str(args.head_out)}
    model = CarnetSequenceModel(meta)
    if args.state_dict:
        model.load_state_dict(torch.load(args.state_dict, map_location="cpu"), strict=True)
    save_carnet(model, args.pool, args.out)
    print(f"wrote {args.out}: {args.cell} model, {sum(p.numel() for p in model.parameters())} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
