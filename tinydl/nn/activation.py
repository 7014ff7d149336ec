"""Activations as layers, for Sequential models. The maths lives in tinydl.ops.activations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinydl import check, ops
from tinydl.autograd import Tensor
from tinydl.errors import ArgumentTypeError
from tinydl.nn.module import Module
from tinydl.ops.activations import gelu, leaky_relu
from tinydl.ops.arguments import axis_of


def by_name(where: str, activation: Any, choices: dict[str, Callable[..., Any]]) -> Any:
    """A layer's ``activation`` argument: a callable (a function such as ``F.gelu``, or a
    Module) as it is, or one of the names of ``choices``, as what that name stands for."""
    if callable(activation):
        return activation
    if not isinstance(activation, str) or activation not in choices:
        names = ", ".join(map(repr, choices))
        raise ArgumentTypeError(
            f"{where}: activation must be {names} or a callable, got {activation!r}"
        )
    return choices[activation]


class ReLU(Module):
    """max(x, 0). ``inplace`` (``nn.ReLU(True)`` in PyTorch code) is accepted and ignored:
    tinydl's ops never overwrite their input, which backward may still need."""

    def __init__(self, inplace: bool = False) -> None:
        self.inplace = check.flag("ReLU", "inplace", inplace)

    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else ``negative_slope``·x (PyTorch's default 0.01; GANs often use 0.2).
    ``inplace`` is accepted and ignored, as in :class:`ReLU`."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        self.negative_slope = check.number("LeakyReLU", "negative_slope", negative_slope)
        self.inplace = check.flag("LeakyReLU", "inplace", inplace)

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x·Φ(x), PyTorch's ``nn.GELU(approximate="none")``; ``approximate="tanh"`` gives the
    tanh formula GPT-2 used."""

    def __init__(self, approximate: str = "none") -> None:
        self.approximate = check.one_of("GELU", "approximate", approximate, ("none", "tanh"))

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class Softmax(Module):
    """Softmax along ``axis`` (PyTorch: ``dim``); for predictions, not before a loss that
    takes logits (CrossEntropyLoss applies its own)."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        self.axis = axis_of(axis, dim, "Softmax()")

    def forward(self, x: Tensor) -> Tensor:
        return ops.softmax(x, self.axis)


class LogSoftmax(Module):
    """log(softmax) along ``axis`` (PyTorch: ``dim``); pairs with NLLLoss."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        self.axis = axis_of(axis, dim, "LogSoftmax()")

    def forward(self, x: Tensor) -> Tensor:
        return ops.log_softmax(x, self.axis)
