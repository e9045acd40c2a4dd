"""The int8 step graph computes what the fp32 step graph does, and each row's numbers do not depend on its batch."""
import numpy as np
import onnx
import onnxruntime as ort

from kobot_train.int8_steps import FILE, blocks_8bit

HEADS, HEAD_DIM, WIDTH = 2, 16, 12


def step(session: ort.InferenceSession, tokens: list[int], cache: np.ndarray) -> dict[str, np.ndarray]:
    """One token a row over a cache whose first 9 columns are written."""
    rows = len(tokens)
    bias = np.full((rows, 1, 1, WIDTH), -np.inf, dtype=np.float32)
    bias[..., :9] = 0
    feed = {"input_ids": np.array([[t] for t in tokens], dtype=np.int64),
            "position_ids": np.full((rows, 1), 9, dtype=np.int64), "cache_bias": bias}
    for tensor in session.get_inputs():
        if tensor.name.startswith("past_key_values"):
            feed[tensor.name] = cache[:rows]
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feed)))


def test_blocks_of_32_are_scaled_each_by_its_largest_value():
    weight = np.concatenate([np.linspace(-1, 1, 32), np.linspace(-0.01, 0.02, 32)])[None].astype(np.float32)
    quantised, scale = blocks_8bit(weight)
    assert quantised.shape == (1, 2, 32) and scale.shape == (2,)
    assert quantised[0, 0, 0] == 1 and quantised[0, 0, -1] == 255 and quantised[0, 1].max() == 255  # 128 ± 127
    np.testing.assert_allclose((quantised.astype(np.float32) - 128) * scale.reshape(1, 2, 1), weight.reshape(1, 2, 32),
                               atol=scale.max() / 2)


def test_int8_steps_match_fp32_and_are_the_same_alone_or_batched(random_export):
    _, onnx_dir, sizes = random_export
    assert f"onnx/{FILE}" in sizes
    graph = onnx.load(onnx_dir / FILE, load_external_data=False)
    weights = {t.name for t in graph.graph.initializer}
    assert not [n for n in graph.graph.node if n.op_type == "MatMul" and n.input[1] in weights]  # attention's stay
    assert sum(node.op_type == "MatMulNBits" for node in graph.graph.node) == 4 * 2  # four products, two layers
    fp32 = ort.InferenceSession(str(onnx_dir / "model_step.onnx"))
    int8 = ort.InferenceSession(str(onnx_dir / FILE))
    cache = np.random.default_rng(0).standard_normal((3, HEADS, WIDTH, HEAD_DIM)).astype(np.float32)
    tokens = [5, 17, 42]

    expected, got = step(fp32, tokens, cache), step(int8, tokens, cache)
    assert got["logits"].shape == expected["logits"].shape
    assert np.abs(got["logits"] - expected["logits"]).max() < 0.05 * np.abs(expected["logits"]).max()
    np.testing.assert_allclose(got["logits_logsumexp"], expected["logits_logsumexp"], atol=0.05)
    # Activations are quantised per row and block: the first row's numbers are the same alone as beside the others.
    alone = step(int8, tokens[:1], cache)
    np.testing.assert_allclose(alone["logits"][0], got["logits"][0], atol=1e-6)
