"""``LayerNorm``: normalise each sample's features, then scale and shift them. The maths,
with its derivative, is in tinydl.ops.layer_norm."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.nn.linear import new_parameter
from tinydl.nn.module import Module
from tinydl.ops.layer_norm import layer_norm


class LayerNorm(Module):
    """PyTorch's ``nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True,
    bias=True)``: standardise over the last axes of shape ``normalized_shape``, then
    multiply by ``weight`` (γ, starts at 1) and add ``bias`` (β, starts at 0). The same in
    training and evaluation."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ) -> None:
        self.normalized_shape = check.shape("LayerNorm", "normalized_shape", normalized_shape)
        self.eps = eps
        shape = self.normalized_shape
        affine = elementwise_affine
        self.weight = new_parameter(np.ones(shape, dtype=np.float32)) if affine else None
        self.bias = new_parameter(np.zeros(shape, dtype=np.float32)) if affine and bias else None

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"
