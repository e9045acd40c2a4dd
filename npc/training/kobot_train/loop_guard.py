"""Ends an answer that loops ("안해도 안해도 안해도…"): the same rule as the engine's npc/engine/loop-guard.ts,
so evaluation scores what players would read."""
from __future__ import annotations

import torch
from transformers import LogitsProcessor

MAX_UNIT = 8  # units of 5–6 tokens looped too (npc/engine/loop-guard.ts)
REPEATS = 3


def loop_unit(answer: list[int]) -> int:
    """Length of the unit the answer ends by repeating REPEATS times, or 0."""
    for unit in range(1, MAX_UNIT + 1):
        span = unit * REPEATS
        if len(answer) < span:
            break
        tail = answer[-span:]
        if all(token == tail[i % unit] for i, token in enumerate(tail)):
            return unit
    return 0


def without_loop(answer: list[int]) -> list[int]:
    unit = loop_unit(answer)
    return answer if unit == 0 else answer[: len(answer) - unit * (REPEATS - 1)]


class LoopGuard(LogitsProcessor):
    """Forces `</s>` once a row's answer (the tokens after `prompt_length`) loops."""

    def __init__(self, eos_id: int, prompt_length: int):
        self.eos_id, self.prompt_length = eos_id, prompt_length

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        for row, ids in enumerate(input_ids.tolist()):
            if loop_unit(ids[self.prompt_length:]):
                scores[row] = -float("inf")
                scores[row, self.eos_id] = 0.0
        return scores
