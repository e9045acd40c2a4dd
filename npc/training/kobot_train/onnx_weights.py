"""A shipped model folder (config.json + onnx/model.onnx) back into a trainable GPT-2.

The fp32 ONNX file keeps every weight under its PyTorch name, so a run can continue from the shipped
model without its training checkpoints (they are not committed: only npc/model is).
"""
from __future__ import annotations

from pathlib import Path

import onnx
import torch
from onnx import numpy_helper
from transformers import GPT2Config, GPT2LMHeadModel


def model_from_export(folder: Path) -> GPT2LMHeadModel:
    config = GPT2Config.from_pretrained(folder)
    model = GPT2LMHeadModel(config)
    graph = onnx.load(folder / "onnx" / "model.onnx").graph
    weights = {init.name: torch.from_numpy(numpy_helper.to_array(init).copy()) for init in graph.initializer}
    expected = {name for name in model.state_dict() if not name.endswith(".attn.bias") and name != "lm_head.weight"}
    missing = expected - weights.keys()
    if missing:
        raise ValueError(f"{folder}/onnx/model.onnx lacks weights {sorted(missing)[:5]}: not a GPT-2 export of ours")
    model.load_state_dict({name: weights[name] for name in expected}, strict=False)
    model.tie_weights()  # lm_head shares the token embedding, as when it was exported
    return model
