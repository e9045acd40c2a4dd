"""GPT-2 sizes compared for the NPC; EVAL.md records what each scored."""
from __future__ import annotations

from transformers import GPT2Config

# name: (layers, hidden, heads)
SIZES: dict[str, tuple[int, int, int]] = {
    "tiny": (4, 256, 4),
    "small": (6, 256, 8),
    "medium": (6, 320, 8),
    "base": (8, 384, 8),
}

MAX_POSITIONS = 128


def size_name(config: GPT2Config) -> str:
    """The SIZES name of a model's shape: a run continuing a model (--init-from) has that model's size, not --size's."""
    shape = (config.n_layer, config.n_embd, config.n_head)
    return next((name for name, dims in SIZES.items() if dims == shape), "{}x{}".format(*shape[:2]))


def gpt2_config(size: str, vocab_size: int, bos_id: int, eos_id: int, pad_id: int, dropout: float = 0.1) -> GPT2Config:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    layers, hidden, heads = SIZES[size]
    return GPT2Config(
        vocab_size=vocab_size,
        n_positions=MAX_POSITIONS,
        n_embd=hidden,
        n_layer=layers,
        n_head=heads,
        resid_pdrop=dropout,
        embd_pdrop=dropout,
        attn_pdrop=dropout,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        tie_word_embeddings=True,
    )
