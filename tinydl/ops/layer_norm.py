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
    return LayerNorm(len(shape), eps)(x, gamma, beta)


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

