"""The exporter writes the transformers.js layout, and the ONNX decoder matches PyTorch step by step."""
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel

from kobot_train.data import read_text_lines
from kobot_train.export import export
from kobot_train.paths import NSMC_TXT
from kobot_train.tokenizer import train_tokenizer, wrap

CORPUS = ["배고파", "밥 먹어요.", "오늘 날씨 어때?", "맑을 거예요.", "심심해", "게임 한 판 어때요?"] * 20

# skt/kogpt2-base-v2: 51,200 tokens; its chatbot uses </s> as bos and eos and these specials first.
KOGPT2_VOCAB = 51200
KOGPT2_SPECIALS = ["<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>", "<d>", "</d>"] + [
    f"<unused{i}>" for i in range(100)]


def random_gpt2(vocab: int, eos: int, pad: int) -> GPT2LMHeadModel:
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=vocab, n_positions=64, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=eos, eos_token_id=eos, pad_token_id=pad)
    return GPT2LMHeadModel(config).eval()


def onnx_logits_with_cache(onnx_path: Path, ids: list[int], layers: int, heads: int, head_dim: int) -> np.ndarray:
    """Runs the prompt minus its last token, then the last token with the cache; returns last logits."""
    session = ort.InferenceSession(str(onnx_path))
    names = {i.name for i in session.get_inputs()}
    assert {"input_ids", "attention_mask", "position_ids", "past_key_values.0.key", "past_key_values.0.value",
            "num_logits_to_keep"} <= names
    empty = np.zeros((1, heads, 0, head_dim), dtype=np.float32)
    feed = {"input_ids": np.array([ids[:-1]], dtype=np.int64),
            "attention_mask": np.ones((1, len(ids) - 1), dtype=np.int64),
            "position_ids": np.arange(len(ids) - 1, dtype=np.int64)[None],
            "num_logits_to_keep": np.array(0, dtype=np.int64)}  # every position, as a plain forward
    for layer in range(layers):
        feed[f"past_key_values.{layer}.key"] = empty
        feed[f"past_key_values.{layer}.value"] = empty
    outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, feed)))
    assert outputs["present.0.key"].shape == (1, heads, len(ids) - 1, head_dim)
    assert outputs["logits"].shape[1] == len(ids) - 1
    # The confidence's denominator: log Σ exp over the vocabulary, one per kept position.
    logits = outputs["logits"].astype(np.float64)
    peak = logits.max(-1)
    np.testing.assert_allclose(outputs["logits_logsumexp"], peak + np.log(np.exp(logits - peak[..., None]).sum(-1)),
                               rtol=1e-5)
    last = session.run(["logits"], {**feed, "num_logits_to_keep": np.array(1, dtype=np.int64)})[0]
    np.testing.assert_allclose(last[:, -1], outputs["logits"][:, -1], atol=1e-5)  # generation keeps the last only
    assert last.shape[1] == 1
    step = {"input_ids": np.array([[ids[-1]]], dtype=np.int64),
            "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
            "position_ids": np.array([[len(ids) - 1]], dtype=np.int64),
            "num_logits_to_keep": np.array(1, dtype=np.int64)}
    for layer in range(layers):
        step[f"past_key_values.{layer}.key"] = outputs[f"present.{layer}.key"]
        step[f"past_key_values.{layer}.value"] = outputs[f"present.{layer}.value"]
    logits = session.run(["logits"], step)[0]
    assert logits.shape[:2] == (1, 1)
    return logits[0, -1]


def random_checkpoint(tmp_path: Path):
    """A small random GPT-2 with a tokenizer that has the chatbot tokens, saved as a checkpoint folder."""
    tokenizer = train_tokenizer(CORPUS, vocab_size=400, min_frequency=1)
    model = random_gpt2(len(tokenizer), eos=0, pad=3)
    checkpoint = tmp_path / "checkpoint"
    model.save_pretrained(checkpoint)
    tokenizer.save_pretrained(checkpoint)
    return tokenizer, model, checkpoint


