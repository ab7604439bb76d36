#!/usr/bin/env python3
"""Copies ONNX's own node tests (Debian's libonnx-testdata, ONNX 1.12) that Carnet's runtime is meant to run into
tests/onnx/node: every test whose graph uses only operators Carnet supports and only float32, int64, int32 and bool
tensors. Prints what it copied and, for tests of a supported operator it skipped, why.

    apt-get install -y libonnx-testdata python3-onnx
    /usr/bin/python3 tests/onnx/copy_node_tests.py
"""
import os
import shutil
import sys

import onnx

SOURCE = "/usr/share/libonnx-testdata/data/node"
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
SUPPORTED = {
    "Abs", "Add", "Cast", "Concat", "Constant", "ConstantOfShape", "Div", "Dropout", "Equal", "Exp", "Expand", "Flatten",
    "GRU", "Gather", "GatherElements", "Gemm", "Greater", "GRU", "Identity", "LSTM", "Less", "LogSoftmax", "MatMul", "Max",
    "Min", "Mul", "Neg", "Not", "Pow", "RNN", "Range", "ReduceMax", "ReduceMean", "ReduceSum", "Relu", "Reshape", "Shape",
    "Sigmoid", "Slice", "Softmax", "Split", "Sqrt", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze", "Where",
}
TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.INT64, onnx.TensorProto.INT32, onnx.TensorProto.BOOL}


def reason_to_skip(name, model):
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < 7:
        return f"opset {opset}: Carnet runs opsets 7 and later"
    if name.startswith("test_training_dropout"):
        return "Dropout in training mode: Carnet runs graphs for inference"
    unsupported = sorted({n.op_type for n in graph.node if n.op_type not in SUPPORTED or n.domain not in ("", "ai.onnx")})
    if unsupported:
        return "operators " + ", ".join(unsupported)
    for value in list(graph.input) + list(graph.output):
        kind = value.type.WhichOneof("value")
        if kind != "tensor_type":
            return f"{value.name} is a {kind}"
        if value.type.tensor_type.elem_type not in TYPES:
            return f"{value.name} is {onnx.TensorProto.DataType.Name(value.type.tensor_type.elem_type)}"
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type not in TYPES:
                return f"{node.op_type} holds a {onnx.TensorProto.DataType.Name(attribute.t.data_type)} tensor"
            if attribute.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                return f"{node.op_type} has a subgraph"
    return None


def main():
    if os.path.isdir(TARGET):
        shutil.rmtree(TARGET)
    os.makedirs(TARGET)
    copied, skipped = [], []
    for name in sorted(os.listdir(SOURCE)):
        model = onnx.load(os.path.join(SOURCE, name, "model.onnx"))
        reason = reason_to_skip(name, model)
        if reason is None:
            shutil.copytree(os.path.join(SOURCE, name), os.path.join(TARGET, name))
            copied.append(name)
        elif any(n.op_type in SUPPORTED for n in model.graph.node):
            skipped.append((name, reason))
    for name in copied:
        print("copied ", name)
    for name, reason in skipped:
        print(f"skipped {name}: {reason}")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(TARGET) for f in files)
    print(f"{len(copied)} copied ({size / 1024:.0f} KiB), {len(skipped)} skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
