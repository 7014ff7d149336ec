"""PyTorch's argument names beside NumPy's: ``dim`` is ``axis``, ``keepdim`` is ``keepdims``.

tinydl's own functions speak NumPy (``axis=``, ``keepdims=``); code written for PyTorch says
``dim=`` and ``keepdim=``. Each function accepts both and resolves them here, so a call that
gives both spellings of one argument fails instead of silently preferring one.
"""

from __future__ import annotations

from typing import Any

from tinydl import backend
from tinydl.autograd import tensor_checks
from tinydl.autograd.tensor import Tensor


def pick(numpy_value: Any, torch_value: Any, names: tuple[str, str], caller: str) -> Any:
    """The one of ``axis``/``dim`` (or ``keepdims``/``keepdim``) that was given, else None."""
    if torch_value is None:
        return numpy_value
    if numpy_value is not None:
        numpy_name, torch_name = names
        raise TypeError(
            f"{caller} got both {numpy_name}= and {torch_name}=, which mean the same; pass one"
        )
    return torch_value


def axis_of(axis: Any, dim: Any, caller: str) -> Any:
    return pick(axis, dim, ("axis", "dim"), caller)


def keepdims_of(keepdims: bool | None, keepdim: bool | None, caller: str) -> bool:
    return bool(pick(keepdims, keepdim, ("keepdims", "keepdim"), caller))


def as_input(x: Any, caller: str) -> Tensor:
    """``x`` as a Tensor: a Tensor as it is, a NumPy/CuPy array (such as ``t.data``) wrapped
    without copying, as PyTorch code calls ``torch.max(outputs.data, 1)``."""
    if backend.is_array(x):
        return Tensor(x)
    return tensor_checks.tensor(caller, "x", x)
