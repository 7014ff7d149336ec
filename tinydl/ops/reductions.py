"""Reductions: sum, mean, max, min, var, std, norm over some or all axes; argmax, argmin,
all, any and bincount (not differentiable); and the running sum, cumsum."""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as np

from tinydl import backend, check
from tinydl.autograd.function import Function, is_grad_enabled
from tinydl.autograd.tensor import Tensor
from tinydl.ops.arguments import as_input, axis_of, keepdims_of, pick
from tinydl.ops.elementwise import abs, maximum, minimum

Axis = int | tuple[int, ...] | None


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


class Extreme(Function):
    """y = max x (or min x) over ``axes``.   dy/dxᵢ = 1 for the extreme, 0 elsewhere; tied
    extremes share the gradient equally, so the result does not depend on element order."""

    def __init__(self, axes: tuple[int, ...], keepdims: bool, which: str = "max") -> None:
        self.axes, self.keepdims, self.which = axes, keepdims, which

    def forward(self, x):
        self.x = x
        self.y = getattr(x, self.which)(axis=self.axes, keepdims=True)
        return self.y if self.keepdims else self.y.reshape(
            tuple(n for i, n in enumerate(x.shape) if i not in self.axes)
        )

    def backward(self, gy):
        gy = _restore_reduced(gy, self.x.shape, self.axes, self.keepdims)
        is_extreme = self.x == self.y
        ties = is_extreme.sum(axis=self.axes, keepdims=True, dtype=gy.dtype)  # int: upcast
        return backend.array_module(gy).where(is_extreme, gy / ties, 0)


class Cumsum(Function):
    """yᵢ = x₀ + … + xᵢ along ``axis``.   dL/dxⱼ = Σ_{i ≥ j} gᵢ: each x feeds every later
    running sum, so its gradient is the running sum of the gradient taken from the end."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        return x.cumsum(axis=self.axis)

    def backward(self, gy):
        xp = backend.array_module(gy)
        return xp.flip(xp.flip(gy, self.axis).cumsum(axis=self.axis), self.axis)


class ValuesIndices(NamedTuple):
    """What ``max(x, dim)``, ``min(x, dim)``, ``topk`` and ``sort`` return, as PyTorch's do:
    the values, and where they are along ``dim``."""

    values: Tensor
    indices: Tensor

    def __getattr__(self, name: str) -> Any:
        # Reached only for names a tuple lacks, e.g. .sum() from code expecting NumPy's max.
        raise AttributeError(
            f"max(x, dim) (like min(x, dim), topk and sort) returns (values, indices), as "
            f"PyTorch's does, which has no attribute {name!r}: use .values (or max(x, axis=dim) "
            f"for the maxima alone)"
        )


def _reduce(kind: type[Function], x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    caller = f"{kind.__name__.lower()}()"
    x = as_input(x, caller)
    return kind(check.axes(caller, "axis", axis, x.ndim), keepdims)(x)


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
    return _extreme("max", x, dim, keepdim, axis, keepdims)


def min(  # noqa: A001
    x: Tensor,
    dim: int | Tensor | None = None,
    keepdim: bool | None = None,
    *,
    axis: Axis = None,
    keepdims: bool | None = None,
) -> Any:
    """The minimum, asked in the same ways as :func:`max`: ``min(x)``, ``min(x, axis=a)``,
    ``min(x, dim)`` giving ``(values, indices)``, and ``min(x, other)`` element-wise."""
    return _extreme("min", x, dim, keepdim, axis, keepdims)


def _extreme(which: str, x: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Any:
    caller = f"{which}()"
    x = as_input(x, caller)
    if isinstance(dim, Tensor) or backend.is_array(dim):
        return (maximum if which == "max" else minimum)(x, dim)
    keepdims = keepdims_of(keepdims, keepdim, caller)
    if x.numel() == 0:
        raise ValueError(f"{caller} of an empty tensor has no value")
    pick(axis, dim, ("axis", "dim"), caller)
    if dim is None or isinstance(dim, (tuple, list)):  # NumPy's reduction (PyTorch has none)
        axes = check.axes(caller, "axis", axis if dim is None else dim, x.ndim)
        return Extreme(axes, keepdims, which)(x)
    axis = check.axis(caller, "dim", dim, x.ndim)
    return ValuesIndices(
        Extreme((axis,), keepdims, which)(x), _arg_extreme("arg" + which, x, axis, keepdims)
    )


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
    return _arg("argmax", x, axis, dim, keepdims, keepdim)


def argmin(
    x: Tensor,
    axis: int | None = None,
    keepdims: bool | None = None,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Tensor:
    """Indices (int64) of the smallest values, as :func:`argmax` finds the largest."""
    return _arg("argmin", x, axis, dim, keepdims, keepdim)


def _arg(argmax_or_argmin: str, x: Any, axis: Any, dim: Any, keepdims: Any, keepdim: Any
         ) -> Tensor:
    caller = f"{argmax_or_argmin}()"
    x = as_input(x, caller)
    axis = axis_of(axis, dim, caller)
    keepdims = keepdims_of(keepdims, keepdim, caller)
    if x.numel() == 0:
        raise ValueError(f"{caller} of an empty tensor has no value")
    if axis is None:
        index = getattr(x.array, argmax_or_argmin)()
        return Tensor(index.reshape((1,) * x.ndim) if keepdims else index)
    axis = check.axis(caller, "dim", axis, x.ndim)
    return _arg_extreme(argmax_or_argmin, x, axis, keepdims)


def _arg_extreme(argmax_or_argmin: str, x: Tensor, axis: int, keepdims: bool) -> Tensor:
    index = getattr(x.array, argmax_or_argmin)(axis=axis)
    if keepdims:
        index = backend.array_module(index).expand_dims(index, axis)
    return Tensor(index)


def var(
    x: Tensor,
    dim: Axis = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    """The variance over ``dim`` (all axes by default): Σ (x - mean)² / (n - correction),
    with PyTorch's default ``correction=1`` (the unbiased estimate; ``unbiased=False`` is
    ``correction=0``). Built from mean, sub and mul, so autograd differentiates it."""
    x = as_input(x, "var()")
    pick(unbiased, correction, ("unbiased", "correction"), "var()")
    correction = (1 if unbiased is None else int(bool(unbiased))) if correction is None \
        else correction
    axes = check.axes("var()", "dim", dim, x.ndim)
    count = 1
    for a in axes:
        count *= x.shape[a]
    centred = x - mean(x, axes, keepdims=True)
    return sum(centred * centred, axes, keepdims=keepdim) / builtins.max(count - correction, 0)


def std(
    x: Tensor,
    dim: Axis = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    """The standard deviation, √:func:`var` (same arguments)."""
    return var(x, dim, unbiased, keepdim, correction=correction) ** 0.5


def norm(x: Tensor, p: Any = "fro", dim: Axis = None, keepdim: bool = False) -> Tensor:
    """The 2-norm √(Σ x²) over ``dim`` (all elements by default; ``p`` 2 or "fro"), or the
    1-norm Σ |x| (``p=1``). Built from other ops; at x = 0 the 2-norm's gradient is NaN."""
    x = as_input(x, "norm()")
    if p in (2, "fro"):
        return sum(x * x, dim, keepdims=keepdim) ** 0.5
    if p == 1:
        return sum(abs(x), dim, keepdims=keepdim)
    raise ValueError(f"norm(): tinydl computes p=2 (or 'fro') and p=1 norms, got p={p!r}")


