"""Writes a GPT-2 decoder as an ONNX graph of onnxruntime's fused operators, with a KV cache.

The graph torch.onnx exports runs 447 kernels a step: a third of a one-row step is shape bookkeeping, and at
16 rows a third is transposing and concatenating the KV cache. Here, from the same weights (kept under their
PyTorch names, which `onnx_weights.py` reads back), a layer is MatMul → Split → MultiHeadAttention
(causal, key-padding mask, past → present) → MatMul → SkipLayerNormalization → MatMul → FastGelu → MatMul →
SkipLayerNormalization: 45 kernels a step, a decoding step 1.2–1.7× faster (onnxruntime-node, 1 and 16 rows).
(Each SkipLayerNormalization is now Add → Add → LayerNormalization, faster on many rows: `_add_and_norm`; older exports
keep the fused kernel.)

A second graph, `model_step.onnx`, decodes one token a row over a cache the engine keeps in preallocated
buffers (`step_model`): nothing in it copies the cache. Both read one weights file, `model.onnx_data`.

The full graph keeps what the engine asks of an export:
- `num_logits_to_keep`: transformers.js passes 1 while generating (only the last position is projected onto
  the vocabulary: a third of a prefill's work otherwise) and 0 for a forward that scores every position;
- `logits_logsumexp`: log Σ exp(logits) over the vocabulary, the denominator of a token's log-probability
  (an answer's confidence); in JavaScript it cost 8000 `Math.exp` a row and step.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"


def check_supported(config: dict) -> None:
    """The fused operators compute GPT-2 as Hugging Face's defaults do; anything else is refused, not guessed."""
    wanted = {"activation_function": "gelu_new", "scale_attn_weights": True, "scale_attn_by_inverse_layer_idx": False,
              "reorder_and_upcast_attn": False, "add_cross_attention": False, "tie_word_embeddings": True}
    odd = {k: config.get(k, v) for k, v in wanted.items() if config.get(k, v) != v}
    if config.get("model_type") != "gpt2" or odd:
        raise ValueError(f"cannot fuse this decoder: model_type {config.get('model_type')!r}, settings {odd}")


class _Graph:
    """Nodes, constants and I/O of a graph being written; weights are added by name when it is saved."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.constants: list[onnx.TensorProto] = []

    def const(self, name: str, values: list, dtype=np.int64) -> str:
        self.constants.append(numpy_helper.from_array(np.array(values, dtype=dtype), name))
        return name

    def node(self, op: str, inputs: list[str], outputs: list[str], domain: str | None = None, **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, outputs, name=f"{outputs[0]}/{op}", domain=domain, **attrs))
        return outputs[0]

    def model(self, name: str, inputs: list, outputs: list, weights: Mapping[str, np.ndarray]) -> onnx.ModelProto:
        used = sorted({n for node in self.nodes for n in node.input if n.startswith("transformer.")})
        missing = [n for n in used if n not in weights]
        if missing:
            raise ValueError(f"not a GPT-2 state dict: lacks {missing[:5]}")
        initializers = [numpy_helper.from_array(np.asarray(weights[n], dtype=np.float32), n) for n in used]
        graph = helper.make_graph(self.nodes, name, inputs, outputs, initializers + self.constants)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid(MS, 1)])
        model.ir_version = 9
        onnx.checker.check_model(model)
        return model


def _layers(g: _Graph, config: dict, hidden: str, attention) -> str:
    """GPT-2's blocks and final norm over `hidden`; `attention(i, q, k, v)` (biased [batch, sequence, width]
    projections) returns layer i's attention output. Returns the final hidden states."""
    layers, eps = config["n_layer"], config["layer_norm_epsilon"]
    normed = g.node("LayerNormalization", [hidden, "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias"],
                    ["h0_ln_1"], epsilon=eps, axis=-1)
    residual = hidden
    for i in range(layers):
        p = f"transformer.h.{i}."
        qkv = g.node("MatMul", [normed, p + "attn.c_attn.weight"], [f"h{i}_qkv"])
        g.node("Split", [qkv], [f"h{i}_q", f"h{i}_k", f"h{i}_v"], axis=-1, num_outputs=3)
        attended = attention(i, f"h{i}_q", f"h{i}_k", f"h{i}_v")
        projected = g.node("MatMul", [attended, p + "attn.c_proj.weight"], [f"h{i}_attn_out"])
        # ln_2(residual + attention + bias), and that sum: the new residual.
        _add_and_norm(g, projected, residual, p + "attn.c_proj.bias", p + "ln_2", f"h{i}_ln_2", f"h{i}_mid", eps)
        expanded = g.node("MatMul", [f"h{i}_ln_2", p + "mlp.c_fc.weight"], [f"h{i}_fc"])
        activated = g.node("FastGelu", [expanded, p + "mlp.c_fc.bias"], [f"h{i}_gelu"], domain=MS)  # gelu_new
        mlp = g.node("MatMul", [activated, p + "mlp.c_proj.weight"], [f"h{i}_mlp_out"])
        # The next layer's ln_1 (or the final ln_f) of residual + MLP + bias.
        norm = f"transformer.h.{i + 1}.ln_1" if i + 1 < layers else "transformer.ln_f"
        normed, residual = f"h{i + 1}_ln_1" if i + 1 < layers else "final_hidden", f"h{i}_out"
        _add_and_norm(g, mlp, f"h{i}_mid", p + "mlp.c_proj.bias", norm, normed, residual, eps)
    return normed


