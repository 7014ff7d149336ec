"""Activations as layers, for Sequential models. The maths lives in tinydl.ops.activations."""

from __future__ import annotations

from tinydl import ops
from tinydl.autograd import Tensor
from tinydl.nn.module import Module
from tinydl.ops.activations import check_negative_slope, gelu, leaky_relu
from tinydl.ops.arguments import axis_of


def check_inplace(inplace: object, layer: str) -> bool:
    """PyTorch's ``inplace`` flag, accepted so that PyTorch code runs, and ignored: tinydl's
    ops never overwrite their input, which backward may still need."""
    if not isinstance(inplace, bool):
        raise TypeError(f"{layer}: inplace must be True or False, got {inplace!r}")
    return inplace


class ReLU(Module):
    """max(x, 0). ``inplace`` (``nn.ReLU(True)`` in PyTorch code) is accepted and ignored."""

    def __init__(self, inplace: bool = False) -> None:
        self.inplace = check_inplace(inplace, "ReLU")

    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else ``negative_slope``·x (PyTorch's default 0.01; GANs often use 0.2).
    ``inplace`` is accepted and ignored, as in :class:`ReLU`."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        self.negative_slope = check_negative_slope(negative_slope, "LeakyReLU")
        self.inplace = check_inplace(inplace, "LeakyReLU")

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x·Φ(x), PyTorch's ``nn.GELU(approximate="none")``; ``approximate="tanh"`` gives the
    tanh formula GPT-2 used."""

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

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
