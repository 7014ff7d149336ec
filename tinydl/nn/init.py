"""Weight initialisers. Each draws on the host from tinydl's seeded generator and
returns a float32 NumPy array, so the same seed gives the same weights on any device.

``fan_in`` is how many inputs feed one output unit (``in_features``, or
``in_channels·kh·kw`` for a convolution); ``fan_out`` how many outputs one input feeds.

- Glorot/Xavier keeps the variance of activations and of gradients about equal
  across layers for symmetric activations (tanh): Var(w) = 2 / (fan_in + fan_out).
- He/Kaiming compensates for ReLU zeroing half its inputs: Var(w) = 2 / fan_in.
"""

from __future__ import annotations

import math

import numpy as np

from tinydl.random import generator

Shape = tuple[int, ...]


def fans(shape: Shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a Dense weight (in, out) or a Conv2D weight (out, in, kh, kw)."""
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _uniform(shape: Shape, limit: float) -> np.ndarray:
    return generator().uniform(-limit, limit, size=shape).astype(np.float32)


def _normal(shape: Shape, std: float) -> np.ndarray:
    return (generator().standard_normal(size=shape) * std).astype(np.float32)


def glorot_uniform(shape: Shape) -> np.ndarray:
    """U(-a, a) with a = √(6 / (fan_in + fan_out)). Keras's default for Dense and Conv2D."""
    fan_in, fan_out = fans(shape)
    return _uniform(shape, math.sqrt(6 / (fan_in + fan_out)))


def glorot_normal(shape: Shape) -> np.ndarray:
    """N(0, σ²) with σ = √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return _normal(shape, math.sqrt(2 / (fan_in + fan_out)))


def he_uniform(shape: Shape) -> np.ndarray:
    """U(-a, a) with a = √(6 / fan_in)."""
    return _uniform(shape, math.sqrt(6 / fans(shape)[0]))


def he_normal(shape: Shape) -> np.ndarray:
    """N(0, σ²) with σ = √(2 / fan_in)."""
    return _normal(shape, math.sqrt(2 / fans(shape)[0]))


def zeros(shape: Shape) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


INITIALISERS = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "zeros": zeros,
}
# The other common spellings of the same initialisers.
INITIALISERS.update(
    xavier_uniform=glorot_uniform, xavier_normal=glorot_normal,
    kaiming_uniform=he_uniform, kaiming_normal=he_normal,
)


def get(name: str):
    """The initialiser called ``name`` (e.g. "he_normal")."""
    if name not in INITIALISERS:
        raise ValueError(
            f"unknown initialiser {name!r}; choose from {', '.join(sorted(INITIALISERS))}"
        )
    return INITIALISERS[name]
