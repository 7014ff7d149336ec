"""Shape operations: reshape, transpose, indexing, concatenate, stack. They move values
around without changing them, so each backward moves the gradient back the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.checks import index_error
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.errors import AxisError
from tinydl.ops.arguments import axis_of


class Reshape(Function):
    """y = x viewed with a new shape.   The gradient is reshaped back."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.x_shape)


class Transpose(Function):
    """y = x with its axes permuted.   The gradient is permuted back (inverse permutation)."""

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        inverse = [0] * len(self.axes)
        for position, axis in enumerate(self.axes):
            inverse[axis] = position
        return gy.transpose(inverse)


class GetItem(Function):
    """y = x[index].   The gradient lands where the values came from; an element picked
    twice (``x[[0, 0]]``) receives both gradients, hence ``add.at`` for array indices."""

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x):
        self.x_shape = x.shape
        return x[self.index]

    def backward(self, gy):
        xp = backend.array_module(gy)
        gx = xp.zeros(self.x_shape, dtype=gy.dtype)
        if _has_array(self.index):
            xp.add.at(gx, self.index, gy)
        else:  # basic slicing never repeats an element, so plain assignment is enough
            gx[self.index] = gy
        return gx


class Concatenate(Function):
    """y = [x₁, x₂, …] joined along ``axis``.   Each input gets its slice of the gradient."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return backend.array_module(xs[0]).concatenate(xs, axis=self.axis)

    def backward(self, gy):
        ends = [sum(self.sizes[: i + 1]) for i in range(len(self.sizes) - 1)]
        return tuple(backend.array_module(gy).split(gy, ends, axis=self.axis))


class Stack(Function):
    """y = [x₁, x₂, …] stacked along a new ``axis``.   Input i gets the gradient's slice i."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        return backend.array_module(xs[0]).stack(xs, axis=self.axis)

    def backward(self, gy):
        xp = backend.array_module(gy)
        return tuple(xp.take(gy, i, axis=self.axis) for i in range(gy.shape[self.axis]))


def _has_array(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(backend.is_array(p) or isinstance(p, list) for p in parts)


def _shape_argument(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept both ``reshape(2, 3)`` and ``reshape((2, 3))``, as NumPy and PyTorch do."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_argument(shape)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"reshape() needs the new shape as integers, got {shape!r}")
    known = 1
    for n in shape:
        known *= n if n != -1 else 1
    size = x.numel()
    if shape.count(-1) > 1 or (-1 not in shape and known != size) or (
        -1 in shape and (known == 0 or size % known)
    ):
        raise ValueError(
            f"cannot reshape a tensor of shape {x.shape} ({size} elements) to {shape}"
        )
    return Reshape(shape)(x)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim`` … ``end_dim`` (inclusive) into one, as ``torch.flatten``:
    ``flatten(x, 1)`` turns (N, C, H, W) into (N, C·H·W); ``flatten(x)`` gives one axis."""
    ndim = max(x.ndim, 1)
    for name, dim in (("start_dim", start_dim), ("end_dim", end_dim)):
        if isinstance(dim, bool) or not isinstance(dim, int) or not -ndim <= dim < ndim:
            raise ValueError(
                f"flatten(): {name} must be an int in [-{ndim}, {ndim}) for a tensor of shape "
                f"{x.shape}, got {dim!r}"
            )
    start, end = start_dim % ndim, end_dim % ndim
    if start > end:
        raise ValueError(
            f"flatten(): start_dim {start_dim} comes after end_dim {end_dim} for a tensor of "
            f"shape {x.shape}"
        )
    if x.ndim == 0:
        return reshape(x, 1)
    merged = 1
    for n in x.shape[start : end + 1]:
        merged *= n
    return reshape(x, *x.shape[:start], merged, *x.shape[end + 1 :])


def transpose(x: Tensor, *axes: Any) -> Tensor:
    """Permute the axes (reverse them when none are given); ``permute`` is the same."""
    axes = _shape_argument(axes) or tuple(reversed(range(x.ndim)))
    if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
        raise ValueError(f"transpose axes {axes} are not a permutation of {x.ndim} axes")
    return Transpose(tuple(a % x.ndim for a in axes))(x)


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]`` with slices, integers, ``None``, ``...`` and integer or boolean arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    parts = tuple(p.array if isinstance(p, Tensor) else p for p in parts)
    index = parts if isinstance(index, tuple) else parts[0]
    try:
        return GetItem(index)(x)
    except IndexError as err:
        raise index_error(x.shape, index, err) from None


def _check_axis(axis: Any, ndim: int, caller: str) -> None:
    """An axis must name one of ``ndim`` axes: ``axis % ndim`` would silently pick another."""
    if isinstance(axis, bool) or not isinstance(axis, int) or not -ndim <= axis < ndim:
        raise AxisError(
            f"{caller}: axis must be an int from {-ndim} to {ndim - 1} here, got {axis!r}"
        )


def _check_joinable(tensors: Sequence[Tensor], name: str) -> None:
    if len(tensors) == 0:
        raise ValueError(f"{name}() needs at least one tensor")
    if not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"{name}() takes a sequence of tensors")


def concatenate(tensors: Sequence[Tensor], axis: int | None = None, *, dim: int | None = None
                ) -> Tensor:
    """Join tensors along ``axis`` (PyTorch: ``dim``), 0 by default."""
    axis = axis_of(axis, dim, "concatenate()")
    axis = 0 if axis is None else axis
    _check_joinable(tensors, "concatenate")
    first = tensors[0]
    _check_axis(axis, first.ndim, "concatenate()")
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or any(
            a != b
            for d, (a, b) in enumerate(zip(t.shape, first.shape, strict=True))
            if d != axis % first.ndim
        ):
            raise ValueError(
                f"concatenate() along axis {axis}: tensor {i} has shape {t.shape}, which does not "
                f"match tensor 0's shape {first.shape} outside that axis"
            )
    return Concatenate(axis % first.ndim)(*tensors)


def stack(tensors: Sequence[Tensor], axis: int | None = None, *, dim: int | None = None
          ) -> Tensor:
    """Stack tensors along a new ``axis`` (PyTorch: ``dim``), 0 by default."""
    axis = axis_of(axis, dim, "stack()")
    axis = 0 if axis is None else axis
    _check_joinable(tensors, "stack")
    _check_axis(axis, tensors[0].ndim + 1, "stack()")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(
                f"stack() needs tensors of one shape: tensor {i} has {t.shape}, "
                f"tensor 0 has {tensors[0].shape}"
            )
    return Stack(axis % (tensors[0].ndim + 1))(*tensors)
