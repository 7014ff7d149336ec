"""One seeded random generator for everything tinydl draws: initial weights, dropout
masks, shuffling. Weights are drawn on the host, so a model built with the same seed
starts with identical weights on every device."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def check_seed(seed: int, caller: str) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{caller} needs seed to be an integer >= 0, got {seed!r}")


def manual_seed(seed: int) -> None:
    """Make every later random draw in tinydl repeatable (PyTorch's name for it), on every
    device: GPU tensors' random values are drawn here too."""
    check_seed(seed, "manual_seed()")
    global _generator
    _generator = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The host generator tinydl draws from."""
    return _generator
