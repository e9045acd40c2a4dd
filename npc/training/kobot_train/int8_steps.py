"""Writes `model_step_int8.onnx`: the decoding-step graph with its weight matrices in 8 bits.

A decoding step multiplies one token a row by every weight matrix, so a one-row step mostly reads weights.
onnxruntime's MatMulNBits keeps the layers' matrices (3.1M parameters) as 8-bit blocks of 32, a scale per
block, and multiplies in int8 with each row's activations quantised per block of its own, so no scale depends
on the batch (a one-row step may sum in another order: the engine's confidences moved by at most 0.002 in
tests): a one-row step 0.69 → 0.33 ms, 16 rows 2.5 → 2.1 ms (onnxruntime alone).
The tied logits stay float32: in 8 bits they were no faster once the layers were, and they would add 2 MB.
The cache, embeddings, norms and logits read `model.onnx_data`, as the float32 step graph does.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .decoder_graph import MS, share_weights, with_weight_products

FILE = "model_step_int8.onnx"
BLOCK = 32


def blocks_8bit(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[N, K] float32 (one row an output) → MatMulNBits' uint8 [N, K / 32, 32] (offset by 128) and a scale per block."""
    n, k = weight.shape
    if k % BLOCK:
        raise ValueError(f"the inner size {k} is not a multiple of {BLOCK}")
    grouped = weight.reshape(n, k // BLOCK, BLOCK)
    scale = np.maximum(np.abs(grouped).max(-1), 1e-8) / 127
    quantised = np.clip(np.round(grouped / scale[..., None]), -127, 127) + 128
    return quantised.astype(np.uint8), scale.astype(np.float32).reshape(-1)


def steps_int8_model(step: onnx.ModelProto) -> onnx.ModelProto:
    """`step`: model_step.onnx with its weights loaded. Every MatMul by a weight becomes an 8-bit MatMulNBits."""
    def rewrite(activations: str, weight: str, matrix: np.ndarray, output: str):
        quantised, scale = blocks_8bit(matrix.T)  # [in, out] → one row an output
        name = f"{weight}.8bit"
        product = helper.make_node("MatMulNBits", [activations, name, name + "_scale"], [output],
                                   name=f"{output}/MatMulNBits", domain=MS, K=matrix.shape[0], N=matrix.shape[1],
                                   bits=8, block_size=BLOCK,
                                   accuracy_level=4)  # 4: int8 arithmetic, activations quantised per block
        return [product], [numpy_helper.from_array(quantised, name), numpy_helper.from_array(scale, name + "_scale")]

    return with_weight_products(step, "gpt2_decoder_step_int8", rewrite)


def write_steps_int8(onnx_dir: Path) -> Path:
    """Writes onnx_dir/model_step_int8.onnx from onnx_dir/model_step.onnx."""
    target = onnx_dir / FILE
    onnx.save(share_weights(steps_int8_model(onnx.load(onnx_dir / "model_step.onnx")), onnx_dir), target)
    return target


if __name__ == "__main__":  # adds the int8 step graph to a model folder: python -m kobot_train.int8_steps npc/model
    import sys

    print(write_steps_int8(Path(sys.argv[1]) / "onnx"))
