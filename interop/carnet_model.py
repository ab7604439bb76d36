"""The PyTorch twin of a Carnet sequence model, built from a Carnet model file's metadata.

A Carnet model file (safetensors) holds the tensors under PyTorch state_dict names with the module prefixes
`embedding.`, `rnn.`, `attention.` (pool=attention only) and `head.`, and its configuration in `__metadata__`
with PyTorch's constructor argument names (`rnn.hidden_size`, `rnn.num_layers`, ...). See docs/INTEROP.md.
"""
import torch
from torch import nn

FORMAT = "carnet-sequence-model"
FORMAT_VERSION = "1"
RNN_ARGS = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size")


def _parse(value):
    if value in ("true", "false"):
        return value == "true"
    try:
        return int(value)
    except ValueError:
        return float(value)


class CarnetSequenceModel(nn.Module):
    """Optional embedding -> LSTM/GRU/RNN (batch_first) -> pooling over time -> linear head.

    pool=attention scores each step with `attention` (nn.Linear(F, 1)), takes the softmax of the scores over each
    sequence's valid steps (padded steps get weight 0) and sums the steps with those weights.
    """

    def __init__(self, meta):
        super().__init__()
        if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"not a Carnet model file of version {FORMAT_VERSION}: format={meta.get('format')}, "
                             f"format_version={meta.get('format_version')}")
        self.cell = meta["cell"]
        self.pool = meta["pool"]
        vocabulary = int(meta["embedding.num_embeddings"])
        if vocabulary > 0:
            padding = meta["embedding.padding_idx"]
            self.embedding = nn.Embedding(vocabulary, int(meta["embedding.embedding_dim"]),
                                          padding_idx=None if padding == "none" else int(padding))
        else:
            self.embedding = None
        args = {name: _parse(meta["rnn." + name]) for name in RNN_ARGS}
        if self.cell == "LSTM":
            self.rnn = nn.LSTM(**args)
        else:
            args.pop("proj_size")
            if self.cell == "GRU":
                self.rnn = nn.GRU(**args)
            else:
                self.rnn = nn.RNN(nonlinearity=meta["rnn.nonlinearity"], **args)
        if self.pool not in ("last", "mean", "max", "none", "attention", "flatten"):
            raise ValueError(f"unknown pool '{self.pool}'")
        features = int(meta["head.in_features"])
        self.attention = nn.Linear(features, 1) if self.pool == "attention" else None
        self.head = nn.Linear(features, int(meta["head.out_features"]))

    def forward(self, x, lengths=None):
        """x: (B, T, I) floats, or (B, T) token ids; lengths: (B) or None. Returns (B, O), or (B, T, O) for pool=none."""
        if self.embedding is not None:
            x = self.embedding(x)
        steps = x.shape[1]
        if lengths is None:
            out, _ = self.rnn(x)
            lengths = torch.full((x.shape[0],), steps, dtype=torch.int64)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, _ = self.rnn(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=steps)
        if self.pool == "last":
            pooled = out[torch.arange(out.shape[0]), lengths - 1]
        elif self.pool == "mean":
            pooled = out.sum(1) / lengths.to(out.dtype).unsqueeze(1)
        elif self.pool == "max":
            valid = torch.arange(steps).unsqueeze(0) < lengths.unsqueeze(1)
            pooled = out.masked_fill(~valid.unsqueeze(2), float("-inf")).max(1).values
        elif self.pool == "flatten":
            pooled = out.reshape(out.shape[0], -1)  # (B, T*F): pool.steps fixed steps side by side
        elif self.pool == "attention":
            valid = torch.arange(steps).unsqueeze(0) < lengths.unsqueeze(1)  # (B, T)
            scores = self.attention(out).squeeze(2).masked_fill(~valid, float("-inf"))  # (B, T)
            pooled = (scores.softmax(1).unsqueeze(2) * out).sum(1)  # (B, F)
        else:
            pooled = out
        return self.head(pooled)


def float_state_dict(meta, tensors):
    """The state_dict of a Carnet file as float32; an int8 file's weights (I8 with '<name>_scale' row scales,
    metadata quantization=int8-symmetric-per-row) become the numbers they stand for, q * scale per row."""
    if meta.get("quantization") not in (None, "int8-symmetric-per-row"):
        raise ValueError(f"unknown quantization '{meta['quantization']}'")
    state = {}
    for name, t in tensors.items():
        if name.endswith("_scale") and name[:-len("_scale")] in tensors and tensors[name[:-len("_scale")]].dtype == torch.int8:
            continue
        if t.dtype == torch.int8:
            scale = tensors[name + "_scale"].to(torch.float32)
            t = t.to(torch.float32) * scale.reshape(-1, *([1] * (t.dim() - 1)))
        state[name] = t.to(torch.float32)
    return state


def carnet_metadata(model, pool):
    """The metadata of a Carnet model file for a CarnetSequenceModel-shaped set of modules."""
    rnn = model.rnn
    cell = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "RNN"}[type(rnn).__name__]
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "cell": cell, "pool": pool}
    embedding = model.embedding
    meta["embedding.num_embeddings"] = str(embedding.num_embeddings if embedding is not None else 0)
    meta["embedding.embedding_dim"] = str(embedding.embedding_dim if embedding is not None else 0)
    padding = embedding.padding_idx if embedding is not None else None
    meta["embedding.padding_idx"] = "none" if padding is None else str(padding)
    for name in RNN_ARGS:
        value = getattr(rnn, name, 0)
        meta["rnn." + name] = ("true" if value else "false") if isinstance(value, bool) else repr(value) if isinstance(value, float) else str(value)
    meta["rnn.batch_first"] = "true"
    meta["rnn.nonlinearity"] = getattr(rnn, "nonlinearity", "tanh")
    meta["head.in_features"] = str(model.head.in_features)
    meta["head.out_features"] = str(model.head.out_features)
    if pool == "flatten":
        width = (2 if rnn.bidirectional else 1) * (rnn.proj_size if getattr(rnn, "proj_size", 0) else rnn.hidden_size)
        meta["pool.steps"] = str(model.head.in_features // width)
    return meta
