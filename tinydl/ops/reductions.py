"""Reductions: sum, mean, max over some or all axes."""

from __future__ import annotations

from tinydl import backend
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor

Axis = int | tuple[int, ...] | None


def _normalise_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < (ndim or 1):
            raise ValueError(f"axis {a} is out of range for a tensor of {ndim} dimension(s)")
    return tuple(sorted(a % (ndim or 1) for a in axes))


def _restore_reduced(gy, x_shape, axes, keepdims):
    """Reshape a reduced gradient so it broadcasts against the input again."""
    if keepdims:
        return gy
    kept = tuple(1 if i in axes else n for i, n in enumerate(x_shape))
    return gy.reshape(kept)


class Sum(Function):
    """y = Σ x over ``axes``.   dy/dxᵢ = 1: each input gets the output's gradient."""

    def __init__(self, axes: tuple[int, ...], keepdims: bool) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        gy = _restore_reduced(gy, self.x_shape, self.axes, self.keepdims)
        return backend.array_module(gy).broadcast_to(gy, self.x_shape)


class Mean(Function):
    """y = (1/n) Σ x over ``axes``.   dy/dxᵢ = 1/n."""

    def __init__(self, axes: tuple[int, ...], keepdims: bool) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        count = 1
        for a in self.axes:
            count *= self.x_shape[a]
        gy = _restore_reduced(gy, self.x_shape, self.axes, self.keepdims) / count
        return backend.array_module(gy).broadcast_to(gy, self.x_shape)


class Max(Function):
    """y = max x over ``axes``.   dy/dxᵢ = 1 for the maximum, 0 elsewhere; tied maxima
    share the gradient equally, so the result does not depend on element order."""

    def __init__(self, axes: tuple[int, ...], keepdims: bool) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        self.x = x
        self.y = x.max(axis=self.axes, keepdims=True)
        return self.y if self.keepdims else self.y.reshape(
            tuple(n for i, n in enumerate(x.shape) if i not in self.axes)
        )

    def backward(self, gy):
        gy = _restore_reduced(gy, self.x.shape, self.axes, self.keepdims)
        is_max = self.x == self.y
        ties = is_max.sum(axis=self.axes, keepdims=True, dtype=gy.dtype)  # int would upcast gy
        return backend.array_module(gy).where(is_max, gy / ties, 0)


def _reduce(kind: type[Function], x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    return kind(_normalise_axes(axis, x.ndim), keepdims)(x)


def sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _reduce(Sum, x, axis, keepdims)


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return _reduce(Mean, x, axis, keepdims)


def max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    if x.size == 0:
        raise ValueError("max() of an empty tensor has no value")
    return _reduce(Max, x, axis, keepdims)