def test_export_writes_the_transformers_js_layout_and_matches_pytorch(tmp_path: Path):
    tokenizer, model, checkpoint = random_checkpoint(tmp_path)
    sizes = export(checkpoint, tmp_path / "out")
    for name in ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                 "onnx/model.onnx", "onnx/model.onnx_data", "onnx/model_step.onnx", "onnx/model_prefill_int8.onnx",
                 "onnx/model_step_int8.onnx"]:
        assert name in sizes, name
    assert sizes["onnx/model_prefill_int8.onnx"] < sizes["onnx/model.onnx_data"]
    # All graphs read one copy of the fp32 weights (tiny ones inline); the int8 graph keeps its int8 matrices.
    for graph in ["model.onnx", "model_step.onnx", "model_prefill_int8.onnx", "model_step_int8.onnx"]:
        weights = [t for t in onnx.load(tmp_path / "out" / "onnx" / graph, load_external_data=False).graph.initializer
                   if t.name.startswith("transformer.") and not t.name.endswith(("int8", "int8_scale", "8bit", "8bit_scale"))
                   and np.prod(t.dims) > 256]
        assert weights and all(t.data_location == onnx.TensorProto.EXTERNAL and t.external_data[0].value == "model.onnx_data"
                               for t in weights), graph
    tokenizer_config = json.loads((tmp_path / "out" / "tokenizer_config.json").read_text())
    assert tokenizer_config["chat_template"].startswith("{% for message in messages %}")

    ids = tokenizer.encode("<usr>배고파<sys>밥", add_special_tokens=False)
    expected = model(torch.tensor([ids])).logits[0, -1].detach().numpy()
    got = onnx_logits_with_cache(tmp_path / "out" / "onnx" / "model.onnx", ids, layers=2, heads=2, head_dim=16)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_exported_decoder_runs_a_left_padded_batch_as_pytorch_runs_each_prompt(tmp_path: Path):
    """A batch of prompts of different lengths, padded on the left as the engine pads them, then one step."""
    tokenizer, model, checkpoint = random_checkpoint(tmp_path)
    export(checkpoint, tmp_path / "out", quantize=False)
    path = tmp_path / "out" / "onnx" / "model.onnx"
    ops = [node.op_type for node in onnx.load(path).graph.node]
    # Fused attention, no shape bookkeeping: 42 nodes for 2 layers (torch.onnx's export ran ~10 times as many).
    assert ops.count("MultiHeadAttention") == 2 and len(ops) <= 42, ops

    prompts = [tokenizer.encode(text, add_special_tokens=False) for text in ["<usr>배고파<sys>", "<usr>오늘 날씨 어때?<sys>맑", "<usr>심심해<sys>게임"]]
    nexts = [5, 9, 7]  # one more token each, fed through the cache
    width = max(map(len, prompts))
    ids = np.full((3, width), 3, dtype=np.int64)
    mask = np.zeros((3, width), dtype=np.int64)
    positions = np.ones((3, width), dtype=np.int64)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt):] = prompt
        mask[row, width - len(prompt):] = 1
        positions[row, width - len(prompt):] = np.arange(len(prompt))
    session = ort.InferenceSession(str(path))
    empty = np.zeros((3, 2, 0, 16), dtype=np.float32)
    feed = {"input_ids": ids, "attention_mask": mask, "position_ids": positions,
            "num_logits_to_keep": np.array(1, dtype=np.int64),
            **{f"past_key_values.{layer}.{kv}": empty for layer in range(2) for kv in ("key", "value")}}
    names = [o.name for o in session.get_outputs()]
    first = dict(zip(names, session.run(None, feed)))
    step = {"input_ids": np.array(nexts, dtype=np.int64)[:, None],
            "attention_mask": np.concatenate([mask, np.ones((3, 1), dtype=np.int64)], axis=1),
            "position_ids": np.array([[len(p)] for p in prompts], dtype=np.int64),
            "num_logits_to_keep": np.array(1, dtype=np.int64),
            **{f"past_key_values.{layer}.{kv}": first[f"present.{layer}.{kv}"] for layer in range(2) for kv in ("key", "value")}}
    second = dict(zip(names, session.run(None, step)))
    for row, prompt in enumerate(prompts):
        expected = model(torch.tensor([prompt + [nexts[row]]])).logits[0].detach().numpy()
        np.testing.assert_allclose(first["logits"][row, -1], expected[-2], atol=1e-4)
        np.testing.assert_allclose(second["logits"][row, -1], expected[-1], atol=1e-4)

    # The step graph, over the same cache kept in wider buffers (empty columns masked), gives the same step.
    spare = 4
    step_session = ort.InferenceSession(str(tmp_path / "out" / "onnx" / "model_step.onnx"))
    bias = np.full((3, 1, 1, width + spare), -np.inf, dtype=np.float32)
    bias[:, 0, 0, :width][mask == 1] = 0
    cache = {}
    for layer in range(2):
        for kv in ("key", "value"):
            wide = np.full((3, 2, width + spare, 16), 7.0, dtype=np.float32)  # junk where masked
            wide[:, :, :width] = first[f"present.{layer}.{kv}"]
            cache[f"past_key_values.{layer}.{kv}"] = wide
    step_names = [o.name for o in step_session.get_outputs()]
    stepped = dict(zip(step_names, step_session.run(None, {
        "input_ids": step["input_ids"], "position_ids": step["position_ids"], "cache_bias": bias, **cache})))
    np.testing.assert_allclose(stepped["logits"][:, -1], second["logits"][:, -1], atol=1e-5)
    np.testing.assert_allclose(stepped["logits_logsumexp"], second["logits_logsumexp"], atol=1e-5)
    for layer in range(2):  # the new token's keys and values: the last column of the full graph's present
        for kv in ("key", "value"):
            np.testing.assert_allclose(stepped[f"new.{layer}.{kv}"], second[f"present.{layer}.{kv}"][:, :, -1:], atol=1e-6)


