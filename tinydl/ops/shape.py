"""Shape operations: reshape, permute/transpose, indexing, concatenate, stack, expand,
repeat, gather, and the PyTorch names built on them (squeeze, unsqueeze, split, chunk,
narrow). They move values around without changing them, so each backward moves the
gradient back the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.function import Function, sum_to_shape
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import index_error, same_device
from tinydl.ops.arguments import axis_of
from tinydl.ops.value_checks import due


class Reshape(Function):
    """y = x viewed with a new shape.   The gradient is reshaped back."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.x_shape)


class Permute(Function):
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


class Flip(Function):
    """y = x with the order of its elements reversed along ``axes``.   Each gradient goes
    back to the element it came from: the gradient is flipped along the same axes."""

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, x):
        return backend.array_module(x).flip(x, self.axes)

    def backward(self, gy):
        return backend.array_module(gy).flip(gy, self.axes)


class GetItem(Function):
    """y = x[index].   The gradient lands where the values came from; an element picked
    twice (``x[[0, 0]]``) receives both gradients, hence ``add.at`` for array indices."""

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x):
        self.x_shape, self.x_strides = x.shape, x.strides
        return x[self.index]

    def backward(self, gy):
        # Zeros laid out in memory as x is, axes ordered by x's strides: the gradient of a
        # slice of a transposed view (an LSTM's (T, N, H) output of (T, H, N) memory) then
        # reaches the op that made x in that op's own layout. Issue 25's LSTM step: 0.97x.
        order = backend.memory_order(self.x_strides)
        xp = backend.array_module(gy)
        gx = xp.zeros([self.x_shape[axis] for axis in order], dtype=gy.dtype)
        gx = gx.transpose([order.index(axis) for axis in range(len(order))])
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


class Expand(Function):
    """y = x broadcast to a larger ``shape`` (a view: each element of x seen many times).
    dy/dx sums the gradient over every copy, which is undoing broadcasting."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        return backend.array_module(x).broadcast_to(x, self.shape)

    def backward(self, gy):
        return sum_to_shape(gy, self.x_shape)


class Repeat(Function):
    """y = x tiled ``repeats[i]`` times along axis i (PyTorch's ``repeat``, NumPy's ``tile``).

    Each element of x appears once in every tile, so its gradient is the sum over the tiles:
    gy viewed as (r₀, n₀, r₁, n₁, …) and summed over the r axes.
    """

    def __init__(self, repeats: tuple[int, ...]) -> None:
        self.repeats = repeats

    def forward(self, x):
        self.x_shape = (1,) * (len(self.repeats) - x.ndim) + x.shape  # new leading axes
        return backend.array_module(x).tile(x, self.repeats)

    def backward(self, gy):
        tiled = [n for pair in zip(self.repeats, self.x_shape, strict=True) for n in pair]
        summed = gy.reshape(tiled).sum(axis=tuple(range(0, len(tiled), 2)))
        return summed.reshape(self.x_shape)


class Gather(Function):
    """y[i][j][k] = x[index[i][j][k]][j][k] along ``dim`` (here dim 0; the others alike).

    Each y element is one x element, so dL/dx collects every y gradient at the place its
    value came from; an x element gathered twice receives both (``add.at``).
    """

    def __init__(self, dim: int, index: Any) -> None:
        self.dim, self.index = dim, index

    def forward(self, x):
        self.x_shape = x.shape
        return backend.array_module(x).take_along_axis(x[self._window()], self.index, self.dim)

    def backward(self, gy):
        xp = backend.array_module(gy)
        gx = xp.zeros(self.x_shape, dtype=gy.dtype)
        places = [
            xp.arange(n).reshape([-1 if d == axis else 1 for d in range(gy.ndim)])
            for axis, n in enumerate(gy.shape)
        ]
        places[self.dim] = self.index
        xp.add.at(gx, tuple(places), gy)
        return gx

    def _window(self) -> tuple[slice, ...]:
        """The part of x the index covers: PyTorch's index may be smaller than x along the
        other axes, where NumPy's take_along_axis would broadcast it instead."""
        return tuple(
            slice(None) if d == self.dim else slice(0, n) for d, n in enumerate(self.index.shape)
        )


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
    if not all(map(check.is_int, shape)):
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
    start = check.axis("flatten()", "start_dim", start_dim, max(x.ndim, 1))
    end = check.axis("flatten()", "end_dim", end_dim, max(x.ndim, 1))
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


def permute(x: Tensor, *dims: Any) -> Tensor:
    """Reorder the axes: output axis i is input axis ``dims[i]`` (``permute(x, 0, 2, 3, 1)``
    makes (N, C, H, W) channels-last). The dims come separately or in one tuple."""
    dims = _shape_argument(dims)
    if (
        not all(map(check.is_int, dims))
        or sorted(d % max(x.ndim, 1) if -x.ndim <= d < x.ndim else -1 for d in dims)
        != list(range(x.ndim))
    ):
        raise ValueError(
            f"permute{tuple(dims)}: dims must name each of the {x.ndim} axes of a tensor of "
            f"shape {x.shape} once, e.g. permute{tuple(reversed(range(x.ndim)))}"
        )
    return Permute(tuple(int(d) % x.ndim for d in dims))(x)


