"""The training recipe the Transformer examples share (gpt_addition.py, vit_mnist.py):
weight decay on the weight matrices only, and a learning rate that warms up linearly and
then decays along a half cosine, set at every optimiser step."""

from __future__ import annotations

import math
from collections.abc import Callable

from tinydl import nn


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Two parameter groups: weight decay for the weight matrices, none for biases, LayerNorm
    gains and the embedding tables (shrinking those towards 0 only fights their job: the
    usual GPT recipe)."""
    tables = (nn.Embedding, nn.LearnedPositionalEmbedding)
    excluded = {id(p) for m in model.modules() if isinstance(m, tables) for p in m.parameters()}
    decay = [p for p in model.parameters() if p.ndim >= 2 and id(p) not in excluded]
    chosen = {id(p) for p in decay}
    rest = [p for p in model.parameters() if id(p) not in chosen]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]


def warmup_cosine(warmup: int, total: int, floor: float = 0.1) -> Callable[[int], float]:
    """The learning-rate factor at step s: linear from 0 to 1 over ``warmup`` steps, then a
    half cosine down to ``floor`` at step ``total``."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor
