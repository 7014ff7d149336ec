"""The operations a Tensor offers as methods, ``x.sum(dim=1)``, ``x.split(n, dim=2)``: each
is one line that calls the function of the same name in :mod:`tinydl.ops`, where the
Function and its derivative live. They are kept apart from ``tensor.py`` so that the
Tensor itself (its array, its gradient, its creator, the backward walk) reads in one
sitting.

``tinydl.ops`` is reached as ``tinydl.ops`` at call time: the ops are built on Tensor, so
they cannot be imported before the Tensor class exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tinydl

if TYPE_CHECKING:
    from tinydl.autograd.tensor import Tensor


class TensorMethods:
    """PyTorch's tensor methods (and NumPy's where they agree), mixed into Tensor."""

    __slots__ = ()

    # ---- element-wise ----------------------------------------------------------------------
    def exp(self) -> Tensor:
        return tinydl.ops.exp(self)

    def log(self) -> Tensor:
        return tinydl.ops.log(self)

    def log1p(self) -> Tensor:
        return tinydl.ops.log1p(self)

    def expm1(self) -> Tensor:
        return tinydl.ops.expm1(self)

    def sqrt(self) -> Tensor:
        return tinydl.ops.sqrt(self)

    def abs(self) -> Tensor:
        return tinydl.ops.abs(self)

    def sin(self) -> Tensor:
        return tinydl.ops.sin(self)

    def cos(self) -> Tensor:
        return tinydl.ops.cos(self)

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent``; the exponent may be a number or a tensor."""
        return tinydl.ops.pow(self, exponent)

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        """``self + alpha * other``."""
        return tinydl.ops.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        """``self - alpha * other``."""
        return tinydl.ops.sub(self, other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return tinydl.ops.mul(self, other)

    def div(self, other: Any) -> Tensor:
        return tinydl.ops.div(self, other)

    def neg(self) -> Tensor:
        return tinydl.ops.neg(self)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Each element limited to [min, max], see :func:`tinydl.clamp`."""
        return tinydl.ops.clamp(self, min, max)

    clip = clamp

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where the boolean ``mask`` is True, see :func:`tinydl.masked_fill`."""
        return tinydl.ops.masked_fill(self, mask, value)

    def tril(self, diagonal: int = 0) -> Tensor:
        return tinydl.ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return tinydl.ops.triu(self, diagonal)

    def relu(self) -> Tensor:
        return tinydl.ops.relu(self)

    def sigmoid(self) -> Tensor:
        return tinydl.ops.sigmoid(self)

    def tanh(self) -> Tensor:
        return tinydl.ops.tanh(self)

    def softmax(self, dim: int) -> Tensor:
        return tinydl.ops.softmax(self, dim=dim)

    def log_softmax(self, dim: int) -> Tensor:
        return tinydl.ops.log_softmax(self, dim=dim)

    def clone(self) -> Tensor:
        """A copy in new memory; gradients flow through it."""
        return tinydl.ops.clone(self)

    # ---- comparisons (boolean tensors, no gradient) ----------------------------------------
    def eq(self, other: Any) -> Tensor:
        """Element-wise ``==`` as a boolean tensor (PyTorch's name)."""
        return tinydl.ops.compare(self, other, "equal")

    def ne(self, other: Any) -> Tensor:
        return tinydl.ops.compare(self, other, "not_equal")

    def lt(self, other: Any) -> Tensor:
        return tinydl.ops.compare(self, other, "less")

    def le(self, other: Any) -> Tensor:
        return tinydl.ops.compare(self, other, "less_equal")

    def gt(self, other: Any) -> Tensor:
        return tinydl.ops.compare(self, other, "greater")

    def ge(self, other: Any) -> Tensor:
        return tinydl.ops.compare(self, other, "greater_equal")

    # ---- reductions ------------------------------------------------------------------------
    # axis/keepdims are NumPy's names, dim/keepdim PyTorch's: both are accepted.
    def sum(self, axis: Any = None, keepdims: bool | None = None, **torch_names: Any) -> Tensor:
        return tinydl.ops.sum(self, axis, keepdims, **torch_names)

    def mean(self, axis: Any = None, keepdims: bool | None = None, **torch_names: Any) -> Tensor:
        return tinydl.ops.mean(self, axis, keepdims, **torch_names)

    def max(self, dim: Any = None, keepdim: bool | None = None, **numpy_names: Any) -> Any:
        """See :func:`tinydl.max`: ``x.max(dim)`` gives PyTorch's (values, indices),
        ``x.max(axis=a)`` NumPy's values."""
        return tinydl.ops.max(self, dim, keepdim, **numpy_names)

    def min(self, dim: Any = None, keepdim: bool | None = None, **numpy_names: Any) -> Any:
        """See :func:`tinydl.min`, the counterpart of :meth:`max`."""
        return tinydl.ops.min(self, dim, keepdim, **numpy_names)

    def argmax(self, axis: Any = None, keepdims: bool | None = None, **torch_names: Any) -> Tensor:
        """Indices of the largest values (not differentiable), see :func:`tinydl.argmax`."""
        return tinydl.ops.argmax(self, axis, keepdims, **torch_names)

    def argmin(self, axis: Any = None, keepdims: bool | None = None, **torch_names: Any) -> Tensor:
        return tinydl.ops.argmin(self, axis, keepdims, **torch_names)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
            **correction: Any) -> Tensor:
        return tinydl.ops.var(self, dim, unbiased, keepdim, **correction)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
            **correction: Any) -> Tensor:
        return tinydl.ops.std(self, dim, unbiased, keepdim, **correction)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        return tinydl.ops.norm(self, p, dim, keepdim)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return tinydl.ops.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return tinydl.ops.any(self, dim, keepdim)

    def cumsum(self, dim: int, **dtype: Any) -> Tensor:
        return tinydl.ops.cumsum(self, dim, **dtype)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        """How often each value occurs (``targets.bincount()``), see :func:`tinydl.bincount`."""
        return tinydl.ops.bincount(self, weights, minlength)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """The indices of the nonzero elements, see :func:`tinydl.nonzero`."""
        return tinydl.ops.nonzero(self, as_tuple=as_tuple)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True  # noqa: A002
             ) -> Any:
        """The ``k`` largest values along ``dim`` and their indices, see :func:`tinydl.topk`."""
        return tinydl.ops.topk(self, k, dim, largest, sorted)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return tinydl.ops.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return tinydl.ops.argsort(self, dim, descending, stable)

    # ---- products --------------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        return tinydl.ops.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return tinydl.ops.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return tinydl.ops.bmm(self, other)

    # ---- shape -----------------------------------------------------------------------------
    def view(self, *shape: Any) -> Tensor:
        """PyTorch's name for :meth:`reshape` (``-1`` stands for the rest)."""
        return tinydl.ops.reshape(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        """This tensor reshaped to ``other``'s shape."""
        return tinydl.ops.reshape(self, other.shape)

    def reshape(self, *shape: Any) -> Tensor:
        return tinydl.ops.reshape(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Axes ``start_dim`` … ``end_dim`` merged into one, see :func:`tinydl.flatten`."""
        return tinydl.ops.flatten(self, start_dim, end_dim)

    def transpose(self, *dims: Any, **dim0_dim1: Any) -> Tensor:
        """Swap two axes, as PyTorch: ``x.transpose(1, 2)``; see :func:`tinydl.transpose`
        (NumPy's permutation form is refused: that is :meth:`permute`)."""
        return tinydl.ops.transpose(self, *dims, **dim0_dim1)

    def t(self) -> Tensor:
        """The transpose of a matrix (a tensor of at most 2 dimensions is returned with them
        swapped; PyTorch's ``t()`` refuses more)."""
        if self.ndim > 2:
            raise ValueError(
                f"t() transposes tensors of at most 2 dimensions, this one has shape "
                f"{self.shape}: use transpose(dim0, dim1) or permute(...)"
            )
        return tinydl.ops.reverse_axes(self)

    @property
    def T(self) -> Tensor:  # noqa: N802  (NumPy's and PyTorch's name)
        """Every axis in reverse order (a matrix's transpose)."""
        return tinydl.ops.reverse_axes(self)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the axes: ``x.permute(0, 2, 3, 1)``, see :func:`tinydl.permute`."""
        return tinydl.ops.permute(self, *dims)

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order along ``dims``: ``x.flip(1)``, see :func:`tinydl.flip`."""
        return tinydl.ops.flip(self, *dims)

    def squeeze(self, dim: Any = None) -> Tensor:
        return tinydl.ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return tinydl.ops.unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        return tinydl.ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return tinydl.ops.expand(self, other.shape)

    def repeat(self, *repeats: Any) -> Tensor:
        return tinydl.ops.repeat(self, *repeats)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return tinydl.ops.narrow(self, dim, start, length)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces along ``dim``: ``q, k, v = qkv.split(C, dim=2)``, see :func:`tinydl.split`."""
        return tinydl.ops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return tinydl.ops.chunk(self, chunks, dim)

    def gather(self, dim: int, index: Any) -> Tensor:
        return tinydl.ops.gather(self, dim, index)

    def contiguous(self) -> Tensor:
        """This tensor: tinydl's ops take any memory layout, so there is nothing to do."""
        return self

    # ---- new tensors like this one ---------------------------------------------------------
    # dtype and device default to this tensor's, as in PyTorch.
    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return tinydl.zeros(*size, **self._like(dtype, device), requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return tinydl.ones(*size, **self._like(dtype, device), requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return tinydl.empty(*size, **self._like(dtype, device), requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return tinydl.full(size, fill_value, **self._like(dtype, device),
                           requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        return tinydl.tensor(data, requires_grad, **self._like(dtype, device))

    def _like(self, dtype: Any, device: Any) -> dict[str, Any]:
        return {"dtype": self.dtype if dtype is None else dtype,
                "device": self.device if device is None else device}