def transpose(x: Tensor, *dims: Any, dim0: int | None = None, dim1: int | None = None
              ) -> Tensor:
    """Swap two axes, ``dim0`` and ``dim1`` (PyTorch's meaning: ``transpose(x, 1, 2)`` turns
    (B, T, H, D) into (B, H, T, D)); ``x.T`` reverses every axis. NumPy's axis permutation
    (``x.transpose(1, 0, 2)``, ``x.transpose()``) is refused: that is :func:`permute`."""
    given = dims + tuple(d for d in (dim0, dim1) if d is not None)
    if len(given) != 2 or not all(map(check.is_int, given)):
        shown = ", ".join(map(repr, given))
        raise TypeError(
            f"transpose({shown}): transpose swaps two axes, as in PyTorch: "
            f"transpose(dim0, dim1); to reorder all axes as NumPy's transpose does, use "
            f"permute({shown or '...'}) (or .T to reverse them)"
        )
    first, second = (check.axis("transpose()", "dim", d, x.ndim) for d in given)
    order = list(range(x.ndim))
    order[first], order[second] = order[second], order[first]
    return Permute(tuple(order))(x)


def flip(x: Tensor, *dims: Any) -> Tensor:
    """``x`` with its elements in reverse order along each axis of ``dims`` (ints, given
    separately or in one tuple or list): ``flip(x, 1)`` reverses each row, as PyTorch's
    ``torch.flip(x, dims)``, which is what ``x[:, ::-1]`` does in NumPy."""
    if not isinstance(x, Tensor):
        raise TypeError(f"flip() takes a Tensor, got {type(x).__name__}")
    dims = _shape_argument(dims)
    if not dims:
        raise TypeError("flip() needs the dims to reverse, e.g. flip(x, 0) or x.flip(0, 1)")
    axes = tuple(check.axis("flip()", "dims", d, x.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise ValueError(f"flip(): dims {tuple(dims)} name an axis twice")
    return Flip(axes)(x)


def reverse_axes(x: Tensor) -> Tensor:
    """``x.T``: every axis in reverse order (a matrix's transpose)."""
    return Permute(tuple(reversed(range(x.ndim))))(x)


def squeeze(x: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Drop axes of length 1: all of them, or only ``dim`` (an int or a tuple), which is left
    alone when its length is not 1, as in PyTorch."""
    if dim is None:
        dims = set(range(x.ndim))
    else:
        listed = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {check.axis("squeeze()", "dim", d, max(x.ndim, 1)) for d in listed}
    return reshape(x, tuple(n for d, n in enumerate(x.shape) if not (d in dims and n == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert an axis of length 1 at ``dim`` (from -ndim-1 to ndim): ``unsqueeze(x, 0)``
    makes one sample a batch of one."""
    dim = check.axis("unsqueeze()", "dim", dim, x.ndim + 1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def expand(x: Tensor, *sizes: Any) -> Tensor:
    """``x`` broadcast to ``sizes`` without copying; -1 keeps an axis's length and new axes
    may be added in front (PyTorch's ``expand``)."""
    sizes = _shape_argument(sizes)
    extra = len(sizes) - x.ndim
    if extra < 0 or not all(map(check.is_int, sizes)):
        raise ValueError(
            f"expand{tuple(sizes)}: needs at least {x.ndim} integer sizes for a tensor of "
            f"shape {x.shape}"
        )
    shape = tuple(
        x.shape[d - extra] if n == -1 and d >= extra else int(n) for d, n in enumerate(sizes)
    )
    for d, n in enumerate(x.shape):
        if n != 1 and shape[d + extra] != n:
            raise ValueError(
                f"expand{tuple(sizes)}: axis {d} of a tensor of shape {x.shape} has length "
                f"{n}, and only axes of length 1 can be expanded (to {shape[d + extra]})"
            )
    if any(n < 0 for n in shape):
        raise ValueError(f"expand{tuple(sizes)}: -1 is allowed only for existing axes")
    return Expand(shape)(x)


def repeat(x: Tensor, *repeats: Any) -> Tensor:
    """``x`` copied ``repeats[i]`` times along each axis i (PyTorch's ``repeat``; NumPy's
    ``tile``); more repeats than axes add leading axes."""
    repeats = _shape_argument(repeats)
    if len(repeats) < x.ndim or not all(check.is_int(n) and n >= 0 for n in repeats):
        raise ValueError(
            f"repeat{tuple(repeats)}: needs one count >= 0 per axis (at least {x.ndim}) for a "
            f"tensor of shape {x.shape}"
        )
    return Repeat(tuple(int(n) for n in repeats))(x)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``length`` elements of axis ``dim`` from ``start`` on: ``x.narrow(1, 2, 3)`` is
    ``x[:, 2:5]``."""
    dim = check.axis("narrow()", "dim", dim, x.ndim)
    size = x.shape[dim]
    start = check.integer("narrow()", "start", start)
    length = check.integer("narrow()", "length", length)
    start = start + size if -size <= start < 0 else start
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise IndexError(
            f"narrow(dim={dim}, start={start}, length={length}): axis {dim} has length {size}, "
            f"so start + length must stay within 0 to {size}"
        )
    return x[(slice(None),) * dim + (slice(start, start + length),)]


def split(x: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
          ) -> tuple[Tensor, ...]:
    """Cut axis ``dim`` into pieces: of ``split_size`` each (the last may be shorter), or of
    the listed lengths, which must add up to the axis: ``q, k, v = qkv.split(C, dim=2)``."""
    dim = check.axis("split()", "dim", dim, x.ndim)
    size = x.shape[dim]
    sizes = split_size_or_sections
    if check.is_int(sizes):
        sizes = check.positive_int("split()", "split_size", sizes)
        sizes = [min(sizes, size - start) for start in range(0, size, sizes)] or [0]
    elif not isinstance(sizes, (list, tuple)) or not all(
        check.is_int(n) and n >= 0 for n in sizes
    ):
        raise TypeError(
            f"split() needs an int size or a list of lengths >= 0, got {split_size_or_sections!r}"
        )
    elif sum(sizes) != size:
        raise ValueError(
            f"split(): the lengths {list(sizes)} add up to {sum(sizes)}, but axis {dim} "
            f"of a tensor of shape {x.shape} has length {size}"
        )
    starts = np.cumsum([0, *sizes[:-1]])
    before = (slice(None),) * dim
    return tuple(x[before + (slice(int(a), int(a) + int(n)),)] for a, n in zip(starts, sizes,
                                                                                strict=True))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut axis ``dim`` into ``chunks`` pieces of ceil(length / chunks) elements each, the
    last shorter; as in PyTorch, fewer pieces come back when the length does not allow."""
    chunks = check.positive_int("chunk()", "chunks", chunks)
    size = x.shape[check.axis("chunk()", "dim", dim, x.ndim)]
    if size == 0:
        return split(x, [0] * chunks, dim)
    return split(x, -(-size // chunks), dim)


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """``y[i][j] = x[index[i][j]][j]`` for ``dim=0`` (``x[i][index[i][j]]`` for ``dim=1``):
    picks along ``dim`` by ``index``, an integer tensor with as many axes as ``x`` and no
    longer than ``x`` along the others. The result has ``index``'s shape."""
    dim = check.axis("gather()", "dim", dim, x.ndim)
    index = index.array if isinstance(index, Tensor) else index
    if not backend.is_array(index) or index.dtype.kind not in "iu":
        raise TypeError(
            f"gather() needs index to be an integer tensor, got "
            f"{getattr(index, 'dtype', type(index).__name__)}"
        )
    same_device("gather()", "index", index, "x", x)
    if index.ndim != x.ndim or any(
        i > n for d, (i, n) in enumerate(zip(index.shape, x.shape, strict=True)) if d != dim
    ):
        raise ValueError(
            f"gather(dim={dim}): index of shape {tuple(index.shape)} does not fit x of shape "
            f"{x.shape}: it needs {x.ndim} axes, each but axis {dim} no longer than x's"
        )
    if due("gather()", index) and (int(index.min()) < 0 or int(index.max()) >= x.shape[dim]):
        raise IndexError(
            f"gather(dim={dim}): index values must be from 0 to {x.shape[dim] - 1} (axis {dim} "
            f"of x has length {x.shape[dim]}), got {int(index.min())} to {int(index.max())}"
        )
    return Gather(dim, index)(x)


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]`` with slices, integers, ``None``, ``...`` and integer or boolean arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    parts = tuple(p.array if isinstance(p, Tensor) else p for p in parts)
    index = parts if isinstance(index, tuple) else parts[0]
    try:
        return GetItem(index)(x)
    except IndexError as err:
        raise index_error(x.shape, index, err) from None


def _check_joinable(tensors: Sequence[Tensor], name: str) -> None:
    check.instance(f"{name}()", "tensors", tensors, (list, tuple), "a list or tuple of Tensors")
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
    check.axis("concatenate()", "axis", axis, first.ndim)
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
    check.axis("stack()", "axis", axis, tensors[0].ndim + 1)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(
                f"stack() needs tensors of one shape: tensor {i} has {t.shape}, "
                f"tensor 0 has {tensors[0].shape}"
            )
    return Stack(axis % (tensors[0].ndim + 1))(*tensors)
