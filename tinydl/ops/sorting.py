"""Sorting: ``sort``, ``argsort`` and ``topk`` (the k largest, as a language model samples
from). Each finds an order along one axis (not differentiable: an order has no slope) and
then :func:`~tinydl.ops.shape.gather` picks the values in that order, so the values'
gradient is Gather's: each goes back to the place it came from."""

from __future__ import annotations

from typing import Any

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.ops.arguments import as_input
from tinydl.ops.reductions import ValuesIndices
from tinydl.ops.shape import gather


def _order(a: Any, dim: int, descending: bool) -> Any:
    """The indices that sort ``a`` along ``dim``; equal values keep their order."""
    xp = backend.array_module(a)
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    if a.dtype.kind in "fic":
        return xp.argsort(-a, axis=dim, kind="stable")
    return xp.flip(xp.argsort(a, axis=dim, kind="stable"), axis=dim)  # bool, unsigned


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
         ) -> ValuesIndices:
    """``x`` sorted along ``dim`` (ascending unless ``descending``): ``(values, indices)``,
    where ``values`` is ``x.gather(dim, indices)``. Ties keep their order (``stable`` is
    accepted; tinydl's sort is always stable)."""
    x = as_input(x, "sort()")
    dim = check.axis("sort()", "dim", dim, x.ndim)
    order = _order(x.array, dim, check.flag("sort()", "descending", descending))
    return ValuesIndices(gather(x, dim, order), Tensor(order))


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    """The ``indices`` of :func:`sort`."""
    return sort(x, dim, descending, stable).indices


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True  # noqa: A002
         ) -> ValuesIndices:
    """The ``k`` largest values along ``dim`` (the smallest when not ``largest``), largest
    first, and their indices: ``v, _ = topk(logits, 10)`` keeps a language model's ten
    likeliest tokens. ``sorted=False`` is accepted and gives them sorted all the same."""
    x = as_input(x, "topk()")
    dim = check.axis("topk()", "dim", dim, x.ndim)
    k = check.int_between("topk()", "k", k, 0, x.shape[dim])
    order = _order(x.array, dim, check.flag("topk()", "largest", largest))
    first_k = order[(slice(None),) * dim + (slice(0, k),)]
    return ValuesIndices(gather(x, dim, first_k), Tensor(first_k))
