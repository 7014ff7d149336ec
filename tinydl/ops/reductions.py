"""Reductions: sum, mean, max over some or all axes."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tinydl import backend
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.ops.arguments import as_input, axis_of, keepdims_of
from tinydl.ops.elementwise import maximum

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


class MaxResult(NamedTuple):
    """``max(x, dim)``'s answer, as PyTorch's: the maxima and where they are along ``dim``."""

    values: Tensor
    indices: Tensor

    def __getattr__(self, name: str) -> Any:
        # Reached only for names a tuple lacks, e.g. .sum() from code expecting NumPy's max.
        raise AttributeError(
            f"max(x, dim) returns (values, indices), as PyTorch's does, which has no "
            f"attribute {name!r}: use .values (or max(x, axis=dim) for the maxima alone)"
        )


def _reduce(kind: type[Function], x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    x = as_input(x, f"{kind.__name__.lower()}()")
    return kind(_normalise_axes(axis, x.ndim), keepdims)(x)


def sum(  # noqa: A001
    x: Tensor,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    """Σ over ``axis`` (all axes by default); ``dim``/``keepdim`` are PyTorch's names."""
    axis, keepdims = axis_of(axis, dim, "sum()"), keepdims_of(keepdims, keepdim, "sum()")
    return _reduce(Sum, x, axis, keepdims)


def mean(
    x: Tensor,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    """The mean over ``axis`` (all axes by default); ``dim``/``keepdim`` are PyTorch's names."""
    axis, keepdims = axis_of(axis, dim, "mean()"), keepdims_of(keepdims, keepdim, "mean()")
    return _reduce(Mean, x, axis, keepdims)


def max(  # noqa: A001
    x: Tensor,
    dim: int | Tensor | None = None,
    keepdim: bool | None = None,
    *,
    axis: Axis = None,
    keepdims: bool | None = None,
) -> Any:
    """The maximum, in NumPy's or PyTorch's sense depending on how it is asked:

    - ``max(x)``: the largest value, a 0-d tensor.
    - ``max(x, axis=a)`` (NumPy), or a tuple of axes in any form: the maxima along ``a``.
    - ``max(x, dim)`` or ``max(x, dim=d)`` with an int (PyTorch): ``(values, indices)``
      along ``d``, a named tuple, so ``_, predicted = max(outputs, 1)`` gives the classes.
    - ``max(x, other)`` with a tensor ``other`` (PyTorch): the element-wise maximum.

    ``keepdim``/``keepdims`` keep the reduced axis with length 1. ``x`` may also be an array
    (``outputs.data``). The maxima are differentiable, the indices are not.
    """
    x = as_input(x, "max()")
    if isinstance(dim, Tensor) or backend.is_array(dim):
        return maximum(x, dim)
    keepdims = keepdims_of(keepdims, keepdim, "max()")
    if x.numel() == 0:
        raise ValueError("max() of an empty tensor has no value")
    if axis is not None and dim is not None:
        raise TypeError("max() got both axis= and dim=, which mean the same; pass one")
    if dim is None or isinstance(dim, (tuple, list)):  # NumPy's reduction (PyTorch has none)
        return _reduce(Max, x, axis if dim is None else tuple(dim), keepdims)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"max() needs dim to be an int, got {dim!r}")
    (axis,) = _normalise_axes(int(dim), x.ndim)
    return MaxResult(_reduce(Max, x, axis, keepdims), argmax(x, axis, keepdims))


def argmax(
    x: Tensor,
    axis: int | None = None,
    keepdims: bool | None = None,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Tensor:
    """Indices (int64) of the largest values along ``axis``/``dim`` (of the flattened tensor
    when neither is given); not differentiable. The first maximum wins a tie."""
    x = as_input(x, "argmax()")
    axis = axis_of(axis, dim, "argmax()")
    keepdims = keepdims_of(keepdims, keepdim, "argmax()")
    if x.numel() == 0:
        raise ValueError("argmax() of an empty tensor has no value")
    if axis is not None and (not isinstance(axis, (int, np.integer)) or isinstance(axis, bool)):
        raise TypeError(f"argmax() needs dim to be an int or None, got {axis!r}")
    data = x.array
    if axis is None:
        index = data.argmax()
        return Tensor(index.reshape((1,) * x.ndim) if keepdims else index)
    (axis,) = _normalise_axes(int(axis), x.ndim)
    index = data.argmax(axis=axis)
    if keepdims:
        index = backend.array_module(data).expand_dims(index, axis)
    return Tensor(index)
