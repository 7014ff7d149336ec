"""Element-wise functions: exp, log, log1p, expm1, sqrt, abs, sin, cos, maximum, where (and
masked_fill built on it), clamp, and the triangle masks tril/triu."""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import broadcast_problem, broadcasts_to, tensor
from tinydl.ops.operands import as_tensor, as_tensors

_ONLY_CONDITION = object()  # where(condition) alone: no a, no b


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


class Log1p(Function):
    """y = ln(1 + x), exact for tiny x where 1 + x would round to 1.   dy/dx = 1/(1 + x)."""

    def forward(self, x):
        self.x = x
        return backend.array_module(x).log1p(x)

    def backward(self, gy):
        return gy / (1 + self.x)


class Expm1(Function):
    """y = eˣ − 1, exact for tiny x where eˣ would round to 1.   dy/dx = eˣ = y + 1."""

    def forward(self, x):
        self.y = backend.array_module(x).expm1(x)
        return self.y

    def backward(self, gy):
        return gy * (self.y + 1)


class Sqrt(Function):
    """y = √x.   dy/dx = 1 / (2√x) = 1 / (2y)."""

    def forward(self, x):
        self.y = backend.array_module(x).sqrt(x)
        return self.y

    def backward(self, gy):
        return gy / (2 * self.y)


class Abs(Function):
    """y = |x|.   dy/dx = sign(x): 1 for x > 0, -1 for x < 0, and 0 at the kink x = 0
    (PyTorch's choice)."""

    def forward(self, x):
        self.x = x
        return backend.array_module(x).abs(x)

    def backward(self, gy):
        return gy * backend.array_module(gy).sign(self.x)


class Sin(Function):
    """y = sin x.   dy/dx = cos x."""

    def forward(self, x):
        self.x = x
        return backend.array_module(x).sin(x)

    def backward(self, gy):
        return gy * backend.array_module(gy).cos(self.x)


class Cos(Function):
    """y = cos x.   dy/dx = -sin x."""

    def forward(self, x):
        self.x = x
        return backend.array_module(x).cos(x)

    def backward(self, gy):
        return -gy * backend.array_module(gy).sin(self.x)


class Triangle(Function):
    """y = x below (``tril``) or above (``triu``) diagonal k of the last two axes, 0 elsewhere.
    dy/dx = 1 where x was kept, 0 where it was zeroed: the gradient gets the same triangle."""

    def __init__(self, upper: bool, diagonal: int) -> None:
        self.upper, self.diagonal = upper, diagonal

    def forward(self, x):
        return self._keep(x)

    def backward(self, gy):
        return self._keep(gy)

    def _keep(self, a):
        xp = backend.array_module(a)
        return (xp.triu if self.upper else xp.tril)(a, self.diagonal)


class Maximum(Function):
    """y = max(a, b) element-wise (min(a, b) when not ``larger``).   dy/da = 1 where a wins,
    dy/db = 1 where b wins; a tie splits the gradient equally (a valid subgradient, and
    symmetric)."""

    def __init__(self, larger: bool = True) -> None:
        self.larger = larger

    def forward(self, a, b):
        self.a, self.b = a, b
        xp = backend.array_module(a)
        return (xp.maximum if self.larger else xp.minimum)(a, b)

    def backward(self, gy):
        xp = backend.array_module(gy)
        half = gy * 0.5
        a_wins = self.a > self.b if self.larger else self.a < self.b
        b_wins = self.b > self.a if self.larger else self.b < self.a
        ga = xp.where(a_wins, gy, xp.where(self.a == self.b, half, 0))
        gb = xp.where(b_wins, gy, xp.where(self.a == self.b, half, 0))
        return ga, gb


class Where(Function):
    """y = a where condition else b.   dy/da = condition,  dy/db = not condition."""

    def forward(self, condition, a, b):
        self.condition = condition
        return backend.array_module(a).where(condition, a, b)

    def backward(self, gy):
        xp = backend.array_module(gy)
        return None, xp.where(self.condition, gy, 0), xp.where(self.condition, 0, gy)


class Clamp(Function):
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


def log1p(x: Tensor) -> Tensor:
    """ln(1 + x) element-wise, accurate where x is tiny (PyTorch's ``log1p``)."""
    return Log1p()(x)