def all(x: Tensor, dim: Axis = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element along ``dim`` (all by default) is nonzero; a boolean tensor
    outside the graph."""
    return _truth("all", x, dim, keepdim)


def any(x: Tensor, dim: Axis = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element along ``dim`` (any, by default) is nonzero."""
    return _truth("any", x, dim, keepdim)


def _truth(which: str, x: Any, dim: Axis, keepdim: bool) -> Tensor:
    x = as_input(x, f"{which}()")
    axes = check.axes(f"{which}()", "dim", dim, x.ndim)
    return Tensor(getattr(x.array, which)(axis=axes, keepdims=bool(keepdim)))


def cumsum(x: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``: ``cumsum([1, 2, 3], 0)`` is ``[1, 3, 6]``."""
    x = as_input(x, "cumsum()")
    if dtype is not None:
        x = x.astype(dtype)
    return Cumsum(check.axis("cumsum()", "dim", dim, builtins.max(x.ndim, 1)))(x)


def bincount(x: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, … max(x) occurs in ``x``, a 1-D tensor of non-negative
    integers (``train.targets.bincount()`` counts the classes), with at least ``minlength``
    entries; int64. With ``weights`` (one per element of ``x``) each occurrence adds its
    weight instead of 1: the result has float weights' dtype, float64 for integer weights,
    as in PyTorch. Not differentiable (PyTorch's neither); finding the length reads the
    values, which waits for a GPU."""
    x = as_input(x, "bincount()")
    minlength = check.non_negative_int("bincount()", "minlength", minlength)
    if x.ndim != 1 or x.dtype.kind not in "iu":
        raise ValueError(
            f"bincount() counts a 1-D tensor of non-negative integers, got dtype {x.dtype} and "
            f"shape {x.shape}"
        )
    xp = backend.array_module(x.array)
    if x.numel() and int(x.array.min()) < 0:
        raise ValueError(f"bincount() counts non-negative integers, got {int(x.array.min())}")
    if weights is None:
        return Tensor(xp.bincount(x.array, minlength=minlength).astype(np.int64, copy=False))
    weights = as_input(weights, "bincount()")
    if weights.shape != x.shape:
        raise ValueError(
            f"bincount() needs one weight per element, shape {x.shape}, got {weights.shape}"
        )
    if weights.requires_grad and is_grad_enabled():
        raise RuntimeError(
            "bincount() is not differentiable: pass weights.detach(), or count under "
            "tinydl.no_grad()"
        )
    dtype = weights.dtype if weights.dtype.kind == "f" else np.dtype(np.float64)
    return Tensor(xp.bincount(x.array, weights.array, minlength).astype(dtype, copy=False))
