"""Token batches: chat pairs with loss on the answer only, and packed blocks of plain text."""
from __future__ import annotations

import random
from typing import Iterable, Iterator

import torch

from .data import Pair
from .prompt import EOS, question_prompt, turn_text

IGNORE = -100


def encode_pair(tokenizer, pair: Pair, max_len: int,
                neighbours: list[tuple[str, str]] = ()) -> tuple[list[int], list[int]]:
    """Ids of `[<usr>q'<sys>a'</s>]...<usr>q<sys>a</s>` and labels that score only `a</s>`.

    Retrieved neighbours come first, as earlier turns of the conversation; the ones that do not fit
    in `max_len` are dropped, least similar (first) first.
    """
    answer = tokenizer.encode(pair.answer + EOS, add_special_tokens=False)
    question = tokenizer.encode(question_prompt(pair.question), add_special_tokens=False)
    question = question[-(max_len // 2):]  # long questions keep their end, next to <sys>
    answer = answer[: max_len - len(question)]
    context = [tokenizer.encode(turn_text(q, a), add_special_tokens=False) for q, a in neighbours]
    while context and sum(map(len, context)) + len(question) + len(answer) > max_len:
        context.pop(0)
    prompt = [i for turn in context for i in turn] + question
    return prompt + answer, [IGNORE] * len(prompt) + answer


class PairSchedule:
    """Epochs of similar-length batches (less padding), shuffled per epoch by seed.

    Batch `step` is a pure function of the step, so a resumed run sees the same data.
    """

    def __init__(self, encoded: list[tuple[list[int], list[int]]], batch_size: int, pad_id: int, seed: int):
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        self.chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        self.encoded, self.pad_id, self.seed = encoded, pad_id, seed
        self._epoch, self._order = -1, self.chunks

    def __len__(self) -> int:
        return len(self.chunks)

    def batch(self, step: int) -> dict[str, torch.Tensor]:
        epoch, index = divmod(step, len(self.chunks))
        if epoch != self._epoch:
            self._order = list(self.chunks)
            random.Random(self.seed + epoch).shuffle(self._order)
            self._epoch = epoch
        return collate([self.encoded[i] for i in self._order[index]], self.pad_id)

    def in_order(self) -> Iterator[dict[str, torch.Tensor]]:
        for chunk in self.chunks:
            yield collate([self.encoded[i] for i in chunk], self.pad_id)


def collate(rows: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for row, (ids, labs) in enumerate(rows):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, : len(labs)] = torch.tensor(labs)
        mask[row, : len(ids)] = 1
    return {"input_ids": input_ids, "attention_mask": mask, "labels": labels}


def packed_blocks(tokenizer, lines: Iterable[str], block: int) -> list[list[int]]:
    """Plain text joined by `</s>` and cut into full blocks, so no compute goes to padding."""
    eos = tokenizer.convert_tokens_to_ids(EOS)
    blocks: list[list[int]] = []
    buffer: list[int] = []
    for ids in tokenizer(list(lines), add_special_tokens=False)["input_ids"]:
        buffer.extend(ids + [eos])
        while len(buffer) >= block:
            blocks.append(buffer[:block])
            buffer = buffer[block:]
    return blocks


class BlockSchedule:
    """Packed text blocks in a per-epoch shuffled order; batch `step` depends only on the step."""

    def __init__(self, blocks: list[list[int]], batch_size: int, seed: int):
        self.blocks = torch.tensor(blocks, dtype=torch.long)
        self.batch_size, self.seed = batch_size, seed
        self.per_epoch = len(blocks) // batch_size
        self._epoch, self._order = -1, torch.arange(len(blocks))

    def __len__(self) -> int:
        return self.per_epoch

    def batch(self, step: int) -> dict[str, torch.Tensor]:
        epoch, index = divmod(step, self.per_epoch)
        if epoch != self._epoch:
            self._order = torch.randperm(len(self.blocks), generator=torch.Generator().manual_seed(self.seed + epoch))
            self._epoch = epoch
        ids = self.blocks[self._order[index * self.batch_size:(index + 1) * self.batch_size]]
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids}

    def in_order(self) -> Iterator[dict[str, torch.Tensor]]:
        for start in range(0, len(self.blocks), self.batch_size):
            ids = self.blocks[start:start + self.batch_size]
            yield {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids}
