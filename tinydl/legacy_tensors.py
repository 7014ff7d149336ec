"""PyTorch's legacy typed constructors, ``torch.LongTensor(letter_indexes)``,
``torch.FloatTensor(2, 3)``, ``torch.ByteTensor()``, still common in older tutorials.

Each name is a class whose call makes a tinydl Tensor of its dtype on the CPU, with
PyTorch's reading of the arguments:

- data (a list, a tuple, a NumPy array): a tensor of those values in this dtype, so
  ``FloatTensor((2, 3))`` is ``tensor([2., 3.])``;
- sizes (ints): a tensor of that shape, "uninitialised" in PyTorch, zeros in tinydl
  (:func:`tinydl.empty`), so ``LongTensor(6).zero_()`` reads as it does;
- nothing: an empty tensor of shape (0,);
- a tensor of this dtype: that tensor itself (another dtype is refused, as in PyTorch).

``isinstance(x, tinydl.FloatTensor)`` is True for a float32 tensor on the CPU, as in
PyTorch, and ``x.type(tinydl.LongTensor)`` casts (each class's ``legacy_name``,
``"torch.LongTensor"``, is what ``x.type()`` reports).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.factories import empty
from tinydl.autograd.tensor import TYPE_NAMES, Tensor, tensor


class LegacyTensorType(type):
    """The type of ``FloatTensor`` and its siblings: calling one makes a Tensor of its
    ``dtype``; ``isinstance`` asks whether a tensor has that dtype and lives on the CPU."""

    dtype: np.dtype

    def __call__(cls, *data_or_sizes: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        where = f"{cls.__name__}()"
        if device is not None and backend.device(device).kind != "cpu":
            raise TypeError(
                f"{where} makes CPU tensors (device={device!r}): use "
                f"tinydl.tensor(data, dtype=tinydl.{cls.dtype.name}, device={str(device)!r})"
            )
        if not data_or_sizes:
            return empty(0, dtype=cls.dtype)
        if all(check.is_int(value) for value in data_or_sizes):
            sizes = [check.non_negative_int(where, "size", size) for size in data_or_sizes]
            return empty(*sizes, dtype=cls.dtype)
        if len(data_or_sizes) > 1:
            raise TypeError(
                f"{where} takes sizes (ints) or one sequence of data, got "
                f"{', '.join(type(value).__name__ for value in data_or_sizes)}"
            )
        data = data_or_sizes[0]
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(
                    f"{where} got a tensor of dtype {data.dtype}; cast it with x.to(tinydl."
                    f"{cls.dtype.name}) (PyTorch refuses it too)"
                )
            return data
        if not isinstance(data, (list, tuple)) and not backend.is_array(data):
            raise TypeError(
                f"{where} takes sizes (ints) or a sequence of data (a list, a tuple, an "
                f"array), got {type(data).__name__}"
            )
        return tensor(data, dtype=cls.dtype)

    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, Tensor) and value.dtype == cls.dtype and value.is_cpu

    def __repr__(cls) -> str:
        return f"<class 'tinydl.{cls.__name__}'>"


def _legacy(dtype: Any) -> LegacyTensorType:
    """The constructor class of ``dtype``, named as ``x.type()`` names its tensors."""
    chosen = np.dtype(dtype)
    name = f"{TYPE_NAMES[chosen]}Tensor"
    return LegacyTensorType(name, (), {"dtype": chosen, "legacy_name": f"torch.{name}"})


FloatTensor = _legacy(np.float32)
DoubleTensor = _legacy(np.float64)
HalfTensor = _legacy(np.float16)
LongTensor = _legacy(np.int64)
IntTensor = _legacy(np.int32)
ShortTensor = _legacy(np.int16)
CharTensor = _legacy(np.int8)
ByteTensor = _legacy(np.uint8)
BoolTensor = _legacy(np.bool_)

__all__ = [
    "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "HalfTensor",
    "IntTensor", "LongTensor", "ShortTensor",
]