def _add_and_norm(g: _Graph, x: str, residual: str, bias: str, norm: str, normed: str, total: str, eps: float) -> None:
    """`total` = x + residual + bias (the next residual) and `normed` = its layer norm `norm`. Three plain kernels:
    onnxruntime's fused SkipLayerNormalization took twice as long on a batch of prompts (16 × 55 tokens: 792 µs
    against 394): with it, int8 prefills were 8–19% slower and 16- to 32-row steps 4–6%."""
    g.node("Add", [g.node("Add", [x, residual], [f"{total}_unbiased"]), bias], [total])
    g.node("LayerNormalization", [total, norm + ".weight", norm + ".bias"], [normed], epsilon=eps, axis=-1)


def _embeddings(g: _Graph) -> str:
    return g.node("Add", [g.node("Gather", ["transformer.wte.weight", "input_ids"], ["token_embeddings"]),
                          g.node("Gather", ["transformer.wpe.weight", "position_ids"], ["position_embeddings"])],
                  ["embeddings"])


def _logits(g: _Graph, kept_hidden: str) -> None:
    """Logits through the tied embedding (checked by check_supported) and their log Σ exp.

    log Σ exp is written out as max + log Σ exp(logits − max): onnxruntime's own ReduceLogSumExp kernel took about
    a sixth of a 16-row decoding step (int8, profiled: 608 µs of 5 ms), these six plain kernels a third of that.
    """
    g.node("FusedMatMul", [kept_hidden, "transformer.wte.weight"], ["logits"], domain=MS, transB=1)
    axis = g.const("axis_last", [-1])
    peak = g.node("ReduceMax", ["logits", axis], ["logits_max"], keepdims=1)
    exp = g.node("Exp", [g.node("Sub", ["logits", peak], ["logits_shifted"])], ["logits_exp"])
    log_sum = g.node("Log", [g.node("ReduceSum", [exp, axis], ["logits_sum_exp"], keepdims=0)], ["logits_log_sum_exp"])
    g.node("Add", [log_sum, g.node("Squeeze", [peak, axis], ["logits_max_row"])], ["logits_logsumexp"])


def cache_names(layers: int) -> list[str]:
    return [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]


