"""Layer normalisation: standardise each sample's features (the last axes) to mean 0 and
variance 1, then scale and shift them with learned γ and β. Unlike batch norm nothing
is averaged over the batch, so training and evaluation compute the same thing and a
batch of one works: the normalisation of choice inside Transformers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinydl import backend, check
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import fits_input, floating
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.ops.array_sums import column_sums


class LayerNorm(Function):
    """Layer norm of x over its last k axes (one "row" = those n values), with γ and β of
    the normalised shape:

        μ = mean x,   σ = √(mean (x − μ)² + ε)   (the biased variance),
        x̂ = (x − μ)/σ,   y = γ ⊙ x̂ + β.

    Backward, for one row, with g = dL/dy and ĝ = γ ⊙ g the gradient reaching x̂:

        ∂x̂ᵢ/∂xⱼ = (δᵢⱼ − 1/n)/σ − x̂ᵢ x̂ⱼ/(n σ)

    (xⱼ moves x̂ᵢ directly when i = j, through μ by −1/(nσ), and through σ, since
    ∂σ/∂xⱼ = x̂ⱼ/n, by −x̂ᵢ x̂ⱼ/(nσ)). Summing ĝᵢ ∂x̂ᵢ/∂xⱼ over i:

        dx = (1/σ) · (ĝ − mean ĝ − x̂ ⊙ mean(ĝ ⊙ x̂)),

    the means taken over the row. The parameters are shared by every row, so their
    gradients add up over the rows (all leading axes): dγ = Σ g ⊙ x̂, dβ = Σ g.
    (Batch norm's backward is the same formula with the roles of the axes swapped.)
    """

    def __init__(self, normalized_ndim: int, eps: float) -> None:
        self.k, self.eps = normalized_ndim, eps

    def forward(self, x, gamma, beta):
        xp = backend.array_module(x)
        self.row_axes = tuple(range(x.ndim - self.k, x.ndim))
        self.batch_axes = tuple(range(x.ndim - self.k))
        mean = x.mean(axis=self.row_axes, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axis=self.row_axes, keepdims=True)
        self.inv_std = 1 / xp.sqrt(var + self.eps)
        self.x_hat = centered * self.inv_std
        self.gamma = gamma
        return self.x_hat * gamma + beta

    def backward(self, gy):
        gx = None
        if self.needs_grad[0]:
            axes, x_hat = self.row_axes, self.x_hat
            g_hat = gy * self.gamma
            mean_g = g_hat.mean(axis=axes, keepdims=True)
            mean_gx = (g_hat * x_hat).mean(axis=axes, keepdims=True)
            gx = self.inv_std * (g_hat - mean_g - x_hat * mean_gx)
        ggamma = (gy * self.x_hat).sum(axis=self.batch_axes) if self.needs_grad[1] else None
        gbeta = gy.sum(axis=self.batch_axes) if self.needs_grad[2] else None
        return gx, ggamma, gbeta


class LayerNormFast(LayerNorm):
    """:class:`LayerNorm` with fewer passes over memory: the same maths on x seen as rows of
    n values, each row's sums as a matrix-vector product (BLAS sums 128-value rows 5x
    faster than NumPy's ``mean(axis=-1)``: 0.012 vs 0.061 ms on 2048 x 128 floats), the
    sums of products as ``einsum`` (no temporary array), and the rest in place.

    What it bought on the GPT of issue 25 (x of (32, 64, 128) float32, one thread, medians
    of 200 alternating calls): forward 0.31 → 0.19 ms, backward 0.44 → 0.27 ms.
    """

    def forward(self, x, gamma, beta):
        xp = backend.array_module(x)
        n = gamma.size
        rows = x.reshape(-1, n)
        per_value = xp.full((n,), 1 / n, dtype=x.dtype)  # row @ per_value = the row's mean
        x_hat = rows - (rows @ per_value)[:, None]
        var = xp.einsum("ij,ij->i", x_hat, x_hat) / n
        self.inv_std = (1 / xp.sqrt(var + self.eps))[:, None]
        x_hat *= self.inv_std
        self.x_hat, self.gamma, self.per_value = x_hat, gamma.reshape(n), per_value
        self.shape = gamma.shape
        y = x_hat * self.gamma
        y += beta.reshape(n)
        return y.reshape(x.shape)

    def backward(self, gy):
        xp = backend.array_module(gy)
        x_hat, n = self.x_hat, self.gamma.size
        g = gy.reshape(-1, n)
        gx = None
        if self.needs_grad[0]:
            gx = g * self.gamma  # ĝ
            shift = x_hat * (xp.einsum("ij,ij->i", gx, x_hat) / n)[:, None]
            shift += (gx @ self.per_value)[:, None]  # x̂ ⊙ mean(ĝ ⊙ x̂) + mean ĝ
            gx -= shift
            gx *= self.inv_std
            gx = gx.reshape(gy.shape)
        shape = self.shape
        ggamma = xp.einsum("ij,ij->j", g, x_hat).reshape(shape) if self.needs_grad[1] else None
        gbeta = column_sums(g).reshape(shape) if self.needs_grad[2] else None
        return gx, ggamma, gbeta


def layer_norm(
    x: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation over the last ``len(normalized_shape)`` axes of ``x``, as
    PyTorch's ``F.layer_norm``: ``weight`` (γ) and ``bias`` (β) have the shape
    ``normalized_shape``, or are None for 1 and 0."""
    shape = check.shape("layer_norm()", "normalized_shape", normalized_shape)
    _check_operands(x, shape, weight, bias)
    eps = check.number("layer_norm()", "eps", eps, "> 0")
    xp = backend.array_module(x.array)
    gamma = weight if weight is not None else Tensor(xp.ones(shape, dtype=x.dtype))
    beta = bias if bias is not None else Tensor(xp.zeros(shape, dtype=x.dtype))
    function = LayerNormFast if fast_paths_enabled() else LayerNorm
    return function(len(shape), eps)(x, gamma, beta)


def _check_operands(x: Any, shape: tuple[int, ...], weight: Any, bias: Any) -> None:
    """A floating-point ``x`` whose last axes have ``shape``, and a weight and bias (or
    None) of that shape with x's dtype and device."""
    floating("layer_norm()", "x", x)
    if x.shape[x.ndim - len(shape):] != shape or x.ndim < len(shape):
        raise ValueError(
            f"layer_norm() normalises over the last axes of shape normalized_shape={shape}, "
            f"but got input of shape {x.shape}"
        )
    fits_input("layer_norm()", "weight", weight, shape, x)
    fits_input("layer_norm()", "bias", bias, shape, x)

