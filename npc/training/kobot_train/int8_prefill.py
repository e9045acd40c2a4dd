"""Writes `model_prefill_int8.onnx`: the full decoder with its matrix products in int8, for prefilling prompts.

A prefill multiplies every prompt token by every weight matrix: a matrix product that int8 (VNNI) does in
about half the time of float32 (16 prompts of 55 tokens: 39 → 22 ms; one prompt 3.4 → 2.7 ms). onnxruntime's
dynamic quantisation (`model_quantized.onnx`) scales a product's input by its largest value in the whole batch,
so a player's answer would depend on who else asked in the same batch. Here each token's activations get
their own scale (symmetric, stored as uint8 around 128), and each weight column its own, so a row's result
is the same alone or in any batch, and closer to float32 (largest logit error 0.2 against 0.45).

The weights take 7 bits (±63), not 8: without VNNI (AVX2 only), onnxruntime multiplies u8 × s8 with vpmaddubsw,
whose sums of two products saturate at 16 bits (255 × 127 × 2 > 32767), on some matrix shapes and not others, so a
prompt's logits moved by up to 0.055 with the padding its batch gave it, and one question in a hundred got other
words beside another player's than alone. 255 × 63 × 2 fits: the sums are exact on every CPU and shape. The shipped
model scores the same on the test split (chrF 13.88 → 13.87, verbatim copies 50.0% → 49.6%).

Decoding steps have a graph of their own (`int8_steps.py`): one token a row mostly reads weights, where
onnxruntime's 8-bit MatMulNBits pays and these extra kernels a product would not. The graph's other weights
(embeddings, norms, biases) are read from `model.onnx_data`, as the step graph reads them; only the int8
matrices are stored in this file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .decoder_graph import share_weights, with_weight_products

FILE = "model_prefill_int8.onnx"


def quantised_columns(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[in, out] float32 → int8 [in, out] in 7 bits (±63: no sum saturates without VNNI) and a float32 scale per output column."""
    scale = np.maximum(np.abs(weight).max(axis=0), 1e-8) / 63
    return np.clip(np.round(weight / scale), -63, 63).astype(np.int8), scale.astype(np.float32)


def _int8_product(activations: str, weight: str, width: int, output: str) -> list[onnx.NodeProto]:
    """activations [.., width] × int8 weight: each token quantised with its own scale (largest |value| / 127)."""
    p = f"{output}_int8"
    node = lambda op, inputs, outputs, **attrs: helper.make_node(op, inputs, outputs, name=f"{outputs[0]}/{op}", **attrs)
    return [
        node("Abs", [activations], [p + "_abs"]),
        node("ReduceMax", [p + "_abs", "int8_last_axis"], [p + "_max"], keepdims=1),
        node("Max", [p + "_max", "int8_tiny"], [p + "_range"]),
        node("Mul", [p + "_range", "int8_step"], [p + "_scale"]),  # [.., 1]: one scale a token
        node("Shape", [p + "_scale"], [p + "_scale_shape"]),
        node("ConstantOfShape", [p + "_scale_shape"], [p + "_zero_point"],
             value=numpy_helper.from_array(np.array([128], np.uint8))),
        # One block as wide as a token's row: a scale (and zero point) per token.
        node("QuantizeLinear", [activations, p + "_scale", p + "_zero_point"], [p + "_quantised"], axis=-1, block_size=width),
        node("MatMulInteger", [p + "_quantised", f"{weight}.int8", "int8_zero_point"], [p + "_sum"]),
        node("Cast", [p + "_sum"], [p + "_float"], to=TensorProto.FLOAT),
        node("Mul", [p + "_float", p + "_scale"], [p + "_token_scaled"]),
        node("Mul", [p + "_token_scaled", f"{weight}.int8_scale"], [output]),
    ]


def prefill_int8_model(decoder: onnx.ModelProto) -> onnx.ModelProto:
    """`decoder`: model.onnx with its weights loaded. Every MatMul by a weight becomes an int8 product; the
    rest of the graph, inputs and outputs are unchanged."""
    def rewrite(activations: str, weight: str, matrix: np.ndarray, output: str):
        quantised, scale = quantised_columns(matrix)
        return (_int8_product(activations, weight, matrix.shape[0], output),
                [numpy_helper.from_array(quantised, f"{weight}.int8"), numpy_helper.from_array(scale, f"{weight}.int8_scale")])

    constants = [numpy_helper.from_array(np.array([-1], np.int64), "int8_last_axis"),
                 numpy_helper.from_array(np.array(1e-8, np.float32), "int8_tiny"),
                 numpy_helper.from_array(np.array(1 / 127, np.float32), "int8_step"),
                 numpy_helper.from_array(np.array(128, np.uint8), "int8_zero_point")]
    # Opset 21: QuantizeLinear with a scale per block.
    opsets = [helper.make_opsetid(o.domain, 21 if o.domain == "" else o.version) for o in decoder.opset_import]
    return with_weight_products(decoder, "gpt2_decoder_int8_prefill", rewrite, constants, opsets, ir_version=10)


def write_prefill_int8(onnx_dir: Path) -> Path:
    """Writes onnx_dir/model_prefill_int8.onnx from onnx_dir/model.onnx, its float32 weights read from the
    same `model.onnx_data`."""
    target = onnx_dir / FILE
    onnx.save(share_weights(prefill_int8_model(onnx.load(onnx_dir / "model.onnx")), onnx_dir), target)
    return target


if __name__ == "__main__":  # adds the int8 prefill graph to a model folder: python -m kobot_train.int8_prefill npc/model
    import sys

    print(write_prefill_int8(Path(sys.argv[1]) / "onnx"))
