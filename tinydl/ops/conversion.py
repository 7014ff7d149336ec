"""Moving a tensor between devices and dtypes, copying it, and the operations whose result
has no useful gradient: comparisons, floor division and remainder."""

from __future__ import annotations

from typing import Any

from tinydl import backend, check
from tinydl.autograd.function import Function, is_grad_enabled
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import operand_error, same_device
from tinydl.backend import DeviceLike
from tinydl.ops.operands import as_tensors


class ToDevice(Function):
    """y = x on another device.   The gradient travels back to x's device."""

    def __init__(self, target: DeviceLike) -> None:
        self.target = backend.device(target)

    def forward(self, x):
        self.source = backend.device_of(x)
        return backend.to_device(x, self.target)

    def backward(self, gy):
        return backend.to_device(gy, self.source)


class AsType(Function):
    """y = x cast to ``dtype``.   The gradient is cast back to x's dtype."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = check.dtype("astype()", "dtype", dtype)

    def forward(self, x):
        self.source = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy.astype(self.source)


class Clone(Function):
    """y = a copy of x (new memory).   dy/dx = 1."""

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def clone(x: Tensor) -> Tensor:
    """A copy of ``x`` in its own memory; gradients flow through to ``x``."""
    return Clone()(x)


def to_device(x: Tensor, device: DeviceLike) -> Tensor:
    return ToDevice(device)(x)


def astype(x: Tensor, dtype: Any) -> Tensor:
    """``x`` as ``dtype``. A cast to integers or booleans leaves the graph, as in PyTorch:
    such a tensor has no gradient."""
    dtype = check.dtype("astype()", "dtype", dtype)
    if dtype.kind not in "fc":
        return Tensor(x.array.astype(dtype))
    return AsType(dtype)(x)


def compare(a: Any, b: Any, name: str) -> Tensor:
    """An element-wise comparison such as ``"less"``, as a boolean tensor with no graph."""
    a, b = as_tensors(a, b)
    same_device(f"a {_SYMBOLS[name]} b", "b", b, "a", a)
    try:
        return Tensor(getattr(backend.array_module(a.array), name)(a.array, b.array))
    except (ValueError, TypeError) as err:
        raise operand_error(_SYMBOLS[name], a, b, err) from None


def floor_divide(a: Any, b: Any) -> Tensor:
    """``a // b`` element-wise (rounded towards -inf, Python's rule), outside the graph."""
    return _stepwise(a, b, "floor_divide")


def remainder(a: Any, b: Any) -> Tensor:
    """``a % b`` element-wise (the sign of b, Python's rule), outside the graph."""
    return _stepwise(a, b, "remainder")


def _stepwise(a: Any, b: Any, name: str) -> Tensor:
    """A result that jumps instead of changing smoothly: refused while recording gradients."""
    a, b = as_tensors(a, b)
    symbol = _SYMBOLS[name]
    if is_grad_enabled() and (a.requires_grad or b.requires_grad):
        raise RuntimeError(
            f"a {symbol} b is not differentiable in tinydl: compute it on .detach()ed tensors "
            f"or inside `with tinydl.no_grad():`"
        )
    try:
        return Tensor(getattr(backend.array_module(a.array), name)(a.array, b.array))
    except (ValueError, TypeError, ZeroDivisionError) as err:
        raise operand_error(symbol, a, b, err) from None


_SYMBOLS = {
    "less": "<", "less_equal": "<=", "greater": ">", "greater_equal": ">=", "equal": "==",
    "not_equal": "!=", "floor_divide": "//", "remainder": "%",
}