def kogpt2_like_tokenizer():
    """KoGPT2's vocabulary size and special-token ids, merges learnt from Korean text."""
    lines = list(read_text_lines(NSMC_TXT, 60_000)) if NSMC_TXT.exists() else []
    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=KOGPT2_VOCAB, min_frequency=1, special_tokens=KOGPT2_SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    core.train_from_iterator(lines + CORPUS, trainer=trainer)
    return wrap(core)


@pytest.mark.skipif(not NSMC_TXT.exists(), reason="needs Korean text to learn a 51,200-token vocabulary")
def test_exporter_takes_a_kogpt2_shaped_checkpoint(tmp_path: Path):
    tokenizer = kogpt2_like_tokenizer()
    vocab = tokenizer.get_vocab()
    assert len(tokenizer) == KOGPT2_VOCAB
    assert [vocab[t] for t in ["</s>", "<usr>", "<pad>", "<sys>"]] == [1, 2, 3, 4]
    model = random_gpt2(KOGPT2_VOCAB, eos=1, pad=3)
    checkpoint = tmp_path / "kogpt2-random"
    model.save_pretrained(checkpoint)
    tokenizer.save_pretrained(checkpoint)

    export(checkpoint, tmp_path / "out", quantize=False)
    generation = json.loads((tmp_path / "out" / "generation_config.json").read_text())
    # A checkpoint trained --init-from an export keeps that export's retrieval: exported without one (k 0), it is dropped.
    model.config.npc_retrieval = {"k": 2, "min_score": 0.3}
    model.save_pretrained(checkpoint)
    export(checkpoint, tmp_path / "k0", quantize=False)
    assert "npc_retrieval" not in json.loads((tmp_path / "k0" / "config.json").read_text()), "the engine would look for knowledge.jsonl"
    assert (generation["eos_token_id"], generation["bos_token_id"], generation["pad_token_id"]) == (1, 1, 3)
    assert json.loads((tmp_path / "out" / "config.json").read_text())["vocab_size"] == KOGPT2_VOCAB

    ids = tokenizer.encode("<usr>오늘 뭐 해?<sys>", add_special_tokens=False)
    expected = model(torch.tensor([ids])).logits[0, -1].detach().numpy()
    got = onnx_logits_with_cache(tmp_path / "out" / "onnx" / "model.onnx", ids, layers=2, heads=2, head_dim=16)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_exporter_refuses_a_checkpoint_without_the_chatbot_tokens(tmp_path: Path):
    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.train_from_iterator(CORPUS, trainer=trainers.BpeTrainer(vocab_size=300, special_tokens=["</s>"],
                                                                 initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    from transformers import PreTrainedTokenizerFast
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="</s>")
    random_gpt2(len(tokenizer), eos=0, pad=0).save_pretrained(tmp_path / "plain")
    tokenizer.save_pretrained(tmp_path / "plain")
    with pytest.raises(ValueError, match="<usr>"):
        export(tmp_path / "plain", tmp_path / "out")


def test_exporter_refuses_a_model_name_answers_could_not_carry(tmp_path: Path):
    # Checked first: the engine refuses such a model at load, after a whole export.
    with pytest.raises(ValueError, match="is 96 characters; at most 95"):
        export(tmp_path / "no-checkpoint", tmp_path / "out", name="m" * 96)


def test_an_export_that_fails_halfway_leaves_the_folder_that_was_there(tmp_path: Path, monkeypatch):
    from kobot_train import export as export_module

    _, _, checkpoint = random_checkpoint(tmp_path)
    out = tmp_path / "model"
    export_module.export_whole(checkpoint, out, quantize=False)
    (out / "knowledge.jsonl").write_text('{"q": "배고파", "a": "밥 먹어요."}\n')
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def dies(weights, config, onnx_dir, quantize):
        (onnx_dir / "model.onnx").write_bytes(b"torn")
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "_write_graphs", dies)
    with pytest.raises(KeyboardInterrupt):
        export_module.export_whole(checkpoint, out, quantize=False)
    with pytest.raises(KeyboardInterrupt):
        export_module.rewrite_graphs(out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint", "model"]

    monkeypatch.undo()
    export_module.export_whole(checkpoint, out, quantize=False, name="again")
    assert json.loads((out / "config.json").read_text())["npc_model_name"] == "again"
    assert (out / "knowledge.jsonl").exists(), "files the export does not write stay"
