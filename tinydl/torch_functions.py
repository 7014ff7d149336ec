"""PyTorch's top-level arithmetic functions, whose signatures add two things to
:mod:`tinydl.ops`'s: ``alpha=`` (``add(x, y, alpha=2)`` is x + 2y) and ``out=``, a tensor
the result is written into (``torch.matmul(a, b, out=c)``, as PyTorch's tensor tutorial
shows). Writing into ``out`` follows the rule of every in-place write in tinydl (see
``Tensor.add_``): it happens only where no graph is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinydl import ops
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import tensor


def add(input: Any, other: Any, *, alpha: float = 1, out: Tensor | None = None) -> Tensor:
    """``input + alpha * other``."""
    return _into(out, ops.add(input, other if alpha == 1 else other * alpha), "add")


def sub(input: Any, other: Any, *, alpha: float = 1, out: Tensor | None = None) -> Tensor:
    """``input - alpha * other``."""
    return _into(out, ops.sub(input, other if alpha == 1 else other * alpha), "sub")


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    """``input * other`` element-wise."""
    return _into(out, ops.mul(input, other), "mul")


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Tensor | None = None
        ) -> Tensor:
    """``input / other``; ``rounding_mode="floor"`` rounds down, as ``//`` does."""
    if rounding_mode not in (None, "floor"):
        raise ValueError(
            f"div(): tinydl offers rounding_mode None (true division) and 'floor', got "
            f"{rounding_mode!r}"
        )
    result = ops.div(input, other) if rounding_mode is None else ops.floor_divide(input, other)
    return _into(out, result, "div")


def matmul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    """``input @ other`` (see :func:`tinydl.ops.matmul` for the shapes it takes)."""
    return _into(out, ops.matmul(input, other), "matmul")


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join ``tensors`` along an existing axis ``dim`` (PyTorch's ``cat``; ``concat`` and
    ``concatenate`` are the same)."""
    return _into(out, ops.concatenate(tensors, dim), "cat")


def _into(out: Tensor | None, result: Tensor, caller: str) -> Tensor:
    """``result``, written into ``out`` when one is given."""
    if out is None:
        return result
    if tensor(f"{caller}()", "out", out).shape != result.shape:
        raise ValueError(
            f"{caller}(): out has shape {out.shape}, but the result has shape {result.shape}; "
            f"make out that shape (tinydl does not resize it)"
        )
    return out.copy_(result)
