"""Adds transformers.js's `num_logits_to_keep` input to an exported GPT-2 decoder.

Generation needs only the last position's logits, but the exported graph projects every prompt position
onto the whole vocabulary: for a 55-token prompt with retrieved pairs that is about a third of the prefill's
work and 1.8 MB of logits per row copied out of onnxruntime. transformers.js passes `num_logits_to_keep`
(1 while generating, 0 for a plain forward that scores every position) when the graph has that input;
here the hidden states are sliced to their last `n` positions before the LM head (`n = 0` keeps all).
"""
from __future__ import annotations

from pathlib import Path

import onnx
from onnx import TensorProto, helper

INPUT = "num_logits_to_keep"


def add_logits_to_keep(path: Path) -> None:
    model = onnx.load(path)
    graph = model.graph
    if any(i.name == INPUT for i in graph.input):
        return
    head = lm_head(graph)
    hidden = head.input[0]
    sliced = f"{hidden}_kept"
    graph.input.append(helper.make_tensor_value_info(INPUT, TensorProto.INT64, []))
    graph.initializer.extend([
        helper.make_tensor(f"{INPUT}_axes", TensorProto.INT64, [1], [1]),
        helper.make_tensor(f"{INPUT}_end", TensorProto.INT64, [1], [2**62]),
        helper.make_tensor(f"{INPUT}_zero", TensorProto.INT64, [1], [0]),
    ])
    nodes = [
        # start = -n: the last n positions; -0 = 0: all of them.
        helper.make_node("Unsqueeze", [INPUT, f"{INPUT}_zero"], [f"{INPUT}_1d"], name=f"{INPUT}/unsqueeze"),
        helper.make_node("Neg", [f"{INPUT}_1d"], [f"{INPUT}_start"], name=f"{INPUT}/neg"),
        helper.make_node("Slice", [hidden, f"{INPUT}_start", f"{INPUT}_end", f"{INPUT}_axes"], [sliced],
                         name=f"{INPUT}/slice"),
    ]
    at = list(graph.node).index(head)
    for offset, node in enumerate(nodes):
        graph.node.insert(at + offset, node)
    head.input[0] = sliced
    onnx.checker.check_model(model)
    onnx.save(model, path)


def lm_head(graph: onnx.GraphProto) -> onnx.NodeProto:
    """The MatMul (or Gemm) whose output becomes `logits`, possibly through a bias Add or a Cast."""
    producers = {out: node for node in graph.node for out in node.output}
    node = producers["logits"]
    while node.op_type not in ("MatMul", "Gemm", "MatMulInteger", "DynamicQuantizeMatMul"):
        node = producers[node.input[0]]
    return node
