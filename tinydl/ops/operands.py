"""Turning the other operand of ``x + 2.0`` or ``x * array`` into a Tensor, safely.

NumPy 2 treats a Python float as "weak" (``float32_array * 2.0`` stays float32)
but a 0-d float64 array or ``np.float64`` scalar as strong (the result becomes
float64). To keep a float32 model float32, scalars are converted to the
dtype of the tensor they meet.
"""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.tensor import Tensor


def as_tensor(value: Any, like: Tensor) -> Tensor:
    """``value`` as a Tensor that can meet ``like`` in one operation (no dtype surprises)."""
    if isinstance(value, Tensor):
        return value
    xp = backend.array_module(like.array)
    if isinstance(value, (Number, np.generic)):
        dtype = like.dtype
        if dtype.kind != "f" and isinstance(value, (float, np.floating)):
            dtype = get_default_dtype()  # int tensor * 0.5 is a float result, as in PyTorch
        return Tensor(xp.asarray(value, dtype=dtype))
    if backend.is_array(value):
        if backend.device_of(value) != like.device:
            raise TypeError(
                f"an array on {backend.device_of(value)} met a tensor on {like.device}: wrap it "
                f"with tinydl.tensor(array, device='{like.device}') first"
            )
        return Tensor(value)
    raise TypeError(f"unsupported operand of type {type(value).__name__} for a tensor operation")


def as_tensors(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands of a binary operation as Tensors; at least one must already be one."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(
            f"this operation needs a Tensor operand, got {type(a).__name__} and "
            f"{type(b).__name__}: make one with tinydl.tensor(values)"
        )
    a, b = (a, as_tensor(b, a)) if isinstance(a, Tensor) else (as_tensor(a, b), b)
    return _float_if_other_is(a, b), _float_if_other_is(b, a)


def _float_if_other_is(value: Tensor, other: Tensor) -> Tensor:
    """An integer or boolean tensor meeting a float one takes the float's dtype, as in
    PyTorch: NumPy would make int64 with float32 a float64, since int64 does not fit."""
    if value.dtype.kind in "biu" and other.dtype.kind == "f":
        return Tensor(value.array.astype(other.dtype))  # never requires grad: not a float
    return value
