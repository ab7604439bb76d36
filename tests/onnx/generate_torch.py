#!/usr/bin/env python3
"""Writes tests/onnx/torch: recurrent models exported by PyTorch's ONNX exporter, each as NAME.onnx beside
NAME.io.safetensors holding one tensor per graph input (the first named x) and one per graph output (the first named
y), the outputs computed by PyTorch itself in float32.

    /usr/bin/python3 tests/onnx/generate_torch.py      # Debian's python3-torch (PyTorch 1.13.1) and python3-onnx

Cases: every cell (LSTM, GRU, RNN with tanh and relu) × one or two directions × one or two layers × batch-first or
time-major, half with dynamic batch and step axes (the exporter then builds the initial states from Shape, Gather,
ConstantOfShape…), a few fed initial states; and sequence models (features or token ids → embedding → recurrent stack
→ last step, mean or max over time → linear). Opsets cycle through 9–17 so operator versions differ.
"""
import io
import os
import sys
import warnings

import onnx
import torch
from torch import nn

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop"))
from safetensors_io import write_safetensors  # noqa: E402

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch")
OPSETS = [9, 10, 11, 12, 13, 14, 15, 16, 17]
INPUT, HIDDEN, STEPS, BATCH, VOCABULARY = 4, 5, 6, 3, 11


def recurrent(cell, inputs, layers, bidirectional, batch_first):
    kinds = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN, "rnnrelu": nn.RNN}
    extra = {"nonlinearity": "relu"} if cell == "rnnrelu" else {}
    return kinds[cell](inputs, HIDDEN, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, **extra)


class Raw(nn.Module):
    """The recurrent module alone: outputs output, h_n (and c_n)."""

    def __init__(self, cell, layers, bidirectional, batch_first):
        super().__init__()
        self.rnn = recurrent(cell, INPUT, layers, bidirectional, batch_first)

    def forward(self, x, *state):
        if not state:
            output, final = self.rnn(x)
        else:
            output, final = self.rnn(x, state if len(state) == 2 else state[0])
        return (output, *final) if isinstance(final, tuple) else (output, final)


class Sequence(nn.Module):
    """features or tokens → [embedding] → recurrent stack (batch-first) → pooling over time → linear."""

    def __init__(self, cell, layers, bidirectional, tokens, pooling, batch_first=True, outputs=3):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, INPUT) if tokens else None
        self.rnn = recurrent(cell, INPUT, layers, bidirectional, batch_first)
        self.head = nn.Linear(HIDDEN * (2 if bidirectional else 1), outputs)
        self.pooling, self.batch_first = pooling, batch_first

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)
        output, _ = self.rnn(x)
        time = 1 if self.batch_first else 0
        if self.pooling == "last":
            pooled = output[:, -1] if self.batch_first else output[-1]
        elif self.pooling == "mean":
            pooled = output.mean(dim=time)
        else:
            pooled = output.max(dim=time).values
        return self.head(pooled)


def export(name, module, inputs, input_names, output_names, opset, dynamic):
    module.eval()
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(1.5)  # PyTorch's init is small: make the gates work over their range
        outputs = module(*inputs)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    axes = None
    if dynamic:
        axes = {}
        for tensor_name, tensor in zip(input_names, inputs):
            if tensor_name == "x":
                axes[tensor_name] = {0: "batch", 1: "steps"} if module_batch_first(module) else {0: "steps", 1: "batch"}
            else:
                axes[tensor_name] = {1: "batch"}
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, tuple(inputs), buffer, input_names=input_names, output_names=output_names,
                          opset_version=opset, dynamic_axes=axes, do_constant_folding=True)
    model = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(model)
    with open(os.path.join(FOLDER, name + ".onnx"), "wb") as f:
        f.write(buffer.getvalue())
    tensors = dict(zip(input_names, inputs))
    tensors.update(zip(output_names, outputs))
    write_safetensors(os.path.join(FOLDER, name + ".io.safetensors"), tensors, {"opset": opset})
    return sorted({n.op_type for n in model.graph.node})


def module_batch_first(module):
    return module.rnn.batch_first


def main():
    os.makedirs(FOLDER, exist_ok=True)
    for old in os.listdir(FOLDER):
        os.remove(os.path.join(FOLDER, old))
    torch.manual_seed(2026)
    operators, index = set(), 0
    for cell in ["lstm", "gru", "rnn", "rnnrelu"]:
        for bidirectional in [False, True]:
            for layers in [1, 2]:
                for batch_first in [False, True]:
                    opset, dynamic = OPSETS[index % len(OPSETS)], index % 2 == 1
                    states = index % 5 == 0
                    module = Raw(cell, layers, bidirectional, batch_first)
                    x = torch.randn(BATCH, STEPS, INPUT) if batch_first else torch.randn(STEPS, BATCH, INPUT)
                    inputs, names = [x], ["x"]
                    if states:
                        count = layers * (2 if bidirectional else 1)
                        inputs.append(torch.randn(count, BATCH, HIDDEN) * 0.5)
                        names.append("h0")
                        if cell == "lstm":
                            inputs.append(torch.randn(count, BATCH, HIDDEN) * 0.5)
                            names.append("c0")
                    outputs = ["y", "h_n", "c_n"] if cell == "lstm" else ["y", "h_n"]
                    name = f"{cell}_{'bi' if bidirectional else 'uni'}_l{layers}_{'bf' if batch_first else 'tm'}" \
                           f"{'_dyn' if dynamic else ''}{'_state' if states else ''}_op{opset}"
                    ops = export(name, module, inputs, names, outputs, opset, dynamic)
                    operators.update(ops)
                    print(f"{name}: {', '.join(ops)}")
                    index += 1
    sequences = [
        ("seq_lstm_last", "lstm", 1, False, False, "last", True),
        ("seq_gru_tokens_last", "gru", 1, False, True, "last", True),
        ("seq_rnn_tokens_bi_last", "rnn", 1, True, True, "last", True),
        ("seq_lstm_tokens_l2_last", "lstm", 2, False, True, "last", True),
        ("seq_gru_bi_l2_last", "gru", 2, True, False, "last", True),
        ("seq_lstm_mean", "lstm", 1, False, False, "mean", True),
        ("seq_gru_max", "gru", 1, False, False, "max", True),
        ("seq_lstm_timemajor_last", "lstm", 1, False, False, "last", False),
    ]
    for position, (name, cell, layers, bidirectional, tokens, pooling, batch_first) in enumerate(sequences):
        opset, dynamic = [11, 13, 14, 17][position % 4], position % 2 == 0
        module = Sequence(cell, layers, bidirectional, tokens, pooling, batch_first)
        shape = (BATCH, STEPS) if batch_first else (STEPS, BATCH)
        x = torch.randint(0, VOCABULARY, shape) if tokens else torch.randn(*shape, INPUT)
        name = f"{name}{'_dyn' if dynamic else ''}_op{opset}"
        ops = export(name, module, [x], ["x"], ["y"], opset, dynamic)
        operators.update(ops)
        print(f"{name}: {', '.join(ops)}")
    print("operators:", ", ".join(sorted(operators)))


if __name__ == "__main__":
    main()
