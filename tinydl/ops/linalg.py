"""Matrix multiplication."""

from __future__ import annotations

from typing import Any

from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.ops.operands import as_tensors


class MatMul(Function):
    """Y = A @ B (2-D, or batched over leading axes, which broadcast).

    dL/dA = dL/dY @ Bᵀ   and   dL/dB = Aᵀ @ dL/dY   (transposing the last two axes).
    A 1-D operand is treated as a row (for A) or a column (for B) vector, as in NumPy.
    """

    def forward(self, a, b):
        self.a_was_vector, self.b_was_vector = a.ndim == 1, b.ndim == 1
        self.a = a[None, :] if self.a_was_vector else a
        self.b = b[:, None] if self.b_was_vector else b
        y = self.a @ self.b
        if self.a_was_vector:
            y = y[..., 0, :]
        if self.b_was_vector:
            y = y[..., 0]
        return y

    def backward(self, gy):
        if self.b_was_vector:
            gy = gy[..., None]
        if self.a_was_vector:
            gy = gy[..., None, :]
        ga = gy @ self.b.swapaxes(-1, -2) if self.needs_grad[0] else None
        gb = self.a.swapaxes(-1, -2) @ gy if self.needs_grad[1] else None
        # Drop the axis added in forward; the engine sums any batch axes away.
        if ga is not None and self.a_was_vector:
            ga = ga[..., 0, :]
        if gb is not None and self.b_was_vector:
            gb = gb[..., 0]
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """``a @ b`` with NumPy's rules for 1-D, 2-D and batched operands."""
    a, b = as_tensors(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul needs tensors of at least one dimension; use * for scalars")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"matmul shapes {a.shape} and {b.shape} do not fit: the last axis of the first "
            f"({a.shape[-1]}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} axis "
            f"of the second ({b.shape[-2 if b.ndim > 1 else 0]})"
        )
    return MatMul()(a, b)
