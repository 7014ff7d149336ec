"""Fully connected layer, and layers that only change shape."""

from __future__ import annotations

import math
from typing import Any

from tinydl import backend
from tinydl.autograd import Tensor
from tinydl.nn import init
from tinydl.nn.module import Module, Parameter
from tinydl.ops.linalg import linear


def _positive(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def on_device(values: Any, device: Any = None) -> Any:
    """Host ``values`` placed on ``device`` (default: the default device)."""
    return backend.to_device(values, device or backend.get_default_device())


def new_parameter(values: Any, device: Any = None) -> Parameter:
    """A Parameter holding host ``values``, placed on ``device`` (default: the default device)."""
    return Parameter(on_device(values, device))


class Dense(Module):
    """y = x @ W + b, with W of shape (in_features, out_features).

    ``Dense(in_features, out_features)`` as in PyTorch, or Keras-style
    ``Dense(out_features)``, which reads ``in_features`` off the first batch it sees
    (call the model once, or ``summary()`` it, before making the optimiser).
    Defaults follow Keras: Glorot-uniform weights, zero bias. ``weight_init="he_normal"``
    suits deep ReLU stacks.
    """

    def __init__(
        self, *features: int, bias: bool = True, weight_init: str = "glorot_uniform"
    ) -> None:
        if len(features) not in (1, 2):
            raise TypeError("Dense takes (in_features, out_features) or (out_features,)")
        self.out_features = _positive("out_features", features[-1])
        self.use_bias = bias
        init.get(weight_init)  # fail now, not at the first batch, on a misspelt name
        self.weight_init = weight_init
        self.in_features: int | None = None
        self.needs_build = True
        if len(features) == 2:
            self.build(_positive("in_features", features[0]))

    def build(self, in_features: int, device: Any = None) -> None:
        shape = (in_features, self.out_features)
        self.weight = new_parameter(init.get(self.weight_init)(shape), device)
        self.bias = (
            new_parameter(init.zeros((self.out_features,)), device) if self.use_bias else None
        )
        self.in_features = in_features
        self.needs_build = False

    def forward(self, x: Tensor) -> Tensor:
        if self.needs_build:
            self.build(x.shape[-1], x.device)
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"Dense expected inputs with {self.in_features} features in the last axis, "
                f"got shape {x.shape}"
            )
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features or '?'} -> {self.out_features}, bias={self.use_bias}"


class Flatten(Module):
    """(N, d1, d2, …) -> (N, d1·d2·…): keep the batch axis, flatten the rest."""

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))


class Reshape(Module):
    """Reshape each sample to ``shape`` (the batch axis is kept), like Keras's Reshape."""

    def __init__(self, *shape: int) -> None:
        self.shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], tuple) else shape

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return str(self.shape)
