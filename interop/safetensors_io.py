"""Minimal safetensors reader/writer (no dependency on the `safetensors` package).

File layout:
  8 bytes   little-endian u64 N = length of the JSON header
  N bytes   JSON header: {"<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
                          "__metadata__": {"<key>": "<string value>", ...}}
            padded with spaces so that N is a multiple of 8
  rest      raw little-endian tensor data; data_offsets are relative to the end of the header

Tensors are written in the order given (a dict keeps insertion order), the metadata last, the JSON compact:
this is exactly how the stored golden files are laid out. Shared by the interop scripts and the golden
generators in tests/golden.
"""
import json
import struct

import numpy as np
import torch

# safetensors dtype name <-> numpy little-endian dtype
_NP = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "F16": "<f2", "I8": "i1"}


def read_safetensors(path):
    """Return (metadata dict of str, dict name -> torch tensor) in file order."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=_NP[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return meta, tensors


def write_safetensors(path, tensors, meta, float_dtype="F32"):
    """Write tensors (dict name -> tensor, in order) and meta (dict of str) to path.

    Integer tensors are stored as I64, everything else as `float_dtype`: F32 (float64 results are rounded once,
    here) or F64 (references that need double precision).
    """
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu()
        if t.dtype in (torch.int64, torch.int32):
            dtype, raw = "I64", t.numpy().astype(_NP["I64"]).tobytes()
        else:
            torch_dtype = torch.float64 if float_dtype == "F64" else torch.float32
            dtype, raw = float_dtype, t.to(torch_dtype).contiguous().numpy().astype(_NP[float_dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad to a multiple of 8 with spaces
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def check_folder(folder, difference, tolerance):
    """Recompute every file of a golden folder: difference(meta, tensors) gives a file's largest deviation from its
    stored values. Prints one line per file and exits 1 when any is above tolerance (the generators' --check)."""
    import os
    import sys
    worst = 0.0
    for file in sorted(os.listdir(folder)):
        meta, tensors = read_safetensors(os.path.join(folder, file))
        deviation = difference(meta, tensors)
        worst = max(worst, deviation)
        print(f"{file}: {deviation:.3e}")
    sys.exit(1 if worst > tolerance else 0)
