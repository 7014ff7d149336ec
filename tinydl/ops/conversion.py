"""Moving a tensor between devices and dtypes, and comparisons (not differentiable)."""

from __future__ import annotations

from typing import Any

from tinydl import backend
from tinydl.autograd.checks import operand_error, parse_dtype
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
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
        self.dtype = parse_dtype(dtype, "astype()")

    def forward(self, x):
        self.source = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy.astype(self.source)


def to_device(x: Tensor, device: DeviceLike) -> Tensor:
    return ToDevice(device)(x)


def astype(x: Tensor, dtype: Any) -> Tensor:
    return AsType(dtype)(x)


def compare(a: Any, b: Any, name: str) -> Tensor:
    """An element-wise comparison such as ``"less"``, as a boolean tensor with no graph."""
    a, b = as_tensors(a, b)
    if a.device != b.device:
        raise backend.DeviceError(f"cannot compare tensors on {a.device} and {b.device}")
    try:
        return Tensor(getattr(backend.array_module(a.array), name)(a.array, b.array))
    except (ValueError, TypeError) as err:
        raise operand_error(_SYMBOLS[name], a, b, err) from None


_SYMBOLS = {
    "less": "<", "less_equal": "<=", "greater": ">", "greater_equal": ">=", "equal": "==",
    "not_equal": "!=",
}
