"""Matrix multiplication."""

from __future__ import annotations

from typing import Any

from tinydl import backend
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import floating, tensor
from tinydl.backend.fast_path_switch import fast_paths_enabled
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


def mm(a: Tensor, b: Tensor) -> Tensor:
    """The product of two matrices (2-D tensors), PyTorch's ``torch.mm``; see :func:`matmul`
    for batches and vectors."""
    return matmul(tensor("mm()", "a", a, "(n, m)"), tensor("mm()", "b", b, "(m, p)"))


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix products: (B, n, m) @ (B, m, p) is (B, n, p), the same B in both."""
    tensor("bmm()", "a", a, "(B, n, m)")
    tensor("bmm()", "b", b, "(B, m, p)")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"bmm() needs one batch size in both, got shapes {a.shape} and {b.shape}"
        )
    return matmul(a, b)


def times_transposed(a: Any, b: Any) -> Any:
    """``a @ bᵀ``: a product whose second factor is stored row by row, as a weight gradient's
    ``dY·colsᵀ`` (Conv2D) or ``X·colsᵀ`` (ConvTranspose2D), and dL/dX = dL/dY·Mᵀ (Linear)."""
    return a @ b.T


def times_transposed_fast(a: Any, b: Any) -> Any:
    """:func:`times_transposed`, ``a @ bᵀ`` (P, Q) with K = a's columns, computed as
    ``(b @ aᵀ)ᵀ`` when Q > P and K > P: OpenBLAS runs a product with a long K faster with
    the longer output side as its rows. Float32, SkylakeX kernels, one thread: the DCGAN's
    (128, 3136) @ (3136, 1024) 4.5 -> 3.4 ms, the fast CNN's (32, 30976) @ (30976, 144)
    2.9 -> 1.9 ms; two threads, the DCGAN example's Linear layers' dL/dX, (64, 6272) @
    (6272, 1024) 2.85 -> 2.28 ms and (64, 1024) @ (1024, 3136) 1.49 -> 1.14 ms. It is slower
    with Q ≤ P (the seed CNN's (32, 43264) @ (43264, 9): 0.55 -> 0.67 ms) or a short K
    (the fast CNN's (256, 256) @ (256, 800): 0.26 -> 0.47 ms), so it is not taken there.
    The result is copied into C order, as ``a @ bᵀ`` is: a transposed view would send a
    weight's gradient through Adam's plain step (its chunked one takes contiguous arrays)."""
    rows, long = a.shape
    if b.shape[0] <= rows or long <= rows:
        return a @ b.T
    return backend.array_module(a).ascontiguousarray((b @ a.T).T)


class Linear(Function):
    """Y = X @ W + b: a fully connected layer as one Function (one GEMM, the bias added in
    place), with W in either of the two layouts layers store it in:

    - ``(in, out)`` (``nn.Dense``, Keras): Y = X @ W,
    - ``(out, in)`` (``nn.Linear``, PyTorch, ``out_in=True``): Y = X @ Wᵀ.

    With M the (in, out) matrix (W or Wᵀ), the derivative is written once:

        dL/dX = dL/dY @ Mᵀ,   dL/dM = Xᵀ @ dL/dY,   dL/db = Σ over samples of dL/dY,

    and in the (out, in) layout dL/dW = (dL/dM)ᵀ = dL/dYᵀ @ X.
    """

    def __init__(self, out_in: bool = False) -> None:
        self.out_in = out_in

    def forward(self, x, weight, bias=None):
        self.x = x
        self.matrix = weight.T if self.out_in else weight  # (in, out); .T is a free view
        # Leading axes fold into the rows: one GEMM, where (N, T, in) @ W would make NumPy
        # loop over N small ones (measured 2x slower for a Transformer's (128, 8, 128)).
        y = x.reshape(-1, x.shape[-1]) @ self.matrix
        if bias is not None:
            y += bias  # in place: y is a fresh array, so this saves a pass over memory
        return y.reshape(*x.shape[:-1], self.matrix.shape[1])

    def backward(self, gy):
        gy_rows = gy.reshape(-1, gy.shape[-1])
        gx = None
        if self.needs_grad[0]:
            gx = self.input_gradient(gy_rows).reshape(self.x.shape)
        gw = None
        if self.needs_grad[1]:
            # Leading (batch) axes fold into the rows, so one GEMM gives the summed gradient.
            x_rows = self.x.reshape(-1, self.x.shape[-1])
            gw = gy_rows.T @ x_rows if self.out_in else x_rows.T @ gy_rows
        if len(self.needs_grad) == 2:
            return gx, gw
        gb = gy_rows.sum(axis=0) if self.needs_grad[2] else None
        return gx, gw, gb

    def input_gradient(self, gy_rows: Any) -> Any:
        """dL/dX's rows, dL/dY @ Mᵀ."""
        return times_transposed(gy_rows, self.matrix)


class LinearFast(Linear):
    """:class:`Linear`'s fast path: dL/dX = dL/dY @ Mᵀ computed the way OpenBLAS runs
    fastest for its shape, the same numbers (bit for bit with one output feature, to
    rounding otherwise: the products add in another order).

    - One output feature (a discriminator's or a regressor's head): an outer product, (N, 1)
      by (1, in), each entry one multiplication, broadcast as dL/dY · Mᵀ. OpenBLAS runs it
      as a GEMM with K = 1, slowly: the DCGAN discriminator's (64, 1) by (1, 6272), one
      thread, float32, medians of 200 calls: 0.36 -> 0.02 ms (3 a step).
    - Otherwise, on the host, :func:`times_transposed_fast`: (M @ dL/dYᵀ)ᵀ where its rule
      says so (a wide layer on a small batch, as the DCGAN example's)."""

    def input_gradient(self, gy_rows: Any) -> Any:
        if gy_rows.shape[1] == 1:
            return gy_rows * self.matrix.T
        if backend.is_cuda(gy_rows):  # the rule is OpenBLAS's
            return times_transposed(gy_rows, self.matrix)
        return times_transposed_fast(gy_rows, self.matrix)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` with ``weight`` of shape (out_features, in_features), as
    PyTorch's ``F.linear`` and ``nn.Linear`` store it. (:func:`dense` takes the (in, out)
    layout of ``nn.Dense``, in which the maths reads ``x @ W``.)"""
    _check_operands(x, weight, bias, "linear()", out_in=True)
    function = (LinearFast if fast_paths_enabled() else Linear)(out_in=True)
    return function(x, weight) if bias is None else function(x, weight, bias)


def dense(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight + bias`` with ``weight`` of shape (in_features, out_features), as
    ``nn.Dense`` (and Keras) store it."""
    _check_operands(x, weight, bias, "dense()", out_in=False)
    function = LinearFast() if fast_paths_enabled() else Linear()
    return function(x, weight) if bias is None else function(x, weight, bias)


def _check_operands(x: Tensor, weight: Tensor, bias: Tensor | None, caller: str,
                    out_in: bool) -> None:
    """The checks both layouts share: a 2-D weight, an input whose last axis has the
    weight's in_features, a bias of out_features, a floating-point input."""
    layout = "(out_features, in_features)" if out_in else "(in_features, out_features)"
    tensor(caller, "weight", weight, layout)
    (floating if weight.dtype.kind == "f" else tensor)(caller, "input", x)
    out_features, in_features = weight.shape if out_in else weight.shape[::-1]
    if x.ndim == 0 or x.shape[-1] != in_features:
        raise ValueError(
            f"{caller} got input of shape {x.shape} for a weight {layout} of shape "
            f"{weight.shape}: the input's last axis must have {in_features} features"
        )
    if bias is not None and bias.shape != (out_features,):
        raise ValueError(f"{caller} needs a bias of shape ({out_features},), got {bias.shape}")
