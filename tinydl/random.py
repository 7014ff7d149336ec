"""One seeded random generator for everything tinydl draws: initial weights, dropout
masks, shuffling. Weights are drawn on the host, so a model built with the same seed
starts with identical weights on every device."""

from __future__ import annotations

import numpy as np

from tinydl import check

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Make every later random draw in tinydl repeatable (PyTorch's name for it), on every
    device: GPU tensors' random values are drawn here too."""
    global _generator
    _generator = np.random.default_rng(check.non_negative_int("manual_seed()", "seed", seed))


def generator() -> np.random.Generator:
    """The host generator tinydl draws from."""
    return _generator
