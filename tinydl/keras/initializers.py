"""Keras's weight initialisers, for weights in Keras's layouts (``add_weight`` and the
recurrent, embedding and attention layers).

Each draws on the host from tinydl's seeded generator (or, given ``seed=``, from its own
generator with that seed: the same seed gives the same weights in tinydl, though not
Keras's values) and returns a float32 NumPy array.

Keras reads a kernel's shape as ``(..., fan_in, fan_out)``: the last axis is the output,
the one before it the input, and any axes before those (a convolution's window, an
attention layer's input features) multiply both fans.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinydl import check
from tinydl.keras._args import missing_names, snake_case
from tinydl.nn.init import orthogonal
from tinydl.random import generator

Shape = tuple[int, ...]


def fans(shape: Shape) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight in Keras's layout."""
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class Initializer:
    """A callable ``initializer(shape)`` returning float32 values."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def rng(self) -> np.random.Generator:
        return generator() if self.seed is None else np.random.default_rng(self.seed)

    def draw(self, shape: Shape) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        if dtype not in (None, "float32"):
            raise TypeError(f"{type(self).__name__}: only float32 weights are offered, got "
                            f"dtype={dtype!r}")
        return np.asarray(self.draw(tuple(shape)), dtype=np.float32)


class Zeros(Initializer):
    def draw(self, shape):
        return np.zeros(shape)


class Ones(Initializer):
    def draw(self, shape):
        return np.ones(shape)


class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = value

    def draw(self, shape):
        return np.full(shape, self.value)


class RandomUniform(Initializer):
    """U(minval, maxval); Keras's "uniform" (the ``Embedding`` default) is U(-0.05, 0.05)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
                 ) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def draw(self, shape):
        return self.rng().uniform(self.minval, self.maxval, shape)


class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def draw(self, shape):
        return self.rng().normal(self.mean, self.stddev, shape)


def truncated_normal(rng: np.random.Generator, shape: Shape, mean: float, stddev: float
                     ) -> np.ndarray:
    """Normal draws, each redrawn until it lies within two standard deviations."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return mean + stddev * values


class TruncatedNormal(RandomNormal):
    def draw(self, shape):
        return truncated_normal(self.rng(), shape, self.mean, self.stddev)


class VarianceScaling(Initializer):
    """Variance ``scale / n``, n the fan in, out or their average (``mode``), drawn from a
    uniform, a normal or a normal truncated at two standard deviations (whose spread is
    widened by 1/0.8796 so that the variance stays ``scale / n``), as Keras draws them."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        super().__init__(seed)
        where = "initializers.VarianceScaling()"
        self.scale = check.number(where, "scale", scale, "> 0")
        self.mode = check.one_of(where, "mode", mode, ("fan_in", "fan_out", "fan_avg"))
        self.distribution = check.one_of(where, "distribution", distribution,
                                         ("uniform", "truncated_normal", "untruncated_normal"))

    def draw(self, shape):
        fan_in, fan_out = fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3 * variance)
            return self.rng().uniform(-limit, limit, shape)
        if self.distribution == "untruncated_normal":
            return self.rng().normal(0.0, math.sqrt(variance), shape)
        return truncated_normal(self.rng(), shape, 0.0, math.sqrt(variance) / 0.87962566103423978)


class GlorotUniform(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)


class HeNormal(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class LecunNormal(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class Orthogonal(Initializer):
    """tinydl's :func:`tinydl.nn.init.orthogonal`, times ``gain``: Keras's default for
    recurrent kernels."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def draw(self, shape):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs a shape of at least two axes, got {shape}")
        return orthogonal(shape, self.gain, self.rng())


INITIALIZERS = {
    kind.__name__: kind
    for kind in (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, Ones,
                 Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros)
}
# Keras's string names: the class names in snake case, and these.
NAMES = {snake_case(name): kind for name, kind in INITIALIZERS.items()} | {
    "uniform": RandomUniform, "normal": RandomNormal,
}
__all__ = sorted(INITIALIZERS)


def get(identifier: Any) -> Initializer:
    """An initialiser from a Keras name ("glorot_uniform", "orthogonal", "zeros", ...), a
    class name ("GlorotUniform") or an initialiser object."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, str):
        kind = NAMES.get(identifier) or INITIALIZERS.get(identifier)
        if kind is not None:
            return kind()
    raise ValueError(
        f"initializer {identifier!r} is not offered by tinydl.keras; choose a name from "
        f"{', '.join(sorted(NAMES))} or an object ({', '.join(__all__)})"
    )


__getattr__ = missing_names("initializers", __all__)
