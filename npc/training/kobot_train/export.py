"""Export a local Hugging Face GPT-2 checkpoint into the transformers.js model layout.

Works for the checkpoint this pipeline trains and for any GPT-2 chatbot in the KoGPT2 prompt format,
for example a local copy of skt/kogpt2-base-v2:

    python -m kobot_train.export --checkpoint path/to/kogpt2-base-v2 --out npc/model-kogpt2
    python -m kobot_train.export --graphs-of npc/model      # the graphs again from the weights shipped there

Layout written (what `@huggingface/transformers` loads with `local_files_only`):
    config.json, generation_config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json,
    onnx/model.onnx (fp32, onnxruntime's fused operators: `decoder_graph.py`; past key values as inputs, present as
        outputs, `num_logits_to_keep`, `logits_logsumexp`), its weights in onnx/model.onnx_data,
    onnx/model_step.onnx (fp32 decoding steps over a cache kept in place, the same weights file),
    onnx/model_prefill_int8.onnx (prompts prefilled with int8 matrix products: `int8_prefill.py`),
    onnx/model_step_int8.onnx (decoding steps with 8-bit weights: `int8_steps.py`).
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from transformers import AutoConfig, AutoTokenizer, GPT2LMHeadModel

from .decoder_graph import state_arrays, write_decoders
from .int8_prefill import write_prefill_int8
from .int8_steps import write_steps_int8
from .onnx_weights import model_from_export
from .prompt import CHAT_TEMPLATE, EOS, PAD, SYSTEM, USER
from .whole_writes import replace_folder

# Decoding the NPC ships with (see EVAL.md), overridable per call.
# No repetition penalty: it also covers the retrieved pairs in the prompt and pushes answers away from
# their words (test chrF 8.3 → 6.6 with 1.2 on the retrieval model).
DEFAULT_GENERATION = {
    "do_sample": False,
    "max_new_tokens": 32,
    "repetition_penalty": 1.0,
    "temperature": 0.7,
    "top_k": 40,
    "top_p": 0.9,
    # When the engine chooses among sampled candidates: by likelihood alone. Discounting answers likely
    # after an empty question (0.5) picked odd ones: 9 vs 12–15 of 40 everyday questions sensible (EVAL.md).
    "relevance_weight": 0.0,
}


# An answer's `model` (kafka/contract.ts MODEL_NAME_MAX: 100) is the name and its dtype, ":fp32" at the longest.
MODEL_NAME_MAX = 95

def export(checkpoint: Path, out: Path, generation: dict | None = None, quantize: bool = True,
           name: str | None = None, retrieval: dict | None = None) -> dict[str, int]:
    """Writes the layout into `out` (replacing its onnx/ folder); returns file sizes in bytes.

    `name` (default: the checkpoint folder's name) is how answers say which model wrote them.
    `retrieval` ({"k", "min_score"}) tells the engine to show the model that many retrieved pairs from
    `knowledge.jsonl` (written beside it by the pipeline) before each question.
    """
    model_name = name or checkpoint.resolve().name
    if len(model_name) > MODEL_NAME_MAX:
        raise ValueError(f"model name {model_name[:20]!r}… is {len(model_name)} characters; at most {MODEL_NAME_MAX} "
                         "(answers carry it with its dtype in 100): give --name")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    vocab = tokenizer.get_vocab()
    missing = [t for t in (USER, SYSTEM, EOS) if t not in vocab]
    if missing:
        raise ValueError(f"{checkpoint}: tokenizer lacks the chatbot tokens {missing} (prompt <usr>q<sys>a</s>)")
    config = AutoConfig.from_pretrained(checkpoint)
    if config.model_type != "gpt2":
        raise ValueError(f"{checkpoint}: model_type {config.model_type!r}, expected 'gpt2'")

    out.mkdir(parents=True, exist_ok=True)
    onnx_dir = out / "onnx"
    shutil.rmtree(onnx_dir, ignore_errors=True)
    onnx_dir.mkdir()
    weights = state_arrays(GPT2LMHeadModel.from_pretrained(checkpoint))
    if sum(w.nbytes for w in weights.values()) > 2_000_000_000:
        raise ValueError(f"{checkpoint}: over 2 GB of weights, beyond one ONNX file (not supported by this layout)")
    _write_graphs(weights, config.to_dict(), onnx_dir, quantize)
    config.npc_model_name = model_name
    # This export's own retrieval or none: a checkpoint trained --init-from an export carries that export's, which
    # named a knowledge file this export does not have (k 0), and the engine refused to load it.
    if retrieval:
        config.npc_retrieval = retrieval
    elif hasattr(config, "npc_retrieval"):
        del config.npc_retrieval
    config.save_pretrained(out)

    # KoGPT2 keeps `</s>` as both bos and eos and pads with `<pad>`; generation stops at `</s>`.
    eos_id = vocab[EOS]
    pad_id = vocab.get(PAD, eos_id)
    # Written as plain JSON: sampling settings stay in the file even when greedy is the default.
    shipped = {"bos_token_id": eos_id, "eos_token_id": eos_id, "pad_token_id": pad_id, **(generation or DEFAULT_GENERATION)}
    (out / "generation_config.json").write_text(json.dumps(shipped, indent=2) + "\n")

    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.padding_side = "left"
    tokenizer.save_pretrained(out)
    for extra in ("vocab.json", "merges.txt", "chat_template.jinja"):  # tokenizer.json holds them already
        (out / extra).unlink(missing_ok=True)
    # transformers.js reads the chat template from tokenizer_config.json, not from a .jinja file.
    tokenizer_config = json.loads((out / "tokenizer_config.json").read_text())
    tokenizer_config["chat_template"] = CHAT_TEMPLATE
    (out / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, ensure_ascii=False, indent=2) + "\n")

    return {str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}


def _write_graphs(weights: dict, config: dict, onnx_dir: Path, quantize: bool) -> None:
    """The float32 graphs and their weights file, then (`quantize`) the int8 graphs derived from them."""
    write_decoders(weights, config, onnx_dir)
    if quantize:
        write_prefill_int8(onnx_dir)
        write_steps_int8(onnx_dir)


def rewrite_graphs(folder: Path) -> dict[str, int]:
    """Rewrites a model folder's ONNX graphs (the int8 ones where it has them) from the weights it ships, leaving
    everything else as it is: for when the graph code changes and the training checkpoint is gone (only
    npc/model is committed). The new onnx/ takes the old one's place whole. Returns the graphs' sizes in bytes."""
    onnx_dir = folder / "onnx"
    quantized = (onnx_dir / "model_step_int8.onnx").exists()
    weights, config = state_arrays(model_from_export(folder)), AutoConfig.from_pretrained(folder).to_dict()
    replace_folder(onnx_dir, lambda fresh: _write_graphs(weights, config, fresh, quantized))
    return {f"onnx/{p.name}": p.stat().st_size for p in sorted(onnx_dir.iterdir())}


def export_whole(checkpoint: Path, out: Path, **options) -> dict[str, int]:
    """`export` into a copy of `out`'s files that then takes its place: a server never finds `out` half written,
    and an export that fails (or is killed) leaves the model that was there."""
    sizes: dict[str, int] = {}
    replace_folder(out, lambda fresh: sizes.update(export(checkpoint, fresh, **options)), keep_files=True)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, help="Hugging Face GPT-2 checkpoint folder")
    parser.add_argument("--out", type=Path, help="output folder (transformers.js layout)")
    parser.add_argument("--graphs-of", type=Path, metavar="MODEL_DIR",
                        help="instead: rewrite this exported folder's ONNX graphs from its own weights (rewrite_graphs)")
    parser.add_argument("--no-quantize", action="store_true", help="no int8 graphs (onnx/model_prefill_int8.onnx, onnx/model_step_int8.onnx)")
    parser.add_argument("--name", help="model name reported with each answer (default: the checkpoint folder name)")
    parser.add_argument("--generation", type=Path, help="JSON of generation settings to ship instead of the defaults")
    args = parser.parse_args()
    if args.graphs_of:
        sizes = rewrite_graphs(args.graphs_of)
    elif args.checkpoint and args.out:
        generation = json.loads(args.generation.read_text()) if args.generation else None
        sizes = export_whole(args.checkpoint, args.out, generation=generation, quantize=not args.no_quantize, name=args.name)
    else:
        parser.error("give --checkpoint and --out, or --graphs-of")
    for name, size in sizes.items():
        print(f"{size / 1e6:8.2f} MB  {name}")


if __name__ == "__main__":
    main()
