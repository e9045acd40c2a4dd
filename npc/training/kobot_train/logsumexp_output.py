"""Adds a `logits_logsumexp` output to an exported GPT-2 decoder: log Σ exp(logits) over the vocabulary.

Every answer carries the model's confidence, the mean log-probability of its tokens, and a token's
log-probability is its logit minus this sum. Computed in JavaScript it cost 8000 `Math.exp` per row and
step (~90 µs): about a tenth of a 16-question batch. onnxruntime computes it in ~10 µs a row.
"""
from __future__ import annotations

from pathlib import Path

import onnx
from onnx import TensorProto, helper

OUTPUT = "logits_logsumexp"


def add_logsumexp_output(path: Path) -> None:
    model = onnx.load(path)
    graph = model.graph
    if any(o.name == OUTPUT for o in graph.output):
        return
    graph.initializer.append(helper.make_tensor(f"{OUTPUT}_axes", TensorProto.INT64, [1], [-1]))
    graph.node.append(helper.make_node("ReduceLogSumExp", ["logits", f"{OUTPUT}_axes"], [OUTPUT], keepdims=0,
                                       name=f"{OUTPUT}/reduce"))
    # [batch, positions kept]: one sum per row of logits.
    graph.output.append(helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch_size", "kept_positions"]))
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":  # adds the output to a model exported before it existed
    import sys

    for name in sys.argv[1:]:
        add_logsumexp_output(Path(name))
