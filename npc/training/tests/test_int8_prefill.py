"""The int8 prefill graph computes what the fp32 decoder does, and each row's numbers do not depend on its batch."""
import numpy as np
import onnx
import onnxruntime as ort

from kobot_train.int8_prefill import FILE, quantised_columns

LAYERS, HEADS, HEAD_DIM = 2, 2, 16


def prefill(session: ort.InferenceSession, rows: list[list[int]]) -> dict[str, np.ndarray]:
    """Left-padded prompts through a decoder with an empty cache, every position's logits kept."""
    width = max(map(len, rows))
    ids = np.array([[0] * (width - len(r)) + r for r in rows], dtype=np.int64)
    mask = np.array([[0] * (width - len(r)) + [1] * len(r) for r in rows], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": mask, "position_ids": np.maximum(mask.cumsum(-1) - 1, 0),
            "num_logits_to_keep": np.array(1, dtype=np.int64)}
    for layer in range(LAYERS):
        for kv in ("key", "value"):
            feed[f"past_key_values.{layer}.{kv}"] = np.zeros((len(rows), HEADS, 0, HEAD_DIM), dtype=np.float32)
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feed)))


def test_weights_are_quantised_per_column():
    weight = np.array([[1.0, -0.01], [-0.6, 0.02], [0.25, 0.0]], dtype=np.float32)
    quantised, scale = quantised_columns(weight)
    # 7 bits: u8 × s8 sums of two products fit 16 bits on CPUs without VNNI (255 × 63 × 2 ≤ 32767).
    assert quantised.dtype == np.int8 and quantised[:, 0].tolist() == [63, -38, 16] and quantised[1, 1] == 63
    np.testing.assert_allclose(quantised * scale, weight, atol=scale.max() / 2)


def test_int8_prefill_matches_fp32_and_is_the_same_alone_or_batched(random_export):
    tokenizer, onnx_dir, sizes = random_export
    assert f"onnx/{FILE}" in sizes
    graph = onnx.load(onnx_dir / FILE, load_external_data=False)
    assert "MatMul" not in {node.op_type for node in graph.graph.node}
    assert sum(node.op_type == "MatMulInteger" for node in graph.graph.node) == 4 * LAYERS
    fp32 = ort.InferenceSession(str(onnx_dir / "model.onnx"))
    int8 = ort.InferenceSession(str(onnx_dir / FILE))
    rows = [tokenizer.encode(text, add_special_tokens=False) for text in ("<usr>오늘 날씨 어때?<sys>", "<usr>배고파<sys>", "<usr>심심해<sys>게임")]

    expected, got = prefill(fp32, rows), prefill(int8, rows)
    assert got["logits"].shape == expected["logits"].shape and got["present.1.value"].shape == expected["present.1.value"].shape
    spread = np.abs(expected["logits"]).max()
    assert np.abs(got["logits"] - expected["logits"]).max() < 0.05 * spread
    assert (got["logits"].argmax(-1) == expected["logits"].argmax(-1)).mean() >= 2 / 3
    key, expected_key = got["present.0.key"], expected["present.0.key"]
    largest = np.abs(expected_key).max()
    # With or without VNNI: weights in 7 bits, no sum of products saturates (it did with 8, on AVX2 only).
    np.testing.assert_allclose(key, expected_key, atol=0.05 * largest)

    # Each token has its own scale and no sum saturates: every prompt's numbers are the same alone as beside the
    # others, padded to the longest (with 8-bit weights, on AVX2, the padding moved a logit by up to 0.055).
    for i, row in enumerate(rows):
        alone = prefill(int8, [row])
        np.testing.assert_allclose(alone["logits"][0], got["logits"][i], atol=1e-5)
        np.testing.assert_allclose(alone["present.1.key"][0][:, -len(row):], got["present.1.key"][i][:, -len(row):], atol=1e-5)