def decoder_model(weights: Mapping[str, np.ndarray], config: dict) -> onnx.ModelProto:
    """`weights`: a GPT2LMHeadModel's state dict as arrays; `config`: its config.json as a dict."""
    check_supported(config)
    heads, layers, vocab = config["n_head"], config["n_layer"], config["vocab_size"]
    head_size = config["n_embd"] // heads
    g = _Graph()
    value = helper.make_tensor_value_info
    past = cache_names(layers)
    present = [name.replace("past_key_values", "present") for name in past]
    inputs = [value("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              *[value(name, TensorProto.FLOAT, ["batch_size", heads, "past_sequence_length", head_size]) for name in past],
              value("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
              value("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              value("num_logits_to_keep", TensorProto.INT64, [])]
    outputs = [value("logits", TensorProto.FLOAT, ["batch_size", "kept_positions", vocab]),
               *[value(name, TensorProto.FLOAT, ["batch_size", heads, "total_sequence_length", head_size])
                 for name in present],
               value("logits_logsumexp", TensorProto.FLOAT, ["batch_size", "kept_positions"])]
    mask = g.node("Cast", ["attention_mask"], ["key_padding_mask"], to=TensorProto.INT32)

    def attention(i: int, q: str, k: str, v: str) -> str:
        # The q|k|v bias goes in the attention operator; `unidirectional`: a token sees only those before it.
        return g.node("MultiHeadAttention",
                      [q, k, v, f"transformer.h.{i}.attn.c_attn.bias", mask, "", past[2 * i], past[2 * i + 1]],
                      [f"h{i}_attention", present[2 * i], present[2 * i + 1]],
                      domain=MS, num_heads=heads, unidirectional=1)

    final = _layers(g, config, _embeddings(g), attention)
    # The last n positions (n = 0: all of them) onto the vocabulary.
    start = g.node("Neg", [g.node("Unsqueeze", ["num_logits_to_keep", g.const("axis_0", [0])], ["keep"])], ["keep_from"])
    kept = g.node("Slice", [final, start, g.const("to_end", [2**62]), g.const("axis_1", [1])], ["kept_hidden"])
    _logits(g, kept)
    return g.model("gpt2_decoder", inputs, outputs, weights)


def step_model(weights: Mapping[str, np.ndarray], config: dict) -> onnx.ModelProto:
    """One decoding step (one new token a row) over a cache the caller keeps and never has copied.

    The full decoder's MultiHeadAttention returns past + new as `present`: every step copies the whole cache
    (and onnxruntime-node copies it again into JavaScript), ~40% of a 16-row step. Here the cache comes in
    as fixed-width buffers [batch, heads, width, head size] with `cache_bias` (0 for a filled slot, −∞ for an
    empty one, [batch, 1, 1, width]); attention reads them in place and adds the new token's own key and value;
    only the new keys and values go out (`new.N.key|value`, [batch, heads, 1, head size]), for the caller to
    write into the next slot.
    """
    check_supported(config)
    width, heads, layers, vocab = config["n_embd"], config["n_head"], config["n_layer"], config["vocab_size"]
    head_size = width // heads
    g = _Graph()
    value = helper.make_tensor_value_info
    past = cache_names(layers)
    new = [name.replace("past_key_values", "new") for name in past]
    inputs = [value("input_ids", TensorProto.INT64, ["batch_size", 1]),
              value("position_ids", TensorProto.INT64, ["batch_size", 1]),
              value("cache_bias", TensorProto.FLOAT, ["batch_size", 1, 1, "cache_width"]),
              *[value(name, TensorProto.FLOAT, ["batch_size", heads, "cache_width", head_size]) for name in past]]
    outputs = [value("logits", TensorProto.FLOAT, ["batch_size", 1, vocab]),
               value("logits_logsumexp", TensorProto.FLOAT, ["batch_size", 1]),
               *[value(name, TensorProto.FLOAT, ["batch_size", heads, 1, head_size]) for name in new]]
    split_heads, join_heads = g.const("split_heads", [0, 1, heads, head_size]), g.const("join_heads", [0, 1, width])
    scale = g.const("scale", [1 / np.sqrt(head_size)], np.float32)
    last_axis, first, last, to_end = (g.const(n, v) for n, v in
                                      [("last_axis", [-1]), ("first", [0]), ("last", [-1]), ("to_end", [2**62])])

    def attention(i: int, q: str, k: str, v: str) -> str:
        p, bias = f"transformer.h.{i}.attn.c_attn.bias", f"h{i}_"
        g.node("Split", [p], [bias + "bq", bias + "bk", bias + "bv"], axis=0, num_outputs=3)

        def heads_of(x: str, b: str, out: str) -> str:  # [batch, 1, width] + bias → [batch, heads, 1, head size]
            biased = g.node("Add", [x, b], [x + "_biased"])
            return g.node("Transpose", [g.node("Reshape", [biased, split_heads], [x + "_split"])], [out], perm=[0, 2, 1, 3])

        query = g.node("Mul", [heads_of(q, bias + "bq", f"h{i}_query"), scale], [f"h{i}_scaled"])
        key, val = heads_of(k, bias + "bk", new[2 * i]), heads_of(v, bias + "bv", new[2 * i + 1])
        cached = g.node("Add", [g.node("FusedMatMul", [query, past[2 * i]], [f"h{i}_cache_scores"], domain=MS, transB=1),
                                "cache_bias"], [f"h{i}_cache_scores_masked"])  # [batch, heads, 1, width]
        own = g.node("ReduceSum", [g.node("Mul", [query, key], [f"h{i}_qk"]), last_axis], [f"h{i}_own_score"], keepdims=1)
        weights_all = g.node("Softmax", [g.node("Concat", [cached, own], [f"h{i}_scores"], axis=-1)], [f"h{i}_weights"], axis=-1)
        on_cache = g.node("Slice", [weights_all, first, last, last_axis], [f"h{i}_cache_weights"])
        on_own = g.node("Slice", [weights_all, last, to_end, last_axis], [f"h{i}_own_weight"])
        mixed = g.node("Add", [g.node("MatMul", [on_cache, past[2 * i + 1]], [f"h{i}_cache_mix"]),
                               g.node("Mul", [on_own, val], [f"h{i}_own_mix"])], [f"h{i}_mix"])
        return g.node("Reshape", [g.node("Transpose", [mixed], [f"h{i}_mix_t"], perm=[0, 2, 1, 3]), join_heads],
                      [f"h{i}_attention"])

    _logits(g, _layers(g, config, _embeddings(g), attention))
    return g.model("gpt2_decoder_step", inputs, outputs, weights)


def write_decoders(weights: Mapping[str, np.ndarray], config: dict, onnx_dir: Path) -> None:
    """model.onnx (the full decoder, which transformers.js loads) and model_step.onnx (decoding steps over a
    cache kept in place), sharing one copy of the weights: model.onnx_data."""
    data = "model.onnx_data"
    (onnx_dir / data).unlink(missing_ok=True)  # onnx appends to an existing data file
    onnx.save(decoder_model(weights, config), onnx_dir / "model.onnx", save_as_external_data=True,
              all_tensors_to_one_file=True, location=data, size_threshold=1024)
    onnx.save(share_weights(step_model(weights, config), onnx_dir), onnx_dir / "model_step.onnx")
    (onnx_dir / data).chmod(0o644)  # onnx writes it readable by its owner only


def with_weight_products(model: onnx.ModelProto, name: str, rewrite, constants: Sequence[onnx.TensorProto] = (),
                         opsets: Sequence[onnx.OperatorSetIdProto] | None = None, ir_version: int | None = None
                         ) -> onnx.ModelProto:
    """`model` (its weights loaded) with every MatMul by a weight computed another way: `rewrite(activations,
    weight name, matrix [in, out] float32, output)` returns the nodes and new initializers that do it. `constants`
    are initializers the new nodes share; the weights no node reads any more are dropped."""
    weights = {t.name: t for t in model.graph.initializer}
    nodes: list[onnx.NodeProto] = []
    added = list(constants)
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in weights:
            nodes.append(node)
            continue
        activations, weight = node.input
        new_nodes, new_weights = rewrite(activations, weight, numpy_helper.to_array(weights[weight]).astype(np.float32),
                                         node.output[0])
        nodes += new_nodes
        added += new_weights
    if len(added) == len(constants):
        raise ValueError(f"{model.graph.name} has no MatMul by a weight to rewrite")
    used = {n for node in nodes for n in node.input}
    kept = [t for t in model.graph.initializer if t.name in used]
    graph = helper.make_graph(nodes, name, model.graph.input, model.graph.output, kept + added)
    rewritten = helper.make_model(graph, opset_imports=list(opsets or model.opset_import))
    rewritten.ir_version = ir_version or model.ir_version
    onnx.checker.check_model(rewritten)
    return rewritten


def share_weights(model: onnx.ModelProto, onnx_dir: Path) -> onnx.ModelProto:
    """`model` with every weight that model.onnx keeps in `model.onnx_data` read from there, not copied."""
    stored = {t.name: list(t.external_data) for t in onnx.load(onnx_dir / "model.onnx", load_external_data=False).graph.initializer
              if t.data_location == TensorProto.EXTERNAL}
    for tensor in model.graph.initializer:
        if tensor.name in stored:  # the same bytes in the same file: point at them
            tensor.ClearField("raw_data")
            tensor.data_location = TensorProto.EXTERNAL
            tensor.external_data.extend(stored[tensor.name])
    return model


def state_arrays(model) -> dict[str, np.ndarray]:
    """A PyTorch model's weights as float32 arrays, by name."""
    return {name: tensor.detach().float().cpu().numpy() for name, tensor in model.state_dict().items()}