def expm1(x: Tensor) -> Tensor:
    """eˣ − 1 element-wise, accurate where x is tiny (PyTorch's ``expm1``)."""
    return Expm1()(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt()(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001  (PyTorch's name; shadows the builtin only here)
    """|x| element-wise (``abs(x)`` of Python calls it too)."""
    return Abs()(x)


def sin(x: Tensor) -> Tensor:
    return Sin()(x)


def cos(x: Tensor) -> Tensor:
    return Cos()(x)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two axes (on and below diagonal ``diagonal``), zeros
    above: ``tril(ones(T, T))`` is a causal attention mask."""
    return _triangle(x, diagonal, upper=False)


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two axes (on and above diagonal ``diagonal``)."""
    return _triangle(x, diagonal, upper=True)


def _triangle(x: Tensor, diagonal: int, upper: bool) -> Tensor:
    caller = "triu()" if upper else "tril()"
    tensor(caller, "x", x, "(..., rows, columns)")
    return Triangle(upper, check.integer(caller, "diagonal", diagonal))(x)


def maximum(a: Any, b: Any) -> Tensor:
    """The larger of ``a`` and ``b`` element-wise (broadcasting)."""
    return _pairwise(a, b, larger=True)


def minimum(a: Any, b: Any) -> Tensor:
    """The smaller of ``a`` and ``b`` element-wise (broadcasting)."""
    return _pairwise(a, b, larger=False)


def _pairwise(a: Any, b: Any, larger: bool) -> Tensor:
    a, b = as_tensors(a, b)
    try:
        return Maximum(larger)(a, b)
    except ValueError as err:
        caller = "maximum()" if larger else "minimum()"
        raise ValueError(broadcast_problem(caller, a.shape, b.shape) or err) from None


def where(condition: Any, a: Any = _ONLY_CONDITION, b: Any = _ONLY_CONDITION) -> Any:
    """Pick ``a`` where ``condition`` holds, else ``b`` (broadcasting all three).

    ``a`` and ``b`` may both be numbers, as in PyTorch's ``torch.where(outputs > 0.5, 1, 0)``:
    the result is then int64 for two ints, the default float dtype if either is a float,
    bool for two bools, on the condition's device. ``where(condition)`` alone is
    :func:`nonzero` ``(condition, as_tuple=True)``: the indices of its nonzero elements.
    """
    if a is _ONLY_CONDITION and b is _ONLY_CONDITION:
        return nonzero(condition, as_tuple=True)
    if a is _ONLY_CONDITION or b is _ONLY_CONDITION:
        raise TypeError("where() takes a condition alone, or a condition and both a and b")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a, b = _scalar_pair(condition, a, b)
    a, b = as_tensors(a, b)
    condition = as_tensor(condition, a)
    if condition.dtype != bool:
        raise TypeError(f"where() needs a boolean condition, got dtype {condition.dtype}")
    try:
        return Where()(condition, a, b)
    except ValueError as err:
        shapes = condition.shape, a.shape, b.shape
        raise ValueError(broadcast_problem("where(condition, a, b)", *shapes) or err) from None


def _scalar_pair(condition: Any, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """``a`` and ``b``, two numbers, as 0-d tensors of the dtype PyTorch's type promotion
    gives them, on ``condition``'s device."""
    if not isinstance(condition, Tensor):
        raise TypeError(
            f"where(condition, a, b) with numbers a and b needs the condition as a Tensor, "
            f"got {type(condition).__name__}"
        )
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, (Number, np.generic)):
            raise TypeError(
                f"where() needs a and b to be Tensors or numbers, got {name} of type "
                f"{type(value).__name__}"
            )
    kinds = {np.asarray(a).dtype.kind, np.asarray(b).dtype.kind}
    if kinds & {"f", "c"}:
        dtype = get_default_dtype()
    else:
        dtype = np.dtype(np.bool_) if kinds == {"b"} else np.dtype(np.int64)
    xp = backend.array_module(condition.array)
    return Tensor(xp.asarray(a, dtype=dtype)), Tensor(xp.asarray(b, dtype=dtype))


def nonzero(x: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of ``x``'s nonzero (True) elements, in row-major order, as int64: one
    row per element, an (n, x.ndim) tensor, or with ``as_tuple=True`` one (n,) tensor per
    axis, which indexes them (``x[nonzero(x, as_tuple=True)]``). Not differentiable."""
    if not isinstance(x, Tensor):
        raise TypeError(f"nonzero() takes a Tensor, got {type(x).__name__}")
    check.flag("nonzero()", "as_tuple", as_tuple)
    xp = backend.array_module(x.array)
    # a 0-d tensor counts as one element of shape (1,), as in PyTorch
    per_axis = xp.nonzero(x.array.reshape(1) if x.ndim == 0 else x.array)
    per_axis = [axis.astype(np.int64, copy=False) for axis in per_axis]
    if as_tuple:
        return tuple(Tensor(axis) for axis in per_axis)
    return Tensor(xp.stack(per_axis, axis=1) if x.ndim else xp.zeros((len(per_axis[0]), 0),
                                                                       dtype=np.int64))


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` wherever the boolean ``mask`` (broadcast to x's shape) is True:
    ``scores.masked_fill(causal == 0, float("-inf"))``. The gradient reaches x where the
    mask is False."""
    mask = as_tensor(mask, tensor("masked_fill()", "x", x))
    if mask.dtype != bool:
        raise TypeError(
            f"masked_fill() needs a boolean mask, got dtype {mask.dtype}: compare to make one, "
            f"e.g. mask == 0"
        )
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(
            f"masked_fill() needs one value (a number or a 0-d tensor), got a tensor of shape "
            f"{value.shape}"
        )
    if not broadcasts_to(mask.shape, x.shape):
        raise ValueError(
            f"masked_fill(): a mask of shape {mask.shape} does not broadcast to x's shape "
            f"{x.shape}"
        )
    return where(mask, value, x)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Each element limited to [min, max] (either bound may be omitted); ``clip`` is the
    same. Unlike PyTorch, ``min > max`` is refused rather than filling with ``max``."""
    low, high = min, max
    if low is None and high is None:
        raise ValueError("clamp() needs at least one of min and max")
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and not check.is_number(bound):
            raise TypeError(f"clamp() needs {name} to be a number or None, got {bound!r}")
    if low is not None and high is not None and low > high:
        raise ValueError(f"clamp() needs min <= max, got min={low} and max={high}")
    # NumPy scalar bounds (np.float64) would upcast a float32 x; Python numbers do not.
    low, high = (v.item() if isinstance(v, np.generic) else v for v in (low, high))
    return Clamp(low, high)(x)


clip = clamp
