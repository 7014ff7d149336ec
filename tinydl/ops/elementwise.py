"""Element-wise functions: exp, log, sqrt, maximum, where, clip."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.checks import broadcast_problem
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.ops.operands import as_tensor, as_tensors


class Exp(Function):
    """y = eˣ.   dy/dx = eˣ = y."""

    def forward(self, x):
        self.y = backend.array_module(x).exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y


class Log(Function):
    """y = ln x.   dy/dx = 1/x."""

    def forward(self, x):
        self.x = x
        return backend.array_module(x).log(x)

    def backward(self, gy):
        return gy / self.x


class Sqrt(Function):
    """y = √x.   dy/dx = 1 / (2√x) = 1 / (2y)."""

    def forward(self, x):
        self.y = backend.array_module(x).sqrt(x)
        return self.y

    def backward(self, gy):
        return gy / (2 * self.y)


class Maximum(Function):
    """y = max(a, b) element-wise.   dy/da = 1 where a > b, dy/db = 1 where b > a;
    a tie splits the gradient equally (a valid subgradient, and symmetric)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return backend.array_module(a).maximum(a, b)

    def backward(self, gy):
        xp = backend.array_module(gy)
        half = gy * 0.5
        ga = xp.where(self.a > self.b, gy, xp.where(self.a == self.b, half, 0))
        gb = xp.where(self.b > self.a, gy, xp.where(self.a == self.b, half, 0))
        return ga, gb


class Where(Function):
    """y = a where condition else b.   dy/da = condition,  dy/db = not condition."""

    def forward(self, condition, a, b):
        self.condition = condition
        return backend.array_module(a).where(condition, a, b)

    def backward(self, gy):
        xp = backend.array_module(gy)
        return None, xp.where(self.condition, gy, 0), xp.where(self.condition, 0, gy)


class Clip(Function):
    """y = min(max(x, low), high).   dy/dx = 1 inside [low, high], 0 outside."""

    def __init__(self, low: float | None, high: float | None) -> None:
        self.low, self.high = low, high

    def forward(self, x):
        self.x = x
        return backend.array_module(x).clip(x, self.low, self.high)

    def backward(self, gy):
        inside = True
        if self.low is not None:
            inside = self.x >= self.low
        if self.high is not None:
            inside = inside & (self.x <= self.high)
        return backend.array_module(gy).where(inside, gy, 0)


def exp(x: Tensor) -> Tensor:
    return Exp()(x)


def log(x: Tensor) -> Tensor:
    return Log()(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt()(x)


def maximum(a: Any, b: Any) -> Tensor:
    a, b = as_tensors(a, b)
    try:
        return Maximum()(a, b)
    except ValueError as err:
        raise ValueError(broadcast_problem("maximum()", a.shape, b.shape) or err) from None


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Pick ``a`` where ``condition`` holds, else ``b`` (broadcasting all three)."""
    a, b = as_tensors(a, b)
    condition = as_tensor(condition, a)
    if condition.dtype != bool:
        raise TypeError(f"where() needs a boolean condition, got dtype {condition.dtype}")
    try:
        return Where()(condition, a, b)
    except ValueError as err:
        shapes = condition.shape, a.shape, b.shape
        raise ValueError(broadcast_problem("where(condition, a, b)", *shapes) or err) from None


def clip(x: Tensor, low: float | None = None, high: float | None = None) -> Tensor:
    if low is None and high is None:
        raise ValueError("clip() needs at least one of low and high")
    for name, bound in (("low", low), ("high", high)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, Real)):
            raise TypeError(f"clip() needs {name} to be a number or None, got {bound!r}")
    if low is not None and high is not None and low > high:
        raise ValueError(f"clip() needs low <= high, got low={low} and high={high}")
    # NumPy scalar bounds (np.float64) would upcast a float32 x; Python numbers do not.
    low, high = (v.item() if isinstance(v, np.generic) else v for v in (low, high))
    return Clip(low, high)(x)
